"""The one place that decides names of parameters and dims.

Parameter names are part of the user contract (truth dicts, prior keys,
saved files), so they are defined here, beside the spec, not inside PyMC
code.  ``<node>.<local>``: ``coating.intercept``, ``coating.dilution``,
``coating.dilution:humid``, ``coating.sigma``.
"""

from __future__ import annotations

UNIT_DIM = "unit"


def param_name(node: str, local: str) -> str:
    return f"{node}.{local}"


def split_param_name(name: str) -> tuple[str, str]:
    node, _, local = name.partition(".")
    return node, local


def levels_dim(node: str) -> str:
    """Dim over all levels of a categorical node (cell means, probabilities)."""
    return f"{node}_levels"


def contrasts_dim(node: str) -> str:
    """Dim over the non-reference levels of a categorical node (effects vs the first level)."""
    return f"{node}_contrasts"
