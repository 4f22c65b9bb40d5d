"""Unit-level counterfactuals: abduction -> action -> prediction, per posterior draw.

For each unit and posterior draw, every node downstream of the action is
recomputed with the unit's own exogenous noise:

- additive-noise nodes (Normal, StudentT): ``y' = y + mu(parents') - mu(parents)``
  (the noise is recovered exactly from the observation);
- LogNormal: the same on the log scale, ``y' = y exp(eta' - eta)``;
- Bernoulli: the noise is a uniform ``U`` with ``y = 1[U < p]``; given the
  observation, ``U`` is uniform on ``(0, p)`` (``y = 1``) or ``(p, 1)`` (``y = 0``),
  and ``y' = 1[U < p']``.  This is the *monotone* (comonotonic) coupling: a unit
  that responds under the lower probability also responds under the higher
  one.  ``P(y' = 1)`` is reported exactly; ``y'`` is sampled where a descendant needs it.
- Poisson and NegativeBinomial: the same coupling through the CDF, ``y = F^-1(U)``;
  given ``y``, ``U`` is uniform on ``(F(y - 1), F(y))`` and ``y' = F'^-1(U)``
  (computed up to ``COUNT_LIMIT`` times the largest count; beyond it a warning says so).

Other families have no invertible noise model here and are refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytensor.tensor as pt
import xarray as xr

from causalbayes._defaults import HDI_PROB
from causalbayes.compile import mean_given, model_and_design
from causalbayes.compile.parameters import read_parameters
from causalbayes.compile.predictor import linear_predictor
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import encode_data
from causalbayes.errors import CausalBayesWarning, QueryError
from causalbayes.estimands.checks import diagnostics_gate
from causalbayes.estimands.draws import DrawFunction, as_draws_array, flat_draws
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import Plan, Query, evaluate
from causalbayes.estimands.values import encode_value
from causalbayes.estimands.worlds import posterior_inputs
from causalbayes.families import FAMILIES, count_cdf, inverse_link
from causalbayes.inference.fit import Fit
from causalbayes.scm.naming import UNIT_DIM

# families whose noise can be recovered from a unit's data
INVERTIBLE = sorted(name for name, family in FAMILIES.items() if family.noise is not None)
COUNT_LIMIT = 4  # counterfactual counts are searched up to 4 x max(observed) + 50


@dataclass(frozen=True)
class Counterfactuals:
    """Counterfactual values of the nodes downstream of an action, for given units.

    ``values`` holds draws of each node's counterfactual value, dims
    ``(chain, draw, unit)``; ``probability`` holds ``P(node' = 1 | unit)`` for
    Bernoulli nodes; ``observed`` the units' factual values.
    """

    values: xr.Dataset
    probability: xr.Dataset
    observed: pd.DataFrame
    action: dict[str, Any]

    def effect(self, node: str) -> xr.DataArray:
        """Counterfactual minus factual value of ``node``, per draw and unit."""
        factual = xr.DataArray(self.observed[node].to_numpy(dtype=float), dims=UNIT_DIM)
        return self.values[node] - factual

    def summary(self, node: str, *, prob: float = HDI_PROB) -> pd.DataFrame:
        """Per unit: factual value, counterfactual mean and central interval."""
        draws = self.values[node]
        tail = (1 - prob) / 2
        q = draws.quantile([tail, 1 - tail], dim=("chain", "draw")).values
        return pd.DataFrame(
            {
                "observed": self.observed[node].to_numpy(),
                "counterfactual_mean": draws.mean(("chain", "draw")).values,
                "low": q[0],
                "high": q[1],
            }
        ).rename_axis(UNIT_DIM)


def counterfactual(
    fit: Fit,
    units: pd.DataFrame | None = None,
    *,
    random_seed=None,
    diagnostics: str = "warn",
    **action: Any,
) -> Counterfactuals:
    """What would each unit's downstream values have been under ``do(**action)``?

    Parameters
    ----------
    units : DataFrame, optional
        Units with a value for every observed node (and the exogenous columns
        the SCM reads).  Default: the fitted rows.  With latent nodes upstream
        of the affected nodes only the fitted rows can be used (their latent
        values have a posterior; new units' do not).
    diagnostics : {"warn", "raise", "ignore"}
        What to do when the fit's sampler diagnostics failed (see :func:`ate`).
    **action
        Node values to set, e.g. ``dilution=1``.

    Examples
    --------
    >>> cf = cb.counterfactual(fit, df.head(5), dilution=1)  # doctest: +SKIP
    >>> cf.summary("coating")  # doctest: +SKIP
    """
    diagnostics_gate(fit, diagnostics)
    return unit_counterfactuals(fit, units, action, random_seed)


def unit_counterfactuals(
    fit: Fit, units: pd.DataFrame | None, action: Mapping[str, Any], random_seed
) -> Counterfactuals:
    """:func:`counterfactual` without the diagnostics gate (the computation itself)."""
    scm = fit.scm
    if not action:
        raise QueryError("say what to set, e.g. cb.counterfactual(fit, units, dilution=1)")
    for name in action:
        scm.check_node(name, "intervened node")
    affected = [
        v for v in scm.order if v not in action and any(v in scm.dag.descendants(a) for a in action)
    ]
    given = [v for v in affected if scm[v].is_given]
    if given:
        raise QueryError(
            f"{given} are given (data, not modelled) but the action changes them; declare a "
            "family for them so their counterfactual values can be computed"
        )
    for v in affected:
        node = scm[v]
        if node.family_info.noise is None or node.measurement_error:
            raise QueryError(
                f"node {v!r} ({node.family}) is downstream of the action but has no invertible noise "
                f"model for counterfactuals; supported: {INVERTIBLE}"
            )
    fitted_rows = units is None
    if fitted_rows and fit.encoded.missing:
        raise QueryError(
            f"the fit imputed missing values of {sorted(fit.encoded.missing)}; unit counterfactuals "
            "need every unit's observed values: pass complete rows as units="
        )
    data = fit.data if fitted_rows else units
    encoded = fit.encoded if fitted_rows else encode_data(scm, data)
    latent = [v for v in scm.latent if any(v in scm.dag.ancestors(a) or v == a for a in affected)]
    if latent and not fitted_rows:
        raise QueryError(
            f"latent node(s) {latent} feed the affected nodes: their values are known (as a "
            "posterior) only for the fitted rows; leave units unset"
        )
    n = encoded.n
    model, design = model_and_design(encoded, fit.scales)
    values, probs, inputs, noise = _abduct_act_predict(
        fit, model, design, encoded, affected, action
    )
    limits = {
        v: _count_limit(encoded, v) for v in affected if scm[v].family_info.support == "count"
    }
    outputs = _run_with_noise(
        fit,
        inputs,
        noise,
        [*values.values(), *probs.values()],
        n=n,
        size=n * max(limits.values(), default=1),  # count searches hold n x limit values
        random_seed=random_seed,
    )
    coords = {UNIT_DIM: np.arange(n)}
    as_da = [as_draws_array(o, fit.posterior, [UNIT_DIM], coords) for o in outputs]
    value_set = xr.Dataset(dict(zip(values, as_da[: len(values)], strict=True)))
    for v, limit in limits.items():
        if (value_set[v] >= limit).any():
            warnings.warn(
                f"some counterfactual counts of {v!r} reached the search limit {limit} and are "
                "cut there; they are at least that large",
                CausalBayesWarning,
                stacklevel=2,
            )
    prob_set = xr.Dataset(dict(zip(probs, as_da[len(values) :], strict=True)))
    observed = pd.DataFrame({v: encoded.values[v] for v in scm.observed if v in encoded.values})
    return Counterfactuals(value_set, prob_set, observed, dict(action))


def _factual(scm, model, encoded) -> dict:
    """Each node's factual values: the data, or the latent node's variable (fed with its draws)."""
    return {v: model[v] if scm[v].latent else pt.as_tensor(encoded.values[v]) for v in scm.order}


def _acted(scm, factual: dict, action: Mapping[str, Any], n: int) -> dict:
    world = dict(factual)
    for name, value in action.items():
        code = encode_value(scm, name, value)
        world[name] = pt.full((n,), code, dtype=factual[name].dtype)
    return world


def _abduct_act_predict(fit, model, design, encoded, affected, action, noise=None):
    """Counterfactual values (and Bernoulli probabilities) of ``affected`` under ``action``.

    ``noise`` maps names to the uniform noise inputs of Bernoulli nodes; pass
    the same dict to several calls so that every world shares a unit's noise.
    """
    scm = fit.scm
    priors = resolved_priors(scm, fit.scales)
    factual = _factual(scm, model, encoded)
    world = _acted(scm, factual, action, design.n)
    values, probs = {}, {}
    noise = {} if noise is None else noise
    for v in affected:
        node = scm[v]
        params = read_parameters(scm, v, model, priors)
        eta_f = linear_predictor(scm, v, params, factual, design)
        eta_c = linear_predictor(scm, v, params, world, design)
        y = factual[v]
        noise_model = node.family_info.noise
        if noise_model == "multiplicative":  # log-normal: the unit's own factor exp(noise)
            world[v] = y * pt.exp(eta_c - eta_f)
        elif noise_model == "uniform":
            p_f, p_c = inverse_link(node.link, eta_f), inverse_link(node.link, eta_c)
            # P(U < p_c | U uniform on (0, p_f) if y = 1, on (p_f, 1) if y = 0)
            prob = pt.switch(
                pt.eq(y, 1),
                pt.minimum(p_c, p_f) / p_f,
                pt.maximum(p_c - p_f, 0) / (1 - p_f),
            )
            key = f"{v}.uniform_noise"
            r = noise.setdefault(key, pt.vector(key, dtype="float64", shape=(design.n,)))
            u = pt.switch(pt.eq(y, 1), r * p_f, p_f + r * (1 - p_f))
            world[v] = pt.cast(pt.lt(u, p_c), factual[v].dtype)
            probs[v] = prob
        elif noise_model == "count":
            key = f"{v}.uniform_noise"
            r = noise.setdefault(key, pt.vector(key, dtype="float64", shape=(design.n,)))
            cdf = count_cdf(node.family_info, params)
            mu_f, mu_c = inverse_link(node.link, eta_f), inverse_link(node.link, eta_c)
            below = pt.switch(pt.gt(y, 0), cdf(y - 1, mu_f), 0.0)
            u = below + r * (cdf(y, mu_f) - below)
            ks = np.arange(_count_limit(encoded, v), dtype="float64")
            world[v] = pt.sum(cdf(ks[None, :], mu_c[:, None]) < u[:, None], axis=1).astype("int64")
        else:  # additive noise on the outcome scale
            world[v] = y + inverse_link(node.link, eta_c) - inverse_link(node.link, eta_f)
        values[v] = pt.cast(world[v], "float64")
    inputs = posterior_inputs(fit, model, held_latent=set(fit.scm.latent))
    inputs.update(noise)
    return values, probs, inputs, noise


def _run_with_noise(
    fit: Fit, inputs: dict, noise: dict, outputs: list, *, n: int, size: int, random_seed
):
    """Compile ``outputs`` once and evaluate them over all posterior draws.

    Each of the ``n`` units gets uniform noise per draw, drawn in the order the
    noise variables were made (so a seed gives the same answer in any process),
    and shared by every world built on the same ``noise`` dict.
    """
    function = DrawFunction.compile(inputs, outputs, units=size, random_seed=random_seed)
    draws = flat_draws(fit.posterior, [k for k in function.input_names if k not in noise])
    total = fit.posterior.sizes["chain"] * fit.posterior.sizes["draw"]
    rng = np.random.default_rng(random_seed)
    for name in noise:
        draws[name] = rng.uniform(size=(total, n))
    return function(draws)


def _count_limit(encoded, node: str) -> int:
    return int(COUNT_LIMIT * np.max(encoded.values[node], initial=0) + 50)


@dataclass(frozen=True)
class Counterfactual(Query):
    """One node's counterfactual at chosen fitted rows under ``do(**action)`` (dims ``(chain, draw[, row])``).

    The query form of :func:`counterfactual`, for studies: ``Counterfactual("coating",
    rows=(0,), action={"dilution": 1})``.
    """

    node: str
    rows: tuple[int, ...] = (0,)
    action: Mapping[str, Any] = field(default_factory=dict)
    estimand = "Counterfactual"

    @property
    def treatment_outcome(self) -> None:
        return None  # a unit's own counterfactual: nothing for the graph to identify

    def nodes(self) -> tuple[str, ...]:
        return (self.node, *self.action)

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
    """

    treatment: str
    outcome: str
    estimand = "PN/PS"

    @property
    def treatment_outcome(self) -> tuple[str, str]:
        return self.treatment, self.outcome

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
    Dim ``effect`` (``NDE``, ``NIE``, ``TE``).
    """

    treatment: str
    mediator: str
    outcome: str
    values: tuple[Any, Any] = (1, 0)
    estimand = "Mediation"

    @property
    def treatment_outcome(self) -> tuple[str, str]:
        return self.treatment, self.outcome

    def nodes(self) -> tuple[str, ...]:
        return self.treatment, self.mediator, self.outcome

    def plan(self, fit: Fit) -> Plan:
        t, m, y = self.treatment, self.mediator, self.outcome
        a, b = self.values
        _check_mediation(fit, t, m, y)
        return Plan(
            description=f"natural direct / indirect effects of {t}={a} vs {b} on {y} through {m}",
            details={"mediator": m, "values": [a, b]},
            draws=lambda random_seed: _natural_effects(fit, t, m, y, a, b, random_seed),
        )


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
        vals, *_ = _abduct_act_predict(
            fit, model, design, encoded, [mediator], acted, noise=noise_inputs
        )
        mediators[label] = vals[mediator]

    def mean_y(t, m_label):
        world = _acted(scm, _factual(scm, model, encoded), {treatment: t}, n)
        world[mediator] = pt.cast(mediators[m_label], world[mediator].dtype)
        return mean_given(scm, outcome, model, world, design).mean(axis=0)

    y_ab, y_bb, y_aa = mean_y(a, "b"), mean_y(b, "b"), mean_y(a, "a")
    nde, nie = y_ab - y_bb, y_aa - y_ab
    target = pt.stack([nde, nie, nde + nie])
    inputs = posterior_inputs(fit, model, held_latent=set(fit.scm.latent))
    inputs.update(noise_inputs)
    (result,) = _run_with_noise(
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
