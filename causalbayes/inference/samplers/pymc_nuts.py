"""PyMC's own NUTS: chains in parallel processes (``cores`` of them)."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import arviz as az
import pymc as pm

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
    """
    options: dict[str, Any] = {"nuts_sampler": nuts_sampler}
    if nuts_sampler == "pymc":
        jax_loaded = "jax" in sys.modules
        if cores is None:
            # forking a process that runs JAX's threads can deadlock (JAX warns), and
            # fork-server workers cost more than they save on models of this size
            cores = 1 if jax_loaded else min(chains, os.cpu_count() or 1)
        elif cores > 1 and jax_loaded:
            options.setdefault("mp_ctx", "forkserver")
        options["cores"] = cores
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
            target_accept=target_accept,
            random_seed=random_seed,
            progressbar=progressbar,
            compute_convergence_checks=False,
            **options,
        )
