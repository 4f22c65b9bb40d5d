"""When the closed-form sensitivity applies, and the benchmark bounds it reads from the data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.sensitivity import ovb
from causalbayes.sensitivity._design import design_matrix, group_partial_r2
from causalbayes.sensitivity.ols import _label, _ols


def benchmark_table(data, treatment, outcome, covariates, benchmarks, kd, ky) -> pd.DataFrame:
    """``bound_label, r2dz_x, r2yz_dx`` for confounders kd/ky times as strong as each benchmark."""
    rows = []
    if benchmarks:
        kd_arr = np.atleast_1d(np.asarray(kd, dtype=float))
        ky_arr = kd_arr if ky is None else np.atleast_1d(np.asarray(ky, dtype=float))
        X, groups = design_matrix(data, [treatment, *covariates])
        fit_y = _ols(data[outcome], X)
        fit_d = _ols(X[treatment], X.drop(columns=[treatment]))
        for name in benchmarks:
            if name not in covariates:
                raise QueryError(
                    f"benchmark {name!r} is not a parent of the outcome besides the "
                    f"treatment; choose among {covariates}"
                )
            r2y_j = group_partial_r2(fit_y, groups[name])
            r2d_j = group_partial_r2(fit_d, groups[name])
            r2d, r2y = ovb.benchmark_bounds(r2d_j, r2y_j, kd_arr, ky_arr)
            for i in range(len(kd_arr)):
                rows.append((_label(name, kd_arr[i], ky_arr[i]), float(r2d[i]), float(r2y[i])))
    return pd.DataFrame(rows, columns=["bound_label", "r2dz_x", "r2yz_dx"])


def check_linear_gaussian(scm, treatment: str, outcome: str) -> list[str]:
    """The outcome's other parents, after checking the closed form applies."""
    for name in (treatment, outcome):
        if name not in scm.nodes:
            raise QueryError(f"{name!r} is not a node of the SCM; nodes: {list(scm.nodes)}")
    node = scm.nodes[outcome]
    if node.family != "Normal" or node.link != "identity" or node.mechanism is not None:
        raise QueryError(
            f"the closed-form sensitivity needs a Normal outcome with identity link; "
            f"{outcome!r} is {node.family} ({node.link}); use "
            "causalbayes.sensitivity.latent_sensitivity (a latent confounder, refit) instead"
        )
    if treatment not in node.parents:
        raise QueryError(f"{treatment!r} is not a parent of {outcome!r}; parents: {node.parents}")
    nonlinear = [
        str(term)
        for term in (*node.interactions, *node.nonlinear, *node.groups)
        if treatment in _names(term)
    ]
    if nonlinear:
        raise QueryError(
            f"{treatment!r} enters {outcome!r} through {nonlinear}: the effect is not one "
            "coefficient, so the closed form does not apply; use latent_sensitivity"
        )
    if scm.nodes[treatment].family in ("Categorical", "OrderedLogistic"):
        raise QueryError(f"treatment {treatment!r} must be numeric or 0/1, not categorical")
    return [p for p in node.parents if p != treatment]


def _names(term) -> set[str]:
    if isinstance(term, tuple):
        return {x for part in term for x in _names(part)}
    if isinstance(term, str):
        return {term}
    return {getattr(term, "parent", None)}
