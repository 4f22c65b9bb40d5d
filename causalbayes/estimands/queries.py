"""Interventional queries beyond the ATE, all on one compiled graph per (treatment, outcome).

Subgroup effects *condition* on the units' observed covariates (evidence):
``cate(by="region")`` averages the unit-level effects of the units observed
in each region.  To *set* a covariate instead, intervene on it too
(``cate(..., mode="set")``): every unit gets ``do(region = g)``, and what the
covariate causes changes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalbayes.errors import QueryError
from causalbayes.estimands.checks import check_names, evaluate_effect
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.values import encode_value, treatment_pair
from causalbayes.inference.fit import Fit


def _effect(draws, estimand, description, fit, treatment, outcome, details, **extra) -> Effect:
    return Effect(
        draws=draws.rename(estimand.lower()),
        estimand=estimand,
        description=description,
        details={"treatment": treatment, "outcome": outcome, **extra, **details},
    )


def _indicator_weights(masks: np.ndarray, labels: Sequence, what: str) -> np.ndarray:
    """Columns of equal weights over the units in each subgroup; refuses empty subgroups."""
    counts = masks.sum(axis=0)
    if np.any(counts == 0):
        empty = [str(lab) for lab, c in zip(labels, counts, strict=True) if c == 0]
        raise QueryError(f"no unit in {what} {empty}; drop those values")
    return masks / counts


def att(
    fit: Fit, treatment: str, outcome: str, *, values=None, among: str = "treated", **options
) -> Effect:
    """Average effect among the treated (``among="treated"``, ATT) or the untreated (ATU).

    The units are those whose *observed* treatment equals the treated (or
    control) value; each keeps its observed covariates.

    Examples
    --------
    >>> fit.att("offer", "converted").summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    (a, b), codes = treatment_pair(fit.scm, treatment, values)
    if among not in ("treated", "untreated"):
        raise QueryError(f"among must be 'treated' or 'untreated', got {among!r}")
    observed = fit.encoded.values.get(treatment)
    if observed is None:
        raise QueryError(
            f"{among} units are defined by the observed {treatment!r}, which is latent"
        )
    chosen = observed == (codes[0] if among == "treated" else codes[1])
    weights = _indicator_weights(chosen[:, None].astype(float), [among], "the group")
    draws, details, _ = evaluate_effect(
        fit,
        treatment,
        outcome,
        lambda mean: (mean(codes[0], weights) - mean(codes[1], weights)).isel(
            subgroup=0, drop=True
        ),
        **options,
    )
    name = "ATT" if among == "treated" else "ATU"
    description = f"E[{outcome} | do({treatment}={a}) - do({treatment}={b}), {treatment} observed {a if among == 'treated' else b}]"
    return _effect(
        draws,
        name,
        description,
        fit,
        treatment,
        outcome,
        details,
        values=[a, b],
        n_units=int(chosen.sum()),
    )


def atu(fit: Fit, treatment: str, outcome: str, **kwargs) -> Effect:
    """Average effect among the untreated; see :func:`att`."""
    return att(fit, treatment, outcome, among="untreated", **kwargs)


