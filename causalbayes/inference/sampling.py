"""Condition the generative model on data and run the chosen sampler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import arviz as az
import pandas as pd
import pymc as pm

from causalbayes.compile import build_model, model_for_data
from causalbayes.data.encode import EncodedData
from causalbayes.data.scales import Scales
from causalbayes.errors import ArgumentError, DataError
from causalbayes.inference.blocks import blocks_of, needed_nodes, partition, seed_entropy
from causalbayes.inference.blockwise import checked_variables, exact_partition, fit_blocks
from causalbayes.inference.diagnostics import Diagnostics, diagnose, warn_if_bad
from causalbayes.inference.fit import Fit
from causalbayes.inference.merge import only_posterior
from causalbayes.inference.prepare import FitPlan, prepare_fit, used_columns
from causalbayes.inference.samplers import SAMPLERS
from causalbayes.scm.scm import SCM

#: ``blocks="auto"`` and ``sufficient_stats="auto"`` switch on from this many rows.  Below
#: it, per-row work is small next to what each block pays once (building and compiling
#: its model, starting the sampler's workers, PyMC's per-step Python overhead); the
#: figure is the one ``sampler="auto"`` uses for nutpie, not measured for blocks on a
#: quiet machine (docs/benchmarks.md).
AUTO_BLOCK_MIN_ROWS = 5_000

#: Every accepted ``sampler=`` value.
SAMPLER_NAMES = ("auto", *SAMPLERS)


def fit(
    scm: SCM,
    data: pd.DataFrame,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    cores: int | None = None,
    target_accept: float = 0.8,
    random_seed: int | None = None,
    sampler: str = "auto",
    progressbar: bool = False,
    warn: bool = True,
    missing: str = "raise",
    queries: Sequence | None = None,
    blocks: bool | str = "auto",
    sufficient_stats: bool | str = "auto",
    **sample_kwargs: Any,
) -> Fit:
    """Condition ``scm`` on ``data`` with ``pm.observe`` and sample the posterior.

    Latent nodes stay unobserved (their per-unit values are sampled too).
    The data frame is read, never modified; the columns the model uses are
    copied into the result.

    Where the posterior factorizes (a fully observed mechanism alone; mechanisms coupled
    by latent nodes or imputed values together) it can be sampled in independent blocks,
    one after another with all chains in parallel, and assembled into one ``Fit``: the
    same posterior as one joint model, with each block's diagnostics (``fit.blocks``).
    By default that happens for large data (at least ``AUTO_BLOCK_MIN_ROWS`` rows) and
    whenever ``queries=`` asks for part of the posterior.  On small data, each mechanism
    that ``sampler="auto"`` draws exactly (a Normal linear one: no MCMC) is a block of its
    own and the others are sampled as one joint block, as every MCMC block pays its own
    compile and sampler start-up.

    Parameters
    ----------
    scm : SCM
    data : DataFrame
        One column per observed node (plus Binomial trials columns).
    draws, tune, chains : int
        NUTS settings; all chains run in parallel (processes for ``"pymc"``,
        at most ``cores`` = one per CPU; threads for nutpie; CPU devices for JAX).
    target_accept : float
        Strictly between 0 and 1; raise towards 0.95 when the sampler reports divergences.
    random_seed : int, numpy.random.Generator or None
    sampler : {"auto", "pymc", "nutpie", "numpyro", "blackjax", "advi", "exact"}
        ``"auto"`` (default): ``"exact"`` when the model is conjugate (below);
        otherwise PyMC's NUTS below 5,000 rows; from there nutpie
        when installed (``pip install "causalbayes[nutpie]"``), else PyMC's NUTS —
        the fastest end to end as measured in docs/benchmarks.md.
        ``Fit.sampler`` records which ran.  Naming a backend that is not installed raises
        :class:`~causalbayes.errors.MissingDependencyError` with the extra to
        install.  ``"advi"`` is the approximate path for large data (minibatch
        mean-field ADVI; ``tune``/``chains``/``target_accept`` do not apply, one
        chain of ``draws`` independent draws; options ``batch_size=`` (None:
        all rows each step), ``iterations=``, ``learning_rate=``); see
        :mod:`causalbayes.inference.samplers.advi` for what it trades (it fits the
        joint model, never blocks).  With blocks, ``"auto"`` decides per block by the
        rows its likelihood evaluates (cells, for sufficient statistics).
        ``"exact"``: independent draws from the closed-form posterior, no MCMC,
        for conjugate models only — every modelled node a rate per level of one
        categorical parent (or one intercept) on the identity link: Bernoulli or
        Binomial with a Beta prior, Poisson with a Gamma prior, Normal with a
        fixed sigma and a Normal prior (given nodes need nothing); ``tune``,
        ``target_accept`` and ``cores`` do not apply.  Naming it for another
        model raises a :class:`~causalbayes.errors.SpecError` saying which node
        is not conjugate and why.
    warn : bool
        Emit a :class:`~causalbayes.errors.DiagnosticsWarning` for bad diagnostics.
    missing : {"raise", "impute"}
        Missing values in node columns: refuse them with an error naming the
        rows (default), or impute them inside the model — each missing entry
        becomes a latent variable ``<node>.missing`` sampled with the rest
        (continuous families only; nothing is dropped).
    queries : sequence of Query, optional
        Sample only the blocks these queries read (e.g. ``[cb.ATE("t", "y")]``: the
        outcome's mechanism and those between treatment and outcome, not the
        treatment's or the covariates'); ``cb.fit_more(fit)`` samples the rest later
        without touching these.  Default: every block.
    blocks : {"auto", True, False}
        Sample independent blocks separately (True) or one joint model (False);
        ``"auto"``: blocks with ``queries=`` or at least ``AUTO_BLOCK_MIN_ROWS`` rows;
        below, a block for each mechanism drawn exactly and one for all the others
        (one joint model when no mechanism is drawn exactly, e.g. with a named sampler).
    sufficient_stats : {"auto", True, False}
        Evaluate Normal linear likelihoods through their sufficient statistics, and
        Bernoulli/Binomial/Poisson likelihoods over cells of rows sharing their
        parents' values, where that is exact and cheaper (the same log density);
        ``"auto"``: with at least ``AUTO_BLOCK_MIN_ROWS`` rows.
    **sample_kwargs
        Passed to the backend; each accepts only the keywords listed in
        :data:`causalbayes.inference.options.BACKEND_OPTIONS` (``"pymc"``:
        ``pm.sample``'s ``init``, ``initvals``, ``max_treedepth``, ...;
        ``"nutpie"``, ``"numpyro"``, ``"blackjax"``: ``nuts_sampler_kwargs``, ...;
        ``"advi"``: ``batch_size``, ``iterations``, ``learning_rate``).

    Raises
    ------
    ArgumentError
        Before anything is compiled: ``draws``/``chains`` not a whole number
        >= 1, ``tune`` not one >= 0, ``target_accept`` outside (0, 1), a
        ``random_seed`` that is not a whole number >= 0, a Generator or None,
        or a keyword the backend does not take (with the valid ones and the
        closest match).  A ``TypeError`` and a ``ValueError``.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> df = cb.simulate(scm, 100, params={"y.x": 1.0}, random_seed=0)
    >>> fit = cb.fit(scm, df, draws=200, tune=200, chains=2, random_seed=1)  # doctest: +SKIP
    >>> ab = cb.SCM({"page": cb.Given(categorical=True),
    ...              "buy": cb.Bernoulli(["page"], link="identity", intercept=False)})
    >>> rows = cb.examples.ab_test_data({"A": 120, "B": 150}, {"A": 1000, "B": 1000})
    >>> exact = cb.fit(ab, rows.rename(columns={"purchase": "buy"}), random_seed=1)
    >>> exact.sampler, exact.posterior["buy.page"].shape
    ('exact', (4, 1000, 2))
    >>> fit = cb.fit(scm, df, sampler="nutpie", random_seed=1)  # doctest: +SKIP
    >>> big = cb.fit(scm, df, sampler="advi", batch_size=500, random_seed=1)  # doctest: +SKIP
    """
    plan = prepare_fit(
        scm, data, draws=draws, tune=tune, chains=chains, cores=cores,
        target_accept=target_accept, random_seed=random_seed, sampler=sampler,
        progressbar=progressbar, warn=warn, missing=missing, queries=queries, blocks=blocks,
        sufficient_stats=sufficient_stats, **sample_kwargs,
    )  # fmt: skip
    encoded, scales, info = plan.encoded, plan.scales, plan.info
    run = info.load()
    if info.reads_data:  # closed-form posterior: no model to build or sample
        idata = run(encoded, scales, draws=draws, chains=chains, random_seed=random_seed)
        return exact_fit(data, plan, idata)
    blockwise = info.exact  # every MCMC fit goes by blocks (one joint block unless factorized)
    if queries is not None and not blockwise:
        raise ArgumentError(
            f"queries= samples blocks of the posterior, which sampler {sampler!r} does not "
            "(ADVI fits the joint model); drop queries= or use an MCMC sampler"
        )
    if blockwise:
        large = encoded.n >= AUTO_BLOCK_MIN_ROWS
        if sufficient_stats == "auto":
            sufficient_stats = large
        priors = None
        if blocks == "auto" and not (large or queries is not None or sample_kwargs):
            parts, priors = exact_partition(encoded, scales, sampler)
            blocks = len(parts) > 1
        else:
            if blocks == "auto":
                blocks = large or queries is not None
            parts = partition(encoded.scm, set(encoded.missing), factorize=blocks)
        indices = list(range(len(parts)))
        if queries is not None:
            indices = blocks_of(parts, needed_nodes(encoded.scm, list(queries)))
            if not indices:
                raise ArgumentError(f"the queries {list(queries)} read no mechanism to sample")
        settings = {
            "draws": draws,
            "tune": tune,
            "chains": chains,
            "target_accept": target_accept,
            "sampler": sampler,
            "seed": seed_entropy(random_seed),
            "blocks": blocks,
            "sufficient_stats": sufficient_stats,
        }
        return fit_blocks(
            data,
            encoded,
            scales,
            parts,
            indices,
            settings,
            warn=warn,
            missing=missing,
            random_seed=random_seed,
            cores=cores,
            progressbar=progressbar,
            extra=sample_kwargs,
            priors=priors,
        )
    model = build_model(
        encoded.scm,
        n=encoded.n,
        scales=scales,
        exog=encoded.exog,
        groups=encoded.groups,
        impute=encoded.missing,
    )
    from causalbayes.inference.samplers.advi import BATCH_SIZE, minibatch_model

    # what is left is ADVI: the joint model, on minibatches when the data are large
    batch_size = sample_kwargs.pop("batch_size", BATCH_SIZE)
    if encoded.missing and batch_size is not None:
        raise DataError(
            "minibatch ADVI cannot impute missing values (each missing entry is a latent "
            "variable of the whole data set); use batch_size=None or an exact sampler"
        )
    if batch_size is not None and encoded.n > batch_size:
        conditioned = minibatch_model(encoded, scales, batch_size)
    else:
        conditioned = _observe(model, encoded)
    idata = run(
        conditioned,
        draws=draws,
        tune=tune,
        chains=chains,
        cores=cores,
        target_accept=target_accept,
        random_seed=random_seed,
        progressbar=progressbar,
        **sample_kwargs,
    )
    params = checked_variables(encoded.scm, conditioned)
    return make_fit(
        data, encoded, scales, idata, sampler=info.name, params=params, warn=warn, missing=missing
    )


def make_fit(
    data: pd.DataFrame,
    encoded: EncodedData,
    scales: Scales,
    idata: az.InferenceData,
    *,
    sampler: str,
    params: Sequence[str],
    warn: bool,
    missing: str = "raise",
    diagnostics: Diagnostics | None = None,
) -> Fit:
    """The ``Fit`` of a finished run: diagnostics, a copy of the used columns, the posterior.

    ``diagnostics`` replaces the checks of the draws (closed-form posteriors' draws are
    independent, so they have nothing to check).
    """
    if diagnostics is None:
        diagnostics = diagnose(idata, params)
    if warn:
        warn_if_bad(diagnostics)
    return Fit(
        scm=encoded.scm,
        data=data.loc[:, used_columns(encoded)].copy(),
        idata=only_posterior(idata),
        scales=scales,
        diagnostics=diagnostics,
        sampler=sampler,
        missing=missing,
    )


def exact_fit(data: pd.DataFrame, plan: FitPlan, idata: az.InferenceData) -> Fit:
    """The ``Fit`` of closed-form draws (``plan.info.reads_data``) of ``data``'s model."""
    # independent draws: nothing to diagnose (no chains to mix, every draw effective)
    exact = Diagnostics(0, 1.0, float(plan.chains * plan.draws), plan.chains, plan.draws)
    return make_fit(
        data, plan.encoded, plan.scales, idata, sampler=plan.info.name, params=[],
        warn=plan.warn, missing=plan.missing, diagnostics=exact,
    )  # fmt: skip


