"""A cheap exact Bayesian CATE model: conjugate linear regression with treatment interactions.

``y = [1, x] b + t [1, x] g + noise``, noise ``Normal(0, var)``, with the
Normal-Inverse-Gamma prior ``(b, g) | var ~ Normal(0, var * prior_sd**2 I)``,
``var ~ InvGamma(a0, b0)``. The CATE of user i is ``[1, x_i] g``; its posterior
draws are exact. For a 0/1 outcome this is a linear probability model: fine
for ranking and for effects well inside (0, 1), approximate otherwise.
"""

from __future__ import annotations

import numpy as np

from causalbayes.errors import DataError
from causalbayes.experiments._validate import positive, rng_from, whole


def _design(x, t=None):
    x = np.asarray(x, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    base = np.column_stack([np.ones(len(x)), x])
    return base if t is None else np.column_stack([base, base * np.asarray(t, float)[:, None]])


def linear_cate(
    x,
    treatment,
    y,
    *,
    draws: int = 2000,
    prior_sd: float = 10.0,
    a0: float = 1e-3,
    b0: float = 1e-3,
    new_x=None,
    random_seed,
) -> np.ndarray:
    """Exact posterior draws of per-user CATEs, shape (draws, users).

    Parameters
    ----------
    x : array_like
        Features, (users,) or (users, features); standardise them so ``prior_sd``
        is weak on every coefficient.
    treatment, y : array_like
        0/1 treatment and outcome per user of a randomised test.
    new_x : array_like, optional
        Users to predict for (default: the fitted ones).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(500, 1)); t = rng.integers(0, 2, 500)
    >>> y = 1 + x[:, 0] + t * (0.5 + x[:, 0]) + rng.normal(0, 0.1, 500)
    >>> d = linear_cate(x, t, y, new_x=[[0.0], [1.0]], random_seed=1)
    >>> d.mean(0).round(2).tolist()
    [0.49, 1.48]
    """
    design = _design(x, treatment)
    y = np.asarray(y, dtype=float)
    if (
        y.shape != (design.shape[0],)
        or not np.all(np.isfinite(design))
        or not np.all(np.isfinite(y))
    ):
        raise DataError("x, treatment and y must be finite and of one length (users)")
    n, p = design.shape
    prior_precision = np.eye(p) / positive("prior_sd", prior_sd) ** 2
    precision = prior_precision + design.T @ design
    chol = np.linalg.cholesky(precision)
    mean = np.linalg.solve(precision, design.T @ y)
    a_n = positive("a0", a0) + n / 2
    b_n = positive("b0", b0) + 0.5 * (y @ y - mean @ precision @ mean)
    rng = rng_from(random_seed)
    m = whole("draws", draws, minimum=2)
    var = b_n / rng.gamma(a_n, 1.0, size=m)
    z = rng.standard_normal((m, p))
    # coefficient draws: mean + sqrt(var) * L^-T z, so their covariance is var * precision^-1
    coef = mean + np.sqrt(var)[:, None] * np.linalg.solve(chol.T, z.T).T
    effect = coef[:, p // 2 :]  # the treatment's intercept and interactions
    return effect @ _design(x if new_x is None else new_x).T
