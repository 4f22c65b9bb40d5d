"""Average effects: ATE, and ATT/ATU among the units observed treated or untreated.

Each is a :class:`~causalbayes.estimands.query.Query` evaluated on one compiled
interventional mean, with a function of the fit for notebooks (``ate(fit, ...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from causalbayes.errors import QueryError
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import Plan, Query, evaluate
from causalbayes.estimands.values import treatment_pair
from causalbayes.estimands.worlds import world_mechanisms
from causalbayes.inference.fit import Fit


@dataclass(frozen=True)
class PairQuery(Query):
    """A query about the effect of one treatment on one outcome (the base of most queries)."""

    treatment: str
    outcome: str

    @property
    def treatment_outcome(self) -> tuple[str, str]:
        return self.treatment, self.outcome

    def mechanisms(self, scm) -> frozenset[str]:
        """The outcome's mechanism and those between the treatment and the outcome
        (every ancestor of the outcome for ``population="model"``)."""
        population = getattr(self, "population", False)
        return world_mechanisms(scm, self.set_nodes(), self.outcome, population)

    def set_nodes(self) -> set[str]:
        """The nodes the query's worlds intervene on."""
        return {self.treatment}

    def _values(self, fit: Fit, values) -> tuple[list, list]:
        observed = fit.encoded.values.get(self.treatment)
        return treatment_pair(fit.scm, self.treatment, values, observed)


@dataclass(frozen=True)
class ATE(PairQuery):
    """Average treatment effect ``E[Y | do(T=a)] - E[Y | do(T=b)]``, as a value.

    The query form of :func:`ate`: :func:`~causalbayes.evaluate` answers it
    on a fit, and :func:`~causalbayes.recover` / :func:`~causalbayes.sbc`
    take it in ``queries=``.

    Parameters
    ----------
    treatment, outcome : str
        Node names.
    values : (a, b), optional
        Treated and control values (default 1 vs 0 for a yes/no treatment,
        second vs first level for two labels).
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.
    n : int, optional
        With ``population="model"``: how many units to draw (default: as many
        as the data).

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.ATE("dilution", "coating")
    >>> query.label
    'ate(dilution, coating)'
    >>> round(cb.evaluate(query, example_fit()).mean(), 2)
    -0.42
    """

    values: Sequence[Any] | None = None
    population: bool | str = False
    n: int | None = None
    estimand = "ATE"

    def plan(self, fit: Fit) -> Plan:
        (a, b), codes = self._values(fit, self.values)
        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}={a})] - "
                f"E[{self.outcome} | do({self.treatment}={b})]"
            ),
            details={"values": [_plain(a), _plain(b)]},
            contrast=lambda mean: mean(codes[0]) - mean(codes[1]),
            worlds={"population": self.population, "n": self.n},
            arms=codes,
        )


@dataclass(frozen=True)
class ATT(PairQuery):
    """Average effect among the units observed treated (their covariates as observed).

    The query form of :func:`att`.

    Parameters
    ----------
    treatment, outcome : str
        Node names; the treatment must be observed (it defines the group).
    values : (a, b), optional
        Treated and control values, as in :class:`ATE`.
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> effect = cb.evaluate(cb.ATT("dilution", "coating"), example_fit())
    >>> effect.estimand, effect.details["n_group"]
    ('ATT', 112)
    """

    values: Sequence[Any] | None = None
    population: bool | str = False
    estimand = "ATT"
    among = "treated"

    def plan(self, fit: Fit) -> Plan:
        (a, b), codes = self._values(fit, self.values)
        observed = fit.encoded.values.get(self.treatment)
        if observed is None:
            raise QueryError(
                f"{self.among} units are defined by the observed {self.treatment!r}, which is latent"
            )
        chosen = observed == (codes[0] if self.among == "treated" else codes[1])
        weights = indicator_weights(chosen[:, None].astype(float), [self.among], "the group")
        shown = a if self.among == "treated" else b
        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}={a}) - do({self.treatment}={b}), "
                f"{self.treatment} observed {shown}]"
            ),
            details={"values": [a, b], "n_group": int(chosen.sum())},
            contrast=lambda mean: (mean(codes[0], weights) - mean(codes[1], weights)).isel(
                subgroup=0, drop=True
            ),
            worlds={"population": self.population},
            arms=codes,
        )


