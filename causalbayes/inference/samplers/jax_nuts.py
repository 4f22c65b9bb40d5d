"""NumPyro and BlackJAX NUTS through PyMC's JAX bridge.

JAX fixes the number of CPU devices when its backend starts, from
``XLA_FLAGS=--xla_force_host_platform_device_count=K``.  Parallel chains on CPU
need one device per chain, so :func:`prepare_jax` sets the flag only if JAX has
not started yet (an existing flag chosen by the user is kept) and otherwise
warns that chains will run one after another.  On a GPU, chains are vectorised
on the one device.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import arviz as az
import pymc as pm

from causalbayes.errors import CausalBayesWarning
from causalbayes.inference.samplers import pymc_nuts

_FLAG = "--xla_force_host_platform_device_count"


def prepare_jax(chains: int) -> str:
    """Make ``chains`` CPU devices available if JAX has not started; return the chain method.

    Returns ``"parallel"`` (one device per chain) or ``"vectorized"`` (one device:
    GPU, or a CPU JAX that was started before with fewer devices; then a warning
    says so).
    """
    started = _jax_backend_started()
    if not started and _FLAG not in os.environ.get("XLA_FLAGS", ""):
        cpus = os.cpu_count() or 1
        flags = os.environ.get("XLA_FLAGS", "")
        os.environ["XLA_FLAGS"] = f"{flags} {_FLAG}={max(cpus, chains)}".strip()
    saved = os.environ.get("XLA_FLAGS")
    import pymc.sampling.jax  # noqa: F401  (PyMC overwrites XLA_FLAGS on import)

    if saved is not None and not started:
        os.environ["XLA_FLAGS"] = saved
    import jax

    if jax.default_backend() != "cpu":
        return "vectorized"
    devices = jax.local_device_count()
    if devices < chains:
        if devices < min(chains, os.cpu_count() or 1):
            warnings.warn(
                f"JAX started before causalbayes could ask for {chains} CPU devices (it has "
                f"{devices}), so the {chains} chains run one after another. For parallel chains, "
                f'set os.environ["XLA_FLAGS"] = "{_FLAG}={chains}" before anything imports jax.',
                CausalBayesWarning,
                stacklevel=4,
            )
        return "vectorized"
    return "parallel"


def _jax_backend_started() -> bool:
    if "jax" not in sys.modules:
        return False
    try:
        from jax._src import xla_bridge

        return bool(xla_bridge.backends_are_initialized())
    except (ImportError, AttributeError):  # private API moved: assume the worst
        return True


def sample(model: pm.Model, *, nuts_sampler: str, **options: Any) -> az.InferenceData:
    """Sample ``model`` with ``nuts_sampler`` in {"numpyro", "blackjax"}."""
    options.pop("cores", None)
    chain_method = prepare_jax(options["chains"])
    kwargs = dict(options.pop("nuts_sampler_kwargs", None) or {})
    kwargs.setdefault("chain_method", chain_method)
    return pymc_nuts.sample(
        model, cores=None, nuts_sampler=nuts_sampler, nuts_sampler_kwargs=kwargs, **options
    )


def sample_numpyro(model: pm.Model, **options: Any) -> az.InferenceData:
    return sample(model, nuts_sampler="numpyro", **options)


def sample_blackjax(model: pm.Model, **options: Any) -> az.InferenceData:
    return sample(model, nuts_sampler="blackjax", **options)
