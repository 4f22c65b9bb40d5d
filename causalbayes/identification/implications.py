"""Test the conditional independences a graph implies against a data table.

Each implied statement ``x _||_ y | Z`` gets one test:

* all columns continuous: Fisher's z on the partial correlation;
* otherwise a nested-regression likelihood-ratio test: regress a response
  (``y``, or ``x`` when ``y`` is a many-level categorical) on ``Z`` with and
  without the other variable (OLS for numeric responses, logistic regression
  for binary ones; categorical predictors enter as indicator columns).

p-values are Holm-adjusted over the statements that could be tested
(family-wise error at ``alpha``).  A statement the data cannot support is
marked ``untestable`` with the reason, never rejected: too few rows for the
regression's coefficients, ``x`` or ``y`` constant or a linear function of the
conditioning set, a statistic that is not finite.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from causalbayes.errors import DataError
from causalbayes.graph.admg import ADMG
from causalbayes.graph.dag import DAG
from causalbayes.graph.dsep import implied_independences
from causalbayes.graph.parse import as_dag

COLUMNS = [
    "statement",
    "x",
    "y",
    "given",
    "test",
    "statistic",
    "df",
    "p_value",
    "n",
    "status",
    "note",
    "p_holm",
    "rejected",
]
#: A regression test needs at least this many residual degrees of freedom (rows minus
#: coefficients); with fewer, its asymptotic null distribution (normal or chi-square)
#: does not describe the statistic, so the statement is marked untestable.
MIN_RESIDUAL_DF = 5
#: ``x`` (or ``y``) counts as a linear function of the conditioning set when its residual
#: sum of squares is below this fraction of its total sum of squares.
COLLINEAR_TOL = 1e-10
MISSING_OPTIONS = ("raise", "drop")


class _Untestable(Exception):
    """A statement the data cannot support; the message is the reason."""


@dataclass(frozen=True)
class ImplicationTests:
    """The table of tests, the level, and a verdict.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per implied independence: ``statement, x, y, given, test,
        statistic, df, p_value, n`` (rows used), ``status`` (``"tested"`` or
        ``"untestable"``), ``note`` (why untestable; rows dropped), ``p_holm``
        and ``rejected``.  Untestable rows have NaN statistics and are never
        rejected.
    alpha : float
    """

    table: pd.DataFrame
    alpha: float

    @property
    def rejected(self) -> list[str]:
        """Statements the data reject (Holm-adjusted p below ``alpha``)."""
        return list(self.table.loc[self.table["rejected"], "statement"])

    @property
    def untestable(self) -> list[str]:
        """Statements the data cannot test (see the ``note`` column for why)."""
        return list(self.table.loc[self.table["status"] == "untestable", "statement"])

    @property
    def consistent(self) -> bool:
        """True when no implied independence is rejected (untestable ones are not evidence)."""
        return not self.rejected

    def summary(self) -> str:
        n = len(self.table)
        tested = n - len(self.untestable)
        if n and not tested:
            return (
                f"None of the {n} implied independences could be tested, so the data say "
                f"nothing about the graph: {self._untestable_text()}."
            )
        if self.consistent:
            text = (
                f"The data do not contradict the graph: none of {tested} tested implied "
                f"independences is rejected at alpha = {self.alpha} (Holm-adjusted)."
            )
        else:
            listed = "; ".join(self.rejected)
            text = (
                f"The data contradict the graph: {len(self.rejected)} of {tested} tested implied "
                f"independences rejected at alpha = {self.alpha} (Holm-adjusted): {listed}. "
                "Revise the graph (add an edge between these nodes or a latent common cause)."
            )
        if self.untestable:
            text += (
                f" {len(self.untestable)} of {n} could not be tested: {self._untestable_text()}."
            )
        return text

    def _untestable_text(self) -> str:
        """The reasons, each with the statements it stopped (one reason often stops several)."""
        rows = self.table[self.table["status"] == "untestable"]
        by_reason = rows.groupby("note", sort=False)["statement"].apply(list)
        return "; ".join(f"{note} ({', '.join(s)})" for note, s in by_reason.items())

    def __str__(self) -> str:
        return self.summary()

    def plot(self, ax: Any = None):
        """p-values per statement on a log scale, with the level ``alpha`` marked.

        Untestable statements have no point; their labels say so.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * max(len(self.table), 3) + 1))
        rows = self.table.iloc[::-1]
        tested = rows["status"] == "tested"
        positions = np.arange(len(rows))
        colors = ["tab:red" if r else "tab:blue" for r in rows["rejected"][tested]]
        ax.scatter(
            np.clip(rows["p_value"][tested], 1e-300, 1), positions[tested], c=colors, label="p"
        )
        ax.scatter(
            np.clip(rows["p_holm"][tested], 1e-300, 1),
            positions[tested],
            marker="|",
            c="grey",
            label="Holm p",
        )
        ax.axvline(self.alpha, color="grey", linestyle="--", label=f"alpha = {self.alpha}")
        ax.set_xscale("log")
        labels = [
            s if t else f"{s} (untestable)" for s, t in zip(rows["statement"], tested, strict=True)
        ]
        ax.set_yticks(positions, labels)
        ax.set_xlabel("p-value (red: rejected after Holm adjustment)")
        ax.legend(loc="lower left", fontsize="small")
        return ax


