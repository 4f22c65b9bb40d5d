"""``experiments._dist``: scipy.stats' Beta, Gamma, Normal and Student-t values without scipy.stats.

The exact A/B/n path computes its marginals with these, so each method is held to
scipy.stats' own values (1e-12 relative; equal in practice), including ``loc`` and
``scale`` (the integrals shift arms by ``loc``), the support's ends, invalid
parameters (NaN), and the draws (the same generator calls, so the same numbers).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from causalbayes.experiments import _dist

CASES = [
    ("beta", {"a": np.array([121.0, 151.0, 0.5, 2.0]), "b": np.array([881.0, 851.0, 0.7, 1.0])}),
    ("beta", {"a": np.array([121.0, 151.0]), "b": np.array([881.0, 851.0]), "loc": [0, -0.01]}),
    ("gamma", {"a": np.array([121.0, 3.5, 0.4]), "scale": np.array([0.01, 2.0, 1.0])}),
    ("norm", {"loc": np.array([0.1, -2.0]), "scale": np.array([0.5, 3.0])}),
    ("t", {"df": np.array([0.5, 1.5, 3.0, 30.0, np.inf]), "loc": 1.0, "scale": 2.0}),
]
INVALID = ("beta", {"a": np.array([2.0, -1.0]), "b": np.array([3.0, 1.0])})  # a <= 0: NaN


def _close(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


def _points(name, params):
    """A grid over the support and beyond, its ends, NaN and -inf."""
    with np.errstate(all="ignore"):
        family = getattr(stats, name)
        lo, hi = np.nanmin(family.ppf(1e-9, **params)), np.nanmax(family.ppf(1 - 1e-9, **params))
    return np.r_[np.linspace(lo - 1, hi + 1, 301), 0.0, 1.0, np.nan, -np.inf][:, None]


@pytest.mark.parametrize(("name", "params"), [*CASES, INVALID])
def test_values_are_scipy_stats_values(name, params):
    ours, theirs = _dist.FAMILIES[name], getattr(stats, name)
    x = _points(name, params)
    q = np.r_[np.linspace(0, 1, 101), -0.1, 1.1, np.nan, 1e-12, 1 - 1e-12][:, None]
    for method, at in (("pdf", x), ("cdf", x), ("sf", x), ("ppf", q)):
        with np.errstate(all="ignore"):  # scipy.stats warns on some edge values; we need not
            expected = getattr(theirs, method)(at, **params)
        _close(getattr(ours, method)(at, **params), expected)
    for method in ("mean", "var", "std"):
        with np.errstate(all="ignore"):
            _close(getattr(ours, method)(**params), getattr(theirs, method)(**params))


@pytest.mark.parametrize(("name", "params"), CASES)
def test_draws_are_scipy_stats_draws(name, params):
    size = (4, 50, np.broadcast(*params.values()).shape[-1])
    ours = _dist.FAMILIES[name].rvs(**params, size=size, random_state=np.random.default_rng(5))
    theirs = getattr(stats, name).rvs(**params, size=size, random_state=np.random.default_rng(5))
    np.testing.assert_array_equal(ours, theirs)


def test_scalars_positional_parameters_and_the_rest_of_scipy_stats():
    assert _dist.beta.cdf(0.3, 2, 3) == stats.beta.cdf(0.3, 2, 3)
    assert isinstance(_dist.beta.cdf(0.3, 2, 3), np.float64)
    assert _dist.norm.ppf(0.975, 1.0, 2.0) == stats.norm.ppf(0.975, 1.0, 2.0)
    assert _dist.gamma.mean(3.0, scale=2.0) == stats.gamma.mean(3.0, scale=2.0)
    # anything not computed here is scipy.stats' own, imported on use
    assert _dist.beta.logpdf(0.3, 2, 3) == stats.beta.logpdf(0.3, 2, 3)
    assert _dist.t(3.0).interval(0.9) == stats.t(3.0).interval(0.9)
    with pytest.raises(TypeError, match="takes"):
        _dist.beta.pdf(0.3, a=2)
