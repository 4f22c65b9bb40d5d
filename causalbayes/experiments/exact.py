"""Decision quantities of independent arms by one-dimensional numerical integration.

For independent arms with densities ``f_i`` and distribution functions ``F_i``:

- ``P(i is best) = integral f_i(x) prod_{j != i} F_j(x) dx``,
- ``E[max_j X_j] = lo + integral_lo^inf (1 - prod_j F_j(x)) dx`` (``lo`` below every arm),
- ``P(X_i - X_j > d)`` is ``P(i is best)`` between ``X_j`` and ``X_i - d``.

The integrals use a composite Gauss-Legendre rule (numpy's nodes: scipy's
``roots_legendre`` imports scipy.linalg, 0.1 s; they agree to 1e-15) on pieces cut at
each arm's centre, spread and extreme quantiles, vectorised over any leading
axes, so the same code serves one A/B test and thousands of simulated ones.
Accuracy is about 1e-10 on smooth unimodal marginals (tested against
``scipy.integrate.quad``).
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial.legendre import leggauss

from causalbayes.experiments._arms import Marginal

#: Cut points in units of each arm's spread (sd-like) around its median.
FINE_CUTS = (1.0, 2.0, 3.0, 4.5, 6.5, 10.0, 30.0, 1e3)
_TAIL = 1e-12  # mass left outside the integration range, per arm and tail


def _expand(marginal: Marginal, k: int) -> dict:
    """Parameters broadcast to (..., k) and given a node axis: (..., 1, k)."""
    params = dict(zip(marginal.params, np.broadcast_arrays(*marginal.params.values()), strict=True))
    return {name: np.asarray(v)[..., None, :] for name, v in params.items()}


def _grid(marginal: Marginal, k: int, cuts, order: int):
    """Nodes and weights (..., N) covering every arm's mass except 2 * _TAIL."""
    fam, params = marginal.family, _expand(marginal, k)
    q = np.array([_TAIL, 0.25, 0.5, 0.75, 1 - _TAIL])[:, None]
    lo, q1, med, q3, hi = np.moveaxis(fam.ppf(q, **params), -2, 0)  # each (..., k)
    spread = np.maximum((q3 - q1) / 1.349, 1e-300)  # the sd for a Normal
    z = np.asarray(cuts, dtype=float)
    inner = med[..., None, :] + spread[..., None, :] * np.concatenate([-z[::-1], [0.0], z])[:, None]
    inner = np.clip(inner, lo.min(-1)[..., None, None], hi.max(-1)[..., None, None])
    points = np.concatenate([inner, lo[..., None, :], hi[..., None, :]], axis=-2)
    points = np.sort(points.reshape(*points.shape[:-2], -1), axis=-1)
    t, w = leggauss(order)
    a, b = points[..., :-1, None], points[..., 1:, None]
    nodes = ((a + b) / 2 + (b - a) / 2 * t).reshape(*points.shape[:-1], -1)
    weights = ((b - a) / 2 * w).reshape(nodes.shape)
    return nodes, weights, points[..., 0]


