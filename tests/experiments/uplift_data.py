"""Simulated randomised tests with known per-user effects (story 6), shared by tests and benchmarks."""

from __future__ import annotations

import numpy as np


def simulate_uplift(seed: int, n: int = 1000):
    """Features x (n, 3), 0/1 treatment, 0/1 conversion and the true per-user uplift.

    Conversion probabilities are linear in the features and stay in about
    (0.1, 0.4), so a linear probability model is well specified.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, (n, 3))
    t = rng.integers(0, 2, n)
    tau = 0.05 + 0.04 * x[:, 1] - 0.02 * x[:, 2]
    y = rng.binomial(1, 0.2 + 0.05 * x[:, 0] + t * tau)
    return x, t, y, tau


def true_curve(tau: np.ndarray, order: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """Sum of the true effects of the top ``fraction * n`` users of ``order`` (linear between)."""
    cum = np.r_[0.0, np.cumsum(tau[order])]
    return np.interp(fractions * tau.size, np.arange(tau.size + 1), cum)
