"""Sampler diagnostics: divergences, R-hat, bulk ESS, with advice that fits the failure.

Stuck chains (they never left their starts, or never met) are a different
failure from a few divergent transitions: the first means nothing can be read
from the draws, the second a possible bias that a smaller step size may fix.
The advice says which, and names the parameters at fault.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import arviz as az
import numpy as np

from causalbayes.errors import DiagnosticsWarning

RHAT_MAX = 1.01
ESS_PER_CHAIN_MIN = 100
# Beyond these the chains did not explore the posterior at all.
RHAT_STUCK = 1.2
DIVERGENT_SHARE_STUCK = 0.5
# Up to this share, divergences are "a few" (target_accept is the usual fix).
DIVERGENT_SHARE_FEW = 0.01
WORST_SHOWN = 3


@dataclass(frozen=True)
class Diagnostics:
    """Summary of a run's convergence checks.

    ``worst`` lists the parameters with the highest R-hat (or lowest ESS with
    one chain) as ``(name, rhat, ess_bulk)``, worst first.
    """

    divergences: int
    rhat_max: float
    ess_bulk_min: float
    chains: int
    draws: int
    worst: tuple[tuple[str, float, float], ...] = ()

    @property
    def transitions(self) -> int:
        return self.chains * self.draws

    @property
    def stuck(self) -> bool:
        """Whether the chains failed to explore the posterior (not merely a few problems)."""
        divergent_share = self.divergences / max(self.transitions, 1)
        return bool(
            (self.chains > 1 and not self.rhat_max <= RHAT_STUCK)
            or divergent_share > DIVERGENT_SHARE_STUCK
            or self.ess_bulk_min < 2 * self.chains
        )

    @property
    def ok(self) -> bool:
        return not self.problems()

    def problems(self) -> list[str]:
        """Plain-language problems with the advice that fits each; empty when all is well."""
        at = self._where()
        if self.stuck:
            return [
                f"the chains are stuck: they did not explore the posterior (max R-hat "
                f"{self.rhat_max:.3g}, min bulk ESS {self.ess_bulk_min:.0f}, "
                f"{self.divergences} of {self.transitions} transitions divergent{at}). No "
                "summary of these draws can be trusted, and raising target_accept will not "
                "help: check that every query's parameters are identified by the data, that "
                "the data hold what you expect (extreme or constant columns), and that the "
                "priors are sensible (fit.priors(), cb.prior_predictive(scm, data)); then refit"
            ]
        out = []
        share = self.divergences / max(self.transitions, 1)
        if self.divergences and share <= DIVERGENT_SHARE_FEW:
            out.append(
                f"{self.divergences} divergent transition(s): the posterior may be slightly "
                "biased. Refit with a smaller step size: cb.fit(scm, data, target_accept=0.95)"
            )
        elif self.divergences:
            out.append(
                f"{self.divergences} of {self.transitions} transitions divergent ({share:.0%}): "
                "the sampler cannot follow the posterior's geometry, so it is likely biased. "
                "Try cb.fit(scm, data, target_accept=0.95); if divergences remain, reparameterize "
                "(group effects: centered=False) or use tighter priors"
            )
        if self.chains > 1 and not self.rhat_max <= RHAT_MAX:
            out.append(
                f"max R-hat {self.rhat_max:.3f} > {RHAT_MAX}{at}: chains disagree. Run longer "
                "(cb.fit(scm, data, tune=2000, draws=2000)); if it persists, look for several modes "
                "(az.plot_trace(fit.idata))"
            )
        if self.ess_bulk_min < ESS_PER_CHAIN_MIN * self.chains:
            out.append(
                f"min bulk ESS {self.ess_bulk_min:.0f} < {ESS_PER_CHAIN_MIN * self.chains}{at}: "
                "too few effective draws for stable summaries; increase draws"
            )
        return out

    def _where(self) -> str:
        if not self.worst:
            return ""
        return ", worst: " + ", ".join(
            f"{name} (R-hat {rhat:.3f}, ESS {ess:.0f})" for name, rhat, ess in self.worst
        )

    def to_dict(self) -> dict:
        return {
            "divergences": self.divergences,
            "rhat_max": self.rhat_max,
            "ess_bulk_min": self.ess_bulk_min,
            "chains": self.chains,
            "draws": self.draws,
            "worst": [list(w) for w in self.worst],
        }


def diagnose(idata: az.InferenceData, var_names: Sequence[str]) -> Diagnostics:
    """Divergences, and R-hat and bulk ESS over ``var_names`` (those in the posterior)."""
    posterior = idata.posterior
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    divergences = 0
    if "sample_stats" in idata.groups() and "diverging" in idata.sample_stats:
        divergences = int(idata.sample_stats["diverging"].sum())
    var_names = [v for v in dict.fromkeys(var_names) if v in posterior]
    var_names = [
        v for v in var_names if np.ptp(posterior[v].values) > 0
    ]  # constants: nothing to check
    if not var_names:
        return Diagnostics(divergences, 1.0, float("inf"), chains, draws)
    with warnings.catch_warnings():
        # constant draws (fixed or deterministic-constant values) give NaN R-hat with a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        rhat = az.rhat(posterior, var_names=var_names) if chains > 1 else None
        ess = az.ess(posterior, var_names=var_names, method="bulk")
    per_variable = []
    for v in var_names:
        ess_v = _finite_or(np.nanmin, ess[v], 0.0)
        # a NaN R-hat of a moving variable means chains that each sat still: stuck
        rhat_v = _finite_or(np.nanmax, rhat[v], np.inf) if rhat is not None else float("nan")
        per_variable.append((v, rhat_v, ess_v))
    rhat_max = max(r for _, r, _ in per_variable) if rhat is not None else float("nan")
    ess_min = min(e for _, _, e in per_variable)
    ranked = sorted(per_variable, key=(lambda t: -t[1]) if rhat is not None else (lambda t: t[2]))
    worst = tuple(ranked[:WORST_SHOWN]) if _bad(rhat_max, ess_min, chains) else ()
    return Diagnostics(divergences, rhat_max, ess_min, chains, draws, worst)


def _finite_or(reduce, values, default: float) -> float:
    values = np.asarray(values, dtype="float64")
    return float(reduce(values)) if np.isfinite(values).any() else default


def _bad(rhat_max: float, ess_min: float, chains: int) -> bool:
    return (chains > 1 and not rhat_max <= RHAT_MAX) or ess_min < ESS_PER_CHAIN_MIN * chains


def warn_if_bad(diagnostics: Diagnostics) -> None:
    for problem in diagnostics.problems():
        warnings.warn(problem, DiagnosticsWarning, stacklevel=3)
