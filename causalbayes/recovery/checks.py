"""The two simulation-based checks of a whole pipeline: fixed-truth recovery and SBC."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from causalbayes._defaults import HDI_PROB
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data, unit_scales
from causalbayes.errors import SpecError
from causalbayes.estimands import Query
from causalbayes.inference.fit import Fit
from causalbayes.inference.samplers import AUTO_NUTPIE_MIN_FITS, resolve_sampler
from causalbayes.inference.sampling import AUTO_BLOCK_MIN_ROWS
from causalbayes.recovery.execution import run_study
from causalbayes.recovery.query import as_queries
from causalbayes.recovery.results import RecoveryResult, SBCResult
from causalbayes.recovery.simulate import needed_columns, simulate
from causalbayes.recovery.study import Study
from causalbayes.scm.scm import SCM

#: Spawn key of the pilot data set that scales a recovery study's default priors.
_PILOT = 2**31


def recover(
    scm: SCM | Fit,
    truth: Mapping[str, Any] | None = None,
    *,
    n: int | None = None,
    sims: int = 100,
    queries: Sequence[Query] | Query = (),
    levels: Sequence[float] = (0.5, 0.8, HDI_PROB),
    analysis: SCM | None = None,
    sampler: str = "auto",
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    target_accept: float = 0.8,
    blocks: bool | str = "auto",
    prior_draws: int = 500,
    fitter: Callable | None = None,
    workers: int | None = None,
    executor: Any = None,
    cache: str | os.PathLike | None = None,
    progressbar: bool = True,
    random_seed: int | None = None,
) -> RecoveryResult:
    """Fixed-truth recovery: simulate ``sims`` data sets from ``scm`` at ``truth``, fit each,
    and check that the posteriors give the truth back as often as they claim.

    Every parameter and every query (ATE, CATE, a dose-response point, a unit
    counterfactual, ...) is compared with its true value; a query's truth is
    computed from the true SCM under ``do`` on the same simulated units (the
    true parameters and latent values as a one-draw posterior), never assumed.

    Given a *fit* instead of an SCM, the study runs at the user's own scale:
    the fitted SCM is the truth, with its posterior means as true values (or
    ``truth=``), and every simulated data set keeps the user's rows of the
    given nodes (raw units, skew, categories as they are) and draws new values
    of the modelled ones.  It answers "would this pipeline recover effects of
    this size from data like mine?" before the answer is trusted.

    Parameters
    ----------
    scm : SCM or Fit
        The data-generating SCM, or a fit whose SCM, data rows and posterior
        means set up the study.
    truth : mapping
        A value for every parameter that has a prior (``scm.parameters()``);
        group effects are drawn afresh in each simulation from their population.
        Default with a fit: its posterior means.
    n : int
        Units per data set (with a fit: its rows).
    sims : int
        Number of simulated data sets.
    queries : sequence of Query
        Causal quantities to check, e.g. ``cb.ATE("dilution", "coating")``.
    levels : sequence of float
        Central interval levels whose coverage is reported.
    analysis : SCM, optional
        The model that is fitted, if not ``scm`` (to check a simpler or
        misspecified model against a richer truth).  Its parameters are compared
        where the true SCM has one of the same name.
    sampler, draws, tune, chains, target_accept
        Fit settings (``sampler``: ``"auto"``, ``"nutpie"`` or ``"pymc"``; the
        model is compiled once per worker and refitted to each data set; ``"auto"``
        follows ``cb.fit``'s rule for a model compiled to refit, as ``cb.Refitter``:
        nutpie, if installed).  The default priors are scaled to one pilot data set
        simulated from the truth and are the same for every simulation.
    blocks : bool or "auto"
        Fit each data set in the posterior's independent blocks (as
        ``cb.fit(..., blocks=True)``, each block compiled once per worker), so the study
        checks that path; ``"auto"``: ``cb.fit``'s rule, blocks from
        ``AUTO_BLOCK_MIN_ROWS`` rows and, below, a block for each mechanism drawn
        exactly with the others in one.  With ``sampler="auto"``, a block of one Normal
        linear mechanism is drawn exactly, without MCMC, as ``cb.fit`` does
        (:mod:`causalbayes.inference.samplers.linear`).
    prior_draws : int
        Prior draws behind each quantity's contraction.
    fitter : callable, optional
        ``fitter(scm, data, random_seed) -> Fit`` to check your own fitting
        procedure instead of the built-in one.  It must be picklable (a
        module-level function) to run in worker processes.
    workers : int, optional
        Local worker processes (default: one per core, but no more than one per ten
        simulations, as each worker first spends about 15 s compiling); ``1`` runs in
        this process.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the simulations instead of local processes, e.g. a Dask cluster's
        client.  Results do not depend on the number of workers (on Dask, whose
        workers run BLAS single-threaded, they agree to floating-point rounding, ~1e-14).
    cache : path, optional
        A folder where each finished simulation is saved (JSON); rerunning with
        the same folder and settings resumes where an interrupted study stopped.
    progressbar : bool
    random_seed : int, optional
        Master seed; simulation ``i`` uses seeds derived from it and ``i`` only.

    Returns
    -------
    RecoveryResult
        ``.summary()`` (bias, RMSE, z-scores, coverage per level, contraction,
        flags), ``.verdict()``, ``.table`` (per simulation), ``.plot()``.

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.examples.coating_scm()
    >>> result = cb.recover(scm, cb.examples.COATING_TRUTH, n=1000, sims=100,
    ...                     queries=[cb.ATE("dilution", "coating")])  # doctest: +SKIP
    >>> result.summary()  # doctest: +SKIP

    The same call with ``fitter=`` runs without MCMC (here a fitter that
    returns prior draws, which recovers nothing):

    >>> from causalbayes.testing import prior_fitter
    >>> cb.recover(scm, cb.examples.COATING_TRUTH, n=50, sims=2, fitter=prior_fitter,
    ...            workers=1, progressbar=False, random_seed=1).table.shape
    (16, 19)
    """
    fitted = scm if isinstance(scm, Fit) else None
    if fitted is not None:
        scm, truth, n, exog = _from_fit(fitted, truth, n)
    elif truth is None or n is None:
        raise SpecError("recover(scm, truth, n=...) needs the true values and n (or pass a fit)")
    else:
        exog = None
    analysis = _check_scms(scm, analysis, given_rows=exog is not None)
    truth = _checked_truth(scm, truth)
    seed = _master_seed(random_seed)
    n, levels, sims = _count(n, "n", 2), _levels(levels), _count(sims, "sims", 1)
    options = _fit_options(sampler, draws, tune, chains, target_accept, blocks, fitter, n, sims)
    queries = as_queries(queries)
    if fitted is not None:
        scales = fitted.scales  # the priors of the user's own fit
    else:
        pilot_seed = int(np.random.SeedSequence(seed, spawn_key=(_PILOT,)).generate_state(1)[0])
        pilot = simulate(scm, n, params=truth, random_seed=pilot_seed)
        encoded = encode_data(analysis, pilot[list(analysis.observed)])
        scales = scales_from_data(encoded.scm, encoded)
    study = Study(
        "recovery", scm, analysis, n, truth, queries, levels, scales, options,
        99, int(prior_draws), seed, fitter, exog,
    )  # fmt: skip
    return _run(RecoveryResult, study, sims, workers, executor, cache, progressbar)


def sbc(
    scm: SCM,
    *,
    n: int,
    sims: int = 100,
    queries: Sequence[Query] | Query = (),
    thin_to: int = 99,
    priors_from: pd.DataFrame | None = None,
    levels: Sequence[float] = (0.5, 0.8, HDI_PROB),
    analysis: SCM | None = None,
    sampler: str = "auto",
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    target_accept: float = 0.8,
    blocks: bool | str = "auto",
    prior_draws: int = 500,
    fitter: Callable | None = None,
    workers: int | None = None,
    executor: Any = None,
    cache: str | os.PathLike | None = None,
    progressbar: bool = True,
    random_seed: int | None = None,
) -> SBCResult:
    """Simulation-based calibration: draw the truth from the prior, simulate, fit, rank.

    For each simulation every parameter is drawn from the fitted model's prior,
    a data set of ``n`` units is simulated, the model is fitted and the rank of
    each true value (parameters and queries, the latter computed under ``do``
    from the true values) among ``thin_to`` evenly thinned posterior draws is
    recorded.  A correct pipeline gives uniform ranks for every quantity,
    identified or not; a quantity the data do not inform shows as a
    contraction near 0.

    Parameters
    ----------
    thin_to : int
        Posterior draws kept per rank (ranks run from 0 to ``thin_to``).
    priors_from : DataFrame, optional
        A data set whose scales set the default priors (as ``cb.fit`` would
        scale them); default: unit scales.  Explicit priors in the SCM are used as given.
    Other parameters
        As in :func:`recover`.

    Returns
    -------
    SBCResult
        ``.summary()`` (uniformity p-values, Holm-adjusted; contraction;
        z-scores), ``.miscalibrated``, ``.verdict()``, ``.plot("ecdf" | "ranks" |
        "contraction")``.

    Examples
    --------
    >>> import causalbayes as cb
    >>> result = cb.sbc(cb.examples.coating_scm(), n=1000, sims=100,
    ...                 queries=[cb.ATE("dilution", "coating")])  # doctest: +SKIP
    >>> result.verdict()  # doctest: +SKIP

    The same call with ``fitter=`` runs without MCMC (prior draws as the
    posterior: calibrated, uninformed):

    >>> from causalbayes.testing import prior_fitter
    >>> cb.sbc(cb.examples.coating_scm(), n=50, sims=2, thin_to=9, fitter=prior_fitter,
    ...        workers=1, progressbar=False, random_seed=1).miscalibrated
    []
    """
    analysis = _check_scms(scm, analysis)
    seed = _master_seed(random_seed)
    n, levels, sims = _count(n, "n", 2), _levels(levels), _count(sims, "sims", 1)
    options = _fit_options(sampler, draws, tune, chains, target_accept, blocks, fitter, n, sims)
    if thin_to < 1 or thin_to > draws * chains:
        raise SpecError(f"thin_to must be between 1 and draws * chains = {draws * chains}")
    if priors_from is None:
        scales = unit_scales()
    else:
        encoded = encode_data(analysis, priors_from)
        scales = scales_from_data(encoded.scm, encoded)
    study = Study(
        "sbc", scm, analysis, n, None, as_queries(queries), levels, scales, options,
        int(thin_to), int(prior_draws), seed, fitter,
    )  # fmt: skip
    return _run(SBCResult, study, sims, workers, executor, cache, progressbar)


def _run(result_type, study, sims, workers, executor, cache, progressbar):
    records = run_study(
        study, sims, workers=workers, executor=executor, cache=cache, progressbar=progressbar
    )
    return result_type.from_records(
        records, study.levels, study.thin_to, _identification(study.analysis, study.queries),
        _settings(study, sims),
    )  # fmt: skip


def _levels(levels: Sequence[float]) -> tuple[float, ...]:
    levels = tuple(float(x) for x in levels)
    if not levels or any(not 0 < x < 1 for x in levels) or list(levels) != sorted(set(levels)):
        raise SpecError(f"levels must be increasing values between 0 and 1, got {levels}")
    return levels


def _fit_options(sampler, draws, tune, chains, target_accept, blocks, fitter, n, sims) -> dict:
    if sampler not in ("auto", "nutpie", "pymc") and fitter is None:
        raise SpecError(
            f"a study refits one compiled model with 'auto', 'nutpie' or 'pymc', not "
            f"{sampler!r}; pass fitter=... to check another fitting procedure"
        )
    if blocks not in (True, False, "auto"):
        raise SpecError(f"blocks must be True, False or 'auto', got {blocks!r}")
    exact = False
    if fitter is None:
        # cb.fit's rules for a model compiled to refit (a Refitter's default), never the
        # number of sims or workers: results must not depend on where the simulations
        # ran, and a study resumed with more sims must keep its sampler
        # "auto" below AUTO_BLOCK_MIN_ROWS stays "auto": the Refitter applies cb.fit's rule
        blocks = True if blocks == "auto" and n >= AUTO_BLOCK_MIN_ROWS else blocks
        exact = blocks is not False and sampler == "auto"  # Normal linear blocks: exact draws
        sampler = resolve_sampler(sampler, n_rows=n, fits=AUTO_NUTPIE_MIN_FITS).name
    return dict(
        sampler=sampler,
        exact=exact,
        draws=draws,
        tune=tune,
        chains=chains,
        target_accept=target_accept,
        blocks=blocks,
    )


def _check_scms(scm: SCM, analysis: SCM | None, *, given_rows: bool = False) -> SCM:
    for role, value in (("scm", scm), ("analysis", analysis)):
        if value is not None and not isinstance(value, SCM):
            raise SpecError(f"{role} must be a cb.SCM, got {type(value).__name__}")
    analysis = scm if analysis is None else analysis
    for model in {id(scm): scm, id(analysis): analysis}.values():
        columns = [c for c in needed_columns(model) if c not in model.given]
        if columns:
            raise SpecError(
                f"simulation studies do not support SCMs that read exogenous columns yet "
                f"({sorted(set(columns))}: trials, standard errors or groups)"
            )
        if model.given and not given_rows:
            raise SpecError(
                f"{list(model.given)} are given (data, not modelled), so a study needs their "
                "rows: fit the SCM to your data and pass the fit, cb.recover(fit, ...)"
            )
    return analysis


def _from_fit(fit: Fit, truth, n):
    """(SCM, truth, n, given rows) of a study at the scale of a fitted data set."""
    if n is not None and n != fit.encoded.n:
        raise SpecError(f"a study on a fit uses its {fit.encoded.n} rows; leave n unset")
    if truth is None:  # the posterior means of every estimated parameter
        truth = {
            p.name: fit.posterior[p.name].mean(("chain", "draw")).values
            for p in fit.scm.parameters()
            if p.kind == "prior" and p.name in fit.posterior
        }
    exog = fit.data[list(fit.scm.given)].reset_index(drop=True)
    return fit.scm, truth, fit.encoded.n, exog


def _checked_truth(scm: SCM, truth: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values for every parameter with a prior; refuses unknown and missing names."""
    if not isinstance(truth, Mapping):
        raise SpecError(f"truth must be a mapping of parameter name -> value, got {truth!r}")
    kinds = {p.name: p.kind for p in scm.parameters()}
    unknown = sorted(set(truth) - set(kinds))
    if unknown:
        raise SpecError(
            f"truth names unknown parameters {unknown}; valid names are {sorted(kinds)}"
        )
    drawn = sorted(k for k in truth if kinds[k] not in ("prior", "hierarchical"))
    if drawn:
        raise SpecError(
            f"truth fixes {drawn}, which are derived from other parameters; fix their "
            "population parameters instead (group effects are drawn in each simulation)"
        )
    fixed = {name for name, prior in resolved_priors(scm, unit_scales()).items() if prior.is_fixed}
    missing = sorted(
        p.name
        for p in scm.parameters()
        if p.kind == "prior" and p.name not in truth and p.name not in fixed
    )
    if missing:
        raise SpecError(
            f"truth has no value for {missing}; fixed-truth recovery needs every parameter "
            "(use cb.sbc to draw them from the prior)"
        )
    return {
        k: (float(v) if np.ndim(v) == 0 else np.asarray(v, dtype=float).tolist())
        for k, v in truth.items()
    }


def _identification(scm: SCM, queries) -> dict[str, bool | None]:
    from causalbayes.identification import identify

    out = {}
    for q in queries:
        pair = q.treatment_outcome
        out[q.label] = None if pair is None else bool(identify(scm, *pair).identified)
    return out


def _master_seed(random_seed: int | None) -> int:
    if random_seed is None:
        return int(np.random.SeedSequence().entropy % 2**63)
    if isinstance(random_seed, bool) or not isinstance(random_seed, (int, np.integer)):
        raise SpecError(f"random_seed must be an integer master seed, got {random_seed!r}")
    return int(random_seed)


def _count(value: int, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise SpecError(f"{name} must be an integer of at least {least}, got {value!r}")
    return int(value)


def _settings(study: Study, sims: int) -> dict:
    return {
        "kind": study.kind,
        "n": study.n,
        "sims": int(sims),
        "seed": study.seed,
        "key": study.key(),
        **study.fit_options,
    }
