"""PyMC's own NUTS: chains in parallel processes (``cores`` of them)."""

from __future__ import annotations

import os
import sys
from typing import Any

import arviz as az
import pymc as pm


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
    (a numpyro/blackjax fit ran): then they come from a fork server, because
    forking JAX's threads can deadlock.  Also the entry point of the nutpie and JAX backends, which pass ``nuts_sampler``.
    """
    options: dict[str, Any] = {"nuts_sampler": nuts_sampler}
    if nuts_sampler == "pymc":
        options["cores"] = cores or min(chains, os.cpu_count() or 1)
        if "jax" in sys.modules and options["cores"] > 1:
            # forking a process that runs JAX's threads can deadlock (JAX warns)
            options.setdefault("mp_ctx", "forkserver")
    if nuts_sampler != "nutpie":  # nutpie ignores it, with a warning
        options["idata_kwargs"] = {"log_likelihood": False}
    options.update(kwargs)
    with model:
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
