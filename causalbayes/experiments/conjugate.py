"""Exact posteriors of rates: Beta-Binomial (conversions) and Gamma-Poisson (counts).

Priors are stated on the rate's own scale: a past rate and the weight (in
visitors, or exposure units) that the past evidence deserves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from causalbayes.errors import DataError, SpecError
from causalbayes.experiments import _dist
from causalbayes.experiments._arms import ArmsMixin, Marginal, group_rows, labels_for, per_arm
from causalbayes.experiments._validate import counts, positive, probability, rng_from, whole


def beta_prior(rate: float, weight: float) -> tuple[float, float]:
    """Beta prior worth ``weight`` visitors at a past conversion rate ``rate``.

    Examples
    --------
    >>> beta_prior(0.10, 100)
    (10.0, 90.0)
    """
    rate, weight = probability("rate", rate), positive("weight", weight)
    return rate * weight, (1 - rate) * weight


def gamma_prior(rate: float, weight: float) -> tuple[float, float]:
    """Gamma(shape, rate) prior worth ``weight`` exposure units at a past event rate ``rate``.

    Examples
    --------
    >>> gamma_prior(2.5, 40)
    (100.0, 40.0)
    """
    rate, weight = positive("rate", rate), positive("weight", weight)
    return rate * weight, weight


def _pair(name: str, prior, k: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        a, b = prior
    except (TypeError, ValueError):
        raise SpecError(
            f"{name} must be a pair (a, b), e.g. (1, 1) or beta_prior(0.1, 100), got {prior!r}"
        ) from None
    a, b = per_arm(f"{name}[0]", a, k), per_arm(f"{name}[1]", b, k)
    if np.any(~np.isfinite(a) | (a <= 0)) or np.any(~np.isfinite(b) | (b <= 0)):
        raise SpecError(f"{name} parameters must be finite and > 0, got {prior!r}")
    return a, b


@dataclass(frozen=True)
class BetaArms(ArmsMixin):
    """Independent Beta posteriors of k conversion rates.

    Attributes
    ----------
    alpha, beta : numpy.ndarray
        Shape (k,): prior + conversions, prior + non-conversions.
    arms : tuple of str
    """

    alpha: np.ndarray
    beta: np.ndarray
    arms: tuple[str, ...]

    def marginal(self) -> Marginal:
        """The marginal posterior of each arm's compared quantity (a scipy.stats-like family)."""
        return Marginal(_dist.beta, {"a": self.alpha, "b": self.beta})

    def parameters(self) -> dict:
        """The posterior's parameters by name, each an array over the arms."""
        return {"alpha": self.alpha, "beta": self.beta}

    def draws(self, n: int = 20_000, *, random_seed) -> np.ndarray:
        """Exact posterior draws of the rates, shape (n, k)."""
        n = whole("n", n, minimum=2)
        return rng_from(random_seed).beta(self.alpha, self.beta, size=(n, self.k))

    def update(self, successes, trials) -> BetaArms:
        """The posterior after a new batch: this posterior is the batch's prior.

        Examples
        --------
        >>> post = beta_binomial([1, 2], [10, 10]).update([119, 148], [990, 990])
        >>> post.alpha.tolist(), post.beta.tolist()
        ([121.0, 151.0], [881.0, 851.0])
        """
        s, t = _successes_trials(successes, trials, self.k)
        return BetaArms(self.alpha + s, self.beta + t - s, self.arms)


def _successes_trials(successes, trials, k: int | None = None):
    s, t = counts("successes", successes), counts("trials", trials)
    if s.shape != t.shape:
        raise DataError(f"successes and trials differ in length: {s.size} vs {t.size} arms")
    if k is not None and s.size != k:
        raise DataError(f"a batch must have one count per arm ({k}), got {s.size}")
    if np.any(s > t):
        raise DataError(f"successes exceed trials in arms {np.flatnonzero(s > t).tolist()}")
    return s, t


def beta_binomial(successes, trials, *, prior=(1.0, 1.0), arms=None) -> BetaArms:
    """Exact Beta posteriors from aggregated counts (conversions and visitors per arm).

    Parameters
    ----------
    successes, trials : array_like of int
        Conversions and visitors per arm; arm sizes may differ.
    prior : (a, b)
        A Beta prior shared by the arms, or per-arm arrays; ``beta_prior(rate, weight)``
        states it on the rate's scale.
    arms : sequence of str, optional
        Arm names (default A, B, C, ...).

    Examples
    --------
    Story 2, with a flat prior and with a past rate of 10% worth 100 visitors:

    >>> beta_binomial([120, 150], [1000, 1000]).parameters()
    {'alpha': array([121., 151.]), 'beta': array([881., 851.])}
    >>> beta_binomial([120, 150], [1000, 1000], prior=beta_prior(0.1, 100)).parameters()
    {'alpha': array([130., 160.]), 'beta': array([970., 940.])}
    """
    s, t = _successes_trials(successes, trials)
    a, b = _pair("prior", prior, s.size)
    return BetaArms(a + s, b + t - s, labels_for(arms, s.size))


