"""Evaluate a model expression for every posterior draw: vectorised, compiled once, chunked.

A graph built on one set of parameter values (a ``pm.do`` world) is turned
into a function of *batches* of draws with ``vectorize_graph``; draws are fed
in chunks so that draws x units never exceeds :data:`CHUNK_ELEMENTS`.
Random variables left in the graph (regenerated mediators, new units) are
reseeded before every evaluation, so repeated calls share the same random
numbers (common random numbers across treatment values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from pymc.pytensorf import reseed_rngs
from pytensor.graph.replace import vectorize_graph
from pytensor.tensor.random.type import RandomGeneratorType

# Upper bound on draws x units held at once by one chunk (float64: ~200 MB).
CHUNK_ELEMENTS = 25_000_000


@dataclass(frozen=True)
class DrawFunction:
    """``outputs(draws of inputs, *extra)`` compiled once, evaluated over all posterior draws."""

    input_names: tuple[str, ...]
    function: object
    seed: int
    units: int  # per-draw size of the largest output, to size chunks

    @classmethod
    def compile(
        cls,
        inputs: Mapping[str, pt.TensorVariable],
        outputs: Sequence[pt.TensorVariable],
        *,
        extra: Sequence[pt.TensorVariable] = (),
        units: int = 1,
        random_seed=None,
    ) -> DrawFunction:
        """``inputs`` maps posterior variable names to the graph variables they replace."""
        names = tuple(inputs)
        originals = [inputs[name] for name in names]
        batched = [
            pt.tensor(f"{name}__draws", shape=(None, *v.type.shape), dtype=v.dtype)
            for name, v in zip(names, originals, strict=True)
        ]
        per_draw = vectorize_graph(
            list(outputs), replace=dict(zip(originals, batched, strict=True))
        )
        function = pm.compile([*batched, *extra], per_draw, on_unused_input="ignore")
        seed = int(np.random.default_rng(random_seed).integers(2**31))
        return cls(names, function, seed, max(1, units))

    def __call__(self, draws: Mapping[str, np.ndarray], *extra) -> list[np.ndarray]:
        """Outputs for flat draws (``draws[name]`` shaped ``(total, ...)``), concatenated over chunks."""
        total = len(next(iter(draws.values()))) if draws else 1
        step = max(1, CHUNK_ELEMENTS // self.units)
        rngs = [v for v in self.function.get_shared() if isinstance(v.type, RandomGeneratorType)]
        reseed_rngs(rngs, self.seed)
        pieces: list[list[np.ndarray]] = []
        for start in range(0, total, step):
            chunk = [draws[name][start : start + step] for name in self.input_names]
            pieces.append([np.asarray(o) for o in self.function(*chunk, *extra)])
        return [np.concatenate(parts, axis=0) for parts in zip(*pieces, strict=True)]


def flat_draws(posterior: xr.Dataset, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Posterior draws with chain and draw merged into one leading axis."""
    out = {}
    for name in names:
        values = posterior[name].transpose("chain", "draw", ...).values
        out[name] = values.reshape(-1, *values.shape[2:])
    return out


def as_draws_array(
    values: np.ndarray, posterior: xr.Dataset, dims: Sequence[str] = (), coords=None
):
    """Flat per-draw results back into a labelled ``(chain, draw, *dims)`` DataArray."""
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    array = values.reshape(chains, draws, *values.shape[1:])
    all_coords = {"chain": posterior.chain.values, "draw": posterior.draw.values}
    all_coords.update(coords or {})
    return xr.DataArray(array, dims=("chain", "draw", *dims), coords=all_coords)
