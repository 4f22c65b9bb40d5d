"""SCM -> generative ``pm.Model``.

One PyMC random variable per node (dims ``unit``), one per estimated
parameter, named as in :mod:`causalbayes.spec.naming`.  Nothing is observed
here: conditioning (``pm.observe``) and interventions (``pm.do``) are pure
transforms applied to this model by the upper layers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from causalbayes.errors import DataError, SpecError
from causalbayes.spec.data import EncodedData, encode_data
from causalbayes.spec.default_priors import resolved_priors
from causalbayes.spec.naming import UNIT_DIM, contrasts_dim, levels_dim
from causalbayes.spec.priors import Prior
from causalbayes.spec.scales import Scales, scales_from_data, unit_scales
from causalbayes.spec.scm import SCM, Parameter
from causalbayes.spec.terms import Interaction, Linear


def build_model(
    scm: SCM, *, n: int, scales: Scales, exog: Mapping[str, np.ndarray] | None = None
) -> pm.Model:
    """The generative model of ``scm`` for ``n`` units.

    ``scales`` set the default priors (see :mod:`causalbayes.spec.scales`);
    ``exog`` holds exogenous columns such as Binomial trials.
    """
    exog = dict(exog or {})
    priors = resolved_priors(scm, scales)
    with pm.Model(coords=_coords(scm, n)) as model:
        values: dict[str, pt.TensorVariable] = {}
        for name in scm.order:
            params = {p.local: _parameter(p, priors[p.name], model) for p in scm.parameters(name)}
            eta = _linear_predictor(scm, name, params, values, n)
            values[name] = _node_variable(scm, name, eta, params, exog, n)
    return model


def model_for_data(scm: SCM, data: pd.DataFrame) -> tuple[EncodedData, Scales, pm.Model]:
    """Validate and encode ``data``, scale the default priors to it, build the generative model."""
    encoded = encode_data(scm, data)
    scales = scales_from_data(encoded.scm, encoded)
    return encoded, scales, build_model(encoded.scm, n=encoded.n, scales=scales, exog=encoded.exog)


def generative_model(
    scm: SCM, *, data: pd.DataFrame | None = None, n: int | None = None
) -> pm.Model:
    """The generative model sized by ``data`` (priors scaled to it) or by ``n`` (unit scales)."""
    if data is not None:
        return model_for_data(scm, data)[2]
    if n is None:
        raise SpecError("give data= or the number of units n=")
    return build_model(scm, n=n, scales=unit_scales())


def _coords(scm: SCM, n: int) -> dict[str, list]:
    coords: dict[str, list] = {UNIT_DIM: list(range(n))}
    for name in scm.order:
        node = scm.nodes[name]
        if node.family == "Categorical":
            if node.levels is None:
                raise SpecError(
                    f"Categorical node {name!r} needs levels=[...] to build a model without data; they are read from the data when fitting"
                )
            coords[levels_dim(name)] = list(node.levels)
            coords[contrasts_dim(name)] = list(node.levels[1:])
    return coords


def _parameter(p: Parameter, prior: Prior, model: pm.Model):
    if prior.is_fixed:
        shape = tuple(len(model.coords[d]) for d in p.dims)
        return pt.as_tensor(np.full(shape, prior.kwargs["value"]))
    dist = getattr(pm, prior.dist)  # name comes from the PRIOR_DISTRIBUTIONS whitelist
    return dist(p.name, **prior.kwargs, dims=p.dims or None)


def _linear_predictor(scm: SCM, name: str, params: dict, values: dict, n: int):
    node = scm.nodes[name]
    out_shape = (len(node.levels) - 1,) if node.family == "Categorical" else ()
    eta = pt.zeros((n, *out_shape))
    if node.intercept:
        eta = eta + params["intercept"]
    cell_means = scm.cell_means_parent(name)
    for term in node.terms:
        eta = eta + _term(
            scm,
            term,
            params[term.name],
            values,
            with_reference=term is not cell_means,
            categorical_out=bool(out_shape),
        )
    return eta


def _term(
    scm: SCM,
    term: Linear | Interaction,
    coef,
    values: dict,
    *,
    with_reference: bool,
    categorical_out: bool,
):
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
            x = values[v]
            contribution = contribution * (x[:, None] if categorical_out else x)
    return contribution


def _pad_reference(table, axis: int):
    first = (slice(None),) * axis + (slice(0, 1),)
    return pt.concatenate([pt.zeros_like(table[first]), table], axis=axis)


def _inverse_link(link: str, eta):
    if link == "identity":
        return eta
    if link == "log":
        return pt.exp(eta)
    if link == "logit":
        return pt.sigmoid(eta)
    if link == "probit":
        return 0.5 * (1.0 + pt.erf(eta / np.sqrt(2.0)))
    raise SpecError(f"unknown link {link!r}")  # unreachable: links are validated in the spec


def _node_variable(scm: SCM, name: str, eta, params: dict, exog: Mapping[str, np.ndarray], n: int):
    node = scm.nodes[name]
    family, dims = node.family, UNIT_DIM
    if family == "Categorical":
        logits = pt.concatenate([pt.zeros((n, 1)), eta], axis=1)
        return pm.Categorical(name, logit_p=logits, dims=dims)
    mean = _inverse_link(node.link, eta)
    if family == "Normal":
        return pm.Normal(name, mu=mean, sigma=params["sigma"], dims=dims)
    if family == "StudentT":
        return pm.StudentT(name, nu=params["nu"], mu=mean, sigma=params["sigma"], dims=dims)
    if family == "LogNormal":
        return pm.LogNormal(name, mu=mean, sigma=params["sigma"], dims=dims)
    if family == "Gamma":
        return pm.Gamma(name, alpha=params["alpha"], beta=params["alpha"] / mean, dims=dims)
    if family == "Bernoulli":
        if node.link == "logit":  # numerically stable form
            return pm.Bernoulli(name, logit_p=eta, dims=dims)
        return pm.Bernoulli(name, p=mean, dims=dims)
    if family == "Binomial":
        trials = _trials(name, node.trials, exog, n)
        if node.link == "logit":
            return pm.Binomial(name, n=trials, logit_p=eta, dims=dims)
        return pm.Binomial(name, n=trials, p=mean, dims=dims)
    if family == "Poisson":
        return pm.Poisson(name, mu=mean, dims=dims)
    if family == "NegativeBinomial":
        return pm.NegativeBinomial(name, mu=mean, alpha=params["alpha"], dims=dims)
    raise SpecError(f"family {family!r} has no compiler")  # unreachable: families are validated


def _trials(name: str, trials, exog: Mapping[str, np.ndarray], n: int):
    if isinstance(trials, int):
        return trials
    if trials not in exog:
        raise DataError(
            f"node {name!r} reads its Binomial trials from column {trials!r}; pass a data frame with that column"
        )
    column = np.asarray(exog[trials])
    if column.shape != (n,):
        raise DataError(f"trials column {trials!r} has {column.shape[0]} rows, expected {n}")
    return pt.as_tensor(column)
