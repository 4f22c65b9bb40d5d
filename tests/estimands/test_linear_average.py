"""Averaging a linear mean over units before the draws gives exactly the per-draw average."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytensor.tensor as pt
import pytest

import causalbayes as cb
import causalbayes.estimands.worlds as worlds
from causalbayes.estimands.linear_average import linear_average
from causalbayes.testing import fake_fit

N = 7
RNG = np.random.default_rng(20261127)
X = RNG.normal(size=N)
Z = RNG.normal(size=N)
CODES = RNG.integers(0, 3, size=N)
BASIS = RNG.normal(size=(N, 4))


def _theta():
    a, b = pt.scalar("a"), pt.scalar("b")
    table, coefs = pt.vector("table"), pt.vector("coefs", shape=(4,))  # a table of any length
    return a, b, table, coefs


def _means():
    a, b, table, coefs = _theta()
    do = pt.vector("do", shape=(N,))
    padded = pt.concatenate([pt.zeros((1,)), table[1:]])
    return {
        "intercept and slopes": pt.zeros((N,)) + a + b * X - a * Z,
        "interaction with the intervention": a * do * X + b * do,
        "categorical table": padded[CODES] * X + a,
        "group effects": table[CODES] + b,
        "spline basis": pt.dot(BASIS, coefs) / 2.0 - b,
        "scaled sums": 3.0 * (a + b * X) * Z / (1.0 + a**2),
        "negation": -(b * X) - (-a),
    }, (a, b, table, coefs, do)


@pytest.mark.parametrize("name", list(_means()[0]))
def test_linear_means_average_exactly_like_draw_by_draw(name):
    means, inputs = _means()
    mean = means[name]
    weights = pt.matrix("w", shape=(N, None))
    fast = linear_average(mean, weights, inputs[:4])
    assert fast is not None, name
    slow = pt.tensordot(weights, mean, axes=[[0], [0]])
    for seed in range(3):
        rng = np.random.default_rng(seed)
        values = {
            inputs[0]: rng.normal(),
            inputs[1]: rng.normal(),
            inputs[2]: rng.normal(size=3),
            inputs[3]: rng.normal(size=4),
            inputs[4]: rng.normal(size=N),
            weights: rng.random(size=(N, 3)),
        }
        wanted = slow.eval(values, on_unused_input="ignore")
        got = fast.eval(values, on_unused_input="ignore")
        np.testing.assert_allclose(got, wanted, rtol=1e-12, atol=1e-12)


def test_means_that_are_not_linear_in_the_parameters_are_left_alone():
    a, b, table, _ = _theta()
    weights = pt.matrix("w", shape=(N, None))
    for mean in (
        pt.exp(a * X),  # a link other than the identity
        (a * X) * (b * Z),  # two factors that vary by unit and by draw
        a * X / (b * Z),
        pt.sigmoid(a + b * X),
        pt.random.normal(a * X, 1.0),  # a regenerated node: random per draw
    ):
        assert linear_average(mean, weights, [a, b, table]) is None


def _scms():
    """Linear-Gaussian outcomes of every term kind, and outcomes that must fall back."""
    return {
        "categorical and interaction": cb.SCM(
            {
                "region": cb.Categorical(levels=["north", "south", "west"]),
                "x": cb.Normal(["region"]),
                "t": cb.Bernoulli(["x"]),
                "y": cb.Normal(["t", "x", "region"], interactions=[("t", "x"), ("t", "region")]),
            }
        ),
        "spline and power": cb.SCM(
            {
                "x": cb.Normal(),
                "t": cb.Normal(["x"]),
                "y": cb.Normal(["t", "x"], terms=[cb.Spline("x", df=4), *cb.Poly("t", 2)]),
            }
        ),
        "mediator (falls back)": cb.SCM(
            {"t": cb.Bernoulli(), "m": cb.Normal(["t"]), "y": cb.Normal(["t", "m"])}
        ),
        "binary outcome (falls back)": cb.SCM(
            {"x": cb.Normal(), "t": cb.Bernoulli(["x"]), "y": cb.Bernoulli(["t", "x"])}
        ),
    }


@pytest.mark.filterwarnings("ignore::causalbayes.PositivityWarning")  # prior draws: exactness only
@pytest.mark.filterwarnings("ignore::causalbayes.AssumptionWarning")
@pytest.mark.parametrize("name", list(_scms()))
def test_effects_are_the_same_with_or_without_averaging_first(name, monkeypatch):
    scm = _scms()[name]
    data = cb.simulate(scm, 300, random_seed=3)
    fit = fake_fit(scm, data, draws=50, random_seed=4)
    treated = fit.data["t"] > fit.data["t"].median()
    values = tuple(fit.data["t"].quantile([0.75, 0.25])) if scm["t"].family == "Normal" else None

    def answers():
        out = [cb.ate(fit, "t", "y", values=values).draws.values]
        out.append(cb.cate(fit, "t", "y", by=treated, values=values).draws.values)
        if scm["t"].family == "Bernoulli":
            out.append(cb.att(fit, "t", "y").draws.values)
        return out

    fast = answers()
    used = []
    original = worlds.linear_average

    def spy(mean, weights, varying):
        result = original(mean, weights, varying)
        used.append(result is not None)
        return result

    monkeypatch.setattr(worlds, "linear_average", spy)
    answers()
    monkeypatch.setattr(worlds, "linear_average", lambda *args: None)
    slow = answers()
    for got, wanted in zip(fast, slow, strict=True):
        np.testing.assert_allclose(got, wanted, rtol=1e-10, atol=1e-12)
    assert all(used) == ("falls back" not in name), used


def test_group_effects_average_by_group_weights(monkeypatch):
    scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Normal(["t"], groups=["store"])})
    rng = np.random.default_rng(5)
    data = pd.DataFrame(
        {"store": rng.choice(["a", "b", "c", "d"], size=200), "t": rng.integers(0, 2, 200)}
    )
    store_effect = data["store"].map({"a": 0.0, "b": 1.0, "c": -1.0, "d": 2.0})
    data["y"] = 1.0 + 0.5 * data["t"] + store_effect + rng.normal(size=200)
    fit = fake_fit(scm, data, draws=40, random_seed=6)
    fast = cb.ate(fit, "t", "y").draws.values
    monkeypatch.setattr(worlds, "linear_average", lambda *args: None)
    np.testing.assert_allclose(fast, cb.ate(fit, "t", "y").draws.values, rtol=1e-10, atol=1e-12)


def test_weights_that_vary_by_draw_or_masks_are_left_alone():
    a, b, _, _ = _theta()
    weights = pt.matrix("w", shape=(N, None))
    bootstrap = pt.vector("bootstrap", shape=(N,))  # a Bayesian bootstrap: new weights per draw
    assert linear_average(a + b * X, weights * bootstrap[:, None], [a, b, bootstrap]) is None
    table = pt.vector("table")
    masked = pt.concatenate([table, table])[np.arange(2 * N) % 2 == 0]  # a boolean mask, N long
    assert linear_average(masked, weights, [table]) is None


def test_negative_codes_are_refused_not_miscounted():
    table, weights = pt.vector("table"), pt.matrix("w", shape=(3, None))
    averaged = linear_average(table[np.array([0, -1, 1])], weights, [table])
    with pytest.raises(AssertionError, match="codes are >= 0"):
        averaged.eval({table: np.ones(3), weights: np.ones((3, 1))})
