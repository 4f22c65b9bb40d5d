"""Counterfactual queries: one unit's outcome, PN/PS, natural direct and indirect effects.

All three rest on :mod:`causalbayes.estimands.abduction` (each unit's noise
recovered from its data, shared by every world it is compared across).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytensor.tensor as pt
import xarray as xr

from causalbayes.compile import mean_given, model_and_design
from causalbayes.errors import QueryError
from causalbayes.estimands.abduction import (
    abduct_act_predict,
    acted_world,
    factual_values,
    run_with_noise,
    unit_counterfactuals,
)
from causalbayes.estimands.draws import as_draws_array
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import Plan, Query, evaluate
from causalbayes.estimands.worlds import posterior_inputs
from causalbayes.inference.fit import Fit
from causalbayes.scm.naming import UNIT_DIM


@dataclass(frozen=True)
class Counterfactual(Query):
    """One node's counterfactual at chosen fitted rows under ``do(**action)`` (dims ``(chain, draw[, row])``).

    The query form of :func:`counterfactual`, for studies: ``Counterfactual("coating",
    rows=(0,), action={"dilution": 1})``.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.Counterfactual("coating", rows=(0, 1), action={"dilution": 0})
    >>> query.label
    'coating | do(dilution=0)'
    >>> cf = cb.evaluate(query, example_fit())
    >>> cf.mean().round(2).values.tolist()
    [1.15, 0.12]
    """

    node: str
    rows: tuple[int, ...] = (0,)
    action: Mapping[str, Any] = field(default_factory=dict)
    estimand = "Counterfactual"

    @property
    def treatment_outcome(self) -> None:
        return None  # a unit's own counterfactual: nothing for the graph to identify

    def nodes(self) -> dict[str, str]:
        return {"node": self.node, **{f"intervened node ({k})": k for k in self.action}}

    def mechanisms(self, scm) -> frozenset[str]:
        return downstream_mechanisms(scm, self.action)

    @property
    def label(self) -> str:
        action = ", ".join(f"{k}={v}" for k, v in self.action.items())
        return f"{self.node} | do({action})"

    def plan(self, fit: Fit) -> Plan:
        rows = [int(r) for r in self.rows]

        def draws(random_seed):
            # all fitted rows (latent parents are known only for them), then the chosen ones
            values = unit_counterfactuals(fit, None, self.action, random_seed).values[self.node]
            chosen = values.isel({UNIT_DIM: rows})
            if len(rows) == 1:
                return chosen.isel({UNIT_DIM: 0}, drop=True)
            return chosen.rename({UNIT_DIM: "row"}).assign_coords(row=rows)

        action = ", ".join(f"{k}={v}" for k, v in self.action.items())
        return Plan(description=f"{self.node} of rows {rows} under do({action})", draws=draws)


@dataclass(frozen=True)
class CausationProbabilities(Query):
    """Probabilities of necessity (PN) and sufficiency (PS) for a binary treatment and outcome.

    ``PN = P(Y_{t=0} = 0 | T = 1, Y = 1)``: among units treated with the outcome,
    the share that would not have had it untreated.  ``PS = P(Y_{t=1} = 1 | T = 0,
    Y = 0)``.  From the units' counterfactuals under the monotone coupling of
    Bernoulli noise (see the module notes), per posterior draw; dim ``probability``.
    The query form of :func:`probabilities_of_causation`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import fake_fit
    >>> scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Bernoulli(["t"])})
    >>> fit = fake_fit(scm, cb.simulate(scm, 80, random_seed=1), random_seed=2)
    >>> query = cb.CausationProbabilities("t", "y")
    >>> cb.evaluate(query, fit, random_seed=3).draws.coords["probability"].values.tolist()
    ['PN', 'PS']
    """

    treatment: str
    outcome: str
    estimand = "PN/PS"

    @property
    def treatment_outcome(self) -> tuple[str, str]:
        return self.treatment, self.outcome

    def mechanisms(self, scm) -> frozenset[str]:
        return downstream_mechanisms(scm, [self.treatment])

    def plan(self, fit: Fit) -> Plan:
        scm, t, y = fit.scm, self.treatment, self.outcome
        for name in (t, y):
            if scm[name].family != "Bernoulli":
                raise QueryError(
                    f"PN and PS are for binary treatment and outcome; {name!r} is {scm[name].family}"
                )
        treated, outcome = fit.encoded.values[t], fit.encoded.values[y]
        groups = {"PN": (1, 1, 0), "PS": (0, 0, 1)}
        for label, (t_obs, y_obs, _) in groups.items():
            if not ((treated == t_obs) & (outcome == y_obs)).any():
                raise QueryError(
                    f"{label} needs units with {t}={t_obs} and {y}={y_obs}; there are none"
                )

        def draws(random_seed):
            out = []
            for label, (t_obs, y_obs, do_value) in groups.items():
                rows = np.flatnonzero((treated == t_obs) & (outcome == y_obs))
                cf = unit_counterfactuals(fit, None, {t: do_value}, random_seed)
                p = cf.probability[y].isel({UNIT_DIM: rows}).mean(UNIT_DIM)
                out.append((1 - p) if label == "PN" else p)
            return xr.concat(out, dim="probability").assign_coords(probability=list(groups))

        return Plan(
            description=f"PN = P({y}_({t}=0) = 0 | {t}=1, {y}=1), PS = P({y}_({t}=1) = 1 | {t}=0, {y}=0)",
            draws=draws,
        )


@dataclass(frozen=True)
class Mediation(Query):
    """Natural direct and indirect effects through ``mediator``, by nested counterfactuals.

    With ``a, b = values`` and ``M_i(t)`` unit ``i``'s counterfactual mediator
    (its own noise recovered from its data):

    - ``NDE = mean_i E[Y | a, M_i(b), x_i] - E[Y | b, M_i(b), x_i]``
    - ``NIE = mean_i E[Y | a, M_i(a), x_i] - E[Y | a, M_i(b), x_i]``
    - ``TE = NDE + NIE``

    valid for nonlinear mechanisms (no product of coefficients).  The outcome
    may depend on the treatment directly and through the mediator only.  The
    runner checks that the graph identifies the total effect; natural effects
    further rest on the SCM's own noise model (no test of that is possible).
    Dim ``effect`` (``NDE``, ``NIE``, ``TE``).  The query form of :func:`mediation`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import fake_fit
    >>> scm = cb.SCM({"t": cb.Bernoulli(), "m": cb.Normal(["t"]), "y": cb.Normal(["t", "m"])})
    >>> fit = fake_fit(scm, cb.simulate(scm, 50, random_seed=1), random_seed=2)
    >>> query = cb.Mediation("t", "m", "y")
    >>> query.label
    'mediation(t, m, y)'
    >>> cb.evaluate(query, fit).draws.coords["effect"].values.tolist()
    ['NDE', 'NIE', 'TE']
    """

    treatment: str
    mediator: str
    outcome: str
    values: tuple[Any, Any] = (1, 0)
    estimand = "Mediation"

    @property
    def treatment_outcome(self) -> tuple[str, str]:
        return self.treatment, self.outcome

    def nodes(self) -> dict[str, str]:
        return {"treatment": self.treatment, "mediator": self.mediator, "outcome": self.outcome}

    def mechanisms(self, scm) -> frozenset[str]:
        return downstream_mechanisms(scm, [self.treatment])

    def plan(self, fit: Fit) -> Plan:
        t, m, y = self.treatment, self.mediator, self.outcome
        a, b = self.values
        _check_mediation(fit, t, m, y)
        return Plan(
            description=f"natural direct / indirect effects of {t}={a} vs {b} on {y} through {m}",
            details={"mediator": m, "values": [a, b]},
            draws=lambda random_seed: _natural_effects(fit, t, m, y, a, b, random_seed),
        )


def downstream_mechanisms(scm, action) -> frozenset[str]:
    """Mechanisms a unit counterfactual under ``do(action)`` reads: every node downstream
    of an intervened one is recomputed with the unit's noise."""
    below = set().union(*(scm.dag.descendants(a) for a in action)) - set(action)
    return frozenset(v for v in below if not scm.nodes[v].is_given)


