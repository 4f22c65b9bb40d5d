"""Check a user's DataFrame against an SCM and encode it as numpy arrays.

Nothing here modifies the caller's frame: every column is read and copied.
Categorical values become integer codes (0 = reference level), booleans 0/1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from causalbayes.errors import DataError
from causalbayes.scm.scm import SCM

MISSING_OPTIONS = ("raise", "impute")
# Beyond this, float64 loses whole numbers (2**53) and int64 counts wrap: refuse, do not guess.
MAX_ABS_VALUE = 2.0**53


@dataclass(frozen=True)
class EncodedData:
    """Arrays for the observed nodes and exogenous columns, plus the resolved SCM."""

    scm: SCM  # categorical and group levels filled in from the data where they were not given
    n: int
    values: Mapping[str, np.ndarray]  # node -> float64 values (NaN where imputed) or int64 codes
    exog: Mapping[str, np.ndarray]  # Binomial trials, measurement errors, given nodes' values
    groups: Mapping[str, np.ndarray] = field(default_factory=dict)  # grouping key -> int64 codes
    missing: Mapping[str, np.ndarray] = field(default_factory=dict)  # node -> mask of imputed rows

    @property
    def exog_columns(self) -> tuple[str, ...]:
        """Data columns read besides the nodes: trials, standard errors, grouping columns."""
        cols = dict.fromkeys(sorted(c for c in self.exog if c not in self.scm.nodes))
        for node in self.scm.nodes.values():
            cols.update(dict.fromkeys(node.group_columns))
        return tuple(cols)


def encode_data(
    scm: SCM,
    data: pd.DataFrame,
    *,
    nodes: Iterable[str] | None = None,
    missing: str = "raise",
    new_groups: bool = False,
) -> EncodedData:
    """Validate ``data`` for ``nodes`` (default: all observed nodes) and encode it.

    Parameters
    ----------
    missing : {"raise", "impute"}
        What to do with missing values in continuous node columns: refuse
        them (default) or keep them as NaN, marked in ``EncodedData.missing``,
        for the model to impute.
    new_groups : bool
        Allow group labels that the SCM's resolved group levels do not know
        (predictions for unseen groups); they are appended to the levels.

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
    if isinstance(data.columns, pd.MultiIndex):
        raise DataError(
            "data has MultiIndex columns; flatten them to one name per column, e.g. "
            "df.columns = ['_'.join(map(str, c)) for c in df.columns]"
        )
    if not data.columns.is_unique:
        dup = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise DataError(f"data has duplicate column names {dup}; give every column its own name")
    if missing not in MISSING_OPTIONS:
        raise DataError(f"missing must be one of {list(MISSING_OPTIONS)}, got {missing!r}")
    wanted = list(scm.observed if nodes is None else nodes)
    absent = [n for n in wanted if n not in data.columns]
    if absent:
        raise DataError(
            f"data is missing column(s) {absent} for observed node(s); add the column(s), "
            f"or declare the node(s) latent=True if they are unobserved"
        )
    values, masks, resolved = {}, {}, dict(scm.nodes)
    exog = {}
    for name in wanted:
        node = scm.nodes[name]
        column = data[name]
        if node.is_given:
            resolved[name], values[name] = _encode_given(name, node, column)
            exog[name] = values[name]  # the model reads given columns as data
            continue
        if node.has_levels:
            codes, levels = _encode_levels(
                name, column, node.levels, ordered=node.family == "OrderedLogistic"
            )
            values[name] = codes
            resolved[name] = node.with_levels(levels)
        else:
            impute = missing == "impute" and node.family_info.imputable
            values[name] = _encode_numeric(name, column, node, data, impute)
            mask = np.isnan(values[name]) if impute else None
            if mask is not None and mask.any():
                masks[name] = mask
    for name in scm.nodes:
        node = scm.nodes[name]
        if isinstance(node.trials, str) and name in wanted:
            exog[node.trials] = trials_column(node.trials, data)
        if node.measurement_error:
            exog[node.measurement_error] = se_column(node.measurement_error, data)
    groups, group_levels = _encode_groups(scm, data, new_groups)
    for name, node in scm.nodes.items():
        if node.groups:
            resolved[name] = resolved[name].with_group_levels(group_levels)
    return EncodedData(SCM(resolved), len(data), values, exog, groups, masks)


def _encode_given(name: str, node, column: pd.Series):
    """A given column: level codes for labels, float64 for numbers; never missing."""
    categorical = node.categorical
    if categorical is None:  # decided by the data's type
        categorical = not (
            pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)
        )
    if categorical:
        codes, levels = _encode_levels(name, column, node.levels, ordered=False)
        return node.with_levels(levels), codes
    if column.isna().any():
        raise DataError(
            f"given column {name!r} has missing values in {_bad_rows(column.isna().to_numpy(), column.index)}; "
            "drop those rows, or model the column (declare a family such as cb.Normal()) and "
            "fit with missing='impute'"
        )
    return replace(node, categorical=False), _as_float(name, column)


def _encode_groups(scm: SCM, data: pd.DataFrame, new_groups: bool):
    """Integer codes per grouping key; levels from the SCM where resolved, else sorted labels."""
    codes: dict[str, np.ndarray] = {}
    levels: dict[str, tuple[str, ...]] = {}
    for node in scm.nodes.values():
        for key, _ in node.groups:
            if key in codes:
                continue
            labels = _group_labels(key, data)
            known = node.levels_of_group(key)
            if known is None:
                known = tuple(sorted(set(labels)))
            lookup = {lv: i for i, lv in enumerate(known)}
            unseen = sorted(set(labels) - set(lookup))
            if unseen and not new_groups:
                raise DataError(
                    f"grouping {key!r} has label(s) {unseen[:5]} not among the fitted groups; "
                    "predict them as new groups (drawn from the population) with the prediction functions"
                )
            lookup.update({lv: len(known) + i for i, lv in enumerate(unseen)})
            codes[key] = np.fromiter((lookup[v] for v in labels), dtype=np.int64, count=len(labels))
            levels[key] = (*known, *unseen)
    return codes, levels


