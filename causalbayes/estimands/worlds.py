"""Interventional worlds built with ``pm.do``, evaluated vectorised over draws.

``E[outcome | do(treatment = t)]`` is compiled once as a function of the
posterior draws and of ``t`` (a symbolic intervention value), so any number of
treatment values reuses one compiled graph.  Units are averaged inside the
graph and draws are processed in chunks, so memory stays bounded.

Sample version: observed non-descendants of the treatment are held at their
observed values and latent ones at their posterior draws; descendants are
regenerated from their mechanisms.  Population version: every node other
than the treatment is drawn afresh from the model.  Every treatment value
sees the same regenerated units (common random numbers), so contrasts carry
no extra Monte Carlo noise from drawing the two worlds independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from pymc.pytensorf import reseed_rngs
from pytensor.graph.replace import vectorize_graph
from pytensor.tensor.random.type import RandomGeneratorType

from causalbayes.compile import build_model, expected_value
from causalbayes.inference.fit import Fit
from causalbayes.spec.naming import levels_dim

# Upper bound on draws x units held at once by one chunk (float64: ~200 MB).
CHUNK_ELEMENTS = 25_000_000


@dataclass(frozen=True)
class InterventionalMean:
    """Compiled ``E[outcome | do(treatment = t)]`` averaged over units, per posterior draw."""

    fit: Fit
    treatment: str
    outcome: str
    n_units: int
    input_names: tuple[str, ...]
    function: object  # compiled pytensor function (batched inputs..., t) -> (batch, ...)
    seed: int  # every call restarts the RNGs here: all values see the same regenerated units

    @classmethod
    def build(
        cls,
        fit: Fit,
        treatment: str,
        outcome: str,
        *,
        population: bool = False,
        n: int | None = None,
        random_seed=None,
    ) -> InterventionalMean:
        scm = fit.scm
        n_units = fit.encoded.n if n is None else n
        model = (
            fit.model
            if n_units == fit.encoded.n
            else build_model(scm, n=n_units, scales=fit.scales, exog=fit.encoded.exog)
        )
        dtype = "int64" if scm[treatment].family_info.is_discrete else "float64"
        value = pt.scalar("do_value", dtype=dtype)
        interventions = {treatment: pt.full((n_units,), value, dtype=dtype)}
        descendants = scm.dag.descendants(treatment)
        # the outcome itself is never held: its expected value is what we average
        held = (
            []
            if population
            else [v for v in scm.nodes if v not in descendants and v not in (treatment, outcome)]
        )
        interventions.update({v: fit.encoded.values[v] for v in held if v in fit.encoded.values})
        world = pm.do(model, interventions)
        target = expected_value(world[outcome]).mean(axis=0)
        parameters = {p.name for p in scm.parameters()}
        latent_held = {v for v in held if scm[v].latent}
        names = tuple(
            v.name
            for v in world.free_RVs
            if v.name in fit.posterior and (v.name in parameters or v.name in latent_held)
        )
        originals = [world[name] for name in names]
        batched = [
            pt.tensor(f"{name}__draws", shape=(None, *v.type.shape), dtype=v.dtype)
            for name, v in zip(names, originals, strict=True)
        ]
        per_draw = vectorize_graph(target, replace=dict(zip(originals, batched, strict=True)))
        function = pm.compile([*batched, value], per_draw, on_unused_input="ignore")
        seed = int(np.random.default_rng(random_seed).integers(2**31))
        return cls(fit, treatment, outcome, n_units, names, function, seed)

    def __call__(self, value) -> xr.DataArray:
        """Draws of the unit-averaged expected outcome under ``do(treatment = value)``."""
        posterior = self.fit.posterior
        chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
        flat = {name: _flat_draws(posterior[name]) for name in self.input_names}
        total = chains * draws
        step = max(1, CHUNK_ELEMENTS // max(1, self.n_units))
        rngs = [v for v in self.function.get_shared() if isinstance(v.type, RandomGeneratorType)]
        reseed_rngs(rngs, self.seed)  # common random numbers across treatment values
        pieces = []
        for start in range(0, total, step):
            chunk = [flat[name][start : start + step] for name in self.input_names]
            pieces.append(np.asarray(self.function(*chunk, value)))
        result = np.concatenate(pieces, axis=0).reshape(chains, draws, *pieces[0].shape[1:])
        extra_dims = self._outcome_dims(result.ndim - 2)
        coords = {"chain": posterior.chain.values, "draw": posterior.draw.values}
        if extra_dims:
            coords[extra_dims[0]] = list(self.fit.scm[self.outcome].levels)
        return xr.DataArray(result, dims=("chain", "draw", *extra_dims), coords=coords)

    def _outcome_dims(self, n_extra: int) -> tuple[str, ...]:
        return (levels_dim(self.outcome),) if n_extra else ()


def _flat_draws(da: xr.DataArray) -> np.ndarray:
    values = da.transpose("chain", "draw", ...).values
    return values.reshape(-1, *values.shape[2:])
