"""JAX device count: set before JAX starts, a user's own flag kept, a warning when too late.
Persistent compilation cache: where it goes, a user's own directory kept, off on request.

Each case runs in a fresh interpreter, because JAX fixes its devices (and reads its
cache settings) once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# fresh interpreters that start JAX: seconds each
pytestmark = pytest.mark.slow
pytest.importorskip("jax", reason='jax not installed (pip install "causalbayes[jax]")')
pytest.importorskip("numpyro", reason='numpyro not installed (pip install "causalbayes[jax]")')


JAX_SETTINGS = ("XLA_FLAGS", "JAX_COMPILATION_CACHE_DIR", "CAUSALBAYES_JAX_CACHE")


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter; the persistent JAX cache is off unless ``env`` says."""
    environment = {k: v for k, v in os.environ.items() if k not in JAX_SETTINGS}
    environment.update(CAUSALBAYES_JAX_CACHE="off")
    environment.update(env, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, cwd=ROOT
    )


PREPARE = "from causalbayes.inference.samplers.jax_nuts import prepare_jax\n"


def test_fresh_process_gets_one_cpu_device_per_chain():
    result = _run(PREPARE + "print(prepare_jax(3))\nimport jax\nprint(jax.local_device_count())")
    assert result.returncode == 0, result.stderr
    method, devices = result.stdout.split()
    assert method == "parallel" and int(devices) >= 3


def test_a_users_own_device_flag_is_kept():
    code = PREPARE + "prepare_jax(2)\nimport jax\nprint(jax.local_device_count())"
    result = _run(code, XLA_FLAGS="--xla_force_host_platform_device_count=5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "5"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 CPUs to run chains in parallel")
def test_jax_started_too_early_warns_that_chains_run_in_turn():
    code = (
        "import warnings, jax\njax.devices()\n" + PREPARE + "warnings.simplefilter('error')\n"
        "try:\n    prepare_jax(4)\nexcept Warning as w:\n    print(type(w).__name__, w)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "CausalBayesWarning" in result.stdout and "one after another" in result.stdout


# a jitted function, then the cache directory JAX was told to use
COMPILE = (
    PREPARE + "prepare_jax(2)\nimport jax, jax.numpy as jnp\n"
    "jax.block_until_ready(jax.jit(lambda x: jnp.sin(x) * 2.0 + 1.0)(jnp.arange(3.0)))\n"
    "print(jax.config.jax_compilation_cache_dir)"
)


def test_compiled_programs_are_kept_in_the_causalbayes_cache(tmp_path):
    cache = tmp_path / "jax"
    result = _run(COMPILE, CAUSALBAYES_JAX_CACHE=str(cache))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == str(cache)
    assert any(cache.iterdir())  # even a program that compiles in milliseconds is kept


def test_default_cache_lives_in_the_user_cache_dir(tmp_path):
    result = _run(COMPILE, CAUSALBAYES_JAX_CACHE="", XDG_CACHE_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == str(tmp_path / "causalbayes" / "jax")


def test_a_users_own_jax_cache_dir_is_kept_and_the_cache_can_be_turned_off(tmp_path):
    mine = tmp_path / "mine"
    result = _run(COMPILE, JAX_COMPILATION_CACHE_DIR=str(mine), CAUSALBAYES_JAX_CACHE="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == str(mine)
    result = _run(COMPILE, XDG_CACHE_HOME=str(tmp_path / "xdg"))  # CAUSALBAYES_JAX_CACHE=off
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "None"
    assert not (tmp_path / "xdg" / "causalbayes").exists()
