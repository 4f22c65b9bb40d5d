"""Results of recovery and SBC studies: tidy tables, summaries, verdicts, plots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from causalbayes.recovery import plots
from causalbayes.recovery.calibration import coverage_pvalue, uniformity_pvalue

#: Family-wise error rate of the checks behind a verdict (Holm over all tests).
ALPHA = 0.01
#: Fits with an R-hat above this did not converge: a verdict resting on them is unreliable.
RHAT_UNRELIABLE = 1.1
_TOLERANCE = 1e-9  # relative: widths and distances below it are rounding


@dataclass(frozen=True)
class _StudyResult:
    """Per-simulation records of a study, as tables.

    Attributes
    ----------
    table : DataFrame
        One row per simulation and quantity: ``truth``, posterior ``mean`` and
        ``sd``, central intervals ``lower_<level>``/``upper_<level>`` and
        ``covered_<level>``, ``z = (mean - truth) / sd``, the ``rank`` of the
        truth among ``max_rank`` thinned draws, ``prior_sd`` and
        ``contraction = 1 - sd² / prior_sd²``.
    sims : DataFrame
        One row per simulation: seconds, divergences, max R-hat, min bulk ESS.
    levels : tuple of float
    max_rank : int
    identification : dict
        Query label -> True/False (identified by the fitted model's graph).
    settings : dict
        n, sims, seed, sampler settings, study key.
    """

    table: pd.DataFrame
    sims: pd.DataFrame
    levels: tuple[float, ...]
    max_rank: int
    identification: dict[str, bool | None] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: Sequence[dict], levels, max_rank, identification, settings):
        rows = []
        for record in records:
            for q in record["quantities"]:
                row = {k: q[k] for k in ("quantity", "kind", "truth", "mean", "sd", "rank")}
                row["sim"] = record["sim"]
                row["prior_sd"] = np.nan if q["prior_sd"] is None else q["prior_sd"]
                for level, (lo, hi) in zip(levels, q["intervals"], strict=True):
                    row[f"lower_{_pct(level)}"], row[f"upper_{_pct(level)}"] = lo, hi
                rows.append(row)
        table = pd.DataFrame(rows)
        # a posterior (or prior) of zero width, e.g. a counterfactual that sets a unit's own
        # observed value: z and contraction are undefined, not rounding noise
        tol = _TOLERANCE * np.maximum(1.0, table["truth"].abs())
        sd = table["sd"].where(table["sd"] > tol)
        prior_sd = table["prior_sd"].where(table["prior_sd"] > tol)
        table["z"] = (table["mean"] - table["truth"]) / sd
        table["contraction"] = 1 - sd**2 / prior_sd**2
        for level in levels:
            p = _pct(level)
            table[f"covered_{p}"] = (table[f"lower_{p}"] - tol <= table["truth"]) & (
                table["truth"] <= table[f"upper_{p}"] + tol
            )
        first = ["sim", "quantity", "kind"]
        table = table[first + [c for c in table.columns if c not in first]]
        sims = pd.DataFrame(
            [
                {k: r[k] for k in ("sim", "seconds", "divergences", "rhat_max", "ess_bulk_min")}
                for r in records
            ]
        ).set_index("sim")
        return cls(table, sims, tuple(levels), max_rank, dict(identification), dict(settings))

    @property
    def quantities(self) -> list[str]:
        return list(dict.fromkeys(self.table["quantity"]))

    def _grouped(self):
        return self.table.groupby("quantity", sort=False)

    def _identified_column(self) -> pd.Series:
        def verdict(quantity: str):
            for label, identified in self.identification.items():
                if quantity == label or quantity.startswith(label + "["):
                    return identified
            return None  # a parameter

        return pd.Series({q: verdict(q) for q in self.quantities}, dtype=object)

    def _diagnostics_note(self) -> str:
        bad = self.sims[(self.sims["divergences"] > 0) | (self.sims["rhat_max"] > 1.01)]
        if bad.empty:
            return ""
        return (
            f" {len(bad)} of {len(self.sims)} fits had divergences or R-hat > 1.01 "
            f"(simulations {bad.index.tolist()[:10]}); see .sims."
        )

    def _reliability_prefix(self) -> str:
        stuck = int((self.sims["rhat_max"] > RHAT_UNRELIABLE).sum())
        if not stuck:
            return ""
        return (
            f"Unreliable: {stuck} of {len(self.sims)} fits did not converge (R-hat > "
            f"{RHAT_UNRELIABLE}), so their intervals and ranks say little about calibration. "
        )

    def plot(self, kind: str = "estimates", *, quantities: Sequence[str] | None = None):
        """``"estimates"``: estimate and interval vs truth; ``"coverage"``: coverage vs
        nominal with its binomial band; ``"ecdf"``/``"ranks"``: SBC rank ECDF
        differences with simultaneous bands / rank histograms; ``"contraction"``:
        z-score vs posterior contraction.  Returns the matplotlib Figure."""
        chosen = list(quantities) if quantities is not None else self.quantities
        unknown = [q for q in chosen if q not in self.quantities]
        if unknown:
            raise ValueError(f"unknown quantities {unknown}; choose from {self.quantities}")
        table = self.table[self.table["quantity"].isin(chosen)]
        drawers = {
            "estimates": lambda: plots.estimates(table, chosen, self.levels),
            "coverage": lambda: plots.coverage(table, chosen, self.levels),
            "ecdf": lambda: plots.rank_ecdf(table, chosen, self.max_rank),
            "ranks": lambda: plots.rank_histograms(table, chosen, self.max_rank),
            "contraction": lambda: plots.contraction(table, chosen),
        }
        if kind not in drawers:
            raise ValueError(f"kind must be one of {list(drawers)}, got {kind!r}")
        return drawers[kind]()


@dataclass(frozen=True)
class RecoveryResult(_StudyResult):
    """Fixed-truth recovery: does the pipeline give back the truth it simulated?

    ``summary()`` per quantity: bias, RMSE, z-scores, coverage at each level
    and contraction; ``flagged`` lists quantities whose interval coverage is
    incompatible with the nominal levels (two-sided binomial tests, Holm
    corrected over all quantities and levels at ``ALPHA``).

    Examples
    --------
    A study whose "fits" are prior draws (no MCMC; see
    :func:`causalbayes.testing.prior_fitter`), to show the result:

    >>> import causalbayes as cb
    >>> from causalbayes.testing import prior_fitter
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> truth = {"x.intercept": 0.0, "x.sigma": 1.0, "y.intercept": 0.0, "y.x": 1.0, "y.sigma": 1.0}
    >>> result = cb.recover(scm, truth, n=20, sims=2, queries=[cb.ATE("x", "y", values=(1.0, 0.0))],
    ...                     fitter=prior_fitter, workers=1, progressbar=False, random_seed=1)
    >>> result
    RecoveryResult(2 simulations, 6 quantities): Recovered: coverage of all 6 quantities is compatible with the nominal levels in 2 simulations.
    >>> result.summary().columns.tolist()
    ['kind', 'truth', 'mean', 'bias', 'rmse', 'z_mean', 'z_sd', 'coverage_50', 'coverage_80', 'coverage_94', 'contraction', 'p_coverage', 'flagged', 'identified']
    >>> result.table.shape  # one row per simulation and quantity
    (12, 19)
    """

    def summary(self) -> pd.DataFrame:
        rows = {}
        tests = {}
        for quantity, g in self._grouped():
            error = g["mean"] - g["truth"]
            row = {
                "kind": g["kind"].iloc[0],
                "truth": g["truth"].mean(),
                "mean": g["mean"].mean(),
                "bias": error.mean(),
                "rmse": float(np.sqrt(np.mean(error**2))),
                "z_mean": g["z"].mean(),
                "z_sd": g["z"].std(),
            }
            for level in self.levels:
                p = _pct(level)
                covered = int(g[f"covered_{p}"].sum())
                row[f"coverage_{p}"] = covered / len(g)
                tests[(quantity, level)] = coverage_pvalue(covered, len(g), level)
            row["contraction"] = g["contraction"].mean()
            rows[quantity] = row
        out = pd.DataFrame.from_dict(rows, orient="index")
        adjusted = _holm(tests)
        out["p_coverage"] = [min(adjusted[(q, level)] for level in self.levels) for q in out.index]
        out["flagged"] = out["p_coverage"] < ALPHA
        out["identified"] = self._identified_column()
        out.index.name = "quantity"
        return out

    @property
    def flagged(self) -> list[str]:
        summary = self.summary()
        return summary.index[summary["flagged"]].tolist()

    def verdict(self) -> str:
        """One sentence: which quantities, if any, the pipeline fails to recover."""
        s = self.summary()
        n = len(self.sims)
        if self.flagged:
            worst = ", ".join(
                f"{q} ({s.loc[q, f'coverage_{_pct(self.levels[-1])}']:.0%} covered)"
                for q in self.flagged
            )
            text = (
                f"Not recovered in {n} simulations: {worst} — interval coverage far from the "
                f"nominal {', '.join(f'{lvl:.0%}' for lvl in self.levels)}."
            )
        else:
            text = (
                f"Recovered: coverage of all {len(s)} quantities is compatible with the nominal "
                f"levels in {n} simulations."
            )
        return self._reliability_prefix() + text + self._diagnostics_note()

    def __repr__(self) -> str:
        return f"RecoveryResult({len(self.sims)} simulations, {len(self.quantities)} quantities): {self.verdict()}"


@dataclass(frozen=True)
class SBCResult(_StudyResult):
    """Simulation-based calibration: ranks of true values drawn from the prior.

    Under a correct pipeline each quantity's rank is uniform on
    ``0..max_rank``.  ``summary()`` gives the uniformity test's p-value (the
    ECDF test of Säilynoja et al. 2022; Holm-adjusted over quantities),
    contraction and z-scores; ``miscalibrated`` names the quantities whose
    uniformity is rejected at ``ALPHA``.

    Examples
    --------
    A study whose "fits" are prior draws (no MCMC; see
    :func:`causalbayes.testing.prior_fitter`): calibrated, but the data inform nothing:

    >>> import causalbayes as cb
    >>> from causalbayes.testing import prior_fitter
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> result = cb.sbc(scm, n=20, sims=3, thin_to=9, fitter=prior_fitter, workers=1,
    ...                 progressbar=False, random_seed=1)
    >>> result.miscalibrated
    []
    >>> print(result.verdict())
    Calibrated: rank uniformity not rejected for any of 5 quantities in 3 simulations. Barely informed by the data (contraction < 0.1, the posterior stays near the prior): y.intercept, y.x, y.sigma.
    """

    def summary(self) -> pd.DataFrame:
        rows = {}
        seed = int(self.settings.get("seed", 0)) % 2**32
        for quantity, g in self._grouped():
            rows[quantity] = {
                "kind": g["kind"].iloc[0],
                "p_uniform": uniformity_pvalue(g["rank"].to_numpy(), self.max_rank, seed=seed),
                "chi2_p": _chi2_pvalue(g["rank"].to_numpy(), self.max_rank),
                "contraction": g["contraction"].mean(),
                "z_mean": g["z"].mean(),
                "z_sd": g["z"].std(),
                **{
                    f"coverage_{_pct(lvl)}": g[f"covered_{_pct(lvl)}"].mean() for lvl in self.levels
                },
            }
        out = pd.DataFrame.from_dict(rows, orient="index")
        adjusted = _holm(dict(out["p_uniform"]))
        out["p_adjusted"] = [adjusted[q] for q in out.index]
        out["miscalibrated"] = out["p_adjusted"] < ALPHA
        out["identified"] = self._identified_column()
        out.index.name = "quantity"
        return out

    @property
    def miscalibrated(self) -> list[str]:
        summary = self.summary()
        return summary.index[summary["miscalibrated"]].tolist()

    def verdict(self) -> str:
        """One sentence naming the miscalibrated quantities, and those the data barely inform."""
        s = self.summary()
        n = len(self.sims)
        bad = self.miscalibrated
        if bad:
            text = f"Miscalibrated in {n} simulations (rank uniformity rejected): {', '.join(bad)}."
        else:
            text = f"Calibrated: rank uniformity not rejected for any of {len(s)} quantities in {n} simulations."
        weak = s.index[s["contraction"] < 0.1].tolist()
        if weak:
            text += (
                f" Barely informed by the data (contraction < 0.1, the posterior stays near "
                f"the prior): {', '.join(weak)}."
            )
        return self._reliability_prefix() + text + self._diagnostics_note()

    def __repr__(self) -> str:
        return f"SBCResult({len(self.sims)} simulations, {len(self.quantities)} quantities): {self.verdict()}"


def _holm(pvalues: dict) -> dict:
    """Holm-adjusted p-values (monotone, capped at 1)."""
    keys = sorted(pvalues, key=lambda k: pvalues[k])
    m, running, out = len(keys), 0.0, {}
    for i, key in enumerate(keys):
        running = max(running, min(1.0, (m - i) * pvalues[key]))
        out[key] = running
    return out


def _chi2_pvalue(ranks: np.ndarray, max_rank: int, bins: int = 10) -> float:
    """Chi-square test of the rank histogram in ``bins`` equal bins (a second opinion)."""
    bins = min(bins, max_rank + 1, max(2, len(ranks) // 5))
    edges = np.linspace(0, max_rank + 1, bins + 1)
    observed = np.histogram(ranks, bins=edges)[0]
    widths = np.diff(np.ceil(edges))
    expected = len(ranks) * widths / widths.sum()
    return float(stats.chisquare(observed, expected).pvalue)


def _pct(level: float) -> str:
    return f"{round(level * 100):d}"
