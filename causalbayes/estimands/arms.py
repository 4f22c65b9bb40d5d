"""Effects among several arms, and the controlled direct effect (a mediator held fixed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import xarray as xr

from causalbayes.errors import QueryError
from causalbayes.estimands.averages import PairQuery
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import Plan, Query, evaluate
from causalbayes.estimands.values import encode_value, treatment_pair
from causalbayes.estimands.worlds import world_mechanisms
from causalbayes.inference.fit import Fit


@dataclass(frozen=True)
class Contrasts(PairQuery):
    """Effects among k arms: each against a reference (default) or all pairs.

    The query form of :func:`contrasts`.

    Parameters
    ----------
    treatment, outcome : str
        Node names.
    values : sequence, optional
        The arms (default: the treatment's levels).
    reference : optional
        The arm the others are compared with (default: the first).
    pairs : {"reference", "all"}
        Each arm against the reference, or every pair.
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.Contrasts("dilution", "coating", values=[0, 1])
    >>> cb.evaluate(query, example_fit()).draws.coords["contrast"].values.tolist()
    ['1 - 0']
    """

    values: Sequence[Any] | None = None
    reference: Any = None
    pairs: str = "reference"
    population: bool | str = False
    estimand = "Contrasts"

    def plan(self, fit: Fit) -> Plan:
        node = fit.scm[self.treatment]
        values = self.values
        if values is None:
            if node.levels is None:
                raise QueryError(f"{self.treatment!r} has no levels: give values=[...] to compare")
            values = list(node.levels)
        values = list(values)
        if len(values) < 2:
            raise QueryError("contrasts need at least two treatment values")
        codes = {str(v): encode_value(fit.scm, self.treatment, v) for v in values}
        reference = str(values[0] if self.reference is None else self.reference)
        if reference not in codes:
            raise QueryError(f"reference {reference!r} is not among the values {list(codes)}")
        if self.pairs == "reference":
            chosen = [(v, reference) for v in codes if v != reference]
        elif self.pairs == "all":
            chosen = [(b, a) for a, b in combinations(codes, 2)]
        else:
            raise QueryError(f"pairs must be 'reference' or 'all', got {self.pairs!r}")

        def contrast(mean):
            means = {v: mean(code) for v, code in codes.items()}
            diffs = [means[x] - means[y] for x, y in chosen]
            return xr.concat(diffs, dim="contrast").assign_coords(
                contrast=[f"{x} - {y}" for x, y in chosen]
            )

        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}=x)] - "
                f"E[{self.outcome} | do({self.treatment}=y)]"
            ),
            details={"values": list(codes), "reference": reference},
            contrast=contrast,
            worlds={"population": self.population},
            arms=list(codes.values()),
        )


@dataclass(frozen=True)
class ArmMeans(PairQuery):
    """The mean outcome under each arm, ``E[outcome | do(treatment = arm)]``, dim ``arm``.

    What an A/B/n test compares: one posterior per arm (a conversion rate, a
    mean amount, revenue per visitor), averaged over the fitted units, so with
    covariates it is the standardized (covariate-adjusted) mean of each arm.
    ``values``: the arms (default: every level of the treatment).

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> from causalbayes.estimands import evaluate
    >>> evaluate(ArmMeans("dilution", "coating", values=[0, 1]), example_fit()).draws.sizes["arm"]
    2
    """

    values: Sequence[Any] | None = None
    estimand = "Arm means"

    def plan(self, fit: Fit) -> Plan:
        node = fit.scm[self.treatment]
        values = self.values
        if values is None:
            if node.levels is None:
                raise QueryError(f"{self.treatment!r} has no levels: give values=[...] to compare")
            values = list(node.levels)
        codes = {str(v): encode_value(fit.scm, self.treatment, v) for v in values}

        def contrast(mean):
            means = [mean(code) for code in codes.values()]
            return xr.concat(means, dim="arm").assign_coords(arm=list(codes))

        return Plan(
            description=f"E[{self.outcome} | do({self.treatment}=arm)] for each arm",
            details={"values": list(codes)},
            contrast=contrast,
            worlds={"population": False},
        )


def arm_means(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Each arm's mean outcome ``E[outcome | do(treatment = arm)]``, dims ``(chain, draw, arm)``.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> means = arm_means(example_fit(), "dilution", "coating", values=[0, 1])
    >>> means.draws.dims, [str(arm) for arm in means.draws.arm.values]
    (('chain', 'draw', 'arm'), ['0', '1'])
    """
    return evaluate(
        ArmMeans(treatment, outcome, values=values),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


@dataclass(frozen=True)
class CDE(Query):
    """Controlled direct effect ``E[Y | do(T=a, M=m)] - E[Y | do(T=b, M=m)]``, mediator held at ``at``.

    The query form of :func:`controlled_direct_effect`.

    Parameters
    ----------
    treatment, mediator, outcome : str
        Node names.
    at : optional
        The value the mediator is set to for every unit (default 0.0).
    values : (a, b), optional
        Treated and control values, as in :class:`ATE`.
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.

    Examples
    --------
    Story 1 has no mediator; holding ``humid`` (a parent of both) fixed shows the form:

    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.CDE("dilution", "humid", "coating", at=0.0)
    >>> round(cb.evaluate(query, example_fit()).mean(), 2)
    -0.42
    """

    treatment: str
    mediator: str
    outcome: str
    at: Any = 0.0
    values: Sequence[Any] | None = None
    population: bool | str = False
    estimand = "CDE"

    @property
    def treatment_outcome(self) -> tuple[str, str]:
        return self.treatment, self.outcome

    def nodes(self) -> dict[str, str]:
        return {"treatment": self.treatment, "mediator": self.mediator, "outcome": self.outcome}

    def mechanisms(self, scm) -> frozenset[str]:
        """The outcome's, and those between the treatment and the outcome (the mediator held)."""
        return world_mechanisms(scm, {self.treatment, self.mediator}, self.outcome, self.population)

    def plan(self, fit: Fit) -> Plan:
        observed = fit.encoded.values.get(self.treatment)
        (a, b), codes = treatment_pair(fit.scm, self.treatment, self.values, observed)
        t, m, y = self.treatment, self.mediator, self.outcome
        return Plan(
            description=(
                f"E[{y} | do({t}={a}, {m}={self.at})] - E[{y} | do({t}={b}, {m}={self.at})]"
            ),
            details={"values": [a, b], "at": self.at},
            contrast=lambda mean: mean(codes[0]) - mean(codes[1]),
            worlds={
                "also": {m: encode_value(fit.scm, m, self.at)},
                "population": self.population,
            },
            arms=codes,
        )


def contrasts(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    reference: Any = None,
    pairs: str = "reference",
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Effects among k arms: each against ``reference`` (default: the first) or all ``pairs``.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> contrasts(example_fit(), "dilution", "coating", values=[0, 1]).draws.dims
    ('chain', 'draw', 'contrast')
    """
    query = Contrasts(
        treatment, outcome, values=values, reference=reference, pairs=pairs, population=population
    )
    return evaluate(
        query,
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def controlled_direct_effect(
    fit: Fit,
    treatment: str,
    mediator: str,
    outcome: str,
    *,
    at: Any,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """``E[Y | do(T=a, M=m)] - E[Y | do(T=b, M=m)]``: the effect with the mediator held at ``at``.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> controlled_direct_effect(example_fit(), "dilution", "humid", "coating", at=0.0).estimand
    'CDE'
    """
    query = CDE(treatment, mediator, outcome, at=at, values=values, population=population)
    return evaluate(
        query,
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


__all__ = ["CDE", "Contrasts", "contrasts", "controlled_direct_effect"]