def _exclusive_product(values: np.ndarray) -> np.ndarray:
    """``prod_{j != i} values_j`` along the last axis, without dividing (values may be 0)."""
    ones = np.ones_like(values[..., :1])
    left = np.cumprod(np.concatenate([ones, values[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, values[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return left * right


def _arms_count(marginal: Marginal) -> int:
    return np.broadcast_shapes(*(np.shape(v) for v in marginal.params.values()))[-1]


def best_arm_integrals(
    marginal: Marginal, *, higher_is_better: bool = True, cuts=FINE_CUTS, order: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """``(P(each arm is best), E[best value])`` in one pass over one grid.

    Shapes (..., k) and (...); "best" is the highest value, or the lowest with
    ``higher_is_better=False``.
    """
    k = _arms_count(marginal)
    x, w, lo = _grid(marginal, k, cuts, order)
    params = _expand(marginal, k)
    dens = marginal.family.pdf(x[..., None], **params)
    if higher_is_better:
        below = marginal.family.cdf(x[..., None], **params)
        best = lo + np.sum(w * (1 - below.prod(-1)), axis=-1)
    else:
        below = marginal.family.sf(x[..., None], **params)  # P(X_j > x): j loses to x
        best = lo + np.sum(w * below.prod(-1), axis=-1)
    p_best = np.einsum("...n,...nk->...k", w, dens * _exclusive_product(below))
    return p_best, best


def prob_best(marginal: Marginal, *, higher_is_better: bool = True, **grid) -> np.ndarray:
    """Probability that each arm has the highest (or lowest) value, shape (..., k).

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> prob_best(beta_binomial([120, 150], [1000, 1000]).marginal()).round(4).tolist()
    [0.0249, 0.9751]
    """
    return best_arm_integrals(marginal, higher_is_better=higher_is_better, **grid)[0]


def expected_best(marginal: Marginal, *, higher_is_better: bool = True, **grid) -> np.ndarray:
    """``E[max_j X_j]`` (or ``E[min_j X_j]``), shape (...).

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> float(expected_best(beta_binomial([120, 150], [1000, 1000]).marginal()).round(5))
    0.15084
    """
    return best_arm_integrals(marginal, higher_is_better=higher_is_better, **grid)[1]


def expected_loss(marginal: Marginal, *, higher_is_better: bool = True, **grid) -> np.ndarray:
    """Expected loss of choosing each arm, ``E[max_j X_j - X_i]``, shape (..., k).

    With ``higher_is_better=False`` it is ``E[X_i - min_j X_j]``.

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> expected_loss(beta_binomial([120, 150], [1000, 1000]).marginal()).round(5).tolist()
    [0.03008, 0.00014]
    """
    best = expected_best(marginal, higher_is_better=higher_is_better, **grid)[..., None]
    return loss_from_best(marginal, best, higher_is_better)


def loss_from_best(marginal: Marginal, best, higher_is_better: bool = True) -> np.ndarray:
    """Expected losses (..., k) from ``E[best value]`` (..., 1) and the arms' means."""
    means = np.broadcast_to(marginal.mean(), best.shape[:-1] + (_arms_count(marginal),))
    return best - means if higher_is_better else means - best


def pick_arms(marginal: Marginal, idx: list[int], shift: list[float]) -> Marginal:
    """Arms ``idx`` of ``marginal`` (last axis), each moved by ``shift``."""
    params = dict(zip(marginal.params, np.broadcast_arrays(*marginal.params.values()), strict=True))
    out = {name: np.asarray(v)[..., idx] for name, v in params.items()}
    loc = out.get("loc", np.zeros_like(next(iter(out.values()))))
    out["loc"] = loc + np.asarray(shift, dtype=float)
    return Marginal(marginal.family, out)


def prob_difference_above(
    marginal: Marginal, i: int, j: int, delta: float = 0.0, *, cuts=FINE_CUTS, order: int = 10
) -> np.ndarray:
    """``P(X_i - X_j > delta)`` for arms ``i`` and ``j``, shape (...).

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> m = beta_binomial([120, 150], [1000, 1000]).marginal()
    >>> float(prob_difference_above(m, 1, 0).round(4))
    0.9751
    >>> float(prob_difference_above(m, 1, 0, delta=0.01).round(4))
    0.9043
    """
    pair = pick_arms(marginal, [j, i], [0.0, -float(delta)])
    return prob_best(pair, cuts=cuts, order=order)[..., 1]


def pair_integrals(marginal: Marginal, i: int, j: int, deltas=(), **grid):
    """``P(X_i - X_j > d)`` for ``d`` in ``(0, *deltas)`` and ``E[max(X_i, X_j)]``, in one pass.

    Returns an array (1 + len(deltas), ...) of probabilities and ``E[max]`` (...).

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> m = beta_binomial([120, 150], [1000, 1000]).marginal()
    >>> probs, best = pair_integrals(m, 1, 0, [-0.005, 0.005])
    >>> probs.round(4).tolist(), round(float(best), 5)
    ([0.9751, 0.9889, 0.9489], 0.15084)
    """
    d = np.r_[0.0, np.asarray(deltas, dtype=float).ravel()]
    nd = max(np.ndim(v) for v in marginal.params.values())
    shift = np.stack([np.zeros_like(d), -d], axis=-1).reshape((d.size,) + (1,) * (nd - 1) + (2,))
    p_best, best = best_arm_integrals(pick_arms(marginal, [j, i], shift), **grid)
    return p_best[..., 1], best[0]
