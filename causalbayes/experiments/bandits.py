"""Adaptive allocation: Thompson sampling for Bernoulli arms, with or without context.

Pure choice functions vectorised over independent runs (leading axes), so a
simulator plays hundreds of bandits at once. Every random draw comes from the
Generator passed in.

- ``thompson_choice``: draw each arm's rate from its exact Beta posterior and
  play the largest draw (Thompson 1933); the posterior update is conjugate.
- ``epsilon_greedy_choice``: the best empirical mean, or a uniformly random arm
  with probability ``epsilon``; untried arms first.
- ``LinearThompson``: linear Thompson sampling (Agrawal & Goyal 2013) for
  context: per arm a Bayesian linear regression of the reward on the context,
  ``theta_a ~ Normal(B_a^-1 f_a, v^2 B_a^-1)`` with ``B_a = I / prior_var +
  sum x x'`` and ``f_a = sum r x``; exact Gaussian updates, the noise scale
  ``v`` fixed. A linear model of a 0/1 reward is an approximation that keeps
  the updates exact and cheap; a logistic model (Laplace) is the refinement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from causalbayes.errors import DataError
from causalbayes.experiments._validate import positive, probability, whole


def thompson_choice(alpha, beta, rng: np.random.Generator) -> np.ndarray:
    """Arm to play per run: the argmax of one draw from each arm's Beta posterior.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> thompson_choice(np.array([[1.0, 90.0]]), np.array([[90.0, 1.0]]), rng).tolist()
    [1]
    """
    return rng.beta(alpha, beta).argmax(-1)


def thompson_allocation(draws, visitors: int, rng: np.random.Generator) -> np.ndarray:
    """Thompson sampling from posterior draws of any arm model: how many of the next visitors
    each arm gets.

    Each visitor is sent to the best arm of one posterior draw picked at random,
    so an arm's share is its probability to be best.  ``draws``: shaped
    ``(draws, arms)``, e.g. ``ab_test(...).draws()`` of an SCM fitted by MCMC
    (covariates, hurdles); for Beta arms :func:`thompson_choice` is exact and cheaper.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> draws = np.column_stack([rng.normal(0.10, 0.01, 4000), rng.normal(0.12, 0.01, 4000)])
    >>> thompson_allocation(draws, 1000, rng).tolist()
    [74, 926]
    """
    x = np.asarray(draws, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2 or not np.isfinite(x).all():
        raise DataError(f"draws must be finite and shaped (draws, arms >= 2), got {x.shape}")
    picked = rng.integers(0, x.shape[0], whole("visitors", visitors))
    return np.bincount(x[picked].argmax(-1), minlength=x.shape[1])


def epsilon_greedy_choice(successes, pulls, epsilon: float, rng: np.random.Generator) -> np.ndarray:
    """Arm to play per run: best empirical mean, or a random arm with probability ``epsilon``.

    Untried arms count as best (each arm is tried once first); ties go to a random arm.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> epsilon_greedy_choice(np.array([[3, 9]]), np.array([[10, 10]]), 0.0, rng).tolist()
    [1]
    """
    successes, pulls = np.asarray(successes, float), np.asarray(pulls, float)
    mean = np.divide(successes, pulls, out=np.full(pulls.shape, np.inf), where=pulls > 0)
    noise = rng.random(mean.shape) * 1e-9  # random tie-breaks, far below any mean difference
    greedy = (mean + noise).argmax(-1)
    explore = rng.random(greedy.shape) < epsilon
    return np.where(explore, rng.integers(0, mean.shape[-1], greedy.shape), greedy)


@dataclass(frozen=True)
class LinearThompson:
    """Per-arm Bayesian linear regressions of the reward on a context vector.

    Attributes
    ----------
    precision : numpy.ndarray
        ``B_a``, shape (..., arms, d, d).
    target : numpy.ndarray
        ``f_a``, shape (..., arms, d).
    noise : float
        Reward noise scale ``v`` (0.5 bounds a 0/1 reward's sd).
    """

    precision: np.ndarray
    target: np.ndarray
    noise: float = 0.5

    @classmethod
    def start(cls, arms: int, dim: int, *, runs=(), prior_var: float = 1.0, noise: float = 0.5):
        """A fresh state: ``theta_a ~ Normal(0, noise^2 prior_var I)`` for every arm (and run).

        Examples
        --------
        >>> LinearThompson.start(3, 2, runs=(5,)).precision.shape
        (5, 3, 2, 2)
        """
        k, d = whole("arms", arms, minimum=2), whole("dim", dim)
        eye = np.eye(d) / positive("prior_var", prior_var)
        precision = np.broadcast_to(eye, (*runs, k, d, d)).copy()
        return cls(precision, np.zeros((*runs, k, d)), positive("noise", noise))

    def mean(self) -> np.ndarray:
        """Posterior mean coefficients, shape (..., arms, d)."""
        return np.linalg.solve(self.precision, self.target[..., None])[..., 0]

    def choose(self, context, rng: np.random.Generator) -> np.ndarray:
        """Arm per run for contexts (..., d): the argmax of ``x' theta_a`` over sampled thetas."""
        x = np.asarray(context, dtype=float)
        if x.shape[-1] != self.target.shape[-1]:
            raise DataError(f"context needs {self.target.shape[-1]} values, got {x.shape[-1]}")
        chol = np.linalg.cholesky(self.precision)  # B = L L'; theta = mean + v L'^-1 z
        z = rng.standard_normal(self.target.shape)[..., None]
        noise = np.linalg.solve(np.swapaxes(chol, -1, -2), z)[..., 0]
        theta = self.mean() + self.noise * noise
        return np.einsum("...kd,...d->...k", theta, x).argmax(-1)

    def update(self, arm, context, reward) -> LinearThompson:
        """The state after observing ``reward`` for ``arm`` in ``context`` (one per run)."""
        x = np.asarray(context, dtype=float)
        onehot = np.eye(self.target.shape[-2])[np.asarray(arm)]  # (..., arms)
        outer = x[..., None, :, None] * x[..., None, None, :] * onehot[..., None, None]
        gain = np.asarray(reward, float)[..., None, None] * x[..., None, :] * onehot[..., None]
        return LinearThompson(self.precision + outer, self.target + gain, self.noise)


def check_rates(rates) -> np.ndarray:
    """True Bernoulli rates of >= 2 arms, each in [0, 1]."""
    r = np.asarray(rates, dtype=float)
    if r.ndim != 1 or r.size < 2 or np.any((r < 0) | (r > 1)):
        raise DataError(f"rates must be >= 2 probabilities in [0, 1], got {np.ravel(r).tolist()}")
    return r


def check_epsilon(epsilon) -> float:
    return probability("epsilon", epsilon, open_interval=False)
