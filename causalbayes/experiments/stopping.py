"""Stopping rules for looking while a test runs, evaluated exactly on conjugate posteriors.

A rule reads a look's posterior quantities (a state from ``_states.py``: one
test or thousands of simulated ones at once) and returns, per test, whether to stop,
which arm to ship, and what is claimed: an arm's superiority, the arms'
practical equivalence, or nothing. Sequential updating itself is the
posterior's ``update`` (the posterior of one look is the prior of the next).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from causalbayes.errors import QueryError
from causalbayes.experiments._states import DrawsState, ExactState
from causalbayes.experiments._validate import arm_labels, draws_matrix, positive, probability

NO_CLAIM, EQUIVALENT = -1, -2


@dataclass(frozen=True)
class Looked:
    """A rule's decision at one look; arrays shaped like the tests (``()`` for one test).

    ``claim`` is an arm index, ``NO_CLAIM`` (-1) or ``EQUIVALENT`` (-2).
    """

    stop: np.ndarray
    choice: np.ndarray
    claim: np.ndarray
    reason: str


@dataclass(frozen=True)
class LossRule:
    """Stop once some arm's expected loss is below ``threshold`` (outcome units); ship it.

    The loss is what choosing the arm costs on average if it is not the best
    (Stucchio's rule): small losses are safe to accept even when the arms are
    equal, so this rule claims no winner.
    """

    threshold: float

    def __post_init__(self):
        positive("threshold", self.threshold)

    def look(self, state, final: bool = False) -> Looked:
        """The decision at one look from its posterior ``state`` (``final``: the last look)."""
        loss = state.loss
        stop = loss.min(-1) < self.threshold
        reason = f"the lowest expected loss is below {self.threshold:g}"
        return Looked(stop, loss.argmin(-1), np.full(stop.shape, NO_CLAIM), reason)


@dataclass(frozen=True)
class PeekRule:
    """Naive peeking: stop as soon as some arm's P(best) exceeds ``threshold``; claim it."""

    threshold: float = 0.95

    def __post_init__(self):
        probability("threshold", self.threshold)

    def look(self, state, final: bool = False) -> Looked:
        """The decision at one look from its posterior ``state`` (``final``: the last look)."""
        p_best, loss = state.p_best, state.loss
        stop = p_best.max(-1) > self.threshold
        claim = np.where(stop, p_best.argmax(-1), NO_CLAIM)
        return Looked(
            stop, loss.argmin(-1), claim, f"some arm's P(best) is above {self.threshold:g}"
        )


@dataclass(frozen=True)
class FixedHorizon:
    """Look once, at the planned end: claim the arm whose P(best) exceeds ``threshold``.

    With two arms and a flat prior, 0.95 on either arm is close to a two-sided
    test at 10% (each side 5%); 0.975 gives about 5%.
    """

    threshold: float = 0.95

    def __post_init__(self):
        probability("threshold", self.threshold)

    def look(self, state, final: bool = False) -> Looked:
        """The decision at one look from its posterior ``state`` (``final``: the last look)."""
        p_best, loss = state.p_best, state.loss
        win = final & (p_best.max(-1) > self.threshold)
        stop = np.full(win.shape, bool(final))
        claim = np.where(win, p_best.argmax(-1), NO_CLAIM)
        return Looked(stop, loss.argmin(-1), claim, "the planned sample size is reached")


@dataclass(frozen=True)
class RopeRule:
    """Two arms: stop once ``mass`` of the lift ``B - A`` lies on one side of the ROPE or in it.

    The probability-mass form of the ROPE decision (Kruschke): above the ROPE
    claims B, below claims A, inside claims practical equivalence (``rope`` is
    a half-width or ``(low, high)`` in outcome units).
    """

    rope: float | tuple[float, float]
    mass: float = 0.95

    def __post_init__(self):
        probability("mass", self.mass)
        low, high = self.bounds
        if not low < high:
            raise QueryError(f"rope must be a half-width > 0 or (low, high), got {self.rope!r}")

    @property
    def bounds(self) -> tuple[float, float]:
        r = self.rope
        return (-abs(float(r)), abs(float(r))) if np.isscalar(r) else tuple(map(float, r))

    def look(self, state, final: bool = False) -> Looked:
        """The decision at one look from its posterior ``state`` (``final``: the last look)."""
        if state.k != 2:
            raise QueryError(f"RopeRule compares two arms, got {state.k}; use LossRule for k arms")
        low, high = self.bounds
        above = state.prob_above(1, 0, high)
        below = 1 - state.prob_above(1, 0, low)
        inside = 1 - above - below
        claim = np.select(
            [above > self.mass, below > self.mass, inside > self.mass], [1, 0, EQUIVALENT], NO_CLAIM
        )
        # ship B only when it is more likely better than worse
        choice = (above > below).astype(int)
        return Looked(
            claim != NO_CLAIM,
            choice,
            claim,
            f"{self.mass:.0%} of the lift's mass is above, below or inside the ROPE",
        )


@dataclass(frozen=True)
class StopCheck:
    """One test's answer at one look: stop or go on, what to ship, what is claimed, why.

    ``claim`` is an arm name, ``"equivalent"`` or None; ``str()`` gives ``text``.
    """

    stop: bool
    choice: str
    claim: str | None
    text: str

    def __str__(self) -> str:
        return self.text


def check(posterior, rule, *, final: bool = False) -> StopCheck:
    """Apply a stopping rule to one test's posterior (exact integrals): stop or go on, and why.

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> post = beta_binomial([120, 150], [1000, 1000])
    >>> check(post, LossRule(0.001)).stop, check(post, LossRule(0.0001)).stop
    (True, False)
    >>> print(check(post, RopeRule(0.005)))
    go on until 95% of the lift's mass is above, below or inside the ROPE; shipping now would pick B
    """
    return _decide(ExactState(posterior.marginal()), posterior.arms, rule, final)


def check_draws(draws, rule, *, arms=None, final: bool = False) -> StopCheck:
    """:func:`check` on posterior draws shaped (draws, arms) of any model (Monte Carlo).

    For MCMC posteriors (covariates, hurdles, any SCM) where no closed form exists.

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> draws = beta_binomial([120, 150], [1000, 1000]).draws(40_000, random_seed=1)
    >>> check_draws(draws, LossRule(0.001)).stop, check_draws(draws, LossRule(0.0001)).stop
    (True, False)
    """
    x = draws_matrix("draws", draws, min_columns=2)
    return _decide(DrawsState(x), arm_labels(arms, x.shape[1]), rule, final)


def _decide(state, arms: tuple[str, ...], rule, final: bool) -> StopCheck:
    out = rule.look(state, final=final)
    stop, choice, claim = bool(out.stop), arms[int(out.choice)], int(out.claim)
    claimed = {NO_CLAIM: None, EQUIVALENT: "equivalent"}.get(claim, arms[claim])
    if stop:
        said = "" if claimed is None else f", claim: {claimed}"
        text = f"stop: {out.reason}; ship {choice}{said}"
    else:
        text = f"go on until {out.reason}; shipping now would pick {choice}"
    return StopCheck(stop, choice, claimed, text)
