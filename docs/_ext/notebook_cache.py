"""Executed copies of ``notebooks/*.ipynb``, shared by the docs build and the notebook tests.

The notebooks are stored without outputs.  CI runs one command, ``python -m pytest``, in
which ``tests/test_notebooks.py`` must execute every notebook (that is its test) and
``tests/test_docs.py`` must build the site with the notebooks' outputs.  Executing them
twice would cost the suite several minutes, so both go through :func:`executed`:

- it executes a notebook (short chains: ``CAUSALBAYES_FAST=1``) and stores the executed
  copy in a cache folder, under a key of everything the outputs depend on: the
  notebook's cells, every file of the ``causalbayes`` package, the versions of the
  libraries that compute or draw the results, and the environment settings below;
- a second call with the same key (the other test, or the next local build) returns the
  stored copy without executing anything.  Whichever of the two runs first pays.

The test suite builds the site with ``-D notebook_cache_execute=0``: notebooks with a
stored copy are shown with their outputs, the others without (nothing is executed), so
the build never runs a notebook, whatever the order or outcome of the notebook tests.

We use this rather than myst-nb's own execution through jupyter-cache because
jupyter-cache keys on the code cells only (a change to the library would show stale
outputs), runs each notebook with the kernel named in its metadata (the tests fall
back to a kernel of the running interpreter when ``python3`` names another Python) and
would make the notebook tests depend on Sphinx.  The docs build reads the copies with
myst-nb's execution turned off.

A failed execution raises and stores nothing.  ``CAUSALBAYES_NOTEBOOK_CACHE`` names
another cache folder, or ``off`` to execute every time without storing.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO / "notebooks"
PACKAGE_DIR = REPO / "causalbayes"
DEFAULT_CACHE = REPO / "docs" / "_build" / "executed-notebooks"
CELL_TIMEOUT_S = 600
FALLBACK_KERNEL = "causalbayes-python"
#: What the kernel runs with: short MCMC chains, and matplotlib's inline backend so that
#: figures are kept in the outputs (an inherited ``MPLBACKEND=Agg`` would drop them).
KERNEL_ENV = {
    "CAUSALBAYES_FAST": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
#: Libraries whose versions change what the notebooks compute or draw.
KEY_PACKAGES = ("pymc", "pytensor", "arviz", "numpy", "pandas", "matplotlib", "nutpie")

# jupyter_client launches sys.executable for a kernelspec whose argv[0] is one of these.
_PORTABLE_PYTHON = {
    "python",
    f"python{sys.version_info[0]}",
    "python{}.{}".format(*sys.version_info[:2]),
}


def notebooks() -> list[Path]:
    """The notebooks of the repository, in file-name order."""
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def cache_dir() -> Path | None:
    """The cache folder, or None when ``CAUSALBAYES_NOTEBOOK_CACHE=off``."""
    setting = os.environ.get("CAUSALBAYES_NOTEBOOK_CACHE", "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else DEFAULT_CACHE


def cache_key(path: Path) -> str:
    """SHA-256 of the notebook's cells, the package's files, library versions and KERNEL_ENV."""
    digest = hashlib.sha256()
    nb = nbformat.read(path, as_version=4)
    cells = [(cell.cell_type, cell.source) for cell in nb.cells]
    digest.update(json.dumps(cells).encode())
    for file in sorted(PACKAGE_DIR.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            digest.update(str(file.relative_to(REPO)).encode())
            digest.update(file.read_bytes())
    for name in KEY_PACKAGES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}=={version}".encode())
    digest.update(f"{sys.version_info[:3]}{sorted(KERNEL_ENV.items())}".encode())
    return digest.hexdigest()


def stored_copy(path: Path) -> Path | None:
    """The cached executed copy of the notebook at ``path``, if there is one for its key."""
    folder = cache_dir()
    if folder is None:
        return None
    stored = folder / f"{Path(path).stem}-{cache_key(path)[:20]}.ipynb"
    return stored if stored.is_file() else None


def executed(path: Path, *, scratch: Path | None = None) -> tuple[nbformat.NotebookNode, bool]:
    """The notebook at ``path`` with its outputs, and whether it came from the cache.

    Executes it (cells in order, kernel cwd = the notebook's folder) unless the cache
    holds a copy under the same key; a cell that fails raises
    ``nbclient.exceptions.CellExecutionError``.
    """
    path = Path(path)
    folder = cache_dir()
    if (found := stored_copy(path)) is not None:
        return nbformat.read(found, as_version=4), True
    nb = _execute(path, scratch)
    if folder is not None:
        stored = folder / f"{path.stem}-{cache_key(path)[:20]}.ipynb"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{path.stem}-*.ipynb"):  # outputs of older versions
            old.unlink()
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(nb, handle)
        os.chmod(tmp, 0o644)  # mkstemp makes it private
        os.replace(tmp, stored)  # all or nothing: a killed run leaves no half notebook
    return nb, False


def _execute(path: Path, scratch: Path | None) -> nbformat.NotebookNode:
    import nbclient

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(path.parent)}},  # cwd of the kernel
    )
    env = {**os.environ, **KERNEL_ENV}
    with tempfile.TemporaryDirectory() as tmp:
        client.km = kernel_manager(client, Path(scratch or tmp))
        client.execute(env=env)
    return nb


def python3_runs_this_interpreter() -> bool:
    """Whether the ``python3`` kernelspec exists and starts the Python running this code.

    ipykernel ships ``python3`` with argv ``python -m ipykernel_launcher``, which
    jupyter_client maps to ``sys.executable``.  A ``python3`` spec installed elsewhere
    (e.g. in ~/.local/share/jupyter) may name another Python without causalbayes.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return False
    if not spec.argv:
        return False
    executable = spec.argv[0]
    if executable in _PORTABLE_PYTHON:
        return True
    try:
        return os.path.samefile(executable, sys.executable)
    except OSError:
        return False


def kernel_manager(client, scratch: Path):
    """``python3`` when usable; else a throwaway kernelspec (written to ``scratch``,
    nothing installed) that starts ipykernel with this interpreter."""
    if python3_runs_this_interpreter():
        return client.kernel_manager_class(kernel_name="python3")
    from jupyter_client.kernelspec import KernelSpecManager

    spec_dir = scratch / "kernels" / FALLBACK_KERNEL
    shutil.rmtree(spec_dir, ignore_errors=True)
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": f"Python ({sys.executable})",
                "language": "python",
            }
        )
    )
    specs = KernelSpecManager(kernel_dirs=[str(scratch / "kernels")], ensure_native_kernel=False)
    return client.kernel_manager_class(kernel_name=FALLBACK_KERNEL, kernel_spec_manager=specs)


