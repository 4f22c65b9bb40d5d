"""Test the conditional independences a graph implies against a data table.

Each implied statement ``x _||_ y | Z`` gets one test:

* all columns continuous: Fisher's z on the partial correlation;
* otherwise a nested-regression likelihood-ratio test: regress a response
  (``y``, or ``x`` when ``y`` is a many-level categorical) on ``Z`` with and
  without the other variable (OLS for numeric responses, logistic regression
  for binary ones; categorical predictors enter as indicator columns).

p-values are Holm-adjusted over the statements (family-wise error at ``alpha``).
"""

from __future__ import annotations

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
    "p_holm",
    "rejected",
]


@dataclass(frozen=True)
class ImplicationTests:
    """The table of tests, the level, and a verdict.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``statement, x, y, given, test, statistic, df, p_value,
        p_holm, rejected``; one row per implied independence.
    alpha : float
    """

    table: pd.DataFrame
    alpha: float

    @property
    def rejected(self) -> list[str]:
        """Statements the data reject (Holm-adjusted p below ``alpha``)."""
        return list(self.table.loc[self.table["rejected"], "statement"])

    @property
    def consistent(self) -> bool:
        """True when no implied independence is rejected."""
        return not self.rejected

    def summary(self) -> str:
        n = len(self.table)
        if self.consistent:
            return (
                f"The data do not contradict the graph: none of {n} implied independences is "
                f"rejected at alpha = {self.alpha} (Holm-adjusted)."
            )
        listed = "; ".join(self.rejected)
        return (
            f"The data contradict the graph: {len(self.rejected)} of {n} implied independences "
            f"rejected at alpha = {self.alpha} (Holm-adjusted): {listed}. Revise the graph "
            "(add an edge between these nodes or a latent common cause)."
        )

    def __str__(self) -> str:
        return self.summary()

    def plot(self, ax: Any = None):
        """p-values per statement on a log scale, with the level ``alpha`` marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * max(len(self.table), 3) + 1))
        rows = self.table.iloc[::-1]
        positions = np.arange(len(rows))
        colors = ["tab:red" if r else "tab:blue" for r in rows["rejected"]]
        ax.scatter(np.clip(rows["p_value"], 1e-300, 1), positions, c=colors, label="p")
        ax.scatter(
            np.clip(rows["p_holm"], 1e-300, 1), positions, marker="|", c="grey", label="Holm p"
        )
        ax.axvline(self.alpha, color="grey", linestyle="--", label=f"alpha = {self.alpha}")
        ax.set_xscale("log")
        ax.set_yticks(positions, rows["statement"])
        ax.set_xlabel("p-value (red: rejected after Holm adjustment)")
        ax.legend(loc="lower left", fontsize="small")
        return ax


def check_implications(graph: Any, data: pd.DataFrame, *, alpha: float = 0.05) -> ImplicationTests:
    """Test every implied conditional independence of ``graph`` on ``data``.

    Parameters
    ----------
    graph : SCM, Fit, DAG, ADMG, networkx.DiGraph or str
        Statements involving latent nodes are skipped (data cannot test them).
    data : pandas.DataFrame
        One column per observed node; not modified.
    alpha : float
        Family-wise level for the Holm-adjusted verdict.

    Returns
    -------
    ImplicationTests

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
    """
    if not 0 < alpha < 1:
        raise DataError(f"alpha must lie in (0, 1), got {alpha}")
    dag = _as_dag(graph)
    statements = implied_independences(dag)
    missing = sorted({v for x, y, zs in statements for v in (x, y, *zs)} - set(data.columns))
    if missing:
        raise DataError(f"data lack column(s) {missing} that the graph's independences need")
    rows = []
    for x, y, zs in statements:
        test, statistic, df, p = _test(data, x, y, list(zs))
        given = f" | {', '.join(zs)}" if zs else ""
        rows.append(
            {
                "statement": f"{x} _||_ {y}{given}",
                "x": x,
                "y": y,
                "given": tuple(zs),
                "test": test,
                "statistic": statistic,
                "df": df,
                "p_value": p,
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS[:-2])
    table["p_holm"] = _holm(table["p_value"].to_numpy())
    table["rejected"] = table["p_holm"] < alpha
    return ImplicationTests(table.reset_index(drop=True), alpha)


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
    return np.column_stack([(codes == lv).astype(float) for lv in levels[1:]])


def _test(data: pd.DataFrame, x: str, y: str, zs: list[str]) -> tuple[str, float, int, float]:
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
    target = _encode(data[response])[:, 0]
    df = full.shape[1] - base.shape[1]
    if kinds[response] == "binary":
        target = (target == target.max()).astype(float)
        stat = 2 * (_logistic_loglik(full, target) - _logistic_loglik(base, target))
        test = "logistic LR"
    else:
        n = len(target)
        stat = n * np.log(_rss(base, target) / _rss(full, target))
        test = "OLS LR"
    stat = max(float(stat), 0.0)
    from scipy import stats

    return test, stat, df, float(stats.chi2.sf(stat, df))


def _fisher_z(data: pd.DataFrame, x: str, y: str, zs: list[str]) -> tuple[str, float, int, float]:
    design = _design(data, zs)
    rx = _residuals(design, data[x].to_numpy(dtype=float))
    ry = _residuals(design, data[y].to_numpy(dtype=float))
    r = float(np.dot(rx, ry) / np.sqrt(np.dot(rx, rx) * np.dot(ry, ry)))
    r = float(np.clip(r, -0.999999999, 0.999999999))
    dof = len(data) - len(zs) - 3
    stat = float(np.arctanh(r) * np.sqrt(max(dof, 1)))
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
