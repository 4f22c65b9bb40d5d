"""E-values for ratio-scale effects (VanderWeele & Ding 2017), numpy only.

The E-value is the minimum strength of association, on the risk-ratio scale, that an
unmeasured confounder would need with both the treatment and the outcome, conditional
on the measured covariates, to fully explain away an observed risk ratio. Odds ratios,
hazard ratios and standardized mean differences are first converted to approximate
risk ratios with the usual conversions (VanderWeele 2017; VanderWeele & Ding 2017).

References
----------
VanderWeele, T. J. and Ding, P. (2017). Sensitivity analysis in observational research:
introducing the E-value. Annals of Internal Medicine 167(4), 268-274.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from causalbayes.errors import QueryError

MEASURES = ("RR", "OR", "HR", "SMD")


@dataclass(frozen=True)
class EValue:
    """E-values of an estimate and of its confidence (or credible) limit nearer the null.

    Attributes
    ----------
    measure : {"RR", "OR", "HR", "SMD"}
    estimate, lower, upper : float
        As given (``lower``/``upper`` NaN when not given).
    rr, rr_lower, rr_upper : float
        The same on the approximate risk-ratio scale.
    point : float
        E-value of the estimate.
    limit : float
        E-value of the interval limit nearer ``true`` (1 when the interval includes it;
        NaN when no interval was given).
    true : float
        The risk ratio to explain the estimate down (or up) to; 1 means no effect.

    Examples
    --------
    >>> e = evalue(0.8, 0.7, 0.95)
    >>> round(e.point, 2), round(e.limit, 2)
    (1.81, 1.29)
    >>> e.summary()[:30]
    'E-value 1.81: an unmeasured co'
    """

    measure: str
    estimate: float
    lower: float
    upper: float
    rr: float
    rr_lower: float
    rr_upper: float
    point: float
    limit: float
    true: float = 1.0

    def summary(self) -> str:
        """One paragraph stating the E-values."""
        text = (
            f"E-value {self.point:.2f}: an unmeasured confounder associated with both treatment "
            f"and outcome by a risk ratio of {self.point:.2f} each, beyond the measured "
            f"covariates, could move the estimate ({self.measure} {self.estimate:.3g}) to "
            f"{self.true:g}; weaker confounding could not."
        )
        if np.isfinite(self.limit):
            text += f" For the interval limit nearer {self.true:g}: {self.limit:.2f}."
        return text


def evalue_rr(rr: float, true: float = 1.0) -> float:
    """E-value of a risk ratio: ``RR + sqrt(RR (RR - 1))`` after flipping ratios below ``true``.

    Examples
    --------
    >>> round(evalue_rr(3.9), 2)
    7.26
    >>> round(evalue_rr(1 / 3.9), 2)
    7.26
    """
    if not (np.isfinite(rr) and rr > 0 and true > 0):
        raise QueryError(f"a risk ratio must be positive and finite, got {rr!r} (true={true!r})")
    ratio = rr / true
    ratio = 1.0 / ratio if ratio < 1 else ratio
    return float(ratio + np.sqrt(ratio * (ratio - 1.0)))


def _to_rr(value: float, measure: str, rare: bool) -> float:
    if measure == "RR" or (measure in ("OR", "HR") and rare):
        return value
    if measure == "OR":
        return float(np.sqrt(value))  # common outcome (VanderWeele 2017)
    if measure == "HR":
        return float((1 - 0.5 ** np.sqrt(value)) / (1 - 0.5 ** np.sqrt(1 / value)))
    return float(np.exp(0.91 * value))  # SMD, the estimate itself (not a ratio)


def evalue(
    estimate: float,
    lower: float | None = None,
    upper: float | None = None,
    *,
    measure: str = "RR",
    rare: bool = False,
    se: float | None = None,
    true: float = 1.0,
) -> EValue:
    """E-values of a ratio-scale estimate and its interval.

    Parameters
    ----------
    estimate : float
        A risk, odds or hazard ratio, or a standardized mean difference (``measure="SMD"``:
        difference in means over the outcome's sd; converted by ``RR ~ exp(0.91 d)``).
    lower, upper : float, optional
        Interval limits on the same scale (for an SMD give ``se`` instead).
    measure : {"RR", "OR", "HR", "SMD"}
    rare : bool
        The outcome is rare (below about 15% by the end of follow-up): odds and hazard
        ratios then approximate risk ratios; otherwise ``sqrt(OR)`` and
        ``(1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR))``.
    se : float, optional
        Standard error of an SMD; its interval is ``exp(0.91 d -/+ 1.78 se)``.
    true : float
        The risk ratio the confounder would have to move the estimate to (default 1).

    Returns
    -------
    EValue

    Examples
    --------
    The example of VanderWeele & Ding (2017): RR 3.9, 95% CI 1.8 to 8.7.

    >>> e = evalue(3.9, 1.8, 8.7)
    >>> round(e.point, 2), round(e.limit, 2)
    (7.26, 3.0)
    >>> round(evalue(0.86, 0.75, 0.99, measure="OR").point, 3)
    1.369
    """
    if measure not in MEASURES:
        raise QueryError(f"measure must be one of {MEASURES}, got {measure!r}")
    if measure == "SMD":
        if lower is not None or upper is not None:
            raise QueryError("for measure='SMD' give se=, not lower/upper limits")
        rr = _to_rr(estimate, measure, rare)
        rr_lo, rr_hi = (
            (np.exp(0.91 * estimate - 1.78 * se), np.exp(0.91 * estimate + 1.78 * se))
            if se is not None
            else (np.nan, np.nan)
        )
    else:
        for name, v in (("estimate", estimate), ("lower", lower), ("upper", upper)):
            if v is not None and not (np.isfinite(v) and v > 0):
                raise QueryError(f"{name} must be a positive ratio for {measure}, got {v!r}")
        if lower is not None and upper is not None and not lower <= estimate <= upper:
            raise QueryError(f"need lower <= estimate <= upper, got {lower}, {estimate}, {upper}")
        rr = _to_rr(estimate, measure, rare)
        rr_lo = np.nan if lower is None else _to_rr(lower, measure, rare)
        rr_hi = np.nan if upper is None else _to_rr(upper, measure, rare)
    point = evalue_rr(rr, true)
    # The limit nearer the null: 1 when the interval includes the null value.
    nearer = rr_lo if rr > true else rr_hi
    if not np.isfinite(nearer):
        limit = np.nan
    elif (rr > true and nearer <= true) or (rr < true and nearer >= true) or rr == true:
        limit = 1.0
    else:
        limit = evalue_rr(float(nearer), true)
    return EValue(
        measure=measure,
        estimate=float(estimate),
        lower=np.nan if lower is None else float(lower),
        upper=np.nan if upper is None else float(upper),
        rr=float(rr),
        rr_lower=float(rr_lo),
        rr_upper=float(rr_hi),
        point=point,
        limit=float(limit),
        true=float(true),
    )
