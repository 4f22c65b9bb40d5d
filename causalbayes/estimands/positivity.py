"""Positivity: does the data hold units at each treatment value a query sets?

An effect of ``do(T=a)`` is learned from units observed at (or near) ``a``.
Where the data hold none, or the fitted propensities say a unit could never
have had ``a``, the answer for those units comes from the outcome model's
form alone.  Every effect query is checked; problems become notes of the
:class:`~causalbayes.estimands.effect.Effect` and a :class:`PositivityWarning`.
"""

from __future__ import annotations

import dataclasses
import warnings
import weakref
from collections.abc import Sequence

import numpy as np

from causalbayes.errors import PositivityWarning
from causalbayes.estimands.predict import predict
from causalbayes.inference.fit import Fit

#: A unit whose posterior-mean propensity of an arm is below this is out of its support.
EXTREME_PROPENSITY = 0.01
#: Share of such units from which the overlap counts as poor.
POOR_OVERLAP_SHARE = 0.05
#: Fewer observed units at a discrete treatment value than this is called thin.
THIN_ARM = 5
#: A given numeric treatment with at most this many distinct values is counted per value.
MAX_GIVEN_ARMS = 20
#: Most draws x units the propensities are computed from: the check needs each unit's
#: posterior-mean propensity only, which a thinned posterior gives (all 4,000 draws of a
#: 1e6-row fit would be a 32 GB array).
PROPENSITY_ELEMENTS = 25_000_000

# per fit: treatment -> posterior-mean propensities (unit x value), computed once
_PROPENSITIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def positivity_notes(fit: Fit, treatment: str, arms: Sequence, *, warn: bool = True) -> list[str]:
    """Problems with the support of ``arms`` (encoded treatment values) in the data.

    Counts observed units at each discrete value (or checks a numeric value
    lies in the observed range) and, for a modelled yes/no or categorical
    treatment with observed parents, the share of units whose fitted
    propensity of an arm is below ``EXTREME_PROPENSITY``.
    """
    observed = fit.encoded.values.get(treatment)
    if observed is None or not len(arms):  # latent treatment: nothing observed to check
        return []
    node = fit.scm[treatment]
    observed = np.asarray(observed)
    discrete = (
        node.has_levels
        or node.family in ("Bernoulli", "Binomial", "Poisson")
        or (node.is_given and np.unique(observed).size <= MAX_GIVEN_ARMS)
    )
    count = _arm_counts if discrete else _range
    notes = count(fit, treatment, arms, observed)
    if not notes and _has_propensity(fit, treatment):
        notes += _propensity_notes(fit, treatment, arms)
    if warn:
        for note in notes:
            warnings.warn(note, PositivityWarning, stacklevel=4)
    return notes


def _shown(fit: Fit, treatment: str, code) -> str:
    node = fit.scm[treatment]
    return repr(node.levels[int(code)]) if node.has_levels else f"{code:g}"


def _arm_counts(fit: Fit, treatment: str, arms: Sequence, observed: np.ndarray) -> list[str]:
    notes = []
    for code in dict.fromkeys(arms):
        count = int(np.sum(observed == code))
        value = _shown(fit, treatment, code)
        if count == 0:
            notes.append(
                f"positivity: no unit in the data has {treatment}={value}, so the effect of "
                f"do({treatment}={value}) comes from the model's form alone, not from the data"
            )
        elif count < THIN_ARM:
            notes.append(
                f"positivity: only {count} of {observed.size} units have {treatment}={value}; "
                "the effect there rests on very few observations"
            )
    return notes


def _range(fit: Fit, treatment: str, arms: Sequence, observed: np.ndarray) -> list[str]:
    low, high = float(np.nanmin(observed)), float(np.nanmax(observed))  # NaN: imputed
    outside = [a for a in dict.fromkeys(arms) if not low <= float(a) <= high]
    if not outside:
        return []
    shown = ", ".join(f"{a:g}" for a in outside)
    return [
        f"positivity: do({treatment}={shown}) lies outside the observed range "
        f"[{low:g}, {high:g}]; the effect there is an extrapolation of the model's form"
    ]


def _has_propensity(fit: Fit, treatment: str) -> bool:
    node = fit.scm[treatment]
    modelled = not node.is_given and node.family in ("Bernoulli", "Categorical")
    # a fit for some queries only (cb.fit(..., queries=)) may lack the treatment's
    # mechanism: its propensities are unknown until cb.fit_more samples it
    fitted = treatment not in fit.unfitted
    return modelled and fitted and any(not fit.scm[p].latent for p in node.parents)


def _propensity_notes(fit: Fit, treatment: str, arms: Sequence) -> list[str]:
    probabilities = _propensities(fit, treatment)
    notes = []
    for code in dict.fromkeys(arms):
        p = probabilities[:, int(code)]
        extreme = float(np.mean(p < EXTREME_PROPENSITY))
        if extreme >= POOR_OVERLAP_SHARE:
            value = _shown(fit, treatment, code)
            notes.append(
                f"positivity: {extreme:.0%} of units have a fitted probability below "
                f"{EXTREME_PROPENSITY} of {treatment}={value} (poor overlap); for them the "
                f"effect of do({treatment}={value}) is extrapolated by the outcome model"
            )
    return notes


def _propensities(fit: Fit, treatment: str) -> np.ndarray:
    """Posterior-mean probability of each treatment value per unit, shape (unit, value),
    over the units whose parents of the treatment are all observed."""
    cached = _PROPENSITIES.setdefault(fit, {})
    if treatment not in cached:
        parents = [p for p in fit.scm[treatment].parents if p in fit.data.columns]
        complete = fit.data[fit.data[parents].notna().all(axis=1)]  # imputed rows left out
        thinned = _thinned(fit, PROPENSITY_ELEMENTS // max(1, len(complete)))
        mean = predict(thinned, complete, treatment, kind="mean", diagnostics="ignore").mean()
        cached[treatment] = np.stack([1 - mean, mean], axis=-1) if mean.ndim == 1 else mean
    return cached[treatment]


def _thinned(fit: Fit, keep: int) -> Fit:
    """``fit`` with every k-th draw of each chain, at most about ``keep`` draws in all."""
    total = fit.posterior.sizes["chain"] * fit.posterior.sizes["draw"]
    if total <= keep:
        return fit
    step = -(-total // max(1, keep))
    return dataclasses.replace(fit, idata=fit.idata.isel(draw=slice(None, None, step)))


__all__ = ["positivity_notes"]
