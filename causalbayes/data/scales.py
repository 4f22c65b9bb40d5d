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
from dataclasses import dataclass, field, replace

import numpy as np

from causalbayes.data.encode import EncodedData
from causalbayes.data.standardization import (
    column_count,
    predictor_key,
    predictors,
    rotated_terms,
)
from causalbayes.scm.scm import SCM
from causalbayes.scm.terms import Interaction, Linear, Power


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
    """QR factor ``R`` of one predictor's standardized design columns ``Z = Q R``.

    ``R`` is upper triangular with a positive diagonal, scaled so that the
    columns of ``Q`` have unit variance; sampling ``theta = R b`` instead of
    the standardized coefficients ``b`` makes them uncorrelated a posteriori
    (as Stan's QR reparameterisation).  It only changes the sampler's
    geometry, never the model.
    """

    terms: tuple[str, ...]
    widths: tuple[int, ...]  # columns per term (a categorical term has one per contrast)
    r: tuple[tuple[float, ...], ...]

    @property
    def matrix(self) -> np.ndarray:
        return np.array(self.r, dtype="float64")

    def to_dict(self) -> dict:
        return {
            "terms": list(self.terms),
            "widths": list(self.widths),
            "r": [list(row) for row in self.r],
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Rotation:
        return cls(
            tuple(str(t) for t in d["terms"]),
            tuple(int(w) for w in d["widths"]),
            tuple(tuple(float(x) for x in row) for row in d["r"]),
        )


@dataclass(frozen=True)
class Scales:
    """Scale of each observed column and numeric interaction, keyed by name (``a:b`` for products).

    ``shares`` holds the share of each level of a categorical column (its
    indicator columns' means).  ``standardize``: sample the parameters on a
    standardized scale (:mod:`causalbayes.data.standardization`), with
    ``rotations`` of the coefficient blocks by predictor key.  Scales read
    from data standardize; unit scales (simulation, no data) need not.
    """

    columns: Mapping[str, Scale]
    standardize: bool = False
    rotations: Mapping[str, Rotation] = field(default_factory=dict)
    shares: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Scale:
        return self.columns.get(key, UNIT)

    def moments(self, scm: SCM, term) -> tuple[np.ndarray, np.ndarray]:
        """Means and sds of a centred term's design columns (see ``centred_terms``).

        Without data (a latent parent, unit scales) columns count as mean 0, sd 1.
        """
        width = column_count(scm, term)
        if isinstance(term, Linear) and scm.is_categorical(term.parent):
            shares = self.shares.get(term.parent)
            if shares is None:
                return np.zeros(width), np.ones(width)
            p = np.asarray(shares[1:], dtype="float64")
            return p, np.sqrt(p * (1 - p))
        sc = self[term.name]
        return np.array([sc.mean]), np.array([sc.sd])

    def to_dict(self) -> dict:
        return {
            "columns": {k: v.to_dict() for k, v in self.columns.items()},
            "standardize": self.standardize,
            "rotations": {k: v.to_dict() for k, v in self.rotations.items()},
            "shares": {k: list(v) for k, v in self.shares.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Scales:
        return cls(
            columns_from_dict(d["columns"]),
            standardize=bool(d["standardize"]),
            rotations={k: Rotation.from_dict(v) for k, v in d["rotations"].items()},
            shares={k: tuple(float(x) for x in v) for k, v in d["shares"].items()},
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
    shares = {
        name: tuple(
            float(x) for x in np.bincount(codes, minlength=len(scm.nodes[name].levels)) / len(codes)
        )
        for name, codes in encoded.values.items()
        if scm.is_categorical(name)
    }
    scales = Scales(columns, standardize=True, shares=shares)
    rotations = {}
    if rotate:
        for name in scm.order:
            for hurdle in predictors(scm, name):
                rotation = _rotation(scm, name, hurdle, encoded, scales)
                if rotation is not None:
                    rotations[predictor_key(name, hurdle=hurdle)] = rotation
    return replace(scales, rotations=rotations)


def _term_column(term, encoded: EncodedData) -> np.ndarray | None:
    """A numeric term's design column from the data (None if a factor is latent)."""
    factors = [encoded.values.get(v) for v in term.variables]
    if any(f is None for f in factors):
        return None
    product = np.prod(factors, axis=0) if len(factors) > 1 else np.asarray(factors[0], "float64")
    return product**term.exponent if isinstance(term, Power) else product


# A block whose standardized columns are this close to collinear is left unrotated.
_MIN_RESIDUAL_SD = 1e-6


def _rotation(scm: SCM, name: str, hurdle: bool, encoded, scales: Scales) -> Rotation | None:
    names = rotated_terms(scm, name, hurdle=hurdle)
    if not names:
        return None
    terms = {t.name: t for t in scm.nodes[name].terms}
    z = []
    for term_name in names:
        term = terms[term_name]
        column = _design_columns(term, scm, encoded)
        if column is None or np.isnan(column).any():
            return None  # latent or imputed inputs: no fixed design to rotate
        means, sds = scales.moments(scm, term)
        if not np.all(sds > 0):
            return None  # a level that never occurs: nothing to standardize by
        z.append((column - means) / sds)
    z = np.column_stack(z)
    if z.shape[0] <= z.shape[1]:
        return None
    r = np.linalg.qr(z, mode="r") / np.sqrt(z.shape[0])
    r = r * np.sign(np.diag(r))[:, None]  # positive diagonal: a unique factor
    if not np.all(np.abs(np.diag(r)) > _MIN_RESIDUAL_SD):
        return None
    widths = tuple(column_count(scm, terms[t]) for t in names)
    return Rotation(names, widths, tuple(tuple(float(x) for x in row) for row in r))


def _design_columns(term, scm: SCM, encoded: EncodedData) -> np.ndarray | None:
    """``(n, width)`` design columns of a centred term: the value, or level indicators."""
    if isinstance(term, Linear) and scm.is_categorical(term.parent):
        codes = encoded.values.get(term.parent)
        if codes is None:
            return None
        levels = np.arange(1, len(scm.nodes[term.parent].levels))
        return (codes[:, None] == levels[None, :]).astype("float64")
    column = _term_column(term, encoded)
    return None if column is None else column[:, None]


def unit_scales() -> Scales:
    return Scales({})
