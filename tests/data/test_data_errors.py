"""Bad input gets a typed error naming the problem and the fix; data are never modified."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.inference import conditioned_model


@pytest.fixture
def scm():
    return cb.SCM(
        {
            "x": cb.Normal(),
            "t": cb.Bernoulli(["x"]),
            "k": cb.Poisson(["t"]),
            "y": cb.Normal(["t", "x"]),
        }
    )


@pytest.fixture
def good():
    return pd.DataFrame(
        {"x": [0.1, -1.0, 0.3], "t": [0, 1, 1], "k": [0, 3, 2], "y": [1.0, 0.0, 2.5]}
    )


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda d: d.drop(columns="y"), cb.DataError, r"missing column\(s\) \['y'\].*latent=True"),
        (lambda d: d.assign(y=[1.0, np.nan, 2.0]), cb.DataError, "'y' has missing"),
        (lambda d: d.assign(x=[1.0, np.inf, 2.0]), cb.DataError, "'x' has infinite"),
        (
            lambda d: d.assign(t=[0, 2, 1]),
            cb.DataError,
            "'t' is a Bernoulli node but has values other than 0/1",
        ),
        (
            lambda d: d.assign(k=[0, -1, 2]),
            cb.DataError,
            "'k' is a Poisson node but has negative or non-integer",
        ),
        (lambda d: d.assign(k=[0, 1.5, 2]), cb.DataError, "non-integer"),
        (lambda d: d.assign(y=["a", "b", "c"]), cb.DataError, "non-numeric"),
        (lambda d: d.iloc[:0], cb.DataError, "no rows"),
    ],
)
def test_bad_data_is_refused_and_left_untouched(scm, good, change, error, message):
    bad = change(good)
    before = bad.copy(deep=True)
    with pytest.raises(error, match=message):
        conditioned_model(scm, bad)
    pd.testing.assert_frame_equal(bad, before)


def test_data_must_be_a_data_frame(scm, good):
    with pytest.raises(cb.DataError, match="DataFrame"):
        conditioned_model(scm, good.to_dict())


def test_unknown_category_and_single_category_are_refused():
    scm = cb.SCM({"g": cb.Categorical(levels=["a", "b"]), "y": cb.Normal(["g"])})
    with pytest.raises(cb.DataError, match="not among the declared levels"):
        conditioned_model(scm, pd.DataFrame({"g": ["a", "c"], "y": [0.0, 1.0]}))
    scm = cb.SCM({"g": cb.Categorical(), "y": cb.Normal(["g"])})
    with pytest.raises(cb.DataError, match="single category"):
        conditioned_model(scm, pd.DataFrame({"g": ["a", "a"], "y": [0.0, 1.0]}))


def test_positive_families_and_binomial_trials_are_checked():
    scm = cb.SCM({"w": cb.LogNormal()})
    with pytest.raises(cb.DataError, match="values <= 0"):
        conditioned_model(scm, pd.DataFrame({"w": [1.0, 0.0]}))
    scm = cb.SCM({"k": cb.Binomial(trials="n")})
    with pytest.raises(cb.DataError, match="trials column 'n'"):
        conditioned_model(scm, pd.DataFrame({"k": [1, 2]}))
    with pytest.raises(cb.DataError, match="more successes than trials"):
        conditioned_model(scm, pd.DataFrame({"k": [1, 5], "n": [3, 3]}))


def test_bad_queries_raise_query_error(scm, good, fake_fit):
    draws = {
        name: np.zeros((1, 4))
        for name in (
            "x.intercept",
            "t.intercept",
            "t.x",
            "k.intercept",
            "k.t",
            "y.intercept",
            "y.t",
            "y.x",
        )
    }
    draws.update({"x.sigma": np.ones((1, 4)), "y.sigma": np.ones((1, 4))})
    fit = fake_fit(scm, good, draws)
    with pytest.raises(cb.QueryError, match="treatment 'dose' is not in the graph"):
        cb.ate(fit, "dose", "y")
    with pytest.raises(cb.QueryError, match="outcome 'z' is not in the graph"):
        cb.ate(fit, "t", "z")
    with pytest.raises(cb.QueryError, match="Bernoulli: treatment values must be 0 or 1"):
        cb.ate(fit, "t", "y", values=(2, 0))
    with pytest.raises(cb.QueryError, match="whole numbers >= 0"):
        cb.ate(fit, "k", "y", values=(-1, 0))
    with pytest.raises(cb.QueryError, match="say which two values"):
        cb.ate(fit, "x", "y")
    with pytest.raises(cb.QueryError, match="must be different"):
        cb.ate(fit, "y", "y")
    assert issubclass(cb.QueryError, ValueError)


def test_simulate_refuses_unknown_parameters_and_shapes():
    scm = cb.examples.coating_scm()
    with pytest.raises(cb.SpecError, match="not an estimated parameter.*coating.dilution"):
        cb.simulate(scm, 10, params={"coating.dilutoin": 1.0})
    with pytest.raises(cb.SpecError, match="shape"):
        cb.simulate(scm, 10, params={"coating.dilution": [1.0, 2.0]})
    with pytest.raises(cb.SpecError, match="positive integer"):
        cb.simulate(scm, 0)
