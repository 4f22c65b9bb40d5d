"""Two-part outcomes (buys x amount): exact posteriors of revenue per visitor.

Whether a visitor buys is Bernoulli (Beta posterior per arm); a buyer's amount
is LogNormal, with a Normal-Inverse-Gamma posterior on the log amounts. The two
parts are independent a posteriori, so exact draws of revenue per visitor are
``p * exp(mu + var / 2)``, a buyer's mean amount times the buying rate.

The posterior mean of ``exp(var / 2)`` under an inverse-gamma is infinite in
theory (its far right tail); draws, medians and intervals are unaffected in
practice, but with a handful of buyers per arm prefer medians to means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.errors import DataError
from causalbayes.experiments._arms import group_rows
from causalbayes.experiments._validate import rng_from, whole
from causalbayes.experiments.conjugate import BetaArms, beta_binomial
from causalbayes.experiments.normal import REFERENCE, NIGArms, normal_inverse_gamma


@dataclass(frozen=True)
class HurdleArms:
    """Exact posterior of a buys x amount outcome per arm.

    Attributes
    ----------
    buy : BetaArms
        Buying rate per arm.
    amount : NIGArms
        Mean and variance of the log amount of a buyer, per arm.
    """

    buy: BetaArms
    amount: NIGArms

    @property
    def arms(self) -> tuple[str, ...]:
        return self.buy.arms

    @property
    def k(self) -> int:
        return len(self.arms)

    def components(self, n: int = 20_000, *, random_seed) -> dict[str, np.ndarray]:
        """Exact draws (n, k) of the buying rate, a buyer's mean amount and revenue per visitor."""
        n, rng = whole("n", n, minimum=2), rng_from(random_seed)
        p = self.buy.draws(n, random_seed=rng)
        mu, var = self.amount.draws(n, random_seed=rng, with_variance=True)
        spend = np.exp(mu + var / 2)
        return {"buy_rate": p, "amount_per_buyer": spend, "revenue_per_visitor": p * spend}

    def draws(self, n: int = 20_000, *, random_seed) -> np.ndarray:
        """Exact draws of revenue per visitor, shape (n, k).

        Examples
        --------
        >>> post = hurdle_lognormal([100, 100], [10, 20], [3.0, 3.0], [0.5, 0.5])
        >>> post.draws(4000, random_seed=1).mean(axis=0).round(1).tolist()
        [2.6, 4.8]
        """
        return self.components(n, random_seed=random_seed)["revenue_per_visitor"]

    def table(self, n: int = 20_000, *, random_seed) -> pd.DataFrame:
        """Posterior medians of each part per arm (medians: see the module note on means)."""
        parts = self.components(n, random_seed=random_seed)
        return pd.DataFrame(
            {name: np.median(x, axis=0) for name, x in parts.items()},
            index=pd.Index(self.arms, name="arm"),
        )

    def update(self, visitors, buyers, log_mean, log_sd) -> HurdleArms:
        """The posterior after a batch (visitors, buyers and their log amounts' mean and sd)."""
        return HurdleArms(
            self.buy.update(buyers, visitors), self.amount.update(buyers, log_mean, log_sd)
        )


def hurdle_lognormal(
    visitors, buyers, log_mean, log_sd, *, buy_prior=(1.0, 1.0), amount_prior=REFERENCE, arms=None
) -> HurdleArms:
    """Exact hurdle posteriors from aggregated input per arm.

    Parameters
    ----------
    visitors, buyers : array_like of int
        Visitors and buyers per arm.
    log_mean, log_sd : array_like of float
        Mean and sd (``ddof=1``) of the buyers' log amounts per arm.
    buy_prior : (a, b)
        Beta prior of the buying rate (``beta_prior(rate, weight)``).
    amount_prior : (mu, kappa, alpha, beta)
        NIG prior on log amounts (``nig_prior``); the reference prior by default,
        which needs at least two buyers per arm.

    Examples
    --------
    >>> post = hurdle_lognormal([1000, 100], [50, 8], [3.0, 3.2], [0.6, 0.5], arms=["A", "B"])
    >>> post.buy.alpha.tolist(), post.amount.mu.tolist()
    ([51.0, 9.0], [3.0, 3.2])
    """
    buy = beta_binomial(buyers, visitors, prior=buy_prior, arms=arms)
    amount = normal_inverse_gamma(buyers, log_mean, log_sd, prior=amount_prior, arms=buy.arms)
    return HurdleArms(buy, amount)


def hurdle_lognormal_rows(
    arm, amount, *, buy_prior=(1.0, 1.0), amount_prior=REFERENCE, arms=None
) -> HurdleArms:
    """Exact hurdle posteriors from one row per visitor: arm label and amount (0: no purchase).

    Examples
    --------
    >>> rows = hurdle_lognormal_rows(["A"] * 4 + ["B"] * 4, [0, 0, 10.0, 20.0, 0, 5.0, 5.0, 20.0])
    >>> rows.buy.alpha.tolist(), rows.amount.kappa.tolist()
    ([3.0, 4.0], [2.0, 3.0])
    """
    labels, groups = group_rows(arm, amount, arms)
    for a, g in zip(labels, groups, strict=True):
        if np.any(g < 0):
            raise DataError(f"amount must be >= 0 (0: no purchase); arm {a!r} has negative values")
    logs = [np.log(g[g > 0]) for g in groups]
    return hurdle_lognormal(
        [g.size for g in groups],
        [x.size for x in logs],
        [x.mean() if x.size else 0.0 for x in logs],
        [x.std(ddof=1) if x.size > 1 else 0.0 for x in logs],
        buy_prior=buy_prior,
        amount_prior=amount_prior,
        arms=labels,
    )