def _check_mediation(fit: Fit, treatment: str, mediator: str, outcome: str) -> None:
    scm = fit.scm
    if mediator not in scm.dag.descendants(treatment) or outcome not in scm.dag.descendants(
        mediator
    ):
        raise QueryError(
            f"{mediator!r} must lie on a path {treatment!r} -> {mediator!r} -> {outcome!r}"
        )
    others = [
        p for p in scm[outcome].parents if p in scm.dag.descendants(treatment) and p != mediator
    ]
    if others:
        raise QueryError(
            f"{outcome!r} also depends on {others}, which {treatment!r} affects: natural effects "
            f"through {mediator!r} alone are not defined here"
        )
    between = [
        v
        for v in scm.order
        if v in scm.dag.descendants(treatment) and v in scm.dag.ancestors(mediator)
    ]
    if between or scm[mediator].family_info.noise is None:
        raise QueryError(
            f"the mediator {mediator!r} must be a direct child of {treatment!r} with an invertible noise model"
        )
    if fit.encoded.missing:
        raise QueryError(
            f"the fit imputed missing values of {sorted(fit.encoded.missing)}; natural effects "
            "need every unit's observed values (not supported with imputation yet)"
        )


def _natural_effects(fit, treatment, mediator, outcome, a, b, random_seed) -> xr.DataArray:
    """NDE, NIE and TE per draw; both worlds share each unit's noise (one noise dict)."""
    scm = fit.scm
    encoded = fit.encoded
    n = encoded.n
    model, design = model_and_design(encoded, fit.scales)
    noise_inputs: dict = {}  # shared: both worlds see each unit's own noise
    mediators = {}
    for label, t in (("a", a), ("b", b)):
        acted = {treatment: t}
        vals, *_ = abduct_act_predict(
            fit, model, design, encoded, [mediator], acted, noise=noise_inputs
        )
        mediators[label] = vals[mediator]

    def mean_y(t, m_label):
        world = acted_world(scm, factual_values(scm, model, encoded), {treatment: t}, n)
        world[mediator] = pt.cast(mediators[m_label], world[mediator].dtype)
        return mean_given(scm, outcome, model, world, design).mean(axis=0)

    y_ab, y_bb, y_aa = mean_y(a, "b"), mean_y(b, "b"), mean_y(a, "a")
    nde, nie = y_ab - y_bb, y_aa - y_ab
    target = pt.stack([nde, nie, nde + nie])
    inputs = posterior_inputs(fit, model, held_latent=set(fit.scm.latent))
    inputs.update(noise_inputs)
    (result,) = run_with_noise(
        fit, inputs, noise_inputs, [target], n=n, size=n, random_seed=random_seed
    )
    return as_draws_array(result, fit.posterior, ["effect"], {"effect": ["NDE", "NIE", "TE"]})


