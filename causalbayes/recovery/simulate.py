"""Simulate data from an SCM with some parameters fixed by ``pm.do``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm

from causalbayes.compile import build_model
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import encode_data, se_column, trials_column
from causalbayes.data.scales import unit_scales
from causalbayes.errors import DataError, SpecError
from causalbayes.scm.scm import SCM


def simulate(
    scm: SCM,
    n: int,
    *,
    params: Mapping[str, Any] | None = None,
    random_seed: int | np.random.Generator | None = None,
    exog: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Simulate ``n`` units from ``scm``.

    Parameters listed in ``params`` are fixed with ``pm.do``; every other
    parameter is drawn once from its prior (default priors at unit scale).
    All parameter values used (fixed ones included) are reported in ``df.attrs["params"]``.

    Parameters
    ----------
    scm : SCM
    n : int
        Number of units (rows).
    params : mapping of parameter name -> value, optional
        E.g. ``{"coating.dilution": -0.421}``; vector parameters take arrays
        over their dims.  See ``scm.parameters()`` for the names.
    random_seed : int or numpy Generator, optional
    exog : DataFrame, optional
        Exogenous columns with ``n`` rows: Binomial trials, known standard
        errors, grouping columns (their labels set the groups), and the
        values of given nodes (``cb.Given``), which are data, never simulated.

    Returns
    -------
    DataFrame
        One column per node (latent nodes included), in topological order,
        then the exogenous columns of ``exog`` that the SCM reads.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> df = simulate(scm, 5, params={"y.x": 2.0}, random_seed=1)
    >>> list(df.columns), df.attrs["params"]["y.x"]
    (['x', 'y'], 2.0)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise SpecError(f"n must be a positive integer number of units, got {n!r}")
    n = int(n)
    scm, exog_arrays, groups = exogenous_inputs(scm, exog, n)
    model = build_model(scm, n=n, scales=unit_scales(), exog=exog_arrays, groups=groups)
    fixed = checked_params(model, params or {})
    world = pm.do(model, fixed) if fixed else model
    reported = {p.name for p in scm.parameters() if p.kind != "auxiliary"}
    free = [
        v.name
        for v in [*world.free_RVs, *world.deterministics]
        if v.name not in scm.nodes and v.name in reported
    ]
    draws = pm.draw(
        [world[name] for name in scm.order] + [world[p] for p in free], random_seed=random_seed
    )
    node_draws = dict(zip(scm.order, draws[: len(scm.order)], strict=True))
    frame = pd.DataFrame(
        {
            name: exog[name].to_numpy(copy=True)
            if scm.nodes[name].is_given
            else node_column(scm, name, node_draws[name])
            for name in scm.order
        }
    )
    priors = resolved_priors(scm, unit_scales())
    values = {name: prior.kwargs["value"] for name, prior in priors.items() if prior.is_fixed}
    values.update({name: _plain(v) for name, v in fixed.items()})
    values.update({name: _plain(v) for name, v in zip(free, draws[len(scm.order) :], strict=True)})
    frame.attrs["params"] = {p.name: values[p.name] for p in scm.parameters() if p.name in values}
    for col in dict.fromkeys(needed_columns(scm)):
        if exog is not None and col not in frame.columns:
            frame[col] = exog[col].to_numpy(copy=True)
    return frame


def needed_columns(scm: SCM) -> list[str]:
    """Exogenous columns the SCM reads: trials, standard errors, grouping columns, given nodes."""
    out = list(scm.given)
    out += [node.trials for node in scm.nodes.values() if isinstance(node.trials, str)]
    out += [node.measurement_error for node in scm.nodes.values() if node.measurement_error]
    out += [c for node in scm.nodes.values() for c in node.group_columns]
    return out


def exogenous_inputs(scm: SCM, exog: pd.DataFrame | None, n: int):
    """(SCM with group levels resolved, exogenous arrays, group codes) read from ``exog``."""
    trials = [node.trials for node in scm.nodes.values() if isinstance(node.trials, str)]
    errors = [node.measurement_error for node in scm.nodes.values() if node.measurement_error]
    needed = needed_columns(scm)
    if not needed:
        return scm, {}, {}
    if exog is None:
        raise DataError(
            f"the SCM reads exogenous column(s) {sorted(set(needed))} (trials, standard errors, "
            f"groups or given nodes); pass exog=DataFrame with them ({n} rows)"
        )
    if len(exog) != n:
        raise DataError(f"exog has {len(exog)} rows but n={n}")
    arrays = {col: trials_column(col, exog) for col in trials}
    arrays.update({col: se_column(col, exog) for col in errors})
    encoded = encode_data(scm, exog, nodes=scm.given)
    arrays.update({v: encoded.values[v] for v in scm.given})
    return encoded.scm, arrays, dict(encoded.groups)


def checked_params(model: pm.Model, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``params`` as float arrays shaped by the model's dims; unknown names and wrong shapes raise."""
    free = {v.name: v for v in [*model.free_RVs, *model.deterministics]}
    out = {}
    for name, value in params.items():
        if name not in free:
            raise SpecError(
                f"{name!r} is not an estimated parameter of this SCM; valid names are {sorted(n for n in free if '.' in n)}"
            )
        array = np.asarray(value, dtype="float64")
        expected = tuple(len(model.coords[d]) for d in model.named_vars_to_dims.get(name, ()))
        if array.shape != expected:
            raise SpecError(
                f"value for {name!r} has shape {array.shape}, expected {expected} (dims {model.named_vars_to_dims.get(name, ())})"
            )
        out[name] = array
    return out


def node_column(scm: SCM, name: str, values: np.ndarray):
    """A node's simulated values as a data column (categories, integer counts, floats)."""
    node = scm.nodes[name]
    if node.has_levels:
        return pd.Categorical.from_codes(
            values.astype(int),
            categories=list(node.levels),
            ordered=node.family == "OrderedLogistic",
        )
    if node.family_info.is_discrete:
        return values.astype(np.int64)
    if node.family == "Beta":  # a draw can round to exactly 0 or 1, outside Beta's support
        return np.clip(values.astype("float64"), _BETA_EPS, 1 - _BETA_EPS)
    return values.astype("float64")


_BETA_EPS = 1e-12


def _plain(value: np.ndarray) -> float | list:
    array = np.asarray(value, dtype="float64")
    return float(array) if array.ndim == 0 else array.tolist()
