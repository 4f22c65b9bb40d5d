"""Sensitivity to unmeasured confounding, refutation checks and an assumptions report."""

from causalbayes.sensitivity.ols import OLSSensitivity, ols_sensitivity
from causalbayes.sensitivity.ovb import (
    adjusted_estimate,
    adjusted_se,
    benchmark_bounds,
    bias,
    partial_r2,
    robustness_value,
)

__all__ = [
    "OLSSensitivity",
    "adjusted_estimate",
    "adjusted_se",
    "benchmark_bounds",
    "bias",
    "ols_sensitivity",
    "partial_r2",
    "robustness_value",
]
