"""Unit-level counterfactuals: abduction -> action -> prediction, per posterior draw.

The one abduction helper behind unit counterfactuals, mediation and PN/PS.

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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytensor.tensor as pt
import xarray as xr

from causalbayes._defaults import HDI_PROB
from causalbayes.compile import model_and_design
from causalbayes.compile.parameters import read_parameters
from causalbayes.compile.predictor import linear_predictor
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import encode_data
from causalbayes.errors import CausalBayesWarning, QueryError
from causalbayes.estimands.checks import diagnostics_gate
from causalbayes.estimands.draws import DrawFunction, as_draws_array, flat_draws
from causalbayes.estimands.fitted import require_fitted
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

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> fit = example_fit()
    >>> cf = cb.counterfactual(fit, fit.data.head(3), dilution=1)
    >>> dict(cf.values["coating"].sizes)
    {'chain': 2, 'draw': 100, 'unit': 3}
    >>> cf.summary("coating").round(2)  # units 0 and 2 were diluted already
          observed  counterfactual_mean   low  high
    unit
    0         0.73                 0.73  0.73  0.73
    1         0.12                -0.30 -0.32 -0.28
    2         0.46                 0.46  0.46  0.46
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
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> fit = example_fit()
    >>> cf = cb.counterfactual(fit, fit.data.head(2), dilution=0)
    >>> cf.summary("coating").round(2)  # unit 1 was not diluted: its counterfactual is its own
          observed  counterfactual_mean   low  high
    unit
    0         0.73                 1.15  1.13  1.17
    1         0.12                 0.12  0.12  0.12
    >>> cf.effect("coating").mean(("chain", "draw")).round(2).values.tolist()
    [0.42, 0.0]
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
    values, probs, inputs, noise = abduct_act_predict(fit, model, design, encoded, affected, action)
    limits = {
        v: _count_limit(encoded, v) for v in affected if scm[v].family_info.support == "count"
    }
    outputs = run_with_noise(
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


def factual_values(scm, model, encoded) -> dict:
    """Each node's factual values: the data, or the latent node's variable (fed with its draws)."""
    return {v: model[v] if scm[v].latent else pt.as_tensor(encoded.values[v]) for v in scm.order}


def acted_world(scm, factual: dict, action: Mapping[str, Any], n: int) -> dict:
    world = dict(factual)
    for name, value in action.items():
        code = encode_value(scm, name, value)
        world[name] = pt.full((n,), code, dtype=factual[name].dtype)
    return world


def abduct_act_predict(fit, model, design, encoded, affected, action, noise=None):
    """Counterfactual values (and Bernoulli probabilities) of ``affected`` under ``action``.

    ``noise`` maps names to the uniform noise inputs of Bernoulli nodes; pass
    the same dict to several calls so that every world shares a unit's noise.
    """
    scm = fit.scm
    priors = resolved_priors(scm, fit.scales)
    factual = factual_values(scm, model, encoded)
    world = acted_world(scm, factual, action, design.n)
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


def run_with_noise(
    fit: Fit, inputs: dict, noise: dict, outputs: list, *, n: int, size: int, random_seed
):
    """Compile ``outputs`` once and evaluate them over all posterior draws.

    Each of the ``n`` units gets uniform noise per draw, drawn in the order the
    noise variables were made (so a seed gives the same answer in any process),
    and shared by every world built on the same ``noise`` dict.
    """
    require_fitted(fit, inputs, outputs)
    function = DrawFunction.compile(inputs, outputs, units=size, random_seed=random_seed)
    draws = flat_draws(fit.posterior, [k for k in function.input_names if k not in noise])
    total = fit.posterior.sizes["chain"] * fit.posterior.sizes["draw"]
    rng = np.random.default_rng(random_seed)
    for name in noise:
        draws[name] = rng.uniform(size=(total, n))
    return function(draws)


def _count_limit(encoded, node: str) -> int:
    return int(COUNT_LIMIT * np.max(encoded.values[node], initial=0) + 50)


__all__ = [
    "INVERTIBLE",
    "Counterfactuals",
    "abduct_act_predict",
    "acted_world",
    "counterfactual",
    "factual_values",
    "run_with_noise",
    "unit_counterfactuals",
]
