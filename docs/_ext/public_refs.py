"""The reference documents the public API, by its public names.

Two rules, enforced while the site builds:

1. ``api.md`` lists exactly ``causalbayes.__all__``: a name exported but not documented,
   or documented but not exported, fails the build (``tests/test_public_api.py`` checks
   the same without building).
2. Docstrings cross-reference objects by the module that defines them today
   (``:class:`~causalbayes.errors.DataError```, ``:func:`causalbayes.estimands.att```).
   Such a reference links to the object's public page (``causalbayes.DataError``) when
   the object is public; when it names something that exists in the package but is not
   public (internal modules move, see issue 13) it is shown as code without a link; a
   reference to nothing at all still fails the build (``nitpicky``).
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

from sphinx.errors import ExtensionError

PACKAGE = "causalbayes"
_FENCE = re.compile(r"^\.\. autosummary::\n(.*?)^```", re.M | re.S)  # in {eval-rst} blocks


def public_names() -> set[str]:
    return set(importlib.import_module(PACKAGE).__all__)


def documented_names(api_page: Path) -> list[str]:
    """The entries of every ``autosummary`` directive of the API page.

    They are written in ``{eval-rst}`` blocks: autosummary finds what to generate stub
    pages for by scanning source files for the reStructuredText directive.
    """
    names = []
    for block in _FENCE.findall(api_page.read_text(encoding="utf-8")):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                names.append(line)
    return names


def check_api_page(app) -> None:
    listed = documented_names(Path(app.srcdir) / "api.md")
    expected = public_names()
    problems = []
    if missing := sorted(expected - set(listed)):
        problems.append(f"exported but not in docs/api.md: {', '.join(missing)}")
    if extra := sorted(set(listed) - expected):
        problems.append(f"in docs/api.md but not exported: {', '.join(extra)}")
    if twice := sorted({n for n in listed if listed.count(n) > 1}):
        problems.append(f"listed more than once in docs/api.md: {', '.join(twice)}")
    if problems:
        raise ExtensionError("; ".join(problems))


def _public_target(target: str) -> str | None:
    """``causalbayes.inference.fit.Fit.ate`` -> ``causalbayes.Fit.ate`` (first public part)."""
    public = public_names()
    parts = target.split(".")
    if parts[0] == PACKAGE:
        parts = parts[1:]
    for i, part in enumerate(parts):
        if part in public:
            return ".".join([PACKAGE, *parts[i:]])
    return None


def _exists_in_package(target: str) -> bool:
    """Whether ``target`` (dotted, or a bare name) names an object of the package."""
    parts = target.lstrip(".~").split(".")
    if parts[0] != PACKAGE:  # a bare name: look in every loaded causalbayes module
        return any(
            _resolve(module, parts)
            for name, module in list(sys.modules.items())
            if name == PACKAGE or name.startswith(PACKAGE + ".")
        )
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        return _resolve(module, parts[cut:])
    return False


def _resolve(obj, attrs: list[str]) -> bool:
    for attr in attrs:
        try:
            obj = inspect.getattr_static(obj, attr)
        except AttributeError:
            return False
    return True


def resolve_missing(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    public = _public_target(target)
    if public is not None:
        found = env.get_domain("py").resolve_any_xref(
            env, node.get("refdoc", ""), app.builder, public, node, contnode
        )
        if found:
            return found[0][1]
    if _exists_in_package(target):
        return contnode  # internal: shown as code, no link
    return None  # nitpicky reports it


def setup(app):
    app.connect("builder-inited", check_api_page)
    app.connect("missing-reference", resolve_missing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
