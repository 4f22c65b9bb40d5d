"""Posterior predictions of a node for new rows, with unseen groups drawn from their population."""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from causalbayes._defaults import HDI_PROB
from causalbayes.compile import expected_value, model_and_design
from causalbayes.data.encode import encode_data
from causalbayes.errors import DataError, QueryError
from causalbayes.estimands.checks import diagnostics_gate
from causalbayes.estimands.draws import DrawFunction, as_draws_array, flat_draws
from causalbayes.estimands.fitted import require_fitted
from causalbayes.estimands.worlds import posterior_inputs, typed_like
from causalbayes.inference.fit import Fit
from causalbayes.scm.naming import UNIT_DIM, levels_dim
from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Group

KINDS = ("mean", "observed")


@dataclass(frozen=True)
class Predictions:
    """Draws of a node for each new row, dims ``(chain, draw, unit[, levels])``.

    Examples
    --------
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> fit = example_fit()
    >>> pred = cb.predict(fit, fit.data.head(3), "coating")
    >>> pred.node, pred.kind, dict(pred.draws.sizes)
    ('coating', 'mean', {'chain': 2, 'draw': 100, 'unit': 3})
    >>> pred.summary().round(2)
          mean    sd  hdi_low  hdi_high
    unit
    0     0.44  0.02     0.41      0.47
    1     0.30  0.01     0.28      0.32
    2     0.30  0.01     0.27      0.33
    """

    draws: xr.DataArray
    node: str
    kind: str
    new_groups: dict[str, list[str]]

    def mean(self) -> np.ndarray:
        return self.draws.mean(("chain", "draw")).values

    def interval(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """Central (equal-tailed) interval per row."""
        tail = (1 - prob) / 2
        q = self.draws.quantile([tail, 1 - tail], dim=("chain", "draw")).values
        return pd.DataFrame({"low": q[0], "high": q[1]})

    def summary(self, *, hdi_prob: float = HDI_PROB) -> pd.DataFrame:
        """Mean, sd and HDI per row (per row and level for categorical nodes)."""
        hdi = az.hdi(self.draws, hdi_prob=hdi_prob)
        hdi = next(iter(hdi.data_vars.values())) if isinstance(hdi, xr.Dataset) else hdi
        frame = pd.DataFrame(
            {
                "mean": self.draws.mean(("chain", "draw")).values.ravel(),
                "sd": self.draws.std(("chain", "draw")).values.ravel(),
                "hdi_low": hdi.sel(hdi="lower").values.ravel(),
                "hdi_high": hdi.sel(hdi="higher").values.ravel(),
            }
        )
        extra = [d for d in self.draws.dims if d not in ("chain", "draw")]
        index = pd.MultiIndex.from_product(
            [self.draws.coords[d].values for d in extra], names=extra
        )
        return frame.set_index(index) if len(extra) > 1 else frame.rename_axis(UNIT_DIM)


def predict(
    fit: Fit,
    data: pd.DataFrame,
    node: str,
    *,
    kind: str = "mean",
    random_seed=None,
    diagnostics: str = "warn",
) -> Predictions:
    """Predict ``node`` for the rows of ``data`` from the posterior.

    Every observed node whose column ``data`` holds (the node's parents must
    be there) is set to its value; latent parents are drawn from the model.
    Exogenous columns (trials, standard errors, groups) come from ``data``.
    A group label the fit never saw gets its effect drawn from the
    population distribution (``Normal(0, sd)``) afresh for every draw.

    Parameters
    ----------
    kind : {"mean", "observed"}
        ``"mean"``: ``E[node | parents]`` (uncertainty of the mechanism only);
        ``"observed"``: a new observation, with the node's noise (and known
        measurement error, when the node has one).
    diagnostics : {"warn", "raise", "ignore"}
        What to do when the fit's sampler diagnostics failed (see ``ate``).

    Examples
    --------
    >>> import pandas as pd
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> new_rows = pd.DataFrame({"humid": [-1.0, 1.0], "dilution": [1, 1]})
    >>> pred = cb.predict(example_fit(), new_rows, "coating", kind="observed", random_seed=1)
    >>> pred.summary().round(1)
          mean   sd  hdi_low  hdi_high
    unit
    0      0.6  0.2      0.3       1.1
    1     -0.5  0.2     -0.9      -0.1
    """
    scm = fit.scm
    scm.check_node(node, "node to predict")
    if scm[node].is_given:
        raise QueryError(
            f"{node!r} is given (data, not modelled): there is no mechanism to predict it"
        )
    diagnostics_gate(fit, diagnostics)
    if kind not in KINDS:
        raise QueryError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    absent = [p for p in scm[node].parents if not scm[p].latent and p not in data.columns]
    if absent:
        raise DataError(f"data needs the column(s) {absent}: the observed parents of {node!r}")
    held = [v for v in scm.observed if v != node and v in data.columns]
    encoded = encode_data(scm, data, nodes=held, new_groups=True)
    resolved = encoded.scm
    model, design = model_and_design(encoded, fit.scales)
    world = pm.do(model, typed_like(model, {v: encoded.values[v] for v in held}))
    target = expected_value(resolved, node, world, design) if kind == "mean" else world[node]
    inputs = posterior_inputs(fit, world)
    require_fitted(fit, inputs, [target])
    draw_fn = DrawFunction.compile(inputs, [target], units=encoded.n, random_seed=random_seed)
    draws, new_groups = _extended_draws(fit, resolved, draw_fn.input_names, random_seed)
    (values,) = draw_fn(draws)
    dims, coords = [UNIT_DIM], {UNIT_DIM: np.arange(encoded.n)}
    if values.ndim > 2:
        dims.append(levels_dim(node))
        coords[levels_dim(node)] = list(resolved[node].levels)
    return Predictions(as_draws_array(values, fit.posterior, dims, coords), node, kind, new_groups)


def _extended_draws(fit: Fit, resolved: SCM, names, random_seed):
    """Posterior draws, with group effects of unseen groups drawn from their population."""
    draws = flat_draws(fit.posterior, names)
    rng = np.random.default_rng(random_seed)
    new_groups: dict[str, list[str]] = {}
    for name, node in resolved.nodes.items():
        for term in node.terms:
            if not isinstance(term, Group):
                continue
            known = len(fit.scm[name].levels_of_group(term.key))
            levels = node.levels_of_group(term.key)
            if len(levels) == known:
                continue
            new_groups[term.key] = list(levels[known:])
            effect, offsets = f"{name}.{term.name}", f"{name}.{term.name}.z"
            present = [v for v in (effect, offsets) if v in draws]
            if not present:
                continue
            current = draws[present[0]]
            fresh = rng.standard_normal((current.shape[0], len(levels) - known, *current.shape[2:]))
            sd = flat_draws(fit.posterior, [f"{effect}.sd"])[f"{effect}.sd"]
            scaled = fresh * sd.reshape(sd.shape[0], 1, *sd.shape[1:])
            # the effect itself (fed when present) and its standard-normal offsets agree
            for target, extra in ((effect, scaled), (offsets, fresh)):
                if target in draws:
                    draws[target] = np.concatenate([draws[target], extra], axis=1)
    return draws, new_groups
