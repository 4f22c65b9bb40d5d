"""Execute every notebook in ``notebooks/`` end to end; any cell error fails the test.

The notebooks read ``CAUSALBAYES_FAST=1`` and then run short MCMC chains.  Warnings
raised inside the kernel do not reach pytest; they only show up in cell outputs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 600
FALLBACK_KERNEL = "causalbayes-test-python"
# jupyter_client launches sys.executable for a kernelspec whose argv[0] is one of these.
_PORTABLE_PYTHON = {
    "python",
    f"python{sys.version_info[0]}",
    "python{}.{}".format(*sys.version_info[:2]),
}


def _python3_runs_this_interpreter() -> bool:
    """Whether the ``python3`` kernelspec exists and starts the Python running pytest.

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


def _kernel_manager(client: nbclient.NotebookClient, scratch: Path):
    """``python3`` when usable; else a throwaway kernelspec (written to ``scratch``,
    nothing installed) that starts ipykernel with this interpreter."""
    if _python3_runs_this_interpreter():
        return client.kernel_manager_class(kernel_name="python3")
    from jupyter_client.kernelspec import KernelSpecManager

    spec_dir = scratch / "kernels" / FALLBACK_KERNEL
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


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel inherits os.environ.
    monkeypatch.setenv("CAUSALBAYES_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},  # cwd of the kernel
    )
    client.km = _kernel_manager(client, tmp_path)
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as err:
        pytest.fail(f"{path.name}: a cell failed\n{err}", pytrace=False)


def test_notebooks_exist() -> None:
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOKS_DIR}"


def test_fallback_kernelspec_names_this_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Force the fallback path: pretend python3 points at another Python.
    monkeypatch.setattr(sys.modules[__name__], "_python3_runs_this_interpreter", lambda: False)
    client = nbclient.NotebookClient(nbformat.v4.new_notebook())
    km = _kernel_manager(client, tmp_path)
    assert km.kernel_name == FALLBACK_KERNEL
    assert km.kernel_spec.argv[0] == sys.executable
