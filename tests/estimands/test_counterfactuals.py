"""Exact tests: unit counterfactuals, natural direct/indirect effects and PN/PS per posterior draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import causalbayes as cb
from causalbayes.testing import random_posterior

CHAINS, DRAWS = 2, 20


def _posterior(scm, rng):
    return random_posterior(scm, rng, CHAINS, DRAWS)


@pytest.fixture
def chain_fit(fake_fit, rng):
    """x -> t -> m -> y, x -> y, t -> y; all Normal (additive noise)."""
    scm = cb.SCM(
        {
            "x": cb.Normal(),
            "t": cb.Normal(["x"]),
            "m": cb.Normal(["t"]),
            "y": cb.Normal(["t", "m", "x"]),
        }
    )
    n = 15
    data = pd.DataFrame({c: rng.normal(size=n) for c in ["x", "t", "m", "y"]})
    post = _posterior(scm, rng)
    return fake_fit(scm, data, post), data, post


def test_additive_noise_counterfactuals_are_exact(chain_fit):
    fit, data, post = chain_fit
    cf = cb.counterfactual(fit, data.head(6), t=2.0)
    d = data.head(6)
    b = {k: post[k][..., None] for k in ("m.t", "y.t", "y.m")}
    m_cf = d.m.values + b["m.t"] * (2.0 - d.t.values)
    y_cf = d.y.values + b["y.t"] * (2.0 - d.t.values) + b["y.m"] * (m_cf - d.m.values)
    np.testing.assert_allclose(cf.values["m"].values, m_cf, rtol=1e-10)
    np.testing.assert_allclose(cf.values["y"].values, y_cf, rtol=1e-10)
    np.testing.assert_allclose(cf.effect("y").values, y_cf - d.y.values, rtol=1e-10)
    assert set(cf.values) == {"m", "y"}  # upstream x is untouched
    assert cf.summary("y").shape == (6, 4)
    # setting t to its factual value changes nothing
    same = cb.counterfactual(fit, data.head(1), t=float(data.t.iloc[0]))
    np.testing.assert_allclose(same.values["y"].values[..., 0], data.y.iloc[0], rtol=1e-12)


def test_mediation_in_a_linear_scm_matches_the_path_coefficients(chain_fit):
    fit, _, post = chain_fit
    effect = cb.mediation(fit, "t", "m", "y", values=(1.5, -0.5))
    np.testing.assert_allclose(effect.draws.sel(effect="NDE").values, post["y.t"] * 2.0, rtol=1e-9)
    np.testing.assert_allclose(
        effect.draws.sel(effect="NIE").values, post["m.t"] * post["y.m"] * 2.0, rtol=1e-9
    )
    total = cb.ate(fit, "t", "y", values=(1.5, -0.5)).draws.values
    np.testing.assert_allclose(effect.draws.sel(effect="TE").values, total, rtol=1e-9)


def test_mediation_with_a_logistic_outcome_is_a_nested_counterfactual(fake_fit, rng):
    scm = cb.SCM({"t": cb.Bernoulli(), "m": cb.Normal(["t"]), "y": cb.Bernoulli(["t", "m"])})
    n = 25
    data = pd.DataFrame(
        {"t": rng.integers(0, 2, n), "m": rng.normal(size=n), "y": rng.integers(0, 2, n)}
    )
    post = _posterior(scm, rng)
    effect = cb.mediation(fake_fit(scm, data, post), "t", "m", "y")
    m = data.m.values
    t = data.t.values

    def med(t_new):  # the unit's own mediator noise, moved by m's response to t
        return m + post["m.t"][..., None] * (t_new - t)

    def ey(t_new, m_values):
        return expit(
            post["y.intercept"][..., None]
            + post["y.t"][..., None] * t_new
            + post["y.m"][..., None] * m_values
        ).mean(-1)

    nde = ey(1, med(0)) - ey(0, med(0))
    nie = ey(1, med(1)) - ey(1, med(0))
    np.testing.assert_allclose(effect.draws.sel(effect="NDE").values, nde, rtol=1e-9)
    np.testing.assert_allclose(effect.draws.sel(effect="NIE").values, nie, rtol=1e-9)


def test_probabilities_of_necessity_and_sufficiency(fake_fit, rng):
    scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Bernoulli(["t"])})
    n = 200
    t = rng.integers(0, 2, n)
    data = pd.DataFrame({"t": t, "y": rng.binomial(1, np.where(t == 1, 0.7, 0.3))})
    post = {
        "t.intercept": rng.normal(size=(CHAINS, DRAWS)),
        "y.intercept": rng.normal(-0.8, 0.1, size=(CHAINS, DRAWS)),
        "y.t": rng.normal(1.6, 0.1, size=(CHAINS, DRAWS)),
    }
    out = cb.probabilities_of_causation(fake_fit(scm, data, post), "t", "y", random_seed=1)
    p0 = expit(post["y.intercept"])
    p1 = expit(post["y.intercept"] + post["y.t"])
    pn, ps = (out.draws.sel(probability=k).values for k in ("PN", "PS"))
    np.testing.assert_allclose(pn, (p1 - p0) / p1, rtol=1e-9)
    np.testing.assert_allclose(ps, (p1 - p0) / (1 - p0), rtol=1e-9)


def test_bernoulli_counterfactual_draws_follow_the_monotone_coupling(fake_fit, rng):
    scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Bernoulli(["t"])})
    data = pd.DataFrame({"t": [0, 0], "y": [0, 1]})
    chains, draws = 2, 4000
    post = {
        "t.intercept": np.zeros((chains, draws)),
        "y.intercept": np.full((chains, draws), -1.0),
        "y.t": np.full((chains, draws), 2.0),
    }
    cf = cb.counterfactual(fake_fit(scm, data, post), t=1, random_seed=3)
    p0, p1 = expit(-1.0), expit(1.0)
    # a unit with y = 1 under t = 0 keeps it under t = 1; one with y = 0 gains it w.p. (p1 - p0) / (1 - p0)
    np.testing.assert_allclose(cf.probability["y"].values[..., 1], 1.0)
    np.testing.assert_allclose(cf.probability["y"].values[..., 0], (p1 - p0) / (1 - p0))
    assert abs(cf.values["y"].values[..., 0].mean() - (p1 - p0) / (1 - p0)) < 0.02


def test_counterfactual_refusals_name_the_problem(fake_fit, rng):
    scm = cb.SCM({"t": cb.Bernoulli(), "k": cb.Gamma(["t"])})
    data = pd.DataFrame({"t": [0, 1], "k": [1.0, 2.0]})
    fit = fake_fit(
        scm,
        data,
        {"t.intercept": np.zeros((1, 3)), "k.intercept": np.zeros((1, 3)), "k.t": np.zeros((1, 3))},
    )
    with pytest.raises(cb.QueryError, match="no invertible noise"):
        cb.counterfactual(fit, t=1)
    with pytest.raises(cb.QueryError, match="say what to set"):
        cb.counterfactual(fit)
    with pytest.raises(cb.QueryError, match="binary"):
        cb.probabilities_of_causation(fit, "t", "k")


def test_controlled_direct_effect_holds_the_mediator(fake_fit, rng):
    scm = cb.SCM(
        {
            "t": cb.Bernoulli(),
            "m": cb.Normal(["t"]),
            "y": cb.Normal(["t", "m"], interactions=["t:m"]),
        }
    )
    data = pd.DataFrame(
        {"t": rng.integers(0, 2, 20), "m": rng.normal(size=20), "y": rng.normal(size=20)}
    )
    post = _posterior(scm, rng)
    cde = cb.controlled_direct_effect(fake_fit(scm, data, post), "t", "m", "y", at=0.7)
    np.testing.assert_allclose(cde.draws.values, post["y.t"] + post["y.t:m"] * 0.7, rtol=1e-10)


def test_mediation_warns_when_a_latent_confounder_blocks_identification(fake_fit, rng):
    scm = cb.SCM(
        {
            "u": cb.Normal(latent=True),
            "t": cb.Normal(["u"]),
            "m": cb.Normal(["t"]),
            "y": cb.Normal(["t", "m", "u"]),
        }
    )
    data = pd.DataFrame({c: rng.normal(size=10) for c in ["t", "m", "y"]})
    post = _posterior(scm, rng)
    post["u"] = rng.normal(size=(CHAINS, DRAWS, 10))
    fit = fake_fit(scm, data, post, {"u": ["unit"]})
    with pytest.warns(cb.IdentificationWarning, match="not identified"):
        cb.mediation(fit, "t", "m", "y", values=(1.0, 0.0))
    with pytest.raises(cb.QueryError, match="not identified"):
        cb.mediation(fit, "t", "m", "y", values=(1.0, 0.0), identification="raise")


@pytest.mark.parametrize("family", ["Poisson", "NegativeBinomial"])
def test_count_counterfactuals_follow_the_cdf_coupling(fake_fit, family):
    from scipy import stats

    scm = cb.SCM({"t": cb.Bernoulli(), "k": getattr(cb, family)(["t"])})
    data = pd.DataFrame({"t": [0, 0, 1], "k": [0, 3, 5]})
    chains, draws = 2, 3000
    post = {
        "t.intercept": np.zeros((chains, draws)),
        "k.intercept": np.full((chains, draws), np.log(2.0)),
        "k.t": np.full((chains, draws), np.log(3.0)),
    }
    if family == "NegativeBinomial":
        post["k.alpha"] = np.full((chains, draws), 4.0)

    def dist(mu):
        return stats.poisson(mu) if family == "Poisson" else stats.nbinom(4.0, 4.0 / (4.0 + mu))

    values = cb.counterfactual(fake_fit(scm, data, post), t=1, random_seed=4).values["k"].values
    values = values.reshape(-1, 3)
    rng = np.random.default_rng(0)
    for unit, k in ((0, 0), (1, 3)):  # untreated units: mean 2 -> 6, their own noise kept
        low = dist(2.0).cdf(k - 1) if k > 0 else 0.0
        u = rng.uniform(low, dist(2.0).cdf(k), 200_000)
        reference = dist(6.0).ppf(u)
        assert abs(values[:, unit].mean() - reference.mean()) < 0.1
        assert values[:, unit].min() >= reference.min() and values[:, unit].max() <= reference.max()
    np.testing.assert_array_equal(values[:, 2], 5)  # already treated: nothing changes


def test_counterfactuals_refuse_imputed_fits(fake_fit, rng):
    scm = cb.SCM({"x": cb.Normal(), "t": cb.Normal(["x"]), "y": cb.Normal(["t", "x"])})
    data = pd.DataFrame({c: rng.normal(size=8) for c in ["x", "t", "y"]})
    data.loc[2, "x"] = np.nan
    post = _posterior(scm, rng)
    post["x.missing"] = rng.normal(size=(CHAINS, DRAWS, 1))
    fit = fake_fit(scm, data, post, missing="impute")
    with pytest.raises(cb.QueryError, match="imputed"):
        cb.counterfactual(fit, t=1.0)
    cf = cb.counterfactual(fit, data.dropna(), t=1.0)  # complete rows are fine
    assert cf.values["y"].sizes["unit"] == 7
