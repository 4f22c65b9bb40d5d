"""The estimand contract: a query is a value object, one runner answers every query.

A :class:`Query` is plain, frozen data (treatment, outcome, options) that
knows how to *plan* its evaluation on a fit: the worlds it needs
(:class:`~causalbayes.estimands.worlds.InterventionalMean` build options) and
the contrast to compute from one compiled mean, or, for unit counterfactuals,
its own draws.  :func:`evaluate` does the rest once for all: name checks, the
diagnostics gate, identification (and, for a query the graph does not
identify, the contraction of its posterior from its prior), notes, and the
packaging into one :class:`~causalbayes.estimands.effect.Effect`.  Studies
(``cb.recover``, ``cb.sbc``) take the same objects and call :func:`draws`.

Adding an estimand: a frozen dataclass subclass with ``estimand``, the
``treatment_outcome`` pair it needs identified, and ``plan(fit)``; plus a
function of the fit with the same options for notebooks (see ``ate``).
"""

from __future__ import annotations

import dataclasses
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import xarray as xr

from causalbayes.errors import QueryError
from causalbayes.estimands.checks import (
    contraction,
    diagnostics_gate,
    prior_fit,
    verdict_for,
    warn_not_identified,
)
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.positivity import positivity_notes
from causalbayes.estimands.worlds import InterventionalMean
from causalbayes.inference.fit import Fit

#: The runner's options, shared by every query function.
RUN_OPTIONS = ("identification", "diagnostics", "prior_draws", "random_seed")


@dataclass(frozen=True)
class Plan:
    """How one query is evaluated on one fit.

    Either ``contrast`` (draws computed from an interventional mean built with
    ``worlds``) or ``draws`` (draws computed directly, e.g. by abduction).
    """

    description: str
    details: Mapping[str, Any] = field(default_factory=dict)
    contrast: Callable[[InterventionalMean], xr.DataArray] | None = None
    worlds: Mapping[str, Any] = field(default_factory=dict)
    draws: Callable[[Any], xr.DataArray] | None = None  # random_seed -> draws
    notes: Callable[[xr.DataArray], list[str]] | None = None
    arms: Sequence[Any] = ()  # encoded treatment values set by do(): checked for positivity


@dataclass(frozen=True)
class Query(ABC):
    """A causal question as plain data; see the module notes for the contract.

    Subclasses are frozen dataclasses (:class:`~causalbayes.ATE`,
    :class:`~causalbayes.CATE`, :class:`~causalbayes.Mediation`, ...): equal
    settings make equal, hashable queries, which :func:`evaluate` answers on a
    fit and studies take in ``queries=``.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.ATE("dilution", "coating")
    >>> isinstance(query, cb.Query), query == cb.ATE("dilution", "coating")
    (True, True)
    >>> query.treatment_outcome, query.nodes()
    (('dilution', 'coating'), {'treatment': 'dilution', 'outcome': 'coating'})
    >>> round(cb.evaluate(query, example_fit()).mean(), 2)
    -0.42
    """

    estimand: ClassVar[str] = ""

    @property
    @abstractmethod
    def treatment_outcome(self) -> tuple[str, str] | None:
        """The pair whose identification the runner checks (None: nothing to check)."""

    def nodes(self) -> dict[str, str]:
        """The nodes the query names, by role (each must be in the fitted SCM)."""
        pair = self.treatment_outcome
        return {} if pair is None else {"treatment": pair[0], "outcome": pair[1]}

    @abstractmethod
    def plan(self, fit: Fit) -> Plan:
        """Check the query against ``fit`` and say how to evaluate it."""

    def mechanisms(self, scm) -> frozenset[str]:
        """The nodes whose mechanisms (parameters) the query reads.

        ``cb.fit(scm, df, queries=[query])`` samples only their blocks.  The default is
        every modelled node; a query that reads fewer says so.  Whatever it says, a query
        that meets an unfitted mechanism when it is evaluated is refused (see
        :mod:`causalbayes.estimands.fitted`).
        """
        return frozenset(scm.modelled)

    @property
    def label(self) -> str:
        """A short name, e.g. ``ate(dilution, coating)`` (the study tables use it)."""
        fields = [f for f in dataclasses.fields(self) if f.repr]
        shown = []
        for f in fields:
            value = getattr(self, f.name)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                shown.append(str(value))
            elif value != f.default:
                shown.append(f"{f.name}={_plain(value)}")
        return f"{type(self).__name__.lower()}({', '.join(shown)})"

    def key(self) -> str:
        """A stable text form (names caches)."""
        values = {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}
        return json.dumps([type(self).__name__, values], sort_keys=True, default=str)


