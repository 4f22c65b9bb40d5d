"""Create a node's parameter variables, and read them back from any model clone.

Kinds (see :meth:`causalbayes.scm.node.Node.parameter_locals`): ``prior``
parameters become PyMC variables with their prior (or constants when fixed);
``hierarchical`` ones (centred group effects) and ``auxiliary`` ones
(standard-normal offsets, R2-D2 weights) have built-in priors; ``derived``
ones are named deterministics.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from causalbayes.compile.standardize import ParameterPlan
from causalbayes.data.scales import Scales
from causalbayes.scm.priors import Prior
from causalbayes.scm.scm import SCM, Parameter
from causalbayes.scm.terms import Group


def create_parameters(
    scm: SCM, name: str, priors: dict[str, Prior], model: pm.Model, scales: Scales
):
    """Add the node's parameter variables to ``model`` (inside its context) and return them by local name.

    Parameters the :class:`~causalbayes.compile.standardize.ParameterPlan` takes
    are sampled on a standardized scale and appear as deterministics; the
    others are free variables with their priors, as declared.
    """
    plist = scm.parameters(name)
    plan = ParameterPlan(scm, name, priors, scales)
    dims = {p.local: p.dims for p in plist}
    for p in plist:
        if p.kind == "prior" and not priors[p.name].is_fixed and p.local not in plan.handled:
            dist = getattr(pm, priors[p.name].dist)  # a name from the PRIOR_DISTRIBUTIONS whitelist
            dist(p.name, **priors[p.name].kwargs, dims=p.dims or None)
    plan.create_coefficients(dims)
    params = read_parameters(scm, name, model, priors, kinds=("prior",))
    node = scm.nodes[name]
    terms = {t.name: t for t in node.terms}
    for p in plist:
        if p.kind in ("auxiliary", "hierarchical"):
            _auxiliary(p, node, terms, params, model)
    params.update(
        read_parameters(scm, name, model, priors, kinds=("prior", "auxiliary", "hierarchical"))
    )
    # cutpoints come from the first cutpoint, a location the coefficients shift: made last
    derived = [p for p in plist if p.kind == "derived"]
    for p in [p for p in derived if p.local != "cutpoints"]:
        pm.Deterministic(p.name, _derived(p, scm, name, terms, params, scales), dims=p.dims or None)
    params.update(read_parameters(scm, name, model, priors))
    plan.create_locations(params, dims)
    params.update(read_parameters(scm, name, model, priors))
    for p in [p for p in derived if p.local == "cutpoints"]:
        pm.Deterministic(p.name, _derived(p, scm, name, terms, params, scales), dims=p.dims or None)
    return read_parameters(scm, name, model, priors)


def read_parameters(
    scm: SCM,
    name: str,
    model: pm.Model,
    priors: dict[str, Prior],
    kinds: tuple[str, ...] | None = None,
) -> dict:
    """Tensors of the node's parameters in ``model`` (constants for fixed ones), by local name."""
    out = {}
    for p in scm.parameters(name):
        if kinds is not None and p.kind not in kinds:
            continue
        if p.name in model.named_vars:
            out[p.local] = model[p.name]
        elif p.kind == "prior" and priors[p.name].is_fixed:
            shape = tuple(len(model.coords[d]) for d in p.dims)
            out[p.local] = pt.as_tensor(np.full(shape, priors[p.name].kwargs["value"]))
    return out


def _auxiliary(p: Parameter, node, terms, params: dict, model: pm.Model) -> None:
    dims = p.dims or None
    if p.local == "r2.phi":
        k = len(node.r2d2_terms)
        pm.Dirichlet(p.name, a=np.full(k, node.r2d2.concentration), dims=dims)
    elif p.local.endswith(".z") or p.local == "r2.z":
        pm.Normal(p.name, 0.0, 1.0, dims=dims)
    elif isinstance(terms.get(p.local), Group):  # centred group effect
        pm.Normal(p.name, 0.0, params[f"{p.local}.sd"], dims=dims)


def _derived(p: Parameter, scm: SCM, name: str, terms, params: dict, scales: Scales):
    node = scm.nodes[name]
    if isinstance(terms.get(p.local), Group):  # non-centred: sd * standard-normal offsets
        return params[f"{p.local}.z"] * params[f"{p.local}.sd"]
    if p.local == "cutpoints":
        first = pt.atleast_1d(params["cutpoints.first"])
        gaps = params.get("cutpoints.gaps")
        return first if gaps is None else pt.concatenate([first, first + pt.cumsum(gaps)])
    # an R2-D2 coefficient: z_j * sigma * sqrt(phi_j * R2 / (1 - R2)) / sd(x_j)
    j = [t.name for t in node.r2d2_terms].index(p.local)
    term = node.r2d2_terms[j]
    r2 = params["r2"]
    sd_x = scales[term.name].sd
    return params["r2.z"][j] * params["sigma"] * pt.sqrt(params["r2.phi"][j] * r2 / (1 - r2)) / sd_x
