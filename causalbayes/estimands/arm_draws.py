"""Where an ``Experiment``'s fit and arm means come from: a sampled fit, or a closed form.

A conjugate experiment (``sampler="exact"``) is answered from its closed-form
draws; the ``Fit`` (PyMC, ArviZ) and the labelled means (xarray) are built from
the same draws when first read, so ``cb.ab_test`` imports neither to answer.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from causalbayes.experiments import Marginal
from causalbayes.inference.prepare import FitPlan, used_columns
from causalbayes.inference.samplers.exact import ExactDraws, cell_posteriors, exact_draws
from causalbayes.scm.naming import param_name
from causalbayes.scm.scm import SCM

if TYPE_CHECKING:
    import xarray as xr

    from causalbayes.inference.fit import Fit


class SampledArms:
    """The arms' means read off a sampled fit (NUTS): the ``ArmMeans`` query's draws."""

    def __init__(self, fit: Fit, means: xr.DataArray):
        self.fit, self.means, self.sampler = fit, means, fit.sampler
        self.labels = [str(v) for v in means.arm.values]
        self.data = fit.data

    def flat(self) -> np.ndarray:
        x = self.means.transpose("chain", "draw", "arm").values
        return x.reshape(-1, x.shape[-1])


class ExactArms:
    """A conjugate experiment's arm rates: closed-form draws now, the ``Fit`` on first use.

    The draws are those ``cb.fit`` makes for the same call (the same seeded
    generator calls), so ``fit`` (built from them, importing PyMC and ArviZ) and
    ``means`` (xarray) are what an eager fit gives; the answer needs neither.
    """

    def __init__(self, data: pd.DataFrame, plan: FitPlan, draws: ExactDraws, param: str):
        (post,) = [p for p in cell_posteriors(plan.encoded, plan.scales) if p.param == param]
        self.plan, self.draws, self.param, self.sampler = plan, draws, param, plan.info.name
        self.labels = [str(v) for v in post.levels or ()]  # levels: one rate per arm
        self.marginal = Marginal(post.light, dict(post.params))
        self.data = data.loc[:, used_columns(plan.encoded)].copy()  # as the Fit keeps it

    def flat(self) -> np.ndarray:
        x = self.draws.posterior[self.param]
        return x.reshape(-1, x.shape[-1])

    @cached_property
    def fit(self) -> Fit:
        from causalbayes.inference.sampling import exact_fit

        return exact_fit(self.data, self.plan, self.draws.inference_data())

    @cached_property
    def means(self) -> xr.DataArray:
        import xarray as xr

        x = self.draws.posterior[self.param]
        coords = {"chain": np.arange(x.shape[0]), "draw": np.arange(x.shape[1])}
        dims = ("chain", "draw", "arm")
        return xr.DataArray(x, dims=dims, coords=coords | {"arm": self.labels}, name=self.param)


def exact_arms(data: pd.DataFrame, plan: FitPlan, arm: str, outcome: str) -> ExactArms:
    """The closed-form draws ``cb.fit`` makes for ``plan``, and the arms' marginals."""
    draws = exact_draws(
        plan.encoded,
        plan.scales,
        draws=plan.draws,
        chains=plan.chains,
        random_seed=plan.random_seed,
    )
    return ExactArms(data, plan, draws, param_name(outcome, arm))


def sampled_arms(
    scm: SCM, data: pd.DataFrame, arm: str, outcome: str, random_seed, options
) -> SampledArms:
    """Fit by NUTS and read the arms' means from the interventional worlds."""
    from causalbayes.estimands.arms import ArmMeans
    from causalbayes.estimands.query import evaluate
    from causalbayes.inference.sampling import fit as fit_scm

    fitted = fit_scm(scm, data, random_seed=random_seed, **options)
    effect = evaluate(ArmMeans(arm, outcome), fitted, random_seed=random_seed)
    return SampledArms(fitted, effect.draws)


__all__ = ["ExactArms", "SampledArms", "exact_arms", "sampled_arms"]
