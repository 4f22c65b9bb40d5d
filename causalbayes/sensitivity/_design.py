"""Design matrices and partial R2 from least squares: the data side of the sensitivity tools."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from causalbayes.errors import DataError


def design_matrix(
    data: pd.DataFrame, columns: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """An intercept (``const``) plus ``columns``; text/categorical/boolean columns as indicators.

    Returns the matrix and, for each input column, the names of its design columns
    (one for a numeric column, one per non-reference level otherwise).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0.5, 1.0, 2.0], "g": ["a", "b", "b"]})
    >>> X, groups = design_matrix(df, ["x", "g"])
    >>> list(X.columns), groups["g"]
    (['const', 'x', 'g[b]'], ['g[b]'])
    """
    parts = [pd.Series(1.0, index=data.index, name="const")]
    groups: dict[str, list[str]] = {}
    for name in columns:
        if name not in data.columns:
            raise DataError(f"column {name!r} is not in the data; columns: {list(data.columns)}")
        col = data[name]
        if col.isna().any():
            raise DataError(
                f"column {name!r} has {int(col.isna().sum())} missing values; "
                "drop or impute those rows first"
            )
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            levels = sorted(pd.unique(col.astype(str)))
            if len(levels) < 2:
                raise DataError(f"column {name!r} has a single level {levels!r}; drop it")
            names = [f"{name}[{lev}]" for lev in levels[1:]]
            for lev, dummy in zip(levels[1:], names, strict=True):
                parts.append((col.astype(str) == lev).astype(float).rename(dummy))
            groups[name] = names
        else:
            parts.append(col.astype(float).rename(name))
            groups[name] = [name]
    return pd.concat(parts, axis=1), groups


def group_partial_r2(result, names: Sequence[str]) -> float:
    """Partial R2 of a group of regressors from a statsmodels OLS result (F-statistic form).

    ``F p / (F p + dof)`` with the Wald F of the group; for one regressor this is
    ``t^2 / (t^2 + dof)``.

    Examples
    --------
    >>> import statsmodels.api as sm
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame({"const": 1.0, "a": rng.normal(size=50)})
    >>> res = sm.OLS(X["a"] + rng.normal(size=50), X).fit()
    >>> t = res.tvalues["a"]
    >>> bool(np.isclose(group_partial_r2(res, ["a"]), t**2 / (t**2 + res.df_resid)))
    True
    """
    names = list(names)
    beta = result.params[names].to_numpy()
    cov = result.cov_params().loc[names, names].to_numpy()
    p = len(names)
    f = float(beta @ np.linalg.solve(cov, beta)) / p
    return f * p / (f * p + float(result.df_resid))


def residual_sd(data: pd.DataFrame, target: str, covariates: Sequence[str]) -> float:
    """Root mean square residual of ``target`` regressed (OLS, with intercept) on ``covariates``.

    Divided by ``n``, not ``n - p``: the omitted-variable-bias identity relates sample
    standard deviations of residuals.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "d": [0.0, 1.0, 1.0, 2.0]})
    >>> round(residual_sd(df, "d", ["x"]), 4)
    0.2236
    """
    X, _ = design_matrix(data, list(covariates))
    d = pd.to_numeric(data[target], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(d)):
        raise DataError(f"column {target!r} must be numeric without missing values")
    coef, *_ = np.linalg.lstsq(X.to_numpy(), d, rcond=None)
    resid = d - X.to_numpy() @ coef
    return float(np.sqrt(np.mean(resid**2)))