def beta_binomial_rows(arm, converted, *, prior=(1.0, 1.0), arms=None) -> BetaArms:
    """Exact Beta posteriors from one row per user (arm label, 0/1 conversion).

    Examples
    --------
    >>> beta_binomial_rows(["A", "B", "B", "A"], [0, 1, 1, 1]).parameters()
    {'alpha': array([2., 3.]), 'beta': array([2., 1.])}
    """
    labels, groups = group_rows(arm, converted, arms)
    for a, g in zip(labels, groups, strict=True):
        if np.any((g != 0) & (g != 1)):
            raise DataError(f"converted must be 0 or 1; arm {a!r} has {sorted(set(g) - {0, 1})}")
    s = [int(g.sum()) for g in groups]
    return beta_binomial(s, [g.size for g in groups], prior=prior, arms=labels)


@dataclass(frozen=True)
class GammaArms(ArmsMixin):
    """Independent Gamma(shape, rate) posteriors of k Poisson event rates (per exposure unit)."""

    shape: np.ndarray
    rate: np.ndarray
    arms: tuple[str, ...]

    def marginal(self) -> Marginal:
        """The marginal posterior of each arm's compared quantity (a scipy.stats-like family)."""
        return Marginal(_dist.gamma, {"a": self.shape, "scale": 1.0 / self.rate})

    def parameters(self) -> dict:
        """The posterior's parameters by name, each an array over the arms."""
        return {"shape": self.shape, "rate": self.rate}

    def draws(self, n: int = 20_000, *, random_seed) -> np.ndarray:
        """Exact posterior draws of the event rates, shape (n, k)."""
        n = whole("n", n, minimum=2)
        return rng_from(random_seed).gamma(self.shape, 1.0 / self.rate, size=(n, self.k))

    def update(self, events, exposure) -> GammaArms:
        """The posterior after a new batch of event counts and exposures per arm."""
        e, x = _events_exposure(events, exposure, self.k)
        return GammaArms(self.shape + e, self.rate + x, self.arms)


def _events_exposure(events, exposure, k: int | None = None):
    e = counts("events", events)
    x = np.asarray(exposure, dtype=float)
    if x.shape != e.shape or (k is not None and e.size != k):
        raise DataError(f"events and exposure need one value per arm, got {e.size} and {x.size}")
    if not np.all(np.isfinite(x) & (x > 0)):
        raise DataError(f"exposure must be finite and > 0 in every arm, got {x.tolist()}")
    return e, x


def gamma_poisson(events, exposure, *, prior=(0.001, 0.001), arms=None) -> GammaArms:
    """Exact Gamma posteriors of event rates from total events and exposure per arm.

    The default prior Gamma(0.001, 0.001) is nearly flat on the log scale; state a
    real one with ``gamma_prior(rate, weight)``.

    Examples
    --------
    >>> post = gamma_poisson([230, 260], [100, 100], prior=gamma_prior(2.0, 10))
    >>> post.parameters()
    {'shape': array([250., 280.]), 'rate': array([110., 110.])}
    """
    e, x = _events_exposure(events, exposure)
    a, b = _pair("prior", prior, e.size)
    return GammaArms(a + e, b + x, labels_for(arms, e.size))


def gamma_poisson_rows(arm, events, *, exposure=None, prior=(0.001, 0.001), arms=None):
    """Exact Gamma posteriors from one row per user (arm label, event count, exposure).

    Examples
    --------
    >>> gamma_poisson_rows(["A", "B", "A"], [2, 5, 0], prior=(1, 1)).parameters()
    {'shape': array([3., 6.]), 'rate': array([3., 2.])}
    """
    ones = np.ones(np.shape(events)) if exposure is None else exposure
    labels, groups = group_rows(arm, events, arms)
    _, exposures = group_rows(arm, ones, labels)
    totals = [
        counts(f"events of arm {a!r}", g).sum() if g.size else 0
        for a, g in zip(labels, groups, strict=True)
    ]
    return gamma_poisson(totals, [x.sum() for x in exposures], prior=prior, arms=labels)