def cate(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    by: str | pd.Series | None = None,
    profiles: pd.DataFrame | dict | None = None,
    values=None,
    bins: int | Sequence[float] | None = None,
    mode: str = "condition",
    at: Sequence[Any] | None = None,
    **options,
) -> Effect:
    """Conditional average treatment effects by a subgroup column.

    Parameters
    ----------
    by : str or Series
        A column of the fitted data (a node or an exogenous column such as a
        grouping column), or any labels with one entry per fitted row (a
        Series, named).  Numeric columns with many values need ``bins``.
    bins : int or sequence of edges, optional
        Cut a numeric ``by`` into quantile bins (int) or at the given edges.
    mode : {"condition", "set"}
        ``"condition"`` (default): average the unit effects over the units
        *observed* in each subgroup.  ``"set"``: intervene on ``by`` as well,
        ``do(by = g)`` for every unit, so what ``by`` causes changes with it
        (``by`` must be a node; see the module notes).
    at : sequence, optional
        With ``mode="set"``: the values to set ``by`` to (default: its levels).
    profiles : DataFrame or dict, optional
        Instead of ``by``: new units described by covariate values (a dict for
        one unit); the effect for each, with every given column held and the
        rest (latent nodes, unlisted causes) drawn from the model.

    Returns
    -------
    Effect
        Dims ``(chain, draw, <by>)``.

    Examples
    --------
    >>> fit.cate("offer", "converted", by="segment").summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    (a, b), codes = treatment_pair(fit.scm, treatment, values)
    if (by is None) == (profiles is None):
        raise QueryError("give either by= (subgroups of the fitted units) or profiles= (new units)")
    if profiles is not None:
        return _cate_profiles(fit, treatment, outcome, profiles, (a, b), codes, **options)
    if mode == "set":
        return _cate_set(fit, treatment, outcome, by, (a, b), codes, at, **options)
    if mode != "condition":
        raise QueryError(f"mode must be 'condition' or 'set', got {mode!r}")
    labels, masks, by = _subgroups(fit, by, bins)
    weights = _indicator_weights(masks, labels, f"subgroup(s) of {by!r}")
    groups = (by, [str(lab) for lab in labels])
    draws, details, _ = evaluate_effect(
        fit,
        treatment,
        outcome,
        lambda mean: (
            mean(codes[0], weights, groups=groups) - mean(codes[1], weights, groups=groups)
        ),
        **options,
    )
    description = (
        f"E[{outcome} | do({treatment}={a})] - E[{outcome} | do({treatment}={b})] given {by}"
    )
    return _effect(
        draws,
        "CATE",
        description,
        fit,
        treatment,
        outcome,
        details,
        values=[a, b],
        by=by,
        mode=mode,
    )


def _subgroups(fit: Fit, by, bins) -> tuple[list, np.ndarray, str]:
    if isinstance(by, str):
        if by not in fit.data.columns:
            raise QueryError(
                f"subgroup column {by!r} is not in the fitted data (columns {list(fit.data.columns)}); "
                "pass the labels themselves, e.g. by=df['segment']"
            )
        column = fit.data[by]
    else:
        column = pd.Series(np.asarray(by), name=getattr(by, "name", None) or "subgroup")
        if len(column) != fit.encoded.n:
            raise QueryError(f"by has {len(column)} labels; the fit has {fit.encoded.n} rows")
        by = str(column.name)
    if bins is not None:
        column = (
            pd.qcut(column, bins)
            if isinstance(bins, int)
            else pd.cut(column, bins, include_lowest=True)
        )
    elif pd.api.types.is_float_dtype(column) and column.nunique() > 20:
        raise QueryError(f"{by!r} is continuous: give bins= (a number of quantile bins, or edges)")
    categories = column.astype("category")
    labels = list(categories.cat.categories)
    masks = np.stack([(categories == lab).to_numpy() for lab in labels], axis=1).astype(float)
    return labels, masks, by


def _cate_profiles(fit, treatment, outcome, profiles, values, codes, **options) -> Effect:
    units = pd.DataFrame([profiles]) if isinstance(profiles, dict) else pd.DataFrame(profiles)
    if treatment in units.columns:
        units = units.drop(columns=treatment)  # the treatment is set, not observed
    if outcome in units.columns:
        raise QueryError(f"profiles describe units before the outcome: drop the {outcome!r} column")
    eye = np.eye(len(units))
    groups = ("profile", [str(i) for i in units.index])
    draws, details, _ = evaluate_effect(
        fit,
        treatment,
        outcome,
        lambda mean: mean(codes[0], eye, groups=groups) - mean(codes[1], eye, groups=groups),
        units=units,
        **options,
    )
    description = (
        f"E[{outcome} | do({treatment}={values[0]}), profile] - "
        f"E[{outcome} | do({treatment}={values[1]}), profile]"
    )
    return _effect(
        draws,
        "CATE",
        description,
        fit,
        treatment,
        outcome,
        details,
        values=list(values),
        mode="profiles",
    )


def _cate_set(fit, treatment, outcome, by, values, codes, at, **options) -> Effect:
    scm = fit.scm
    if not isinstance(by, str) or by not in scm:
        raise QueryError(f"mode='set' intervenes on {by!r}, which must be a node")
    if by in scm.dag.descendants(treatment):
        raise QueryError(
            f"{by!r} is caused by {treatment!r}: setting it would block part of the effect"
        )
    levels = list(at) if at is not None else scm[by].levels
    if levels is None:
        raise QueryError(f"{by!r} is numeric: say which values to set it to, e.g. at=[-1, 0, 1]")
    pieces = []
    details: dict = {}
    for level in levels:
        draws, details, _ = evaluate_effect(
            fit,
            treatment,
            outcome,
            lambda mean: mean(codes[0]) - mean(codes[1]),
            also={by: encode_value(scm, by, level)},
            **options,
        )
        pieces.append(draws)
    draws = xr.concat(pieces, dim=by).assign_coords({by: [str(v) for v in levels]})
    description = (
        f"E[{outcome} | do({treatment}={values[0]}, {by}=g)] - "
        f"E[{outcome} | do({treatment}={values[1]}, {by}=g)]"
    )
    return _effect(
        draws,
        "CATE",
        description,
        fit,
        treatment,
        outcome,
        details,
        values=list(values),
        by=by,
        mode="set",
    )


def controlled_direct_effect(
    fit: Fit, treatment: str, mediator: str, outcome: str, *, at: Any, values=None, **options
) -> Effect:
    """``E[Y | do(T=a, M=m)] - E[Y | do(T=b, M=m)]``: the effect with the mediator held at ``at``.

    Examples
    --------
    >>> fit.controlled_direct_effect("t", "m", "y", at=0.0).summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    fit.scm.check_node(mediator, "mediator")
    (a, b), codes = treatment_pair(fit.scm, treatment, values)
    draws, details, _ = evaluate_effect(
        fit,
        treatment,
        outcome,
        lambda mean: mean(codes[0]) - mean(codes[1]),
        also={mediator: encode_value(fit.scm, mediator, at)},
        **options,
    )
    description = (
        f"E[{outcome} | do({treatment}={a}, {mediator}={at})] - "
        f"E[{outcome} | do({treatment}={b}, {mediator}={at})]"
    )
    return _effect(
        draws, "CDE", description, fit, treatment, outcome, details, values=[a, b], at=at
    )


