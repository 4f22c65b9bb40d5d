"""Looking while the test runs: stopping rules, the fast grid against exact integrals, error rates."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from scipy import stats

from causalbayes.errors import ArgumentError, QueryError
from causalbayes.experiments._arms import Marginal
from causalbayes.experiments._states import BetaGridState, ExactState
from causalbayes.experiments.conjugate import beta_binomial
from causalbayes.experiments.looks import simulate_looks
from causalbayes.experiments.stopping import (
    FixedHorizon,
    LossRule,
    PeekRule,
    RopeRule,
    StopCheck,
    check,
)

matplotlib.use("Agg")

RULES = {
    "peek": PeekRule(0.95),
    "fixed": FixedHorizon(0.95),
    "loss": LossRule(0.001),
    "rope": RopeRule(0.01),
}


@pytest.mark.parametrize("k", [2, 3])
def test_grid_state_matches_exact_integrals(k):
    rng = np.random.default_rng(k)
    scale = rng.choice([1, 10, 100], size=(400, 1))
    a = rng.integers(1, 60, (400, k)) * scale * 1.0
    b = rng.integers(40, 600, (400, k)) * scale * 1.0
    a[:20], b[:20] = a[:20, :1], b[:20, :1]  # identical arms
    grid, ex = BetaGridState(a, b), ExactState(Marginal(stats.beta, {"a": a, "b": b}))
    np.testing.assert_allclose(grid.p_best, ex.p_best, atol=5e-4)
    np.testing.assert_allclose(grid.loss, ex.loss, atol=1e-6)
    np.testing.assert_allclose(grid.prob_above(1, 0, 0.01), ex.prob_above(1, 0, 0.01), atol=5e-5)
    np.testing.assert_allclose(grid.p_best[:20], 1 / k, atol=1e-6)


def test_check_one_test_story2():
    post = beta_binomial([120, 150], [1000, 1000])
    assert check(post, LossRule(0.001)) == StopCheck(
        True, "B", None, "stop: the lowest expected loss is below 0.001; ship B"
    )
    assert check(post, PeekRule(0.95)).claim == "B"
    assert check(post, PeekRule(0.99)).stop is False
    assert check(post, FixedHorizon()).stop is False
    assert check(post, FixedHorizon(), final=True).claim == "B"
    big = beta_binomial([10_000, 10_020], [100_000, 100_000])
    assert check(big, RopeRule(0.005)).claim == "equivalent"


def test_peeking_inflates_false_winners_and_the_fixed_horizon_does_not():
    sim = simulate_looks(
        [0.1, 0.1], RULES, visitors_per_look=500, looks=10, sims=800, random_seed=3
    )
    table = sim.summary()
    fixed, peek = table.loc["fixed"], table.loc["peek"]
    # with P(best) > 0.95 on either arm, the fixed horizon is a two-sided 10% test
    assert abs(fixed["wrong_claim"] - 0.10) < 4 * fixed["wrong_claim_se"]
    assert peek["wrong_claim"] > fixed["wrong_claim"] + 0.12
    assert table.loc["loss", "claimed_winner"] == 0  # the loss rule claims nothing
    assert (table["shipped_best"] == 1).all()  # equal arms: any choice is the best
    assert table.loc["fixed", "mean_visitors"] == 5000
    assert table.loc["loss", "mean_visitors"] < table.loc["peek", "mean_visitors"]


def test_rules_under_a_real_difference_with_unequal_traffic():
    sim = simulate_looks(
        [0.10, 0.13],
        RULES,
        visitors_per_look=1000,
        looks=10,
        sims=500,
        allocation=[0.9, 0.1],
        arms=["control", "new"],
        random_seed=4,
    )
    table = sim.summary()
    assert table.loc["fixed", "claimed_winner"] > 0.5  # power with 1000 on the new arm
    assert table.loc["peek", "wrong_claim"] < 0.1
    # expected loss below 0.001 at the stop: what is lost on average stays of that order
    assert table.loc["loss", "mean_regret"] < 0.002
    assert table.loc["loss", "stopped_early"] > 0.5
    ax = sim.plot()
    assert len(ax.get_lines()) == len(RULES) + 1
    assert "control=0.1" in ax.get_title()


def test_same_seed_same_result_and_rules_share_the_data():
    kw = dict(visitors_per_look=300, looks=5, sims=200, random_seed=9)
    one = simulate_looks([0.1, 0.12], {"peek": PeekRule()}, **kw)
    two = simulate_looks([0.1, 0.12], {"peek": PeekRule(), "loss": LossRule(0.002)}, **kw)
    np.testing.assert_array_equal(one.stop_look["peek"], two.stop_look["peek"])
    np.testing.assert_array_equal(one.claim["peek"], two.claim["peek"])


def test_errors():
    kw = dict(visitors_per_look=100, looks=3, sims=10, random_seed=1)
    with pytest.raises(QueryError, match="rates must be"):
        simulate_looks([0.1], RULES, **kw)
    with pytest.raises(QueryError, match="allocation must be 2 positive shares"):
        simulate_looks([0.1, 0.2], RULES, allocation=[0.5, 0.6], **kw)
    with pytest.raises(QueryError, match="RopeRule compares two arms"):
        simulate_looks([0.1, 0.2, 0.3], {"rope": RopeRule(0.01)}, **kw)
    with pytest.raises(QueryError, match="rules must map names"):
        simulate_looks([0.1, 0.2], {"x": 1}, **kw)
    with pytest.raises(QueryError, match="a, b >= 1"):
        simulate_looks([0.1, 0.2], RULES, prior=(0.5, 0.5), **kw)
    with pytest.raises(ArgumentError, match="threshold must be a finite number > 0"):
        LossRule(-1)
    with pytest.raises(ArgumentError, match="looks must be a whole number"):
        simulate_looks([0.1, 0.2], RULES, visitors_per_look=100, looks=0, sims=5, random_seed=1)
