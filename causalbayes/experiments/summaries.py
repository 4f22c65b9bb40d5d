"""Interval summaries of posterior draws in plain numpy (no ArviZ on the fast path)."""

from __future__ import annotations

import numpy as np

from causalbayes.experiments._validate import probability


def hdi(draws, prob: float = 0.94, *, axis: int = 0) -> np.ndarray:
    """Highest-density interval of each column: the narrowest window holding ``prob``.

    The same rule as ArviZ's ``hdi`` for unimodal draws (the shortest window
    spanning ``floor(prob * n)`` steps of the sorted draws), vectorised over columns.

    Parameters
    ----------
    draws : array_like
        Posterior draws; ``axis`` runs over the draws.
    prob : float
        Mass inside the interval, in (0, 1).
    axis : int
        Axis of the draws.

    Returns
    -------
    numpy.ndarray
        Shape ``(2,) + other dims``: lower bounds, then upper bounds.

    Examples
    --------
    >>> hdi(np.arange(100.0), 0.5).tolist()
    [0.0, 50.0]
    >>> hdi(np.column_stack([np.arange(10.0), 2 * np.arange(10.0)]), 0.8).tolist()
    [[0.0, 0.0], [8.0, 16.0]]
    """
    prob = probability("prob", prob)
    x = np.sort(np.moveaxis(np.asarray(draws, dtype=float), axis, 0), axis=0)
    n = x.shape[0]
    inside = int(np.floor(prob * n))
    if n < 2 or inside >= n:
        return np.stack([x[0], x[-1]])
    widths = x[inside:] - x[: n - inside]  # every window spanning `inside` steps
    start = np.argmin(widths, axis=0)
    low = np.take_along_axis(x, start[None], axis=0)[0]
    high = np.take_along_axis(x, (start + inside)[None], axis=0)[0]
    return np.stack([low, high])


def hdi_label(prob: float) -> str:
    """Column prefix for an interval, e.g. ``hdi_94%``.

    Examples
    --------
    >>> hdi_label(0.9)
    'hdi_90%'
    """
    return f"hdi_{prob:.0%}"


def quantile_summary(draws, *, quantiles=(0.05, 0.5, 0.95)) -> dict[str, float]:
    """Mean, sd and the given quantiles of one-dimensional draws.

    Examples
    --------
    >>> quantile_summary(np.arange(101.0), quantiles=(0.5,))
    {'mean': 50.0, 'sd': 29.154759474226502, 'q50%': 50.0}
    """
    x = np.asarray(draws, dtype=float).ravel()
    out = {"mean": float(x.mean()), "sd": float(x.std())}
    for q, v in zip(quantiles, np.quantile(x, quantiles), strict=True):
        out[f"q{q:.0%}"] = float(v)
    return out
