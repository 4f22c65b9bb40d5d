"""Whom to treat: the policy "treat if P(uplift > cost) > q", its value and its uncertainty."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.experiments._validate import draws_matrix, probability
from causalbayes.experiments.summaries import hdi, hdi_label


@dataclass(frozen=True)
class TargetingPolicy:
    """A targeting rule and the posterior of its value against treating everyone or no one.

    Attributes
    ----------
    treat : numpy.ndarray
        Bool per user: treated by the policy.
    p_worth_it : numpy.ndarray
        Per user, ``P(uplift > cost)``.
    values : dict of numpy.ndarray
        Draws of the total net gain ``sum over treated users of (uplift - cost)``
        for ``"policy"``, ``"treat all"`` and ``"treat none"`` (0).
    cost, q : float
    """

    treat: np.ndarray
    p_worth_it: np.ndarray
    values: dict
    cost: float
    q: float

    def summary(self, *, hdi_prob: float = 0.94) -> pd.DataFrame:
        """Users treated, expected net gain with HDI, P(gain > 0), P(best of the three)."""
        key = hdi_label(hdi_prob)
        x = np.column_stack(list(self.values.values()))
        best = np.bincount(x.argmax(1), minlength=x.shape[1]) / x.shape[0]
        low, high = hdi(x, hdi_prob)
        treated = [int(self.treat.sum()), self.treat.size, 0]
        return pd.DataFrame(
            {
                "users_treated": treated,
                "expected_gain": x.mean(0),
                f"{key}_low": low,
                f"{key}_high": high,
                "p_gain_positive": (x > 0).mean(0),
                "p_best": best,
            },
            index=pd.Index(list(self.values), name="policy"),
        )

    def text(self) -> str:
        """The decision in words."""
        table = self.summary()
        row = table.loc["policy"]
        gain_all = table.loc["treat all", "expected_gain"]
        return (
            f"Treat the {int(row['users_treated'])} users whose uplift exceeds the cost "
            f"({self.cost:g}) with probability above {self.q:.0%}: expected net gain "
            f"{row['expected_gain']:.3g} (94% HDI {row['hdi_94%_low']:.3g} to "
            f"{row['hdi_94%_high']:.3g}), against {gain_all:.3g} for treating everyone; "
            f"it is the best of the three with probability {row['p_best']:.1%}."
        )


def target_policy(cate_draws, *, cost: float, q: float = 0.9) -> TargetingPolicy:
    """Treat user i when ``P(CATE_i > cost) > q``; value every option draw by draw.

    Parameters
    ----------
    cate_draws : array_like
        Per-user CATE draws, shape (draws, users), in outcome units.
    cost : float
        Cost of treating one user, in the same units (e.g. conversions' worth).
    q : float
        Required posterior probability that treating pays.

    Examples
    --------
    >>> d = np.random.default_rng(0).normal([0.5, 0.05, -0.2], 0.05, size=(4000, 3))
    >>> pol = target_policy(d, cost=0.1, q=0.9)
    >>> pol.treat.tolist(), pol.summary()["expected_gain"].round(2).tolist()
    ([True, False, False], [0.4, 0.05, 0.0])
    """
    x = draws_matrix("cate_draws", cate_draws)
    q, cost = probability("q", q), float(cost)
    net = x - cost
    p = (net > 0).mean(0)
    treat = p > q
    values = {
        "policy": net[:, treat].sum(1),
        "treat all": net.sum(1),
        "treat none": np.zeros(x.shape[0]),
    }
    return TargetingPolicy(treat, p, values, cost, q)
