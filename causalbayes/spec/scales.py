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
from dataclasses import dataclass, field

import numpy as np

from causalbayes.spec.data import EncodedData
from causalbayes.spec.scm import SCM
from causalbayes.spec.standardization import predictor_key, predictors, rotated_terms
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
class Rotation:
    """QR factor ``R`` of one predictor's standardized numeric columns ``Z = Q R``.

    ``R`` is upper triangular with a positive diagonal, scaled so that the
    columns of ``Q`` have unit variance; sampling ``theta = R b`` instead of
    the standardized coefficients ``b`` makes them uncorrelated a posteriori
    (as Stan's QR reparameterisation).  It only changes the sampler's
    geometry, never the model.
    """

    terms: tuple[str, ...]
    r: tuple[tuple[float, ...], ...]

    @property
    def matrix(self) -> np.ndarray:
        return np.array(self.r, dtype="float64")

    def to_dict(self) -> dict:
        return {"terms": list(self.terms), "r": [list(row) for row in self.r]}

    @classmethod
    def from_dict(cls, d: Mapping) -> Rotation:
        return cls(
            tuple(str(t) for t in d["terms"]), tuple(tuple(float(x) for x in row) for row in d["r"])
        )


@dataclass(frozen=True)
class Scales:
    """Scale of each observed column and numeric interaction, keyed by name (``a:b`` for products).

    ``standardize``: sample the parameters on a standardized scale
    (:mod:`causalbayes.spec.standardization`), with ``rotations`` of the
    numeric coefficient blocks by predictor key.  Scales read from data
    standardize; unit scales (simulation, no data) need not.
    """

    columns: Mapping[str, Scale]
    standardize: bool = False
    rotations: Mapping[str, Rotation] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Scale:
        return self.columns.get(key, UNIT)

    def to_dict(self) -> dict:
        return {
            "columns": {k: v.to_dict() for k, v in self.columns.items()},
            "standardize": self.standardize,
            "rotations": {k: v.to_dict() for k, v in self.rotations.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Scales:
        return cls(
            columns_from_dict(d["columns"]),
            standardize=bool(d["standardize"]),
            rotations={k: Rotation.from_dict(v) for k, v in d["rotations"].items()},
        )


def columns_from_dict(d: Mapping[str, Mapping[str, float]]) -> dict[str, Scale]:
    return {k: Scale(**{f: float(x) for f, x in v.items()}) for k, v in d.items()}


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


def scales_from_data(scm: SCM, encoded: EncodedData, *, rotate: bool = True) -> Scales:
    """Scales of every observed numeric column and numeric product term (``a:b``, ``x^2``).

    The result standardizes; ``rotate=False`` leaves the coefficient blocks unrotated.
    """
    columns = {
        name: _scale(v, positive_part=scm.nodes[name].family_info.hurdle)
        for name, v in encoded.values.items()
        if not scm.is_categorical(name)
    }
    for node in scm.nodes.values():
        for term in node.terms:
            if isinstance(term, (Interaction, Power)) and not scm.term_is_categorical(term):
                product = _term_column(term, encoded)
                if product is not None:
                    columns[term.name] = _scale(product)
    rotations = {}
    if rotate:
        for name in scm.order:
            for hurdle in predictors(scm, name):
                rotation = _rotation(scm, name, hurdle, encoded, columns)
                if rotation is not None:
                    rotations[predictor_key(name, hurdle=hurdle)] = rotation
    return Scales(columns, standardize=True, rotations=rotations)


def _term_column(term, encoded: EncodedData) -> np.ndarray | None:
    """A numeric term's design column from the data (None if a factor is latent)."""
    factors = [encoded.values.get(v) for v in term.variables]
    if any(f is None for f in factors):
        return None
    product = np.prod(factors, axis=0) if len(factors) > 1 else np.asarray(factors[0], "float64")
    return product**term.exponent if isinstance(term, Power) else product


# A block whose standardized columns are this close to collinear is left unrotated.
_MIN_RESIDUAL_SD = 1e-6


def _rotation(scm: SCM, name: str, hurdle: bool, encoded, columns) -> Rotation | None:
    names = rotated_terms(scm, name, hurdle=hurdle)
    if not names:
        return None
    terms = {t.name: t for t in scm.nodes[name].terms}
    z = []
    for term_name in names:
        column = _term_column(terms[term_name], encoded)
        if column is None or np.isnan(column).any():
            return None  # latent or imputed inputs: no fixed design to rotate
        scale = columns.get(term_name, UNIT)
        z.append((column - scale.mean) / scale.sd)
    z = np.column_stack(z)
    if z.shape[0] <= z.shape[1]:
        return None
    r = np.linalg.qr(z, mode="r") / np.sqrt(z.shape[0])
    r = r * np.sign(np.diag(r))[:, None]  # positive diagonal: a unique factor
    if not np.all(np.abs(np.diag(r)) > _MIN_RESIDUAL_SD):
        return None
    return Rotation(names, tuple(tuple(float(x) for x in row) for row in r))


def unit_scales() -> Scales:
    return Scales({})
