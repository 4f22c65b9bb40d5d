"""Money at stake: derived quantities from posterior draws, with every input's uncertainty.

Inputs may be certain (a number), posterior draws (an array, e.g. extra buyers
from an A/B posterior) or a belief stated as a distribution (a frozen
scipy.stats distribution, e.g. ``stats.norm(120, 15)`` for a customer's
lifetime value). Everything is carried draw by draw, so the result is a full
posterior: its probability of a loss, its worst plausible value (a low
quantile), and the expected-value decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.errors import DataError, QueryError
from causalbayes.experiments._validate import probability, rng_from, whole
from causalbayes.experiments.summaries import hdi, hdi_label


def as_draws(name: str, value, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of an input: a number (certain), draws, or a frozen scipy distribution.

    Draws of length ``n`` are kept in order (so inputs drawn jointly stay
    aligned); draws of another length are resampled with replacement, which
    treats that input as independent of the others.

    Examples
    --------
    >>> from scipy import stats
    >>> rng = np.random.default_rng(0)
    >>> as_draws("capex", 5.0, 3, rng).tolist()
    [5.0, 5.0, 5.0]
    >>> as_draws("clv", stats.norm(100, 10), 4, rng).shape
    (4,)
    """
    if hasattr(value, "rvs"):
        out = np.asarray(value.rvs(size=n, random_state=rng), dtype=float)
    elif np.ndim(value) == 0:
        out = np.full(n, float(value))
    else:
        arr = np.asarray(value, dtype=float).ravel()
        if arr.size < 2:
            raise DataError(f"{name} must be a number, >= 2 draws or a scipy distribution")
        out = arr if arr.size == n else rng.choice(arr, size=n, replace=True)
    if not np.all(np.isfinite(out)):
        raise DataError(f"{name} has {int(np.sum(~np.isfinite(out)))} non-finite draws")
    return out


