"""SCM -> generative ``pm.Model``.

One PyMC random variable per node (dims ``unit``), one per estimated
parameter, named as in :mod:`causalbayes.scm.naming`.  Nothing is observed
here: conditioning (``pm.observe``) and interventions (``pm.do``) are pure
transforms applied to this model by the upper layers.  The one exception is
imputation: a node with missing entries is split into its observed rows
(named as the node, to be observed) and ``<node>.missing`` (latent).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Collection, Mapping
from itertools import pairwise

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
from pymc.distributions.mixture import MixtureTransformWarning

from causalbayes.compile.parameters import create_parameters, read_parameters
from causalbayes.compile.predictor import Design, hurdle_predictor, linear_predictor
from causalbayes.compile.sufficient import loglik_name
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import EncodedData, encode_data
from causalbayes.data.scales import Scales, scales_from_data, unit_scales
from causalbayes.errors import DataError, SpecError
from causalbayes.families import Extra
from causalbayes.scm.naming import (
    UNIT_DIM,
    basis_dim,
    contrasts_dim,
    cutpoints_dim,
    gaps_dim,
    groups_dim,
    levels_dim,
    r2d2_dim,
)
from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Spline


def build_model(
    scm: SCM,
    *,
    n: int,
    scales: Scales,
    exog: Mapping[str, np.ndarray] | None = None,
    groups: Mapping[str, np.ndarray] | None = None,
    impute: Mapping[str, np.ndarray] | None = None,
    nodes: Collection[str] | None = None,
    summaries: Mapping[str, tuple] | None = None,
) -> pm.Model:
    """The generative model of ``scm`` for ``n`` units.

    ``scales`` set the default priors (see :mod:`causalbayes.data.scales`);
    ``exog`` holds exogenous columns (Binomial trials, standard errors) and
    the values of given nodes;
    ``groups`` the integer group codes per grouping key; ``impute`` masks of
    the rows whose values are missing, per node (fitting only).

    Fitting one block of a factorized posterior: ``nodes`` are the nodes whose mechanisms
    the model holds (default: every modelled node); the parents they read from outside are
    data, their values in ``exog``, like given nodes.  ``summaries`` maps a node to
    ``(summariser, statistics)`` (:mod:`causalbayes.compile.sufficient`): its likelihood is
    written through the statistics of its observed data (a ``pm.Potential``), and its
    value, where a node of the block reads it, is its data in ``exog``.
    """
    design = Design(n, scales, dict(exog or {}), dict(groups or {}))
    impute = dict(impute or {})
    summaries = dict(summaries or {})
    priors = resolved_priors(scm, scales)
    modelled = set(scm.modelled if nodes is None else nodes)
    read = {p for m in modelled for p in scm.nodes[m].parents}
    with pm.Model(coords=_coords(scm, n)) as model:
        values: dict = {}
        for name in scm.order:
            if scm.nodes[name].is_given or name not in modelled:
                if nodes is None or name in read:
                    values[name] = _given(name, design)
                continue
            params = create_parameters(scm, name, priors, model, scales)
            if name in summaries:
                summariser, stats = summaries[name]
                pm.Potential(loglik_name(name), summariser.loglik(params, stats, scales))
                if name in read:
                    values[name] = _given(name, design)
                continue
            eta = linear_predictor(scm, name, params, values, design)
            node = scm.nodes[name]
            extra = _extra(scm, name, params, values, design)
            cls, kwargs = node.family_info.distribution(node, eta, params, extra)
            with warnings.catch_warnings():
                # PyMC finds no transform for a hurdle mixture; it only matters for a free
                # (latent) hurdle node, which NUTS cannot sample anyway (part discrete).
                warnings.filterwarnings("ignore", category=MixtureTransformWarning)
                if name in impute:
                    values[name] = _split_for_imputation(name, cls, kwargs, impute[name], n)
                else:
                    values[name] = cls(name, **kwargs, dims=UNIT_DIM)
    return model


def expected_value(scm: SCM, name: str, model: pm.Model, design: Design):
    """``E[name | parents]`` per unit, from the variables of ``model`` (any ``pm.do`` clone)."""
    return mean_given(scm, name, model, {p: model[p] for p in scm.nodes[name].parents}, design)


def mean_given(scm: SCM, name: str, model: pm.Model, parents: dict, design: Design):
    """``E[name | parents = given tensors]`` per unit, with the parameters of ``model``."""
    priors = resolved_priors(scm, design.scales)
    params = read_parameters(scm, name, model, priors)
    eta = linear_predictor(scm, name, params, parents, design)
    node = scm.nodes[name]
    return node.family_info.mean(node, eta, params, _extra(scm, name, params, parents, design))


def design_for(encoded: EncodedData, scales: Scales) -> Design:
    return Design(encoded.n, scales, dict(encoded.exog), dict(encoded.groups))


def model_and_design(encoded: EncodedData, scales: Scales) -> tuple[pm.Model, Design]:
    """The generative model of encoded units (their exogenous columns and groups) and its design."""
    model = build_model(
        encoded.scm, n=encoded.n, scales=scales, exog=encoded.exog, groups=encoded.groups
    )
    return model, design_for(encoded, scales)


def model_for_data(
    scm: SCM, data: pd.DataFrame, *, missing: str = "raise", standardize: bool = True
) -> tuple[EncodedData, Scales, pm.Model]:
    """Validate and encode ``data``, scale the default priors to it, build the generative model.

    With ``missing="impute"`` the model is split for imputation (see :func:`build_model`).
    ``standardize=False`` samples the user's parameters directly (same posterior).
    """
    encoded = encode_data(scm, data, missing=missing)
    scales = scales_from_data(encoded.scm, encoded)
    if not standardize:
        scales = dataclasses.replace(scales, standardize=False, rotations={})
    model = build_model(
        encoded.scm,
        n=encoded.n,
        scales=scales,
        exog=encoded.exog,
        groups=encoded.groups,
        impute=encoded.missing,
    )
    return encoded, scales, model


def generative_model(
    scm: SCM, *, data: pd.DataFrame | None = None, n: int | None = None
) -> pm.Model:
    """The generative model sized by ``data`` (priors scaled to it) or by ``n`` (unit scales).

    An ordinary ``pm.Model`` with one variable per node (dim ``unit``) and per
    parameter, named as in :doc:`/parameters`: draw from it, give it to
    ``pm.model_to_graphviz``, or condition it with ``pm.observe``.

    Examples
    --------
    >>> import pymc as pm
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> model = cb.generative_model(scm, n=5)
    >>> sorted(model.named_vars)
    ['x', 'x.intercept', 'x.sigma', 'y', 'y.intercept', 'y.sigma', 'y.x']
    >>> pm.draw(model["y"], random_seed=1).shape
    (5,)
    """
    if data is not None:
        encoded = encode_data(scm, data)
        scales = scales_from_data(encoded.scm, encoded)
        return build_model(
            encoded.scm, n=encoded.n, scales=scales, exog=encoded.exog, groups=encoded.groups
        )
    if n is None:
        raise SpecError("give data= or the number of units n=")
    return build_model(scm, n=n, scales=unit_scales())


def dim_lengths(scm: SCM, n: int) -> dict[str, int]:
    """Length of every dim of the model of ``scm`` for ``n`` units."""
    return {dim: len(labels) for dim, labels in _coords(scm, n).items()}


def _extra(scm: SCM, name: str, params: dict, values: dict, design: Design) -> Extra:
    node = scm.nodes[name]
    trials = (
        _exog_column(name, node.trials, "Binomial trials", design)
        if node.trials is not None
        else None
    )
    se = (
        _exog_column(name, node.measurement_error, "standard errors", design)
        if node.measurement_error
        else None
    )
    hurdle = (
        hurdle_predictor(scm, name, params, values, design) if node.family_info.hurdle else None
    )
    return Extra(trials=trials, se=se, hurdle_eta=hurdle)


def _given(name: str, design: Design):
    """A given node: its data as a named model variable (``pm.do`` can still set it)."""
    if name not in design.exog:
        raise DataError(
            f"node {name!r} is given (data, not modelled): pass data with a column {name!r} "
            "(simulate: exog=DataFrame), or declare a family for it to model it"
        )
    values = design.exog[name]
    if isinstance(values, np.ndarray):
        return pm.Data(name, values, dims=UNIT_DIM)
    return pm.Deterministic(name, values, dims=UNIT_DIM)  # symbolic rows (minibatches)


def _exog_column(name: str, column, what: str, design: Design):
    if isinstance(column, int):
        return column
    if column not in design.exog:
        raise DataError(
            f"node {name!r} reads its {what} from column {column!r}; pass a data frame with that column"
        )
    values = np.asarray(design.exog[column])
    if values.shape != (design.n,):
        raise DataError(f"{what} column {column!r} has {values.shape[0]} rows, expected {design.n}")
    return values


def _split_for_imputation(name: str, cls, kwargs: dict, mask: np.ndarray, n: int):
    """Observed rows as ``name`` (to be observed), missing rows as latent ``name.missing``."""
    seen, unseen = np.flatnonzero(~mask), np.flatnonzero(mask)

    def rows(value, index):
        value = pt.as_tensor(value)
        return value[index] if value.ndim >= 1 else value

    observed = cls(name, **{k: rows(v, seen) for k, v in kwargs.items()}, shape=len(seen))
    latent = cls(
        f"{name}.missing", **{k: rows(v, unseen) for k, v in kwargs.items()}, shape=len(unseen)
    )
    full = pt.zeros((n,), dtype=observed.dtype)
    return pt.set_subtensor(pt.set_subtensor(full[seen], observed)[unseen], latent)


def _coords(scm: SCM, n: int) -> dict[str, list]:
    coords: dict[str, list] = {UNIT_DIM: list(range(n))}
    for name in scm.order:
        node = scm.nodes[name]
        if node.has_levels:
            if node.levels is None:
                raise SpecError(
                    f"{node.family} node {name!r} needs levels=[...] to build a model without data; "
                    "they are read from the data when fitting"
                )
            coords[levels_dim(name)] = list(node.levels)
            coords[contrasts_dim(name)] = list(node.levels[1:])
            if node.family == "OrderedLogistic":
                coords[cutpoints_dim(name)] = [f"{a}|{b}" for a, b in pairwise(node.levels)]
                coords[gaps_dim(name)] = coords[cutpoints_dim(name)][1:]
        for key, _ in node.groups:
            levels = node.levels_of_group(key)
            if levels is None:
                raise SpecError(
                    f"node {name!r} varies by {key!r}, whose groups are read from the data; "
                    "fit or build the model with data, or simulate with groups=DataFrame"
                )
            coords[groups_dim(key)] = list(levels)
        for term in node.terms:
            if isinstance(term, Spline):
                coords[basis_dim(name, term.name)] = list(range(1, term.df + 1))
        if node.r2d2 is not None:
            coords[r2d2_dim(name)] = [t.name for t in node.r2d2_terms]
    return coords
