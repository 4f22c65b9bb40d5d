"""Data scales behind the default priors.

Default priors are weakly informative *relative to the data* (as rstanarm's
autoscaling): a slope's prior sd is ``2.5 * sd(outcome) / sd(parent)``, so
multiplying a column by 1000 rescales its prior with it.  The scales are
computed once from the fitted data and stored with the fit, which makes the
model reproducible from the saved spec.  Without data (simulation), every
column has mean 0 and sd 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from causalbayes.spec.data import EncodedData
from causalbayes.spec.scm import SCM
from causalbayes.spec.terms import Interaction, Power


@dataclass(frozen=True)
class Scale:
    mean: float = 0.0
    sd: float = 1.0
    log_mean: float = 0.0  # of log(values), for positive families
    log_sd: float = 1.0
    lower: float = -3.0  # the data's range: spline bounds (without data: mean +/- 3 sd)
    upper: float = 3.0

    def to_dict(self) -> dict[str, float]:
        return {
            "mean": self.mean,
            "sd": self.sd,
            "log_mean": self.log_mean,
            "log_sd": self.log_sd,
            "lower": self.lower,
            "upper": self.upper,
        }


UNIT = Scale()


@dataclass(frozen=True)
class Scales:
    """Scale of each observed column and numeric interaction, keyed by name (``a:b`` for products)."""

    columns: Mapping[str, Scale]

    def __getitem__(self, key: str) -> Scale:
        return self.columns.get(key, UNIT)

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {k: v.to_dict() for k, v in self.columns.items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Mapping[str, float]]) -> Scales:
        return cls({k: Scale(**{f: float(x) for f, x in v.items()}) for k, v in d.items()})


def _sd(x: np.ndarray) -> float:
    sd = float(np.std(x))
    return sd if sd > 1e-12 else 1.0


def _scale(x: np.ndarray, *, positive_part: bool = False) -> Scale:
    x = np.asarray(x, dtype="float64")
    x = x[~np.isnan(x)]  # entries to impute do not set scales
    if positive_part and np.any(x > 0):  # hurdles: the amount's scale, zeros aside
        x = x[x > 0]
    lower, upper = float(np.min(x)), float(np.max(x))
    if not lower < upper:
        lower, upper = lower - 1.0, upper + 1.0
    location = (float(np.mean(x)), _sd(x))
    if np.all(x > 0):
        logs = np.log(x)
        return Scale(*location, float(np.mean(logs)), _sd(logs), lower, upper)
    return Scale(*location, lower=lower, upper=upper)


def scales_from_data(scm: SCM, encoded: EncodedData) -> Scales:
    """Scales of every observed numeric column and numeric product term (``a:b``, ``x^2``)."""
    columns = {
        name: _scale(v, positive_part=scm.nodes[name].family_info.hurdle)
        for name, v in encoded.values.items()
        if not scm.is_categorical(name)
    }
    for node in scm.nodes.values():
        for term in node.terms:
            if isinstance(term, (Interaction, Power)) and not scm.term_is_categorical(term):
                factors = [encoded.values.get(v) for v in term.variables]
                if all(f is not None for f in factors):
                    product = (
                        np.prod(factors, axis=0) if isinstance(term, Interaction) else factors[0]
                    )
                    if isinstance(term, Power):
                        product = product**term.exponent
                    columns[term.name] = _scale(product)
    return Scales(columns)


def unit_scales() -> Scales:
    return Scales({})
