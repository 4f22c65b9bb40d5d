"""Omitted-variable-bias formulas of Cinelli & Hazlett (2020), numpy and scipy only.

Every function works on numbers (an estimate, its standard error, residual degrees of
freedom, partial R2 values), so the same algebra serves the frequentist cross-check
(:mod:`causalbayes.sensitivity.ols`) and the Bayesian curve, where it is applied to each
posterior draw. Names follow sensemakr: ``r2dz_x`` is the partial R2 of the confounder
Z with the treatment D given the covariates X, ``r2yz_dx`` that of Z with the outcome
Y given D and X.

References
----------
Cinelli, C. and Hazlett, C. (2020). Making sense of sensitivity: extending omitted
variable bias. JRSS B 82(1), 39-67.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from causalbayes.errors import QueryError


def _check_r2(name: str, value, *, closed: bool = True) -> np.ndarray:
    r2 = np.asarray(value, dtype=float)
    upper_ok = r2 <= 1 if closed else r2 < 1
    if not np.all((r2 >= 0) & upper_ok):
        bound = "[0, 1]" if closed else "[0, 1)"
        raise QueryError(f"{name} must lie in {bound}, got {value!r}; pass partial R2 values")
    return r2


def partial_r2(t_statistic, dof: float):
    """Partial R2 of a regressor with the outcome from its t statistic: ``t^2 / (t^2 + dof)``.

    Examples
    --------
    >>> round(float(partial_r2(4.18445, 783)), 5)
    0.02187
    """
    t = np.asarray(t_statistic, dtype=float)
    return t**2 / (t**2 + dof)


def bias_factor(r2dz_x, r2yz_dx):
    """``sqrt(r2yz_dx * r2dz_x / (1 - r2dz_x))``: the bias in units of ``se * sqrt(dof)``.

    Examples
    --------
    >>> round(float(bias_factor(0.05, 0.05)), 5)
    0.0513
    """
    r2d = _check_r2("r2dz_x", r2dz_x, closed=False)
    r2y = _check_r2("r2yz_dx", r2yz_dx)
    return np.sqrt(r2y * r2d / (1.0 - r2d))


def bias(r2dz_x, r2yz_dx, se: float, dof: float):
    """Absolute omitted-variable bias of a regression coefficient (Cinelli & Hazlett, eq. 11).

    ``|bias| = se * sqrt(dof) * sqrt(r2yz_dx * r2dz_x / (1 - r2dz_x))``; equivalently
    ``sd(Y resid) / sd(D resid)`` times the bias factor, the form the Bayesian curve uses.

    Examples
    --------
    >>> round(float(bias(0.05, 0.05, se=0.02325654, dof=783)), 5)
    0.03338
    """
    return bias_factor(r2dz_x, r2yz_dx) * se * np.sqrt(dof)


def adjusted_estimate(r2dz_x, r2yz_dx, estimate: float, se: float, dof: float, *, reduce=True):
    """The estimate after removing (``reduce=True``) or adding the bias of a confounder.

    Examples
    --------
    >>> round(float(adjusted_estimate(0.05, 0.05, 0.09731582, 0.02325654, 783)), 5)
    0.06393
    """
    b = bias(r2dz_x, r2yz_dx, se, dof)
    return np.sign(estimate) * (abs(estimate) - b if reduce else abs(estimate) + b)


def adjusted_se(r2dz_x, r2yz_dx, se: float, dof: float):
    """Standard error of the coefficient in the regression that includes the confounder.

    ``se * sqrt((1 - r2yz_dx) / (1 - r2dz_x)) * sqrt(dof / (dof - 1))`` (one more
    regressor, one degree of freedom fewer).

    Examples
    --------
    >>> round(float(adjusted_se(0.05, 0.05, 0.02325654, 783)), 5)
    0.02327
    """
    r2d = _check_r2("r2dz_x", r2dz_x, closed=False)
    r2y = _check_r2("r2yz_dx", r2yz_dx)
    return se * np.sqrt((1.0 - r2y) / (1.0 - r2d)) * np.sqrt(dof / (dof - 1.0))


def robustness_value(t_statistic, dof: float, *, q: float = 1.0, alpha: float | None = None):
    """Robustness value RV_q (``alpha=None``) or RV_{q,alpha} (Cinelli & Hazlett, section 4.2).

    The partial R2 that a confounder must have with *both* the treatment and the outcome
    to reduce the estimate by ``100 q`` percent (RV_q), or to make the adjusted ``1 - alpha``
    confidence interval include ``(1 - q)`` times the estimate (RV_{q,alpha}). As in
    sensemakr, the critical value uses ``dof - 1`` degrees of freedom (the adjusted
    regression has one more regressor).

    Examples
    --------
    >>> round(float(robustness_value(4.18445, 783)), 5)
    0.13878
    >>> round(float(robustness_value(4.18445, 783, alpha=0.05)), 5)
    0.07626
    """
    if not q > 0:
        raise QueryError(f"q must be positive (share of the estimate to explain away), got {q!r}")
    t = np.abs(np.asarray(t_statistic, dtype=float))
    fq = q * t / np.sqrt(dof)
    if alpha is None:
        return 0.5 * (np.sqrt(fq**4 + 4 * fq**2) - fq**2)
    if not 0 < alpha < 1:
        raise QueryError(f"alpha must lie in (0, 1), got {alpha!r}")
    f_crit = abs(stats.t.ppf(alpha / 2, dof - 1)) / np.sqrt(dof - 1)
    fqa = fq - f_crit
    binding = 0.5 * (np.sqrt(fqa**4 + 4 * fqa**2) - fqa**2)
    not_binding = (fq**2 - f_crit**2) / (1 + fq**2)
    # The bound on r2dz_x only binds while fq <= 1/f_crit (Cinelli & Hazlett, footnote 11).
    out = np.where(fq > 1 / f_crit, not_binding, binding)
    return np.where(fqa > 0, out, 0.0)


def benchmark_bounds(r2dxj_x, r2yxj_dx, kd=1.0, ky=None):
    """Strength of a confounder ``kd`` (``ky``) times as strong as an observed covariate Xj.

    Cinelli & Hazlett (2020), section 6.1, as sensemakr computes them: ``r2dxj_x`` is the
    partial R2 of Xj with the treatment given the other covariates, ``r2yxj_dx`` that of
    Xj with the outcome given the treatment and the other covariates. Returns
    ``(r2dz_x, r2yz_dx)``; ``r2yz_dx`` is capped at 1.

    Examples
    --------
    >>> r2d, r2y = benchmark_bounds(0.0092, 0.1090, kd=1)
    >>> round(float(r2d), 4), round(float(r2y), 4)
    (0.0093, 0.1246)
    """
    r2dxj = _check_r2("r2dxj_x", r2dxj_x, closed=False)
    r2yxj = _check_r2("r2yxj_dx", r2yxj_dx, closed=False)
    kd = np.asarray(kd, dtype=float)
    ky = kd if ky is None else np.asarray(ky, dtype=float)
    r2dz = kd * r2dxj / (1 - r2dxj)
    if np.any(r2dz >= 1):
        raise QueryError(
            f"kd={kd.tolist()!r} times the benchmark's strength gives r2dz_x >= 1, "
            "which no confounder can have; use a smaller kd"
        )
    r2zxj = kd * r2dxj**2 / ((1 - kd * r2dxj) * (1 - r2dxj))
    if np.any(r2zxj >= 1):
        raise QueryError(f"kd={kd.tolist()!r} is impossible for this benchmark; use a smaller kd")
    r2yz = ((np.sqrt(ky) + np.sqrt(r2zxj)) / np.sqrt(1 - r2zxj)) ** 2 * (r2yxj / (1 - r2yxj))
    return r2dz, np.minimum(r2yz, 1.0)
