"""Adaptive allocation: Thompson sampling beats epsilon-greedy and a fixed split on regret."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from causalbayes.errors import ArgumentError, DataError, QueryError
from causalbayes.experiments.bandit_sim import simulate_bandits, simulate_contextual
from causalbayes.experiments.bandits import (
    LinearThompson,
    epsilon_greedy_choice,
    thompson_choice,
)

matplotlib.use("Agg")

STANDARD = [0.1, 0.2, 0.3, 0.4, 0.5]  # the textbook five-arm Bernoulli bandit


def test_thompson_regret_is_below_epsilon_greedy_and_fixed_split():
    sim = simulate_bandits(STANDARD, horizon=1000, runs=200, random_seed=1)
    table = sim.summary()
    final = {name: reg[:, -1] for name, reg in sim.regret.items()}
    for other in ("epsilon-greedy", "fixed split"):
        diff = final[other] - final["thompson"]  # paired: the policies share the rewards
        se = diff.std(ddof=1) / np.sqrt(diff.size)
        assert diff.mean() > 3 * se, (other, diff.mean(), se)
    assert table.loc["fixed split", "regret"] == pytest.approx(200.0)  # (0.5 - 0.3) * 1000
    assert table.loc["thompson", "p_best_at_end"] >= table.loc["epsilon-greedy", "p_best_at_end"]
    assert table.loc["thompson", "share_on_best"] > 0.7
    assert table["regret_se"].loc["thompson"] > 0


def test_thompson_choice_follows_the_posterior_probability_to_be_best():
    rng = np.random.default_rng(0)
    alpha, beta = np.array([[13.0, 16.0]]), np.array([[90.0, 88.0]])
    picks = thompson_choice(np.repeat(alpha, 200_000, 0), np.repeat(beta, 200_000, 0), rng)
    from scipy import stats

    from causalbayes.experiments._arms import Marginal
    from causalbayes.experiments.exact import prob_best

    exact = prob_best(Marginal(stats.beta, {"a": alpha[0], "b": beta[0]}))
    assert picks.mean() == pytest.approx(exact[1], abs=4e-3)  # probability matching


def test_epsilon_greedy_tries_every_arm_then_exploits():
    rng = np.random.default_rng(1)
    arm = epsilon_greedy_choice(np.array([[5, 0, 0]]), np.array([[10, 0, 3]]), 0.0, rng)
    assert arm.tolist() == [1]  # the untried arm first
    many = epsilon_greedy_choice(
        np.tile([[1, 9]], (10_000, 1)), np.tile([[10, 10]], (10_000, 1)), 0.2, rng
    )
    assert np.mean(many == 0) == pytest.approx(0.1, abs=0.01)  # half of the 20% explorations


def test_linear_thompson_updates_are_the_exact_regression_posterior():
    rng = np.random.default_rng(2)
    x = np.column_stack([np.ones(300), rng.uniform(-1, 1, 300)])
    arm = rng.integers(0, 2, 300)
    r = rng.binomial(1, 0.3 + 0.2 * x[:, 1] * (arm == 1))
    state = LinearThompson.start(2, 2, prior_var=4.0)
    for i in range(300):
        state = state.update(arm[i], x[i], r[i])
    for a in (0, 1):
        xa, ra = x[arm == a], r[arm == a]
        ridge = np.linalg.solve(np.eye(2) / 4.0 + xa.T @ xa, xa.T @ ra)
        np.testing.assert_allclose(state.mean()[a], ridge, rtol=1e-10)


def test_context_pays_when_the_best_arm_depends_on_it():
    out = simulate_contextual([[0.3, 0.2], [0.3, -0.2]], horizon=600, runs=40, random_seed=3)
    (lin, lin_se), (plain, plain_se) = out["linear thompson"], out["thompson"]
    assert plain - lin > 3 * np.hypot(lin_se, plain_se)


def test_same_seed_same_runs_and_plot():
    a = simulate_bandits([0.2, 0.3], horizon=100, runs=20, random_seed=5)
    b = simulate_bandits([0.2, 0.3], horizon=100, runs=20, random_seed=5)
    np.testing.assert_array_equal(a.regret["thompson"], b.regret["thompson"])
    ax = a.plot()
    assert len(ax.get_lines()) == 3 and ax.get_xlabel() == "visitors"


def test_errors():
    with pytest.raises(DataError, match="rates must be >= 2 probabilities"):
        simulate_bandits([0.1], horizon=10, random_seed=0)
    with pytest.raises(QueryError, match="policies must be among"):
        simulate_bandits([0.1, 0.2], horizon=10, policies=["ucb"], random_seed=0)
    with pytest.raises(ArgumentError, match="epsilon must be between 0 and 1"):
        simulate_bandits([0.1, 0.2], horizon=10, epsilon=2, random_seed=0)
    with pytest.raises(DataError, match="context needs 2 values"):
        LinearThompson.start(2, 2).choose(np.ones(3), np.random.default_rng(0))