def conditioned_model(
    scm: SCM, data: pd.DataFrame, *, missing: str = "raise", standardize: bool = True
) -> pm.Model:
    """The model ``fit`` samples: the generative model with observed nodes bound by ``pm.observe``.

    An ordinary ``pm.Model``: hand it to any PyMC tool.  Its free variables are
    standardized (``<param>.std``, ``<node>.std.coefs``) and the parameters
    are deterministics of them; ``standardize=False`` gives the same posterior
    with the parameters themselves as free variables (to compare with a model
    written by hand).

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> model = conditioned_model(scm, cb.simulate(scm, 10, random_seed=0))
    >>> sorted(v.name for v in model.observed_RVs)
    ['x', 'y']
    """
    encoded, _, model = model_for_data(scm, data, missing=missing, standardize=standardize)
    return _observe(model, encoded)


def _observe(model: pm.Model, encoded: EncodedData) -> pm.Model:
    """Bind every observed node to its data (the observed rows only, for imputed nodes)."""
    observations = {}
    for name in encoded.scm.observed:
        if encoded.scm.nodes[name].is_given:
            continue  # already data in the model
        values = encoded.values[name]
        mask = encoded.missing.get(name)
        observations[name] = values if mask is None else values[~mask]
    return pm.observe(model, observations)


__all__ = [
    "AUTO_BLOCK_MIN_ROWS",
    "SAMPLER_NAMES",
    "checked_variables",
    "conditioned_model",
    "exact_fit",
    "fit",
    "make_fit",
]
