"""Sampler diagnostics: divergences, R-hat, bulk ESS, with advice when bad."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import arviz as az
import numpy as np

from causalbayes.errors import DiagnosticsWarning

RHAT_MAX = 1.01
ESS_PER_CHAIN_MIN = 100


@dataclass(frozen=True)
class Diagnostics:
    divergences: int
    rhat_max: float
    ess_bulk_min: float
    chains: int
    draws: int

    def problems(self) -> list[str]:
        """Plain-language problems with advice; empty when all is well."""
        out = []
        if self.divergences:
            out.append(
                f"{self.divergences} divergent transition(s): the posterior may be biased. "
                "Raise target_accept (e.g. fit(..., target_accept=0.95)), or use tighter priors"
            )
        if self.chains > 1 and not self.rhat_max <= RHAT_MAX:
            out.append(
                f"max R-hat {self.rhat_max:.3f} > {RHAT_MAX}: chains disagree. "
                "Run more tuning/draws (fit(..., tune=2000, draws=2000)) and check for multimodality"
            )
        if self.ess_bulk_min < ESS_PER_CHAIN_MIN * self.chains:
            out.append(
                f"min bulk ESS {self.ess_bulk_min:.0f} < {ESS_PER_CHAIN_MIN * self.chains}: "
                "too few effective draws for stable summaries; increase draws"
            )
        return out

    def to_dict(self) -> dict:
        return {
            "divergences": self.divergences,
            "rhat_max": self.rhat_max,
            "ess_bulk_min": self.ess_bulk_min,
            "chains": self.chains,
            "draws": self.draws,
        }


def diagnose(idata: az.InferenceData, var_names: Sequence[str]) -> Diagnostics:
    posterior = idata.posterior
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    divergences = 0
    if "sample_stats" in idata.groups() and "diverging" in idata.sample_stats:
        divergences = int(idata.sample_stats["diverging"].sum())
    var_names = [v for v in var_names if v in posterior]
    if not var_names:
        return Diagnostics(divergences, float("nan"), float("nan"), chains, draws)
    rhat = az.rhat(posterior, var_names=var_names) if chains > 1 else None
    ess = az.ess(posterior, var_names=var_names, method="bulk")
    rhat_max = (
        max(float(np.nanmax(rhat[v].values)) for v in var_names)
        if rhat is not None
        else float("nan")
    )
    ess_min = min(float(np.nanmin(ess[v].values)) for v in var_names)
    return Diagnostics(divergences, rhat_max, ess_min, chains, draws)


def warn_if_bad(diagnostics: Diagnostics) -> None:
    for problem in diagnostics.problems():
        warnings.warn(problem, DiagnosticsWarning, stacklevel=3)
