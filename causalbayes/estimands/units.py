"""Every unit's own conditional effect: the identity weight matrix without its ``n^2`` product.

``E[Y_i | do(T = a), X_i] - E[Y_i | do(T = b), X_i]`` for each fitted unit ``i``,
its covariates held at their observed values: the per-user CATE that uplift
targeting ranks by.  One compiled graph for all units and draws (the
interventional mean's per-unit mode), chunked over draws like every effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.estimands.averages import PairQuery
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import Plan, evaluate
from causalbayes.estimands.subgroups import CATE
from causalbayes.inference.fit import Fit


@dataclass(frozen=True)
class UnitEffects(PairQuery):
    """Each fitted unit's effect given its own covariates, dims ``(chain, draw, unit)``.

    ``values``: treated and control values, as in :class:`~causalbayes.ATE`;
    ``units``: new units (a DataFrame of their covariates) instead of the fitted ones,
    e.g. held-out users to rank.

    Examples
    --------
    >>> import warnings
    >>> from causalbayes.testing import example_fit
    >>> from causalbayes.estimands import evaluate
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # no interaction in story 1: equal by construction
    ...     effect = evaluate(UnitEffects("dilution", "coating"), example_fit())
    >>> effect.draws.dims
    ('chain', 'draw', 'unit')
    """

    values: Sequence[Any] | None = None
    units: pd.DataFrame | None = None
    estimand = "Unit effects"

    def plan(self, fit: Fit) -> Plan:
        (a, b), codes = self._values(fit, self.values)
        t, y = self.treatment, self.outcome
        constant = CATE(t, y)  # its check: equal effects for every unit come from the model's form
        return Plan(
            description=f"E[{y}_i | do({t}={a}), unit i] - E[{y}_i | do({t}={b}), unit i]",
            details={"values": [a, b]},
            contrast=lambda mean: mean(codes[0]) - mean(codes[1]),
            worlds={
                "per_unit": True,
                **({} if self.units is None else {"units": self._units(fit)}),
            },
            notes=lambda d: constant._constant(d, "unit", "unit"),
        )

    def _units(self, fit: Fit) -> pd.DataFrame:
        units = pd.DataFrame(self.units).reset_index(drop=True)
        if self.outcome in units.columns:
            raise QueryError(f"units describe users before the outcome: drop {self.outcome!r}")
        # the treatment is set by do(); a placeholder fills a given treatment's column
        units[self.treatment] = fit.data[self.treatment].iloc[0]
        return units


def unit_effects(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    units: pd.DataFrame | None = None,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Every fitted unit's conditional effect of ``treatment`` on ``outcome`` (per-user CATEs).

    For unit ``i``, ``E[outcome_i | do(treatment=a)] - E[outcome_i | do(treatment=b)]``
    with its covariates (non-descendants of the treatment) held at their observed
    values (or, with ``units``, each new unit's).  The draws, shaped ``(chain, draw, unit)``, feed uplift rankings and
    curves (``causalbayes.experiments.uplift``).  Options as in :func:`~causalbayes.ate`.

    Examples
    --------
    >>> import warnings
    >>> from causalbayes.testing import example_fit
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # story 1 has no interaction: equal by construction
    ...     effect = unit_effects(example_fit(), "dilution", "coating")
    >>> effect.draws.dims, effect.draws.sizes["unit"]
    (('chain', 'draw', 'unit'), 200)
    >>> round(float(effect.draws.mean()), 2)
    -0.42
    """
    return evaluate(
        UnitEffects(treatment, outcome, values=values, units=units),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


__all__ = ["UnitEffects", "unit_effects"]
