"""What every conjugate per-arm posterior shares: labels, marginals, draws, a table.

A posterior class names its compared quantity's marginal distribution as a
scipy.stats family (or its light twin in ``_dist``, which computes the same values
without importing scipy.stats) with parameter arrays shaped (k,); everything exact
(``exact.py``) and every summary works from that one description.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.errors import DataError
from causalbayes.experiments._validate import arm_labels


@dataclass(frozen=True)
class Marginal:
    """The marginal posterior of one quantity per arm, as a scipy.stats family.

    Attributes
    ----------
    family : scipy.stats distribution
        e.g. ``scipy.stats.beta`` (not frozen), or one of ``_dist``'s (``_dist.beta``: the
        same values, scipy.stats not imported), which the posterior classes use.
    params : dict of numpy.ndarray
        Shape parameters, ``loc`` and ``scale``, each broadcastable to ``(..., k)``.

    Examples
    --------
    >>> from scipy import stats
    >>> m = Marginal(stats.beta, {"a": np.array([121.0, 151.0]), "b": np.array([881.0, 851.0])})
    >>> m.mean().round(5).tolist(), round(float(m.frozen(1).mean() - m.frozen(0).mean()), 5)
    ([0.12076, 0.1507], 0.02994)
    """

    family: object
    params: dict

    def pdf(self, x):
        return self.family.pdf(x, **self.params)

    def cdf(self, x):
        return self.family.cdf(x, **self.params)

    def sf(self, x):
        return self.family.sf(x, **self.params)

    def ppf(self, q):
        return self.family.ppf(q, **self.params)

    def mean(self):
        return self.family.mean(**self.params)

    def frozen(self, i: int):
        """The frozen scipy distribution of arm ``i`` (for one-off checks)."""
        return self.family(**{k: np.asarray(v)[..., i] for k, v in self.params.items()})


class ArmsMixin:
    """Methods shared by the per-arm posterior dataclasses (they define ``marginal``)."""

    arms: tuple[str, ...]

    @property
    def k(self) -> int:
        """Number of arms."""
        return len(self.arms)

    def mean(self) -> pd.Series:
        """Posterior mean of each arm's quantity (closed form)."""
        return pd.Series(self.marginal().mean(), index=pd.Index(self.arms, name="arm"))

    def table(self, *, prob: float = 0.94) -> pd.DataFrame:
        """Parameters, mean, sd and the equal-tailed ``prob`` interval of each arm (closed form)."""
        m = self.marginal()
        lo, hi = m.ppf((1 - prob) / 2), m.ppf((1 + prob) / 2)
        out = pd.DataFrame(self.parameters(), index=pd.Index(self.arms, name="arm"))
        out["mean"] = m.mean()
        out["sd"] = m.family.std(**m.params)
        out[f"eti_{prob:.0%}_low"], out[f"eti_{prob:.0%}_high"] = lo, hi
        return out


def labels_for(arms, k: int) -> tuple[str, ...]:
    return arm_labels(arms, k)


def per_arm(name: str, value, k: int) -> np.ndarray:
    """A scalar or k values as a float array shaped (k,)."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(k, float(arr))
    if arr.shape != (k,):
        raise DataError(f"{name} must be one value or one per arm ({k}), got shape {arr.shape}")
    return arr.copy()


def group_rows(arm, values, arms=None) -> tuple[tuple[str, ...], list[np.ndarray]]:
    """Split one-row-per-unit ``values`` by ``arm`` label; arms in the given or sorted order.

    Examples
    --------
    >>> labels, groups = group_rows(["b", "a", "b"], [1, 0, 0])
    >>> labels, [g.tolist() for g in groups]
    (('a', 'b'), [[0.0], [1.0, 0.0]])
    """
    arm = np.asarray(arm).astype(str)
    y = np.asarray(values, dtype=float)
    if arm.ndim != 1 or y.shape != arm.shape:
        raise DataError(
            f"arm and outcome must be 1-d and of equal length, got {arm.shape} and {y.shape}"
        )
    if not np.all(np.isfinite(y)):
        raise DataError(f"outcome holds {int(np.sum(~np.isfinite(y)))} missing or infinite values")
    labels = tuple(str(a) for a in np.unique(arm)) if arms is None else labels_for(arms, len(arms))
    unknown = sorted(set(arm) - set(labels))
    if unknown:
        raise DataError(f"arm holds labels {unknown} not in arms={list(labels)}")
    return labels, [y[arm == a] for a in labels]
