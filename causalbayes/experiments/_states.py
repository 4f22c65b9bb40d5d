"""The posterior quantities stopping rules read, computed once per look and shared.

``ExactState`` integrates any marginal (a scipy.stats family or one of ``_dist``'s)
with the Gauss-Legendre rule of ``exact.py`` (one test, about 1e-10). ``DrawsState``
reads the same quantities off posterior draws of any model (MCMC included), by Monte
Carlo. ``BetaGridState`` serves simulators of thousands of Beta-Bernoulli tests: densities on a uniform grid per arm in plain
numpy (scipy's incomplete beta costs about 2 microseconds a call, too slow for
millions), distribution functions by cumulative Simpson; about 1e-6 accurate
for whole-number parameters (tested against the exact rule).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy.special import betaln

from causalbayes.experiments import _dist, exact
from causalbayes.experiments._arms import Marginal


class ExactState:
    """Decision quantities of one or many tests from their exact marginals."""

    def __init__(self, marginal: Marginal, **grid):
        self.marginal, self.grid = marginal, grid

    @cached_property
    def _best(self):
        return exact.best_arm_integrals(self.marginal, **self.grid)

    @property
    def p_best(self) -> np.ndarray:
        return self._best[0]

    @property
    def loss(self) -> np.ndarray:
        return exact.loss_from_best(self.marginal, np.asarray(self._best[1])[..., None])

    @property
    def k(self) -> int:
        return np.shape(self.p_best)[-1]

    def prob_above(self, i: int, j: int, delta: float) -> np.ndarray:
        """``P(X_i - X_j > delta)``."""
        return exact.prob_difference_above(self.marginal, i, j, delta, **self.grid)


class DrawsState:
    """Decision quantities of one test from posterior draws shaped (draws, arms).

    Examples
    --------
    >>> state = DrawsState(np.array([[0.1, 0.3], [0.2, 0.1], [0.1, 0.2], [0.3, 0.4]]))
    >>> state.p_best.tolist(), state.loss.round(3).tolist(), float(state.prob_above(1, 0, 0.0))
    ([0.25, 0.75], [0.1, 0.025], 0.75)
    """

    def __init__(self, draws: np.ndarray):
        self.draws = np.asarray(draws, dtype=float)

    @property
    def k(self) -> int:
        return self.draws.shape[-1]

    @property
    def p_best(self) -> np.ndarray:
        return np.bincount(self.draws.argmax(-1), minlength=self.k) / self.draws.shape[0]

    @property
    def loss(self) -> np.ndarray:
        return (self.draws.max(-1, keepdims=True) - self.draws).mean(0)

    def prob_above(self, i: int, j: int, delta: float) -> np.ndarray:
        """``P(X_i - X_j > delta)``."""
        return np.asarray(np.mean(self.draws[:, i] - self.draws[:, j] > delta))


class BetaGridState:
    """Decision quantities of many Beta-arm tests, alpha and beta shaped (tests, k), all >= 1.

    Each arm has its own uniform grid over all but 2e-10 of its mass: densities
    there, its distribution function by cumulative Simpson, and cubic Hermite
    interpolation (values and densities) to read it at another arm's points.
    Every integral runs on the grid of the arm whose density it weighs, so arms
    far apart or of very different widths are resolved alike. Parameters in
    (1, 2) that are not whole numbers put a kink in the density at 0 and cost
    accuracy (about 1e-3).
    """

    def __init__(self, alpha: np.ndarray, beta: np.ndarray, points: int = 201):
        # scipy.integrate loads scipy.linalg and optimize (0.3 s): only the simulators need it
        from scipy.integrate import cumulative_simpson

        self.alpha, self.beta = np.asarray(alpha, float), np.asarray(beta, float)
        ends = _dist.beta.ppf(np.array([1e-10, 1 - 1e-10])[:, None, None], self.alpha, self.beta)
        # arm-major layout (k, tests, G): each arm's slices are contiguous
        self.lo, self.step = ends[0].T, (ends[1] - ends[0]).T / (points - 1)  # (k, tests)
        u = np.arange(points, dtype=float)
        self.x = self.lo[..., None] + self.step[..., None] * u  # (k, tests, G)
        xx = np.clip(self.x, 1e-300, 1 - 1e-16)
        a, b = self.alpha.T[..., None], self.beta.T[..., None]
        self.pdf = np.exp((a - 1) * np.log(xx) + (b - 1) * np.log1p(-xx) - betaln(a, b))
        cdf = cumulative_simpson(self.pdf, dx=1.0, axis=-1, initial=0.0)
        self.cdf = np.clip(cdf / cdf[..., -1:], 0.0, 1.0)  # the 2e-10 cut off mass put back

    @property
    def k(self) -> int:
        return self.alpha.shape[-1]

    def cdf_at(self, j: int, x: np.ndarray) -> np.ndarray:
        """``F_j(x)`` at points ``x`` (tests, m): cubic Hermite on arm j's grid."""
        g = self.x.shape[-1]
        step = self.step[j][:, None]
        pos = np.clip((x - self.lo[j][:, None]) / step, 0.0, g - 1.0)
        left = np.minimum(pos.astype(np.intp), g - 2)
        t = pos - left
        t2 = t * t
        t3 = t2 * t
        cdf, pdf = self.cdf[j], self.pdf[j]
        c0, c1 = np.take_along_axis(cdf, left, 1), np.take_along_axis(cdf, left + 1, 1)
        d0, d1 = np.take_along_axis(pdf, left, 1), np.take_along_axis(pdf, left + 1, 1)
        h = c0 + (3 * t2 - 2 * t3) * (c1 - c0) + step * ((t3 - 2 * t2 + t) * d0 + (t3 - t2) * d1)
        return np.clip(h, 0.0, 1.0)

    def _weighed(self, i: int, values: np.ndarray) -> np.ndarray:
        """``integral f_i(x) values(x) dx`` on arm i's grid."""
        from scipy.integrate import simpson  # loaded by __init__ already

        return simpson(self.pdf[i] * values, dx=1.0, axis=-1) * self.step[i]

    @cached_property
    def _best(self):
        p_best, e_best = [], 0.0
        for i in range(self.k):
            others = [self.cdf_at(j, self.x[i]) for j in range(self.k) if j != i]
            below = np.prod(others, axis=0)
            p_best.append(self._weighed(i, below))
            e_best = e_best + self._weighed(i, self.x[i] * below)
        return np.stack(p_best, -1), e_best

    @property
    def p_best(self) -> np.ndarray:
        return self._best[0]

    @property
    def loss(self) -> np.ndarray:
        return self._best[1][:, None] - self.alpha / (self.alpha + self.beta)

    def prob_above(self, i: int, j: int, delta: float) -> np.ndarray:
        """``P(X_i - X_j > delta) = integral f_j(x) (1 - F_i(x + delta)) dx``."""
        return self._weighed(j, 1.0 - self.cdf_at(i, self.x[j] + delta))
