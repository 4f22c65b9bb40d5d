"""The result of conditioning an SCM on data: posterior draws plus the spec."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from causalbayes.compile import Design, design_for, model_and_design
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.spec.data import EncodedData, encode_data
from causalbayes.spec.default_priors import resolved_priors
from causalbayes.spec.priors import Prior
from causalbayes.spec.scales import Scales
from causalbayes.spec.scm import SCM

if TYPE_CHECKING:
    from causalbayes.estimands.effect import Effect


@dataclass(frozen=True, eq=False)
class Fit:
    """Posterior of an SCM given data.

    Attributes
    ----------
    scm : SCM
        The spec, with categorical levels resolved from the data.
    data : DataFrame
        A copy of the columns the model used.
    idata : arviz.InferenceData
        ``posterior`` and ``sample_stats`` groups.
    scales : Scales
        Data scales behind the default priors.
    diagnostics : Diagnostics
    sampler : str
    missing : {"raise", "impute"}
        How missing values in ``data`` were treated (imputed entries are the
        latent ``<node>.missing`` in the posterior).
    """

    scm: SCM
    data: pd.DataFrame
    idata: az.InferenceData
    scales: Scales
    diagnostics: Diagnostics
    sampler: str = "pymc"
    missing: str = "raise"

    @property
    def posterior(self) -> xr.Dataset:
        return self.idata.posterior

    @cached_property
    def encoded(self) -> EncodedData:
        return encode_data(self.scm, self.data, missing=self.missing)

    @cached_property
    def design(self) -> Design:
        """Units, scales and exogenous columns of the fitted data."""
        return design_for(self.encoded, self.scales)

    @cached_property
    def model(self) -> pm.Model:
        """The generative model (nothing observed) the posterior belongs to."""
        return model_and_design(self.encoded, self.scales)[0]

    @property
    def parameter_names(self) -> list[str]:
        """Parameters shown in summaries: those with priors and derived ones (e.g. group effects)."""
        return [
            p.name
            for p in self.scm.parameters()
            if p.kind != "auxiliary" and p.name in self.posterior
        ]

    def priors(self) -> dict[str, Prior]:
        """The prior of every parameter as used in this fit (defaults resolved)."""
        return resolved_priors(self.scm, self.scales)

    def summary(self, *, hdi_prob: float = 0.94) -> pd.DataFrame:
        """Posterior mean, sd, HDI, R-hat and bulk ESS of every parameter (one row per element)."""
        names = self.parameter_names
        hdi = az.hdi(self.posterior[names], hdi_prob=hdi_prob)
        rhat = az.rhat(self.posterior[names]) if self.posterior.sizes["chain"] > 1 else None
        ess = az.ess(self.posterior[names], method="bulk")
        rows = []
        for name in names:
            draws = self.posterior[name]
            extra = [d for d in draws.dims if d not in ("chain", "draw")]
            mean, sd = draws.mean(("chain", "draw")), draws.std(("chain", "draw"))
            for label, index in _elements(draws, extra):
                rows.append(
                    {
                        "parameter": label.format(name=name),
                        "mean": float(mean[index]),
                        "sd": float(sd[index]),
                        "hdi_low": float(hdi[name].sel(hdi="lower")[index]),
                        "hdi_high": float(hdi[name].sel(hdi="higher")[index]),
                        "r_hat": float(rhat[name][index]) if rhat is not None else np.nan,
                        "ess_bulk": float(ess[name][index]),
                    }
                )
        return pd.DataFrame(rows).set_index("parameter")

    def ate(self, treatment: str, outcome: str, **kwargs: Any) -> Effect:
        """Average treatment effect; see :func:`causalbayes.estimands.ate`."""
        from causalbayes.estimands import ate

        return ate(self, treatment, outcome, **kwargs)

    def att(self, treatment: str, outcome: str, **kwargs: Any) -> Effect:
        """Average effect among the treated; see :func:`causalbayes.estimands.att`."""
        from causalbayes.estimands import att

        return att(self, treatment, outcome, **kwargs)

    def atu(self, treatment: str, outcome: str, **kwargs: Any) -> Effect:
        """Average effect among the untreated; see :func:`causalbayes.estimands.atu`."""
        from causalbayes.estimands import atu

        return atu(self, treatment, outcome, **kwargs)

    def cate(self, treatment: str, outcome: str, **kwargs: Any) -> Effect:
        """Conditional effects by subgroup; see :func:`causalbayes.estimands.cate`."""
        from causalbayes.estimands import cate

        return cate(self, treatment, outcome, **kwargs)

    def contrasts(self, treatment: str, outcome: str, **kwargs: Any) -> Effect:
        """Effects among k arms; see :func:`causalbayes.estimands.contrasts`."""
        from causalbayes.estimands import contrasts

        return contrasts(self, treatment, outcome, **kwargs)

    def dose_response(self, treatment: str, outcome: str, grid, **kwargs: Any) -> Effect:
        """``E[outcome | do(treatment = t)]`` over a grid; see :func:`causalbayes.estimands.dose_response`."""
        from causalbayes.estimands import dose_response

        return dose_response(self, treatment, outcome, grid, **kwargs)

    def shift_effect(self, treatment: str, outcome: str, delta: float, **kwargs: Any) -> Effect:
        """Effect of ``treatment := treatment + delta``; see :func:`causalbayes.estimands.shift_effect`."""
        from causalbayes.estimands import shift_effect

        return shift_effect(self, treatment, outcome, delta, **kwargs)

    def average_marginal_effect(self, treatment: str, outcome: str, **kwargs: Any) -> Effect:
        """Average derivative at the observed treatment; see :func:`causalbayes.estimands.average_marginal_effect`."""
        from causalbayes.estimands import average_marginal_effect

        return average_marginal_effect(self, treatment, outcome, **kwargs)

    def policy_value(self, treatment: str, outcome: str, policy, **kwargs: Any) -> Effect:
        """Value of a treatment policy; see :func:`causalbayes.estimands.policy_value`."""
        from causalbayes.estimands import policy_value

        return policy_value(self, treatment, outcome, policy, **kwargs)

    def counterfactual(self, units: pd.DataFrame | None = None, **kwargs: Any):
        """Unit-level counterfactuals; see :func:`causalbayes.estimands.counterfactual`."""
        from causalbayes.estimands import counterfactual

        return counterfactual(self, units, **kwargs)

    def controlled_direct_effect(self, treatment: str, mediator: str, outcome: str, **kwargs: Any):
        """Effect with the mediator held fixed; see :func:`causalbayes.estimands.controlled_direct_effect`."""
        from causalbayes.estimands import controlled_direct_effect

        return controlled_direct_effect(self, treatment, mediator, outcome, **kwargs)

    def mediation(self, treatment: str, mediator: str, outcome: str, **kwargs: Any) -> Effect:
        """Natural direct and indirect effects; see :func:`causalbayes.estimands.mediation`."""
        from causalbayes.estimands import mediation

        return mediation(self, treatment, mediator, outcome, **kwargs)

    def probabilities_of_causation(self, treatment: str, outcome: str, **kwargs: Any):
        """PN and PS for a binary pair; see :func:`causalbayes.estimands.probabilities_of_causation`."""
        from causalbayes.estimands import probabilities_of_causation

        return probabilities_of_causation(self, treatment, outcome, **kwargs)

    def predict(self, data: pd.DataFrame, node: str, **kwargs: Any):
        """Posterior predictions of ``node`` for new rows; see :func:`causalbayes.estimands.predict`."""
        from causalbayes.estimands import predict

        return predict(self, data, node, **kwargs)

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Save to a folder: spec and metadata as JSON, posterior and data as netCDF."""
        from causalbayes.io import save_fit

        return save_fit(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | Path) -> Fit:
        from causalbayes.io import load_fit

        return load_fit(path)

    def __repr__(self) -> str:
        d = self.diagnostics
        return (
            f"Fit({self.scm!r}, n={len(self.data)}, sampler={self.sampler!r}, "
            f"chains={d.chains}, draws={d.draws}, divergences={d.divergences}, rhat_max={d.rhat_max:.3f})"
        )


def _elements(draws: xr.DataArray, extra: list[str]):
    """(label template, index into the posterior mean) for each element of a parameter."""
    if not extra:
        yield "{name}", ()
        return
    coords = [draws.coords[d].values for d in extra]
    for index in np.ndindex(*[len(c) for c in coords]):
        label = ",".join(str(c[i]) for c, i in zip(coords, index, strict=True))
        yield "{name}[" + label.replace("{", "{{").replace("}", "}}") + "]", index
