"""Sample a node's parameters on a standardized scale; keep the user's as exact functions of them.

What is standardized, and why, is decided on the data side
(:mod:`causalbayes.data.standardization`).  Here each such parameter gets a free
variable ``<param>.std`` (or a rotated block ``<node>.std.coefs``) whose prior
is the user's prior (or the default) carried through the same linear map, and
the user's parameter becomes a ``pm.Deterministic`` of it under its usual name.
The posterior is the same as sampling the user's parameters directly; only the
sampler's geometry changes.  Everything downstream (likelihood, ``pm.do``
worlds, effects) reads the user's parameters.

Location parameters (intercepts, cell means, first cutpoint, hurdle intercept)
carry the default prior *at the data means of the numeric columns* (the centred
intercept), in either parameterisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from causalbayes.data.default_priors import (
    centred_location_prior,
    column_scale,
    noise_scale,
    outcome_location_scale,
)
from causalbayes.data.scales import Scales
from causalbayes.data.standardization import (
    LOCATION_FAMILIES,
    centred_terms,
    coefficient_local,
    location_local,
    predictor_key,
    predictors,
    standardizable,
)
from causalbayes.scm.naming import param_name, std_dim
from causalbayes.scm.priors import Prior
from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Interaction, Linear, Spline

STD_SUFFIX = ".std"
BLOCK_LOCAL = "std.coefs"


def transformed_prior(prior: Prior, scale: float, shift=0.0) -> tuple[str, dict] | None:
    """PyMC name and arguments of the prior of ``(x - shift) / scale`` for ``x ~ prior``.

    ``shift`` may be a tensor (it carries other parameters).  None when the
    family is not closed under the map (Beta; a shift of a positive prior).
    """
    k = prior.kwargs
    shifted = not (isinstance(shift, float | int) and shift == 0)
    if prior.dist == "Normal":
        return "Normal", {"mu": (k["mu"] - shift) / scale, "sigma": k["sigma"] / scale}
    if prior.dist == "StudentT":
        return "StudentT", {
            "nu": k["nu"],
            "mu": (k["mu"] - shift) / scale,
            "sigma": k["sigma"] / scale,
        }
    if prior.dist == "Cauchy":
        return "Cauchy", {"alpha": (k["alpha"] - shift) / scale, "beta": k["beta"] / scale}
    if prior.dist == "Laplace":
        return "Laplace", {"mu": (k["mu"] - shift) / scale, "b": k["b"] / scale}
    if prior.dist == "Uniform":
        return "Uniform", {
            "lower": (k["lower"] - shift) / scale,
            "upper": (k["upper"] - shift) / scale,
        }
    if shifted:
        return None
    scale_only = {
        "HalfNormal": lambda: {"sigma": k["sigma"] / scale},
        "HalfStudentT": lambda: {"nu": k["nu"], "sigma": k["sigma"] / scale},
        "HalfCauchy": lambda: {"beta": k["beta"] / scale},
        "Exponential": lambda: {"lam": k["lam"] * scale},
        "Gamma": lambda: {"alpha": k["alpha"], "beta": k["beta"] * scale},
        "InverseGamma": lambda: {"alpha": k["alpha"], "beta": k["beta"] / scale},
        "LogNormal": lambda: {"mu": k["mu"] - math.log(scale), "sigma": k["sigma"]},
    }
    if prior.dist in scale_only:
        return prior.dist, scale_only[prior.dist]()
    return None


@dataclass(frozen=True)
class _Block:
    """Coefficients from one free vector: ``beta = factors * (R^-1 theta)``, column by column.

    A numeric term has one column; a categorical main effect one per contrast.
    """

    local: str
    coefficients: tuple[str, ...]
    widths: tuple[int, ...]
    labels: tuple[str, ...]  # one per column
    factors: np.ndarray  # one per column: s / sd(column)
    r: np.ndarray


# (coefficient local, its columns' data means, one column per level of a categorical parent?)
_Centre = tuple[str, np.ndarray, bool]


@dataclass(frozen=True)
class _Location:
    """``raw = m + sign * sum_j beta_j c_j + scale * free`` (centred location ``m + scale * free``)."""

    local: str
    m: float
    scale: float
    sign: float  # -1: the predictor adds the location; +1: it is compared to it (cutpoints)
    centres: tuple[_Centre, ...]


class ParameterPlan:
    """How one node's parameters are created: plainly, scaled, rotated, or as centred locations."""

    def __init__(self, scm: SCM, name: str, priors: dict[str, Prior], scales: Scales) -> None:
        self.scm, self.name, self.priors, self.scales = scm, name, priors, scales
        self.scaled: dict[str, float] = {}
        self.blocks: list[_Block] = []
        self.locations: list[_Location] = []
        self.standardize = False
        if not standardizable(scm, name):
            return
        self.standardize = scales.standardize
        for hurdle in predictors(scm, name):
            self._plan_predictor(hurdle)
        if self.standardize and self._free("sigma"):
            self._scale("sigma", noise_scale(scm, name, scales))

    @property
    def handled(self) -> set[str]:
        """Locals this plan creates (the rest are created plainly from their priors)."""
        out = set(self.scaled) | {loc.local for loc in self.locations}
        for block in self.blocks:
            out.update(block.coefficients)
        return out

    # -- planning --------------------------------------------------------------
    def _free(self, local: str) -> bool:
        kinds = dict(self.scm.nodes[self.name].parameter_locals())
        return kinds.get(local) == "prior" and not self._prior(local).is_fixed

    def _prior(self, local: str) -> Prior:
        return self.priors[param_name(self.name, local)]

    def _plan_predictor(self, hurdle: bool) -> None:
        scm, name, scales = self.scm, self.name, self.scales
        m, s = (0.0, 1.0) if hurdle else outcome_location_scale(scm, name, scales)
        centred = centred_terms(scm, name, hurdle=hurdle)
        moments = {t.name: scales.moments(scm, t) for t in centred}
        location = location_local(scm, name, hurdle=hurdle)
        if location is not None and self._free(location):
            given = scm.nodes[name].prior_for(location)
            if given is None or (self.standardize and given.dist in LOCATION_FAMILIES):
                logit_scale = location in {"cutpoints.first", "hurdle.intercept"}
                centres = tuple(
                    (coefficient_local(t, hurdle=hurdle), moments[t.name][0], _per_level(scm, t))
                    for t in centred
                    if np.any(moments[t.name][0] != 0.0)
                )
                self.locations.append(
                    _Location(
                        location,
                        0.0 if logit_scale else m,
                        1.0 if logit_scale else s,
                        1.0 if location == "cutpoints.first" else -1.0,
                        centres,
                    )
                )
        if not self.standardize:
            return
        rotation = scales.rotations.get(predictor_key(name, hurdle=hurdle))
        if rotation is not None:
            terms = {t.name: t for t in centred}
            self.blocks.append(
                _Block(
                    f"hurdle.{BLOCK_LOCAL}" if hurdle else BLOCK_LOCAL,
                    tuple(coefficient_local(terms[t], hurdle=hurdle) for t in rotation.terms),
                    rotation.widths,
                    tuple(label for t in rotation.terms for label in _labels(scm, terms[t])),
                    np.concatenate([s / moments[t][1] for t in rotation.terms]),
                    rotation.matrix,
                )
            )
        rotated = set(rotation.terms) if rotation is not None else set()
        for term in centred:
            local = coefficient_local(term, hurdle=hurdle)
            if term.name not in rotated and self._free(local):
                self._scale(local, s if _per_level(scm, term) else s / moments[term.name][1][0])
        if hurdle:
            return
        for term in scm.nodes[name].terms:  # categorical interactions and splines: scaled only
            categorical = isinstance(term, Interaction) and scm.term_is_categorical(term)
            if term in centred or not (categorical or isinstance(term, Spline)):
                continue
            if self._free(term.name):
                sd = column_scale(scm, term, scales)[1] if categorical else 1.0
                self._scale(term.name, s / sd)

    def _scale(self, local: str, factor: float) -> None:
        if factor != 1.0 and transformed_prior(self._prior(local), factor) is not None:
            self.scaled[local] = factor

    # -- building (inside the model's context) ----------------------------------
    def create_coefficients(self, dims: dict[str, tuple[str, ...]]) -> None:
        """Free standardized variables and the user's coefficients (and sigma) from them."""
        for local, factor in self.scaled.items():
            name = param_name(self.name, local)
            dist, kwargs = transformed_prior(self._prior(local), factor)
            free = getattr(pm, dist)(name + STD_SUFFIX, **kwargs, dims=dims[local] or None)
            pm.Deterministic(name, factor * free, dims=dims[local] or None)
        for block in self.blocks:
            self._create_block(block, dims)

    def _create_block(self, block: _Block, dims: dict[str, tuple[str, ...]]) -> None:
        # theta = R b with b the standardized coefficients, whose priors are independent Normals
        mu, sd = [], []
        for local, width in zip(block.coefficients, block.widths, strict=True):
            k = self._prior(local).kwargs
            mu += [k["mu"]] * width
            sd += [k["sigma"]] * width
        mu_b, sd_b = np.asarray(mu) / block.factors, np.asarray(sd) / block.factors
        r = block.r
        dim = std_dim(self.name, block.local)
        pm.modelcontext(None).add_coord(dim, list(block.labels))
        theta = pm.MvNormal(
            param_name(self.name, block.local),
            mu=r @ mu_b,
            chol=np.linalg.cholesky(r @ np.diag(np.square(sd_b)) @ r.T),
            dims=dim,
        )
        b = pt.dot(np.linalg.inv(r), theta)  # R is small and well conditioned (checked when made)
        start = 0
        for local, width in zip(block.coefficients, block.widths, strict=True):
            columns = slice(start, start + width)
            value = block.factors[columns] * b[columns]
            term_dims = dims[local]
            pm.Deterministic(
                param_name(self.name, local),
                value if term_dims else value[0],
                dims=term_dims or None,
            )
            start += width

    def create_locations(self, params: dict, dims: dict[str, tuple[str, ...]]) -> None:
        """Location parameters: centred priors, shifted by the coefficients they absorb."""
        for loc in self.locations:
            name = param_name(self.name, loc.local)
            shift = loc.m + loc.sign * sum(
                pt.tensordot(means, params[c], axes=[[0], [0]])
                if per_level
                else params[c] * means[0]
                for c, means, per_level in loc.centres
            )
            given = self.scm.nodes[self.name].prior_for(loc.local)
            if self.standardize:
                if given is None:  # the default is stated for the centred location
                    centred = centred_location_prior(self.scm, self.name, loc.local, self.scales)
                    dist, kwargs = transformed_prior(centred, loc.scale, loc.m)
                else:
                    dist, kwargs = transformed_prior(given, loc.scale, shift)
                free = getattr(pm, dist)(name + STD_SUFFIX, **kwargs, dims=dims[loc.local] or None)
                pm.Deterministic(name, shift + loc.scale * free, dims=dims[loc.local] or None)
            else:  # the default centred prior, written on the user's parameter
                centred = centred_location_prior(self.scm, self.name, loc.local, self.scales)
                dist, kwargs = transformed_prior(centred, 1.0, loc.m - shift)
                getattr(pm, dist)(name, **kwargs, dims=dims[loc.local] or None)


def _per_level(scm: SCM, term) -> bool:
    """A categorical main effect: one coefficient (and column) per non-reference level."""
    return isinstance(term, Linear) and scm.is_categorical(term.parent)


def _labels(scm: SCM, term) -> list[str]:
    if _per_level(scm, term):
        return [f"{term.name}[{level}]" for level in scm.nodes[term.parent].levels[1:]]
    return [term.name]


__all__ = ["BLOCK_LOCAL", "STD_SUFFIX", "ParameterPlan", "transformed_prior"]
