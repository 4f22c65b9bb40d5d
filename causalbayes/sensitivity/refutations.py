"""Results of :func:`~causalbayes.sensitivity.refute.refute`: one per check, and all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Refutation:
    """One check: what it changed, what must hold, the posterior it gave and the verdict.

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.random.default_rng(0).normal(0.02, 0.1, size=1000)
    >>> r = Refutation("placebo", "treatment permuted", "zero", 0.0, draws, "pass", "ok", 1.5)
    >>> r.row(0.95)["verdict"], round(r.row(0.95)["lower"], 2)
    ('pass', -0.17)
    """

    check: str
    note: str
    expected: str
    expected_value: float
    draws: np.ndarray
    verdict: str  # "pass", "fail" or "inconclusive"
    reason: str
    seconds: float

    def row(self, prob: float) -> dict[str, Any]:
        tail = (1 - prob) / 2
        lo, hi = np.quantile(self.draws, [tail, 1 - tail])
        return {
            "check": self.check,
            "expected": self.expected,
            "expected_value": self.expected_value,
            "mean": float(self.draws.mean()),
            "sd": float(self.draws.std()),
            "lower": float(lo),
            "upper": float(hi),
            "verdict": self.verdict,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Refutations:
    """All checks of one effect; ``table()``, ``summary()``, ``plot()``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ok = Refutation("placebo", "permuted", "zero", 0.0, rng.normal(0, 0.1, 500), "pass",
    ...                 "includes 0", 1.0)
    >>> bad = Refutation("dummy_outcome", "redrawn", "zero", 0.0, rng.normal(0.5, 0.1, 500),
    ...                  "fail", "excludes 0", 1.0)
    >>> r = Refutations("t", "y", 1.0, 0.1, 0.95, (ok, bad))
    >>> r.passed, list(r.table()["verdict"])
    (False, ['pass', 'fail'])
    >>> print(r.summary().splitlines()[0])
    Refutations of the effect of 't' on 'y' (posterior mean 1, sd 0.1): 1 of 2 passed.
    """

    treatment: str
    outcome: str
    effect_mean: float
    effect_sd: float
    prob: float
    results: tuple[Refutation, ...]

    @property
    def passed(self) -> bool:
        """Every check passed (inconclusive ones do not)."""
        return all(r.verdict == "pass" for r in self.results)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([r.row(self.prob) for r in self.results]).set_index("check")

    def summary(self) -> str:
        n_pass = sum(r.verdict == "pass" for r in self.results)
        head = (
            f"Refutations of the effect of {self.treatment!r} on {self.outcome!r} "
            f"(posterior mean {self.effect_mean:.4g}, sd {self.effect_sd:.3g}): "
            f"{n_pass} of {len(self.results)} passed."
        )
        return "\n".join([head, *(f"  {r.check}: {r.verdict}: {r.reason}" for r in self.results)])

    def plot(self, ax=None):
        """Forest plot: each check's posterior interval against its expected value."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * len(self.results)))
        table = self.table()
        colors = {"pass": "tab:green", "fail": "tab:red", "inconclusive": "tab:orange"}
        for i, (_, row) in enumerate(table.iterrows()):
            c = colors[row["verdict"]]
            ax.plot([row["lower"], row["upper"]], [i, i], color=c, lw=2)
            ax.plot(row["mean"], i, "o", color=c)
            ax.plot(row["expected_value"], i, "|", color="black", ms=12)
        ax.set_yticks(range(len(table)), [f"{n} ({v})" for n, v in table["verdict"].items()])
        ax.invert_yaxis()
        ax.set_xlabel(f"effect ({self.prob:.0%} interval); | expected")
        return ax
