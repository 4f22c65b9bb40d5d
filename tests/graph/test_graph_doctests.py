"""The Examples sections of the graph modules must run as written."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

MODULES = [
    "causalbayes.graph.dag",
    "causalbayes.graph.formats",
    "causalbayes.graph.parse",
    "causalbayes.graph.render",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_graph_layer_does_not_import_pymc():
    # Checked on the source: the package __init__ may import PyMC for other layers.
    package = Path(importlib.import_module("causalbayes.graph").__file__).parent
    sources = {path.name: path.read_text(encoding="utf-8") for path in package.glob("*.py")}
    assert "dag.py" in sources
    for name, text in sources.items():
        assert not re.search(r"^\s*(import|from)\s+pymc", text, re.MULTILINE), name
