"""The package's floors: imports point down only, and no two modules import each other.

Every import of a ``causalbayes`` module counts, at module level or inside a
function (a deferred import is still a dependency).  The layers, bottom first,
are listed in :data:`LAYERS`; a module may import its own layer and those
below.  ARCHITECTURE.md draws the same floors.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "causalbayes"

# bottom first; a name is a subpackage or a top-level module of causalbayes
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "_version", "_defaults", "_lazy"),
    ("experiments",),  # decision math on arrays of draws (numpy only)
    ("graph",),
    ("families",),
    ("scm",),
    ("data",),
    ("identification",),
    ("compile",),
    ("inference",),
    ("estimands",),
    ("recovery",),
    ("sensitivity",),  # refits and reads effects: above estimands and recovery
    ("testing", "examples", "cli", "__init__", "__main__"),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every causalbayes module ``path`` imports, wherever the import statement is."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("causalbayes"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("causalbayes"):
                continue
            # `from causalbayes.x import y`: the submodule causalbayes.x.y if there is one,
            # else a name defined in causalbayes.x
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.add(sub if sub in modules else target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    names = set(modules)
    return {
        m: {i for i in _imports(p, names) if i in modules and i != m} for m, p in modules.items()
    }


def _layer(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    for rank, names in enumerate(LAYERS):
        if key in names:
            return rank
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS (and ARCHITECTURE.md)")


def test_every_module_has_a_layer():
    for module in _graph():
        _layer(module)


def test_imports_point_down_only():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(module)
    )
    assert upward == [], "\n".join(upward)


def test_no_import_cycles():
    graph = _graph()
    # a module's package __init__ importing it back is how packages re-export: not a cycle
    edges = {
        m: {t for t in targets if not (m.startswith(t + ".") and t in graph)}
        for m, targets in graph.items()
    }
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    assert cycles == [], cycles


@pytest.mark.parametrize("name", ["causalbayes.scm", "causalbayes.graph", "causalbayes.data"])
def test_the_declaration_does_not_load_pymc(name):
    import subprocess
    import sys

    code = f"import {name}, sys; assert 'pymc' not in sys.modules and 'pytensor' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
