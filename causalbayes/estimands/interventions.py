"""Soft and continuous interventions: dose-response, shifts, marginal effects, policies.

All run on the one compiled graph of :class:`~causalbayes.estimands.worlds.InterventionalMean`
with per-unit treatment values (and, for stochastic policies, unit weights).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalbayes.errors import QueryError
from causalbayes.estimands.averages import PairQuery
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import Plan, evaluate
from causalbayes.estimands.values import encode_value
from causalbayes.inference.fit import Fit


@dataclass(frozen=True)
class DoseResponse(PairQuery):
    """``E[outcome | do(treatment = t)]`` over a grid of values (dims ``(chain, draw, <treatment>)``).

    The query form of :func:`dose_response`.

    Parameters
    ----------
    treatment, outcome : str
        Node names.
    grid : sequence of float
        The treatment values to set, one compiled graph for all.
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.DoseResponse("humid", "coating", grid=[-1.0, 0.0, 1.0])
    >>> cb.evaluate(query, example_fit(), random_seed=0).mean().round(2).values.tolist()
    [0.76, 0.25, -0.25]
    """

    grid: Sequence[float] = ()
    population: bool | str = False
    estimand = "Dose-response"

    def plan(self, fit: Fit) -> Plan:
        grid = list(np.atleast_1d(np.asarray(self.grid)).tolist())
        if not grid:
            raise QueryError("grid must hold at least one treatment value, e.g. grid=[0, 1, 2]")
        codes = [encode_value(fit.scm, self.treatment, v) for v in grid]
        t = self.treatment

        def contrast(mean):
            return xr.concat([mean(c) for c in codes], dim=t).assign_coords({t: grid})

        return Plan(
            description=f"E[{self.outcome} | do({t}=t)]",
            contrast=contrast,
            worlds={"population": self.population},
            arms=codes,
        )


@dataclass(frozen=True)
class Shift(PairQuery):
    """Effect of the soft intervention ``treatment := treatment + delta`` for every unit.

    ``E[Y | do(T = T_obs + delta)] - E[Y | do(T = T_obs)]``; divided by a small
    ``delta`` it is the average marginal effect.  The query form of :func:`shift_effect`.

    Parameters
    ----------
    treatment, outcome : str
        Node names; the treatment must be observed (a whole-number ``delta``
        for a discrete one).
    delta : float
        The shift added to every unit's treatment.
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> round(cb.evaluate(cb.Shift("humid", "coating", delta=0.5), example_fit()).mean(), 2)
    -0.25
    """

    delta: float = 1.0
    population: bool | str = False
    estimand = "Shift"

    def plan(self, fit: Fit) -> Plan:
        t = self.treatment
        observed = _observed_treatment(fit, t)
        try:
            delta = float(self.delta)
        except (TypeError, ValueError):
            raise QueryError(f"delta must be a number, got {self.delta!r}") from None
        if fit.scm[t].family_info.is_discrete and delta != round(delta):
            raise QueryError(f"{t!r} is discrete: shift it by a whole number")
        shifted = observed + delta
        _check_support(fit, t, shifted)
        return Plan(
            description=f"E[{self.outcome} | do({t} := {t} + {delta})] - E[{self.outcome}]",
            details={"delta": delta},
            contrast=lambda mean: mean(shifted) - mean(observed),
            worlds={"population": self.population},
        )


@dataclass(frozen=True)
class AverageMarginalEffect(PairQuery):
    """``mean_i dE[outcome] / d treatment`` at each unit's own treatment value.

    A central difference of two shifts, ``(E[Y | do(T := T + h)] - E[Y | do(T := T - h)]) / 2h``,
    with ``h`` a thousandth of the treatment's sd by default.  The query form of
    :func:`average_marginal_effect`.

    Parameters
    ----------
    treatment, outcome : str
        Node names; the treatment must be continuous and observed.
    step : float, optional
        ``h`` (default: a thousandth of the treatment's sd).
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.AverageMarginalEffect("humid", "coating")
    >>> round(cb.evaluate(query, example_fit(), random_seed=1).mean(), 1)  # dilution is redrawn
    -0.5
    """

    step: float | None = None
    population: bool | str = False
    estimand = "AME"

    def plan(self, fit: Fit) -> Plan:
        t = self.treatment
        if fit.scm[t].family_info.is_discrete:
            raise QueryError(f"{t!r} is discrete: use ate() or contrasts() for its effects")
        observed = _observed_treatment(fit, t)
        h = float(self.step) if self.step is not None else 1e-3 * float(np.std(observed) or 1.0)
        return Plan(
            description=f"mean_i dE[{self.outcome}] / d{t} at the observed {t}",
            details={"step": h},
            contrast=lambda mean: (mean(observed + h) - mean(observed - h)) / (2 * h),
            worlds={"population": self.population},
        )


@dataclass(frozen=True)
class PolicyValue(PairQuery):
    """Value ``E[outcome]`` of a treatment policy, or its contrast with a ``baseline`` policy.

    ``policy(data)`` gets the fitted data frame and returns, per unit, the
    treatment value to set (a function of the unit's covariates: ``T := f(X)``)
    or, for a Bernoulli treatment, the probability of treating (a stochastic
    policy ``T ~ Bernoulli(pi(X))``; its value is averaged exactly over both
    arms rather than sampled).  The query form of :func:`policy_value`.

    Parameters
    ----------
    treatment, outcome : str
        Node names.
    policy : callable
        ``policy(data)`` -> one treatment value (or probability) per unit.
    baseline : callable, optional
        Another policy; the query is then the contrast ``policy - baseline``.
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.

    Examples
    --------
    Dilute only on humid days:

    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.PolicyValue("dilution", "coating", policy=lambda d: d.humid > 0)
    >>> effect = cb.evaluate(query, example_fit())
    >>> effect.estimand, round(effect.mean(), 2)
    ('Policy value', 0.33)
    """

    policy: Callable[[pd.DataFrame], Any] | None = None
    baseline: Callable[[pd.DataFrame], Any] | None = None
    population: bool | str = False

    @property
    def estimand(self) -> str:  # type: ignore[override]
        return "Policy value" if self.baseline is None else "Policy contrast"

    def plan(self, fit: Fit) -> Plan:
        plans = [
            _plan(fit, self.treatment, p)
            for p in ([self.policy] if self.baseline is None else [self.policy, self.baseline])
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

        def contrast(mean):
            values = [value_of(mean, plan) for plan in plans]
            return values[0] if len(values) == 1 else values[0] - values[1]

        t, y = self.treatment, self.outcome
        description = f"E[{y} | do({t} ~ policy)]" + (
            "" if self.baseline is None else " - same under baseline"
        )
        return Plan(
            description=description, contrast=contrast, worlds={"population": self.population}
        )

    @property
    def label(self) -> str:
        kind = "policy_value" if self.baseline is None else "policy_contrast"
        return f"{kind}({self.treatment}, {self.outcome})"


def dose_response(
    fit: Fit,
    treatment: str,
    outcome: str,
    grid: Sequence[float],
    *,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """``E[outcome | do(treatment = t)]`` over a grid of values, one compiled graph for all.

    Options as in :func:`~causalbayes.ate`.  Dims ``(chain, draw, <treatment>)``
    (levels too for a categorical outcome).

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> curve = dose_response(example_fit(), "humid", "coating", grid=[-1.0, 0.0, 1.0])
    >>> curve.draws.sizes["humid"]
    3
    """
    return evaluate(
        DoseResponse(
            treatment, outcome, grid=tuple(np.atleast_1d(grid).tolist()), population=population
        ),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def shift_effect(
    fit: Fit,
    treatment: str,
    outcome: str,
    delta: float,
    *,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Effect of the soft intervention ``treatment := treatment + delta``; see :class:`Shift`.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> shift_effect(example_fit(), "humid", "coating", delta=0.5).estimand
    'Shift'
    """
    return evaluate(
        Shift(treatment, outcome, delta=delta, population=population),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def average_marginal_effect(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    step: float | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """``mean_i dE[outcome] / d treatment`` at the observed treatment; see :class:`AverageMarginalEffect`.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> round(average_marginal_effect(example_fit(), "humid", "coating", random_seed=1).mean(), 1)
    -0.5
    """
    return evaluate(
        AverageMarginalEffect(treatment, outcome, step=step, population=population),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def policy_value(
    fit: Fit,
    treatment: str,
    outcome: str,
    policy: Callable[[pd.DataFrame], Any],
    *,
    baseline: Callable[[pd.DataFrame], Any] | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Value of a treatment policy, or its contrast with a ``baseline``; see :class:`PolicyValue`.

    Examples
    --------
    >>> import numpy as np
    >>> from causalbayes.testing import example_fit
    >>> gain = policy_value(example_fit(), "dilution", "coating", lambda d: d.humid > 0,
    ...                     baseline=lambda d: np.zeros(len(d)))
    >>> gain.estimand
    'Policy contrast'
    """
    return evaluate(
        PolicyValue(treatment, outcome, policy=policy, baseline=baseline, population=population),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


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


__all__ = [
    "AverageMarginalEffect",
    "DoseResponse",
    "PolicyValue",
    "Shift",
    "average_marginal_effect",
    "dose_response",
    "policy_value",
    "shift_effect",
]
