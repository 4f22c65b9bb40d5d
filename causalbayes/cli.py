"""Command line: ``causalbayes demo`` (also ``python -m causalbayes demo``).

The demo runs story 1 end to end — simulate the paint-coating SCM with known
parameters, fit it (``--sampler``, default ``auto``: PyMC's NUTS at this size),
compute the ATE of dilution on coating —
and reports how well the posterior recovers the truth, with timings.

Heavy imports (PyMC) happen inside the subcommand, so ``--help`` is fast and
the demo can time them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from causalbayes._defaults import HDI_PROB

#: ``causalbayes.inference.sampling.SAMPLER_NAMES``, spelled out so that ``--help`` needs no PyMC.
SAMPLER_CHOICES = ("auto", "pymc", "nutpie", "numpyro", "blackjax", "advi", "exact")
DEMO_DESCRIPTION = """\
Story 1, paint coating: humidity drives both the dilution chosen (0/1) and the
coating yield.  The demo simulates N units from causalbayes.examples.coating_scm()
with every parameter fixed at its true value (causalbayes.examples.COATING_TRUTH),
fits the SCM (--sampler; auto picks PyMC's NUTS at this size), computes the
average treatment effect of dilution
on coating (true value -0.421), and reports, for every parameter, the true value,
the posterior mean and 94% HDI and whether the HDI covers the truth; then the ATE,
the sampler diagnostics and the time each stage took.  With --json it prints one
JSON object instead (PyMC's messages go to stderr).
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``causalbayes`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 1 when causalbayes refuses the run (e.g. a
        sampler that is not installed; the message goes to stderr).  Bad
        arguments exit through argparse (status 2).

    Examples
    --------
    >>> main(["demo", "--n", "300", "--draws", "200", "--json"])  # doctest: +SKIP
    {"true_ate": -0.421, "ate_mean": -0.42, ...}
    0
    """
    args = build_parser().parse_args(argv)
    return args.handler(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subparser per subcommand.

    Examples
    --------
    >>> build_parser().parse_args(["demo", "--draws", "200"]).draws
    200
    """
    parser = argparse.ArgumentParser(
        prog="causalbayes",
        description="Bayesian causal inference on PyMC: declare a DAG of structural equations, fit, intervene, check.",
    )
    commands = parser.add_subparsers(
        title="commands", dest="command", required=True, metavar="COMMAND"
    )
    _add_demo(commands)
    return parser


#: Largest values the demo accepts: beyond them it would run for days or exhaust memory
#: (a 1e23-unit simulation used to end in an OverflowError traceback).
MAX_UNITS = 10_000_000
MAX_DRAWS = 1_000_000
MAX_CHAINS = 64


def _whole_number(minimum: int, maximum: int | None = None):
    """An argparse type: a whole number in [minimum, maximum]; ``1e3`` is read as 1000."""

    def parse(text: str) -> int:
        value = _int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {minimum}, got {text!r}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,}, got {text!r}")
        return value

    return parse


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)  # scientific notation: 1e3
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value.is_integer()):
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    return int(value)


def _add_demo(commands) -> None:
    demo = commands.add_parser(
        "demo",
        help="simulate, fit and check story 1 (paint coating): ATE of dilution on coating",
        description=DEMO_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--n",
        type=_whole_number(1, MAX_UNITS),
        default=1000,
        help="number of simulated units (default 1000)",
    )
    demo.add_argument(
        "--draws",
        type=_whole_number(1, MAX_DRAWS),
        default=1000,
        help="posterior draws per chain (default 1000)",
    )
    demo.add_argument(
        "--tune",
        type=_whole_number(0, MAX_DRAWS),
        default=1000,
        help="tuning steps per chain (default 1000)",
    )
    demo.add_argument(
        "--chains",
        type=_whole_number(1, MAX_CHAINS),
        default=4,
        help="number of chains (default 4)",
    )
    demo.add_argument(
        "--sampler",
        default="auto",
        choices=SAMPLER_CHOICES,
        help="auto (default), pymc, nutpie, numpyro, blackjax or advi; see docs/benchmarks.md",
    )
    demo.add_argument(
        "--seed",
        type=_whole_number(0),
        default=2,
        help="random seed of the simulation and the sampler (default 2)",
    )
    demo.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the text report"
    )
    demo.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the sampler's progress bars (default: when stderr is a terminal and "
        "the CI environment variable is not set)",
    )
    demo.set_defaults(handler=_demo_command)


# -- demo ----------------------------------------------------------------------
def _demo_command(args: argparse.Namespace) -> int:
    from causalbayes.errors import CausalBayesError

    try:
        return _run_demo_command(args)
    except CausalBayesError as err:  # a typed refusal is a message, not a traceback
        print(f"causalbayes demo: error: {err}", file=sys.stderr)
        return 1


def _run_demo_command(args: argparse.Namespace) -> int:
    settings = {
        "n": args.n,
        "draws": args.draws,
        "tune": args.tune,
        "chains": args.chains,
        "seed": args.seed,
        "sampler": args.sampler,
        "progressbar": args.progress,
    }
    if args.json:
        # Anything a library prints while we work goes to stderr: stdout carries only the JSON.
        with contextlib.redirect_stdout(sys.stderr):
            result = run_demo(**settings)
        print(json.dumps(_json_safe(result), allow_nan=False))
    else:
        print(
            f"causalbayes demo: simulating {args.n} units, sampling {args.chains} chains x {args.draws} draws ...",
            file=sys.stderr,
        )
        print(format_report(run_demo(**settings)))
    return 0


def interactive(stream: Any = None, environ: Any = None) -> bool:
    """Whether someone is watching: not under CI, and a terminal or a Jupyter kernel.

    CI is the ``CI`` environment variable set to anything but ``""``, ``0``,
    ``false`` or ``no`` (GitHub Actions, GitLab CI, CircleCI, Travis and this
    project's CI set ``CI=true``).  ``stream`` (default ``sys.stderr``, where
    PyMC draws its progress bars) must be a terminal, unless this Python runs a
    Jupyter kernel.

    Examples
    --------
    >>> import io
    >>> interactive(io.StringIO(), environ={})
    False
    >>> interactive(environ={"CI": "true"})
    False
    """
    environ = os.environ if environ is None else environ
    if environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if _in_jupyter_kernel():
        return True
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _in_jupyter_kernel() -> bool:
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


#: ArviZ 0.23 announces its coming 1.0 refactor with a FutureWarning on the first
#: ``import arviz`` of each day (arviz/__init__.py, ``_warn_once_per_day``), unless the
#: arviz-base/-stats/-plots previews are installed.  It is news about ArviZ, not about
#: the user's model.
ARVIZ_ANNOUNCEMENT = r"\s*ArviZ is undergoing a major refactor"


@contextlib.contextmanager
def _without_arviz_announcement() -> Iterator[None]:
    """Ignore ArviZ's daily announcement while the PyMC stack is imported, and nothing else."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=ARVIZ_ANNOUNCEMENT, category=FutureWarning)
        yield


@contextlib.contextmanager
def _quiet_pymc() -> Iterator[None]:
    """PyMC's INFO messages (sampler set-up) off for a while; its warnings still reach stderr.

    Enter it after PyMC is imported: importing PyMC sets its logger's level.
    """
    logger = logging.getLogger("pymc")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def run_demo(
    *,
    n: int = 1000,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 2,
    sampler: str = "auto",
    progressbar: bool | None = None,
) -> dict[str, Any]:
    """Simulate story 1 with the true parameters, fit it and compute the ATE.

    Parameters
    ----------
    n : int
        Units to simulate.
    draws, tune, chains : int
        NUTS settings.
    seed : int
        Seeds the simulation; the sampler and the ATE use ``seed + 1``.
    sampler : str
        Passed to :func:`causalbayes.fit`; the report's ``sampler`` says what ran.
    progressbar : bool, optional
        The sampler's progress bars; default: :func:`interactive`.

    PyMC's INFO messages are silenced while sampling; bad diagnostics are
    reported in ``problems`` rather than warned about.

    Returns
    -------
    dict
        The report: ``true_ate``, ``ate_mean``, ``ate_sd``, ``ate_hdi_low``,
        ``ate_hdi_high``, ``p_ate_negative``, ``params`` (name -> ``true``,
        ``mean``, ``sd``, ``hdi_low``, ``hdi_high``, ``covered``, ``r_hat``,
        ``ess_bulk``), ``divergences``, ``rhat_max``, ``ess_bulk_min``,
        ``problems``, ``seconds`` (stage -> seconds, with ``total``), the
        settings and the DAG.

    Examples
    --------
    >>> report = run_demo(n=300, draws=200, tune=200, chains=2)  # doctest: +SKIP
    >>> round(report["ate_mean"], 1)  # doctest: +SKIP
    -0.4
    """
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    with _without_arviz_announcement():  # the first import of arviz (through PyMC) is here
        from causalbayes.estimands import ate as average_effect
        from causalbayes.examples import COATING_TRUTH, coating_scm
        from causalbayes.inference import fit as fit_scm
        from causalbayes.recovery import simulate

    seconds["import"] = time.perf_counter() - start
    scm = coating_scm()
    with _timed(seconds, "simulate"):
        data = simulate(scm, n, params=COATING_TRUTH, random_seed=seed)
    with _timed(seconds, "fit"), _quiet_pymc():
        fit = fit_scm(
            scm,
            data,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=seed + 1,
            warn=False,
            sampler=sampler,
            progressbar=interactive() if progressbar is None else progressbar,
        )
    with _timed(seconds, "ate"):
        # the report lists the fit's problems beside the numbers (see "problems")
        effect = average_effect(
            fit, "dilution", "coating", random_seed=seed + 1, diagnostics="ignore"
        )
        low, high = effect.hdi(HDI_PROB)
        ate = {
            "ate_mean": effect.mean(),
            "ate_sd": effect.sd(),
            "ate_hdi_low": low,
            "ate_hdi_high": high,
            "p_ate_negative": effect.prob(lambda d: d < 0),
        }
    params = _parameter_table(fit.summary(hdi_prob=HDI_PROB), COATING_TRUTH)
    seconds["total"] = time.perf_counter() - start
    d = fit.diagnostics
    return {
        "story": "paint coating (story 1)",
        "dag": scm.dag.to_edge_string(),
        "n": n,
        "seed": seed,
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "sampler": fit.sampler,
        "blocks": [[b.name, b.sampler] for b in fit.blocks],
        "hdi_prob": HDI_PROB,
        "estimand": effect.description,
        "true_ate": COATING_TRUTH["coating.dilution"],
        **ate,
        "params": params,
        "divergences": d.divergences,
        "rhat_max": d.rhat_max,
        "ess_bulk_min": d.ess_bulk_min,
        "problems": d.problems(),
        "seconds": seconds,
    }


@contextlib.contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    seconds[stage] = time.perf_counter() - start


def _parameter_table(summary, truth: dict[str, float]) -> dict[str, dict[str, Any]]:
    """One entry per parameter of the summary, with its true value and whether the HDI covers it."""
    table = {}
    for name, row in summary.iterrows():
        true = truth.get(name)
        low, high = float(row["hdi_low"]), float(row["hdi_high"])
        table[name] = {
            "true": true,
            "mean": float(row["mean"]),
            "sd": float(row["sd"]),
            "hdi_low": low,
            "hdi_high": high,
            "covered": None if true is None else bool(low <= true <= high),
            "r_hat": float(row["r_hat"]),
            "ess_bulk": float(row["ess_bulk"]),
        }
    return table


def _json_safe(value: Any) -> Any:
    """NaN and infinities become null: the output is strict JSON."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# -- text report ---------------------------------------------------------------
def format_report(result: dict[str, Any]) -> str:
    """The demo's result as a readable text report.

    Examples
    --------
    >>> print(format_report(run_demo(n=300, draws=200, tune=200, chains=2)))  # doctest: +SKIP
    """
    sections = [
        _header(result),
        _parameters_section(result),
        _ate_section(result),
        _diagnostics_section(result),
        _timings_section(result),
    ]
    return "\n\n".join(sections)


def _header(r: dict[str, Any]) -> str:
    title = f"causalbayes demo: {r['story']}"
    return "\n".join(
        [
            title,
            "=" * len(title),
            f"DAG:      {r['dag']}",
            f"data:     {r['n']} units simulated with the true parameters (seed {r['seed']})",
            f"sampler:  {_sampler_text(r)}, {r['chains']} chains x {r['draws']} draws after {r['tune']} tuning steps",
        ]
    )


def _sampler_text(r: dict[str, Any]) -> str:
    name = r.get("sampler", "pymc")
    if name == "advi":
        return "ADVI (approximate)"
    blocks = r.get("blocks") or []
    exact = [block for block, sampler in blocks if sampler == "exact"]
    if not exact:
        return f"{name} NUTS"
    mcmc = [f"{sampler} NUTS for {block}" for block, sampler in blocks if sampler != "exact"]
    return "; ".join([f"exact draws for {', '.join(exact)}", *mcmc])


def _number(value: float | None, fmt: str = ".3f") -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else format(value, fmt)
    )


def _parameters_section(r: dict[str, Any]) -> str:
    width = max(len("parameter"), *(len(name) for name in r["params"]))
    hdi = f"{r['hdi_prob']:.0%} HDI"
    head = f"{'parameter':<{width}}  {'true':>8}  {'mean':>8}  {hdi + ' low':>12}  {hdi + ' high':>13}  covered"
    lines = [f"Parameters (posterior vs truth, {hdi})", head, "-" * len(head)]
    for name, p in r["params"].items():
        covered = {True: "yes", False: "NO", None: "-"}[p["covered"]]
        lines.append(
            f"{name:<{width}}  {_number(p['true']):>8}  {_number(p['mean']):>8}  {_number(p['hdi_low']):>12}  {_number(p['hdi_high']):>13}  {covered}"
        )
    covered = sum(1 for p in r["params"].values() if p["covered"])
    lines.append(f"{covered} of {len(r['params'])} true values inside their {hdi}")
    return "\n".join(lines)


def _ate_section(r: dict[str, Any]) -> str:
    inside = r["ate_hdi_low"] <= r["true_ate"] <= r["ate_hdi_high"]
    return "\n".join(
        [
            f"ATE: {r['estimand']}",
            f"  true           {_number(r['true_ate'])}",
            f"  posterior mean {_number(r['ate_mean'])}  (sd {_number(r['ate_sd'])})",
            f"  {r['hdi_prob']:.0%} HDI        [{_number(r['ate_hdi_low'])}, {_number(r['ate_hdi_high'])}]  ({'covers' if inside else 'MISSES'} the truth)",
            f"  P(ATE < 0)     {_number(r['p_ate_negative'])}",
        ]
    )


def _diagnostics_section(r: dict[str, Any]) -> str:
    lines = [
        "Diagnostics",
        f"  divergences    {r['divergences']}",
        f"  max R-hat      {_number(r['rhat_max'])}",
        f"  min bulk ESS   {_number(r['ess_bulk_min'], '.0f')}",
    ]
    lines += [f"  warning: {problem}" for problem in r["problems"]] or ["  no problems found"]
    return "\n".join(lines)


def _timings_section(r: dict[str, Any]) -> str:
    lines = ["Timings (seconds)"]
    lines += [f"  {stage:<9}{_number(s, '.2f'):>8}" for stage, s in r["seconds"].items()]
    return "\n".join(lines)


__all__ = ["build_parser", "format_report", "interactive", "main", "run_demo"]
