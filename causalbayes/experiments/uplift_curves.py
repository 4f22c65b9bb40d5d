"""Uplift and Qini curves of one ranking on randomised data (the usual point estimates).

Definitions follow scikit-uplift 0.5.1 (``sklift.metrics``) exactly, so numbers
can be compared: users sorted by descending score, ties kept together (the
curve has one point per distinct score), starting at (0, 0):

- uplift curve at the top ``n`` users: ``(mean_T - mean_C) * n`` (incremental
  outcomes if those ``n`` were all treated);
- Qini curve: ``Y_T - Y_C * N_T / N_C`` (incremental outcomes among the treated
  of the top ``n``);
- normalised areas (``uplift_auc_score``, ``qini_auc_score``): the area between
  the curve and the random line, over that of the perfect curve.
"""

from __future__ import annotations

import numpy as np

from causalbayes.errors import DataError


def check_uplift_data(y, treatment, score=None):
    """Arrays of equal length; treatment 0/1 with both groups present; finite values."""
    y, t = np.asarray(y, dtype=float), np.asarray(treatment)
    if y.ndim != 1 or t.shape != y.shape or y.size < 2:
        raise DataError(f"y and treatment must be 1-d of equal length, got {y.shape}, {t.shape}")
    if not np.all(np.isin(t, (0, 1))) or np.unique(t).size != 2:
        raise DataError("treatment must be 0/1 with both treated and control users")
    if not np.all(np.isfinite(y)):
        raise DataError("y holds missing or infinite values")
    if score is None:
        return y, t.astype(float)
    s = np.asarray(score, dtype=float)
    if s.shape != y.shape or not np.all(np.isfinite(s)):
        raise DataError(f"score must be finite and as long as y ({y.size}), got shape {s.shape}")
    return y, t.astype(float), s


def _cumulative(y, t, score):
    order = np.argsort(score, kind="mergesort")[::-1]  # as sklift: stable, then reversed
    y, t, s = y[order], t[order], score[order]
    ends = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]  # last index of each tie group
    n_t = np.cumsum(t)[ends]
    y_t = np.cumsum(y * t)[ends]
    y_c = np.cumsum(y * (1 - t))[ends]
    n = ends + 1.0
    return n, n_t, n - n_t, y_t, y_c


def _from_origin(n, values):
    if n.size == 0 or values[0] != 0 or n[0] != 0:
        return np.r_[0.0, n], np.r_[0.0, values]
    return n, values


def uplift_curve(y, treatment, score) -> tuple[np.ndarray, np.ndarray]:
    """Points of the uplift curve: users targeted and ``(mean_T - mean_C) * users``.

    Examples
    --------
    >>> n, v = uplift_curve([1, 0, 1, 0], [1, 0, 0, 1], [0.9, 0.5, 0.3, 0.1])
    >>> n.tolist(), v.tolist()
    ([0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 2.0, 1.5, 0.0])
    """
    y, t, s = check_uplift_data(y, treatment, score)
    n, n_t, n_c, y_t, y_c = _cumulative(y, t, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_t = np.where(n_t > 0, y_t / np.where(n_t > 0, n_t, 1), 0.0)
        rate_c = np.where(n_c > 0, y_c / np.where(n_c > 0, n_c, 1), 0.0)
    return _from_origin(n, (rate_t - rate_c) * n)


def qini_curve(y, treatment, score) -> tuple[np.ndarray, np.ndarray]:
    """Points of the Qini curve: users targeted and ``Y_T - Y_C * N_T / N_C``.

    Examples
    --------
    >>> n, v = qini_curve([1, 0, 1, 0], [1, 0, 0, 1], [0.9, 0.5, 0.3, 0.1])
    >>> v.tolist()
    [0.0, 1.0, 1.0, 0.5, 0.0]
    """
    y, t, s = check_uplift_data(y, treatment, score)
    n, n_t, n_c, y_t, y_c = _cumulative(y, t, s)
    ratio = np.where(n_c > 0, n_t / np.where(n_c > 0, n_c, 1), 0.0)
    return _from_origin(n, y_t - y_c * ratio)


def _perfect_uplift_score(y, t):
    control_responders = np.sum((y == 1) & (t == 0))
    treated_non_responders = np.sum((y == 0) & (t == 1))
    summand = y if control_responders > treated_non_responders else t
    return 2 * (y == t) + summand


def _normalised_area(curve, perfect) -> float:
    (x, v), (xp, vp) = curve, perfect
    random = np.trapezoid([0.0, vp[-1]], [0.0, xp[-1]])
    return float((np.trapezoid(v, x) - random) / (np.trapezoid(vp, xp) - random))


def uplift_auc_score(y, treatment, score) -> float:
    """Area between the uplift curve and the random line over the perfect curve's (binary y).

    Examples
    --------
    >>> round(uplift_auc_score([1, 0, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0], [6, 5, 4, 3, 2, 1]), 4)
    0.04
    """
    y, t, s = check_uplift_data(y, treatment, score)
    perfect = uplift_curve(y, t, _perfect_uplift_score(y, t))
    return _normalised_area(uplift_curve(y, t, s), perfect)


def qini_auc_score(y, treatment, score) -> float:
    """Qini coefficient: area between the Qini curve and the random line over the perfect one's.

    The perfect curve allows negative effects (sklift's ``negative_effect=True``).

    Examples
    --------
    >>> round(qini_auc_score([1, 0, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0], [6, 5, 4, 3, 2, 1]), 4)
    0.0769
    """
    y, t, s = check_uplift_data(y, treatment, score)
    perfect = qini_curve(y, t, y * t - y * (1 - t))
    return _normalised_area(qini_curve(y, t, s), perfect)
