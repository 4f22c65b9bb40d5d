"""An assumptions report: everything an effect rests on, in one table, one text, one figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.estimands.averages import ATE
from causalbayes.estimands.query import evaluate
from causalbayes.identification import check_implications, identify
from causalbayes.sensitivity.bayes import bayesian_sensitivity
from causalbayes.sensitivity.overlap import overlap
from causalbayes.sensitivity.refutations import Refutations
from causalbayes.sensitivity.refute import refute


@dataclass(frozen=True)
class AssumptionsReport:
    """Identification, tested implications, overlap, diagnostics, refutations, sensitivity.

    Attributes
    ----------
    treatment, outcome : str
    effect : Effect
        The ATE the report is about.
    identification : Identification
    implications : ImplicationTests or None
    overlap : Overlap
    refutations : Refutations or None
        None when not run (they refit the model).
    sensitivity : BayesSensitivity or None
        None when the outcome is not linear-Gaussian in the treatment.
    rows : tuple of (check, verdict, detail)

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> report = assumptions_report(example_fit(), "dilution", "coating")
    >>> report.table()["verdict"].to_dict()["identification"]
    'pass'
    """

    treatment: str
    outcome: str
    effect: Any
    identification: Any
    implications: Any
    overlap: Any
    refutations: Any
    sensitivity: Any
    rows: tuple[tuple[str, str, str], ...]

    def table(self) -> pd.DataFrame:
        """One row per assumption: ``verdict`` (pass / fail / ...) and ``detail``."""
        return pd.DataFrame(list(self.rows), columns=["check", "verdict", "detail"]).set_index(
            "check"
        )

    def summary(self) -> str:
        lo, hi = np.quantile(self.effect.draws.values.ravel(), [0.025, 0.975])
        head = (
            f"Assumptions behind {self.effect.description}: posterior mean "
            f"{self.effect.mean():.4g}, 95% interval [{lo:.4g}, {hi:.4g}]."
        )
        body = [f"- {check}: {verdict.upper()}. {detail}" for check, verdict, detail in self.rows]
        return "\n".join([head, *body])

    def plot(self):
        """Four panels: the effect, overlap, sensitivity contour, refutations; returns the Figure."""
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(2, 2, figsize=(11, 8))
        self.effect.plot(ax=axes[0, 0])
        self.overlap.plot(ax=axes[0, 1])
        if self.sensitivity is not None:
            self.sensitivity.plot("contour", ax=axes[1, 0])
        else:
            _empty(axes[1, 0], "sensitivity: needs a linear-Gaussian outcome\n(latent_sensitivity)")
        if self.refutations is not None:
            self.refutations.plot(ax=axes[1, 1])
        else:
            _empty(axes[1, 1], "refutations not run\n(refutations=True or a Refutations)")
        fig.suptitle(f"Assumptions: effect of {self.treatment} on {self.outcome}")
        fig.tight_layout()
        return fig


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=9)
    ax.set_axis_off()


def assumptions_report(
    fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    benchmarks: Sequence[str] = (),
    kd: float | Sequence[float] = 1.0,
    refutations: Any = None,
    refute_options: dict | None = None,
    alpha: float = 0.05,
) -> AssumptionsReport:
    """Gather what the effect of ``treatment`` on ``outcome`` rests on into one report.

    Parameters
    ----------
    fit : Fit
    treatment, outcome : str
    values : (a, b), optional
        Treatment values, as in :func:`causalbayes.ate`.
    benchmarks, kd :
        Outcome parents that bound a latent confounder's strength (see
        :func:`~causalbayes.sensitivity.bayes.bayesian_sensitivity`); the sensitivity
        verdict fails when a confounder as strong as a benchmark brings the effect's 95%
        interval to zero.
    refutations : Refutations, True or None
        A result of :func:`~causalbayes.sensitivity.refute.refute`, True to run it here
        (with ``refute_options``), or None to leave it out (it refits the model).
    alpha : float
        Level of the tests of the graph's implications.

    Examples
    --------
    Story 1 (draws near the truth, no MCMC); refutations refit, so they are left out here:

    >>> from causalbayes.testing import example_fit
    >>> report = assumptions_report(example_fit(), "dilution", "coating", benchmarks=["humid"])
    >>> report.table()["verdict"].to_dict()
    {'identification': 'pass', 'implications': 'untested', 'overlap': 'pass', 'diagnostics': 'pass', 'refutations': 'not run', 'sensitivity': 'pass'}
    >>> fig = report.plot()  # four panels: effect, overlap, sensitivity, refutations
    """
    ident = identify(fit.scm, treatment, outcome)
    effect = evaluate(ATE(treatment, outcome, values=values), fit, diagnostics="warn")
    rows = [_identification_row(ident)]
    implications = check_implications(fit.scm, fit.data, alpha=alpha)
    n_tested = len(implications.table) - len(implications.untestable)
    verdict = "untested" if not n_tested else ("pass" if implications.consistent else "fail")
    rows.append(("implications", verdict, implications.summary() + _given_note(fit, implications)))
    ov = overlap(fit, treatment, outcome)
    rows.append(("overlap", ov.verdict, ov.reason + f" (propensity: {ov.source})"))
    d = fit.diagnostics
    detail = f"{d.divergences} divergences, max R-hat {d.rhat_max:.3f}, "
    detail += f"min bulk ESS {d.ess_bulk_min:.0f}"
    rows.append(("diagnostics", "pass" if d.ok else "fail", detail))
    if refutations is True:
        refutations = refute(fit, treatment, outcome, values=values, **(refute_options or {}))
    if refutations is not None and not isinstance(refutations, Refutations):
        raise QueryError(f"refutations must be a Refutations, True or None, got {refutations!r}")
    if refutations is None:
        rows.append(("refutations", "not run", "pass refutations=True to refit and check"))
    else:
        rows.append(_refutations_row(refutations))
    sens = None
    try:
        sens = bayesian_sensitivity(
            fit, treatment, outcome, values=values, benchmarks=benchmarks, kd=kd
        )
    except QueryError as err:
        rows.append(("sensitivity", "not available", str(err)))
    if sens is not None:
        rows.append(_sensitivity_row(sens))
    return AssumptionsReport(
        treatment, outcome, effect, ident, implications, ov, refutations, sens, tuple(rows)
    )


def _given_note(fit, implications) -> str:
    """Rejections only among given nodes (data, not modelled) leave every mechanism intact."""
    rejected = implications.table[implications.table["rejected"]]
    if rejected.empty:
        return ""
    given = {n for n, node in fit.scm.nodes.items() if node.is_given}
    cols = [set(r.given or ()) | {r.x, r.y} for r in rejected.itertuples()]
    if all(c <= given for c in cols):
        return (
            " All rejected statements are among given nodes (conditioned on, not modelled):"
            " they say the graph misses edges or common causes among covariates, which the"
            " adjustment does not need."
        )
    return ""


def _refutations_row(refutations) -> tuple[str, str, str]:
    results = refutations.results
    failed = [r.check for r in results if r.verdict == "fail"]
    unsure = [r.check for r in results if r.verdict == "inconclusive"]
    detail = f"{len(results) - len(failed) - len(unsure)} of {len(results)} passed"
    detail += f"; failed: {failed}" if failed else ""
    detail += f"; inconclusive (refit diagnostics): {unsure}" if unsure else ""
    verdict = "fail" if failed else ("inconclusive" if unsure else "pass")
    return ("refutations", verdict, detail)


def _identification_row(ident) -> tuple[str, str, str]:
    if ident.identified:
        adj = ident.adjustment_set
        detail = f"by {ident.criterion}" + (
            f", adjusting for {set(adj) or '{}'}" if adj is not None else ""
        )
        return ("identification", "pass", detail + f": {ident.estimand}")
    return ("identification", "fail", str(ident.reason))


def _sensitivity_row(sens) -> tuple[str, str, str]:
    rv = sens.robustness_value()
    detail = (
        f"a latent confounder explaining {rv:.1%} of the residual variance of both "
        "treatment and outcome brings the 95% interval to 0"
    )
    if sens.benchmarks.empty:
        return ("sensitivity", "info", detail + " (no benchmark given)")
    table = sens.at_benchmarks()
    # reached: the interval includes 0, or the whole posterior crossed to the other sign
    side = np.sign(sens.effect.mean())
    reached = table[
        (table["lower"] <= 0) & (table["upper"] >= 0) | (np.sign(table["mean"]) != side)
    ]
    marks = "; ".join(
        f"as strong as {r.bound_label}: [{r.lower:.3g}, {r.upper:.3g}]" for r in table.itertuples()
    )
    verdict = "fail" if len(reached) else "pass"
    return ("sensitivity", verdict, f"{detail}; {marks}")
