"""The result of conditioning an SCM on data: posterior draws plus the spec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from causalbayes._defaults import HDI_PROB
from causalbayes.compile import Design, design_for, model_and_design
from causalbayes.data.default_priors import resolved_priors
from causalbayes.data.encode import EncodedData, encode_data
from causalbayes.data.scales import Scales
from causalbayes.inference.blocks import Block
from causalbayes.inference.diagnostics import Diagnostics
from causalbayes.scm.priors import Prior
from causalbayes.scm.scm import SCM


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
    blocks : tuple of Block
        The independent blocks the posterior was sampled in, fitted or not yet
        (empty: one joint model of every mechanism, all fitted).
    settings : mapping
        The sampler settings ``cb.fit_more`` reuses (draws, tune, chains,
        target_accept, the sampler asked for, the seed's entropy, ...).

    Examples
    --------
    :func:`~causalbayes.fit` returns one after MCMC; :func:`causalbayes.testing.example_fit`
    is one with draws given (no MCMC), for examples and tests:

    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> fit = example_fit()
    >>> fit
    Fit(SCM('humid -> dilution; humid -> coating; dilution -> coating'), n=200, sampler='pymc', chains=2, draws=100, divergences=0, rhat_max=1.000)
    >>> fit.summary()[["mean", "sd"]].round(2).loc[["coating.dilution", "coating.sigma"]]
                      mean    sd
    parameter
    coating.dilution -0.42  0.01
    coating.sigma     0.20  0.01
    >>> round(cb.ate(fit, "dilution", "coating").mean(), 2)
    -0.42
    """

    scm: SCM
    data: pd.DataFrame
    idata: az.InferenceData
    scales: Scales
    diagnostics: Diagnostics
    sampler: str = "pymc"
    missing: str = "raise"
    blocks: tuple[Block, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

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

    @property
    def fitted(self) -> tuple[str, ...]:
        """Nodes whose mechanisms are in the posterior (every modelled node unless the fit
        was asked for some queries only)."""
        if not self.blocks:
            return self.scm.modelled
        done = {v for b in self.blocks if b.fitted for v in b.nodes}
        return tuple(v for v in self.scm.modelled if v in done)

    @property
    def unfitted(self) -> tuple[str, ...]:
        """Nodes whose mechanisms are not sampled yet (``cb.fit_more`` samples them)."""
        done = set(self.fitted)
        return tuple(v for v in self.scm.modelled if v not in done)

    def block_of(self, node: str) -> Block | None:
        """The block holding ``node``'s mechanism (None for a joint fit or a given node)."""
        return next((b for b in self.blocks if node in b.nodes), None)

    def priors(self) -> dict[str, Prior]:
        """The prior of every parameter as used in this fit (defaults resolved)."""
        return resolved_priors(self.scm, self.scales)

    def summary(self, *, hdi_prob: float = HDI_PROB) -> pd.DataFrame:
        """Posterior mean, sd, HDI, R-hat and bulk ESS of every parameter (one row per element).

        A fit sampled in several blocks adds a ``block`` column; the parameters of
        mechanisms not fitted yet are listed with NaN and block ``"not fitted"``.
        """
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
        table = pd.DataFrame(rows, columns=_COLUMNS).set_index("parameter")
        if len(self.blocks) <= 1:
            return table
        names = {
            p.name: self.block_of(p.node) for p in self.scm.parameters() if p.kind != "auxiliary"
        }
        table["block"] = [names[_base(label)].name for label in table.index]
        missing = [n for n, b in names.items() if b is not None and not b.fitted]
        if missing:
            blank = pd.DataFrame(
                {c: np.nan for c in _COLUMNS[1:]} | {"block": "not fitted"},
                index=pd.Index(missing, name="parameter"),
            )
            table = pd.concat([table, blank])
        return table

    def __repr__(self) -> str:
        d = self.diagnostics
        shown = f"rhat_max={d.rhat_max:.3f})"
        if self.unfitted:
            shown = (
                f"rhat_max={d.rhat_max:.3f}, fitted={list(self.fitted)}, "
                f"not fitted={list(self.unfitted)}: cb.fit_more(fit))"
            )
        return (
            f"Fit({self.scm!r}, n={len(self.data)}, sampler={self.sampler!r}, "
            f"chains={d.chains}, draws={d.draws}, divergences={d.divergences}, {shown}"
        )


_COLUMNS = ["parameter", "mean", "sd", "hdi_low", "hdi_high", "r_hat", "ess_bulk"]


def _base(label: str) -> str:
    """The parameter name of a summary row label (``name`` or ``name[level]``)."""
    return label.split("[", 1)[0] if label.endswith("]") else label


def _elements(draws: xr.DataArray, extra: list[str]):
    """(label template, index into the posterior mean) for each element of a parameter."""
    if not extra:
        yield "{name}", ()
        return
    coords = [draws.coords[d].values for d in extra]
    for index in np.ndindex(*[len(c) for c in coords]):
        label = ",".join(str(c[i]) for c, i in zip(coords, index, strict=True))
        yield "{name}[" + label.replace("{", "{{").replace("}", "}}") + "]", index
