"""A clean first hour: no third-party noise in the user's terminal, progress bars when watched.

- numpy's "overflow encountered in dot" from PyMC's mass-matrix adaptation is ignored
  while PyMC samples, in this process and in the forked chain processes, and nothing
  else is (``causalbayes.inference.samplers.pymc_nuts``).
- ArviZ's daily FutureWarning about its refactor is ignored while the demo imports the
  PyMC stack (``causalbayes.cli``); on the library's own import path it still shows
  (strict xfail below: the fix belongs where causalbayes first imports PyMC).
- ``causalbayes demo`` shows progress bars when someone watches (a terminal, a Jupyter
  kernel), not under CI, and as asked with ``--progress`` / ``--no-progress``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from causalbayes.cli import build_parser, interactive

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, tmp_path: Path, *, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with default warning filters and empty caches
    (ArviZ stamps its daily announcement in ``$XDG_CACHE_HOME/arviz``)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# -- numpy's overflow warning from PyMC's mass-matrix adaptation ------------------------
# A model whose log density warns exactly as PyMC's quadpotential module does (same
# message, category and module), from inside each chain, in parallel and in process; a
# control warns with the same message from another module and must still be seen.
OVERFLOW_SCRIPT = """
import warnings

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pytensor.compile.ops import as_op

from causalbayes.inference.samplers import pymc_nuts


def model_warning_from(module, filename):
    @as_op(itypes=[pt.dscalar], otypes=[pt.dscalar])
    def logp(x):
        warnings.warn_explicit(
            "overflow encountered in dot", RuntimeWarning, filename, 316, module=module
        )
        return np.asarray(-0.5 * x**2, dtype="float64")

    with pm.Model() as model:
        pm.Normal("x")  # sampled by NUTS, as in a fit
        y = pm.Flat("y")
        pm.Potential("noisy", logp(y))  # evaluated by Metropolis steps inside each chain
        step = pm.Metropolis([y])
    return model, step


def run(module, filename, cores):
    model, step = model_warning_from(module, filename)
    pymc_nuts.sample(
        model, draws=20, tune=0, chains=2, cores=cores, target_accept=0.8,
        random_seed=1, progressbar=False, step=step, mp_ctx="fork",
    )


run("pymc.step_methods.hmc.quadpotential", "quadpotential.py", cores=2)  # forked chains
run("pymc.step_methods.hmc.quadpotential", "quadpotential.py", cores=1)  # in process
run("somewhere.else", "control.py", cores=2)
print("done")
"""


@pytest.mark.slow
def test_adaptation_overflow_is_ignored_while_sampling_and_only_then(tmp_path):
    result = _python(OVERFLOW_SCRIPT, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "done" in result.stdout
    assert "control.py:316: RuntimeWarning: overflow encountered in dot" in result.stderr
    assert "quadpotential.py:316" not in result.stderr, result.stderr


# -- ArviZ's daily announcement -------------------------------------------------------
ANNOUNCEMENT = "ArviZ is undergoing a major refactor"


def _announces(code: str, tmp_path: Path) -> bool:
    result = _python(code, tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    return ANNOUNCEMENT in result.stderr


@pytest.fixture(scope="module")
def arviz_announces(tmp_path_factory) -> None:
    """Skip where this ArviZ has nothing to announce (a version without it, or the
    arviz-base/-stats/-plots previews installed); checked once per run (a fresh import)."""
    if not _announces("import arviz", tmp_path_factory.mktemp("control")):
        pytest.skip("this ArviZ does not announce its refactor")


@pytest.mark.slow  # fresh interpreters importing PyMC
def test_demo_imports_without_arviz_announcement(arviz_announces, tmp_path):
    code = """
    from causalbayes.cli import _without_arviz_announcement
    import warnings
    with _without_arviz_announcement():
        from causalbayes.inference import fit  # loads PyMC (the package's names are lazy)
    warnings.warn("still shown", FutureWarning)  # the filter ends with the block
    """
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert ANNOUNCEMENT not in result.stderr
    assert "FutureWarning: still shown" in result.stderr


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="the library's own first import of PyMC (causalbayes.inference, reached by "
    "cb.fit / scm.fit) still lets ArviZ's daily FutureWarning through; the filter "
    "belongs where the lazy __getattr__ or inference/ first imports pymc (issue 18)",
)
def test_library_imports_without_arviz_announcement(arviz_announces, tmp_path):
    assert not _announces("import causalbayes as cb\ncb.fit", tmp_path)


# -- progress bars --------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("environ", "stream", "expected"),
    [
        ({}, _Terminal(), True),
        ({}, io.StringIO(), False),  # piped or redirected
        ({"CI": "true"}, _Terminal(), False),
        ({"CI": "1"}, _Terminal(), False),
        ({"CI": "false"}, _Terminal(), True),
        ({"CI": ""}, _Terminal(), True),
        ({}, object(), False),  # no isatty at all
    ],
)
def test_interactive_means_a_terminal_outside_ci(environ, stream, expected):
    assert interactive(stream, environ=environ) is expected


def test_interactive_in_a_jupyter_kernel(monkeypatch):
    monkeypatch.setattr("causalbayes.cli._in_jupyter_kernel", lambda: True)
    assert interactive(io.StringIO(), environ={}) is True
    assert interactive(io.StringIO(), environ={"CI": "true"}) is False


def test_in_jupyter_kernel_is_false_here():
    from causalbayes.cli import _in_jupyter_kernel

    assert _in_jupyter_kernel() is False


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], None), (["--progress"], True), (["--no-progress"], False)],
)
def test_demo_progress_flag(argv, expected):
    assert build_parser().parse_args(["demo", *argv]).progress is expected


def test_demo_passes_the_progress_setting_to_fit(monkeypatch):
    seen = []

    class Stop(Exception):
        pass

    def fake_fit(*args, progressbar, **kwargs):
        seen.append(progressbar)
        raise Stop

    import causalbayes.inference
    from causalbayes.cli import run_demo

    monkeypatch.setattr(causalbayes.inference, "fit", fake_fit)
    for asked, expected in [(True, True), (False, False)]:
        with pytest.raises(Stop):
            run_demo(n=20, progressbar=asked)
        assert seen.pop() is expected
    monkeypatch.setattr("causalbayes.cli.interactive", lambda: True)
    with pytest.raises(Stop):
        run_demo(n=20)
    assert seen.pop() is True
