"""Default priors, weakly informative on the data's scale (see :mod:`scales`).

For a node with outcome location ``m`` and scale ``s`` on the link scale:

- slope of a numeric design column ``x``: ``Normal(0, 2.5 s / sd(x))``;
  categorical contrasts: ``Normal(0, 2.5 s)``; a categorical-by-numeric
  interaction ``Normal(0, 2.5 s / sd(x))`` for its numeric factor ``x``;
- intercept: ``Normal(m, 2.5 s)`` *at the data means of the numeric columns*
  (the centred intercept, as rstanarm and brms state it), so in the model the
  intercept is ``Normal(m - sum_j beta_j mean(x_j), 2.5 s)`` given the slopes.
  Its marginal, ``Normal(m, sqrt((2.5 s)^2 + sum_j (mean(x_j) * 2.5 s / sd(x_j))^2))``,
  is what :func:`default_prior` reports.  The same holds for the cell means of
  a node without intercept, the first cutpoint and the hurdle intercept;
- ``sigma``: ``Exponential(1 / sd(y))`` (``1 / sd(log y)`` for log-normal
  nodes); ``nu``: ``Gamma(2, 0.1)``;
  ``alpha`` (negative-binomial dispersion, gamma shape): ``Exponential(0.1)``;
- identity link on a probability (Bernoulli/Binomial): intercept or cell
  means ``Beta(1, 1)``, slopes ``Normal(0, 1 / sd(x))``;
- a latent Normal root is standardised: intercept fixed at 0, sigma at 1
  (its location and scale are not identified from data);
- powers ``x^k`` as numeric columns (``sd`` of ``x^k`` from the data);
  spline coefficients ``Normal(0, 2.5 s)`` (basis functions lie in [0, 1]);
- group-effect sds: ``HalfNormal(2.5 s)`` for intercepts,
  ``HalfNormal(2.5 s / sd(x))`` for slopes of ``x``;
- hurdle predictor (logit of P(y > 0)): intercept ``Normal(0, 2.5)``,
  slopes ``Normal(0, 2.5 / sd(x))``;
- Beta precision ``phi``: ``Gamma(2, 0.1)``; zero-inflation ``psi``: ``Beta(1, 1)``;
- ordered cutpoints: first ``Normal(0, 2.5)``, gaps ``Exponential(0.5)``.
"""

from __future__ import annotations

import math

from causalbayes.data.scales import Scales
from causalbayes.scm.priors import Prior
from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Group, Spline


def outcome_location_scale(scm: SCM, name: str, scales: Scales) -> tuple[float, float]:
    """Location and scale of the node's outcome on its link scale (``(0, 1)`` for logits)."""
    node, sc = scm.nodes[name], scales[name]
    return node.family_info.location_scale(node.link, sc.mean, sc.sd, sc.log_mean, sc.log_sd)


def noise_scale(scm: SCM, name: str, scales: Scales) -> float:
    """The data scale of a node's ``sigma``: sd of the values, of their logs for log-normals."""
    sc = scales[name]
    return scm.nodes[name].family_info.noise_scale(sc.sd, sc.log_sd)


def _is_probability_identity(scm: SCM, name: str) -> bool:
    node = scm.nodes[name]
    return node.link == "identity" and node.family in {"Bernoulli", "Binomial"}


def column_scale(scm: SCM, term, scales: Scales) -> tuple[float, float]:
    """(mean, sd) of a term's design column.

    A categorical term counts as mean 0 (never centred) and the sd of its
    numeric factor, if any (1 for contrasts alone).
    """
    if scm.term_is_categorical(term):
        numeric = [v for v in term.variables if not scm.is_categorical(v)]
        return 0.0, (scales[numeric[0]].sd if numeric else 1.0)
    sc = scales[term.name]
    return sc.mean, sc.sd


def default_prior(scm: SCM, name: str, local: str, scales: Scales) -> Prior:
    """The default prior of parameter ``<name>.<local>``."""
    node = scm.nodes[name]
    m, s = outcome_location_scale(scm, name, scales)
    prob_identity = _is_probability_identity(scm, name)
    if node.latent and not node.parents and node.family == "Normal":
        if local == "intercept":
            return Prior("Fixed", value=0.0)
        if local == "sigma":
            return Prior("Fixed", value=1.0)
    if local in _SCALE_FREE_DEFAULTS:
        return _SCALE_FREE_DEFAULTS[local]
    if local == "sigma":
        return Prior("Exponential", lam=1.0 / noise_scale(scm, name, scales))
    terms = {t.name: t for t in node.terms}
    if local.endswith(".sd"):
        group = terms[local.removesuffix(".sd")]
        sd_x = scales[group.variable].sd if group.variable else 1.0
        return Prior("HalfNormal", sigma=2.5 * s / sd_x)
    if local.startswith("hurdle."):
        sub = local.removeprefix("hurdle.")
        if sub == "intercept":
            return Prior("Normal", mu=0.0, sigma=2.5)
        return Prior("Normal", mu=0.0, sigma=2.5 / column_scale(scm, terms[sub], scales)[1])
    if isinstance(terms.get(local), Spline):
        return Prior("Normal", mu=0.0, sigma=2.5 * s)
    cell_means = scm.cell_means_parent(name)
    if local == "intercept" or (cell_means is not None and local == cell_means.name):
        if prob_identity:
            return Prior("Beta", alpha=1.0, beta=1.0)
        spread = (2.5 * s) ** 2
        for term in node.terms:
            if isinstance(term, (Spline, Group)):
                continue
            mean_j, sd_j = column_scale(scm, term, scales)
            spread += (mean_j * 2.5 * s / sd_j) ** 2
        return Prior("Normal", mu=m, sigma=math.sqrt(spread))
    term = next(t for t in node.terms if t.name == local)
    _, sd_j = column_scale(scm, term, scales)
    return Prior("Normal", mu=0.0, sigma=(1.0 if prob_identity else 2.5 * s) / sd_j)


# defaults that do not depend on the data's scale
_SCALE_FREE_DEFAULTS = {
    "nu": Prior("Gamma", alpha=2.0, beta=0.1),
    "alpha": Prior("Exponential", lam=0.1),
    "phi": Prior("Gamma", alpha=2.0, beta=0.1),  # no mass at 0, where Beta piles onto 0 and 1
    "psi": Prior("Beta", alpha=1.0, beta=1.0),
    "cutpoints.first": Prior("Normal", mu=0.0, sigma=2.5),
    "cutpoints.gaps": Prior("Exponential", lam=0.5),
}


def resolved_priors(scm: SCM, scales: Scales) -> dict[str, Prior]:
    """Every parameter's prior (kind ``prior``): the user's where given, otherwise the default."""
    out = {}
    for p in scm.parameters():
        if p.kind != "prior":
            continue
        given = scm.nodes[p.node].prior_for(p.local)
        out[p.name] = given if given is not None else default_prior(scm, p.node, p.local, scales)
    return out


def centred_location_prior(scm: SCM, name: str, local: str, scales: Scales) -> Prior:
    """The default prior of a location parameter at the data means of the numeric columns."""
    if local in {"cutpoints.first", "hurdle.intercept"}:
        return default_prior(scm, name, local, scales)  # logit scale: no data location
    m, s = outcome_location_scale(scm, name, scales)
    return Prior("Normal", mu=m, sigma=2.5 * s)


__all__ = [
    "centred_location_prior",
    "column_scale",
    "default_prior",
    "noise_scale",
    "outcome_location_scale",
    "resolved_priors",
]
