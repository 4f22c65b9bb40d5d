"""Uplift from per-user CATE posterior draws (draws, users): rankings, curve bands, policies.

Two kinds of curve posterior:

- ``curve_band`` (the model's curve): for a fixed ranking, the incremental
  outcomes of treating the top users, ``U(n) = sum of their CATEs``, per draw.
  Its truth is the same sum over the true effects, so the band can be checked
  for coverage; the Qini version scales it by the treated share of the top
  users, ``N_T(n) / n``, as the empirical Qini curve does.
- ``data_curve_band`` (the ranking's uncertainty): the usual empirical curve
  on the observed outcomes, recomputed with each draw's own ranking.

AUUC here is the area under a curve over the fraction of users targeted, i.e.
the curve's average height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.errors import DataError, QueryError
from causalbayes.experiments._validate import draws_matrix, probability
from causalbayes.experiments.summaries import hdi, hdi_label
from causalbayes.experiments.uplift_curves import check_uplift_data, qini_curve, uplift_curve

DEFAULT_FRACTIONS = np.linspace(0.0, 1.0, 21)


@dataclass(frozen=True)
class CurveBand:
    """Posterior draws of a curve at fractions of users targeted.

    Attributes
    ----------
    fractions : numpy.ndarray
        Fractions of users targeted, (points,).
    draws : numpy.ndarray
        Curve values, (draws, points).
    kind : str
        ``"uplift"`` or ``"qini"``, with ``"model"`` or ``"data"`` curves.
    """

    fractions: np.ndarray
    draws: np.ndarray
    kind: str

    def interval(self, prob: float = 0.9) -> np.ndarray:
        """Equal-tailed pointwise band, shape (2, points)."""
        prob = probability("prob", prob)
        return np.quantile(self.draws, [(1 - prob) / 2, (1 + prob) / 2], axis=0)

    def auuc(self) -> np.ndarray:
        """Draws of the area under the curve over the fraction targeted."""
        return np.trapezoid(self.draws, self.fractions, axis=1)

    def covers(self, curve, prob: float = 0.9) -> np.ndarray:
        """Whether ``curve`` (points,) lies inside the pointwise band."""
        low, high = self.interval(prob)
        return (low <= curve) & (curve <= high)

    def plot(self, *, ax=None, prob: float = 0.9, truth=None, others: dict | None = None):
        """Band, posterior mean, and optional true or competing curves; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        low, high = self.interval(prob)
        ax.fill_between(self.fractions, low, high, alpha=0.3, label=f"{prob:.0%} band")
        ax.plot(self.fractions, self.draws.mean(0), label="posterior mean")
        if truth is not None:
            ax.plot(self.fractions, truth, "k--", label="truth")
        for name, curve in (others or {}).items():
            ax.plot(self.fractions, curve, lw=1, label=name)
        ax.plot([0, 1], [0, self.draws.mean(0)[-1]], color="grey", lw=0.8, ls=":", label="random")
        ax.set_xlabel("fraction of users targeted (by ranking)")
        ax.set_ylabel(f"{self.kind} curve")
        ax.legend()
        return ax


def _cate(cate_draws) -> np.ndarray:
    return draws_matrix("cate_draws", cate_draws)


def ranking(cate_draws) -> np.ndarray:
    """Users ordered by posterior mean CATE, highest first.

    Examples
    --------
    >>> ranking(np.array([[0.1, 0.3, 0.2], [0.1, 0.5, 0.0]])).tolist()
    [1, 0, 2]
    """
    return np.argsort(-_cate(cate_draws).mean(0), kind="stable")


def rank_table(cate_draws, *, top: float = 0.1, hdi_prob: float = 0.94) -> pd.DataFrame:
    """Per user: CATE mean and HDI, posterior rank (1 = largest effect) and P(in the top share).

    Examples
    --------
    >>> d = np.random.default_rng(0).normal([0.0, 1.0, 0.5], 0.1, size=(2000, 3))
    >>> rank_table(d, top=0.3)[["rank_mean", "p_top"]].round(2).values.tolist()
    [[3.0, 0.0], [1.0, 1.0], [2.0, 0.0]]
    """
    x = _cate(cate_draws)
    ranks = np.argsort(np.argsort(-x, axis=1), axis=1) + 1  # per draw, 1 = largest
    cut = max(1, int(np.ceil(probability("top", top) * x.shape[1])))
    low, high = hdi(x, hdi_prob)
    rlow, rhigh = hdi(ranks, hdi_prob)
    key = hdi_label(hdi_prob)
    return pd.DataFrame(
        {
            "cate_mean": x.mean(0),
            f"cate_{key}_low": low,
            f"cate_{key}_high": high,
            "rank_mean": ranks.mean(0),
            f"rank_{key}_low": rlow,
            f"rank_{key}_high": rhigh,
            "p_top": (ranks <= cut).mean(0),
        }
    ).rename_axis("user")


