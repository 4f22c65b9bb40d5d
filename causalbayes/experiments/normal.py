"""Exact posteriors of per-arm means of continuous outcomes.

Two conjugate models: Normal-Normal with a known outcome sd, and
Normal-Inverse-Gamma (NIG) when the sd is learned too. Both update from the
sufficient statistics (n, mean, sum of squared deviations), so an update by a
batch equals a refit on all the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from causalbayes.errors import DataError
from causalbayes.experiments import _dist
from causalbayes.experiments._arms import ArmsMixin, Marginal, group_rows, labels_for, per_arm
from causalbayes.experiments._validate import positive, rng_from, whole


def _stats(n, mean, sd):
    n = np.asarray(n, dtype=float)
    mean, sd = np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
    if n.ndim != 1 or mean.shape != n.shape or sd.shape != n.shape:
        raise DataError(
            f"n, mean and sd need one value per arm, got {n.shape}, {mean.shape}, {sd.shape}"
        )
    if np.any(n != np.round(n)) or np.any(n < 0):
        raise DataError(f"n must be whole numbers >= 0 per arm, got {n.tolist()}")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd)) and np.all(sd >= 0)):
        raise DataError(
            f"mean and sd must be finite with sd >= 0, got {mean.tolist()}, {sd.tolist()}"
        )
    return n, mean, np.where(n > 1, sd**2 * (n - 1), 0.0)  # sum of squared deviations


def _row_stats(arm, y, arms):
    labels, groups = group_rows(arm, y, arms)
    empty = [a for a, g in zip(labels, groups, strict=True) if g.size == 0]
    if empty:
        raise DataError(f"arms {empty} have no rows")
    n = [g.size for g in groups]
    sd = [g.std(ddof=1) if g.size > 1 else 0.0 for g in groups]
    return labels, n, [g.mean() for g in groups], sd


@dataclass(frozen=True)
class NormalArms(ArmsMixin):
    """Normal posteriors of k arm means, the outcome sd ``sigma`` known."""

    loc: np.ndarray
    scale: np.ndarray
    sigma: np.ndarray
    arms: tuple[str, ...]

    def marginal(self) -> Marginal:
        """The marginal posterior of each arm's compared quantity (a scipy.stats-like family)."""
        return Marginal(_dist.norm, {"loc": self.loc, "scale": self.scale})

    def parameters(self) -> dict:
        """The posterior's parameters by name, each an array over the arms."""
        return {"loc": self.loc, "scale": self.scale}

    def draws(self, n: int = 20_000, *, random_seed) -> np.ndarray:
        """Exact posterior draws of the arm means, shape (n, k)."""
        n = whole("n", n, minimum=2)
        return rng_from(random_seed).normal(self.loc, self.scale, size=(n, self.k))

    def update(self, n, mean) -> NormalArms:
        """The posterior after a batch with ``n`` rows and sample ``mean`` per arm."""
        n, mean, _ = _stats(n, mean, np.zeros(len(self.arms)))
        precision = self.scale**-2 + n / self.sigma**2
        loc = (self.loc * self.scale**-2 + mean * n / self.sigma**2) / precision
        return NormalArms(loc, precision**-0.5, self.sigma, self.arms)


def normal_known_sd(n, mean, *, sigma, prior_mean=0.0, prior_sd=1e6, arms=None) -> NormalArms:
    """Exact Normal posteriors of arm means from (n, sample mean) per arm, outcome sd known.

    Examples
    --------
    >>> post = normal_known_sd([100, 100], [10.0, 10.5], sigma=2.0, prior_mean=10, prior_sd=0.2)
    >>> post.loc.round(4).tolist(), post.scale.round(4).tolist()
    ([10.0, 10.25], [0.1414, 0.1414])
    """
    sigma = positive("sigma", sigma)
    k = len(np.atleast_1d(n))
    sd = per_arm("prior_sd", prior_sd, k)
    if not np.all(np.isfinite(sd) & (sd > 0)):
        raise DataError(f"prior_sd must be finite and > 0, got {prior_sd!r}")
    start = NormalArms(
        per_arm("prior_mean", prior_mean, k), sd, np.full(k, sigma), labels_for(arms, k)
    )
    return start.update(n, mean)


