"""User-supplied mechanisms and coefficient priors that span several terms.

A :class:`Mechanism` replaces a node's linear predictor by a Python function
of its parents' tensors and named parameters (each with a prior): anything
the built-in terms do not cover, compiled into the same PyMC model, so
interventions and effects work on it as on built-in nodes.  The function is
called, never parsed: no string is evaluated.

:class:`R2D2` is a joint prior on a node's coefficients through the share of
variance they explain (R^2) and its split between them (Zhang et al., 2022).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from causalbayes.errors import SpecError
from causalbayes.scm.priors import Prior, as_prior


@dataclass(frozen=True, eq=False)
class Mechanism:
    """``link(E[node]) = function(**parents, **params)``.

    Parameters
    ----------
    function : callable
        Called with each parent's tensor and each parameter's tensor as
        keyword arguments (PyTensor tensors: use ``pytensor.tensor`` / ``pm.math``
        functions).  Returns the linear predictor, one value per unit.
    params : dict of str -> Prior
        The mechanism's parameters and their priors (a number fixes one).
    name : str, optional
        How the mechanism is recorded when a fit is saved; give the same
        name and function to :func:`causalbayes.load` (``mechanisms=``) to load it.

    Examples
    --------
    >>> import causalbayes as cb
    >>> emax = cb.Mechanism(lambda dose, top, ed50: top * dose / (ed50 + dose),
    ...                     params={"top": cb.Prior("Normal", mu=0, sigma=5),
    ...                             "ed50": cb.Prior("LogNormal", mu=0, sigma=1)},
    ...                     name="emax")
    >>> node = cb.Normal(["dose"], mechanism=emax)
    >>> node.local_parameters()
    ('top', 'ed50', 'sigma')
    """

    function: Callable[..., Any]
    params: tuple[tuple[str, Prior], ...]
    name: str

    def __init__(
        self,
        function: Callable[..., Any],
        params: Mapping[str, Prior | float],
        name: str | None = None,
    ) -> None:
        if not callable(function):
            raise SpecError(f"Mechanism needs a callable, got {type(function).__name__}")
        if not isinstance(params, Mapping):
            raise SpecError("Mechanism params must be a dict of name -> Prior")
        for key in params:
            if not isinstance(key, str) or not key.isidentifier():
                raise SpecError(f"mechanism parameter names must be identifiers, got {key!r}")
        label = name or getattr(function, "__name__", "")
        if not label or label == "<lambda>":
            label = "mechanism"
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "params", tuple((k, as_prior(v)) for k, v in params.items()))
        object.__setattr__(self, "name", label)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": {k: p.to_dict() for k, p in self.params}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], functions: Mapping[str, Callable] | None) -> Mechanism:
        name = d.get("name")
        if not functions or name not in functions:
            raise SpecError(
                f"this SCM uses the custom mechanism {name!r}, a Python function that is not "
                f"saved with it; pass mechanisms={{{name!r}: function}} when loading"
            )
        params = {k: Prior.from_dict(v) for k, v in dict(d.get("params", {})).items()}
        return cls(functions[name], params, name=name)

    def __repr__(self) -> str:
        return f"Mechanism({self.name!r}, params={[k for k, _ in self.params]})"


@dataclass(frozen=True)
class R2D2:
    """R2-D2 prior on a node's numeric coefficients.

    ``R^2 ~ Beta(r2_mean * r2_precision, (1 - r2_mean) * r2_precision)``;
    ``phi ~ Dirichlet(concentration)`` splits the explained variance
    ``sigma^2 R^2 / (1 - R^2)`` between the terms, and each coefficient is
    ``Normal(0, sigma * sqrt(phi_j R^2 / (1 - R^2)) / sd(x_j))``.
    Standardise nothing by hand: the ``sd(x_j)`` come from the data.

    Examples
    --------
    >>> R2D2(r2_mean=0.3).r2_prior
    Prior('Beta', alpha=0.6, beta=1.4)
    """

    r2_mean: float = 0.5
    r2_precision: float = 2.0
    concentration: float = 1.0

    def __post_init__(self) -> None:
        for name in ("r2_mean", "r2_precision", "concentration"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise SpecError(f"R2D2 {name} must be a finite number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if not 0 < self.r2_mean < 1:
            raise SpecError(f"R2D2 r2_mean must lie strictly between 0 and 1, got {self.r2_mean}")
        if self.r2_precision <= 0 or self.concentration <= 0:
            raise SpecError("R2D2 r2_precision and concentration must be > 0")

    @property
    def r2_prior(self) -> Prior:
        a = self.r2_mean * self.r2_precision
        return Prior("Beta", alpha=round(a, 12), beta=round(self.r2_precision - a, 12))

    def to_dict(self) -> dict[str, float]:
        return {
            "r2_mean": self.r2_mean,
            "r2_precision": self.r2_precision,
            "concentration": self.concentration,
        }
