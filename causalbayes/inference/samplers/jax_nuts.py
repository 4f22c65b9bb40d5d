"""NumPyro and BlackJAX NUTS through PyMC's JAX bridge.

JAX fixes the number of CPU devices when its backend starts, from
``XLA_FLAGS=--xla_force_host_platform_device_count=K``.  Parallel chains on CPU
need one device per chain, so :func:`prepare_jax` sets the flag only if JAX has
not started yet (an existing flag chosen by the user is kept) and otherwise
warns that chains will run one after another.  On a GPU, chains are vectorised
on the one device.

Compiled JAX programs are kept between sessions in a persistent compilation
cache (:func:`enable_compilation_cache`), by default in
``~/.cache/causalbayes/jax`` (``$XDG_CACHE_HOME/causalbayes/jax``), capped at
``CACHE_MAX_BYTES`` (least recently used entries go first): a numpyro fit of a
model seen before skips most of XLA's compile (about 6 s -> 1.5 s on 2 CPU cores,
docs/benchmarks.md).  ``CAUSALBAYES_JAX_CACHE=off`` turns it off,
``CAUSALBAYES_JAX_CACHE=/some/dir`` moves it; a cache directory set through JAX
itself (``JAX_COMPILATION_CACHE_DIR`` or ``jax.config``) is used as it is.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

import arviz as az
import pymc as pm

from causalbayes.errors import CausalBayesWarning
from causalbayes.inference.samplers import pymc_nuts

_FLAG = "--xla_force_host_platform_device_count"

#: Environment variable: ``off`` (or ``0``, ``false``, ``no``) disables the persistent
#: JAX compilation cache; any other value is the directory to keep it in.
CACHE_ENV = "CAUSALBAYES_JAX_CACHE"
#: Upper bound of the cache directory's size; JAX evicts least recently used entries.
CACHE_MAX_BYTES = 512 * 2**20
_OFF = {"0", "off", "false", "no", "none"}


def jax_cache_dir() -> Path | None:
    """The directory of causalbayes' persistent JAX compilation cache, or None when turned off.

    Examples
    --------
    >>> saved = os.environ.pop(CACHE_ENV, None)
    >>> jax_cache_dir().parts[-2:]
    ('causalbayes', 'jax')
    >>> os.environ[CACHE_ENV] = "off"
    >>> jax_cache_dir() is None
    True
    >>> os.environ[CACHE_ENV] = "/tmp/cb-jax"
    >>> str(jax_cache_dir())
    '/tmp/cb-jax'
    >>> _ = os.environ.pop(CACHE_ENV) if saved is None else os.environ.update({CACHE_ENV: saved})
    """
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() in _OFF:
        return None
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "causalbayes" / "jax"


def enable_compilation_cache() -> str | None:
    """Keep compiled JAX programs on disk between sessions; return the directory used.

    A directory the user gave JAX (``JAX_COMPILATION_CACHE_DIR``, ``jax.config``) is
    left as it is, with JAX's own thresholds.  Otherwise :func:`jax_cache_dir` is
    used, with every program cached however quick its compile (JAX's default
    skips programs that compile in under 1 s, which is most of a small model's),
    capped at ``CACHE_MAX_BYTES``.  None when turned off or the directory cannot
    be created (then JAX simply compiles, as without a cache).
    """
    import jax

    if jax.config.jax_compilation_cache_dir:
        return str(jax.config.jax_compilation_cache_dir)
    directory = jax_cache_dir()
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(directory))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    jax.config.update("jax_compilation_cache_max_size", CACHE_MAX_BYTES)
    return str(directory)


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

    enable_compilation_cache()
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
