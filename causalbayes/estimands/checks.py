"""The gates every query passes: diagnostics first, then identification.

A query on a graph that does not identify it still gets a posterior (from the
priors and the functional form); we warn (or refuse) and report how much the
posterior of the effect contracted from its prior.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence

import arviz as az
import numpy as np
import pymc as pm

from causalbayes.errors import (
    DiagnosticsError,
    DiagnosticsWarning,
    IdentificationWarning,
    QueryError,
)
from causalbayes.identification import Identification, identify
from causalbayes.inference.fit import Fit

IDENTIFICATION_OPTIONS = ("warn", "raise", "ignore")
DIAGNOSTICS_OPTIONS = ("warn", "raise", "ignore")


def diagnostics_gate(fit: Fit, diagnostics: str = "warn") -> list[str]:
    """The fit's failed diagnostics, warned about (default), refused, or ignored.

    Every result computed from a fit passes here: a number from draws that did
    not converge is never handed over without saying so.
    """
    if diagnostics not in DIAGNOSTICS_OPTIONS:
        raise QueryError(f"diagnostics must be one of {DIAGNOSTICS_OPTIONS}, got {diagnostics!r}")
    problems = fit.diagnostics.problems()
    if not problems or diagnostics == "ignore":
        return problems
    headline = "stuck chains" if fit.diagnostics.stuck else "failed sampler diagnostics"
    message = (
        f"this result comes from a fit with {headline}; do not trust it until the fit is "
        "repaired: " + "; ".join(problems)
    )
    if diagnostics == "raise":
        raise DiagnosticsError(message)
    warnings.warn(message, DiagnosticsWarning, stacklevel=4)
    return problems


def verdict_for(fit: Fit, treatment: str, outcome: str, identification: str):
    """The identification verdict of ``P(outcome | do(treatment))`` (None when ignored);
    raises for a non-identified query when ``identification="raise"``."""
    if identification not in IDENTIFICATION_OPTIONS:
        raise QueryError(
            f"identification must be one of {IDENTIFICATION_OPTIONS}, got {identification!r}"
        )
    verdict = None if identification == "ignore" else identify(fit.scm, treatment, outcome)
    if verdict is not None and not verdict.identified and identification == "raise":
        raise QueryError(
            f"{verdict.query} is not identified by the graph: {verdict.reason}. Its posterior "
            "would rest on priors and functional form, not on the data; measure the missing "
            "variables, or pass identification='warn' to compute it anyway"
        )
    return verdict


def prior_fit(fit: Fit, names: Sequence[str], draws: int, random_seed: int | None) -> Fit:
    """A copy of ``fit`` whose "posterior" holds prior draws of ``names`` (one chain)."""
    seed = int(np.random.default_rng(random_seed).integers(2**31)) + 1
    prior = pm.sample_prior_predictive(
        draws=draws, model=fit.model, var_names=list(names), random_seed=seed
    )
    return dataclasses.replace(fit, idata=az.InferenceData(posterior=prior.prior))


def contraction(posterior: np.ndarray, prior: np.ndarray) -> float | list[float]:
    """``1 - var(posterior) / var(prior)`` of effect draws shaped ``(chain, draw, ...)``."""
    post = np.asarray(posterior).reshape(-1, *np.shape(posterior)[2:]).var(axis=0)
    pri = np.asarray(prior).reshape(-1, *np.shape(prior)[2:]).var(axis=0)
    value = 1 - post / np.where(pri > 0, pri, np.nan)
    return float(value) if np.ndim(value) == 0 else [float(v) for v in value]


def warn_not_identified(verdict: Identification, shrink: float | list[float] | None) -> None:
    if shrink is None:
        how = ""
    else:
        shown = (
            f"{shrink:.2f}" if isinstance(shrink, float) else ", ".join(f"{v:.2f}" for v in shrink)
        )
        how = (
            f" The posterior contracted by {shown} from the prior (1 - var posterior / var prior; "
            "near 0: the answer comes from the priors alone)."
        )
    warnings.warn(
        f"{verdict.query} is not identified by the graph: {verdict.reason}.{how} Treat the "
        "effect as a sensitivity analysis, or pass identification='raise' to refuse such queries.",
        IdentificationWarning,
        stacklevel=3,
    )
