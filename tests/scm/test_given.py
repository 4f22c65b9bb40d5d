"""Given nodes: data the model conditions on without modelling; population effects by Bayesian bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.estimands.worlds import BootstrapWeights
from causalbayes.inference import conditioned_model


@pytest.fixture
def raw_frame():
    rng = np.random.default_rng(3)
    n = 150
    age = rng.integers(18, 80, size=n)  # an integer-coded measurement, not a count
    region = rng.choice(["north", "south", "east"], size=n)
    t = rng.binomial(1, 0.4, size=n)
    y = 1000 + 300 * t + 20 * age + rng.normal(0, 50, size=n)
    return pd.DataFrame({"age": age, "region": region, "t": t, "y": y})


def test_a_given_node_has_no_parameters_and_no_distribution(raw_frame):
    scm = cb.SCM(
        {
            "age": cb.Given(),
            "region": cb.Given(),
            "t": cb.Bernoulli(["age"]),
            "y": cb.Normal(["t", "age", "region"]),
        }
    )
    assert scm.parameters("age") == [] and scm.given == ("age", "region")
    model = conditioned_model(scm, raw_frame)
    assert {v.name for v in model.data_vars} >= {"age", "region"}
    assert not any(v.name.startswith(("age", "region")) for v in model.free_RVs)
    assert {v.name for v in model.observed_RVs} == {"t", "y"}
    # strings became labels with the first (sorted) level as reference
    assert model.coords["region_contrasts"] == ("north", "south")


def test_given_spec_round_trips_and_refuses_model_options():
    node = cb.Given(["z"], levels=["a", "b"])
    assert node.categorical is True and node.has_levels
    scm = cb.SCM({"z": cb.Normal(), "g": node, "y": cb.Normal(["g"])})
    assert cb.SCM.from_json(scm.to_json()) == scm
    with pytest.raises(cb.SpecError, match="not modelled"):
        cb.Node("Given", priors=(("intercept", cb.Prior("Normal", mu=0, sigma=1)),))
    with pytest.raises(cb.SpecError, match="categorical= applies to Given"):
        cb.Node("Normal", categorical=True)


def test_a_given_column_with_missing_values_is_refused_with_the_fix(raw_frame):
    scm = cb.SCM({"age": cb.Given(), "y": cb.Normal(["age"])})
    frame = raw_frame.astype({"age": float})
    frame.loc[3, "age"] = np.nan
    with pytest.raises(cb.DataError, match="given column 'age' has missing values.*impute"):
        conditioned_model(scm, frame)


def test_simulate_takes_given_values_from_exog(raw_frame):
    scm = cb.SCM({"age": cb.Given(), "y": cb.Normal(["age"])})
    sim = cb.simulate(scm, len(raw_frame), exog=raw_frame[["age"]], random_seed=1)
    pd.testing.assert_series_equal(sim["age"], raw_frame["age"])
    with pytest.raises(cb.DataError, match="given nodes"):
        cb.simulate(scm, 10)


def test_from_graph_gives_roots_and_does_not_count_ages(raw_frame):
    scm = cb.SCM.from_graph("age -> t; region -> t; age -> y; region -> y; t -> y", raw_frame)
    assert [scm[v].family for v in scm.order] == ["Given", "Given", "Bernoulli", "Normal"]
    assert cb.SCM.from_graph("age -> y", raw_frame.assign(y=raw_frame.age))["y"].family == "Normal"
    modelled = cb.SCM.from_graph("age -> y", raw_frame, families={"age": cb.Normal()})
    assert modelled["age"].family == "Normal"
    kids = pd.DataFrame({"x": [0.1, 0.2, 0.3], "kids": [0, 2, 1]})
    assert cb.SCM.from_graph("x -> kids", kids)["kids"].family == "NegativeBinomial"


def _interaction_fit(fake_fit, rng):
    n = 80
    df = pd.DataFrame(
        {"x": rng.normal(2.0, 1.0, size=n), "t": rng.binomial(1, 0.5, size=n)}
    ).assign(y=lambda d: d.x + d.t + rng.normal(size=n))
    scm = cb.SCM(
        {"x": cb.Given(), "t": cb.Given(), "y": cb.Normal(["t", "x"], interactions=["t:x"])}
    )
    post = {
        "y.intercept": rng.normal(size=(2, 40)),
        "y.t": rng.normal(size=(2, 40)),
        "y.x": rng.normal(size=(2, 40)),
        "y.t:x": rng.normal(size=(2, 40)),
        "y.sigma": np.ones((2, 40)),
    }
    return fake_fit(scm, df, post), df, post


def test_population_ate_is_the_bayesian_bootstrap_of_the_unit_effects(fake_fit, rng):
    """Per draw: b_t + b_tx * sum_i g_i x_i / sum_i g_i with flat-Dirichlet weights g."""
    fit, df, post = _interaction_fit(fake_fit, rng)
    sample = cb.ate(fit, "t", "y")
    np.testing.assert_allclose(
        sample.draws.values, post["y.t"] + post["y.t:x"] * df.x.mean(), rtol=1e-10
    )
    population = cb.ate(fit, "t", "y", population=True, random_seed=5)
    assert population.details["population"] == "bootstrap"
    seed = int(np.random.default_rng(5).integers(2**31))
    weights = BootstrapWeights(80, len(df), seed)[0:80]
    x_bar = weights @ df.x.to_numpy() / weights.sum(axis=1)
    expected = post["y.t"] + post["y.t:x"] * x_bar.reshape(2, 40)
    np.testing.assert_allclose(population.draws.values, expected, rtol=1e-10)
    # the covariate's uncertainty is added: the spread of x-bar under the bootstrap
    assert np.std(x_bar) == pytest.approx(df.x.std(ddof=0) / np.sqrt(len(df)), rel=0.35)


def test_bootstrap_weights_do_not_depend_on_chunking():
    w = BootstrapWeights(10, 7, seed=3)
    np.testing.assert_array_equal(w[0:10], np.vstack([w[0:4], w[4:10]]))
    np.testing.assert_allclose(w[0:10].sum(axis=1), 7.0)


def test_subgroup_population_effects_stay_averages(fake_fit, rng):
    fit, df, post = _interaction_fit(fake_fit, rng)
    effect = cb.cate(fit, "t", "y", by="t", population=True, random_seed=2)
    seed = int(np.random.default_rng(2).integers(2**31))
    weights = BootstrapWeights(80, len(df), seed)[0:80]
    for label, mask in (("0", df.t == 0), ("1", df.t == 1)):
        g = weights[:, mask.to_numpy()]
        x_bar = g @ df.x[mask].to_numpy() / g.sum(axis=1)
        expected = post["y.t"] + post["y.t:x"] * x_bar.reshape(2, 40)
        np.testing.assert_allclose(effect.draws.sel(t=label).values, expected, rtol=1e-10)


def test_queries_that_would_regenerate_a_given_node_are_refused(fake_fit, rng):
    n = 40
    df = pd.DataFrame(
        {"t": rng.binomial(1, 0.5, n), "m": rng.normal(size=n), "y": rng.normal(size=n)}
    )
    scm = cb.SCM({"t": cb.Given(), "m": cb.Given(["t"]), "y": cb.Normal(["t", "m"])})
    post = {k: rng.normal(size=(1, 5)) for k in ("y.intercept", "y.t", "y.m")}
    post["y.sigma"] = np.ones((1, 5))
    fit = fake_fit(scm, df, post)
    with pytest.raises(cb.QueryError, match=r"\['m'\] are given .* declare a family"):
        cb.ate(fit, "t", "y")
    fit2, _, _ = _interaction_fit(fake_fit, rng)
    with pytest.raises(cb.QueryError, match="population='model' .* Bayesian bootstrap"):
        cb.ate(fit2, "t", "y", population="model")
    with pytest.raises(cb.QueryError, match="n only applies to population='model'"):
        cb.ate(fit2, "t", "y", population=True, n=10)