@dataclass(frozen=True)
class Valuation:
    """Draws of named money quantities (inputs and results), aligned draw by draw.

    Attributes
    ----------
    draws : dict of numpy.ndarray
        Name -> draws (all of one length).
    target : str
        The quantity decisions are about (e.g. ``"roi"``).
    """

    draws: dict
    target: str

    def _get(self, name):
        name = self.target if name is None else name
        if name not in self.draws:
            raise QueryError(f"{name!r} is not a quantity here; choose from {list(self.draws)}")
        return self.draws[name]

    def prob_loss(self, name: str | None = None) -> float:
        """Posterior probability that the quantity is below zero."""
        return float(np.mean(self._get(name) < 0))

    def worst_case(self, q: float = 0.05, name: str | None = None) -> float:
        """The worst plausible value: the ``q`` quantile (5% by default)."""
        return float(np.quantile(self._get(name), probability("q", q)))

    def summary(self, *, hdi_prob: float = 0.94, q: float = 0.05) -> pd.DataFrame:
        """Mean, sd, median, HDI, P(< 0) and the ``q`` quantile of every quantity."""
        key, rows = hdi_label(hdi_prob), {}
        for name, x in self.draws.items():
            low, high = hdi(x, hdi_prob)
            rows[name] = {
                "mean": x.mean(),
                "sd": x.std(),
                "median": np.median(x),
                f"{key}_low": low,
                f"{key}_high": high,
                "p_below_zero": np.mean(x < 0),
                f"worst_case_q{q:.0%}": np.quantile(x, q),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("quantity")

    def decision(self, *, q: float = 0.05) -> str:
        """The expected-value decision on the target, with its risk in plain words."""
        x = self.draws[self.target]
        act = x.mean() > 0
        return (
            f"{'Go ahead' if act else 'Do not go ahead'}: the expected {self.target} is "
            f"{x.mean():.3g} ({'above' if act else 'not above'} 0). The probability of a loss is "
            f"{self.prob_loss():.1%}; in the worst plausible case ({q:.0%} quantile) the "
            f"{self.target} is {self.worst_case(q):.3g}."
        )


def _length(draws, inputs) -> int:
    """``draws``, else the longest array input's length (kept whole), else 20,000."""
    if draws is not None:
        return whole("draws", draws, minimum=2)
    sizes = [np.size(v) for v in inputs.values() if not hasattr(v, "rvs") and np.ndim(v) > 0]
    return max(sizes, default=20_000)


def valuation(fn: Callable, *, target: str, draws: int | None = None, random_seed, **inputs):
    """Evaluate ``fn(**input draws)`` draw by draw; ``fn`` returns a dict of named results.

    ``draws`` defaults to the length of the longest array input (so posterior
    draws are used whole and in order), or 20,000 when no input is an array.

    Examples
    --------
    >>> from scipy import stats
    >>> v = valuation(lambda gain, cost: {"profit": gain - cost}, target="profit",
    ...               gain=stats.norm(10, 2), cost=8.0, random_seed=1)
    >>> round(v.prob_loss(), 2)
    0.16
    """
    n, rng = _length(draws, inputs), rng_from(random_seed)
    values = {name: as_draws(name, value, n, rng) for name, value in inputs.items()}
    results = fn(**values)
    if not isinstance(results, dict) or target not in results:
        raise QueryError(f"fn must return a dict holding the target {target!r}")
    out = values | {
        k: np.broadcast_to(np.asarray(v, float), (n,)).copy() for k, v in results.items()
    }
    return Valuation(out, target)


def roi(*, clv, opex, delta_n, capex, draws: int | None = None, random_seed) -> Valuation:
    """Story 3's return on investment: ``ROI = (NPV - CapEx) / CapEx``, ``NPV = (CLV - OpEx) dN``.

    Parameters
    ----------
    clv, opex : number, draws or frozen scipy distribution
        Value of a customer over its lifetime and the operating cost per customer.
    delta_n : number, draws or frozen scipy distribution
        Extra customers the change brings, e.g. ``(p_B - p_A) * visitors`` from
        the A/B posterior's draws.
    capex : number, draws or distribution (> 0)
        Up-front investment.

    Examples
    --------
    >>> from scipy import stats
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> p = beta_binomial([120, 150], [1000, 1000]).draws(20_000, random_seed=1)
    >>> v = roi(clv=stats.norm(60, 10), opex=20.0, delta_n=(p[:, 1] - p[:, 0]) * 50_000,
    ...         capex=40_000.0, random_seed=2)
    >>> round(float(v.draws["roi"].mean()), 2), round(v.prob_loss(), 2)
    (0.49, 0.3)
    """

    def formula(clv, opex, delta_n, capex):
        if np.any(capex <= 0):
            raise DataError("capex must be > 0 in every draw (ROI divides by it)")
        npv = (clv - opex) * delta_n
        return {"npv": npv, "roi": (npv - capex) / capex}

    return valuation(
        formula,
        target="roi",
        draws=draws,
        random_seed=random_seed,
        clv=clv,
        opex=opex,
        delta_n=delta_n,
        capex=capex,
    )


def choose_option(options: dict, *, include_nothing: bool = True, q: float = 0.05):
    """Expected-value choice among options given as draws of their money value (aligned).

    Returns a table (expected value, P(best), expected loss, P(loss), worst case)
    sorted by expected value, with "do nothing" (value 0) as an option by default.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> table = choose_option({"A": rng.normal(5, 10, 4000), "B": rng.normal(3, 1, 4000)})
    >>> list(table.index), table["p_loss"].round(2).tolist()
    (['A', 'B', 'do nothing'], [0.32, 0.0, 0.0])
    """
    if not options:
        raise QueryError("options must map names to draws of their value")
    sizes = {np.size(v) for v in options.values()}
    if len(sizes) != 1:
        raise DataError(f"options need draws of one length (aligned), got lengths {sorted(sizes)}")
    names = list(options) + (["do nothing"] if include_nothing else [])
    x = np.column_stack(
        [np.asarray(v, float) for v in options.values()]
        + ([np.zeros(sizes.pop())] if include_nothing else [])
    )
    probability("q", q)
    table = pd.DataFrame(
        {
            "expected_value": x.mean(0),
            "p_best": np.bincount(x.argmax(1), minlength=x.shape[1]) / x.shape[0],
            "expected_loss": (x.max(1, keepdims=True) - x).mean(0),
            "p_loss": (x < 0).mean(0),
            f"worst_case_q{q:.0%}": np.quantile(x, q, axis=0),
        },
        index=pd.Index(names, name="option"),
    )
    return table.sort_values("expected_value", ascending=False)
