"""Overlap verdicts and the assumptions report, on hand-made posteriors (no MCMC)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.errors import QueryError
from causalbayes.sensitivity.overlap import overlap
from causalbayes.sensitivity.report import assumptions_report

matplotlib.use("Agg")

SCM = cb.SCM({"x": cb.Given(), "t": cb.Bernoulli(["x"]), "y": cb.Normal(["t", "x"])})


def _data(slope: float, n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-slope * x))).astype(int)
    return pd.DataFrame({"x": x, "t": t, "y": 0.5 * t + x + rng.normal(size=n)})


def _posterior(data: pd.DataFrame, slope: float, draws: int = 100) -> dict:
    import statsmodels.api as sm

    ols = sm.OLS(data["y"], sm.add_constant(data[["t", "x"]])).fit()
    rng = np.random.default_rng(0)
    shape = (2, draws)
    return {
        "t.intercept": np.zeros(shape),
        "t.x": np.full(shape, slope),
        "y.intercept": np.full(shape, ols.params["const"]),
        "y.t": ols.params["t"] + ols.bse["t"] * rng.normal(size=shape),
        "y.x": np.full(shape, ols.params["x"]),
        "y.sigma": np.full(shape, np.sqrt(ols.ssr / len(data))),
    }


def test_fitted_propensities_are_the_mechanism(fake_fit):
    data = _data(1.0)
    ov = overlap(fake_fit(SCM, data, _posterior(data, 1.0)), "t", "y")
    np.testing.assert_allclose(ov.propensity, 1 / (1 + np.exp(-data["x"])), rtol=1e-9)
    assert ov.verdict == "pass"
    assert "fitted mechanism" in ov.source


def test_propensities_piled_at_zero_and_one_fail(fake_fit):
    data = _data(8.0)
    ov = overlap(fake_fit(SCM, data, _posterior(data, 8.0)), "t", "y")
    assert ov.verdict == "fail"
    assert ov.share_extreme > 0.3
    assert ov.ess_treated < 0.5 * (data["t"] == 1).sum()
    assert ov.plot().get_title() == "Overlap: fail"


def test_given_treatment_uses_a_logistic_regression(fake_fit):
    scm = cb.SCM({"x": cb.Given(), "t": cb.Given(), "y": cb.Normal(["t", "x"])})
    data = _data(8.0)
    post = {k: v for k, v in _posterior(data, 8.0).items() if k.startswith("y.")}
    ov = overlap(fake_fit(scm, data, post), "t", "y")
    assert "logistic regression of 't' on ['x']" in ov.source
    assert ov.verdict == "fail"
    separated = data.assign(t=(data["x"] > 0).astype(int))
    ov = overlap(fake_fit(scm, separated, post), "t", "y")
    assert ov.verdict == "fail" and "perfect separation" in ov.source
    continuous = data.assign(t=data["x"] + 1.0)
    ov = overlap(fake_fit(scm, continuous, post), "t", "y")
    assert ov.verdict == "not applicable"
    with pytest.raises(QueryError, match="eps"):
        overlap(fake_fit(scm, data, post), "t", "y", eps=0.7)


def test_report_gathers_every_check(fake_fit):
    data = _data(1.0)
    fit = fake_fit(SCM, data, _posterior(data, 1.0))
    report = assumptions_report(fit, "t", "y", benchmarks=["x"], kd=[0.25, 1])
    table = report.table()
    assert list(table.index) == [
        "identification",
        "implications",
        "overlap",
        "diagnostics",
        "refutations",
        "sensitivity",
    ]
    assert table.loc["identification", "verdict"] == "pass"
    assert "{'x'}" in table.loc["identification", "detail"]
    assert table.loc["overlap", "verdict"] == "pass"
    assert table.loc["refutations", "verdict"] == "not run"
    # x explains y strongly: a confounder as strong as x overturns the effect
    assert table.loc["sensitivity", "verdict"] == "fail"
    assert "as strong as 1x x" in table.loc["sensitivity", "detail"]
    assert report.summary().count("\n- ") == 6  # one line per check
    fig = report.plot()
    assert len(fig.axes) >= 4


def test_report_on_a_non_gaussian_outcome_says_why_no_sensitivity(fake_fit):
    scm = cb.SCM({"x": cb.Given(), "t": cb.Bernoulli(["x"]), "y": cb.Bernoulli(["t", "x"])})
    data = _data(1.0).assign(y=lambda d: (d["y"] > 0).astype(int))
    post = {k: v for k, v in _posterior(data, 1.0).items() if k != "y.sigma"}
    report = assumptions_report(fake_fit(scm, data, post), "t", "y")
    assert report.table().loc["sensitivity", "verdict"] == "not available"
    assert "latent_sensitivity" in report.table().loc["sensitivity", "detail"]
    with pytest.raises(QueryError, match="refutations must be"):
        assumptions_report(fake_fit(scm, data, post), "t", "y", refutations="yes")


def test_rejections_among_given_nodes_are_told_apart(fake_fit):
    scm = cb.SCM(
        {
            "a": cb.Given(),
            "b": cb.Given(),
            "t": cb.Given(),
            "y": cb.Normal(["t", "a", "b"]),
        }
    )
    rng = np.random.default_rng(2)
    a = rng.normal(size=300)
    t = (rng.random(300) < 1 / (1 + np.exp(-a))).astype(int)
    data = pd.DataFrame({"a": a, "b": a + rng.normal(size=300), "t": t})
    data["y"] = data["t"] + a + rng.normal(size=300)
    shape = (2, 50)
    post = {k: np.full(shape, v) for k, v in {"y.intercept": 0.0, "y.a": 1.0, "y.b": 0.0}.items()}
    post |= {"y.t": 1 + 0.1 * rng.normal(size=shape), "y.sigma": np.ones(shape)}
    table = assumptions_report(fake_fit(scm, data, post), "t", "y").table()
    assert table.loc["implications", "verdict"] == "fail"
    assert "among given nodes" in table.loc["implications", "detail"]
