"""Positivity: every effect query says when the data hold few or no units at a value it sets."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.estimands import positivity
from causalbayes.testing import fake_fit

SCM = cb.SCM({"x": cb.Given(), "t": cb.Bernoulli(["x"]), "y": cb.Normal(["t", "x"])})


def _posterior(slope: float, draws: int = 20) -> dict[str, np.ndarray]:
    """Exact draws: t's log-odds are ``slope * x``; y = 1 + 2 t + x."""
    full = lambda v: np.full((1, draws), v)  # noqa: E731
    return {
        "t.intercept": full(0.0),
        "t.x": full(slope),
        "y.intercept": full(1.0),
        "y.t": full(2.0),
        "y.x": full(1.0),
        "y.sigma": full(1.0),
    }


def _data(t: np.ndarray, x: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"x": x, "t": t, "y": 1 + 2 * t + x})


def _quiet_ate(fit, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        effect = cb.ate(fit, "t", "y", **options)
    return effect, [w for w in caught if issubclass(w.category, cb.PositivityWarning)]


def test_no_untreated_unit_is_reported_and_warned():
    x = np.random.default_rng(0).normal(size=50)
    fit = fake_fit(SCM, _data(np.ones(50, int), x), _posterior(0.0))
    effect, caught = _quiet_ate(fit)
    assert effect.mean() == pytest.approx(2.0)  # the model's answer, now flagged
    assert len(caught) == 1 and "no unit in the data has t=0" in str(caught[0].message)
    assert effect.details["positivity"] == [str(caught[0].message)]
    assert any("no unit in the data has t=0" in w for w in effect.warnings)
    assert "no unit in the data has t=0" in effect.summary()["warning"].iloc[0]


def test_thin_arm_is_reported():
    x = np.random.default_rng(1).normal(size=60)
    t = np.r_[np.zeros(3, int), np.ones(57, int)]
    _, caught = _quiet_ate(fake_fit(SCM, _data(t, x), _posterior(0.0)))
    assert [str(w.message) for w in caught] == [
        "positivity: only 3 of 60 units have t=0; the effect there rests on very few observations"
    ]


def test_fitted_propensities_piled_at_zero_or_one_are_reported():
    rng = np.random.default_rng(2)
    x = rng.normal(size=400)
    t = (x > 0).astype(int)  # near-deterministic assignment: poor overlap
    fit = fake_fit(SCM, _data(t, x), _posterior(40.0))
    effect, caught = _quiet_ate(fit)
    # with log-odds 40 x, P(t=1) < 0.01 wherever x < -0.115: about 45% of the units
    share = np.mean(1 / (1 + np.exp(-40 * x)) < 0.01)
    assert share == pytest.approx(0.45, abs=0.06)
    assert len(caught) == 2  # units that could never be treated, and never untreated
    assert f"{share:.0%} of units have a fitted probability below 0.01 of t=1" in str(
        caught[0].message
    )


def test_propensities_of_large_fits_come_from_a_thinned_posterior(monkeypatch):
    # all draws x units at once would be 32 GB for 4,000 draws of 1e6 rows: the check
    # reads each unit's posterior-mean propensity from at most PROPENSITY_ELEMENTS values
    monkeypatch.setattr(positivity, "PROPENSITY_ELEMENTS", 400 * 5)
    rng = np.random.default_rng(2)
    x = rng.normal(size=400)
    fit = fake_fit(SCM, _data((x > 0).astype(int), x), _posterior(40.0, draws=20))
    thinned = positivity._thinned(fit, 5)
    assert thinned.posterior.sizes["draw"] == 5 and fit.posterior.sizes["draw"] == 20
    assert positivity._thinned(fit, 20) is fit
    _, caught = _quiet_ate(fit)
    share = np.mean(1 / (1 + np.exp(-40 * x)) < 0.01)  # the same draws: the same notes
    assert f"{share:.0%} of units have a fitted probability below 0.01 of t=1" in str(
        caught[0].message
    )


def test_good_overlap_says_nothing():
    rng = np.random.default_rng(3)
    x = rng.normal(size=300)
    t = rng.binomial(1, 1 / (1 + np.exp(-0.5 * x)))
    effect, caught = _quiet_ate(fake_fit(SCM, _data(t, x), _posterior(0.5)))
    assert caught == [] and effect.details["positivity"] == []


def test_dose_outside_the_observed_range_is_an_extrapolation():
    scm = cb.SCM({"d": cb.Normal(), "y": cb.Normal(["d"])})
    df = cb.simulate(scm, 50, random_seed=4)
    fit = fake_fit(scm, df, draws=10, random_seed=0)
    high = float(df["d"].max()) + 5
    with pytest.warns(cb.PositivityWarning, match="outside the observed range"):
        cb.dose_response(fit, "d", "y", grid=[0.0, high])


def test_contrasts_check_every_arm():
    scm = cb.SCM({"arm": cb.Categorical(levels=["a", "b", "c"]), "y": cb.Normal(["arm"])})
    df = pd.DataFrame({"arm": ["a"] * 20 + ["b"] * 20, "y": np.arange(40.0)})
    fit = fake_fit(scm, df, draws=10, random_seed=0)
    with pytest.warns(cb.PositivityWarning, match="no unit in the data has arm='c'"):
        cb.contrasts(fit, "arm", "y")
