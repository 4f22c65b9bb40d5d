"""PyMC's own NUTS: chains in parallel processes (``cores`` of them)."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import arviz as az
import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
from pymc.initial_point import make_initial_point_fn
from pymc.model.fgraph import ModelObservedRV, fgraph_from_model, model_from_fgraph
from pymc.step_methods.hmc.quadpotential import QuadPotentialDiagAdapt, QuadPotentialFullAdapt
from pytensor.tensor.variable import TensorConstant

#: Models with at most this many free scalars get a dense mass matrix in
#: :class:`CompiledNUTS`: it learns the correlations of a small block (an intercept
#: and a slope on an uncentred covariate), at O(size^2) a step.  Story 1's logistic
#: block, 12 prior draws (N = 200, 2 x 500 + 500): 2.7-4.7 leapfrog steps a draw
#: instead of 2.7-19, min bulk ESS 307-1112 instead of 155-868, R-hat above 1.01 in
#: none instead of 3.
DENSE_MAX = 10

#: numpy's "overflow encountered in dot" from PyMC's diagonal mass-matrix adaptation
#: (``QuadPotentialDiagAdapt.velocity_energy``): a wild early tuning step overflows the
#: kinetic energy, NUTS rejects it and goes on; the diagnostics judge the result.  It is
#: ignored only while PyMC samples, only from that module.
ADAPTATION_OVERFLOW = {
    "message": "overflow encountered in dot",
    "category": RuntimeWarning,
    "module": r"pymc\.step_methods\.hmc\.quadpotential",
}


def sample(
    model: pm.Model,
    *,
    draws: int,
    tune: int,
    chains: int,
    cores: int | None,
    target_accept: float,
    random_seed: int | None,
    progressbar: bool,
    nuts_sampler: str = "pymc",
    **kwargs: Any,
) -> az.InferenceData:
    """``pm.sample`` with all chains in parallel (PyMC's default on 2 cores runs two, in turn).

    Worker processes are forked, except once JAX is loaded in this process
    (a numpyro/blackjax fit ran), because forking JAX's threads can deadlock:
    then chains run in this process one after another, or, if ``cores`` > 1 is
    asked for, in fork-server workers (a script then needs the
    ``if __name__ == "__main__":`` guard).  Also the entry point of the nutpie and JAX backends, which pass ``nuts_sampler``.
    A prebuilt ``step=`` (:class:`CompiledNUTS`) keeps its own ``target_accept``.
    The PyMC backend samples :func:`constants_as_inputs` of ``model`` (same posterior).
    """
    options: dict[str, Any] = {"nuts_sampler": nuts_sampler}
    if kwargs.get("step") is None:  # pm.sample refuses a target_accept next to a step
        options["target_accept"] = target_accept
    if nuts_sampler == "pymc":
        jax_loaded = "jax" in sys.modules
        if cores is None:
            # forking a process that runs JAX's threads can deadlock (JAX warns), and
            # fork-server workers cost more than they save on models of this size
            cores = 1 if jax_loaded else min(chains, os.cpu_count() or 1)
        elif cores > 1 and jax_loaded:
            options.setdefault("mp_ctx", "forkserver")
        options["cores"] = cores
        if kwargs.get("step") is None:
            model = constants_as_inputs(model)
    if nuts_sampler != "nutpie":  # nutpie ignores it, with a warning
        options["idata_kwargs"] = {"log_likelihood": False}
    options.update(kwargs)
    # Chain processes forked inside this block inherit the filter (PyMC forks on Linux);
    # fork-server workers (after a JAX fit, cores > 1) start from a clean interpreter
    # and may still print the warning.
    with model, warnings.catch_warnings():
        warnings.filterwarnings("ignore", **ADAPTATION_OVERFLOW)
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            progressbar=progressbar,
            compute_convergence_checks=False,
            **options,
        )


#: Float values PyTensor's rewrites specialise on (``x ** 2`` into ``sqr(x)``, ``x * 1``
#: into ``x``): left as constants.  Any other float is kept out of the compiled code.
_SPECIALISED = np.array([0.0, 0.5, 1.0, 2.0])


def constants_as_inputs(model: pm.Model) -> pm.Model:
    """``model`` with its float constants held in shared variables: same graph, same values.

    Default priors, standardization factors and centring means are numbers taken from
    the data.  As constants, PyTensor folds and fuses them into the C code it compiles
    for the log density, so each new data set compiled new modules (close_college
    resampled, ``queries=[ATE]``, ``sampler="pymc"``: 15 modules, about 9 s a fit,
    where the hand-written model compiled none).  As shared variables they are inputs
    of that code, and the compiled modules come from PyTensor's cache after the first
    data set.  Observed values are left alone: PyTensor never writes arrays into C code.
    A scalar within rounding of a specialised one (a default prior's ``sd / sd``, 1.0
    for one data set and 0.9999999999999999 for the next) becomes that value, so that
    both compile alike.
    """
    fgraph, _ = fgraph_from_model(model)
    observed = {
        node.inputs[1] for node in fgraph.apply_nodes if isinstance(node.op, ModelObservedRV)
    }
    pairs = []
    for c in fgraph.variables:
        if isinstance(c, TensorConstant) and c not in observed and c.dtype.startswith("float"):
            replacement = _as_input(np.asarray(c.data), c.type.shape)
            if replacement is not None:
                pairs.append((c, replacement))
    if not pairs:
        return model
    fgraph.replace_all(pairs, import_missing=True)
    return model_from_fgraph(fgraph, mutate_fgraph=True)


def _as_input(value: np.ndarray, shape: tuple):
    """A shared variable for ``value``; a specialised value rounded to it; None to keep."""
    if value.ndim == 0:
        nearest = _SPECIALISED[np.abs(abs(value) - _SPECIALISED).argmin()]
        if np.isclose(abs(value), nearest, rtol=8 * np.finfo(value.dtype).eps, atol=0):
            exact = np.copysign(nearest, value).astype(value.dtype)
            return None if exact == value else pt.constant(exact)
    elif np.isin(np.abs(value), _SPECIALISED).all():  # zeros, ones: no data in them
        return None
    shared = pytensor.shared(value.copy(), shape=shape)
    # a Cholesky factor stays one: PyTensor then reads cholesky(L @ L.T) as L
    shared.tag.lower_triangular = value.ndim == 2 and np.array_equal(value, np.tril(value))
    return shared


class CompiledNUTS:
    """PyMC's NUTS built once for a model whose data (shared variables) change between fits.

    ``pm.sample`` without a step runs ``init_nuts``, which compiles the log density and
    its gradient again on every call (seconds).  This builds the step that
    ``init_nuts(init="jitter+adapt_diag")`` builds (diagonal mass matrix adapted from
    ones, with weight 10) once; :meth:`sample` hands it to ``pm.sample(step=...)``.
    A model of at most ``DENSE_MAX`` free scalars gets ``"jitter+adapt_full"``'s dense
    mass matrix (adapted from the identity, weight 10) instead.

    Parameters
    ----------
    model : pm.Model
        All free variables continuous; new data go into its shared variables before
        each :meth:`sample`.
    target_accept : float
        NUTS' target acceptance rate, fixed when the step is built.
    jitter_max_retries : int
        Redraws of a chain's jittered start whose log density is not finite (as
        ``pm.sample``'s option of that name).

    Notes
    -----
    Two things ``init_nuts`` did per call happen in :meth:`sample`: the step gets
    back the state it was built with (it keeps its last chain's tuning;
    ``pm.sample`` restores, per chain, the state it is handed, and chain processes
    start from the state they are sent), and each chain gets ``init_nuts``' jittered
    start for the same seed.  So a seed gives the same draws whatever was sampled
    before, with any ``cores``.  Unlike ``init_nuts``, the mass-matrix adaptation
    starts from the model's initial point, the centre of the jitter, not from the
    mean of this call's starts.
    """

    def __init__(
        self, model: pm.Model, *, target_accept: float, jitter_max_retries: int = 10
    ) -> None:
        self.model = model
        self.jitter_max_retries = jitter_max_retries
        centre = model.initial_point()
        mean = np.concatenate([np.ravel(centre[v.name]) for v in model.value_vars])
        if mean.size <= DENSE_MAX:
            with warnings.catch_warnings():
                # PyMC labels it experimental (init="jitter+adapt_full"); measured above
                warnings.filterwarnings("ignore", "QuadPotentialFullAdapt is an experimental")
                potential = QuadPotentialFullAdapt(mean.size, mean, np.eye(mean.size), 10)
        else:
            potential = QuadPotentialDiagAdapt(mean.size, mean, np.ones_like(mean), 10)
        self.step = pm.NUTS(
            vars=model.value_vars, model=model, target_accept=target_accept, potential=potential
        )
        self._untuned = self.step.sampling_state
        self._jittered = make_initial_point_fn(
            model=model, jitter_rvs=set(model.free_RVs), return_transformed=True
        )
        self._logp = model.compile_logp()

    def starts(self, chains: int, random_seed: int | None) -> list[dict[str, np.ndarray]]:
        """Each chain's start: the initial point plus uniform(-1, 1) jitter (transformed space).

        Seeded as ``pm.sample`` seeds ``init_nuts``, and redrawn like it while the
        log density of the current data is not finite.
        """
        seeds = [rng.integers(2**30) for rng in np.random.default_rng(random_seed).spawn(chains)]
        return [self._start(seed) for seed in seeds]

    def _start(self, seed) -> dict[str, np.ndarray]:
        retry = np.random.default_rng(seed)
        for _ in range(self.jitter_max_retries + 1):
            point = self._jittered(seed)
            if np.isfinite(self._logp(point)):
                return point
            seed = retry.integers(2**30, dtype=np.int64)
        self.model.check_start_vals(point)  # raises, naming the variables at fault
        return point

    def sample(
        self,
        *,
        draws: int,
        tune: int,
        chains: int,
        cores: int | None,
        random_seed: int | None,
        progressbar: bool,
    ) -> az.InferenceData:
        """:func:`sample` with the prebuilt step, untuned, from jittered starts."""
        self.step.sampling_state = self._untuned
        return sample(
            self.model,
            draws=draws,
            tune=tune,
            chains=chains,
            cores=cores,
            target_accept=self.step.target_accept,
            random_seed=random_seed,
            progressbar=progressbar,
            step=self.step,
            initvals=self.starts(chains, random_seed),
        )
