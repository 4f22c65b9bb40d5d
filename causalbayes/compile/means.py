"""Expected value of a node's distribution, read off its PyMC random variable.

Effects average ``E[Y | parents]`` rather than sampled ``Y`` (less Monte Carlo
noise).  The mean is computed from the random variable's own parameters, so
it stays valid on any clone that ``pm.do``/``pm.observe`` produce.
"""

from __future__ import annotations

import pytensor.tensor as pt


def expected_value(rv):
    """``E[rv]`` as a tensor of the same batch shape (a probability vector for Categorical)."""
    op = rv.owner.op
    params = op.dist_params(rv.owner)
    kind = type(op).__name__
    if kind in {"NormalRV", "PoissonRV", "BernoulliRV"}:
        return params[0]
    if kind == "StudentTRV":
        return params[1]
    if kind == "LogNormalRV":
        mu, sigma = params
        return pt.exp(mu + sigma**2 / 2)
    if kind == "GammaRV":
        shape, scale = params
        return shape * scale
    if kind == "BinomialRV":
        trials, p = params
        return trials * p
    if kind == "NegBinomialRV":
        r, p = params
        return r * (1 - p) / p
    if kind == "CategoricalRV":
        return params[0]
    raise NotImplementedError(f"no expected value for {kind}")
