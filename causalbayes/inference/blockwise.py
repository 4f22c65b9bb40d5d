"""Sample a model block by block and assemble one Fit; sample more blocks later.

Blocks run one after another, each with all its chains in parallel (``cores`` of them):
on a machine with few cores this keeps every core busy inside each block, and a block's
sampler adapts its own step size and mass matrix to its own geometry (docs/benchmarks.md
compares it with running blocks side by side).  Each block gets its own seed from the
fit's seed and the block's index in the partition, so ``cb.fit(..., queries=[...])``
followed by ``cb.fit_more(fit)`` draws exactly what one ``cb.fit`` draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import arviz as az
import pandas as pd
import pymc as pm

from causalbayes.compile.standardize import BLOCK_LOCAL, STD_SUFFIX
from causalbayes.data.encode import EncodedData
from causalbayes.data.scales import Scales
from causalbayes.errors import ArgumentError
from causalbayes.inference.blocks import (
    Block,
    BlockModel,
    block_model,
    block_seed,
    blocks_of,
    needed_nodes,
)
from causalbayes.inference.blocks import partition as independent_blocks
from causalbayes.inference.diagnostics import combine, diagnose, warn_if_bad
from causalbayes.inference.fit import Fit
from causalbayes.inference.merge import drop_blocks, merge_blocks, only_posterior
from causalbayes.inference.options import _check_extra
from causalbayes.inference.prepare import used_columns
from causalbayes.inference.samplers import linear, resolve_sampler
from causalbayes.inference.samplers.linear import LinearPrior, exact_diagnostics, linear_prior
from causalbayes.scm.scm import SCM


def checked_variables(scm: SCM, model: pm.Model) -> list[str]:
    """Variables whose convergence is checked: the user's parameters and the other free
    non-node variables (imputed values, group offsets), not their standardized copies."""
    named = [p.name for p in scm.parameters() if p.kind != "auxiliary"]
    standardized = {f"{p}{STD_SUFFIX}" for p in named}
    others = [
        v.name
        for v in model.free_RVs
        if v.name not in scm.nodes and v.name not in standardized and BLOCK_LOCAL not in v.name
    ]
    return named + others


def exact_partition(
    encoded: EncodedData, scales: Scales, sampler: str
) -> tuple[tuple[tuple[str, ...], ...], dict[int, LinearPrior]]:
    """The blocks of ``blocks="auto"`` on small data, and the priors of those drawn exactly.

    Each mechanism that ``sampler`` (``"auto"``) draws exactly
    (:mod:`~causalbayes.inference.samplers.linear`) is a block of its own; every other one
    stays in one joint block, so MCMC still builds and compiles one model (a block each
    would pay that per block).  With no such mechanism: the joint model, one block.
    """
    scm = encoded.scm
    imputed = set(encoded.missing)
    priors = {}
    for nodes in independent_blocks(scm, imputed):
        prior = linear_prior(encoded, scales, nodes, sampler)
        if prior is not None:
            priors[nodes] = prior
    if not priors:
        return independent_blocks(scm, imputed, factorize=False), {}
    order = list(scm.modelled).index
    rest = tuple(sorted((v for v in scm.modelled if (v,) not in priors), key=order))
    parts = sorted([*priors, *([rest] if rest else [])], key=lambda nodes: order(nodes[0]))
    return tuple(parts), {i: priors[nodes] for i, nodes in enumerate(parts) if nodes in priors}


def no_draws() -> az.InferenceData:
    """The draws of a block whose parameters are all fixed: none (it is known exactly)."""
    return az.InferenceData()


def sample_blocks(
    encoded: EncodedData,
    scales: Scales,
    partition: Sequence[tuple[str, ...]],
    indices: Sequence[int],
    settings: Mapping[str, Any],
    *,
    random_seed=None,
    cores: int | None = None,
    progressbar: bool = False,
    extra: Mapping[str, Any] | None = None,
    priors: Mapping[int, LinearPrior] | None = None,
) -> dict[int, tuple[Block, az.InferenceData]]:
    """Sample the blocks ``indices`` of ``partition``: ``{index: (Block, draws)}``.

    Every block's model is built (and its sampler's options checked) before the first
    one samples.  A partition of one block samples with ``random_seed`` as given; with
    several, block ``i`` with ``block_seed(settings["seed"], i)``.  ``priors``: the
    blocks drawn exactly, when the caller has found them (:func:`exact_partition`);
    by default each block of one Normal linear mechanism, under ``sampler="auto"``.
    """
    extra = dict(extra or {})
    asked = settings["sampler"]
    prepared: list[tuple[int, BlockModel, Any]] = []
    exact: dict[int, LinearPrior] = {}
    fixed: list[tuple[int, BlockModel]] = []
    for i in indices:
        if priors is not None:
            prior = priors.get(i)
        else:
            prior = None if extra else linear_prior(encoded, scales, partition[i], asked)
        if prior is not None:  # a Normal linear mechanism: exact draws, no chains
            exact[i] = prior
            continue
        built = block_model(encoded, scales, partition[i], sufficient=settings["sufficient_stats"])
        if not built.model.free_RVs:  # every parameter fixed: nothing to draw
            fixed.append((i, built))
            continue
        # "auto" picks per block by the rows its likelihood reads, unless backend options
        # were given: those were checked against the choice for the whole data
        rows = encoded.n if extra else built.rows
        info = resolve_sampler(asked, n_rows=rows)
        _check_extra(info, asked, rows, extra)
        prepared.append((i, built, info))
    out = {}
    for i, prior in exact.items():
        seed = random_seed if len(partition) == 1 else block_seed(settings["seed"], i)
        chains, draws = settings["chains"], settings["draws"]
        idata = linear.sample(prior, encoded, draws=draws, chains=chains, random_seed=seed)
        block = Block(partition[i], exact_diagnostics(chains, draws), "exact")
        out[i] = (block, idata)
    for i, built in fixed:
        chains, draws = settings["chains"], settings["draws"]
        block = Block(built.nodes, exact_diagnostics(chains, draws), "exact", built.summarised)
        out[i] = (block, no_draws())
    for i, built, info in prepared:
        seed = random_seed if len(partition) == 1 else block_seed(settings["seed"], i)
        idata = info.load()(
            built.model,
            draws=settings["draws"],
            tune=settings["tune"],
            chains=settings["chains"],
            cores=cores,
            target_accept=settings["target_accept"],
            random_seed=seed,
            progressbar=progressbar,
            **extra,
        )
        diagnostics = diagnose(idata, checked_variables(encoded.scm, built.model))
        block = Block(built.nodes, diagnostics, info.name, built.summarised)
        out[i] = (block, only_posterior(idata))
    return out


def assemble(
    data: pd.DataFrame,
    encoded: EncodedData,
    scales: Scales,
    blocks: Sequence[Block],
    idata: az.InferenceData,
    settings: Mapping[str, Any],
    *,
    warn: bool,
    missing: str,
    stacklevel: int = 4,
) -> Fit:
    """The ``Fit`` of blocks (fitted or not) and their merged draws; ``stacklevel`` points
    diagnostics warnings at the user's call."""
    fitted = [b for b in blocks if b.fitted]
    diagnostics = combine([(b.name, b.diagnostics) for b in fitted])
    if warn:
        warn_if_bad(diagnostics, stacklevel=stacklevel)
    return Fit(
        scm=encoded.scm,
        data=data.loc[:, used_columns(encoded)].copy(),
        idata=idata,
        scales=scales,
        diagnostics=diagnostics,
        sampler="+".join(dict.fromkeys(b.sampler for b in fitted)),
        missing=missing,
        blocks=tuple(blocks),
        settings=dict(settings),
    )


