"""Exact conjugate posteriors: story 2's numbers, integrals against scipy and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import betaln

from causalbayes.errors import ArgumentError, DataError, SpecError
from causalbayes.experiments import exact
from causalbayes.experiments.conjugate import (
    beta_binomial,
    beta_binomial_rows,
    beta_prior,
    gamma_poisson,
    gamma_poisson_rows,
    gamma_prior,
)

STORY2 = [  # (successes, trials, prior, posterior alphas, posterior betas)
    ([120, 150], [1000, 1000], (1, 1), [121, 151], [881, 851]),
    ([120, 150], [1000, 1000], beta_prior(0.10, 100), [130, 160], [970, 940]),
    ([1, 2], [10, 10], (1, 1), [2, 3], [10, 9]),
    ([1, 2], [10, 10], beta_prior(0.10, 100), [11, 12], [99, 98]),
]


def beta_greater_closed_form(a1, b1, a2, b2) -> float:
    """P(X2 > X1), X1 ~ Beta(a1, b1), X2 ~ Beta(a2, b2), a2 whole (Evan Miller's sum)."""
    i = np.arange(int(a2))
    terms = betaln(a1 + i, b1 + b2) - np.log(b2 + i) - betaln(1 + i, b2) - betaln(a1, b1)
    return float(np.exp(terms).sum())


@pytest.mark.parametrize(("s", "t", "prior", "alpha", "beta"), STORY2)
def test_story2_posteriors_are_exact(s, t, prior, alpha, beta):
    post = beta_binomial(s, t, prior=prior, arms=["A", "B"])
    assert post.alpha.tolist() == alpha and post.beta.tolist() == beta


def test_story2_mean_difference():
    post = beta_binomial([120, 150], [1000, 1000])
    assert post.mean()["B"] - post.mean()["A"] == pytest.approx(30 / 1002, abs=1e-15)
    assert round(post.mean()["B"] - post.mean()["A"], 5) == 0.02994


@pytest.mark.parametrize(("s", "t", "prior", "alpha", "beta"), STORY2)
def test_prob_b_beats_a_integration_quad_closed_form_and_monte_carlo(s, t, prior, alpha, beta):
    post = beta_binomial(s, t, prior=prior)
    ours = float(exact.prob_difference_above(post.marginal(), 1, 0))
    a, b = stats.beta(alpha[0], beta[0]), stats.beta(alpha[1], beta[1])
    quad = integrate.quad(lambda x: a.pdf(x) * b.sf(x), 0, 1, limit=200, epsabs=1e-13)[0]
    closed = beta_greater_closed_form(alpha[0], beta[0], alpha[1], beta[1])
    draws = post.draws(4_000_000, random_seed=7)
    mc = np.mean(draws[:, 1] > draws[:, 0])
    assert ours == pytest.approx(quad, abs=1e-9)
    assert ours == pytest.approx(closed, abs=1e-9)
    assert abs(ours - mc) < 1e-3  # MC sd here is at most 2.5e-4


def test_story2_prob_b_beats_a_value():
    post = beta_binomial([120, 150], [1000, 1000])
    assert float(exact.prob_difference_above(post.marginal(), 1, 0)) == pytest.approx(
        0.975068, abs=1e-6
    )


def test_prob_best_among_three_arms_matches_quad_and_sums_to_one():
    post = beta_binomial([120, 150, 140], [1000, 1000, 800], prior=beta_prior(0.12, 50))
    ours = exact.prob_best(post.marginal())
    d = [post.marginal().frozen(i) for i in range(3)]
    for i in range(3):
        others = [d[j] for j in range(3) if j != i]
        f = lambda x, i=i, others=others: d[i].pdf(x) * np.prod([o.cdf(x) for o in others])  # noqa: E731
        assert ours[i] == pytest.approx(
            integrate.quad(f, 0, 1, limit=200, epsabs=1e-13)[0], abs=1e-9
        )
    assert ours.sum() == pytest.approx(1.0, abs=1e-9)
    draws = post.draws(1_000_000, random_seed=3)
    mc = np.bincount(draws.argmax(1), minlength=3) / len(draws)
    np.testing.assert_allclose(ours, mc, atol=2e-3)


def test_expected_loss_matches_monte_carlo_and_lower_is_better():
    post = beta_binomial([120, 150, 140], [1000, 1000, 800])
    draws = post.draws(1_000_000, random_seed=4)
    loss = exact.expected_loss(post.marginal())
    np.testing.assert_allclose(loss, (draws.max(1, keepdims=True) - draws).mean(0), atol=1e-4)
    low = exact.expected_loss(post.marginal(), higher_is_better=False)
    np.testing.assert_allclose(low, (draws - draws.min(1, keepdims=True)).mean(0), atol=1e-4)
    p_low = exact.prob_best(post.marginal(), higher_is_better=False)
    np.testing.assert_allclose(p_low, np.bincount(draws.argmin(1), minlength=3) / 1e6, atol=2e-3)


def test_vectorised_over_leading_axes_equals_one_at_a_time():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(1, 300, (5, 3)), rng.uniform(1, 3000, (5, 3))
    from causalbayes.experiments._arms import Marginal

    batch = exact.prob_best(Marginal(stats.beta, {"a": a, "b": b}))
    for r in range(5):
        one = exact.prob_best(Marginal(stats.beta, {"a": a[r], "b": b[r]}))
        np.testing.assert_allclose(batch[r], one, atol=1e-12)


@pytest.mark.parametrize("prior", [(1, 1), beta_prior(0.1, 100)])
def test_sequential_updates_equal_a_refit_on_all_data(prior):
    rng = np.random.default_rng(11)
    batches = [(rng.binomial(n, [0.1, 0.13]), np.array([n, n])) for n in (50, 200, 13, 400)]
    post = beta_binomial([0, 0], [0, 0], prior=prior)
    for s, t in batches:
        post = post.update(s, t)
    total = beta_binomial(sum(b[0] for b in batches), sum(b[1] for b in batches), prior=prior)
    np.testing.assert_array_equal(post.alpha, total.alpha)
    np.testing.assert_array_equal(post.beta, total.beta)


def test_rows_equal_aggregated_counts_with_unequal_arms():
    rng = np.random.default_rng(2)
    arm = np.repeat(["control", "new"], [900, 100])
    y = rng.binomial(1, np.where(arm == "new", 0.2, 0.1))
    rows = beta_binomial_rows(arm, y, prior=beta_prior(0.1, 100))
    agg = beta_binomial(
        [y[arm == "control"].sum(), y[arm == "new"].sum()], [900, 100], prior=(10, 90)
    )
    assert rows.arms == ("control", "new")
    np.testing.assert_array_equal(rows.alpha, agg.alpha)
    np.testing.assert_array_equal(rows.beta, agg.beta)


def test_gamma_poisson_exact_and_rows():
    post = gamma_poisson([230, 260], [100, 100], prior=gamma_prior(2.0, 10))
    assert post.shape.tolist() == [250, 280] and post.rate.tolist() == [110, 110]
    assert post.mean().tolist() == pytest.approx([250 / 110, 280 / 110])
    rows = gamma_poisson_rows(["A", "B", "A", "B"], [3, 4, 1, 0], exposure=[1, 2, 1, 2])
    assert rows.shape.tolist() == pytest.approx([4.001, 4.001])
    assert rows.rate.tolist() == pytest.approx([2.001, 4.001])
    d = post.draws(200_000, random_seed=1)
    np.testing.assert_allclose(d.mean(0), post.mean(), rtol=2e-3)
    again = gamma_poisson([200, 200], [80, 80], prior=gamma_prior(2.0, 10)).update(
        [30, 60], [20, 20]
    )
    np.testing.assert_allclose(again.shape, post.shape)


def test_errors_name_the_argument_and_the_fix():
    with pytest.raises(DataError, match=r"successes exceed trials in arms \[1\]"):
        beta_binomial([1, 20], [10, 10])
    with pytest.raises(DataError, match="whole numbers >= 0"):
        beta_binomial([1.5, 2], [10, 10])
    with pytest.raises(SpecError, match="prior must be a pair"):
        beta_binomial([1, 2], [10, 10], prior=1)
    with pytest.raises(SpecError, match="finite and > 0"):
        beta_binomial([1, 2], [10, 10], prior=(0, 1))
    with pytest.raises(ArgumentError, match="rate must be strictly between 0 and 1"):
        beta_prior(1.2, 100)
    with pytest.raises(DataError, match="arms has 3 names for 2 arms"):
        beta_binomial([1, 2], [10, 10], arms=["a", "b", "c"])
    with pytest.raises(DataError, match="converted must be 0 or 1"):
        beta_binomial_rows(["A", "B"], [0, 2])
    with pytest.raises(ArgumentError, match="random_seed must be a whole number"):
        beta_binomial([1, 2], [10, 10]).draws(10, random_seed=None)
    with pytest.raises(DataError, match="one count per arm"):
        beta_binomial([1, 2], [10, 10]).update([1], [5])


def test_closed_form_table_and_pair_integrals_vectorised():
    post = beta_binomial([120, 150], [1000, 1000])
    table = post.table(prob=0.9)
    lo, hi = stats.beta(151, 851).interval(0.9)
    assert table.loc["B", "eti_90%_low"] == pytest.approx(lo, rel=1e-12)
    assert table.loc["B", "eti_90%_high"] == pytest.approx(hi, rel=1e-12)
    assert table.loc["A", "sd"] == pytest.approx(stats.beta(121, 881).std(), rel=1e-12)
    from causalbayes.experiments._arms import Marginal

    a = np.array([[121.0, 151.0], [2.0, 3.0]])
    b = np.array([[881.0, 851.0], [10.0, 9.0]])
    probs, best = exact.pair_integrals(Marginal(stats.beta, {"a": a, "b": b}), 1, 0, [0.01])
    assert probs.shape == (2, 2) and best.shape == (2,)
    for r in range(2):
        one = beta_binomial([0, 0], [0, 0], prior=(a[r], b[r])).marginal()
        assert probs[0, r] == pytest.approx(
            float(exact.prob_difference_above(one, 1, 0)), abs=1e-12
        )
        assert probs[1, r] == pytest.approx(
            float(exact.prob_difference_above(one, 1, 0, 0.01)), abs=1e-12
        )
        assert best[r] == pytest.approx(float(exact.expected_best(one)), abs=1e-12)
