"""A node's linear predictor from its parameters and its parents' tensors.

Shared by model building and by expected values on ``pm.do`` worlds, so a
node's mean is always computed the way its likelihood is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pytensor.tensor as pt

from causalbayes.compile.splines import spline_design
from causalbayes.data.scales import Scales
from causalbayes.errors import SpecError
from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Group, Interaction, Linear, Power, Spline


@dataclass(frozen=True)
class Design:
    """What a model needs besides node values: units, data scales, exogenous columns."""

    n: int
    scales: Scales
    exog: Mapping[str, np.ndarray] = field(default_factory=dict)  # trials, errors, given nodes
    groups: Mapping[str, np.ndarray] = field(default_factory=dict)  # grouping key -> codes


def linear_predictor(scm: SCM, name: str, params: dict, values: dict, design: Design):
    """``intercept + sum of terms`` (or the node's mechanism), shape ``(n,)`` or ``(n, K-1)``."""
    node = scm.nodes[name]
    if node.mechanism is not None:
        return _mechanism(name, node, params, values, design.n)
    out_shape = (len(node.levels) - 1,) if node.family == "Categorical" else ()
    eta = pt.zeros((design.n, *out_shape))
    if node.intercept:
        eta = eta + params["intercept"]
    cell_means = scm.cell_means_parent(name)
    for term in node.terms:
        eta = eta + term_contribution(
            scm,
            term,
            params[term.name],
            values,
            design,
            with_reference=term is not cell_means,
            categorical_out=bool(out_shape),
        )
    return eta


def hurdle_predictor(scm: SCM, name: str, params: dict, values: dict, design: Design):
    """Logit of ``P(node > 0)`` for hurdle families."""
    node = scm.nodes[name]
    eta = pt.zeros((design.n,)) + params["hurdle.intercept"]
    for term in node.hurdle_terms:
        eta = eta + term_contribution(
            scm, term, params[f"hurdle.{term.name}"], values, design, with_reference=True
        )
    return eta


def term_contribution(
    scm: SCM,
    term,
    coef,
    values: dict,
    design: Design,
    *,
    with_reference: bool,
    categorical_out: bool = False,
):
    """One term's additive contribution to the predictor."""

    def numeric(v):
        x = values[v]
        return x[:, None] if categorical_out else x

    if isinstance(term, Power):
        return coef * numeric(term.parent) ** term.exponent
    if isinstance(term, Spline):
        return pt.dot(spline_design(values[term.parent], term, design.scales), coef)
    if isinstance(term, Group):
        effect = coef[design.groups[term.key]]
        return effect * numeric(term.variable) if term.variable else effect
    return _table_term(scm, term, coef, values, numeric, with_reference)


def _table_term(scm: SCM, term: Linear | Interaction, coef, values, numeric, with_reference):
    """coef table indexed by categorical codes, times the product of numeric parents."""
    table, index = pt.as_tensor(coef), []
    for v in term.variables:
        if scm.is_categorical(v):
            if with_reference:  # the reference level's effect is zero
                table = _pad_reference(table, axis=len(index))
            index.append(values[v])
    contribution = table[tuple(index)] if index else table
    for v in term.variables:
        if not scm.is_categorical(v):
            contribution = contribution * numeric(v)
    return contribution


def _pad_reference(table, axis: int):
    first = (slice(None),) * axis + (slice(0, 1),)
    return pt.concatenate([pt.zeros_like(table[first]), table], axis=axis)


def _mechanism(name: str, node, params: dict, values: dict, n: int):
    mech = node.mechanism
    kwargs = {p: values[p] for p in node.parents}
    kwargs.update({k: params[k] for k, _ in mech.params})
    try:
        eta = pt.as_tensor(mech.function(**kwargs))
    except Exception as err:  # the user's code: report where it failed, keep the cause
        raise SpecError(
            f"node {name!r}: the custom mechanism {mech.name!r} failed when called with "
            f"{sorted(kwargs)}: {type(err).__name__}: {err}"
        ) from err
    if eta.ndim > 1:
        raise SpecError(
            f"node {name!r}: the custom mechanism {mech.name!r} must return one value per unit "
            f"(a vector or a scalar), got {eta.ndim} dimensions"
        )
    return pt.broadcast_to(eta.astype("float64"), (n,))
