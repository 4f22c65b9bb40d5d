"""Shared helpers: build a Fit from hand-made posterior draws, without MCMC.

Sampling is not the point of most tests; exact tests feed known draws
through the same code path a real fit uses.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings


# -- one PyTensor compile cache per xdist worker -------------------------------------------
# PyTensor compiles one C module at a time per cache directory (a file lock), so workers
# sharing ~/.pytensor wait for each other's compiles.  A cache per worker compiles in
# parallel (some modules twice): four notebooks from a cold cache took 275 s, not 370 s.
# Set before anything imports pytensor; notebook kernels and sampler processes inherit it.
def _compiledir_per_worker() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if worker is None or "compiledir" in flags:
        return
    assert "pytensor" not in sys.modules, "pytensor was imported before tests/conftest.py"
    base = Path.home() / ".pytensor" / f"xdist-{worker}"
    os.environ["PYTENSOR_FLAGS"] = ",".join(filter(None, [flags, f"base_compiledir={base}"]))


_compiledir_per_worker()

from causalbayes.testing import fake_fit  # noqa: E402  (after the compile cache is chosen)

# Property tests draw the same examples on every run (seed everything): a failure in CI
# is then a failure on every machine, not a one-off draw.
settings.register_profile("causalbayes", derandomize=True)
settings.load_profile("causalbayes")


@pytest.fixture(name="fake_fit")
def fake_fit_fixture():
    return fake_fit


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


# -- the type check runs beside the suite ------------------------------------------------
# mypy takes about a minute of one core on a clean clone; most of the suite keeps one core
# busy, so mypy starts once collection is done, when tests/test_types.py is selected, and
# that test (it sorts after nearly every other) only reads the result.
MYPY_RUN = pytest.StashKey[object]()


@pytest.hookimpl(trylast=True)  # after -k / -m deselection
def pytest_collection_modifyitems(session, config, items):
    items.sort(key=_run_order(items))
    under_xdist = hasattr(config, "workerinput")  # every worker collects: mypy would run twice
    wanted = any(item.nodeid.endswith("test_types.py::test_package_type_checks") for item in items)
    if wanted and not under_xdist:
        config.stash[MYPY_RUN] = _start_mypy(Path(str(config.rootpath)))


# -- run order ----------------------------------------------------------------------------
# pytest-xdist hands tests out in collection order (`--no-loadscope-reorder`), so the
# longest go first and the workers finish together: the notebooks, then modules with real
# MCMC, then the quick rest; the site build goes last, as it shows the notebooks' executed
# copies.  Whole modules move, so a module's shared fixtures are still made once.
def _run_order(items):
    rank: dict[Path, int] = {}
    for item in items:
        path = Path(str(item.path))
        if path.name == "test_site.py":
            mine = 3
        elif path.name == "test_notebooks.py":
            mine = 0
        else:
            mine = 1 if item.get_closest_marker("slow") else 2
        rank[path] = min(rank.get(path, mine), mine)
    return lambda item: rank[Path(str(item.path))]


def _start_mypy(root: Path) -> subprocess.Popen | None:
    """``python -m mypy`` on the package, per pyproject.toml (None: mypy not installed)."""
    if importlib.util.find_spec("mypy") is None:
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"],
        cwd=root,
        env={**os.environ, "MYPY_FORCE_COLOR": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def mypy_run(request) -> subprocess.Popen | None:
    """The mypy process started after collection, or now under pytest-xdist (None when
    mypy is not installed)."""
    if MYPY_RUN not in request.config.stash:
        request.config.stash[MYPY_RUN] = _start_mypy(Path(str(request.config.rootpath)))
    return request.config.stash[MYPY_RUN]
