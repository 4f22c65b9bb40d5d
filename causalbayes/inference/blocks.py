"""The posterior's independent blocks, and the conditioned model of one block.

When a node and its parents are observed and its parameters are its own, its likelihood
and prior involve nothing of any other mechanism, so the posterior is a product over
mechanisms.  A block is one factor: a fully observed mechanism alone, or the mechanisms
coupled by a latent node (its own mechanism and its children's: a measured true value
included) or by imputed values (a node with missing entries and its children).  No two
nodes share a parameter in the spec language (every parameter is ``<node>.<local>``), so
these are all the couplings; assembling a fit checks that no variable comes from two blocks.

The model of one block is the generative model restricted to its nodes
(``build_model(nodes=...)``): the parents it reads from other blocks are data, as given
nodes are, and each summarisable node's likelihood may be written through its sufficient
statistics (:mod:`causalbayes.compile.sufficient`).  Its log density plus the other
blocks' is the joint model's, exactly (tested at random points).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pymc as pm

from causalbayes.compile import build_model, dim_lengths
from causalbayes.compile.sufficient import summarisable, summariser
from causalbayes.data.encode import EncodedData
from causalbayes.data.scales import Scales
from causalbayes.errors import QueryError
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.scm.scm import SCM


@dataclass(frozen=True)
class Block:
    """One factor of the posterior: mechanisms sampled together, and how it went.

    Attributes
    ----------
    nodes : tuple of str
        The nodes whose mechanisms (parameters, latent or imputed values) the block holds.
    diagnostics : Diagnostics or None
        Its sampler diagnostics; None while it is not fitted (its parameters are not in
        the posterior yet).
    sampler : str or None
        The backend that sampled it.
    summarised : tuple of str
        Its nodes whose likelihood was evaluated through sufficient statistics.
    """

    nodes: tuple[str, ...]
    diagnostics: Diagnostics | None = None
    sampler: str | None = None
    summarised: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return "+".join(self.nodes)

    @property
    def fitted(self) -> bool:
        return self.diagnostics is not None

    def to_dict(self) -> dict:
        return {
            "nodes": list(self.nodes),
            "sampler": self.sampler,
            "summarised": list(self.summarised),
            "diagnostics": None if self.diagnostics is None else self.diagnostics.to_dict(),
        }


def partition(scm: SCM, imputed: Collection[str] = (), *, factorize: bool = True):
    """The modelled nodes grouped into independent blocks, in the SCM's order.

    A latent node and a node with imputed entries are sampled with their children.
    ``factorize=False``: one block of every modelled node (the joint model).

    Examples
    --------
    >>> import causalbayes as cb
    >>> partition(cb.examples.coating_scm())
    (('humid',), ('dilution',), ('coating',))
    >>> scm = cb.SCM({"u": cb.Normal(latent=True), "x": cb.Normal(["u"]),
    ...               "y": cb.Normal(["u", "x"]), "z": cb.Normal(["y"])})
    >>> partition(scm)
    (('u', 'x', 'y'), ('z',))
    """
    modelled = list(scm.modelled)
    if not factorize:
        return (tuple(modelled),) if modelled else ()
    parent = {v: v for v in modelled}

    def root(v: str) -> str:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for v in modelled:
        if scm.nodes[v].latent or v in imputed:
            for child in scm.dag.children(v):
                if child in parent:
                    parent[root(child)] = root(v)
    groups: dict[str, list[str]] = {}
    for v in modelled:  # the SCM's order: causes first, inside and across blocks
        groups.setdefault(root(v), []).append(v)
    return tuple(tuple(nodes) for nodes in groups.values())


def blocks_of(blocks: Sequence[tuple[str, ...]], nodes: Iterable[str]) -> list[int]:
    """Indices of the blocks holding any of ``nodes`` (given nodes belong to none)."""
    wanted = set(nodes)
    return [i for i, block in enumerate(blocks) if wanted & set(block)]


def needed_nodes(scm: SCM, queries: Sequence) -> set[str]:
    """The mechanisms a list of queries reads (each query's ``mechanisms(scm)``)."""
    out: set[str] = set()
    for query in queries:
        mechanisms = getattr(query, "mechanisms", None)
        if mechanisms is None:
            raise QueryError(
                f"queries= takes query objects such as cb.ATE('t', 'y'), got {query!r}"
            )
        out |= set(mechanisms(scm))
    return out


def block_seed(entropy: int, index: int) -> int:
    """The sampler seed of block ``index``: independent of which other blocks are fitted."""
    state = np.random.SeedSequence(entropy, spawn_key=(index,)).generate_state(1)
    return int(state[0])


def seed_entropy(random_seed) -> int:
    """A whole number standing for ``random_seed`` (a fresh one for None)."""
    if random_seed is None:
        return int(np.random.SeedSequence().entropy % 2**63)
    if isinstance(random_seed, np.random.Generator):
        return int(random_seed.integers(2**63))
    return int(random_seed)


@dataclass(frozen=True)
class BlockModel:
    """The conditioned model of one block.

    ``summarised``: its nodes whose likelihood holds sufficient statistics; ``rows``: the
    most rows (or cells, for a summarised node) one of its likelihoods evaluates, which
    is what a gradient costs (``sampler="auto"`` reads it).
    """

    nodes: tuple[str, ...]
    model: pm.Model
    summarised: tuple[str, ...]
    rows: int


def block_model(
    encoded: EncodedData, scales: Scales, nodes: Sequence[str], *, sufficient: bool = True
) -> BlockModel:
    """The conditioned model of one block.

    Observed nodes of the block are bound to their data with ``pm.observe`` (their
    observed rows, for imputed ones); a summarised node holds its statistics instead.
    """
    scm = encoded.scm
    summaries = summaries_for(encoded, scales, nodes) if sufficient else {}
    model = build_model(
        scm,
        n=encoded.n,
        scales=scales,
        exog={**encoded.exog, **data_nodes(encoded, nodes)},
        groups=encoded.groups,
        impute={v: m for v, m in encoded.missing.items() if v in nodes},
        nodes=nodes,
        summaries=summaries,
    )
    observed = {}
    for name in nodes:
        if name in summaries or scm.nodes[name].latent:
            continue
        values, mask = encoded.values[name], encoded.missing.get(name)
        observed[name] = values if mask is None else values[~mask]
    cells = [len(next(iter(stats.values()))) for _, stats in summaries.values()]
    rowwise = [encoded.n for v in nodes if v not in summaries]
    return BlockModel(
        tuple(nodes), pm.observe(model, observed), tuple(summaries), max(cells + rowwise)
    )


def data_nodes(encoded: EncodedData, nodes: Collection[str]) -> dict[str, np.ndarray]:
    """Values of the observed nodes a block reads as data: parents from other blocks, and
    its own observed nodes (a summarised node's children read its data)."""
    scm = encoded.scm
    read = {p for v in nodes for p in scm.nodes[v].parents} | set(nodes)
    return {
        v: encoded.values[v]
        for v in read
        if not scm.nodes[v].latent and not scm.nodes[v].is_given and v not in encoded.missing
    }


def summaries_for(encoded: EncodedData, scales: Scales, nodes: Iterable[str], *, force=False):
    """``node -> (summariser, statistics)`` for the block's nodes where statistics pay."""
    scm = encoded.scm
    dims = dim_lengths(scm, encoded.n)
    out = {}
    for name in nodes:
        if summarisable(scm, name, set(encoded.missing)):
            summary = summariser(scm, name, scales, dims)
            stats = summary.statistics(encoded, force=force)
            if stats is not None:
                out[name] = (summary, stats)
    return out


__all__ = [
    "Block",
    "BlockModel",
    "block_model",
    "block_seed",
    "blocks_of",
    "data_nodes",
    "needed_nodes",
    "partition",
    "seed_entropy",
    "summaries_for",
]