def mediation(
    fit: Fit,
    treatment: str,
    mediator: str,
    outcome: str,
    *,
    values: tuple[Any, Any] = (1, 0),
    identification: str = "warn",
    diagnostics: str = "warn",
    random_seed: int | None = None,
) -> Effect:
    """Natural direct and indirect effects through ``mediator``; see :class:`Mediation`.

    Options as in :func:`~causalbayes.ate`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import fake_fit
    >>> scm = cb.SCM({"t": cb.Bernoulli(), "m": cb.Normal(["t"]), "y": cb.Normal(["t", "m"])})
    >>> fit = fake_fit(scm, cb.simulate(scm, 50, random_seed=1), random_seed=2)
    >>> mediation(fit, "t", "m", "y").draws.coords["effect"].values.tolist()
    ['NDE', 'NIE', 'TE']
    """
    return evaluate(
        Mediation(treatment, mediator, outcome, values=tuple(values)),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        random_seed=random_seed,
    )


def probabilities_of_causation(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    identification: str = "warn",
    diagnostics: str = "warn",
    random_seed: int | None = None,
) -> Effect:
    """Posterior of PN and PS (dim ``probability``); see :class:`CausationProbabilities`.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import fake_fit
    >>> scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Bernoulli(["t"])})
    >>> fit = fake_fit(scm, cb.simulate(scm, 80, random_seed=1), random_seed=2)
    >>> probabilities_of_causation(fit, "t", "y").draws.coords["probability"].values.tolist()
    ['PN', 'PS']
    """
    return evaluate(
        CausationProbabilities(treatment, outcome),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        random_seed=random_seed,
    )
