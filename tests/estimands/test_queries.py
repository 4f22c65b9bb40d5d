"""Exact tests: ATT/ATU, CATE (conditioning vs setting), k-arm contrasts, dose-response,
shifts and policies equal their closed forms per posterior draw (linear-Gaussian SCMs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.testing import random_posterior

CHAINS, DRAWS = 2, 30


@pytest.fixture
def modifier_fit(fake_fit, rng):
    """z -> x -> y, z -> t -> y, z -> y, with t:x and t:z interactions (x is a non-root modifier)."""
    scm = cb.SCM(
        {
            "z": cb.Normal(),
            "x": cb.Normal(["z"]),
            "t": cb.Bernoulli(["z"]),
            "y": cb.Normal(["t", "x", "z"], interactions=["t:x", "t:z"]),
        }
    )
    n = 60
    z = rng.normal(size=n)
    x = 0.8 * z + rng.normal(scale=0.6, size=n)
    data = pd.DataFrame(
        {
            "z": z,
            "x": x,
            "t": rng.integers(0, 2, n),
            "y": rng.normal(size=n),
            "segment": rng.choice(["a", "b", "c"], n),
        }
    )
    post = random_posterior(scm, rng, CHAINS, DRAWS)
    return fake_fit(scm, data, post), data, post


def _unit_effect(post, x, z):
    """Per-draw, per-unit effect of t on y: b_t + b_tx x + b_tz z."""
    return post["y.t"][..., None] + post["y.t:x"][..., None] * x + post["y.t:z"][..., None] * z


def test_att_and_atu_average_the_observed_treated_and_untreated(modifier_fit):
    fit, data, post = modifier_fit
    unit = _unit_effect(post, data.x.values, data.z.values)
    treated = data.t.values == 1
    np.testing.assert_allclose(
        cb.att(fit, "t", "y").draws.values, unit[..., treated].mean(-1), rtol=1e-10
    )
    np.testing.assert_allclose(
        cb.atu(fit, "t", "y").draws.values, unit[..., ~treated].mean(-1), rtol=1e-10
    )


def test_cate_by_a_subgroup_conditions_on_the_units_observed_there(modifier_fit):
    fit, data, post = modifier_fit
    unit = _unit_effect(post, data.x.values, data.z.values)
    effect = cb.cate(fit, "t", "y", by="segment")
    for g in ["a", "b", "c"]:
        rows = data.segment.values == g
        np.testing.assert_allclose(
            effect.draws.sel(segment=g).values, unit[..., rows].mean(-1), rtol=1e-10
        )
    by_labels = cb.cate(fit, "t", "y", by=data.segment.rename("seg"))  # labels given directly
    np.testing.assert_allclose(by_labels.draws.values, effect.draws.values)


def test_conditioning_and_setting_a_non_root_modifier_differ_as_theory_says(modifier_fit):
    fit, data, post = modifier_fit
    edges = [-10, -0.5, 0.5, 10]
    conditioned = cb.cate(fit, "t", "y", by="x", bins=edges)
    bins = pd.cut(data.x, edges, include_lowest=True)
    for label, rows in zip(conditioned.draws.coords["x"].values, bins.cat.categories, strict=True):
        chosen = (bins == rows).to_numpy()
        unit = _unit_effect(post, data.x.values[chosen], data.z.values[chosen])
        np.testing.assert_allclose(conditioned.draws.sel(x=label).values, unit.mean(-1), rtol=1e-10)
    at = [-1.0, 0.0, 1.0]
    set_ = cb.cate(fit, "t", "y", by="x", mode="set", at=at)
    # do(x = g): every unit keeps its own z (x does not cause z)
    for g in at:
        expected = post["y.t"] + post["y.t:x"] * g + post["y.t:z"] * data.z.values.mean()
        np.testing.assert_allclose(set_.draws.sel(x=str(g)).values, expected, rtol=1e-10)
    # Conditioning on high x selects units with high z (z -> x); setting x to the same
    # value does not. The two answers differ by exactly b_t:z times that selection.
    high = (data.x > 0.5).to_numpy()
    g = float(data.x[high].mean())
    by_condition = cb.cate(fit, "t", "y", by="x", bins=[-10, 0.5, 10]).draws.isel(x=1).values
    by_setting = cb.cate(fit, "t", "y", by="x", mode="set", at=[g]).draws.isel(x=0).values
    selection = data.z[high].mean() - data.z.mean()
    assert selection > 0.3
    np.testing.assert_allclose(by_condition - by_setting, post["y.t:z"] * selection, rtol=1e-9)
    assert np.all(np.abs(by_condition - by_setting) > 0)


def test_contrasts_among_three_arms(fake_fit, rng):
    scm = cb.SCM({"page": cb.Categorical(levels=["A", "B", "C"]), "bought": cb.Normal(["page"])})
    data = pd.DataFrame({"page": rng.choice(["A", "B", "C"], 40), "bought": rng.normal(size=40)})
    post = {
        "page.intercept": rng.normal(size=(CHAINS, DRAWS, 2)),
        "bought.intercept": rng.normal(size=(CHAINS, DRAWS)),
        "bought.page": rng.normal(size=(CHAINS, DRAWS, 2)),
        "bought.sigma": np.abs(rng.normal(size=(CHAINS, DRAWS))) + 0.1,
    }
    dims = {"page.intercept": ["page_contrasts"], "bought.page": ["page_contrasts"]}
    fit = fake_fit(scm, data, post, dims)
    b = post["bought.page"]
    vs_a = cb.contrasts(fit, "page", "bought")
    np.testing.assert_allclose(vs_a.draws.sel(contrast="B - A").values, b[..., 0], rtol=1e-10)
    np.testing.assert_allclose(vs_a.draws.sel(contrast="C - A").values, b[..., 1], rtol=1e-10)
    every = cb.contrasts(fit, "page", "bought", pairs="all")
    assert list(every.draws.coords["contrast"].values) == ["B - A", "C - A", "C - B"]
    np.testing.assert_allclose(
        every.draws.sel(contrast="C - B").values, b[..., 1] - b[..., 0], rtol=1e-10
    )


@pytest.fixture
def dose_fit(fake_fit, rng):
    scm = cb.SCM(
        {
            "x": cb.Normal(),
            "dose": cb.Normal(["x"]),
            "y": cb.Normal(["dose", "x"], terms=[cb.Poly("dose", 2)]),
        }
    )
    n = 50
    data = pd.DataFrame(
        {"x": rng.normal(size=n), "dose": rng.normal(size=n), "y": rng.normal(size=n)}
    )
    post = random_posterior(scm, rng, CHAINS, DRAWS)
    return fake_fit(scm, data, post), data, post


def test_dose_response_over_a_grid(dose_fit):
    fit, data, post = dose_fit
    grid = [-1.0, 0.0, 0.5, 2.0]
    curve = cb.dose_response(fit, "dose", "y", grid)
    base = post["y.intercept"] + post["y.x"] * data.x.mean()
    for t in grid:
        expected = base + post["y.dose"] * t + post["y.dose^2"] * t**2
        np.testing.assert_allclose(curve.draws.sel(dose=t).values, expected, rtol=1e-10)


def test_shift_intervention_and_average_marginal_effect(dose_fit):
    fit, data, post = dose_fit
    d = data.dose.values
    shift = cb.shift_effect(fit, "dose", "y", delta=0.5)
    expected = post["y.dose"] * 0.5 + post["y.dose^2"] * ((d + 0.5) ** 2 - d**2).mean()
    np.testing.assert_allclose(shift.draws.values, expected, rtol=1e-10)


def test_policy_value_and_contrast_with_a_stochastic_policy(modifier_fit):
    fit, data, post = modifier_fit
    pi = 1 / (1 + np.exp(-data.x.values))

    def m(t):  # E[y | do(t)] per unit, z and x held at their data
        return (
            post["y.intercept"][..., None]
            + post["y.t"][..., None] * t
            + post["y.x"][..., None] * data.x.values
            + post["y.z"][..., None] * data.z.values
            + post["y.t:x"][..., None] * t * data.x.values
            + post["y.t:z"][..., None] * t * data.z.values
        )

    value = cb.policy_value(fit, "t", "y", lambda d: 1 / (1 + np.exp(-d.x)))
    np.testing.assert_allclose(
        value.draws.values, (pi * m(1) + (1 - pi) * m(0)).mean(-1), rtol=1e-10
    )
    rule = cb.policy_value(
        fit, "t", "y", lambda d: (d.x > 0).astype(float), baseline=lambda d: np.zeros(len(d))
    )
    treat = (data.x.values > 0).astype(float)
    expected = (treat * m(1) + (1 - treat) * m(0)).mean(-1) - m(0).mean(-1)
    np.testing.assert_allclose(rule.draws.values, expected, rtol=1e-10)


def test_query_errors_are_clear(modifier_fit):
    fit, data, _ = modifier_fit
    with pytest.raises(cb.QueryError, match="bins="):
        cb.cate(fit, "t", "y", by="x")
    with pytest.raises(cb.QueryError, match="at="):
        cb.cate(fit, "t", "y", by="x", mode="set")
    with pytest.raises(cb.QueryError, match="not in the fitted data"):
        cb.cate(fit, "t", "y", by="nope")
    with pytest.raises(cb.QueryError, match="probabilities"):
        cb.policy_value(fit, "t", "y", lambda d: np.full(len(d), 2.0))
    with pytest.raises(cb.QueryError, match="one value per unit"):
        cb.policy_value(fit, "t", "y", lambda d: np.ones(3))
    with pytest.raises(cb.QueryError, match="whole number"):
        cb.shift_effect(fit, "t", "y", delta=0.5)


def test_decision_summaries_rope_expected_loss_and_best_arm(fake_fit, rng):
    scm = cb.SCM({"page": cb.Categorical(levels=["A", "B", "C"]), "bought": cb.Normal(["page"])})
    data = pd.DataFrame({"page": rng.choice(["A", "B", "C"], 40), "bought": rng.normal(size=40)})
    post = {
        "page.intercept": rng.normal(size=(CHAINS, DRAWS, 2)),
        "bought.intercept": np.zeros((CHAINS, DRAWS)),
        "bought.page": rng.normal(size=(CHAINS, DRAWS, 2)) * 0.1 + [0.05, 0.2],
        "bought.sigma": np.ones((CHAINS, DRAWS)),
    }
    fit = fake_fit(
        scm, data, post, {"page.intercept": ["page_contrasts"], "bought.page": ["page_contrasts"]}
    )
    b = post["bought.page"]
    table = cb.contrasts(fit, "page", "bought").summary(rope=0.1)
    np.testing.assert_allclose(
        table.loc["Contrasts[B - A]", "p_in_rope"], np.mean(np.abs(b[..., 0]) <= 0.1)
    )
    np.testing.assert_allclose(
        table.loc["Contrasts[C - A]", "loss_if_acting"], np.mean(np.maximum(-b[..., 1], 0))
    )
    arms = cb.dose_response(fit, "page", "bought", ["A", "B", "C"]).best()
    means = np.stack([np.zeros_like(b[..., 0]), b[..., 0], b[..., 1]]).reshape(3, -1)
    np.testing.assert_allclose(
        arms.p_best.values, [np.mean(means.argmax(0) == i) for i in range(3)]
    )
    np.testing.assert_allclose(
        arms.expected_loss.values, (means.max(0) - means).mean(1), rtol=1e-10
    )
    assert arms.p_best.sum() == pytest.approx(1.0)


def test_plots_fit_the_query(dose_fit, modifier_fit):
    import matplotlib

    matplotlib.use("Agg")
    fit, _, _ = dose_fit
    curve = cb.dose_response(fit, "dose", "y", [-1.0, 0.0, 1.0, 2.0]).plot()
    assert len(curve.collections) == 1 and len(curve.lines) == 1  # an HDI band and the mean curve
    fit2, _, _ = modifier_fit
    forest = cb.cate(fit2, "t", "y", by="segment").plot()
    assert [t.get_text() for t in forest.get_yticklabels()] == ["CATE[a]", "CATE[b]", "CATE[c]"]
    import matplotlib.pyplot as plt

    plt.close("all")


def test_cate_for_covariate_profiles_of_new_units(modifier_fit):
    fit, _, post = modifier_fit
    profiles = pd.DataFrame({"z": [0.0, 1.0, -2.0], "x": [0.5, 1.0, -1.0]})
    effect = cb.cate(fit, "t", "y", profiles=profiles)
    for i, row in profiles.iterrows():
        expected = post["y.t"] + post["y.t:x"] * row.x + post["y.t:z"] * row.z
        np.testing.assert_allclose(effect.draws.sel(profile=str(i)).values, expected, rtol=1e-10)
    one = cb.cate(fit, "t", "y", profiles={"z": 1.0, "x": 1.0})
    np.testing.assert_allclose(one.draws.values[..., 0], effect.draws.sel(profile="1").values)
    with pytest.raises(cb.QueryError, match="either by="):
        cb.cate(fit, "t", "y")


def test_average_marginal_effect_is_the_mean_derivative(dose_fit):
    fit, data, post = dose_fit
    ame = cb.average_marginal_effect(fit, "dose", "y")
    expected = post["y.dose"] + 2 * post["y.dose^2"] * data.dose.mean()
    np.testing.assert_allclose(ame.draws.values, expected, rtol=1e-5, atol=1e-8)


def test_shifts_and_policies_outside_the_support_are_refused(fake_fit, rng):
    scm = cb.SCM({"dose": cb.Gamma(), "y": cb.Normal(["dose"])})
    data = pd.DataFrame({"dose": rng.gamma(2.0, size=20) + 0.5, "y": rng.normal(size=20)})
    post = {"dose.intercept": np.zeros((1, 4)), "dose.alpha": np.ones((1, 4))}
    post.update({k: np.ones((1, 4)) for k in ("y.intercept", "y.dose", "y.sigma")})
    fit = fake_fit(scm, data, post)
    with pytest.raises(cb.QueryError, match="> 0"):
        cb.shift_effect(fit, "dose", "y", delta=-100.0)
    with pytest.raises(cb.QueryError, match="> 0"):
        cb.policy_value(fit, "dose", "y", lambda d: d.dose - 100)
    assert cb.shift_effect(fit, "dose", "y", delta=1.0).draws.shape == (1, 4)