# -- Sphinx ----------------------------------------------------------------------------
def copy_into_docs(app) -> None:
    """Put a copy of every notebook in ``docs/notebooks/`` (generated, not in git): executed
    (from the cache, else run now), or, with ``notebook_cache_execute`` off, the cached
    executed copy where there is one and the stored notebook (no outputs) where not."""
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    target = Path(app.srcdir) / "notebooks"
    target.mkdir(exist_ok=True)
    wanted = set()
    execute = str(app.config.notebook_cache_execute).lower() not in ("0", "false", "no", "off")
    for path in notebooks():
        logger.info(f"notebook {path.name}: ", nonl=True)
        start = time.perf_counter()
        if execute:
            nb, cached = executed(path)
            note = "outputs from the cache" if cached else "executed"
        elif (stored := stored_copy(path)) is not None:
            nb, note = nbformat.read(stored, as_version=4), "outputs from the cache"
        else:
            nb, note = nbformat.read(path, as_version=4), "not executed (no cached outputs)"
        logger.info(f"{note} ({time.perf_counter() - start:.0f} s)")
        text = nbformat.writes(nb)
        out = target / path.name
        wanted.add(out.name)
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")  # untouched files keep Sphinx incremental
    for stale in target.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()


def setup(app):
    # -D notebook_cache_execute=0: never execute a notebook in the build (the test suite)
    app.add_config_value("notebook_cache_execute", True, "env")
    app.connect("builder-inited", copy_into_docs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
