"""Interventional worlds built with ``pm.do``, evaluated vectorised over draws.

``E[outcome | do(treatment = t)]`` is compiled once as a function of the
posterior draws and of ``t`` (a symbolic intervention value), so any number of
treatment values reuses one compiled graph.  Units are averaged inside the
graph and draws are processed in chunks, so memory stays bounded.

Sample version: observed non-descendants of the treatment are held at their
observed values (imputed entries at their posterior draws) and latent ones at
their posterior draws; descendants are regenerated from their mechanisms.
Population version: every node other than the treatment is drawn afresh from
the model.  Every treatment value sees the same regenerated units (common
random numbers), so contrasts carry no extra Monte Carlo noise from drawing
the two worlds independently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from causalbayes.compile import Design, build_model, expected_value, model_and_design
from causalbayes.data.encode import encode_data
from causalbayes.errors import QueryError
from causalbayes.estimands.draws import DrawFunction, as_draws_array, flat_draws
from causalbayes.estimands.fitted import require_fitted
from causalbayes.estimands.linear_average import linear_average
from causalbayes.inference.fit import Fit
from causalbayes.scm.naming import UNIT_DIM, levels_dim


def posterior_inputs(fit: Fit, world: pm.Model, held_latent=()) -> dict[str, pt.TensorVariable]:
    """World variables to feed with posterior draws.

    The user's parameters themselves (free or deterministic: mechanisms read
    only them, so how they were sampled does not matter and a one-draw fit of
    true values needs nothing else), every other non-node free variable, and
    the held latent nodes.
    """
    nodes = set(fit.scm.nodes)
    named = [p.name for p in fit.scm.parameters() if p.kind != "auxiliary"]
    inputs = {
        name: world[name]
        for name in named
        if name in fit.posterior and name in world.named_vars and name not in world.rvs_to_values
    }
    inputs.update(
        {
            v.name: v
            for v in world.free_RVs
            if v.name in fit.posterior and (v.name not in nodes or v.name in held_latent)
        }
    )
    return inputs


def held_values(encoded, names) -> tuple[dict, dict]:
    """Interventions holding observed nodes at their data, and placeholders for imputed entries."""
    interventions, placeholders = {}, {}
    for v in names:
        column = encoded.values.get(v)
        if column is None:
            continue
        mask = encoded.missing.get(v)
        if mask is None:
            interventions[v] = column
            continue
        filler = pt.vector(f"{v}.missing", dtype=str(column.dtype))
        base = pt.as_tensor(np.where(mask, 0.0, column))
        interventions[v] = pt.set_subtensor(base[np.flatnonzero(mask)], filler)
        placeholders[f"{v}.missing"] = filler
    return interventions, placeholders


def world_mechanisms(scm, set_nodes, outcome: str, population=False) -> frozenset[str]:
    """Mechanisms ``E[outcome | do(set_nodes)]`` reads in :class:`InterventionalMean`.

    The outcome's, and those of the nodes the world regenerates on the way: the
    outcome's ancestors downstream of a set node (every ancestor for
    ``population="model"``).  Held nodes are data; latent or imputed ones are read from
    the posterior of the block of the mechanism that reads them.

    Examples
    --------
    >>> import causalbayes as cb
    >>> sorted(world_mechanisms(cb.examples.coating_scm(), {"dilution"}, "coating"))
    ['coating']
    >>> sorted(world_mechanisms(cb.examples.coating_scm(), {"dilution"}, "coating", "model"))
    ['coating', 'humid']
    """
    set_nodes = set(set_nodes)
    upstream = scm.dag.ancestors(outcome)
    if population == "model":
        moved = set(upstream)
    else:
        moved = upstream & set().union(*(scm.dag.descendants(v) for v in set_nodes))
    return frozenset(v for v in ({outcome} | moved) - set_nodes if not scm.nodes[v].is_given)


BOOTSTRAP_INPUT = "bootstrap_weights"


def population_mode(population, n) -> str | bool:
    """``population=`` as False, ``"bootstrap"`` or ``"model"``, checked with ``n``."""
    if population is True:
        mode: str | bool = "bootstrap"
    elif population is False or (isinstance(population, str) and population in POPULATIONS):
        mode = population
    else:
        raise QueryError(
            f"population must be False (the sample's units), True or 'bootstrap' (a Bayesian "
            f"bootstrap of them) or 'model' (units drawn from the model), got {population!r}"
        )
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise QueryError(f"n must be a positive whole number of units, got {n!r}")
    if n is not None and mode != "model":
        raise QueryError(
            "n only applies to population='model' (units drawn from the model); the sample "
            "and the Bayesian bootstrap use the data's units"
        )
    return mode


POPULATIONS = ("bootstrap", "model")


def check_given(scm, outcome: str, set_nodes: set, descendants: set, population) -> None:
    """Given nodes are data: refuse a query that would have to regenerate one."""
    upstream = scm.dag.ancestors(outcome) | {outcome}
    moved = [v for v in scm.given if v in descendants and v in upstream and v not in set_nodes]
    if moved:
        raise QueryError(
            f"{moved} are given (data, not modelled) but lie between the intervention on "
            f"{sorted(set_nodes)} and {outcome!r}, so the intervention would change them; "
            "declare a family for them (e.g. cb.Normal([...])) so they can be regenerated"
        )
    drawn = [v for v in scm.given if v in upstream and v not in set_nodes]
    if population == "model" and drawn:
        raise QueryError(
            f"population='model' draws every unit from the model, but {drawn} are given "
            "(not modelled); use population=True (a Bayesian bootstrap of the observed units)"
        )


@dataclass(frozen=True)
class BootstrapWeights:
    """Bayesian-bootstrap unit weights (``n`` times a flat Dirichlet), one row per draw.

    Sliced lazily (draws x units never held at once) and seeded per draw, so
    the weights do not depend on how the draws are chunked.
    """

    draws: int
    units: int
    seed: int

    def __len__(self) -> int:
        return self.draws

    def __getitem__(self, rows: slice) -> np.ndarray:
        out = np.empty((len(range(*rows.indices(self.draws))), self.units))
        for k, i in enumerate(range(*rows.indices(self.draws))):
            e = np.random.default_rng((self.seed, i)).standard_exponential(self.units)
            out[k] = e * (self.units / e.sum())
        return out


def typed_like(model: pm.Model, interventions: dict) -> dict:
    """Interventions cast to their variables' dtypes (PyMC stores integer data as int32)."""
    out = {}
    for name, value in interventions.items():
        dtype = model[name].type.dtype
        if isinstance(value, np.ndarray):
            out[name] = value.astype(dtype, copy=False)
        else:
            out[name] = value if value.dtype == dtype else pt.cast(value, dtype)
    return out


