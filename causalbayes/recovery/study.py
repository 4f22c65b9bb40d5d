"""One simulation of a recovery or SBC study: simulate, fit, compare with the truth.

A :class:`Study` is plain, picklable data, so any executor (local processes, a
Dask cluster) can run :func:`run_simulation` on it.  Each worker process
compiles the study's simulator and fitting model once (:func:`_compiled`) and
reuses them for every simulation it runs; a simulation depends only on the
study and its index (its seeds come from the master seed), never on which
worker ran it or what it ran before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from causalbayes.compile import build_model
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import Scales
from causalbayes.estimands import Query
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.inference.fit import Fit
from causalbayes.recovery.calibration import central_interval, rank, thin
from causalbayes.recovery.forward import ForwardSampler
from causalbayes.recovery.query import draw_elements, query_elements
from causalbayes.recovery.simulate import checked_params, exogenous_inputs, node_column
from causalbayes.scm.scm import SCM

#: Version of the per-simulation records (cached on disk as JSON).
RECORD_VERSION = 1


@dataclass(frozen=True)
class Study:
    """Everything a simulation needs, as plain data.

    Attributes
    ----------
    kind : {"recovery", "sbc"}
        Fixed true parameters, or true parameters drawn from the prior per simulation.
    scm : SCM
        Generates the data (and the true values of the queries).
    analysis : SCM
        Is fitted; the same as ``scm`` unless a misspecified model is checked.
    n : int
        Units per simulated data set.
    truth : mapping or None
        Fixed parameter values (recovery), as plain floats or lists.
    queries : tuple of Query
    levels : tuple of float
        Central interval levels.
    scales : Scales
        Scales of the default priors of the fitted model (and of SBC's draws).
    fit_options : mapping
        ``sampler``, ``draws``, ``tune``, ``chains``, ``target_accept``.
    thin_to : int
        Posterior draws kept for ranks (ranks run from 0 to ``thin_to``).
    prior_draws : int
        Prior draws for the contraction of each quantity.
    seed : int
        Master seed; simulation ``i`` uses the ``i``-th child of ``SeedSequence(seed)``.
    fitter : callable or None
        ``fitter(scm, data, random_seed) -> Fit`` replacing the built-in fit.
    exog : DataFrame or None
        The values of given nodes, the same ``n`` rows in every simulation.
    """

    kind: str
    scm: SCM
    analysis: SCM
    n: int
    truth: Mapping[str, Any] | None
    queries: tuple[Query, ...]
    levels: tuple[float, ...]
    scales: Scales
    fit_options: Mapping[str, Any]
    thin_to: int
    prior_draws: int
    seed: int
    fitter: Callable | None = None
    exog: pd.DataFrame | None = None  # fixed rows: given nodes' values (a study on a user's data)

    def key(self) -> str:
        """A digest of every setting that changes results (names the disk cache)."""
        payload = {
            "version": RECORD_VERSION,
            "kind": self.kind,
            "scm": self.scm.to_dict(),
            "analysis": self.analysis.to_dict(),
            "n": self.n,
            "truth": self.truth,
            "queries": [q.key() for q in self.queries],
            "levels": self.levels,
            "scales": self.scales.to_dict(),
            "fit_options": dict(self.fit_options),
            "thin_to": self.thin_to,
            "prior_draws": self.prior_draws,
            "seed": self.seed,
            "fitter": _callable_name(self.fitter),
            "exog": None if self.exog is None else _frame_digest(self.exog),
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def seeds(self, index: int) -> dict[str, int]:
        """Independent seeds of simulation ``index`` (the same whichever worker runs it)."""
        child = np.random.SeedSequence(self.seed, spawn_key=(index,))
        names = ("simulate", "fit", "queries", "prior", "ranks")
        return dict(zip(names, (int(s) for s in child.generate_state(len(names))), strict=True))


def run_simulation(study: Study, index: int) -> dict:
    """Simulate data set ``index``, fit it, and summarise every quantity against its truth."""
    start = time.perf_counter()
    seeds = study.seeds(index)
    compiled = _compiled(study)
    values = compiled.simulate(seeds["simulate"])
    data = compiled.observed_frame(values)
    fit = _fit(study, compiled, data, seeds["fit"])
    truth_fit = compiled.truth_fit(values, data)
    prior_fit = compiled.prior_fit(fit, seeds["prior"])

    quantities = []
    rng = np.random.default_rng(seeds["ranks"])
    for kind, posterior, truth, prior in _evaluations(study, fit, truth_fit, prior_fit, seeds):
        for label, draws in posterior.items():
            if label not in truth:
                continue  # a parameter of the fitted model that the true SCM does not have
            quantities.append(
                _summarise(label, kind, draws, truth[label], prior.get(label), study, rng)
            )
    diagnostics = fit.diagnostics
    return {
        "version": RECORD_VERSION,
        "sim": index,
        "seconds": time.perf_counter() - start,
        "divergences": diagnostics.divergences,
        "rhat_max": _finite(diagnostics.rhat_max),
        "ess_bulk_min": _finite(diagnostics.ess_bulk_min),
        "quantities": quantities,
    }


def _evaluations(study: Study, fit: Fit, truth_fit: Fit, prior_fit: Fit, seeds):
    """(kind, posterior, truth, prior) element dicts for the parameters, then each query."""
    names = [p for p in fit.parameter_names if p in truth_fit.posterior]
    yield (
        "parameter",
        _parameter_elements(fit, names),
        _parameter_elements(truth_fit, names),
        _parameter_elements(prior_fit, names),
    )
    seed = seeds["queries"]
    for query in study.queries:
        yield (
            "query",
            query_elements(query, fit, seed),
            query_elements(query, truth_fit, seed),
            query_elements(query, prior_fit, seed),
        )


def _parameter_elements(fit: Fit, names: list[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in names:
        out.update(draw_elements(name, fit.posterior[name]))
    return out


def _summarise(label, kind, draws, truth, prior, study, rng) -> dict:
    flat = draws.ravel()
    true_value = float(np.ravel(truth)[0])
    prior_sd = float(np.std(prior)) if prior is not None else float("nan")
    return {
        "quantity": label,
        "kind": kind,
        "truth": true_value,
        "mean": float(flat.mean()),
        "sd": float(flat.std()),
        "intervals": [list(central_interval(flat, level)) for level in study.levels],
        "rank": rank(true_value, thin(flat, study.thin_to), rng),
        "prior_sd": _finite(prior_sd),
    }


def _fit(study: Study, compiled: _Compiled, data: pd.DataFrame, seed: int) -> Fit:
    if study.fitter is not None:
        return study.fitter(study.analysis, data, seed)
    return compiled.refitter(data).fit(data, random_seed=seed)


class _Compiled:
    """What one worker process compiles once per study."""

    def __init__(self, study: Study) -> None:
        self.study = study
        scm, exog, groups = exogenous_inputs(study.scm, study.exog, study.n)
        # the true model only simulates: its parameters are set, not sampled
        scales = dataclasses.replace(study.scales, standardize=False, rotations={})
        self.model = build_model(scm, n=study.n, scales=scales, exog=exog, groups=groups)
        self.fixed = checked_params(self.model, study.truth or {})
        world = pm.do(self.model, self.fixed) if self.fixed else self.model
        nodes = list(study.scm.order)
        free = [
            v.name
            for v in [*world.free_RVs, *world.deterministics]
            if v.name not in study.scm.nodes
        ]
        self.simulator = ForwardSampler(world, nodes + free)
        self._refitter = None
        self._prior: ForwardSampler | None = None

    def simulate(self, seed: int) -> dict[str, np.ndarray]:
        """Node values and every parameter value of one simulated world."""
        values = self.simulator(seed)
        values.update(self.fixed)
        return values

    def observed_frame(self, values: dict[str, np.ndarray]) -> pd.DataFrame:
        """The data set the analyst sees: observed nodes of the true SCM (given ones as given)."""
        scm, exog = self.study.scm, self.study.exog
        return pd.DataFrame(
            {
                name: exog[name].to_numpy(copy=True)
                if scm.nodes[name].is_given
                else node_column(scm, name, values[name])
                for name in scm.observed
            }
        )

    def truth_fit(self, values: dict[str, np.ndarray], data: pd.DataFrame) -> Fit:
        """The true SCM as a one-draw ``Fit`` (true parameters and latent values)."""
        encoded = encode_data(self.study.scm, data)
        names = [
            v.name
            for v in [*self.model.free_RVs, *self.model.deterministics]
            if v.name not in self.study.scm.nodes or self.study.scm.nodes[v.name].latent
        ]
        posterior = _dataset(self.model, {name: values[name][None, None] for name in names})
        return Fit(
            scm=encoded.scm,
            data=data.copy(),
            idata=az.InferenceData(posterior=posterior),
            scales=self.study.scales,
            diagnostics=Diagnostics(0, float("nan"), float("nan"), 1, 1),
            sampler="truth",
        )

    def prior_fit(self, fit: Fit, seed: int) -> Fit:
        """A copy of ``fit`` whose draws come from the fitted model's prior."""
        if self._prior is None:
            model = fit.model
            names = [
                v.name for v in [*model.free_RVs, *model.deterministics] if v.name in fit.posterior
            ]
            self._prior = ForwardSampler(model, names)
            self._prior_model = model
        draws = self._prior.many(self.study.prior_draws, seed)
        posterior = _dataset(self._prior_model, {k: v[None] for k, v in draws.items()})
        return dataclasses.replace(fit, idata=az.InferenceData(posterior=posterior))

    def refitter(self, template: pd.DataFrame):
        if self._refitter is None:
            from causalbayes.inference.refit import Refitter

            o = self.study.fit_options
            self._refitter = Refitter(
                self.study.analysis,
                template,
                sampler=o["sampler"],
                draws=o["draws"],
                tune=o["tune"],
                chains=o["chains"],
                cores=1,  # simulations already run one per core
                target_accept=o["target_accept"],
                warn=False,
                scales=self.study.scales,
                blocks=o.get("blocks", False),  # studies saved before "auto" fitted jointly
                exact=o.get("exact", False),
            )
        return self._refitter


_CACHE: dict[str, _Compiled] = {}


def _compiled(study: Study) -> _Compiled:
    """This process's compiled pieces of ``study`` (only the latest study is kept)."""
    key = study.key()
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _Compiled(study)
    return _CACHE[key]


def _dataset(model: pm.Model, values: dict[str, np.ndarray]) -> xr.Dataset:
    """Values shaped ``(chain, draw, *dims)`` as a posterior-like Dataset with the model's dims."""
    variables = {}
    for name, value in values.items():
        dims = tuple(model.named_vars_to_dims.get(name, ()))
        coords = {d: list(model.coords[d]) for d in dims if model.coords.get(d) is not None}
        variables[name] = xr.DataArray(value, dims=("chain", "draw", *dims), coords=coords)
    return xr.Dataset(variables)


def _frame_digest(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes() + ",".join(frame.columns).encode()).hexdigest()[:16]


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _callable_name(fn: Callable | None) -> str | None:
    if fn is None:
        return None
    if hasattr(fn, "__qualname__"):  # a function: its name
        return f"{fn.__module__}.{fn.__qualname__}"
    return f"{type(fn).__module__}.{type(fn).__qualname__}:{fn!r}"  # an object: its settings too
