"""Interventional queries beyond the ATE, all on one compiled graph per (treatment, outcome).

Subgroup effects *condition* on the units' observed covariates (evidence):
``cate(by="region")`` averages the unit-level effects of the units observed
in each region.  To *set* a covariate instead, intervene on it too
(``cate(..., mode="set")``): every unit gets ``do(region = g)``, and what the
covariate causes changes with it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalbayes.errors import AssumptionWarning, QueryError
from causalbayes.estimands.checks import check_names, evaluate_effect
from causalbayes.estimands.effect import Effect, query_effect
from causalbayes.estimands.values import encode_value, treatment_pair
from causalbayes.inference.fit import Fit


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
    >>> cb.att(fit, "offer", "converted").summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    (a, b), codes = treatment_pair(fit.scm, treatment, values, fit.encoded.values.get(treatment))
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
    return query_effect(
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
    >>> cb.cate(fit, "offer", "converted", by="segment").summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    (a, b), codes = treatment_pair(fit.scm, treatment, values, fit.encoded.values.get(treatment))
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
    details["notes"] = _constant_across(draws, by, treatment, outcome, f"subgroup of {by!r}")
    return query_effect(
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


def _constant_across(
    draws: xr.DataArray, dim: str, treatment: str, outcome: str, what: str
) -> list[str]:
    """A note (and a warning) when the effect is identical across ``dim`` in every draw.

    Then the model's form, not the data, made the subgroups equal: e.g. a
    treatment that enters the outcome additively, with no interaction.
    """
    values = np.moveaxis(draws.values, draws.dims.index(dim), -1)
    if values.shape[-1] < 2:
        return []
    spread = values.max(axis=-1) - values.min(axis=-1)
    tolerance = 1e-9 * (np.abs(values).max() + float(np.std(values)) + 1e-300)
    if not np.all(spread <= tolerance):
        return []
    note = (
        f"the effect is identical for every {what} in every posterior draw: in this model "
        f"{treatment!r} acts on {outcome!r} without interacting with anything that differs "
        f"between them, so equal effects are an assumption of the model's form, not a finding. "
        f"Add interactions (e.g. interactions=['{treatment}:<modifier>'] on {outcome!r}) to let "
        "the data decide"
    )
    warnings.warn(note, AssumptionWarning, stacklevel=4)
    return [note]


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
    details["notes"] = _constant_across(draws, "profile", treatment, outcome, "profile")
    return query_effect(
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
    settings = [encode_value(scm, by, level) for level in levels]

    def per_level(mean):  # one compiled graph: the modifier's value is an input, like the treatment
        pieces = [
            mean(codes[0], also={by: code}) - mean(codes[1], also={by: code}) for code in settings
        ]
        return xr.concat(pieces, dim=by).assign_coords({by: [str(v) for v in levels]})

    draws, details, _ = evaluate_effect(
        fit, treatment, outcome, per_level, also={by: settings[0]}, **options
    )
    description = (
        f"E[{outcome} | do({treatment}={values[0]}, {by}=g)] - "
        f"E[{outcome} | do({treatment}={values[1]}, {by}=g)]"
    )
    details["notes"] = _constant_across(draws, by, treatment, outcome, f"value of {by!r}")
    return query_effect(
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
    >>> cb.controlled_direct_effect(fit, "t", "m", "y", at=0.0).summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    fit.scm.check_node(mediator, "mediator")
    (a, b), codes = treatment_pair(fit.scm, treatment, values, fit.encoded.values.get(treatment))
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
    return query_effect(
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
    >>> cb.contrasts(fit, "page", "bought", pairs="all").summary()  # doctest: +SKIP
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
    return query_effect(
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


__all__ = [
    "att",
    "atu",
    "cate",
    "contrasts",
    "controlled_direct_effect",
]