def evaluate(
    query: Query,
    fit: Fit,
    *,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Answer ``query`` on ``fit`` as an :class:`Effect`.

    ``identification``: ``"warn"`` (default), ``"raise"`` or ``"ignore"``
    when the graph does not identify the query; ``diagnostics``: the same for
    a fit whose sampler diagnostics failed; treatment values the data hardly
    hold (positivity) are noted and warned about; ``prior_draws``: prior draws for
    the contraction of a non-identified query; ``random_seed`` seeds what is
    drawn afresh (regenerated units, bootstrap weights, unit noise).

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> from causalbayes.estimands import ATE
    >>> evaluate(ATE("dilution", "coating"), example_fit()).estimand
    'ATE'
    """
    if not isinstance(query, Query):
        raise QueryError(f"expected a query such as cb.ATE('t', 'y'), got {query!r}")
    for role, name in query.nodes().items():
        if not isinstance(name, str) or name not in fit.scm:
            raise QueryError(
                f"{role} {name!r} is not in the graph; nodes are {list(fit.scm.nodes)}"
            )
    pair = query.treatment_outcome
    if pair is not None and pair[0] == pair[1]:
        raise QueryError("treatment and outcome must be different nodes")
    problems = diagnostics_gate(fit, diagnostics)
    verdict = verdict_for(fit, *pair, identification) if pair is not None else None
    plan = query.plan(fit)
    details: dict[str, Any] = {
        "identified": None if verdict is None else verdict.identified,
        "diagnostics": problems,
    }
    if plan.contrast is not None:
        mean = InterventionalMean.build(fit, *pair, random_seed=random_seed, **plan.worlds)
        values = plan.contrast(mean)
        details.update(population=mean.population, n_units=mean.n_units)
        if verdict is not None and not verdict.identified:
            prior = prior_fit(fit, mean.draws.input_names, prior_draws, random_seed)
            prior_values = plan.contrast(dataclasses.replace(mean, fit=prior))
            details["contraction"] = contraction(values.values, prior_values.values)
            prior_sd = prior_values.std(("chain", "draw")).values
            details["prior_sd"] = float(prior_sd) if prior_sd.ndim == 0 else prior_sd.tolist()
            warn_not_identified(verdict, details["contraction"])
    else:
        values = plan.draws(random_seed)
        if verdict is not None and not verdict.identified:
            warn_not_identified(verdict, None)
    values = values.transpose("chain", "draw", ...)  # every Effect: chain and draw first
    overlap = positivity_notes(fit, pair[0], plan.arms) if pair is not None else []
    details["positivity"] = overlap
    details["notes"] = overlap + (plan.notes(values) if plan.notes is not None else [])
    details = {**_query_details(query), **dict(plan.details), **details}
    return Effect(
        draws=values.rename(query.estimand.lower()),
        estimand=query.estimand,
        description=plan.description,
        details=details,
    )


def draws(query: Query, fit: Fit, random_seed: int | None = None) -> xr.DataArray:
    """The query's draws on ``fit`` alone: no checks, no warnings (a study's evaluation)."""
    plan = query.plan(fit)
    if plan.contrast is None:
        values = plan.draws(random_seed)
    else:
        mean = InterventionalMean.build(
            fit, *query.treatment_outcome, random_seed=random_seed, **plan.worlds
        )
        values = plan.contrast(mean)
    return values.transpose("chain", "draw", ...)


def _query_details(query: Query) -> dict[str, Any]:
    pair = query.treatment_outcome
    return {"treatment": pair[0], "outcome": pair[1]} if pair is not None else {}


def _plain(value: Any) -> Any:
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)}"
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


__all__ = ["RUN_OPTIONS", "Plan", "Query", "draws", "evaluate"]
