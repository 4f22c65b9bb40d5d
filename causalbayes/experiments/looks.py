"""What looking costs: error rates and sample sizes of stopping rules over repeated looks.

Many simulated A/B(/n) tests with known conversion rates, all rules applied to
the same simulated data (common random numbers), vectorised over the tests:
one pass of exact integrals per look.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.experiments._states import BetaGridState
from causalbayes.experiments._validate import arm_labels, rng_from, whole
from causalbayes.experiments.conjugate import _pair
from causalbayes.experiments.stopping import EQUIVALENT, NO_CLAIM


@dataclass(frozen=True)
class LooksSimulation:
    """Per simulated test and rule: when it stopped, what it shipped and claimed.

    Attributes
    ----------
    rates : numpy.ndarray
        True conversion rates (k,).
    arms : tuple of str
    visitors : numpy.ndarray
        Cumulative visitors over all arms at each look (looks,).
    stop_look, choice, claim : dict of numpy.ndarray
        Per rule, shape (sims,): look index of the stop (the last look when it
        never stopped), arm shipped, arm claimed (or -1 none, -2 equivalent).
    """

    rates: np.ndarray
    arms: tuple[str, ...]
    visitors: np.ndarray
    stop_look: dict
    choice: dict
    claim: dict

    def summary(self) -> pd.DataFrame:
        """One row per rule: shares with binomial standard errors, sample sizes, regret."""
        best = self.rates.max()
        strictly = [
            i for i in range(len(self.rates)) if self.rates[i] > np.delete(self.rates, i).max()
        ]
        rows = {}
        for name in self.stop_look:
            claim, choice, look = self.claim[name], self.choice[name], self.stop_look[name]
            n = claim.size
            claimed = claim >= 0
            wrong = claimed & ~np.isin(claim, strictly)  # a winner that is not strictly the best
            visitors = self.visitors[look]
            row = {}
            for label, flag in [
                ("stopped_early", look < self.visitors.size - 1),
                ("claimed_winner", claimed),
                ("wrong_claim", wrong),
                ("claimed_equivalent", claim == EQUIVALENT),
                ("shipped_best", self.rates[choice] == best),
            ]:
                p = flag.mean()
                row[label], row[f"{label}_se"] = p, np.sqrt(p * (1 - p) / n)
            row["mean_visitors"] = visitors.mean()
            row["mean_visitors_se"] = visitors.std(ddof=1) / np.sqrt(n)
            row["mean_regret"] = (best - self.rates[choice]).mean()
            rows[name] = row
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("rule")

    def plot(self, *, ax=None, nominal: float = 0.05):
        """Share of tests that have claimed a winner by each look, per rule; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        for name in self.stop_look:
            claimed = self.claim[name] >= 0
            by_look = [
                np.mean(claimed & (self.stop_look[name] <= i)) for i in range(self.visitors.size)
            ]
            ax.step(self.visitors, by_look, where="post", label=name)
        ax.axhline(nominal, color="grey", ls="--", lw=0.8, label=f"{nominal:.0%}")
        ax.set_xlabel("visitors so far (all arms)")
        ax.set_ylabel("share of tests that claimed a winner")
        rates = ", ".join(f"{a}={r:g}" for a, r in zip(self.arms, self.rates, strict=True))
        ax.set_title(f"Looking while the test runs (true rates {rates})")
        ax.legend()
        return ax


def simulate_looks(
    rates,
    rules: dict,
    *,
    visitors_per_look: int,
    looks: int,
    sims: int = 2000,
    allocation=None,
    prior=(1.0, 1.0),
    arms=None,
    random_seed,
) -> LooksSimulation:
    """Simulate ``sims`` tests with true ``rates`` and apply each rule at every look.

    Parameters
    ----------
    rates : array_like
        True conversion rate of each arm.
    rules : dict
        Name -> rule (``LossRule``, ``RopeRule``, ``PeekRule``, ``FixedHorizon``).
    visitors_per_look : int
        Visitors over all arms between two looks, split by ``allocation``.
    looks : int
        Number of looks; the last is the planned horizon.
    sims : int
        Number of simulated tests.
    allocation : array_like, optional
        Traffic share of each arm (default equal), e.g. ``[0.9, 0.1]``.
    prior : (a, b)
        Beta prior of every arm.
    random_seed : int or numpy.random.Generator

    Examples
    --------
    >>> from causalbayes.experiments.stopping import FixedHorizon, PeekRule
    >>> sim = simulate_looks([0.1, 0.1], {"peek": PeekRule(), "fixed": FixedHorizon()},
    ...                      visitors_per_look=200, looks=10, sims=300, random_seed=1)
    >>> sim.summary()["wrong_claim"].round(2).to_dict()
    {'peek': 0.33, 'fixed': 0.06}
    """
    rates = np.asarray(rates, dtype=float)
    if rates.ndim != 1 or rates.size < 2 or np.any((rates <= 0) | (rates >= 1)):
        raise QueryError(f"rates must be >= 2 conversion rates in (0, 1), got {rates.tolist()}")
    k, labels = rates.size, arm_labels(arms, rates.size)
    share = np.full(k, 1 / k) if allocation is None else np.asarray(allocation, dtype=float)
    if share.shape != (k,) or np.any(share <= 0) or not np.isclose(share.sum(), 1):
        raise QueryError(f"allocation must be {k} positive shares summing to 1, got {allocation!r}")
    if not rules or not all(hasattr(r, "look") for r in rules.values()):
        raise QueryError("rules must map names to stopping rules (LossRule, RopeRule, ...)")
    looks, sims = whole("looks", looks), whole("sims", sims)
    per_arm = np.maximum(np.round(whole("visitors_per_look", visitors_per_look) * share), 1)
    a0, b0 = _pair("prior", prior, k)
    if np.any(a0 < 1) or np.any(b0 < 1):
        raise QueryError(f"prior must have a, b >= 1 here (bounded densities), got {prior!r}")
    rng = rng_from(random_seed)
    conversions = rng.binomial(per_arm.astype(np.int64), rates, size=(sims, looks, k)).cumsum(1)
    trials = per_arm * np.arange(1, looks + 1)[:, None]  # (looks, k)
    stop_look = {name: np.full(sims, looks - 1) for name in rules}
    choice = {name: np.zeros(sims, dtype=int) for name in rules}
    claim = {name: np.full(sims, NO_CLAIM) for name in rules}
    open_ = {name: np.ones(sims, dtype=bool) for name in rules}
    for look in range(looks):
        s = conversions[:, look]
        state = BetaGridState(a0 + s, b0 + trials[look] - s)  # shared by the rules
        final = look == looks - 1
        for name, rule in rules.items():
            out = rule.look(state, final=final)
            now = open_[name] & (np.asarray(out.stop) | final)
            stop_look[name][now] = look
            choice[name][now] = np.asarray(out.choice)[now]
            claim[name][now] = np.asarray(out.claim)[now]
            open_[name] &= ~now
    visitors = trials.sum(1)
    return LooksSimulation(rates, labels, visitors, stop_look, choice, claim)
