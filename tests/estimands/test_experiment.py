"""A/B/n tests from a data frame (``cb.ab_test``), arm means and per-unit effects as queries.

Exact tier only: conjugate experiments go through ``sampler="exact"`` and are
compared with the closed-form posteriors of CASES.md story 2, with numerical
integration and with the numpy core (``causalbayes.experiments``); queries are
checked on fits with known draws.  That the sampled path agrees with the exact
one within Monte Carlo error is tested once, on story 2, in
tests/inference/test_exact_sampler.py (slow).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import integrate, stats

import causalbayes as cb
from causalbayes import experiments as ex
from causalbayes.examples import ab_test_data
from causalbayes.testing import fake_fit

ROOT = Path(__file__).resolve().parents[2]
BIG = ({"A": 120, "B": 150}, {"A": 1000, "B": 1000})
SMALL = ({"A": 1, "B": 2}, {"A": 10, "B": 10})


def p_b_beats_a(a: stats.rv_continuous, b: stats.rv_continuous) -> float:
    value, _ = integrate.quad(lambda x: b.pdf(x) * a.cdf(x), 0, 1, limit=200, epsabs=1e-12)
    return value


@pytest.mark.parametrize(
    ("counts", "prior", "alpha", "beta"),
    [
        (BIG, None, (121, 151), (881, 851)),
        (BIG, (10, 90), (130, 160), (970, 940)),
        (SMALL, None, (2, 3), (10, 9)),
        (SMALL, (10, 90), (11, 12), (99, 98)),
    ],
)
def test_story2_from_a_data_frame_is_exact(counts, prior, alpha, beta):
    result = cb.ab_test(ab_test_data(*counts), "page", "purchase", prior=prior, random_seed=1)
    assert result.fit.sampler == "exact" and result.comparison.settings["method"] == "exact"
    a, b = stats.beta(alpha[0], beta[0]), stats.beta(alpha[1], beta[1])
    assert result.pairs.loc["B - A", "p_better"] == pytest.approx(p_b_beats_a(a, b), abs=1e-6)
    assert result.arms.loc["B", "p_best"] == pytest.approx(p_b_beats_a(a, b), abs=1e-6)
    # posterior means of the draws within Monte Carlo error (4000 independent draws)
    for arm, dist in zip("AB", (a, b), strict=True):
        assert abs(result.arms.loc[arm, "mean"] - dist.mean()) < 4 * dist.std() / np.sqrt(4000)
    if prior is None and counts is BIG:
        assert b.mean() - a.mean() == pytest.approx(0.02994, abs=5e-6)
        assert result.choice == "B"


def test_counts_per_arm_give_the_same_answer_as_one_row_per_user():
    rows = cb.ab_test(ab_test_data(*BIG), "page", "purchase", random_seed=3)
    counts = pd.DataFrame({"page": ["A", "B"], "buys": [120, 150], "n": [1000, 1000]})
    agg = cb.ab_test(counts, "page", "buys", trials="n", random_seed=3)
    assert agg.settings["family"] == "Binomial" and agg.fit.sampler == "exact"
    pd.testing.assert_series_equal(rows.arms["p_best"], agg.arms["p_best"])
    pd.testing.assert_series_equal(rows.arms["expected_loss"], agg.arms["expected_loss"])


def test_k_unequal_arms_match_the_numpy_core_exactly():
    # story 3's traffic: 10% / 45% / 45%, an informative prior from past tests
    counts = pd.DataFrame({"arm": ["A", "B", "C"], "k": [11, 70, 58], "n": [100, 450, 450]})
    prior = ex.beta_prior(0.12, 100)
    result = cb.ab_test(counts, "arm", "k", trials="n", prior=prior, pairs="all", rope=0.01)
    core = ex.compare_posterior(
        ex.beta_binomial([11, 70, 58], [100, 450, 450], prior=prior, arms="ABC"),
        pairs="all",
        rope=0.01,
        random_seed=0,
    )
    np.testing.assert_allclose(result.arms["p_best"], core.arms["p_best"], atol=1e-9)
    np.testing.assert_allclose(result.arms["expected_loss"], core.arms["expected_loss"], atol=1e-9)
    np.testing.assert_allclose(result.pairs["p_better"], core.pairs["p_better"], atol=1e-9)
    assert list(result.pairs.index) == ["B - A", "C - A", "C - B"]
    assert result.arms["p_best"].sum() == pytest.approx(1.0, abs=1e-6)
    assert result.draws().shape == (4000, 3)


def test_counts_and_known_sd_means_are_exact_too():
    rng = np.random.default_rng(5)
    arm = rng.choice(["A", "B"], 400)
    clicks = rng.poisson(np.where(arm == "A", 2.0, 2.3))
    y = rng.normal(np.where(arm == "A", 10.0, 10.4), 2.0)
    df = pd.DataFrame({"arm": arm, "clicks": clicks, "y": y})
    counts = cb.ab_test(df, "arm", "clicks", random_seed=1)
    assert counts.settings["family"] == "Poisson" and counts.fit.sampler == "exact"
    core = ex.compare_posterior(ex.gamma_poisson_rows(arm, clicks, arms="AB"), random_seed=0)
    np.testing.assert_allclose(counts.arms["p_best"], core.arms["p_best"], atol=1e-9)
    means = cb.ab_test(df, "arm", "y", sigma=2.0, prior=cb.Prior("Normal", mu=10, sigma=5))
    assert means.fit.sampler == "exact"
    n = np.array([(arm == a).sum() for a in "AB"])
    mean = np.array([y[arm == a].mean() for a in "AB"])
    core = ex.normal_known_sd(n, mean, sigma=2.0, prior_mean=10, prior_sd=5, arms="AB")
    np.testing.assert_allclose(means.arms["p_best"], ex.prob_best(core.marginal()), atol=1e-9)


def test_arm_means_query_reads_the_rates_off_any_fit():
    # the interventional world of a cell-rate model returns each draw's rates exactly
    result = cb.ab_test(ab_test_data(*SMALL), "page", "purchase", random_seed=2)
    means = cb.arm_means(result.fit, "page", "purchase")
    assert means.draws.dims == ("chain", "draw", "arm")
    np.testing.assert_allclose(means.draws.values, result.means.values, rtol=1e-12)


def test_unit_effects_are_each_units_own_conditional_effect():
    # logit P(y) = b0 + bt t + bx x + btx t x: unit i's effect at known draws, by hand
    scm = cb.SCM(
        {
            "t": cb.Given(),
            "x": cb.Given(),
            "y": cb.Bernoulli(["t", "x"], interactions=["t:x"]),
        }
    )
    x = np.linspace(-2.0, 2.0, 40)
    t = np.tile([0.0, 1.0], 20)
    df = pd.DataFrame({"t": t, "x": x, "y": (x > 0).astype(int)})
    draws = {"y.intercept": [[-1.0, 0.0]], "y.t": [[0.5, 1.0]], "y.x": [[0.2, 0.0]]}
    draws["y.t:x"] = [[0.3, -0.5]]
    fit = fake_fit(scm, df, {k: np.array(v) for k, v in draws.items()})
    effect = cb.unit_effects(fit, "t", "y", values=(1.0, 0.0))
    assert effect.draws.dims == ("chain", "draw", "unit")
    expit = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    for d in range(2):
        b0, bt, bx, btx = (draws[k][0][d] for k in ("y.intercept", "y.t", "y.x", "y.t:x"))
        want = expit(b0 + bt + (bx + btx) * x) - expit(b0 + bx * x)
        np.testing.assert_allclose(effect.draws.values[0, d], want, rtol=1e-10)
    new = cb.unit_effects(fit, "t", "y", values=(1.0, 0.0), units=pd.DataFrame({"x": [1.5]}))
    b0, bt, bx, btx = (np.array(draws[k][0]) for k in ("y.intercept", "y.t", "y.x", "y.t:x"))
    want = expit(b0 + bt + (bx + btx) * 1.5) - expit(b0 + bx * 1.5)
    np.testing.assert_allclose(new.draws.values[0, :, 0], want, rtol=1e-10)
    ate = cb.ate(fit, "t", "y", values=(1.0, 0.0))
    np.testing.assert_allclose(effect.draws.mean("unit").values, ate.draws.values, rtol=1e-10)


def test_thompson_allocation_follows_the_probability_to_be_best():
    result = cb.ab_test(ab_test_data(*BIG), "page", "purchase", random_seed=4)
    shares = ex.thompson_allocation(result.draws(), 20_000, np.random.default_rng(0)) / 20_000
    p = result.arms["p_best"].to_numpy()
    assert np.all(np.abs(shares - p) < 4 * np.sqrt(p * (1 - p) / 20_000) + 0.01)


def test_looking_again_with_stopping_rules_on_the_fit():
    result = cb.ab_test(ab_test_data(*BIG), "page", "purchase", random_seed=4)
    assert ex.check_draws(result.draws(), ex.LossRule(0.001), arms=["A", "B"]).stop
    assert not ex.check_draws(result.draws(), ex.RopeRule(0.005), arms=["A", "B"]).stop


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "nope"}, "column 'nope' is not in the data"),
        ({"family": "Binomial"}, "needs trials="),
        ({"family": "Weibull"}, "family must be one of"),
        ({"covariates": ["x"], "prior": (1, 1)}, "with covariates"),
        ({"prior": cb.Prior("Normal", mu=0, sigma=1)}, "must be Beta"),
    ],
)
def test_bad_requests_name_the_fix(kwargs, message):
    df = ab_test_data(*SMALL).assign(x=np.arange(20.0))
    args = {"outcome": "purchase", **kwargs}
    with pytest.raises(cb.QueryError, match=message):
        cb.experiment_scm(df, "page", args.pop("outcome"), **args)


FRESH_PROCESS = """
import json, sys
import pandas as pd
import causalbayes as cb
counts = pd.DataFrame({"page": ["A", "B"], "buys": [120, 150], "visitors": [1000, 1000]})
result = cb.ab_test(counts, "page", "buys", trials="visitors", random_seed=1)
HEAVY = ("pymc", "pytensor", "arviz", "scipy.stats", "xarray")
later = result.update(counts.assign(buys=[0, 0], visitors=[10, 10]))
marginal = result.arm_draws.marginal
print(json.dumps({
    "loaded": sorted(m for m in HEAVY if m in sys.modules),
    "alpha": marginal.params["a"].tolist(),
    "beta": marginal.params["b"].tolist(),
    "p_better": float(result.pairs.loc["B - A", "p_better"]),
    "p_best": result.arms["p_best"].tolist(),
    "draws": list(result.draws().shape),
    "sampler": result.settings["sampler"],
    "later_rows": len(later.arm_draws.data),
}))
"""


def test_exact_ab_test_in_a_fresh_process_loads_no_pymc_arviz_xarray_or_scipy_stats():
    # cwd=ROOT: `python -c` imports this checkout's package
    out = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS], cwd=ROOT, capture_output=True, text=True, check=True
    )
    got = json.loads(out.stdout)
    assert got["loaded"] == []
    assert got["alpha"] == [121.0, 151.0] and got["beta"] == [881.0, 851.0]
    exact = p_b_beats_a(stats.beta(121, 881), stats.beta(151, 851))
    assert round(got["p_better"], 4) == 0.9751
    assert got["p_better"] == pytest.approx(exact, abs=1e-9)
    assert got["p_best"] == pytest.approx([1 - exact, exact], abs=1e-9)
    assert got["draws"] == [4000, 2] and got["sampler"] == "exact"
    assert got["later_rows"] == 4  # update works on the kept rows, without the Fit


@pytest.mark.parametrize("seed", [1, "generator"])
def test_the_fit_built_on_first_use_is_the_fit_cb_fit_makes(seed):
    df = pd.DataFrame({"page": ["A", "B", "C"], "buys": [120, 150, 9], "n": [1000, 1000, 80]})
    options = {"trials": "n", "prior": (2, 30), "rope": 0.01, "pairs": "all"}
    rng = (lambda: np.random.default_rng(7)) if seed == "generator" else (lambda: seed)
    result = cb.ab_test(df, "page", "buys", random_seed=rng(), draws=300, chains=3, **options)
    assert "fit" not in vars(result.arm_draws)  # not built yet
    scm = cb.experiment_scm(df, "page", "buys", trials="n", prior=(2, 30))
    eager = cb.fit(scm, df, random_seed=rng(), draws=300, chains=3)
    fit = result.fit
    assert isinstance(fit, cb.Fit) and fit.sampler == "exact"
    xr.testing.assert_equal(fit.posterior, eager.posterior)  # attrs hold the creation time
    assert fit.posterior.attrs["inference_library"] == "causalbayes.exact"
    assert fit.diagnostics == eager.diagnostics and fit.scm == eager.scm
    pd.testing.assert_frame_equal(fit.data, eager.data)
    pd.testing.assert_frame_equal(fit.summary(), eager.summary())
    # the tables were computed from the same draws the Fit holds
    means = eager.posterior["buys.page"].rename({"page_levels": "arm"})
    xr.testing.assert_identical(result.means, means.assign_coords(arm=["A", "B", "C"]))
    np.testing.assert_array_equal(result.draws(), means.values.reshape(-1, 3))
    marginal = ex.Marginal(stats.beta, {"a": [122.0, 152.0, 11.0], "b": [910.0, 880.0, 101.0]})
    direct = ex.compare_draws(result.draws(), arms="ABC", marginal=marginal, rope=0.01, pairs="all")
    for got, want in ((result.arms, direct.arms), (result.pairs, direct.pairs)):
        pd.testing.assert_frame_equal(got, want, rtol=1e-12)
    # follow-up queries read the built Fit like any other
    assert cb.arm_means(fit, "page", "buys").draws.shape == (3, 300, 3)