def ranking_stability(cate_draws) -> np.ndarray:
    """Spearman correlation of each draw's ranking with the posterior-mean ranking, per draw.

    Near 1: the posterior agrees on the order of users; near 0: the ranking is noise.

    Examples
    --------
    >>> d = np.random.default_rng(0).normal([0.0, 1.0, 2.0], 0.01, size=(100, 3))
    >>> float(ranking_stability(d).min().round(6))
    1.0
    """
    x = _cate(cate_draws)
    ranks = np.argsort(np.argsort(x, axis=1), axis=1).astype(float)
    mean_rank = np.argsort(np.argsort(x.mean(0))).astype(float)
    ranks -= ranks.mean(1, keepdims=True)
    mean_rank -= mean_rank.mean()
    return ranks @ mean_rank / (np.linalg.norm(ranks, axis=1) * np.linalg.norm(mean_rank))


def _top_weights(order: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """Matrix (users, points): column f sums the top ``f * n`` users of ``order``.

    A fractional user at the cut counts by its fraction, which reads the curve
    linearly between whole numbers of users.
    """
    n = order.size
    pos = fractions * n
    whole_users = np.floor(pos).astype(int)
    rank_of = np.empty(n, dtype=int)
    rank_of[order] = np.arange(n)
    w = (rank_of[:, None] < whole_users[None, :]).astype(float)
    partial = whole_users < n
    w[order[whole_users[partial]], np.flatnonzero(partial)] = (pos - whole_users)[partial]
    return w


def curve_band(
    cate_draws, *, order=None, kind: str = "uplift", treatment=None, fractions=DEFAULT_FRACTIONS
) -> CurveBand:
    """Posterior of the model's uplift (or Qini) curve for a fixed ranking ``order``.

    ``order`` defaults to the posterior-mean ranking; pass the true ranking to
    get the band of "the true ranking's curve". The Qini kind needs ``treatment``.

    Examples
    --------
    >>> d = np.random.default_rng(1).normal([0.3, 0.1, -0.1, 0.0], 0.05, size=(1000, 4))
    >>> band = curve_band(d, fractions=[0.0, 0.5, 1.0])
    >>> band.draws.mean(0).round(2).tolist()
    [0.0, 0.4, 0.3]
    """
    x = _cate(cate_draws)
    order = ranking(x) if order is None else np.asarray(order)
    if sorted(order.tolist()) != list(range(x.shape[1])):
        raise QueryError("order must be a permutation of the users (0 .. n-1)")
    fr = np.asarray(fractions, dtype=float)
    if fr.ndim != 1 or np.any((fr < 0) | (fr > 1)):
        raise QueryError(f"fractions must lie in [0, 1], got {fr.tolist()}")
    values = x @ _top_weights(order, fr)  # linear in the CATEs: one matrix product
    if kind == "qini":
        if treatment is None:
            raise QueryError("kind='qini' needs treatment (0/1 per user)")
        t = np.asarray(treatment, dtype=float)
        if t.shape != (x.shape[1],):
            raise DataError(f"treatment must have one 0/1 value per user ({x.shape[1]})")
        top = _top_weights(order, fr)
        users = top.sum(0)
        values = values * np.divide(t @ top, users, out=np.zeros_like(users), where=users > 0)
    elif kind != "uplift":
        raise QueryError(f"kind must be 'uplift' or 'qini', got {kind!r}")
    return CurveBand(fr, values, f"{kind} (model)")


def data_curve_band(
    y,
    treatment,
    cate_draws,
    *,
    kind: str = "qini",
    fractions=DEFAULT_FRACTIONS,
    max_draws: int = 500,
):
    """The empirical curve on observed outcomes, once per draw's ranking (ranking uncertainty).

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> t = rng.integers(0, 2, 200); y = rng.binomial(1, 0.2 + 0.2 * t)
    >>> data_curve_band(y, t, rng.normal(size=(50, 200)), fractions=[0, 1]).draws.shape
    (50, 2)
    """
    y, t = check_uplift_data(y, treatment)
    x = _cate(cate_draws)
    if x.shape[1] != y.size:
        raise DataError(f"cate_draws has {x.shape[1]} users, y has {y.size}")
    x = x[np.linspace(0, x.shape[0] - 1, min(max_draws, x.shape[0])).astype(int)]
    curve = {"qini": qini_curve, "uplift": uplift_curve}.get(kind)
    if curve is None:
        raise QueryError(f"kind must be 'uplift' or 'qini', got {kind!r}")
    fr = np.asarray(fractions, dtype=float)
    rows = []
    for scores in x:  # continuous draws: no ties, one point per user
        n, v = curve(y, t, scores)
        rows.append(np.interp(fr * y.size, n, v))
    return CurveBand(fr, np.array(rows), f"{kind} (data)")