def contrasts(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    reference: Any = None,
    pairs: str = "reference",
    **options,
) -> Effect:
    """Effects among k arms: each against a reference (default) or all pairs.

    Examples
    --------
    >>> fit.contrasts("page", "bought", pairs="all").summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    node = fit.scm[treatment]
    if values is None:
        if node.levels is None:
            raise QueryError(f"{treatment!r} has no levels: give values=[...] to compare")
        values = list(node.levels)
    values = list(values)
    if len(values) < 2:
        raise QueryError("contrasts need at least two treatment values")
    codes = {str(v): encode_value(fit.scm, treatment, v) for v in values}
    reference = str(values[0] if reference is None else reference)
    if reference not in codes:
        raise QueryError(f"reference {reference!r} is not among the values {list(codes)}")
    if pairs == "reference":
        chosen = [(v, reference) for v in codes if v != reference]
    elif pairs == "all":
        chosen = [(b, a) for a, b in combinations(codes, 2)]
    else:
        raise QueryError(f"pairs must be 'reference' or 'all', got {pairs!r}")

    def evaluate(mean):
        means = {v: mean(code) for v, code in codes.items()}
        diffs = [means[x] - means[y] for x, y in chosen]
        return xr.concat(diffs, dim="contrast").assign_coords(
            contrast=[f"{x} - {y}" for x, y in chosen]
        )

    draws, details, _ = evaluate_effect(fit, treatment, outcome, evaluate, **options)
    description = f"E[{outcome} | do({treatment}=x)] - E[{outcome} | do({treatment}=y)]"
    return _effect(
        draws,
        "Contrasts",
        description,
        fit,
        treatment,
        outcome,
        details,
        values=list(codes),
        reference=reference,
    )


def dose_response(
    fit: Fit, treatment: str, outcome: str, grid: Sequence[float], **options
) -> Effect:
    """``E[outcome | do(treatment = t)]`` over a grid of values, one compiled graph for all.

    Returns an Effect with dims ``(chain, draw, <treatment>)`` (levels in addition
    for a categorical outcome).

    Examples
    --------
    >>> fit.dose_response("dose", "yield", grid=np.linspace(0, 10, 21)).plot()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    grid = list(np.atleast_1d(np.asarray(grid)).tolist())
    codes = [encode_value(fit.scm, treatment, v) for v in grid]

    def evaluate(mean):
        return xr.concat([mean(c) for c in codes], dim=treatment).assign_coords({treatment: grid})

    draws, details, _ = evaluate_effect(fit, treatment, outcome, evaluate, **options)
    return _effect(
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
    >>> fit.shift_effect("price", "sales", delta=-1.0).summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    observed = _observed_treatment(fit, treatment)
    if fit.scm[treatment].family_info.is_discrete and float(delta) != round(float(delta)):
        raise QueryError(f"{treatment!r} is discrete: shift it by a whole number")
    shifted = observed + delta
    for v in np.unique(shifted)[:1000]:  # the shifted values must stay in the support
        encode_value(fit.scm, treatment, v)
    draws, details, _ = evaluate_effect(
        fit, treatment, outcome, lambda mean: mean(shifted) - mean(observed), **options
    )
    description = f"E[{outcome} | do({treatment} := {treatment} + {delta})] - E[{outcome}]"
    return _effect(
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
    >>> fit.average_marginal_effect("price", "sales").summary()  # doctest: +SKIP
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
    return _effect(draws, "AME", description, fit, treatment, outcome, details, step=h)


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
    >>> fit.policy_value("offer", "converted", lambda d: d.activity > 2,
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
    return _effect(draws, name, description, fit, treatment, outcome, details)


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
    for v in np.unique(raw)[:1000]:
        encode_value(fit.scm, treatment, v)
    return "values", raw.astype("int64") if node.family_info.is_discrete else raw


__all__ = [
    "average_marginal_effect",
    "att",
    "atu",
    "cate",
    "contrasts",
    "controlled_direct_effect",
    "dose_response",
    "policy_value",
    "shift_effect",
]
