"""Exact tests: effects on richer mechanisms equal hand computations over the same posterior draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytensor.tensor as pt
from scipy.interpolate import BSpline
from scipy.special import expit

import causalbayes as cb

CHAINS, DRAWS = 2, 25


def _draws(rng, *shape, scale=1.0):
    return rng.normal(size=(CHAINS, DRAWS, *shape)) * scale


def test_hurdle_outcome_ate_is_probability_times_mean_amount(fake_fit, rng):
    scm = cb.SCM({"page": cb.Bernoulli(), "spend": cb.HurdleLogNormal(["page"])})
    data = pd.DataFrame(
        {"page": rng.integers(0, 2, 50), "spend": rng.lognormal(size=50) * rng.integers(0, 2, 50)}
    )
    post = {
        "page.intercept": _draws(rng),
        "spend.intercept": _draws(rng),
        "spend.page": _draws(rng),
        "spend.sigma": np.abs(_draws(rng)) + 0.1,
        "spend.hurdle.intercept": _draws(rng),
        "spend.hurdle.page": _draws(rng),
    }
    effect = cb.ate(fake_fit(scm, data, post), "page", "spend")

    def mean(t):
        psi = expit(post["spend.hurdle.intercept"] + post["spend.hurdle.page"] * t)
        amount = np.exp(
            post["spend.intercept"] + post["spend.page"] * t + post["spend.sigma"] ** 2 / 2
        )
        return psi * amount

    np.testing.assert_allclose(effect.draws.values, mean(1) - mean(0), rtol=1e-10)


def test_custom_mechanism_ate_is_its_function(fake_fit, rng):
    emax = cb.Mechanism(
        lambda dose, top, ed50: top * dose / (ed50 + dose),
        params={
            "top": cb.Prior("Normal", mu=0, sigma=5),
            "ed50": cb.Prior("LogNormal", mu=0, sigma=1),
        },
        name="emax",
    )
    scm = cb.SCM({"dose": cb.Gamma(), "y": cb.Normal(["dose"], mechanism=emax)})
    data = pd.DataFrame({"dose": rng.gamma(2.0, size=40), "y": rng.normal(size=40)})
    post = {
        "dose.intercept": _draws(rng),
        "dose.alpha": np.abs(_draws(rng)) + 1,
        "y.top": _draws(rng, scale=3),
        "y.ed50": np.exp(_draws(rng)),
        "y.sigma": np.abs(_draws(rng)) + 0.1,
    }
    effect = cb.ate(fake_fit(scm, data, post), "dose", "y", values=(4.0, 1.0))
    top, ed50 = post["y.top"], post["y.ed50"]
    expected = top * 4 / (ed50 + 4) - top * 1 / (ed50 + 1)
    np.testing.assert_allclose(effect.draws.values, expected, rtol=1e-10)


def test_group_varying_slope_ate_averages_the_units_groups(fake_fit, rng):
    scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Normal(["t"], groups={"store": ["t"]})})
    n = 30
    store = rng.choice(["a", "b", "c"], n)
    data = pd.DataFrame({"t": rng.integers(0, 2, n), "y": rng.normal(size=n), "store": store})
    post = {
        "t.intercept": _draws(rng),
        "y.intercept": _draws(rng),
        "y.t": _draws(rng),
        "y.sigma": np.abs(_draws(rng)) + 0.1,
        "y.1|store.sd": np.abs(_draws(rng)),
        "y.1|store.z": _draws(rng, 3),
        "y.t|store.sd": np.abs(_draws(rng)),
        "y.t|store.z": _draws(rng, 3),
    }
    dims = {k: ["store_groups"] for k in post if k.endswith(".z")}
    effect = cb.ate(fake_fit(scm, data, post, dims), "t", "y")
    codes = np.searchsorted(["a", "b", "c"], store)
    slopes = post["y.t|store.z"] * post["y.t|store.sd"][..., None]
    expected = post["y.t"] + slopes[..., codes].mean(axis=-1)
    np.testing.assert_allclose(effect.draws.values, expected, rtol=1e-10)


def test_spline_dose_response_contrast(fake_fit, rng):
    scm = cb.SCM(
        {
            "dose": cb.Normal(),
            "y": cb.Normal(["dose"], terms=[cb.Spline("dose", df=4, bounds=(0, 10))]),
        }
    )
    data = pd.DataFrame({"dose": rng.uniform(0, 10, 40), "y": rng.normal(size=40)})
    post = {
        "dose.intercept": _draws(rng),
        "dose.sigma": np.abs(_draws(rng)) + 0.1,
        "y.intercept": _draws(rng),
        "y.spline(dose)": _draws(rng, 4),
        "y.sigma": np.abs(_draws(rng)) + 0.1,
    }
    fit = fake_fit(scm, data, post, {"y.spline(dose)": ["y.spline(dose)_basis"]})
    effect = cb.ate(fit, "dose", "y", values=(7.5, 2.0))
    knots = np.r_[[0.0] * 4, 5.0, [10.0] * 4]  # df=4: five basis functions, one interior knot
    basis = BSpline.design_matrix(np.array([7.5, 2.0]), knots, 3).toarray()[:, 1:]
    expected = post["y.spline(dose)"] @ (basis[0] - basis[1])
    np.testing.assert_allclose(effect.draws.values, expected, rtol=1e-10)


def test_ordered_outcome_effect_on_each_level_probability(fake_fit, rng):
    scm = cb.SCM(
        {"t": cb.Bernoulli(), "grade": cb.OrderedLogistic(["t"], levels=["lo", "mid", "hi"])}
    )
    data = pd.DataFrame({"t": rng.integers(0, 2, 30), "grade": rng.choice(["lo", "mid", "hi"], 30)})
    post = {
        "t.intercept": _draws(rng),
        "grade.t": _draws(rng),
        "grade.cutpoints.first": _draws(rng),
        "grade.cutpoints.gaps": np.abs(_draws(rng, 1)) + 0.5,
    }
    fit = fake_fit(scm, data, post, {"grade.cutpoints.gaps": ["grade_cutpoint_gaps"]})
    effect = cb.ate(fit, "t", "grade")

    def probs(t):
        c1 = post["grade.cutpoints.first"]
        c2 = c1 + post["grade.cutpoints.gaps"][..., 0]
        eta = post["grade.t"] * t
        cdf1, cdf2 = expit(c1 - eta), expit(c2 - eta)
        return np.stack([cdf1, cdf2 - cdf1, 1 - cdf2], axis=-1)

    np.testing.assert_allclose(effect.draws.values, probs(1) - probs(0), rtol=1e-10)
    assert list(effect.draws.coords["grade_levels"].values) == ["lo", "mid", "hi"]


def test_sample_ate_uses_imputed_values_of_a_held_covariate(fake_fit, rng):
    scm = cb.SCM(
        {
            "x": cb.Normal(),
            "t": cb.Bernoulli(["x"]),
            "y": cb.Normal(["t", "x"], interactions=["t:x"]),
        }
    )
    n = 20
    x = rng.normal(size=n)
    holes = np.array([2, 5, 9])
    x_obs = x.copy()
    x_obs[holes] = np.nan
    data = pd.DataFrame({"x": x_obs, "t": rng.integers(0, 2, n), "y": rng.normal(size=n)})
    post = {
        "x.intercept": _draws(rng),
        "x.sigma": np.abs(_draws(rng)) + 0.1,
        "x.missing": _draws(rng, 3),
        "t.intercept": _draws(rng),
        "t.x": _draws(rng),
        "y.intercept": _draws(rng),
        "y.t": _draws(rng),
        "y.x": _draws(rng),
        "y.t:x": _draws(rng),
        "y.sigma": np.abs(_draws(rng)) + 0.1,
    }
    fit = fake_fit(scm, data, post, missing="impute")
    effect = cb.ate(fit, "t", "y")
    filled = np.broadcast_to(np.where(np.isnan(x_obs), 0.0, x_obs), (CHAINS, DRAWS, n)).copy()
    filled[..., holes] = post["x.missing"]
    expected = post["y.t"] + post["y.t:x"] * filled.mean(axis=-1)
    np.testing.assert_allclose(effect.draws.values, expected, rtol=1e-10)


def test_predict_new_rows_with_an_unseen_group_draws_from_the_population(fake_fit, rng):
    scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"], groups=["store"])})
    data = pd.DataFrame(
        {"x": rng.normal(size=30), "y": rng.normal(size=30), "store": rng.choice(["a", "b"], 30)}
    )
    chains, draws = 2, 2000
    post = {
        "x.intercept": np.zeros((chains, draws)),
        "x.sigma": np.ones((chains, draws)),
        "y.intercept": np.full((chains, draws), 1.0),
        "y.x": np.full((chains, draws), 2.0),
        "y.sigma": np.full((chains, draws), 0.5),
        "y.1|store.sd": np.full((chains, draws), 3.0),
        "y.1|store.z": np.tile([0.1, -0.2], (chains, draws, 1)),
    }
    fit = fake_fit(scm, data, post, {"y.1|store.z": ["store_groups"]})
    new = pd.DataFrame({"x": [1.0, 1.0], "store": ["b", "zz"]})
    pred = cb.predict(fit, new, "y", random_seed=1)
    values = pred.draws.values.reshape(-1, 2)
    np.testing.assert_allclose(values[:, 0], 1 + 2 - 0.6)  # known group: its own effect
    assert pred.new_groups == {"store": ["zz"]}
    assert abs(values[:, 1].mean() - 3.0) < 0.2  # unseen group: centred on the population mean
    assert abs(values[:, 1].std() - 3.0) < 0.15  # with the population sd
    observed = cb.predict(fit, new, "y", kind="observed", random_seed=1).draws.values.reshape(-1, 2)
    assert abs(observed[:, 0].std() - 0.5) < 0.03  # the residual noise of a new observation
    assert new.columns.tolist() == ["x", "store"]  # the caller's frame is untouched


def test_known_measurement_error_widens_predicted_observations(fake_fit, rng):
    scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"], measurement_error="se")})
    data = pd.DataFrame({"x": rng.normal(size=20), "y": rng.normal(size=20), "se": 0.1})
    chains, draws = 2, 3000
    post = {
        "x.intercept": np.zeros((chains, draws)),
        "x.sigma": np.ones((chains, draws)),
        "y.intercept": np.zeros((chains, draws)),
        "y.x": np.ones((chains, draws)),
        "y.sigma": np.full((chains, draws), 0.3),
    }
    fit = fake_fit(scm, data, post)
    new = pd.DataFrame({"x": [0.0, 0.0], "se": [0.0, 0.4]})
    sd = (
        cb.predict(fit, new, "y", kind="observed", random_seed=2)
        .draws.values.reshape(-1, 2)
        .std(axis=0)
    )
    np.testing.assert_allclose(sd, [0.3, 0.5], rtol=0.05)


def test_custom_mechanism_errors_name_the_node():
    bad = cb.Mechanism(lambda x, k: pt.stack([x, x * k]), params={"k": 1.0}, name="two_rows")
    scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"], mechanism=bad)})
    import pytest

    with pytest.raises(cb.SpecError, match="node 'y'.*two_rows.*one value per unit"):
        cb.generative_model(scm, n=5)
    broken = cb.Mechanism(lambda x, k: x.nonexistent(k), params={"k": 1.0}, name="broken")
    with pytest.raises(cb.SpecError, match="node 'y'.*'broken' failed"):
        cb.generative_model(
            cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"], mechanism=broken)}), n=5
        )