def check_implications(
    graph: Any, data: pd.DataFrame, *, alpha: float = 0.05, missing: str = "raise"
) -> ImplicationTests:
    """Test every implied conditional independence of ``graph`` on ``data``.

    Parameters
    ----------
    graph : SCM, Fit, DAG, ADMG, networkx.DiGraph or str
        Statements involving latent nodes are skipped (data cannot test them).
    data : pandas.DataFrame
        One column per observed node; not modified.  Infinite values are refused.
    alpha : float
        Family-wise level for the Holm-adjusted verdict.
    missing : {"raise", "drop"}
        Missing values (NaN, None) in the columns a statement needs: ``"raise"``
        (default) refuses them with a :class:`~causalbayes.errors.DataError`
        naming the columns, like ``fit``; ``"drop"`` tests each statement on the
        rows complete in *its* columns, and notes how many were dropped.
        Dropping is valid only if values are missing completely at random (under
        other missingness the complete rows can show dependence, or hide it),
        which the data cannot tell, so it is not done silently.

    Returns
    -------
    ImplicationTests
        A statement the data cannot support is ``untestable`` (with the reason
        in ``note``), left out of the Holm correction and never rejected: fewer
        than ``MIN_RESIDUAL_DF`` residual degrees of freedom, ``x`` or ``y``
        constant or a linear function of the conditioning set, or a statistic
        that is not finite.  Redundant conditioning columns are harmless (the
        regression's rank is used).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=500); b = a + rng.normal(size=500); c = b + rng.normal(size=500)
    >>> df = pd.DataFrame({"a": a, "b": b, "c": c})
    >>> check_implications("a -> b -> c", df).consistent
    True
    >>> report = check_implications("a -> b; a -> c", df)
    >>> report.rejected
    ['b _||_ c | a']
    >>> check_implications("a -> b -> c", df.head(3)).untestable
    ['a _||_ c | b']
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise DataError(f"alpha must lie in (0, 1), got {alpha!r}")
    if missing not in MISSING_OPTIONS:
        raise DataError(f"missing must be one of {list(MISSING_OPTIONS)}, got {missing!r}")
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    dag = _as_dag(graph)
    statements = implied_independences(dag)
    needed = list(dict.fromkeys(v for x, y, zs in statements for v in (x, y, *zs)))
    absent = sorted(set(needed) - set(data.columns))
    if absent:
        raise DataError(f"data lack column(s) {absent} that the graph's independences need")
    _check_values(data, needed, missing)
    rows = [_row(data, x, y, list(zs)) for x, y, zs in statements]
    table = pd.DataFrame(rows, columns=COLUMNS[:-2])
    tested = (table["status"] == "tested").to_numpy()
    table["p_holm"] = np.nan
    table.loc[tested, "p_holm"] = _holm(table.loc[tested, "p_value"].to_numpy(dtype=float))
    table["rejected"] = tested & (table["p_holm"] < alpha).to_numpy()
    return ImplicationTests(table.reset_index(drop=True), alpha)


def _check_values(data: pd.DataFrame, columns: list[str], missing: str) -> None:
    infinite = [
        c
        for c in columns
        if pd.api.types.is_numeric_dtype(data[c])
        and not isinstance(data[c].dtype, pd.CategoricalDtype)
        and np.isinf(data[c].to_numpy(dtype=float)).any()
    ]
    if infinite:
        raise DataError(f"column(s) {infinite} hold infinite values; remove or recode them")
    incomplete = {c: int(data[c].isna().sum()) for c in columns if data[c].isna().any()}
    if incomplete and missing == "raise":
        raise DataError(
            f"column(s) {sorted(incomplete)} have missing values ({incomplete} entries); "
            'pass missing="drop" to test each statement on its complete rows (valid if '
            "values are missing completely at random), or impute them first"
        )


def _row(data: pd.DataFrame, x: str, y: str, zs: list[str]) -> dict[str, Any]:
    given = f" | {', '.join(zs)}" if zs else ""
    frame = data[list(dict.fromkeys([x, y, *zs]))]
    complete = frame.notna().all(axis=1)
    notes = []
    if not complete.all():
        notes.append(f"{int((~complete).sum())} row(s) with missing values dropped")
        frame = frame[complete]
    row = {"statement": f"{x} _||_ {y}{given}", "x": x, "y": y, "given": tuple(zs), "n": len(frame)}
    try:
        test, statistic, df, p = _test(frame, x, y, zs)
        if not (np.isfinite(statistic) and np.isfinite(p)):
            raise _Untestable(f"the {test} statistic is not finite ({statistic})")
    except _Untestable as why:
        notes.insert(0, str(why))
        return {**row, "test": "", "statistic": np.nan, "df": np.nan, "p_value": np.nan,
                "status": "untestable", "note": "; ".join(notes)}  # fmt: skip
    return {**row, "test": test, "statistic": statistic, "df": df, "p_value": p,
            "status": "tested", "note": "; ".join(notes)}  # fmt: skip


def _as_dag(graph: Any) -> DAG:
    if isinstance(graph, ADMG):
        return graph.to_dag()
    scm = getattr(graph, "scm", graph)  # a Fit holds its SCM
    dag = getattr(scm, "dag", None)
    return dag if isinstance(dag, DAG) else as_dag(graph)


def _kind(column: pd.Series) -> str:
    if isinstance(column.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(column):
        return "binary" if column.nunique() == 2 else "categorical"
    if pd.api.types.is_bool_dtype(column) or column.nunique() == 2:
        return "binary"
    return "continuous"


def _design(data: pd.DataFrame, names: list[str]) -> np.ndarray:
    columns = [np.ones(len(data))]
    for name in names:
        columns += list(_encode(data[name]).T)
    return np.column_stack(columns)


def _encode(column: pd.Series) -> np.ndarray:
    """Numeric columns as is; others as indicators of every level but the first."""
    if pd.api.types.is_numeric_dtype(column) and not isinstance(column.dtype, pd.CategoricalDtype):
        return column.to_numpy(dtype=float)[:, None]
    codes = pd.Categorical(column).codes
    levels = np.unique(codes)
    if len(levels) < 2:
        return np.empty((len(column), 0))
    return np.column_stack([(codes == lv).astype(float) for lv in levels[1:]])


def _rank(design: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(design)) if design.size else 0


def _require_rows(n: int, coefficients: int) -> None:
    if n - coefficients < MIN_RESIDUAL_DF:
        raise _Untestable(
            f"too few rows: {n} for {coefficients} regression coefficients "
            f"(needs at least {coefficients + MIN_RESIDUAL_DF})"
        )


def _require_variation(data: pd.DataFrame, names: tuple[str, ...]) -> None:
    for name in names:
        if data[name].nunique() < 2:
            raise _Untestable(f"{name!r} is constant in the {len(data)} rows used")


def _test(data: pd.DataFrame, x: str, y: str, zs: list[str]) -> tuple[str, float, int, float]:
    _require_variation(data, (x, y))
    kinds = {v: _kind(data[v]) for v in (x, y, *zs)}
    if all(k == "continuous" for k in kinds.values()):
        return _fisher_z(data, x, y, zs)
    response, other = (y, x) if kinds[y] != "categorical" else (x, y)
    if kinds[response] == "categorical":
        raise DataError(
            f"cannot test {x} _||_ {y}: both are categorical with more than two levels; "
            "recode one of them as binary or numeric"
        )
    base = _design(data, zs)
    full = np.column_stack([base, _encode(data[other])])
    rank_base, rank_full = _rank(base), _rank(full)
    _require_rows(len(data), rank_full)
    df = rank_full - rank_base  # redundant indicator columns add no degree of freedom
    if df == 0:
        raise _Untestable(f"{other!r} is a linear function of the conditioning set")
    target = _encode(data[response])[:, 0]
    if kinds[response] == "binary":
        target = (target == target.max()).astype(float)
        stat = 2 * (_logistic_loglik(full, target) - _logistic_loglik(base, target))
        test = "logistic LR"
    else:
        rss_base = _rss(base, target)
        _require_not_determined(rss_base, target, response)
        stat = len(target) * np.log(rss_base / _rss(full, target))
        test = "OLS LR"
    stat = max(float(stat), 0.0)
    from scipy import stats

    return test, stat, df, float(stats.chi2.sf(stat, df))


def _require_not_determined(rss: float, target: np.ndarray, name: str) -> None:
    total = float(np.sum((target - target.mean()) ** 2))
    if rss <= COLLINEAR_TOL * total:
        raise _Untestable(f"{name!r} is a linear function of the conditioning set")


def _fisher_z(data: pd.DataFrame, x: str, y: str, zs: list[str]) -> tuple[str, float, int, float]:
    design = _design(data, zs)
    rank = _rank(design)
    _require_rows(len(data), rank + 1)  # the regression of y on Z and x
    residuals = {}
    for name in (x, y):
        target = data[name].to_numpy(dtype=float)
        residuals[name] = _residuals(design, target)
        _require_not_determined(float(residuals[name] @ residuals[name]), target, name)
    rx, ry = residuals[x], residuals[y]
    r = float(np.dot(rx, ry) / np.sqrt(np.dot(rx, rx) * np.dot(ry, ry)))
    r = float(np.clip(r, -0.999999999, 0.999999999))
    dof = len(data) - (rank - 1) - 3  # n - |Z| - 3, |Z| the conditioning set's rank
    stat = float(np.arctanh(r) * np.sqrt(dof))
    from scipy import stats

    return "Fisher z", stat, 1, float(2 * stats.norm.sf(abs(stat)))


def _residuals(design: np.ndarray, target: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    return target - design @ coef


def _rss(design: np.ndarray, target: np.ndarray) -> float:
    res = _residuals(design, target)
    return float(max(np.dot(res, res), 1e-300))


def _logistic_loglik(design: np.ndarray, target: np.ndarray, iterations: int = 50) -> float:
    """Maximised log-likelihood of a logistic regression (Newton's method, tiny ridge)."""
    beta = np.zeros(design.shape[1])
    ridge = 1e-8 * np.eye(design.shape[1])
    for _ in range(iterations):
        eta = np.clip(design @ beta, -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        gradient = design.T @ (target - mu)
        hessian = design.T @ (design * (mu * (1 - mu))[:, None]) + ridge
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    eta = np.clip(design @ beta, -30, 30)
    return float(np.sum(target * eta - np.logaddexp(0, eta)))


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values."""
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, (m - rank) * p[index])
        adjusted[index] = min(running, 1.0)
    return adjusted
