"""Execute every notebook in ``notebooks/`` end to end; any cell error fails the test.

The notebooks read ``CAUSALBAYES_FAST=1`` and then run short MCMC chains.  Warnings
raised inside the kernel do not reach pytest; they only show up in cell outputs.

Executions go through ``docs/_ext/notebook_cache.py``, which stores each executed copy:
the docs build (``tests/test_site.py``) shows these outputs instead of running the
notebooks a second time, and a notebook whose cells, library code and library versions
have not changed since a successful run is not executed again (its key says so).
``CAUSALBAYES_NOTEBOOK_CACHE=off`` executes every time.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "notebook_cache", ROOT / "docs" / "_ext" / "notebook_cache.py"
)
notebook_cache = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebook_cache)

NOTEBOOKS = notebook_cache.notebooks()


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    try:
        nb, _ = notebook_cache.executed(path, scratch=tmp_path)
    except nbclient.exceptions.CellExecutionError as err:
        pytest.fail(f"{path.name}: a cell failed\n{err}", pytrace=False)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.get("execution_count") for cell in code), "a code cell did not run"


def test_notebooks_exist() -> None:
    assert NOTEBOOKS, f"no notebooks in {notebook_cache.NOTEBOOKS_DIR}"


def test_cache_key_follows_the_cells_and_the_library(tmp_path: Path, monkeypatch) -> None:
    first = NOTEBOOKS[0]
    key = notebook_cache.cache_key(first)
    assert key == notebook_cache.cache_key(first)
    assert key != notebook_cache.cache_key(NOTEBOOKS[1])
    package = tmp_path / "causalbayes"
    package.mkdir()
    (package / "__init__.py").write_text("x = 1\n")
    monkeypatch.setattr(notebook_cache, "PACKAGE_DIR", package)
    monkeypatch.setattr(notebook_cache, "REPO", tmp_path)
    before = notebook_cache.cache_key(first)
    (package / "__init__.py").write_text("x = 2\n")
    assert notebook_cache.cache_key(first) != before


def test_fallback_kernelspec_names_this_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Force the fallback path: pretend python3 points at another Python.
    monkeypatch.setattr(notebook_cache, "python3_runs_this_interpreter", lambda: False)
    client = nbclient.NotebookClient(nbformat.v4.new_notebook())
    km = notebook_cache.kernel_manager(client, tmp_path)
    assert km.kernel_name == notebook_cache.FALLBACK_KERNEL
    assert km.kernel_spec.argv[0] == sys.executable