@dataclass(frozen=True)
class InterventionalMean:
    """Compiled weighted unit averages of ``E[outcome | do(treatment = t_i)]``, per posterior draw.

    The treatment value is a symbolic per-unit vector and the averaging a
    symbolic ``(units, k)`` weight matrix, so one compiled graph serves hard
    interventions, shifts (``t_i = observed_i + d``), functions of the
    parents, every subgroup average (ATT, ATU, CATE) and stochastic policies.
    Further set nodes (``also``) are symbolic too, so setting a modifier to
    each of its levels reuses the same compiled graph.
    """

    fit: Fit
    treatment: str
    outcome: str
    n_units: int
    draws: DrawFunction
    also: tuple[tuple[str, Any], ...] = ()  # (node, default encoded value) per further set node
    population: str | bool = False  # False, "bootstrap" or "model"
    bootstrap_seed: int = 0
    per_unit: bool = False  # one mean per unit, no averaging (unit-level effects)

    @classmethod
    def build(
        cls,
        fit: Fit,
        treatment: str,
        outcome: str,
        *,
        population: bool | str = False,
        n: int | None = None,
        also: dict | None = None,
        units: pd.DataFrame | None = None,
        per_unit: bool = False,
        random_seed=None,
    ) -> InterventionalMean:
        """``also`` sets further nodes for every unit (``{node: encoded value}``); ``units``
        replaces the fitted rows by new ones (their columns are held, latent nodes drawn).

        ``per_unit``: return every unit's own mean, dims ``(chain, draw, unit)``, instead
        of weighted averages (the identity weight matrix without its ``n^2`` product).

        ``population``: False (the units as they are), ``"bootstrap"`` (or True: the
        units reweighted by a Bayesian bootstrap per draw) or ``"model"`` (``n`` units
        drawn afresh from the model).
        """
        scm = fit.scm
        population = population_mode(population, n)
        if per_unit and population:
            raise QueryError("per-unit means are the units' own: population= does not apply")
        also = dict(also or {})
        encoded = fit.encoded
        if units is not None:
            if population or n is not None:
                raise QueryError("units= gives the units themselves: drop population= and n=")
            encoded = encode_data(scm, units, nodes=[v for v in scm.observed if v in units.columns])
            n = encoded.n
        n_units = encoded.n if n is None else n
        set_nodes = {treatment, *also}
        descendants = set().union(*(scm.dag.descendants(v) for v in set_nodes))
        check_given(scm, outcome, set_nodes, descendants, population)
        if units is not None:
            model, design = model_and_design(encoded, fit.scales)
        elif n_units == fit.encoded.n:
            model, design = fit.model, fit.design
        else:
            if fit.encoded.exog or fit.encoded.groups:
                raise QueryError(
                    "this SCM reads exogenous columns (trials, standard errors or groups) per unit; "
                    "a population of another size has none: leave n unset"
                )
            design = Design(n_units, fit.scales)
            model = build_model(scm, n=n_units, scales=fit.scales)
        dtype = "int64" if scm[treatment].family_info.is_discrete else "float64"
        value = pt.vector("do_value", dtype=dtype, shape=(n_units,))
        weights = pt.matrix("unit_weights", shape=(n_units, None))
        interventions = {treatment: value}
        also_values = []
        for node in also:
            kind = "int64" if scm[node].family_info.is_discrete else "float64"
            interventions[node] = pt.vector(f"do_{node}", dtype=kind, shape=(n_units,))
            also_values.append(interventions[node])
        # the outcome itself is never held: its expected value is what we average
        held = (
            []
            if population == "model"
            else [v for v in scm.nodes if v not in descendants | set_nodes and v != outcome]
        )
        held_data, placeholders = held_values(encoded, held)
        interventions.update(held_data)
        world = pm.do(model, typed_like(model, interventions))
        mean = expected_value(scm, outcome, world, design)
        if population == "bootstrap":
            # Dirichlet(1, ..., 1) weights over the units, fresh for every draw, renormalised
            # within each column so that subgroup averages stay averages
            bootstrap = pt.vector(BOOTSTRAP_INPUT, shape=(n_units,))
            reweighted = weights * bootstrap[:, None]
            weights_used = reweighted * (weights.sum(axis=0) / reweighted.sum(axis=0))[None, :]
        else:
            weights_used = weights
        # latent values have a posterior only for the fitted units; new units draw them afresh
        held_latent = {v for v in held if scm[v].latent} if units is None else set()
        inputs = posterior_inputs(fit, world, held_latent=held_latent)
        inputs.update(placeholders)
        if population == "bootstrap":
            inputs[BOOTSTRAP_INPUT] = bootstrap
        # weighted unit averages: (k,) for a numeric outcome, (k, levels) for a categorical one;
        # a mean linear in the parameters is averaged over units once, not once per draw
        target = None if per_unit else linear_average(mean, weights_used, inputs.values())
        per_draw_units = n_units if target is None else 1  # sizes the chunks of draws
        if target is None:
            target = mean if per_unit else pt.tensordot(weights_used, mean, axes=[[0], [0]])
        require_fitted(fit, inputs, [target])
        draws = DrawFunction.compile(
            inputs,
            [target],
            extra=[value, *([] if per_unit else [weights]), *also_values],
            units=per_draw_units,
            random_seed=random_seed,
        )
        seed = int(np.random.default_rng(random_seed).integers(2**31))
        return cls(
            fit, treatment, outcome, n_units, draws, tuple(also.items()), population, seed, per_unit
        )

    def __call__(self, value, weights=None, *, groups=None, also=None) -> xr.DataArray:
        """Draws of ``sum_i w_ik E[outcome | do(treatment = value_i)]``.

        ``value`` is one treatment value (in the model's encoding) for every
        unit or an array with one per unit.  Without ``weights``: the plain
        average over units, dims ``(chain, draw[, levels])``.  With a
        ``(units, k)`` weight matrix: one average per column, labelled by
        ``groups = (dim name, labels)``.  ``also`` overrides the values of the
        further set nodes given to :meth:`build` (``{node: encoded value}``).
        """
        values = self._per_unit(self.treatment, value)
        settings = dict(self.also)
        unknown = set(also or {}) - set(settings)
        if unknown:
            raise QueryError(f"{sorted(unknown)} were not set when this mean was built")
        settings.update(also or {})
        if self.per_unit and weights is not None:
            raise QueryError("a per-unit mean returns every unit: weights do not apply")
        plain = weights is None and not self.per_unit
        if plain:
            weights = np.full((self.n_units, 1), 1.0 / self.n_units)
        posterior = self.fit.posterior
        names = [v for v in self.draws.input_names if v != BOOTSTRAP_INPUT]
        inputs = flat_draws(posterior, names)
        if self.population == "bootstrap":
            total = posterior.sizes["chain"] * posterior.sizes["draw"]
            inputs[BOOTSTRAP_INPUT] = BootstrapWeights(total, self.n_units, self.bootstrap_seed)
        (result,) = self.draws(
            inputs,
            values,
            *([] if self.per_unit else [np.asarray(weights, "float64")]),
            *(self._per_unit(node, code) for node, code in settings.items()),
        )
        dims, coords = [], {}
        if plain:
            result = result[:, 0]
        elif self.per_unit:
            dims.append(UNIT_DIM)
            coords[UNIT_DIM] = np.arange(self.n_units)
        else:
            dim, labels = groups or ("subgroup", list(range(result.shape[1])))
            dims.append(dim)
            coords[dim] = list(labels)
        levels = self.fit.scm[self.outcome].levels if result.ndim > 1 + len(dims) else None
        if levels is not None:
            dims.append(levels_dim(self.outcome))
            coords[levels_dim(self.outcome)] = list(levels)
        return as_draws_array(result, posterior, dims, coords)

    def _per_unit(self, node: str, value) -> np.ndarray:
        kind = "int64" if self.fit.scm[node].family_info.is_discrete else "float64"
        return np.broadcast_to(np.asarray(value), (self.n_units,)).astype(kind)
