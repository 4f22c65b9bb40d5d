"""When the closed-form sensitivity applies, and the benchmark bounds it reads from the data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.sensitivity import ovb
from causalbayes.sensitivity._design import design_matrix, group_partial_r2, residual_sd
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


def bias_scale(fit, treatment: str, outcome: str, values, tau, reduce: bool):
    """Per draw, the bias of a confounder with bias factor 1, signed, and ``sd(D resid)``.

    ``direction * sigma_y * (a - b) / sd(D resid)`` with dims ``chain, draw``; the direction
    is the sign of ``tau``'s posterior mean when ``reduce`` (the bias inflated the effect's
    magnitude), the opposite otherwise.
    """
    covariates = check_linear_gaussian(fit.scm, treatment, outcome)
    a, b = values
    sd_d = residual_sd(fit.data, treatment, covariates)
    if sd_d <= 0:
        raise QueryError(
            f"treatment {treatment!r} is determined by the outcome's other parents "
            f"{covariates}: no variation left to confound"
        )
    sigma = fit.posterior[f"{outcome}.sigma"]
    direction = float(np.sign(float(tau.mean())) or 1.0) * (1.0 if reduce else -1.0)
    scale = direction * sigma * (float(a) - float(b)) / sd_d
    scale = scale.drop_vars([c for c in scale.coords if c not in ("chain", "draw")])
    return scale.rename("scale"), sd_d
