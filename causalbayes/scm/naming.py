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


def groups_dim(key: str) -> str:
    """Dim over the groups of a grouping column (``store_groups``, ``region:field_groups``)."""
    return f"{key}_groups"


def basis_dim(node: str, term: str) -> str:
    """Dim over the basis functions of a spline term of one node."""
    return f"{node}.{term}_basis"


def r2d2_dim(node: str) -> str:
    """Dim over the terms an R2-D2 prior splits the explained variance between."""
    return f"{node}.r2_terms"


def cutpoints_dim(node: str) -> str:
    return f"{node}_cutpoints"


def gaps_dim(node: str) -> str:
    return f"{node}_cutpoint_gaps"


def std_dim(node: str, local: str) -> str:
    """Dim over the coefficients of a rotated block sampled on the standardized scale."""
    return f"{node}.{local}_terms"
