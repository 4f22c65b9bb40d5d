"""Continuous and two-part outcomes: closed forms, refits, draws against marginals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from causalbayes.errors import DataError
from causalbayes.experiments import exact
from causalbayes.experiments.hurdle import hurdle_lognormal, hurdle_lognormal_rows
from causalbayes.experiments.normal import (
    nig_prior,
    normal_inverse_gamma,
    normal_inverse_gamma_rows,
    normal_known_sd,
    normal_known_sd_rows,
)


def test_normal_known_sd_is_the_precision_weighted_average():
    post = normal_known_sd([100, 25], [10.0, 11.0], sigma=2.0, prior_mean=10.5, prior_sd=0.5)
    prec = 1 / 0.25 + np.array([100, 25]) / 4
    np.testing.assert_allclose(post.scale, prec**-0.5)
    np.testing.assert_allclose(post.loc, (10.5 * 4 + np.array([10.0, 11.0]) * [25, 6.25]) / prec)


def test_reference_nig_gives_the_t_interval():
    rng = np.random.default_rng(5)
    y = [rng.normal(20, 5, 40), rng.normal(22, 6, 30)]
    post = normal_inverse_gamma_rows(np.repeat(["A", "B"], [40, 30]), np.concatenate(y))
    for i, g in enumerate(y):
        ours = post.marginal().frozen(i).interval(0.95)
        t = stats.t.interval(0.95, len(g) - 1, loc=g.mean(), scale=stats.sem(g))
        np.testing.assert_allclose(ours, t, rtol=1e-12)


def test_nig_draws_follow_the_student_t_marginal():
    post = normal_inverse_gamma([8, 30], [1.0, 1.4], [0.9, 1.1], prior=nig_prior(1.2, 2, 1.0, 4))
    mean, var = post.draws(200_000, random_seed=2, with_variance=True)
    for i in range(2):
        assert stats.kstest(mean[:, i], post.marginal().frozen(i).cdf).pvalue > 0.001
        assert var[:, i].mean() == pytest.approx(post.beta[i] / (post.alpha[i] - 1), rel=0.02)


@pytest.mark.parametrize("prior", [(0.0, 0.0, -0.5, 0.0), nig_prior(3.0, 5, 2.0, 10)])
def test_nig_update_equals_refit(prior):
    rng = np.random.default_rng(9)
    y = rng.normal(3, 2, (2, 120))
    first = normal_inverse_gamma([50, 50], y[:, :50].mean(1), y[:, :50].std(1, ddof=1), prior=prior)
    rest = y[:, 50:]
    updated = first.update([70, 70], rest.mean(1), rest.std(1, ddof=1))
    whole = normal_inverse_gamma([120, 120], y.mean(1), y.std(1, ddof=1), prior=prior)
    for name in ("mu", "kappa", "alpha", "beta"):
        np.testing.assert_allclose(getattr(updated, name), getattr(whole, name), rtol=1e-12)


def test_known_sd_update_equals_refit_and_rows():
    y = np.array([1.0, 2.0, 4.0, 0.5, 1.5])
    arm = np.array(["A", "A", "B", "B", "B"])
    rows = normal_known_sd_rows(arm, y, sigma=1.5, prior_mean=1.0, prior_sd=2.0)
    step = normal_known_sd([1, 2], [1.0, 2.25], sigma=1.5, prior_mean=1.0, prior_sd=2.0)
    step = step.update([1, 1], [2.0, 1.5])
    np.testing.assert_allclose(rows.loc, step.loc)
    np.testing.assert_allclose(rows.scale, step.scale)


def test_exact_decisions_work_on_t_marginals():
    post = normal_inverse_gamma([12, 15, 9], [5.0, 5.6, 5.2], [1.5, 1.8, 1.2])
    d = post.draws(1_000_000, random_seed=1)
    np.testing.assert_allclose(
        exact.prob_best(post.marginal()), np.bincount(d.argmax(1), minlength=3) / len(d), atol=2e-3
    )
    np.testing.assert_allclose(
        exact.expected_loss(post.marginal()), (d.max(1, keepdims=True) - d).mean(0), atol=2e-3
    )


def test_hurdle_rows_equal_aggregates_and_draws_are_exact_products():
    rng = np.random.default_rng(3)
    arm = np.repeat(["A", "B"], [900, 100])
    buys = rng.binomial(1, np.where(arm == "A", 0.05, 0.08))
    amount = np.where(buys == 1, rng.lognormal(3.0, 0.6, arm.size), 0.0)
    rows = hurdle_lognormal_rows(arm, amount)
    logs = [np.log(amount[(arm == a) & (amount > 0)]) for a in ("A", "B")]
    agg = hurdle_lognormal(
        [900, 100],
        [x.size for x in logs],
        [x.mean() for x in logs],
        [x.std(ddof=1) for x in logs],
    )
    np.testing.assert_allclose(rows.buy.alpha, agg.buy.alpha)
    np.testing.assert_allclose(rows.amount.beta, agg.amount.beta)
    parts = rows.components(50_000, random_seed=8)
    np.testing.assert_allclose(
        parts["revenue_per_visitor"], parts["buy_rate"] * parts["amount_per_buyer"]
    )
    # the buy rate's draws are the Beta posterior's
    assert stats.kstest(parts["buy_rate"][:, 1], rows.buy.marginal().frozen(1).cdf).pvalue > 0.001
    # median revenue per visitor is near the truth (rate x lognormal mean), both arms
    truth = np.array([0.05, 0.08]) * np.exp(3.0 + 0.6**2 / 2)
    lo, hi = np.quantile(parts["revenue_per_visitor"], [0.001, 0.999], axis=0)
    assert np.all((lo < truth) & (truth < hi))
    assert rows.table(random_seed=1).shape == (2, 3)


def test_errors():
    with pytest.raises(DataError, match="at least 2 rows per arm"):
        normal_inverse_gamma([1, 5], [1.0, 2.0], [0.0, 1.0])
    with pytest.raises(DataError, match="amount must be >= 0"):
        hurdle_lognormal_rows(["A", "B"], [-1.0, 2.0])
    with pytest.raises(DataError, match="prior_sd must be finite and > 0"):
        normal_known_sd([5], [1.0], sigma=1.0, prior_sd=0)
    with pytest.raises(DataError, match="arm holds labels"):
        normal_inverse_gamma_rows(["A", "C"], [1.0, 2.0], arms=["A", "B"])