def fit_blocks(
    data: pd.DataFrame,
    encoded: EncodedData,
    scales: Scales,
    partition: Sequence[tuple[str, ...]],
    indices: Sequence[int],
    settings: Mapping[str, Any],
    *,
    warn: bool,
    missing: str,
    **options: Any,
) -> Fit:
    """Sample the blocks ``indices`` of ``partition`` and assemble the Fit (others unfitted)."""
    results = sample_blocks(encoded, scales, partition, indices, settings, **options)
    blocks = [results[i][0] if i in results else Block(nodes) for i, nodes in enumerate(partition)]
    idata = merge_blocks(
        [(results[i][0].name, results[i][1]) for i in sorted(results)],
        stacked=len(partition) > 1,
        order=[b.name for b in blocks],
    )
    return assemble(
        data, encoded, scales, blocks, idata, settings, warn=warn, missing=missing, stacklevel=5
    )


def fit_more(
    fit: Fit,
    nodes: Sequence[str] | None = None,
    *,
    queries: Sequence | None = None,
    refit: bool = False,
    random_seed: int | None = None,
    tune: int | None = None,
    target_accept: float | None = None,
    sampler: str | None = None,
    cores: int | None = None,
    progressbar: bool = False,
    warn: bool = True,
    **sample_kwargs: Any,
) -> Fit:
    """Sample more of a fit's blocks, keeping the draws of the others: a new ``Fit``.

    A fit made with ``cb.fit(scm, df, queries=[...])`` samples only the mechanisms those
    queries read; this samples the rest (or those of ``nodes``, or those ``queries`` read)
    with the fit's own settings and seed, so the result is the fit a full ``cb.fit``
    would have made.  ``refit=True`` samples the chosen blocks again, e.g. one whose
    diagnostics failed, with other ``tune``, ``target_accept`` or ``sampler``; the
    number of chains and draws stays the fit's.

    Parameters
    ----------
    fit : Fit
        A fit from ``cb.fit`` (or ``Refitter.fit``, or ``cb.load`` of one).
    nodes : sequence of str, optional
        Nodes whose blocks to sample; default: every block not fitted yet.
    queries : sequence of Query, optional
        Sample the blocks these queries read (``query.mechanisms(scm)``).
    refit : bool
        Sample the chosen blocks even if they are fitted (their draws are replaced).
    random_seed : int, optional
        Default: the seed the fit was made with.
    tune, target_accept, sampler, cores, progressbar, warn, **sample_kwargs
        As in :func:`causalbayes.fit`; None keeps the fit's setting.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.examples.coating_scm()
    >>> df = cb.simulate(scm, 200, params=cb.examples.COATING_TRUTH, random_seed=1)
    >>> quick = dict(draws=100, tune=100, chains=1, random_seed=1, warn=False)  # short chains
    >>> part = cb.fit(scm, df, queries=[cb.ATE("dilution", "coating")], **quick)
    >>> part.unfitted
    ('humid', 'dilution')
    >>> cb.fit_more(part, random_seed=2, warn=False).unfitted
    ()
    """
    if not fit.blocks or not fit.settings:
        raise ArgumentError(
            "this fit holds no record of its blocks and settings (a fit made by hand, or "
            "saved by an older causalbayes); fit the model again with cb.fit"
        )
    partition = tuple(b.nodes for b in fit.blocks)
    if nodes is None and queries is None:
        targets = list(range(len(partition)))
    else:
        wanted = {fit.scm.check_node(v) for v in nodes or ()}
        wanted |= needed_nodes(fit.scm, queries or ())
        targets = blocks_of(partition, wanted)
    if not refit:
        targets = [i for i in targets if not fit.blocks[i].fitted]
    if not targets:
        return fit
    settings = dict(fit.settings)
    for key, value in (("tune", tune), ("target_accept", target_accept), ("sampler", sampler)):
        if value is not None:
            settings[key] = value
    for key in ("draws", "chains"):
        if key in sample_kwargs:
            raise ArgumentError(
                f"{key} must stay the fit's ({settings[key]}): every block's draws share one "
                "posterior; fit again with cb.fit to change it"
            )
    if random_seed is not None:
        settings["seed"] = int(random_seed)
    results = sample_blocks(
        fit.encoded,
        fit.scales,
        partition,
        targets,
        settings,
        random_seed=settings["seed"],
        cores=cores,
        progressbar=progressbar,
        extra=sample_kwargs,
    )
    replaced = [fit.blocks[i].name for i in targets if fit.blocks[i].fitted]
    new_vars = [v for _, idata in results.values() for v in idata.posterior.data_vars]
    kept = drop_blocks(fit.idata, new_vars, replaced)
    blocks = [results[i][0] if i in results else b for i, b in enumerate(fit.blocks)]
    parts = [("fitted", kept)] if kept.posterior.data_vars else []
    if len(partition) == 1:
        parts = []  # the one block is sampled again: nothing is kept
    parts += [(results[i][0].name, results[i][1]) for i in sorted(results)]
    idata = merge_blocks(parts, stacked=len(partition) > 1, order=[b.name for b in blocks])
    return assemble(
        fit.data,
        fit.encoded,
        fit.scales,
        blocks,
        idata,
        settings,
        warn=warn,
        missing=fit.missing,
    )


__all__ = [
    "assemble",
    "checked_variables",
    "exact_partition",
    "fit_blocks",
    "fit_more",
    "no_draws",
    "sample_blocks",
]
