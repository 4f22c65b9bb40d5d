"""Condition the generative model on data and run the sampler."""

from __future__ import annotations

import os
from typing import Any

import arviz as az
import pandas as pd
import pymc as pm

from causalbayes.compile import model_for_data
from causalbayes.errors import SpecError
from causalbayes.inference.diagnostics import diagnose, warn_if_bad
from causalbayes.inference.fit import Fit
from causalbayes.spec.data import EncodedData
from causalbayes.spec.scales import Scales
from causalbayes.spec.scm import SCM

SAMPLERS = ("pymc",)


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
    sampler: str = "pymc",
    progressbar: bool = False,
    warn: bool = True,
    missing: str = "raise",
    **sample_kwargs: Any,
) -> Fit:
    """Condition ``scm`` on ``data`` with ``pm.observe`` and sample the posterior.

    Latent nodes stay unobserved (their per-unit values are sampled too).
    The data frame is read, never modified; the columns the model uses are
    copied into the result.

    Parameters
    ----------
    scm : SCM
    data : DataFrame
        One column per observed node (plus Binomial trials columns).
    draws, tune, chains : int
        NUTS settings; all chains run in parallel on ``cores`` processes
        (default: one per chain, at most one per CPU).
    target_accept : float
        Raise towards 0.95 when the sampler reports divergences.
    random_seed : int, optional
    sampler : {"pymc"}
        Only PyMC's NUTS for now.
    warn : bool
        Emit a :class:`~causalbayes.errors.DiagnosticsWarning` for bad diagnostics.
    missing : {"raise", "impute"}
        Missing values in node columns: refuse them with an error naming the
        rows (default), or impute them inside the model — each missing entry
        becomes a latent variable ``<node>.missing`` sampled with the rest
        (continuous families only; nothing is dropped).

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> df = scm.simulate(100, params={"y.x": 1.0}, random_seed=0)
    >>> fit = scm.fit(df, draws=200, tune=200, chains=2, random_seed=1)  # doctest: +SKIP
    """
    if sampler not in SAMPLERS:
        raise SpecError(f"unknown sampler {sampler!r}; available: {list(SAMPLERS)}")
    encoded, scales, conditioned = _condition(scm, data, missing=missing)
    resolved = encoded.scm
    cores = cores or min(chains, os.cpu_count() or 1)
    with conditioned:
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=cores,
            target_accept=target_accept,
            random_seed=random_seed,
            progressbar=progressbar,
            compute_convergence_checks=False,
            idata_kwargs={"log_likelihood": False},
            **sample_kwargs,
        )
    params = [v.name for v in conditioned.free_RVs if v.name not in resolved.nodes]
    diagnostics = diagnose(idata, params)
    if warn:
        warn_if_bad(diagnostics)
    columns = list(resolved.observed) + [c for c in encoded.exog_columns if c not in resolved.nodes]
    kept = data.loc[:, columns].copy()
    return Fit(
        scm=resolved,
        data=kept,
        idata=_only_posterior(idata),
        scales=scales,
        diagnostics=diagnostics,
        sampler=sampler,
        missing=missing,
    )


def conditioned_model(scm: SCM, data: pd.DataFrame, *, missing: str = "raise") -> pm.Model:
    """The model ``fit`` samples: the generative model with observed nodes bound by ``pm.observe``.

    An ordinary ``pm.Model``: hand it to any PyMC tool.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    >>> model = conditioned_model(scm, scm.simulate(10, random_seed=0))
    >>> sorted(v.name for v in model.observed_RVs)
    ['x', 'y']
    """
    return _condition(scm, data, missing=missing)[2]


def _condition(
    scm: SCM, data: pd.DataFrame, *, missing: str = "raise"
) -> tuple[EncodedData, Scales, pm.Model]:
    encoded, scales, model = model_for_data(scm, data, missing=missing)
    observations = {}
    for name in encoded.scm.observed:
        values = encoded.values[name]
        mask = encoded.missing.get(name)
        observations[name] = values if mask is None else values[~mask]
    return encoded, scales, pm.observe(model, observations)


def _only_posterior(idata: az.InferenceData) -> az.InferenceData:
    """Keep posterior and sample stats; the data live in the Fit itself."""
    groups = {g: getattr(idata, g) for g in ("posterior", "sample_stats") if g in idata.groups()}
    return az.InferenceData(**groups)


__all__ = ["fit"]
