"""The experiments core stays light: no PyMC on import, every export documented with an example."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import causalbayes.experiments as ex

ROOT = Path(__file__).resolve().parents[2]


def test_import_does_not_load_pymc_or_arviz():
    # nor scipy.stats and scipy.integrate (0.7 s): the exact path uses _dist's families
    heavy = ("pymc", "pytensor", "arviz", "scipy.stats", "scipy.integrate")
    code = (
        "import sys, causalbayes.experiments as ex; "
        "ex.compare_posterior(ex.beta_binomial([1, 2], [10, 10]), random_seed=1); "
        f"print(sorted(m for m in {heavy} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_every_public_function_has_a_runnable_example_or_is_a_class_with_documented_methods():
    for name in ex.__all__:
        obj = getattr(ex, name)
        doc = inspect.getdoc(obj) or ""
        assert doc, name
        if inspect.isfunction(obj):
            assert ">>>" in doc, f"{name} has no Examples"


def test_files_stay_small():
    for path in (ROOT / "causalbayes" / "experiments").glob("*.py"):
        assert len(path.read_text().splitlines()) <= 260, path.name
