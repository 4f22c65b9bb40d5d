"""Decisions over draws of k arms: exact and Monte Carlo agree, ROPE rules, verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from causalbayes.errors import DataError, QueryError
from causalbayes.experiments.conjugate import beta_binomial
from causalbayes.experiments.decisions import compare_draws
from causalbayes.experiments.normal import normal_inverse_gamma
from causalbayes.experiments.summaries import hdi
from causalbayes.experiments.verdicts import rope_decision


def test_hdi_equals_arviz():
    az = pytest.importorskip("arviz")
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.gamma(2.0, size=5001), rng.beta(2, 30, size=5001)])
    ours = hdi(x, 0.9)
    for j in range(2):
        np.testing.assert_array_equal(ours[:, j], az.hdi(x[:, j], hdi_prob=0.9))


def test_exact_and_draw_based_tables_agree_within_monte_carlo_error():
    post = beta_binomial([120, 150, 140], [1000, 1000, 800], arms=["A", "B", "C"])
    draws = post.draws(400_000, random_seed=1)
    mc = compare_draws(draws, rope=0.005, pairs="all")
    ex = compare_draws(draws, rope=0.005, pairs="all", marginal=post.marginal())
    assert ex.settings["method"] == "exact" and mc.settings["method"] == "draws"
    np.testing.assert_allclose(ex.arms["p_best"], mc.arms["p_best"], atol=3e-3)
    np.testing.assert_allclose(ex.arms["expected_loss"], mc.arms["expected_loss"], atol=2e-4)
    for col in ("p_better", "p_in_rope"):
        np.testing.assert_allclose(ex.pairs[col], mc.pairs[col], atol=3e-3)
    for col in ("loss_switching", "loss_staying"):
        np.testing.assert_allclose(ex.pairs[col], mc.pairs[col], atol=2e-4)
    assert ex.choice == mc.choice == "C"
    assert list(ex.pairs.index) == ["B - A", "C - A", "C - B"]


def test_story2_table_and_verdict():
    post = beta_binomial([120, 150], [1000, 1000])
    cmp = compare_draws(post.draws(100_000, random_seed=2), marginal=post.marginal(), rope=0.005)
    row = cmp.pairs.loc["B - A"]
    assert row["lift"] == pytest.approx(30 / 1002, abs=3e-4)  # draws' mean: MC sd ~5e-5
    assert row["p_better"] == pytest.approx(0.975068, abs=1e-6)
    assert row["relative_lift"] == pytest.approx(0.2565, abs=5e-3)
    assert row["decision"] == "undecided"  # the HDI reaches into the +-0.005 ROPE
    assert cmp.choice == "B"
    assert cmp.verdict.startswith("Choose B: it has the lowest expected loss")
    assert "P(B better than A) = 97.5%" in cmp.verdict and "undecided" in cmp.verdict


def test_rope_decisions_cover_every_case():
    rope = (-0.01, 0.01)
    assert rope_decision(0.02, 0.05, rope) == "better"
    assert rope_decision(-0.05, -0.02, rope) == "worse"
    assert rope_decision(-0.05, -0.02, rope, sign=-1) == "better"
    assert rope_decision(-0.005, 0.009, rope) == "equivalent"
    assert rope_decision(-0.02, 0.005, rope) == "undecided"


def test_equivalent_arms_say_so_and_lower_is_better_flips_the_choice():
    post = beta_binomial([10_000, 10_050], [100_000, 100_000])
    cmp = compare_draws(post.draws(50_000, random_seed=3), rope=0.005, marginal=post.marginal())
    assert cmp.pairs.loc["B - A", "decision"] == "equivalent"
    assert "practically equivalent" in cmp.verdict
    churn = beta_binomial([300, 200], [1000, 1000])
    low = compare_draws(churn.draws(50_000, random_seed=4), higher_is_better=False, rope=0.01)
    assert low.choice == "B" and low.pairs.loc["B - A", "decision"] == "better"
    assert low.pairs.loc["B - A", "p_better"] > 0.999


def test_relative_lift_is_undefined_for_a_reference_that_can_be_negative():
    post = normal_inverse_gamma([20, 20], [0.1, 0.5], [1.0, 1.0])
    cmp = compare_draws(post.draws(10_000, random_seed=5), marginal=post.marginal())
    assert np.isnan(cmp.pairs.loc["B - A", "relative_lift"])
    assert "relative" not in cmp.verdict


def test_unequal_arms_and_reference_by_name():
    post = beta_binomial([90, 10], [900, 100], arms=["control", "new"])
    cmp = compare_draws(post.draws(20_000, random_seed=6), arms=post.arms, reference="control")
    assert list(cmp.pairs.index) == ["new - control"]
    # the small arm is the uncertain one: its interval is about 3 times wider
    width = cmp.arms["hdi_94%_high"] - cmp.arms["hdi_94%_low"]
    assert 2.5 < width["new"] / width["control"] < 3.5


def test_errors():
    d = np.zeros((10, 2))
    with pytest.raises(QueryError, match="reference='Z' is not an arm"):
        compare_draws(d, reference="Z")
    with pytest.raises(QueryError, match="rope must be"):
        compare_draws(d, rope=(0.1, -0.1))
    with pytest.raises(QueryError, match="pairs must be"):
        compare_draws(d, pairs="some")
    with pytest.raises(DataError, match="shaped \\(draws, columns\\)"):
        compare_draws(np.zeros(10))
    with pytest.raises(DataError, match="non-finite"):
        compare_draws(np.full((3, 2), np.nan))


def test_exact_pairs_for_lower_is_better_match_monte_carlo():
    post = beta_binomial([300, 260, 280], [1000, 1000, 900])  # churn: lower is better
    draws = post.draws(400_000, random_seed=8)
    kw = dict(higher_is_better=False, rope=0.01, pairs="all")
    ex = compare_draws(draws, marginal=post.marginal(), **kw)
    mc = compare_draws(draws, **kw)
    for col in ("p_better", "p_in_rope"):
        np.testing.assert_allclose(ex.pairs[col], mc.pairs[col], atol=3e-3)
    for col in ("loss_switching", "loss_staying"):
        np.testing.assert_allclose(ex.pairs[col], mc.pairs[col], atol=2e-4)
    np.testing.assert_allclose(ex.arms["expected_loss"], mc.arms["expected_loss"], atol=2e-4)
    assert ex.choice == mc.choice == "B"


@pytest.mark.parametrize("kind", ["gamma", "nig", "hurdle"])
def test_compare_posterior_serves_every_conjugate_family(kind):
    from causalbayes.experiments.conjugate import gamma_poisson
    from causalbayes.experiments.decisions import compare_posterior
    from causalbayes.experiments.hurdle import hurdle_lognormal

    post = {
        "gamma": lambda: gamma_poisson([230, 290], [100, 100]),
        "nig": lambda: normal_inverse_gamma([40, 40], [20.0, 23.0], [5.0, 5.0]),
        "hurdle": lambda: hurdle_lognormal([1000, 1000], [50, 80], [3.0, 3.0], [0.5, 0.5]),
    }[kind]()
    cmp = compare_posterior(post, draws=50_000, random_seed=1, rope=0.1)
    assert cmp.settings["method"] == ("draws" if kind == "hurdle" else "exact")
    assert cmp.choice == "B" and cmp.pairs.loc["B - A", "p_better"] > 0.95
    assert cmp.arms["p_best"].sum() == pytest.approx(1.0, abs=1e-6)
