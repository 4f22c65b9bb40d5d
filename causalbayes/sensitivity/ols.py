"""Frequentist cross-check: sensemakr's statistics for an OLS of the outcome on treatment + covariates.

``ols_sensitivity`` fits the linear outcome model by least squares (statsmodels) on the
same data a Bayesian fit used and reports the partial R2 of the treatment with the
outcome, the robustness values RV_q and RV_{q,alpha} and, for each benchmark covariate,
the bias-adjusted estimate and confidence interval for confounders ``kd`` / ``ky`` times
as strong as it. Numbers agree with PySensemakr (tested on its darfur data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from causalbayes.errors import DataError, QueryError
from causalbayes.sensitivity import ovb
from causalbayes.sensitivity._design import design_matrix, group_partial_r2


@dataclass(frozen=True)
class OLSSensitivity:
    """Sensitivity of an OLS coefficient to an omitted confounder (Cinelli & Hazlett 2020).

    Attributes
    ----------
    treatment, outcome : str
    estimate, se, t, dof : float
        The treatment's coefficient, standard error, t statistic, residual dof.
    r2yd_x : float
        Partial R2 of the treatment with the outcome: a confounder explaining all the
        outcome's residual variance must explain this share of the treatment's to
        account for the whole estimate.
    rv_q, rv_qa : float
        Robustness values: the partial R2 with both treatment and outcome that moves the
        estimate to ``(1 - q) * estimate`` (RV_q), or makes it not significantly different
        from that at level ``alpha`` (RV_{q,alpha}).
    q, alpha : float
    reduce : bool
        Whether confounding is taken to shrink (True) or inflate the estimate's magnitude.
    bounds : pandas.DataFrame
        One row per benchmark and multiplier: ``bound_label, r2dz_x, r2yz_dx,
        adjusted_estimate, adjusted_se, adjusted_t, adjusted_lower_CI, adjusted_upper_CI``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200)
    >>> d = 0.5 * x + rng.normal(size=200)
    >>> df = pd.DataFrame({"x": x, "d": d, "y": d + x + rng.normal(size=200)})
    >>> s = ols_sensitivity(df, "d", "y", ["x"])
    >>> s.table()[["estimate", "rv_q", "rv_qa"]].round(3).to_dict("records")
    [{'estimate': 1.06, 'rv_q': 0.647, 'rv_qa': 0.6}]
    """

    treatment: str
    outcome: str
    estimate: float
    se: float
    t: float
    dof: float
    r2yd_x: float
    rv_q: float
    rv_qa: float
    q: float
    alpha: float
    reduce: bool
    bounds: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """The statistics as a one-row frame (the benchmark bounds are in ``bounds``)."""
        keys = ("estimate", "se", "t", "dof", "r2yd_x", "rv_q", "rv_qa")
        return pd.DataFrame([{k: getattr(self, k) for k in keys}], index=[self.treatment])

    def summary(self, digits: int = 3) -> str:
        """Plain-language statement of the statistics and the benchmark bounds."""
        r = lambda x: round(float(x), digits)  # noqa: E731
        h0 = r(self.estimate * (1 - self.q if self.reduce else 1 + self.q))
        lines = [
            f"Sensitivity of the OLS coefficient of '{self.treatment}' on '{self.outcome}':",
            f"  estimate {r(self.estimate)} (se {r(self.se)}, t {r(self.t)}, dof {self.dof:g})",
            f"  partial R2 of treatment with outcome: {r(self.r2yd_x)}",
            f"  robustness value RV_q (q = {self.q:g}): {r(self.rv_q)}: confounders explaining "
            f"{r(100 * self.rv_q)}% of the residual variance of both treatment and outcome "
            f"bring the estimate to {h0}",
            f"  RV_q,alpha (alpha = {self.alpha:g}): {r(self.rv_qa)}",
        ]
        for row in self.bounds.itertuples():
            lines.append(
                f"  as strong as {row.bound_label}: r2dz_x {r(row.r2dz_x)}, r2yz_dx "
                f"{r(row.r2yz_dx)} -> adjusted {r(row.adjusted_estimate)} "
                f"[{r(row.adjusted_lower_CI)}, {r(row.adjusted_upper_CI)}]"
            )
        return "\n".join(lines)


def ols_sensitivity(
    data: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    *,
    benchmarks: Sequence[str] = (),
    kd: float | Sequence[float] = 1.0,
    ky: float | Sequence[float] | None = None,
    q: float = 1.0,
    alpha: float = 0.05,
    reduce: bool = True,
) -> OLSSensitivity:
    """Sensemakr's sensitivity statistics for ``outcome ~ treatment + covariates`` by OLS.

    Parameters
    ----------
    data : pandas.DataFrame
    treatment, outcome : str
        Numeric columns (a 0/1 treatment is fine).
    covariates : sequence of str
        Columns adjusted for; text, categorical and boolean columns enter as indicators
        of all but their first level.
    benchmarks : sequence of str
        Covariates to bound the confounder's strength by ("as strong as age"); a
        categorical covariate counts as the group of its indicators.
    kd, ky : float or sequence of float
        Multipliers of the benchmark's partial R2 with the treatment and outcome
        (``ky`` defaults to ``kd``).
    q, alpha : float
        Share of the estimate to explain away and the significance level.
    reduce : bool
        Confounding that shrinks (True, the default) or inflates the estimate's magnitude.

    Returns
    -------
    OLSSensitivity

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200)
    >>> d = 0.5 * x + rng.normal(size=200)
    >>> df = pd.DataFrame({"x": x, "d": d, "y": d + x + rng.normal(size=200)})
    >>> s = ols_sensitivity(df, "d", "y", ["x"], benchmarks=["x"], kd=[0.5, 1])
    >>> round(s.rv_q, 3), list(s.bounds["bound_label"])
    (0.647, ['0.5x x', '1x x'])
    >>> s.bounds["adjusted_estimate"].round(3).tolist()
    [0.837, 0.629]
    """
    for name in benchmarks:
        if name not in covariates:
            raise QueryError(
                f"benchmark {name!r} is not among the covariates {list(covariates)}; "
                "benchmarks must be adjusted-for covariates"
            )
    kd_arr = np.atleast_1d(np.asarray(kd, dtype=float))
    ky_arr = kd_arr if ky is None else np.atleast_1d(np.asarray(ky, dtype=float))
    if kd_arr.shape != ky_arr.shape:
        raise QueryError(f"kd and ky must have the same length, got {kd!r} and {ky!r}")
    X, groups = design_matrix(data, [treatment, *covariates])
    y = _numeric(data, outcome)
    fit_y = _ols(y, X)
    est, se = float(fit_y.params[treatment]), float(fit_y.bse[treatment])
    dof = float(fit_y.df_resid)
    t = est / se
    rows = []
    if benchmarks:
        # The treatment regression: D on the covariates (pysensemakr's construction).
        fit_d = _ols(X[treatment], X.drop(columns=[treatment]))
        h0 = est * (1 - q) if reduce else est * (1 + q)
        crit = abs(stats.t.ppf(alpha / 2, dof))
        for name in benchmarks:
            r2y_j = group_partial_r2(fit_y, groups[name])
            r2d_j = group_partial_r2(fit_d, groups[name])
            r2dz, r2yz = ovb.benchmark_bounds(r2d_j, r2y_j, kd_arr, ky_arr)
            adj = ovb.adjusted_estimate(r2dz, r2yz, est, se, dof, reduce=reduce)
            adj_se = ovb.adjusted_se(r2dz, r2yz, se, dof)
            with np.errstate(divide="ignore"):  # r2yz_dx capped at 1: se 0, t infinite
                adj_t = (adj - h0) / adj_se
            for i in range(len(kd_arr)):
                rows.append(
                    {
                        "bound_label": _label(name, kd_arr[i], ky_arr[i]),
                        "r2dz_x": float(r2dz[i]),
                        "r2yz_dx": float(r2yz[i]),
                        "adjusted_estimate": float(adj[i]),
                        "adjusted_se": float(adj_se[i]),
                        "adjusted_t": float(adj_t[i]),
                        "adjusted_lower_CI": float(adj[i] - crit * adj_se[i]),
                        "adjusted_upper_CI": float(adj[i] + crit * adj_se[i]),
                    }
                )
    return OLSSensitivity(
        treatment=treatment,
        outcome=outcome,
        estimate=est,
        se=se,
        t=t,
        dof=dof,
        r2yd_x=float(ovb.partial_r2(t, dof)),
        rv_q=float(ovb.robustness_value(t, dof, q=q)),
        rv_qa=float(ovb.robustness_value(t, dof, q=q, alpha=alpha)),
        q=q,
        alpha=alpha,
        reduce=reduce,
        bounds=pd.DataFrame(rows, columns=_BOUND_COLUMNS),
    )


_BOUND_COLUMNS = [
    "bound_label",
    "r2dz_x",
    "r2yz_dx",
    "adjusted_estimate",
    "adjusted_se",
    "adjusted_t",
    "adjusted_lower_CI",
    "adjusted_upper_CI",
]


def _label(name: str, kd: float, ky: float) -> str:
    # sensemakr's label: "2x female", or "1/2x female" when kd and ky differ.
    if kd == ky:
        return f"{round(kd, 2):g}x {name}"
    return f"{round(kd, 2):g}/{round(ky, 2):g}x {name}"


def _numeric(data: pd.DataFrame, column: str) -> np.ndarray:
    if column not in data.columns:
        raise DataError(f"column {column!r} is not in the data; columns: {list(data.columns)}")
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise DataError(
            f"column {column!r} must be numeric without missing values; "
            "drop or impute those rows first"
        )
    return values


def _ols(y, X: pd.DataFrame):
    import statsmodels.api as sm

    with np.errstate(all="ignore"):
        # QR, not the pseudo-inverse's SVD: 20x faster with hundreds of indicator columns
        return sm.OLS(np.asarray(y, dtype=float), X).fit(method="qr")
