"""Simulated Bernoulli bandits: Thompson sampling against epsilon-greedy and a fixed split.

All runs advance together (vectorised over runs); at each step every arm's
potential reward is drawn once and shared by the policies (common random
numbers), so differences between policies are not drowned in noise.
Regret is the pseudo-regret ``sum_t (max rate - rate of the arm played)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.experiments._validate import rng_from, whole
from causalbayes.experiments.bandits import (
    LinearThompson,
    check_epsilon,
    check_rates,
    epsilon_greedy_choice,
    thompson_choice,
)
from causalbayes.experiments.conjugate import _pair

POLICIES = ("thompson", "epsilon-greedy", "fixed split")


@dataclass(frozen=True)
class BanditSimulation:
    """Per policy: cumulative regret (runs, horizon), pulls (runs, arms), final pick (runs,)."""

    rates: np.ndarray
    regret: dict
    pulls: dict
    final: dict

    def summary(self) -> pd.DataFrame:
        """Mean final regret, P(ending on the best arm), share of pulls on it; with SEs."""
        best = np.flatnonzero(self.rates == self.rates.max())
        rows = {}
        for name, reg in self.regret.items():
            runs = reg.shape[0]
            on_best = np.isin(self.final[name], best)
            pulls_best = self.pulls[name][:, best].sum(1) / self.pulls[name].sum(1)
            rows[name] = {
                "regret": reg[:, -1].mean(),
                "regret_se": reg[:, -1].std(ddof=1) / np.sqrt(runs),
                "p_best_at_end": on_best.mean(),
                "p_best_at_end_se": np.sqrt(on_best.mean() * (1 - on_best.mean()) / runs),
                "share_on_best": pulls_best.mean(),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("policy")

    def plot(self, *, ax=None):
        """Mean cumulative regret with +-2 standard errors per policy; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        for name, reg in self.regret.items():
            steps = np.arange(1, reg.shape[1] + 1)
            mean, se = reg.mean(0), reg.std(0, ddof=1) / np.sqrt(reg.shape[0])
            line = ax.plot(steps, mean, label=name)[0]
            ax.fill_between(steps, mean - 2 * se, mean + 2 * se, color=line.get_color(), alpha=0.2)
        ax.set_xlabel("visitors")
        ax.set_ylabel("cumulative regret (conversions lost)")
        ax.set_title(f"Bernoulli bandit, rates {np.round(self.rates, 4).tolist()}")
        ax.legend()
        return ax


def simulate_bandits(
    rates,
    *,
    horizon: int,
    runs: int = 200,
    policies=POLICIES,
    epsilon: float = 0.1,
    prior=(1.0, 1.0),
    random_seed,
) -> BanditSimulation:
    """Play ``runs`` bandits of ``horizon`` visitors with each policy.

    Parameters
    ----------
    rates : array_like
        True conversion rate of each arm.
    policies : sequence of str
        Among ``"thompson"``, ``"epsilon-greedy"``, ``"fixed split"`` (round robin).
    epsilon : float
        Exploration share of epsilon-greedy.
    prior : (a, b)
        Thompson sampling's Beta prior of every arm.

    Examples
    --------
    >>> sim = simulate_bandits([0.1, 0.12], horizon=500, runs=50, random_seed=1)
    >>> sim.summary().loc["thompson", "regret"] < sim.summary().loc["fixed split", "regret"]
    np.True_
    """
    rates, eps = check_rates(rates), check_epsilon(epsilon)
    horizon, runs = whole("horizon", horizon), whole("runs", runs)
    unknown = set(policies) - set(POLICIES)
    if unknown or not policies:
        raise QueryError(f"policies must be among {list(POLICIES)}, got {list(policies)}")
    rng, k = rng_from(random_seed), rates.size
    a0, b0 = _pair("prior", prior, rates.size)
    wins = {p: np.zeros((runs, k)) for p in policies}
    pulls = {p: np.zeros((runs, k)) for p in policies}
    regret = {p: np.empty((runs, horizon)) for p in policies}
    lost, rows = {p: np.zeros(runs) for p in policies}, np.arange(runs)
    for step in range(horizon):
        potential = rng.random((runs, k)) < rates  # every arm's reward this step, shared
        for p in policies:
            if p == "thompson":
                arm = thompson_choice(a0 + wins[p], b0 + pulls[p] - wins[p], rng)
            elif p == "epsilon-greedy":
                arm = epsilon_greedy_choice(wins[p], pulls[p], eps, rng)
            else:
                arm = np.full(runs, step % k)
            wins[p][rows, arm] += potential[rows, arm]
            pulls[p][rows, arm] += 1
            lost[p] += rates.max() - rates[arm]
            regret[p][:, step] = lost[p]
    final = {}
    for p in policies:  # what each would ship: the best posterior / empirical mean
        mean = (
            (a0 + wins[p]) / (a0 + b0 + pulls[p])
            if p == "thompson"
            else wins[p] / np.maximum(pulls[p], 1)
        )
        final[p] = mean.argmax(1)
    return BanditSimulation(rates, regret, pulls, final)


def simulate_contextual(
    weights, *, horizon: int, runs: int = 100, noise: float = 0.5, random_seed
) -> dict:
    """Linear Thompson sampling with context against context-free Thompson sampling.

    Each visitor has a context ``x = (1, u)``, ``u ~ Uniform(-1, 1)^(d-1)``; arm a
    converts with probability ``clip(x' weights[a], 0, 1)``. Returns the mean and
    standard error of the final regret of each policy.

    Examples
    --------
    >>> out = simulate_contextual([[0.3, 0.2], [0.3, -0.2]], horizon=300, runs=20, random_seed=0)
    >>> out["linear thompson"][0] < out["thompson"][0]
    np.True_
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] < 2:
        raise QueryError(f"weights must be (arms, d) with >= 2 arms, got shape {w.shape}")
    horizon, runs = whole("horizon", horizon), whole("runs", runs)
    rng, (k, d) = rng_from(random_seed), w.shape
    lin = LinearThompson.start(k, d, runs=(runs,), noise=noise)
    wins, pulls = np.zeros((runs, k)), np.zeros((runs, k))
    lost = {"linear thompson": np.zeros(runs), "thompson": np.zeros(runs)}
    rows = np.arange(runs)
    for _ in range(horizon):
        x = np.column_stack([np.ones(runs), rng.uniform(-1, 1, (runs, d - 1))])
        p = np.clip(x @ w.T, 0, 1)  # (runs, arms)
        potential = rng.random((runs, k)) < p
        arm = lin.choose(x, rng)
        lin = lin.update(arm, x, potential[rows, arm])
        lost["linear thompson"] += p.max(1) - p[rows, arm]
        arm = thompson_choice(1 + wins, 1 + pulls - wins, rng)
        wins[rows, arm] += potential[rows, arm]
        pulls[rows, arm] += 1
        lost["thompson"] += p.max(1) - p[rows, arm]
    return {name: (v.mean(), v.std(ddof=1) / np.sqrt(runs)) for name, v in lost.items()}
