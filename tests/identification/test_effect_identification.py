"""Effect queries check identification first: warn (with the contraction), raise, or ignore."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import causalbayes as cb
from causalbayes.estimands.checks import prior_fit


def _latent_fit(fake_fit, rng, sd: float):
    scm = cb.SCM(
        {"u": cb.Normal(latent=True), "t": cb.Bernoulli(["u"]), "y": cb.Normal(["t", "u"])}
    )
    df = cb.simulate(scm, 50, random_seed=6).drop(columns="u")
    post = {p.name: sd * rng.normal(size=(2, 200)) for p in scm.parameters() if p.node != "u"}
    post["y.sigma"] = np.abs(post["y.sigma"]) + 0.1
    post["u"] = rng.normal(size=(2, 200, 50))
    return fake_fit(scm, df, post, dims={"u": ["unit"]})


def test_latent_confounder_ate_warns_and_reports_contraction(fake_fit, rng):
    fit = _latent_fit(fake_fit, rng, sd=0.05)
    with pytest.warns(cb.IdentificationWarning, match=r"t <-> y.*contracted by (0\.9\d|1\.00)"):
        effect = cb.ate(fit, "t", "y", random_seed=1)
    assert effect.details["identified"] is False
    assert 0.9 < effect.details["contraction"] <= 1
    assert effect.details["prior_sd"] > 10 * effect.sd()


def test_posterior_equal_to_the_prior_shows_near_zero_contraction(fake_fit, rng):
    # a "posterior" made of prior draws: nothing learned from data
    fit = _latent_fit(fake_fit, rng, sd=0.05)
    names = [*fit.parameter_names, "u"]
    learned_nothing = prior_fit(fit, names, draws=1000, random_seed=5)
    ignored = cb.ate(learned_nothing, "t", "y", identification="ignore")
    assert ignored.details["identified"] is None
    with pytest.warns(cb.IdentificationWarning, match="contracted by"):
        effect = cb.ate(learned_nothing, "t", "y", random_seed=1, prior_draws=1000)
    assert abs(effect.details["contraction"]) < 0.25


def test_raise_refuses_a_non_identified_query(fake_fit, rng):
    fit = _latent_fit(fake_fit, rng, sd=0.05)
    with pytest.raises(cb.QueryError, match=r"not identified.*t <-> y"):
        cb.ate(fit, "t", "y", identification="raise")
    with pytest.raises(cb.QueryError, match="identification must be one of"):
        cb.ate(fit, "t", "y", identification="maybe")


def test_identified_query_does_not_warn(fake_fit, rng):
    scm = cb.SCM({"z": cb.Normal(), "t": cb.Bernoulli(["z"]), "y": cb.Normal(["t", "z"])})
    df = cb.simulate(scm, 50, random_seed=2)
    post = {p.name: 0.1 * rng.normal(size=(2, 100)) for p in scm.parameters()}
    post["y.sigma"] = np.abs(post["y.sigma"]) + 0.1
    post["z.sigma"] = np.abs(post["z.sigma"]) + 0.1
    fit = fake_fit(scm, df, post)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        effect = cb.ate(fit, "t", "y", identification="raise")
    assert effect.details["identified"] is True and "contraction" not in effect.details


def test_categorical_outcome_reports_contraction_per_level(fake_fit, rng):
    scm = cb.SCM(
        {
            "u": cb.Normal(latent=True),
            "t": cb.Bernoulli(["u"]),
            "choice": cb.Categorical(["t", "u"], levels=["none", "small", "big"]),
        }
    )
    df = cb.simulate(scm, 40, random_seed=3).drop(columns="u")
    post = {
        "t.intercept": 0.05 * rng.normal(size=(2, 100)),
        "t.u": 0.05 * rng.normal(size=(2, 100)),
        "choice.intercept": 0.05 * rng.normal(size=(2, 100, 2)),
        "choice.t": 0.05 * rng.normal(size=(2, 100, 2)),
        "choice.u": 0.05 * rng.normal(size=(2, 100, 2)),
        "u": rng.normal(size=(2, 100, 40)),
    }
    dims = {
        "choice.intercept": ["choice_contrasts"],
        "choice.t": ["choice_contrasts"],
        "choice.u": ["choice_contrasts"],
        "u": ["unit"],
    }
    fit = fake_fit(scm, df, post, dims=dims)
    with pytest.warns(cb.IdentificationWarning, match=r"contracted by \S+, \S+, \S+ from"):
        effect = cb.ate(fit, "t", "choice", random_seed=2)
    assert len(effect.details["contraction"]) == 3 and len(effect.details["prior_sd"]) == 3
    assert all(c > 0.5 for c in effect.details["contraction"])


def test_identify_accepts_a_fit(fake_fit, rng):
    fit = _latent_fit(fake_fit, rng, sd=0.05)
    assert cb.identify(fit, "t", "y").open_path == "t <-> y"