def _group_labels(key: str, data: pd.DataFrame) -> np.ndarray:
    columns = key.split(":")
    absent = [c for c in columns if c not in data.columns]
    if absent:
        raise DataError(f"data is missing the grouping column(s) {absent} (grouping {key!r})")
    parts = []
    for col in columns:
        column = data[col]
        if column.isna().any():
            raise DataError(
                f"grouping column {col!r} has missing labels in {_bad_rows(column.isna().to_numpy(), column.index)}; "
                "give every row a group"
            )
        parts.append(column.astype(str).to_numpy())
    labels = parts[0]
    for part in parts[1:]:
        labels = np.char.add(np.char.add(labels.astype(str), ":"), part.astype(str))
    return labels.astype(str)


def _bad_rows(mask: np.ndarray, index: pd.Index) -> str:
    rows = list(index[mask][:5])
    more = " ..." if mask.sum() > 5 else ""
    return f"{int(mask.sum())} row(s), e.g. at index {rows}{more}"


def _encode_levels(name: str, column: pd.Series, levels: tuple[str, ...] | None, *, ordered: bool):
    if column.isna().any():
        raise DataError(
            f"column {name!r} has missing values in {_bad_rows(column.isna().to_numpy(), column.index)}; "
            "drop those rows (discrete nodes cannot be imputed)"
        )
    labels = column.astype(str).to_numpy()
    if levels is None:
        if isinstance(column.dtype, pd.CategoricalDtype):
            levels = tuple(str(c) for c in column.cat.categories)
            if ordered and not column.cat.ordered:
                levels = _sorted_labels(set(labels))
        else:
            levels = _sorted_labels(set(labels))
        if len(levels) < 2:
            raise DataError(
                f"column {name!r} has a single category {list(levels)}; a node with levels needs at least two"
            )
    lookup = {lv: i for i, lv in enumerate(levels)}
    unknown = sorted(set(labels) - set(lookup))
    if unknown:
        raise DataError(
            f"column {name!r} has value(s) {unknown[:5]} that are not among the declared levels {list(levels)}"
        )
    return np.fromiter((lookup[v] for v in labels), dtype=np.int64, count=len(labels)), levels


def _sorted_labels(labels: set[str]) -> tuple[str, ...]:
    """Sorted labels; numerically when they are all numbers (so "10" follows "9")."""
    try:
        return tuple(sorted(labels, key=float))
    except ValueError:
        return tuple(sorted(labels))


def _as_float(name: str, column: pd.Series, *, allow_nan: bool = False) -> np.ndarray:
    kind = column.dtype
    if pd.api.types.is_datetime64_any_dtype(kind) or pd.api.types.is_timedelta64_dtype(kind):
        raise DataError(
            f"column {name!r} holds dates or durations; convert it to numbers first, e.g. "
            f"years since a reference date: (df[{name!r}] - df[{name!r}].min()).dt.days / 365.25"
        )
    if pd.api.types.is_complex_dtype(kind):
        raise DataError(f"column {name!r} holds complex numbers; a node's values are real")
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
    if np.isnan(values).any() and not allow_nan:
        raise DataError(
            f"column {name!r} has missing (NaN) values in {_bad_rows(np.isnan(values), column.index)}; "
            "drop those rows, or fit with missing='impute' to impute them inside the model "
            "(continuous nodes only)"
        )
    if np.isinf(values).any():
        raise DataError(
            f"column {name!r} has infinite values in {_bad_rows(np.isinf(values), column.index)}; remove them"
        )
    too_big = np.abs(values) > MAX_ABS_VALUE
    if too_big.any():
        raise DataError(
            f"column {name!r} has values beyond {MAX_ABS_VALUE:.0e} in {_bad_rows(too_big, column.index)}; "
            "rescale the column (e.g. to thousands) or check it for data-entry errors"
        )
    return values


def _encode_numeric(
    name: str, column: pd.Series, node, data: pd.DataFrame, impute: bool = False
) -> np.ndarray:
    """Float values checked against the family's support (int64 for discrete families)."""
    family = node.family_info
    values = _as_float(name, column, allow_nan=impute)
    bad, what = family.data_problem(values, ~np.isnan(values))
    if bad.any():
        raise DataError(
            f"column {name!r} is a {family.name} node but {what} ({_bad_rows(bad, column.index)})"
        )
    if node.family == "Binomial":
        trials = node.trials
        n_trials = trials_column(trials, data) if isinstance(trials, str) else trials
        over = values > n_trials
        if np.any(over):
            raise DataError(
                f"column {name!r} has more successes than trials ({_bad_rows(np.asarray(over), column.index)})"
            )
    return values.astype(np.int64) if family.is_discrete else values


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


def se_column(col: str, data: pd.DataFrame) -> np.ndarray:
    """A column of known standard errors: finite and >= 0."""
    if col not in data.columns:
        raise DataError(
            f"data is missing the measurement-error column {col!r} (standard errors per row)"
        )
    values = _as_float(col, data[col])
    bad = values < 0
    if bad.any():
        raise DataError(
            f"standard-error column {col!r} has negative values ({_bad_rows(bad, data.index)})"
        )
    return values
