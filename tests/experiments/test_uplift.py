"""Uplift: curves equal scikit-uplift's, bands cover the truth at their nominal rate, policies."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from scipy import stats
from uplift_data import simulate_uplift, true_curve

from causalbayes.errors import DataError, QueryError
from causalbayes.experiments.linear_cate import linear_cate
from causalbayes.experiments.targeting import target_policy
from causalbayes.experiments.uplift import (
    curve_band,
    data_curve_band,
    rank_table,
    ranking,
    ranking_stability,
)
from causalbayes.experiments.uplift_curves import (
    qini_auc_score,
    qini_curve,
    uplift_auc_score,
    uplift_curve,
)

matplotlib.use("Agg")

FRACTIONS = np.array([0.1, 0.25, 0.5, 0.75, 1.0])
SKLIFT_WARNING = "ignore:Function stable_cumsum is deprecated:FutureWarning"


@pytest.mark.filterwarnings(SKLIFT_WARNING)  # sklift 0.5.1 on scikit-learn 1.9
@pytest.mark.parametrize("seed", range(4))
def test_point_curves_and_scores_equal_scikit_uplift(seed):
    sm = pytest.importorskip("sklift.metrics")
    rng = np.random.default_rng(seed)
    y, t = rng.integers(0, 2, 400), rng.integers(0, 2, 400)
    score = np.round(rng.normal(size=400), 1)  # ties: one point per distinct score
    for ours, theirs in ((uplift_curve, sm.uplift_curve), (qini_curve, sm.qini_curve)):
        (n, v), (n2, v2) = ours(y, t, score), theirs(y, score, t)
        np.testing.assert_array_equal(n, n2)
        np.testing.assert_allclose(v, v2, rtol=0, atol=1e-12)
    assert uplift_auc_score(y, t, score) == pytest.approx(
        sm.uplift_auc_score(y, score, t), abs=1e-14
    )
    assert qini_auc_score(y, t, score) == pytest.approx(sm.qini_auc_score(y, score, t), abs=1e-14)


def test_linear_cate_is_the_exact_conjugate_posterior():
    x, t, y, _ = simulate_uplift(0, n=3000)
    d = linear_cate(x, t, y, draws=40_000, random_seed=1, new_x=np.zeros((1, 3)))
    # with a weak prior the posterior of the treatment intercept is OLS's t distribution
    design = np.column_stack([np.ones(3000), x, t, t[:, None] * x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    cov = np.linalg.inv(design.T @ design) * (resid @ resid) / (3000 - 8)
    assert d.mean() == pytest.approx(coef[4], abs=4 * np.sqrt(cov[4, 4] / 40_000) + 1e-4)
    assert d.std() == pytest.approx(np.sqrt(cov[4, 4]), rel=0.03)


def test_qini_band_covers_the_true_rankings_curve_at_its_nominal_rate():
    sims, level = 150, 0.9
    hits, auuc_hits, broken = [], [], []
    for seed in range(sims):
        x, t, y, tau = simulate_uplift(seed)
        d = linear_cate(x, t, y, draws=500, random_seed=10_000 + seed)
        order = np.argsort(-tau, kind="stable")  # the true ranking
        band = curve_band(d, order=order, kind="qini", treatment=t, fractions=FRACTIONS)
        top = np.array([t[order[: int(f * tau.size)]].mean() for f in FRACTIONS])
        truth = true_curve(tau, order, FRACTIONS) * top  # the Qini scale: treated share
        hits.append(band.covers(truth, level))
        lo, hi = np.quantile(band.auuc(), [(1 - level) / 2, (1 + level) / 2])
        auuc_hits.append(lo <= np.trapezoid(truth, FRACTIONS) <= hi)
        # the checker must fail an overconfident posterior (spread cut to a third)
        tight = d.mean(0) + (d - d.mean(0)) / 3
        broken.append(
            curve_band(tight, order=order, kind="qini", treatment=t, fractions=FRACTIONS).covers(
                truth, level
            )
        )
    tolerance = 3 * np.sqrt(level * (1 - level) / sims)  # 3 binomial SEs: 0.073
    coverage = np.mean(hits, axis=0)
    assert np.all(np.abs(coverage - level) < tolerance), coverage
    assert abs(np.mean(auuc_hits) - level) < tolerance
    assert np.all(np.mean(broken, axis=0) < level - 0.3)


def test_posterior_ranking_beats_a_two_model_baseline_on_the_same_data():
    pytest.importorskip("sklearn")
    from sklearn.ensemble import RandomForestClassifier

    ours, theirs = [], []
    for seed in range(4):  # one data set's rank correlation is noisy: average four
        x, t, y, tau = simulate_uplift(seed, n=2000)
        d = linear_cate(x, t, y, draws=500, random_seed=seed)
        ours.append(stats.spearmanr(d.mean(0), tau).statistic)
        # a T-learner, as sklift's TwoModels: one classifier per arm
        fits = [
            RandomForestClassifier(50, min_samples_leaf=20, random_state=seed).fit(
                x[t == a], y[t == a]
            )
            for a in (0, 1)
        ]
        score = fits[1].predict_proba(x)[:, 1] - fits[0].predict_proba(x)[:, 1]
        theirs.append(stats.spearmanr(score, tau).statistic)
    assert np.mean(ours) > 0.6 and np.mean(ours) > np.mean(theirs) + 0.2, (ours, theirs)


def test_rank_table_stability_and_data_band():
    x, t, y, tau = simulate_uplift(3, n=500)
    d = linear_cate(x, t, y, draws=400, random_seed=2)
    table = rank_table(d, top=0.1)
    assert table["p_top"].sum() == pytest.approx(50)  # 50 places in the top 10% per draw
    assert np.all(table["rank_hdi_94%_low"] <= table["rank_mean"])
    stab = ranking_stability(d)
    assert stab.shape == (400,) and np.all((stab > -1) & (stab <= 1))
    np.testing.assert_array_equal(ranking(d), np.argsort(-d.mean(0), kind="stable"))
    band = data_curve_band(y, t, d, kind="qini", max_draws=100)
    assert band.draws.shape == (100, 21) and np.all(band.draws[:, 0] == 0)
    # the full-population point is the same for every ranking
    assert np.ptp(band.draws[:, -1]) < 1e-9
    ax = band.plot(truth=None, others={"zero": np.zeros(21)})
    assert ax.get_xlabel().startswith("fraction")


def test_policy_treats_users_worth_their_cost():
    rng = np.random.default_rng(0)
    d = rng.normal([0.30, 0.12, 0.02, -0.1], 0.03, size=(20_000, 4))
    pol = target_policy(d, cost=0.05, q=0.9)
    assert pol.treat.tolist() == [True, True, False, False]
    table = pol.summary()
    assert table.loc["policy", "expected_gain"] == pytest.approx(0.25 + 0.07, abs=0.002)
    assert table.loc["treat all", "expected_gain"] == pytest.approx(0.34 - 0.2, abs=0.002)
    assert table.loc["policy", "p_best"] > 0.99
    assert pol.text().startswith("Treat the 2 users")


def test_errors():
    d = np.zeros((5, 3))
    with pytest.raises(QueryError, match="order must be a permutation"):
        curve_band(d, order=[0, 0, 1])
    with pytest.raises(QueryError, match="needs treatment"):
        curve_band(d, kind="qini")
    with pytest.raises(QueryError, match="kind must be"):
        curve_band(d, kind="gain")
    with pytest.raises(DataError, match="treatment must be 0/1 with both"):
        uplift_curve([1, 0], [1, 1], [0.1, 0.2])
    with pytest.raises(DataError, match="cate_draws has 3 users, y has 2"):
        data_curve_band([1, 0], [1, 0], d)
