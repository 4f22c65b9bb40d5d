"""Priors as plain, JSON-friendly data.

A :class:`Prior` names a distribution from a fixed whitelist and its
parameters; the compile layer turns it into a PyMC variable.  Keeping priors
as data (not PyMC objects) lets a spec be validated, compared, saved as JSON
and rebuilt without running any code from a file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from causalbayes.errors import SpecError

# distribution name -> (parameter names, support of the variable)
PRIOR_DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "Normal": (("mu", "sigma"), "real"),
    "StudentT": (("nu", "mu", "sigma"), "real"),
    "Cauchy": (("alpha", "beta"), "real"),
    "Laplace": (("mu", "b"), "real"),
    "HalfNormal": (("sigma",), "positive"),
    "HalfStudentT": (("nu", "sigma"), "positive"),
    "HalfCauchy": (("beta",), "positive"),
    "Exponential": (("lam",), "positive"),
    "Gamma": (("alpha", "beta"), "positive"),
    "InverseGamma": (("alpha", "beta"), "positive"),
    "LogNormal": (("mu", "sigma"), "positive"),
    "Beta": (("alpha", "beta"), "unit"),
    "Uniform": (("lower", "upper"), "interval"),
    "Fixed": (("value",), "constant"),
}
# parameters that must be strictly positive for the distribution to exist
_POSITIVE_ARGS = {"sigma", "nu", "beta", "lam", "alpha", "b"}


@dataclass(frozen=True)
class Prior:
    """A prior distribution for one parameter.

    Parameters
    ----------
    dist : str
        One of ``Normal, StudentT, Cauchy, Laplace, HalfNormal, HalfStudentT,
        HalfCauchy, Exponential, Gamma, InverseGamma, LogNormal, Beta, Uniform``
        or ``Fixed`` (the parameter is a known constant, not estimated).
    **params : float
        The distribution's parameters, named as in PyMC.

    Examples
    --------
    >>> Prior("Normal", mu=0, sigma=2.5)
    Prior('Normal', mu=0.0, sigma=2.5)
    >>> Prior("Fixed", value=1.0).is_fixed
    True
    """

    dist: str
    params: tuple[tuple[str, float], ...]

    def __init__(self, dist: str, **params: float) -> None:
        if dist not in PRIOR_DISTRIBUTIONS:
            raise SpecError(
                f"unknown prior distribution {dist!r}; choose one of {sorted(PRIOR_DISTRIBUTIONS)}"
            )
        names, _ = PRIOR_DISTRIBUTIONS[dist]
        if set(params) != set(names):
            raise SpecError(
                f"prior {dist} takes parameters {list(names)}, got {sorted(params)}; "
                f"for example Prior({dist!r}, {', '.join(f'{n}=1.0' for n in names)})"
            )
        clean = []
        for name in names:
            value = params[name]
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise SpecError(
                    f"prior {dist}: parameter {name}={value!r} is not a number"
                ) from None
            if not math.isfinite(value):
                raise SpecError(f"prior {dist}: parameter {name}={value} must be finite")
            if name in _POSITIVE_ARGS and dist != "Fixed" and value <= 0:
                raise SpecError(f"prior {dist}: parameter {name}={value} must be > 0")
            clean.append((name, value))
        if dist == "Uniform" and clean[0][1] >= clean[1][1]:
            raise SpecError(f"prior Uniform needs lower < upper, got {dict(clean)}")
        object.__setattr__(self, "dist", dist)
        object.__setattr__(self, "params", tuple(clean))

    @property
    def kwargs(self) -> dict[str, float]:
        return dict(self.params)

    @property
    def support(self) -> str:
        return PRIOR_DISTRIBUTIONS[self.dist][1]

    @property
    def is_fixed(self) -> bool:
        return self.dist == "Fixed"

    def allows_negative(self) -> bool:
        """Whether the prior puts mass on negative values."""
        if self.dist == "Fixed":
            return self.kwargs["value"] < 0
        if self.dist == "Uniform":
            return self.kwargs["lower"] < 0
        return self.support == "real"

    def to_dict(self) -> dict[str, Any]:
        return {"dist": self.dist, **self.kwargs}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Prior:
        d = dict(d)
        dist = d.pop("dist", None)
        if not isinstance(dist, str):
            raise SpecError(f"a prior needs a 'dist' entry, got {d!r}")
        return cls(dist, **d)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params)
        return f"Prior({self.dist!r}, {args})"


def as_prior(value: Prior | float | int) -> Prior:
    """Accept a :class:`Prior`, or a plain number meaning ``Prior('Fixed', value=...)``."""
    if isinstance(value, Prior):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Prior("Fixed", value=value)
    raise SpecError(
        f"expected a causalbayes.Prior or a number, got {type(value).__name__}: {value!r}"
    )
