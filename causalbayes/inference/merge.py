"""Blocks' draws into one ``InferenceData``: the posterior a joint fit would have, labelled the same.

The posterior variables of the blocks are disjoint (checked) and share the ``chain`` and
``draw`` coordinates, so they merge into one Dataset.  Sample statistics of a fit with
several blocks carry a ``block`` dim (its labels are the names of the blocks sampled by
MCMC; blocks drawn exactly have none): summing ``diverging`` counts every divergence.
Attributes are kept where every block agrees (not one block's ``sampling_time``).
"""

from __future__ import annotations

from collections.abc import Sequence

import arviz as az
import xarray as xr

from causalbayes.errors import SpecError

BLOCK_DIM = "block"


def only_posterior(idata: az.InferenceData) -> az.InferenceData:
    """Keep posterior and sample stats; the data live in the Fit itself."""
    groups = {g: getattr(idata, g) for g in ("posterior", "sample_stats") if g in idata.groups()}
    return az.InferenceData(**groups)


def merge_blocks(
    parts: Sequence[tuple[str, az.InferenceData]],
    *,
    stacked: bool,
    order: Sequence[str] | None = None,
) -> az.InferenceData:
    """One ``InferenceData`` from ``(block name, draws)`` pairs.

    ``stacked``: sample statistics get the ``block`` dim (fits of several blocks), in
    ``order``; else the one part's statistics are kept as they are.
    """
    # a block whose parameters are all fixed has no draws
    parts = [(name, idata) for name, idata in parts if "posterior" in idata.groups()]
    if not parts:
        raise SpecError(
            "every parameter of this SCM is fixed (a number, not a prior), so there is "
            "nothing to fit; give a parameter a prior, or draw data with cb.simulate"
        )
    owner: dict[str, str] = {}
    for name, idata in parts:
        for var in idata.posterior.data_vars:
            if var in owner:
                raise RuntimeError(
                    f"posterior variable {var!r} was sampled in blocks {owner[var]!r} and "
                    f"{name!r}; blocks must not share variables (please report this)"
                )
            owner[var] = name
    posterior = xr.merge(
        [idata.posterior for _, idata in parts], join="exact", combine_attrs=_shared_attrs
    )
    groups = {"posterior": posterior}
    # blocks drawn without MCMC (samplers/linear.py) have no sample statistics
    stats = [
        (name, idata.sample_stats) for name, idata in parts if "sample_stats" in idata.groups()
    ]
    if not stacked:
        if stats:
            groups["sample_stats"] = stats[0][1]
        return az.InferenceData(**groups)
    if stats:
        groups["sample_stats"] = stack_stats(stats, order)
    return az.InferenceData(**groups)


def _shared_attrs(attrs: Sequence[dict], context=None) -> dict:
    """The attributes every block has, with one value (one block's run time is no fit's)."""
    if not attrs:
        return {}
    first, *others = attrs
    return {k: v for k, v in first.items() if all(k in o and _same(o[k], v) for o in others)}


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except ValueError:  # arrays
        return False


def stack_stats(stats: Sequence[tuple[str, xr.Dataset]], order: Sequence[str] | None = None):
    """Per-draw statistics of each block along a ``block`` dim (those every block has).

    A Dataset that is stacked already contributes its blocks; ``order`` sorts the blocks.
    """
    flat: list[tuple[str, xr.Dataset]] = []
    for name, ds in stats:
        flat += unstack_stats(ds) if BLOCK_DIM in ds.dims else [(name, ds)]
    if order is not None:
        rank = {name: i for i, name in enumerate(order)}
        flat.sort(key=lambda pair: rank.get(pair[0], len(rank)))
    common = set.intersection(*(set(_per_draw(ds)) for _, ds in flat))
    kept = [ds[sorted(common)] for _, ds in flat]
    stacked = xr.concat(kept, dim=BLOCK_DIM, combine_attrs="drop_conflicts")
    return stacked.assign_coords({BLOCK_DIM: [name for name, _ in flat]})


def unstack_stats(stats: xr.Dataset) -> list[tuple[str, xr.Dataset]]:
    """A stacked statistics Dataset back into ``(block name, Dataset)`` pairs."""
    return [
        (str(label), stats.sel({BLOCK_DIM: label}, drop=True))
        for label in stats.coords[BLOCK_DIM].values
    ]


def _per_draw(ds: xr.Dataset) -> list[str]:
    return [v for v in ds.data_vars if set(ds[v].dims) == {"chain", "draw"}]


def drop_blocks(idata: az.InferenceData, variables: Sequence[str], blocks: Sequence[str]):
    """``idata`` without the posterior ``variables`` and the statistics of ``blocks``."""
    posterior = idata.posterior.drop_vars([v for v in variables if v in idata.posterior])
    groups = {"posterior": posterior}
    if "sample_stats" in idata.groups():
        stats = idata.sample_stats
        if BLOCK_DIM in stats.dims:
            keep = [b for b in stats.coords[BLOCK_DIM].values if str(b) not in set(blocks)]
            if keep:
                groups["sample_stats"] = stats.sel({BLOCK_DIM: keep})
    return az.InferenceData(**groups)


__all__ = ["BLOCK_DIM", "drop_blocks", "merge_blocks", "only_posterior", "stack_stats"]
