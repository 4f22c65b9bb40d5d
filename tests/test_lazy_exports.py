"""``causalbayes.estimands`` and ``causalbayes.inference`` export their names lazily (``_lazy``).

Importing either package loads no PyMC; every export resolves to the object its module
defines, and an export that shares its name with a submodule (``estimands.draws``,
``estimands.predict``, ``inference.fit``) stays the export once the submodule is imported,
as it was when the packages imported everything eagerly.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("causalbayes.estimands", "causalbayes.inference")


def test_importing_the_packages_loads_no_pymc():
    code = (
        f"import sys, {', '.join(PACKAGES)}; "
        "assert not {'pymc', 'pytensor', 'arviz'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_export_is_its_modules_object(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        defining = importlib.import_module(module._EXPORTS[name])
        assert value is getattr(defining, name), name
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        module.nope  # noqa: B018


@pytest.mark.parametrize(
    ("package", "name", "defined_in"),
    [
        ("causalbayes.estimands", "draws", "causalbayes.estimands.query"),
        ("causalbayes.estimands", "predict", "causalbayes.estimands.predict"),
        ("causalbayes.inference", "fit", "causalbayes.inference.sampling"),
    ],
)
def test_an_export_named_like_a_submodule_stays_the_export(package, name, defined_in):
    importlib.import_module(f"{package}.{name}")  # binds the submodule on the package
    value = getattr(importlib.import_module(package), name)
    assert callable(value) and value.__module__ == defined_in
    namespace: dict = {}
    exec(f"from {package} import {name} as imported", namespace)
    assert namespace["imported"] is value


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checkers_see_the_same_exports(package):
    # the `if TYPE_CHECKING:` imports repeat the lazy map for mypy and editors
    module = importlib.import_module(package)
    tree = ast.parse(Path(module.__file__).read_text())
    (block,) = [
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    ]
    typed = {a.name: n.module for n in block.body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert typed == module._EXPORTS
    assert sorted(typed) == sorted(module.__all__)
