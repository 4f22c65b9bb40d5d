"""Soft and continuous interventions: dose-response, shifts, marginal effects, policies.

All run on the one compiled graph of :class:`~causalbayes.estimands.worlds.InterventionalMean`
with per-unit treatment values (and, for stochastic policies, unit weights).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalbayes.errors import QueryError
from causalbayes.estimands.checks import check_names, evaluate_effect
from causalbayes.estimands.effect import Effect, query_effect
from causalbayes.estimands.values import encode_value
from causalbayes.inference.fit import Fit


def dose_response(
    fit: Fit, treatment: str, outcome: str, grid: Sequence[float], **options
) -> Effect:
    """``E[outcome | do(treatment = t)]`` over a grid of values, one compiled graph for all.

    Returns an Effect with dims ``(chain, draw, <treatment>)`` (levels in addition
    for a categorical outcome).

    Examples
    --------
    >>> cb.dose_response(fit, "dose", "yield", grid=np.linspace(0, 10, 21)).plot()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    grid = list(np.atleast_1d(np.asarray(grid)).tolist())
    codes = [encode_value(fit.scm, treatment, v) for v in grid]

    def evaluate(mean):
        return xr.concat([mean(c) for c in codes], dim=treatment).assign_coords({treatment: grid})

    draws, details, _ = evaluate_effect(fit, treatment, outcome, evaluate, **options)
    return query_effect(
        draws,
        "Dose-response",
        f"E[{outcome} | do({treatment}=t)]",
        fit,
        treatment,
        outcome,
        details,
    )


def shift_effect(fit: Fit, treatment: str, outcome: str, delta: float, **options) -> Effect:
    """Effect of the soft intervention ``treatment := treatment + delta`` for every unit.

    ``E[outcome | do(T = T_obs + delta)] - E[outcome | do(T = T_obs)]``; divided by
    a small ``delta`` it is the average marginal effect.

    Examples
    --------
    >>> cb.shift_effect(fit, "price", "sales", delta=-1.0).summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    observed = _observed_treatment(fit, treatment)
    if fit.scm[treatment].family_info.is_discrete and float(delta) != round(float(delta)):
        raise QueryError(f"{treatment!r} is discrete: shift it by a whole number")
    shifted = observed + delta
    _check_support(fit, treatment, shifted)
    draws, details, _ = evaluate_effect(
        fit, treatment, outcome, lambda mean: mean(shifted) - mean(observed), **options
    )
    description = f"E[{outcome} | do({treatment} := {treatment} + {delta})] - E[{outcome}]"
    return query_effect(
        draws, "Shift", description, fit, treatment, outcome, details, delta=float(delta)
    )


def average_marginal_effect(
    fit: Fit, treatment: str, outcome: str, *, step: float | None = None, **options
) -> Effect:
    """``mean_i dE[outcome] / d treatment`` at each unit's own treatment value.

    A central difference of two shifts, ``(E[Y | do(T := T + h)] - E[Y | do(T := T - h)]) / 2h``,
    with ``h`` a thousandth of the treatment's sd by default.

    Examples
    --------
    >>> cb.average_marginal_effect(fit, "price", "sales").summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    if fit.scm[treatment].family_info.is_discrete:
        raise QueryError(f"{treatment!r} is discrete: use ate() or contrasts() for its effects")
    observed = _observed_treatment(fit, treatment)
    h = float(step) if step is not None else 1e-3 * float(np.std(observed) or 1.0)
    draws, details, _ = evaluate_effect(
        fit,
        treatment,
        outcome,
        lambda mean: (mean(observed + h) - mean(observed - h)) / (2 * h),
        **options,
    )
    description = f"mean_i dE[{outcome}] / d{treatment} at the observed {treatment}"
    return query_effect(draws, "AME", description, fit, treatment, outcome, details, step=h)


