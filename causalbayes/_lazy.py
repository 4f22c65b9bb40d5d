"""Package exports that load on first use (PEP 562).

``causalbayes.estimands`` and ``causalbayes.inference`` re-export names from their
modules, most of which import PyMC, PyTensor and ArviZ (seconds to import).  Importing
them all in the package's ``__init__`` would make every module of the package pay
that, the light ones too (``cb.ab_test`` on its exact path reads only numpy-level
modules).  A package calls :func:`keep_exports` and defines ``__getattr__`` with
:func:`load_export`; an export then loads its module when it is first used.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping
from typing import Any


class LazyPackage(types.ModuleType):
    """A package whose ``_EXPORTS`` (name -> defining module) win over same-named submodules.

    Importing a submodule binds it on its package (``estimands.draws`` the module);
    where the package exports a function of that name (``estimands.draws``,
    ``inference.fit``), the export is kept, as it was when ``__init__`` imported
    every export eagerly, after their modules.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        submodule = getattr(value, "__name__", None) == f"{self.__name__}.{name}"
        if submodule and name in self.__dict__.get("_EXPORTS", {}):
            return
        super().__setattr__(name, value)


def keep_exports(package: str, exports: Mapping[str, str]) -> None:
    """Give ``package`` its lazy ``exports`` (name -> defining module)."""
    module = sys.modules[package]
    module._EXPORTS = dict(exports)  # type: ignore[attr-defined]
    module.__class__ = LazyPackage


def load_export(package: str, name: str) -> Any:
    """The export ``name`` of ``package``, its module imported now (the package's ``__getattr__``)."""
    module = sys.modules[package]
    exports = module.__dict__.get("_EXPORTS", {})
    if name not in exports:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(exports[name]), name)
    module.__dict__[name] = value  # later look-ups find it without __getattr__
    return value


def exported_names(package: str) -> list[str]:
    """``dir()`` of a lazy package: its loaded names and every export."""
    module = sys.modules[package]
    return sorted(set(module.__dict__) | set(module.__dict__.get("_EXPORTS", {})))
