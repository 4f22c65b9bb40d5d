"""Refutation checks as one call: refit changed models or data, compare with what must hold.

Each check (see :mod:`causalbayes.sensitivity._checks`) refits the SCM once and reads the
ATE's posterior; the verdict compares it with the expected result:

- ``"zero"`` (placebos, dummy outcome, negative controls): pass when the ``prob``
  equal-tailed interval includes 0;
- ``"unchanged"`` (random common cause, subset): pass when the posterior mean moved by
  less than the change that sampling alone explains: ``0.5 sd`` for an added noise
  column, ``z sd sqrt(1/f - 1 + 0.01)`` for a subset of fraction ``f`` (its estimate
  differs from the full data's by ``sd sqrt(1/f - 1)``; 0.01 for Monte Carlo error).

A refit whose sampler diagnostics fail gives "inconclusive", never a pass. Checks run
in-process (``workers=1``) or in parallel on a fork-server process pool, each seeded
from ``SeedSequence(random_seed, spawn_key=(i,))``, so results do not depend on workers.
What the checks can and cannot see is in ``docs/sensitivity.md``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from causalbayes.errors import DataError, QueryError
from causalbayes.estimands.averages import ATE
from causalbayes.estimands.query import evaluate
from causalbayes.inference.sampling import fit as fit_scm
from causalbayes.sensitivity import _checks
from causalbayes.sensitivity.refutations import Refutation, Refutations

DEFAULT_CHECKS = ("placebo", "placebo_propensity", "random_common_cause", "subset", "dummy_outcome")
# 2 chains x 500 draws trip R-hat > 1.01 by chance now and then (inconclusive checks)
FIT_DEFAULTS = {"draws": 1000, "tune": 1000, "chains": 2}


def refute(
    fit,
    treatment: str,
    outcome: str,
    *,
    data: pd.DataFrame | None = None,
    checks: Sequence[str] = DEFAULT_CHECKS,
    negative_control_outcome: str | None = None,
    negative_control_exposure: str | None = None,
    covariates: Sequence[str] = (),
    values: Sequence[Any] | None = None,
    prob: float = 0.95,
    subset_fraction: float = 0.8,
    workers: int = 1,
    executor: Any = None,
    random_seed: int | None = None,
    fit_options: dict | None = None,
) -> Refutations:
    """Run refutation checks on a fitted effect; each refits the SCM once.

    Parameters
    ----------
    fit : Fit
    treatment, outcome : str
    data : pandas.DataFrame, optional
        The fit's data with the extra columns named below (a fit keeps only the columns
        its SCM uses); its SCM columns must equal the fit's. Default: ``fit.data``.
    checks : sequence of str
        Among ``"placebo"`` (treatment permuted), ``"placebo_propensity"`` (treatment
        redrawn from its regression on the pre-treatment columns), ``"random_common_cause"``,
        ``"subset"`` and ``"dummy_outcome"`` (outcome redrawn from the pre-treatment
        columns, the treatment's term removed).
    negative_control_outcome, negative_control_exposure : str, optional
        A data column the treatment does not affect / that does not affect the outcome,
        but that shares the treatment's confounders; not a node of the SCM.
    covariates : sequence of str
        Extra pre-treatment data columns (not in the SCM) that placebos and dummy outcomes
        are built from, so that leaving them out of the model shows.
    values : (a, b), optional
        Treatment values, as in :func:`causalbayes.ate`.
    prob : float
        Mass of the equal-tailed intervals.
    subset_fraction : float
    workers : int
        1: in this process; more: a fork-server process pool of that size.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the checks instead (as ``cb.recover``'s ``executor=``); ``workers`` is then
        ignored.
    random_seed : int, optional
    fit_options : dict, optional
        Passed to :func:`causalbayes.fit` (default ``draws=1000, tune=1000, chains=2``).

    Returns
    -------
    Refutations

    Examples
    --------
    Each check is an MCMC refit (here one check, short chains):

    >>> from causalbayes.testing import example_fit
    >>> r = refute(example_fit(), "dilution", "coating", checks=["dummy_outcome"],
    ...            fit_options=dict(draws=100, tune=100, chains=1), random_seed=1)
    >>> list(r.table().index)
    ['dummy_outcome']

    The options are checked before anything is refitted:

    >>> from causalbayes.testing import example_fit
    >>> from causalbayes.errors import QueryError
    >>> try:
    ...     refute(example_fit(), "dilution", "coating", checks=["bootstrap"])
    ... except QueryError as err:
    ...     print(str(err)[:45])
    unknown checks ['bootstrap']; choose among ['
    """
    unknown = [c for c in checks if c not in _checks.BUILDERS]
    if unknown:
        raise QueryError(f"unknown checks {unknown}; choose among {list(_checks.BUILDERS)}")
    if not 0 < subset_fraction < 1:
        raise QueryError(f"subset_fraction must lie in (0, 1), got {subset_fraction!r}")
    if not isinstance(workers, int) or workers < 1:
        raise QueryError(f"workers must be a positive integer, got {workers!r}")
    effect = evaluate(ATE(treatment, outcome, values=values), fit, diagnostics="warn")
    values = tuple(effect.details["values"])
    options = {**FIT_DEFAULTS, **(fit_options or {})}
    pooled = workers > 1 or executor is not None
    if pooled and "cores" not in options:
        options["cores"] = 1  # one process per check, its chains one after another
    scm = fit.scm
    data = fit.data if data is None else _same_rows(fit.data, data)
    builders = [(name, _builder(name, subset_fraction)) for name in checks]
    if negative_control_outcome is not None:
        builders.append(("negative_control_outcome", None))
    if negative_control_exposure is not None:
        builders.append(("negative_control_exposure", None))
    # One child seed per check, split into its data seed and its sampler seed.
    children = np.random.SeedSequence(random_seed).spawn(len(builders))
    tasks = []
    for (name, build), child in zip(builders, children, strict=True):
        data_seed, fit_seed = child.spawn(2)
        if name == "negative_control_outcome":
            job = _checks.negative_control_outcome(
                scm, data, treatment, outcome, values, negative_control_outcome
            )
        elif name == "negative_control_exposure":
            job = _checks.negative_control_exposure(
                scm, data, treatment, outcome, negative_control_exposure
            )
        else:
            rng = np.random.default_rng(data_seed)
            job = build(scm, data, treatment, outcome, values, rng, tuple(covariates))
        tasks.append((job, options, int(fit_seed.generate_state(1)[0] % 2**31)))
    jobs = [task[0] for task in tasks]
    outputs = _execute(tasks, workers, executor)
    mean, sd = effect.mean(), effect.sd()
    results = tuple(
        _verdict(job, out, mean, sd, prob) for job, out in zip(jobs, outputs, strict=True)
    )
    return Refutations(treatment, outcome, mean, sd, prob, results)


def _same_rows(used: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """``data`` after checking that it holds the fit's rows and columns unchanged."""
    missing = [c for c in used.columns if c not in data.columns]
    if missing or len(data) != len(used):
        raise DataError(
            f"data must be the fit's data ({len(used)} rows, columns {list(used.columns)}) "
            f"plus extra columns; got {len(data)} rows, missing {missing}"
        )
    same = data[list(used.columns)].reset_index(drop=True).equals(used.reset_index(drop=True))
    if not same:
        raise DataError("data's values differ from the fit's data in the SCM's columns")
    return data.reset_index(drop=True)


def _builder(name: str, fraction: float):
    if name == "subset":
        return lambda *args: _checks.subset(*args, fraction=fraction)
    return _checks.BUILDERS[name]


def _execute(tasks, workers: int, executor: Any = None) -> list[dict]:
    """Each task's output, in order: in-process, on a fork-server pool, or on ``executor``."""
    if executor is None and workers == 1:
        return [run_job(*task) for task in tasks]
    import multiprocessing as mp
    from concurrent.futures import Executor, ProcessPoolExecutor

    if executor is None:
        # fork-server: forking a process that runs numba/JAX/BLAS threads can deadlock.
        context = mp.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
            return list(pool.map(run_job, *zip(*tasks, strict=True)))
    if hasattr(executor, "get_executor"):  # a dask.distributed Client
        executor = executor.get_executor()
    if not isinstance(executor, Executor):
        raise QueryError(
            "executor must be a concurrent.futures.Executor or a dask.distributed.Client, "
            f"got {type(executor).__name__}"
        )
    futures = [executor.submit(run_job, *task) for task in tasks]
    return [future.result() for future in futures]


def run_job(job: _checks.Job, options: dict, seed: int) -> dict:
    """Refit ``job.scm`` on ``job.data`` and return the ATE draws (a pure function of its input)."""
    start = time.perf_counter()
    # warn=False: failed diagnostics make the check "inconclusive" (below), not a warning
    refit = fit_scm(job.scm, job.data, random_seed=seed, warn=False, **options)
    # Diagnostics are judged below (inconclusive); the refit models adjust for what the
    # original does, so identification is that of the original query.
    query = ATE(job.treatment, job.outcome, values=job.values)
    effect = evaluate(query, refit, diagnostics="ignore", identification="ignore")
    return {
        "draws": effect.draws.values.ravel().copy(),
        "ok": bool(refit.diagnostics.ok),
        "seconds": time.perf_counter() - start,
    }


def _verdict(job: _checks.Job, out: dict, mean: float, sd: float, prob: float) -> Refutation:
    draws = out["draws"]
    tail = (1 - prob) / 2
    lo, hi = np.quantile(draws, [tail, 1 - tail])
    if job.expected == "zero":
        expected_value, ok = 0.0, bool(lo <= 0 <= hi)
        reason = f"{prob:.0%} interval [{lo:.3g}, {hi:.3g}] " + (
            "includes 0" if ok else "excludes 0"
        )
    else:
        expected_value = mean
        z = stats.norm.ppf(0.5 + prob / 2)
        # a subset's estimate differs from the full data's by sd sqrt(1/f - 1) by sampling
        spread = np.sqrt(1 / job.fraction - 1 + 0.01) if job.check == "subset" else 0.5 / z
        tol = z * sd * spread
        shift = float(draws.mean() - mean)
        ok = abs(shift) <= tol
        reason = f"mean moved by {shift:.3g} ({'within' if ok else 'beyond'} {tol:.3g})"
    verdict = "pass" if ok else "fail"
    if not out["ok"]:
        verdict, reason = "inconclusive", "refit failed its sampler diagnostics; " + reason
    return Refutation(
        job.check,
        job.note,
        job.expected,
        expected_value,
        draws,
        verdict,
        f"{job.note}: {reason}",
        out["seconds"],
    )