def policy_value(
    fit: Fit,
    treatment: str,
    outcome: str,
    policy: Callable[[pd.DataFrame], Any],
    *,
    baseline: Callable[[pd.DataFrame], Any] | None = None,
    **options,
) -> Effect:
    """Value ``E[outcome]`` of a treatment policy, or its contrast with a ``baseline`` policy.

    ``policy(data)`` gets the fitted data frame and returns, per unit, the
    treatment value to set (a function of the unit's covariates: ``T := f(X)``)
    or, for a Bernoulli treatment, the probability of treating (a stochastic
    policy ``T ~ Bernoulli(pi(X))``; its value is averaged exactly over both
    arms rather than sampled).

    Examples
    --------
    >>> cb.policy_value(fit, "offer", "converted", lambda d: d.activity > 2,
    ...                  baseline=lambda d: np.zeros(len(d))).summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    plans = [
        _plan(fit, treatment, p) for p in ([policy] if baseline is None else [policy, baseline])
    ]

    def value_of(mean, plan):
        kind, x = plan
        if kind == "values":
            return mean(x)
        if mean.population == "bootstrap":
            # its two arms are two weighted sums; the bootstrap renormalises each on its own
            raise QueryError(
                "a stochastic policy's population value is not supported; use the sample "
                "value (population=False) or a deterministic policy"
            )
        w = x[:, None] / len(x)
        return (mean(1, w) + mean(0, (1 / len(x)) - w)).isel(subgroup=0, drop=True)

    def evaluate(mean):
        values = [value_of(mean, plan) for plan in plans]
        return values[0] if len(values) == 1 else values[0] - values[1]

    draws, details, _ = evaluate_effect(fit, treatment, outcome, evaluate, **options)
    name = "Policy value" if baseline is None else "Policy contrast"
    description = f"E[{outcome} | do({treatment} ~ policy)]" + (
        "" if baseline is None else " - same under baseline"
    )
    return query_effect(draws, name, description, fit, treatment, outcome, details)


def _check_support(fit: Fit, treatment: str, values: np.ndarray) -> None:
    """Refuse per-unit treatment values outside the node's support (a clear QueryError).

    Supports are intervals (of integers for discrete nodes), so the extremes decide,
    plus whole numbers for a discrete node.
    """
    for v in (values.min(), values.max()):
        encode_value(fit.scm, treatment, v)
    if fit.scm[treatment].family_info.is_discrete and np.any(values != np.round(values)):
        raise QueryError(f"{treatment!r} is discrete: its values must be whole numbers")


def _observed_treatment(fit: Fit, treatment: str) -> np.ndarray:
    observed = fit.encoded.values.get(treatment)
    if observed is None:
        raise QueryError(f"{treatment!r} is latent: a shift or policy needs its observed values")
    if fit.encoded.missing.get(treatment) is not None:
        raise QueryError(f"{treatment!r} has imputed entries: a shift needs every observed value")
    return observed


def _plan(fit: Fit, treatment: str, policy) -> tuple[str, np.ndarray]:
    """('values', per-unit treatment codes) or ('probability', per-unit P(treat)) of a policy."""
    if not callable(policy):
        raise QueryError("a policy is a function of the data frame returning one value per unit")
    raw = np.asarray(policy(fit.data.copy()), dtype=float)
    n = fit.encoded.n
    if raw.shape == ():
        raw = np.full(n, float(raw))
    if raw.shape != (n,):
        raise QueryError(
            f"the policy returned shape {raw.shape}; it must give one value per unit ({n})"
        )
    if not np.all(np.isfinite(raw)):
        raise QueryError("the policy returned non-finite values")
    node = fit.scm[treatment]
    if node.family == "Bernoulli":
        if np.any((raw < 0) | (raw > 1)):
            raise QueryError("a policy for a Bernoulli treatment returns probabilities in [0, 1]")
        return "probability", raw
    _check_support(fit, treatment, raw)
    return "values", raw.astype("int64") if node.family_info.is_discrete else raw


__all__ = ["average_marginal_effect", "dose_response", "policy_value", "shift_effect"]
