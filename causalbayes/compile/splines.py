"""B-spline basis functions as a PyTensor expression of a (possibly intervened) parent.

The basis is built symbolically (Cox-de Boor recursion) so that ``pm.do`` on
the parent, a dose-response grid or a per-unit intervention flows through it.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt

from causalbayes.data.scales import Scales
from causalbayes.scm.terms import Spline


def spline_bounds(term: Spline, scales: Scales) -> tuple[float, float]:
    """The term's bounds, else the data's range of the parent (mean +/- 3 sd without data)."""
    if term.bounds is not None:
        return term.bounds
    sc = scales[term.parent]
    return sc.lower, sc.upper


def spline_knots(term: Spline, scales: Scales) -> np.ndarray:
    """Clamped knot vector: ``degree + 1`` copies of each bound, equally spaced interior knots."""
    lo, hi = spline_bounds(term, scales)
    n_basis = term.df + 1  # the first basis function is dropped (the intercept absorbs it)
    interior = np.linspace(lo, hi, n_basis - term.degree + 1)[1:-1]
    return np.concatenate([[lo] * (term.degree + 1), interior, [hi] * (term.degree + 1)])


def bspline_basis(x, knots: np.ndarray, degree: int):
    """All B-spline basis functions at ``x`` (shape ``(n, len(knots) - degree - 1)``).

    ``x`` is clamped into the knots' range, so the curve continues flat beyond it.
    """
    lo, hi = float(knots[0]), float(knots[-1])
    x = pt.clip(pt.as_tensor(x, dtype="float64"), lo, hi)[:, None]
    t = knots
    # degree 0: indicator of [t_i, t_{i+1}); the last non-empty interval also takes x == hi
    last = int(np.max(np.nonzero(t[:-1] < t[1:])[0]))
    left, right = t[:-1], t[1:]
    is_last = np.arange(len(t) - 1) == last
    basis = pt.switch(
        is_last[None, :],
        (x >= left[None, :]) & (x <= right[None, :]),
        (x >= left[None, :]) & (x < right[None, :]),
    ).astype("float64")
    for k in range(1, degree + 1):
        n_next = len(t) - k - 1
        a_den = t[k : k + n_next] - t[:n_next]
        b_den = t[k + 1 : k + 1 + n_next] - t[1 : 1 + n_next]
        a = np.where(a_den > 0, 1.0 / np.where(a_den > 0, a_den, 1.0), 0.0)
        b = np.where(b_den > 0, 1.0 / np.where(b_den > 0, b_den, 1.0), 0.0)
        basis = (x - t[:n_next]) * a * basis[:, :n_next] + (
            t[k + 1 : k + 1 + n_next] - x
        ) * b * basis[:, 1 : 1 + n_next]
    return basis


def spline_design(x, term: Spline, scales: Scales):
    """The term's design matrix: the basis without its first function, shape ``(n, df)``."""
    return bspline_basis(x, spline_knots(term, scales), term.degree)[:, 1:]
