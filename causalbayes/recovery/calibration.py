"""Calibration statistics: interval coverage, SBC ranks and their uniformity test.

Plain numpy/scipy on arrays; the study code feeds them posterior draws and
true values.  The uniformity test and the simultaneous ECDF bands follow
Säilynoja, Bürkner & Vehtari (2022), "Graphical test for discrete uniformity
and its applications in goodness-of-fit evaluation and multiple sample
comparison", Statistics and Computing 32:32.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import stats

#: Simulated null samples behind the ECDF test's p-value and bands.
NULL_SAMPLES = 4000


def central_interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    """Equal-tailed interval holding ``level`` of the draws.

    Examples
    --------
    >>> central_interval(np.arange(101.0), 0.5)
    (25.0, 75.0)
    """
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def thin(draws: np.ndarray, size: int) -> np.ndarray:
    """``size`` draws evenly spaced over the (flattened, chain-major) draws.

    Spacing them out keeps them close to independent, which SBC's ranks need.

    Examples
    --------
    >>> thin(np.arange(10), 4).tolist()
    [0, 3, 6, 9]
    """
    flat = np.ravel(draws)
    if size > flat.size:
        raise ValueError(f"cannot thin {flat.size} draws to {size}; draw more or thin less")
    return flat[np.linspace(0, flat.size - 1, size).round().astype(int)]


def rank(truth: float, draws: np.ndarray, rng: np.random.Generator) -> int:
    """Number of ``draws`` below ``truth`` (0 to len(draws)); ties are split at random.

    Under a calibrated posterior it is uniform on ``0, ..., len(draws)``.

    Examples
    --------
    >>> rank(0.5, np.array([0.1, 0.9, 0.3]), np.random.default_rng(0))
    2
    """
    below = int(np.sum(draws < truth))
    ties = int(np.sum(draws == truth))
    return below + (int(rng.integers(ties + 1)) if ties else 0)


def coverage_band(sims: int, level: float, prob: float = 0.95) -> tuple[float, float]:
    """Central ``prob`` range of the observed coverage of ``level`` intervals over ``sims``
    calibrated simulations (Binomial(sims, level) / sims).

    Examples
    --------
    >>> coverage_band(100, 0.94)
    (0.89, 0.98)
    """
    dist = stats.binom(sims, level)
    return float(dist.ppf((1 - prob) / 2) / sims), float(dist.ppf((1 + prob) / 2) / sims)


def coverage_pvalue(covered: int, sims: int, level: float) -> float:
    """Two-sided binomial test of ``covered`` of ``sims`` against coverage ``level``."""
    return float(stats.binomtest(covered, sims, level).pvalue)


def ecdf_gamma(ranks: np.ndarray, max_rank: int) -> np.ndarray:
    """The ECDF test statistic of ranks on ``0..max_rank`` (last axis: the simulations).

    Twice the smallest tail probability of the ECDF over the rank boundaries
    ``k / (max_rank + 1)``, ``k = 1..max_rank``: small means far from uniform.
    """
    ranks = np.asarray(ranks)
    n = ranks.shape[-1]
    counts = _cumulative_counts(ranks, max_rank)  # ranks < k, k = 1..max_rank
    z = np.arange(1, max_rank + 1) / (max_rank + 1)
    lower = stats.binom.cdf(counts, n, z)
    upper = stats.binom.sf(counts - 1, n, z)
    return 2 * np.minimum(lower, upper).min(axis=-1)


def uniformity_pvalue(ranks: np.ndarray, max_rank: int, *, seed: int = 0) -> float:
    """P-value of discrete uniformity of ``ranks`` (the ECDF test, by simulation under the null).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> uniformity_pvalue(rng.integers(0, 100, size=200), 99) > 0.05
    True
    >>> uniformity_pvalue(np.r_[np.zeros(60, int), np.full(60, 99)], 99) < 0.001
    True
    """
    observed = float(ecdf_gamma(np.asarray(ranks), max_rank))
    null = _null_gamma(len(ranks), max_rank, seed)
    return float((1 + np.sum(null <= observed)) / (1 + null.size))


def ecdf_band(sims: int, max_rank: int, prob: float = 0.95, *, seed: int = 0):
    """Simultaneous ``prob`` band for the ECDF of ``sims`` uniform ranks.

    Returns ``(z, lower, upper)``: the rank boundaries ``k / (max_rank + 1)`` and
    the band of the ECDF at them; all of the ECDF stays inside with probability
    ``prob`` under uniformity.
    """
    gamma = float(np.quantile(_null_gamma(sims, max_rank, seed), 1 - prob))
    z = np.arange(1, max_rank + 1) / (max_rank + 1)
    lower = stats.binom.ppf(gamma / 2, sims, z) / sims
    upper = stats.binom.ppf(1 - gamma / 2, sims, z) / sims
    return z, lower, upper


def ecdf(ranks: np.ndarray, max_rank: int) -> tuple[np.ndarray, np.ndarray]:
    """``(z, F)``: the fraction of ranks below each boundary ``k / (max_rank + 1)``."""
    ranks = np.asarray(ranks)
    z = np.arange(1, max_rank + 1) / (max_rank + 1)
    return z, _cumulative_counts(ranks, max_rank) / ranks.shape[-1]


@lru_cache(maxsize=32)
def _null_gamma(sims: int, max_rank: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = []
    for start in range(0, NULL_SAMPLES, 500):  # bounded memory for many sims
        size = min(500, NULL_SAMPLES - start)
        out.append(ecdf_gamma(rng.integers(0, max_rank + 1, size=(size, sims)), max_rank))
    return np.concatenate(out)


def _cumulative_counts(ranks: np.ndarray, max_rank: int) -> np.ndarray:
    """How many ranks lie below ``k`` for ``k = 1..max_rank`` (per leading index)."""
    flat = ranks.reshape(-1, ranks.shape[-1])
    rows = np.arange(flat.shape[0])[:, None] * (max_rank + 1)
    hist = np.bincount((flat + rows).ravel(), minlength=flat.shape[0] * (max_rank + 1))
    counts = hist.reshape(flat.shape[0], max_rank + 1).cumsum(axis=1)[:, :-1]
    return counts.reshape(*ranks.shape[:-1], max_rank)
