"""Average treatment effect through two ``pm.do`` worlds."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import arviz as az
import numpy as np
import pymc as pm

from causalbayes.errors import IdentificationWarning, QueryError
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.values import default_contrast, encode_value
from causalbayes.estimands.worlds import InterventionalMean
from causalbayes.identification import Identification, identify
from causalbayes.inference.fit import Fit

IDENTIFICATION_OPTIONS = ("warn", "raise", "ignore")


def ate(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    population: bool = False,
    n: int | None = None,
    random_seed: int | None = None,
    identification: str = "warn",
    prior_draws: int = 500,
) -> Effect:
    """Average treatment effect ``E[Y | do(T=a)] - E[Y | do(T=b)]`` as a posterior.

    Parameters
    ----------
    fit : Fit
    treatment, outcome : str
        Node names.
    values : (a, b), optional
        Treated and control values; default ``(1, 0)`` for a Bernoulli
        treatment and (second level, first level) for a two-level categorical.
    population : bool
        False (default): sample ATE — covariates that are not affected by the
        treatment stay at their observed values (latent ones at their
        posterior draws).  True: population ATE — every other node is drawn
        from the model, for ``n`` units (default: as many as the data).
    random_seed : int, optional
        Seeds the draws of regenerated nodes (mediators, or all nodes when
        ``population=True``).
    identification : {"warn", "raise", "ignore"}
        What to do when the graph does not identify ``P(outcome | do(treatment))``
        (see :func:`causalbayes.identify`): warn with an
        :class:`~causalbayes.IdentificationWarning` (default) that reports how
        much the posterior of the effect contracted from its prior, raise a
        ``QueryError``, or skip the check.
    prior_draws : int
        Prior draws used for the contraction of a non-identified effect.

    Returns
    -------
    Effect
        Draws with dims ``(chain, draw)``; for a categorical outcome an extra
        dim over its levels (effect on each level's probability).
        ``details["identified"]`` holds the verdict (None when ignored); for a
        non-identified query ``details["contraction"]`` is
        ``1 - var(posterior) / var(prior)`` of the effect: near 0 means the
        answer comes from the priors alone.

    Examples
    --------
    >>> effect = fit.ate("dilution", "coating")  # doctest: +SKIP
    >>> effect.summary()  # doctest: +SKIP
    """
    scm = fit.scm
    for role, name in (("treatment", treatment), ("outcome", outcome)):
        if name not in scm:
            raise QueryError(f"{role} {name!r} is not in the graph; nodes are {list(scm.nodes)}")
    if treatment == outcome:
        raise QueryError("treatment and outcome must be different nodes")
    if values is None:
        values = default_contrast(scm, treatment)
    if len(values) != 2:
        raise QueryError(f"values must be two treatment values (treated, control), got {values!r}")
    codes = [encode_value(scm, treatment, v) for v in values]
    if n is not None and not population:
        raise QueryError(
            "n only applies to the population ATE (population=True); the sample ATE uses the data's units"
        )
    if identification not in IDENTIFICATION_OPTIONS:
        raise QueryError(
            f"identification must be one of {IDENTIFICATION_OPTIONS}, got {identification!r}"
        )
    verdict = None if identification == "ignore" else identify(scm, treatment, outcome)
    if verdict is not None and not verdict.identified and identification == "raise":
        raise QueryError(
            f"{verdict.query} is not identified by the graph: {verdict.reason}. Its posterior "
            "would rest on priors and functional form, not on the data; measure the missing "
            "variables, or pass identification='warn' to compute it anyway"
        )
    mean_under = InterventionalMean.build(
        fit, treatment, outcome, population=population, n=n, random_seed=random_seed
    )
    draws = mean_under(codes[0]) - mean_under(codes[1])
    a, b = values
    details = {
        "treatment": treatment,
        "outcome": outcome,
        "values": [_plain(a), _plain(b)],
        "population": population,
        "n_units": mean_under.n_units,
        "identified": None if verdict is None else verdict.identified,
    }
    if verdict is not None and not verdict.identified:
        prior_mean = dataclasses.replace(
            mean_under, fit=prior_fit(fit, mean_under.draws.input_names, prior_draws, random_seed)
        )
        prior = prior_mean(codes[0]) - prior_mean(codes[1])
        details["contraction"] = contraction(draws.values, prior.values)
        prior_sd = prior.std(("chain", "draw")).values
        details["prior_sd"] = float(prior_sd) if prior_sd.ndim == 0 else prior_sd.tolist()
        warn_not_identified(verdict, details["contraction"])
    return Effect(
        draws=draws.rename("ate"),
        estimand="ATE",
        description=f"E[{outcome} | do({treatment}={a})] - E[{outcome} | do({treatment}={b})]",
        details=details,
    )


# -- identification check (issue 5): shared by every effect query -------------------------


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


def warn_not_identified(verdict: Identification, shrink: float | list[float]) -> None:
    shown = f"{shrink:.2f}" if isinstance(shrink, float) else ", ".join(f"{v:.2f}" for v in shrink)
    warnings.warn(
        f"{verdict.query} is not identified by the graph: {verdict.reason}. The posterior "
        f"contracted by {shown} from the prior (1 - var posterior / var prior; near 0: the "
        "answer comes from the priors alone). Treat the effect as a sensitivity analysis, or "
        "pass identification='raise' to refuse such queries.",
        IdentificationWarning,
        stacklevel=3,
    )


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