@dataclass(frozen=True)
class NIGArms(ArmsMixin):
    """Normal-Inverse-Gamma posteriors of k (mean, variance) pairs.

    ``mean | var ~ Normal(mu, var / kappa)``, ``var ~ InvGamma(alpha, beta)``; the
    arm mean's marginal is Student-t with ``2 alpha`` degrees of freedom.
    """

    mu: np.ndarray
    kappa: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    arms: tuple[str, ...]

    def marginal(self) -> Marginal:
        """The marginal posterior of each arm's compared quantity (a scipy.stats-like family)."""
        scale = np.sqrt(self.beta / (self.alpha * self.kappa))
        return Marginal(_dist.t, {"df": 2 * self.alpha, "loc": self.mu, "scale": scale})

    def parameters(self) -> dict:
        """The posterior's parameters by name, each an array over the arms."""
        return {"mu": self.mu, "kappa": self.kappa, "alpha": self.alpha, "beta": self.beta}

    def draws(self, n: int = 20_000, *, random_seed, with_variance: bool = False):
        """Exact draws of the arm means (n, k); with ``with_variance`` also the variances."""
        n, rng = whole("n", n, minimum=2), rng_from(random_seed)
        var = self.beta / rng.gamma(self.alpha, 1.0, size=(n, self.k))
        mean = self.mu + np.sqrt(var / self.kappa) * rng.standard_normal((n, self.k))
        return (mean, var) if with_variance else mean

    def update(self, n, mean, sd) -> NIGArms:
        """The posterior after a batch summarised by ``n``, sample ``mean`` and ``sd`` per arm."""
        n, mean, ss = _stats(n, mean, sd)
        kappa, alpha = self.kappa + n, self.alpha + n / 2
        if np.any(kappa <= 0) or np.any(alpha <= 0):
            raise DataError(
                f"the reference prior needs at least 2 rows per arm; got n = {n.tolist()}: "
                "pass an informative prior=nig_prior(...)"
            )
        mu = (self.kappa * self.mu + n * mean) / kappa
        beta = self.beta + ss / 2 + self.kappa * n * (mean - self.mu) ** 2 / (2 * kappa)
        if np.any(beta <= 0):
            raise DataError(
                "the reference prior needs at least 2 distinct values per arm; got n = "
                f"{n.tolist()}: pass an informative prior=nig_prior(...)"
            )
        return NIGArms(mu, kappa, alpha, beta, self.arms)


def nig_prior(mean: float, weight: float, sd: float, sd_weight: float) -> tuple:
    """An NIG prior: a past mean worth ``weight`` rows and a past sd worth ``sd_weight`` rows.

    Examples
    --------
    >>> nig_prior(20.0, 50, 5.0, 10)
    (20.0, 50.0, 5.0, 125.0)
    """
    sd_weight = positive("sd_weight", sd_weight)
    return (
        float(mean),
        positive("weight", weight),
        sd_weight / 2,
        sd_weight / 2 * positive("sd", sd) ** 2,
    )


#: The reference prior p(mean, var) ~ 1/var: posteriors are t(n-1, mean, sd/sqrt(n)).
REFERENCE = (0.0, 0.0, -0.5, 0.0)


def normal_inverse_gamma(n, mean, sd, *, prior=REFERENCE, arms=None) -> NIGArms:
    """Exact NIG posteriors from (n, sample mean, sample sd) per arm.

    ``prior`` is ``(mu, kappa, alpha, beta)``, e.g. from ``nig_prior``; the default
    reference prior gives the arm mean a t(n - 1, mean, sd / sqrt(n)) posterior.

    Examples
    --------
    >>> post = normal_inverse_gamma([50, 40], [20.0, 22.0], [5.0, 6.0])
    >>> post.marginal().frozen(0).interval(0.95)[0].round(3)
    np.float64(18.579)
    """
    k = len(np.atleast_1d(n))
    mu, kappa, alpha, beta = (per_arm(f"prior[{i}]", p, k) for i, p in enumerate(prior))
    return NIGArms(mu, kappa, alpha, beta, labels_for(arms, k)).update(n, mean, sd)


def normal_inverse_gamma_rows(arm, y, *, prior=REFERENCE, arms=None) -> NIGArms:
    """Exact NIG posteriors from one row per unit (arm label, outcome).

    Examples
    --------
    >>> normal_inverse_gamma_rows(["A", "A", "B", "B"], [1.0, 3.0, 2.0, 6.0]).mu.tolist()
    [2.0, 4.0]
    """
    labels, n, mean, sd = _row_stats(arm, y, arms)
    return normal_inverse_gamma(n, mean, sd, prior=prior, arms=labels)


def normal_known_sd_rows(arm, y, *, sigma, prior_mean=0.0, prior_sd=1e6, arms=None):
    """Exact Normal posteriors of arm means from one row per unit, outcome sd known.

    Examples
    --------
    >>> normal_known_sd_rows(["A", "B"], [1.0, 2.0], sigma=1.0).loc.round(6).tolist()
    [1.0, 2.0]
    """
    labels, n, mean, _ = _row_stats(arm, y, arms)
    return normal_known_sd(
        n, mean, sigma=sigma, prior_mean=prior_mean, prior_sd=prior_sd, arms=labels
    )