@dataclass(frozen=True)
class ATU(ATT):
    """Average effect among the units observed untreated; options as in :class:`ATT`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> effect = cb.evaluate(cb.ATU("dilution", "coating"), example_fit())
    >>> effect.estimand, effect.details["n_group"]
    ('ATU', 88)
    """

    estimand = "ATU"
    among = "untreated"


# -- the same queries as functions of a fit ---------------------------------------------------
def ate(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    n: int | None = None,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Average treatment effect ``E[Y | do(T=a)] - E[Y | do(T=b)]`` as a posterior.

    Parameters
    ----------
    fit : Fit
    treatment, outcome : str
        Node names.
    values : (a, b), optional
        Treated and control values; default ``(1, 0)`` for a yes/no treatment
        and (second level, first level) for a two-level categorical one.
    population : bool or {"bootstrap", "model"}
        False (default): sample ATE, the units as observed (non-descendants of
        the treatment at their observed values, latent ones at their posterior
        draws), each weighing ``1/n``.  True (``"bootstrap"``): population
        ATE, the same units reweighted by a Bayesian bootstrap (flat Dirichlet
        weights, fresh for every draw), which adds the uncertainty about the
        covariate distribution without modelling it (given covariates need no
        model).  ``"model"``: every other node drawn from its fitted mechanism,
        for ``n`` units (default: as many as the data).
    identification : {"warn", "raise", "ignore"}
        When the graph does not identify ``P(outcome | do(treatment))``: warn
        (an :class:`~causalbayes.IdentificationWarning` with the posterior's
        contraction from its prior, also in ``details["contraction"]``), raise a
        ``QueryError``, or skip the check.
    diagnostics : {"warn", "raise", "ignore"}
        When the fit's sampler diagnostics failed: warn (a
        :class:`~causalbayes.DiagnosticsWarning`; the effect's ``summary()`` and
        ``warnings`` say so too), raise :class:`~causalbayes.DiagnosticsError`,
        or say nothing (the failure stays in ``details["diagnostics"]``).
    prior_draws : int
        Prior draws behind the contraction of a non-identified effect.
    random_seed : int, optional
        Seeds what is drawn afresh (regenerated mediators or units, bootstrap weights).

    Returns
    -------
    Effect
        Draws with dims ``(chain, draw)`` (a categorical outcome adds its levels).

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> effect = ate(example_fit(), "dilution", "coating")
    >>> round(effect.mean(), 2)
    -0.42
    """
    query = ATE(treatment, outcome, values=values, population=population, n=n)
    return evaluate(
        query,
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def att(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Average effect among the treated: the units whose *observed* treatment is the treated value.

    Options as in :func:`ate`.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> att(example_fit(), "dilution", "coating").estimand
    'ATT'
    """
    return evaluate(
        ATT(treatment, outcome, values=values, population=population),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def atu(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Average effect among the untreated (observed at the control value); see :func:`att`.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> atu(example_fit(), "dilution", "coating").estimand
    'ATU'
    """
    return evaluate(
        ATU(treatment, outcome, values=values, population=population),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def indicator_weights(masks: np.ndarray, labels: Sequence, what: str) -> np.ndarray:
    """Columns of equal weights over the units in each subgroup; refuses empty subgroups."""
    counts = masks.sum(axis=0)
    if np.any(counts == 0):
        empty = [str(lab) for lab, c in zip(labels, counts, strict=True) if c == 0]
        raise QueryError(f"no unit in {what} {empty}; drop those values")
    return masks / counts


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


__all__ = ["ATE", "ATT", "ATU", "PairQuery", "ate", "att", "atu", "indicator_weights"]
