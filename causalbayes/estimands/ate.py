"""Average treatment effect through two ``pm.do`` worlds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from causalbayes.estimands.checks import check_names, evaluate_effect
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.values import treatment_pair
from causalbayes.inference.fit import Fit


def ate(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    n: int | None = None,
    random_seed: int | None = None,
    identification: str = "warn",
    prior_draws: int = 500,
    diagnostics: str = "warn",
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
    population : bool or {"bootstrap", "model"}
        False (default): sample ATE — covariates that are not affected by the
        treatment stay at their observed values (latent ones at their
        posterior draws), each unit weighing ``1/n``.  True (``"bootstrap"``):
        population ATE — the same units reweighted by a Bayesian bootstrap
        (flat Dirichlet weights, fresh for every posterior draw), which adds
        the uncertainty about the covariate distribution without modelling
        it (given covariates need no model).  ``"model"``: every other node is
        drawn from its fitted mechanism, for ``n`` units (default: as many as
        the data); needs every covariate modelled.
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
    diagnostics : {"warn", "raise", "ignore"}
        What to do when the fit's sampler diagnostics failed: warn with a
        :class:`~causalbayes.DiagnosticsWarning` (default; the effect's
        ``summary()`` and ``warnings`` say so too), raise
        :class:`~causalbayes.DiagnosticsError`, or say nothing (the failure
        stays in ``details["diagnostics"]``).

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
    >>> effect = cb.ate(fit, "dilution", "coating")  # doctest: +SKIP
    >>> effect.summary()  # doctest: +SKIP
    """
    check_names(fit, treatment, outcome)
    values, codes = treatment_pair(fit.scm, treatment, values, fit.encoded.values.get(treatment))
    draws, details, mean_under = evaluate_effect(
        fit,
        treatment,
        outcome,
        lambda mean: mean(codes[0]) - mean(codes[1]),
        identification=identification,
        prior_draws=prior_draws,
        diagnostics=diagnostics,
        population=population,
        n=n,
        random_seed=random_seed,
    )
    a, b = values
    details = {
        "treatment": treatment,
        "outcome": outcome,
        "values": [_plain(a), _plain(b)],
        "population": mean_under.population,
        "n_units": mean_under.n_units,
        **details,
    }
    return Effect(
        draws=draws.rename("ate"),
        estimand="ATE",
        description=f"E[{outcome} | do({treatment}={a})] - E[{outcome} | do({treatment}={b})]",
        details=details,
    )


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
