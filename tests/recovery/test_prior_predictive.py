"""Prior predictive checks: joint prior draws, closed-form quantiles, surprise flags, errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from scipy import stats  # noqa: E402

import causalbayes as cb  # noqa: E402
from causalbayes.recovery.prior_predictive import PriorPredictive  # noqa: E402


def _narrow_root(mu: float = 2.0, sd: float = 0.1, sigma: float = 1.0) -> cb.Node:
    return cb.Normal(priors={"intercept": cb.Prior("Normal", mu=mu, sigma=sd), "sigma": sigma})


def test_quantiles_match_the_closed_form_prior_predictive():
    # x = intercept + sigma * e with intercept ~ N(2, 0.1), sigma = 1: x ~ N(2, sqrt(1.01)).
    scm = cb.SCM({"x": _narrow_root()})
    pp = cb.prior_predictive(scm, n=50, draws=2000, random_seed=11)
    row = pp.summary().loc["x"]
    scale = np.sqrt(1.0 + 0.1**2)
    for q in (0.01, 0.05, 0.5, 0.95, 0.99):
        expected = stats.norm.ppf(q, loc=2.0, scale=scale)
        # 100k values, correlated within a draw only through the intercept (sd 0.1):
        # Monte Carlo sd of these quantiles is below 0.015.
        assert row[f"q{round(q * 100)}%"] == pytest.approx(expected, abs=0.05), q
    assert row["nonfinite"] == 0.0
    intercept = pp.draws["x.intercept"].values
    assert intercept.shape == (2000,)
    assert intercept.mean() == pytest.approx(2.0, abs=0.01)
    assert intercept.std() == pytest.approx(0.1, rel=0.1)
    assert "x.sigma" not in pp.draws  # fixed parameters are constants, not draws


def test_nodes_are_drawn_jointly_with_their_parameters():
    # y = b * x exactly (sigma fixed near 0, intercept fixed 0): each draw's slope
    # must be the one that generated that draw's y.
    scm = cb.SCM(
        {
            "x": cb.Normal(),
            "y": cb.Normal(["x"], priors={"intercept": 0.0, "sigma": 1e-6}),
        }
    )
    pp = cb.prior_predictive(scm, n=20, draws=30, random_seed=3)
    assert dict(pp.draws["y"].sizes) == {"draw": 30, "unit": 20}
    slope = pp.draws["y.x"].values[:, None]
    np.testing.assert_allclose(pp.draws["y"].values, slope * pp.draws["x"].values, atol=1e-4)


def test_same_seed_same_draws_other_seed_other_draws():
    scm = cb.SCM({"x": cb.Normal(), "y": cb.Poisson(["x"])})
    a = cb.prior_predictive(scm, n=10, draws=25, random_seed=5)
    b = cb.prior_predictive(scm, n=10, draws=25, random_seed=5)
    c = cb.prior_predictive(scm, n=10, draws=25, random_seed=6)
    xr.testing.assert_identical(a.draws, b.draws)
    assert not np.array_equal(a.draws["x"].values, c.draws["x"].values)
    assert isinstance(a, PriorPredictive)


def test_single_draw_keeps_the_draw_dimension():
    pp = cb.prior_predictive(cb.SCM({"x": cb.Normal()}), n=4, draws=1, random_seed=0)
    assert dict(pp.draws["x"].sizes) == {"draw": 1, "unit": 4}


def test_data_far_outside_a_narrow_prior_is_flagged_and_a_fitting_node_is_not():
    rng = np.random.default_rng(2)
    data = pd.DataFrame(
        {
            "far": rng.normal(5.0, 1.0, size=200),  # prior says mean 2 +/- 0.1
            "near": rng.normal(2.0, 1.0, size=200),  # the same prior fits these
            "scaled": rng.normal(300.0, 40.0, size=200),  # default priors scale to the data
        }
    )
    scm = cb.SCM({"far": _narrow_root(), "near": _narrow_root(), "scaled": cb.Normal()})
    pp = cb.prior_predictive(scm, data, draws=400, random_seed=1)
    table = pp.summary()
    assert table.loc["far", "surprising"]
    assert table.loc["far", "p_mean_le_observed"] == 1.0  # every simulated mean lies below
    assert not table.loc["near", "surprising"]
    assert 0.05 < table.loc["near", "p_mean_le_observed"] < 0.95
    assert not table.loc["scaled", "surprising"]
    assert table.loc["scaled", "q50%"] == pytest.approx(data["scaled"].mean(), rel=0.2)
    assert table.loc["far", "observed_mean"] == pytest.approx(data["far"].mean())
    assert table["surprising"].dtype == bool


def test_without_data_nothing_is_compared():
    table = cb.prior_predictive(cb.SCM({"x": cb.Normal()}), n=5, draws=10).summary()
    assert list(table.columns) == [
        "q1%",
        "q5%",
        "q50%",
        "q95%",
        "q99%",
        "nonfinite",
        "observed_mean",
        "p_mean_le_observed",
        "surprising",
    ]
    assert np.isnan(table.loc["x", "p_mean_le_observed"]) and not table.loc["x", "surprising"]


def test_groups_come_from_the_data_and_categorical_nodes_are_level_codes():
    data = pd.DataFrame(
        {
            "store": ["a"] * 5 + ["b"] * 3 + ["c"] * 2,
            "kind": ["lo", "hi"] * 5,
            "sales": np.linspace(10.0, 20.0, 10),
        }
    )
    scm = cb.SCM({"kind": cb.Categorical(), "sales": cb.Normal(["kind"], groups=["store"])})
    pp = cb.prior_predictive(scm, data, draws=50, random_seed=4)
    effects = pp.draws["sales.1|store"]
    assert effects.dims == ("draw", "store_groups")
    assert list(effects.coords["store_groups"].values) == ["a", "b", "c"]
    codes = pp.draws["kind"].values
    assert set(np.unique(codes)) <= {0, 1}
    fig = pp.plot()
    try:
        visible = [ax for ax in fig.axes if ax.get_visible()]
        assert [ax.get_title() for ax in visible] == ["kind", "sales"]
        labels = [t.get_text() for t in visible[0].get_xticklabels()]
        assert labels == list(pp.scm["kind"].levels)  # level frequencies, not a histogram
    finally:
        plt.close(fig)


def test_plot_overlays_observed_values():
    data = pd.DataFrame({"x": np.linspace(0.0, 1.0, 30)})
    pp = cb.prior_predictive(cb.SCM({"x": cb.Normal()}), data, draws=20, random_seed=0)
    fig = pp.plot()
    try:
        _, labels = fig.axes[0].get_legend_handles_labels()
        assert labels == ["prior predictive", "observed"]
    finally:
        plt.close(fig)


def test_exogenous_columns_need_data():
    scm = cb.SCM({"y": cb.Normal(groups=["store"], measurement_error="se")})
    with pytest.raises(cb.DataError, match=r"\['se', 'store'\]"):
        cb.prior_predictive(scm, n=10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one"),
        ({"n": 5, "data": pd.DataFrame({"x": [1.0, 2.0]})}, "exactly one"),
        ({"n": 0}, "n must be a positive integer"),
        ({"n": True}, "n must be a positive integer"),
        ({"n": 5, "draws": 0}, "draws must be a positive integer"),
        ({"n": 5, "draws": 2.5}, "draws must be a positive integer"),
    ],
)
def test_bad_arguments_raise_spec_errors(kwargs, match):
    with pytest.raises(cb.SpecError, match=match):
        cb.prior_predictive(cb.SCM({"x": cb.Normal()}), **kwargs)


def test_bad_inputs_raise_typed_errors():
    scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])})
    with pytest.raises(cb.SpecError, match="SCM"):
        cb.prior_predictive({"x": cb.Normal()}, n=5)
    with pytest.raises(cb.DataError, match=r"\['y'\]"):
        cb.prior_predictive(scm, pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(cb.DataError, match="DataFrame"):
        cb.prior_predictive(scm, {"x": [1.0], "y": [2.0]})


def test_plot_a_subset_of_nodes():
    pp = cb.prior_predictive(cb.SCM({"x": cb.Normal(), "y": cb.Normal(["x"])}), n=5, draws=10)
    fig = pp.plot(["y"])
    try:
        assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["y"]
    finally:
        plt.close(fig)
    with pytest.raises(cb.GraphError, match="'z'"):
        pp.plot(["z"])
    with pytest.raises(cb.QueryError, match="empty"):
        pp.plot([])


def test_trials_from_data_and_latent_nodes_without_observations():
    data = pd.DataFrame({"x": [0.1, -0.4, 1.2, 0.3], "buys": [1, 0, 3, 2], "visits": [2, 1, 5, 4]})
    scm = cb.SCM(
        {
            "u": cb.Normal(latent=True),
            "x": cb.Normal(["u"]),
            "buys": cb.Binomial(["x"], trials="visits"),
        }
    )
    pp = cb.prior_predictive(scm, data, draws=40, random_seed=9)
    buys = pp.draws["buys"].values
    assert (buys >= 0).all() and (buys <= data["visits"].to_numpy()).all()
    table = pp.summary()
    assert np.isnan(table.loc["u", "observed_mean"]) and not table.loc["u", "surprising"]
    assert table.loc["buys", "observed_mean"] == pytest.approx(1.5)
