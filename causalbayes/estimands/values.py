"""Turn user-facing treatment values into the model's encoding, checking support."""

from __future__ import annotations

from typing import Any

import numpy as np

from causalbayes.errors import QueryError
from causalbayes.scm.scm import SCM


def default_contrast(scm: SCM, treatment: str, observed=None) -> tuple[Any, Any]:
    """(treated, control) when the user gives no values: 1 vs 0, or 2nd vs 1st level.

    A given numeric treatment whose ``observed`` values are all 0 or 1 counts as binary.
    """
    node = scm[treatment]
    binary_data = observed is not None and np.isin(np.asarray(observed), (0, 1)).all()
    if node.family == "Bernoulli" or (node.is_given and not node.has_levels and binary_data):
        return 1, 0
    if node.has_levels and len(node.levels) == 2:
        return node.levels[1], node.levels[0]
    raise QueryError(
        f"treatment {treatment!r} is {node.family}: say which two values to compare, "
        f"e.g. values=({_example(scm, treatment)})"
    )


def _example(scm: SCM, treatment: str) -> str:
    node = scm[treatment]
    if node.has_levels:
        return f"{node.levels[1]!r}, {node.levels[0]!r}"
    return "1.0, 0.0"


def encode_value(scm: SCM, treatment: str, value: Any) -> int | float:
    """The model's value for ``do(treatment = value)``; refuses values outside the support."""
    node = scm[treatment]
    if node.has_levels:
        label = str(value)
        if label not in node.levels:
            raise QueryError(
                f"{value!r} is not a level of {treatment!r}; levels are {list(node.levels)}"
            )
        return node.levels.index(label)
    number = node.family_info.checked_value(treatment, value)
    if node.family == "Binomial" and isinstance(node.trials, int) and number > node.trials:
        raise QueryError(
            f"{treatment!r} has {node.trials} trials: treatment value {value!r} is out of range"
        )
    return number


def treatment_pair(scm: SCM, treatment: str, values, observed=None) -> tuple[list, list]:
    """(treated, control) as given (default: :func:`default_contrast`) and in the model's encoding."""
    values = default_contrast(scm, treatment, observed) if values is None else values
    if isinstance(values, str) or not hasattr(values, "__len__") or len(values) != 2:
        raise QueryError(f"values must be two treatment values (treated, control), got {values!r}")
    return list(values), [encode_value(scm, treatment, v) for v in values]
