"""Check a user's DataFrame against an SCM and encode it as numpy arrays.

Nothing here modifies the caller's frame: every column is read and copied.
Categorical values become integer codes (0 = reference level), booleans 0/1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.errors import DataError
from causalbayes.spec.scm import SCM


@dataclass(frozen=True)
class EncodedData:
    """Arrays for the observed nodes and exogenous columns, plus the resolved SCM."""

    scm: SCM  # categorical levels filled in from the data where they were not given
    n: int
    values: Mapping[str, np.ndarray]  # node -> float64 values or int64 codes
    exog: Mapping[str, np.ndarray]  # Binomial trials columns


def encode_data(scm: SCM, data: pd.DataFrame, *, nodes: Iterable[str] | None = None) -> EncodedData:
    """Validate ``data`` for ``nodes`` (default: all observed nodes) and encode it.

    Examples
    --------
    >>> import pandas as pd, causalbayes as cb
    >>> scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Normal(["t"])})
    >>> enc = encode_data(scm, pd.DataFrame({"t": [True, False], "y": [0.5, 1.0]}))
    >>> enc.values["t"].tolist()
    [1, 0]
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if len(data) == 0:
        raise DataError("data has no rows")
    wanted = list(scm.observed if nodes is None else nodes)
    missing = [n for n in wanted if n not in data.columns]
    if missing:
        raise DataError(
            f"data is missing column(s) {missing} for observed node(s); add the column(s), "
            f"or declare the node(s) latent=True if they are unobserved"
        )
    values, resolved = {}, dict(scm.nodes)
    for name in wanted:
        node = scm.nodes[name]
        column = data[name]
        if node.family == "Categorical":
            codes, levels = _encode_categorical(name, column, node.levels)
            values[name] = codes
            resolved[name] = node.with_levels(levels)
        else:
            values[name] = _encode_numeric(name, column, node.family, node.trials, data)
    exog = {}
    for name in wanted:
        trials = scm.nodes[name].trials
        if isinstance(trials, str):
            exog[trials] = trials_column(trials, data)
    return EncodedData(SCM(resolved), len(data), values, exog)


def _bad_rows(mask: np.ndarray, index: pd.Index) -> str:
    rows = list(index[mask][:5])
    more = " ..." if mask.sum() > 5 else ""
    return f"{int(mask.sum())} row(s), e.g. at index {rows}{more}"


def _encode_categorical(name: str, column: pd.Series, levels: tuple[str, ...] | None):
    if column.isna().any():
        raise DataError(
            f"column {name!r} has missing values in {_bad_rows(column.isna().to_numpy(), column.index)}; drop or impute them"
        )
    labels = column.astype(str).to_numpy()
    if levels is None:
        if isinstance(column.dtype, pd.CategoricalDtype):
            levels = tuple(str(c) for c in column.cat.categories)
        else:
            levels = tuple(sorted(set(labels)))
        if len(levels) < 2:
            raise DataError(
                f"column {name!r} has a single category {list(levels)}; a Categorical node needs at least two"
            )
    lookup = {lv: i for i, lv in enumerate(levels)}
    unknown = sorted(set(labels) - set(lookup))
    if unknown:
        raise DataError(
            f"column {name!r} has value(s) {unknown[:5]} that are not among the declared levels {list(levels)}"
        )
    return np.fromiter((lookup[v] for v in labels), dtype=np.int64, count=len(labels)), levels


def _as_float(name: str, column: pd.Series) -> np.ndarray:
    if (
        isinstance(column.dtype, pd.CategoricalDtype)
        or column.dtype == object
        or pd.api.types.is_string_dtype(column.dtype)
    ):
        converted = pd.to_numeric(column, errors="coerce")
        bad = converted.isna().to_numpy() & column.notna().to_numpy()
        if bad.any():
            example = column[bad].iloc[0]
            raise DataError(
                f"column {name!r} has non-numeric value(s) such as {example!r} ({_bad_rows(bad, column.index)}); declare the node Categorical or fix the column"
            )
        column = converted
    values = column.astype("float64").to_numpy(copy=True, na_value=np.nan)
    if np.isnan(values).any():
        raise DataError(
            f"column {name!r} has missing (NaN) values in {_bad_rows(np.isnan(values), column.index)}; drop or impute them"
        )
    if np.isinf(values).any():
        raise DataError(
            f"column {name!r} has infinite values in {_bad_rows(np.isinf(values), column.index)}; remove them"
        )
    return values


def _encode_numeric(
    name: str, column: pd.Series, family: str, trials, data: pd.DataFrame
) -> np.ndarray:
    values = _as_float(name, column)
    index = column.index
    if family == "Bernoulli":
        bad = (values != 0) & (values != 1)
        if bad.any():
            raise DataError(
                f"column {name!r} is a Bernoulli node but has values other than 0/1 ({_bad_rows(bad, index)}); recode it as 0/1 or choose another family"
            )
        return values.astype(np.int64)
    if family in {"Poisson", "NegativeBinomial", "Binomial"}:
        bad = (values < 0) | (values != np.round(values))
        if bad.any():
            raise DataError(
                f"column {name!r} is a {family} node but has negative or non-integer counts ({_bad_rows(bad, index)}); counts must be whole numbers >= 0"
            )
        if family == "Binomial":
            n_trials = trials_column(trials, data) if isinstance(trials, str) else trials
            over = values > n_trials
            if np.any(over):
                raise DataError(
                    f"column {name!r} has more successes than trials ({_bad_rows(np.asarray(over), index)})"
                )
        return values.astype(np.int64)
    if family in {"LogNormal", "Gamma"}:
        bad = values <= 0
        if bad.any():
            raise DataError(
                f"column {name!r} is a {family} node but has values <= 0 ({_bad_rows(bad, index)}); use a family for real values such as Normal"
            )
    return values


def trials_column(col: str, data: pd.DataFrame) -> np.ndarray:
    if col not in data.columns:
        raise DataError(f"data is missing the Binomial trials column {col!r}")
    values = _as_float(col, data[col])
    bad = (values < 1) | (values != np.round(values))
    if bad.any():
        raise DataError(
            f"trials column {col!r} must hold whole numbers >= 1 ({_bad_rows(bad, data.index)})"
        )
    return values.astype(np.int64)
