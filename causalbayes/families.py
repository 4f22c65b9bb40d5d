"""Every distribution family in one room: one :class:`Family` object per family.

A family knows its links and auxiliary parameters, the values its data may
take (and how a column or a treatment value is checked against them), its
location and scale on the link scale (for default priors and standardized
sampling), its PyMC distribution and expected value given the linear
predictor, and its noise model for unit counterfactuals.  Adding a family is
one entry in :data:`FAMILIES` (plus tests); nothing else dispatches on names.

PyMC and PyTensor are imported inside the functions that build model
variables, so declaring an SCM (which reads these facts) stays light.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from causalbayes.errors import QueryError, SpecError

LINKS = ("identity", "logit", "probit", "log", "softmax")
# supports whose values are level codes, and those of whole numbers
LEVEL_SUPPORTS = ("categorical", "ordinal")
DISCRETE_SUPPORTS = ("binary", "count", "bounded_count", *LEVEL_SUPPORTS)


@dataclass(frozen=True)
class Extra:
    """Per-unit inputs besides the predictor: trials, standard errors, the hurdle predictor."""

    trials: Any = None
    se: Any = None
    hurdle_eta: Any = None


# A family's model functions: (node, eta, params, extra) -> (PyMC class, kwargs) or the mean.
Builder = Callable[[Any, Any, dict, Extra], Any]


@dataclass(frozen=True)
class Family:
    """What a distribution family is and how it behaves.

    Attributes
    ----------
    name : str
    support : str
        ``real``, ``positive``, ``nonnegative``, ``unit``, ``binary``, ``count``,
        ``bounded_count``, ``categorical``, ``ordinal`` or ``given`` (data, no model).
    links : tuple of str
        The links it accepts; the first is the default.
    aux : tuple of str
        Its parameters besides the linear predictor (``sigma``, ``nu``, ...).
    hurdle : bool
        A second (logit) predictor for ``P(value > 0)``.
    imputable : bool
        Missing entries can be sampled as continuous latent values.
    noise : str or None
        Unit counterfactual noise model: ``additive`` (on the outcome scale),
        ``multiplicative`` (log-normal), ``uniform`` (Bernoulli, monotone
        coupling), ``count`` (CDF coupling); None: not invertible.
    sigma_on_log_scale : bool
        ``sigma`` is the sd of ``log y`` (log-normal families).
    """

    name: str
    support: str
    links: tuple[str, ...]
    aux: tuple[str, ...] = ()
    hurdle: bool = False
    imputable: bool = False
    noise: str | None = None
    sigma_on_log_scale: bool = False
    distribution: Builder | None = field(default=None, repr=False, compare=False)
    mean: Builder | None = field(default=None, repr=False, compare=False)

    @property
    def default_link(self) -> str:
        return self.links[0]

    @property
    def is_discrete(self) -> bool:
        return self.support in DISCRETE_SUPPORTS

    @property
    def has_levels(self) -> bool:
        """Values are labels coded 0..K-1 (categorical or ordered)."""
        return self.support in LEVEL_SUPPORTS

    def check_link(self, link: str | None) -> str:
        """The link to use, refusing one the family does not support."""
        if link is None:
            return self.default_link
        if link not in self.links:
            raise SpecError(
                f"family {self.name} does not support link {link!r}; choose one of {list(self.links)}"
            )
        return link

    # -- values -------------------------------------------------------------------------------
    def data_problem(self, values: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, str]:
        """Rows of a numeric column outside the support, and what to do about them.

        ``observed`` marks the entries that are not missing (imputed ones are NaN).
        """
        v = values
        if self.support == "binary":
            return (v != 0) & (v != 1), "has values other than 0/1; recode it as 0/1"
        if self.support in ("count", "bounded_count"):
            bad = (v < 0) | (v != np.round(v))
            return bad, "has negative or non-integer counts; counts must be whole numbers >= 0"
        if self.support == "positive":
            return observed & (v <= 0), "has values <= 0; use a family for real values"
        if self.support == "nonnegative":
            return v < 0, "has negative values; a hurdle is zero or a positive amount"
        if self.support == "unit":
            return observed & ((v <= 0) | (v >= 1)), (
                "has values outside (0, 1); squeeze exact 0s and 1s inwards, e.g. "
                "(y * (n - 1) + 0.5) / n"
            )
        return np.zeros(v.shape, dtype=bool), ""

    def checked_value(self, node: str, value: Any) -> int | float:
        """A treatment value as the model encodes it; refuses one outside the support."""
        if isinstance(value, bool):
            value = int(value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise QueryError(f"treatment value {value!r} for {node!r} is not a number") from None
        if not math.isfinite(number):
            raise QueryError(f"treatment value {value!r} for {node!r} must be finite")
        if self.support == "binary" and number not in (0.0, 1.0):
            raise QueryError(
                f"{node!r} is {self.name}: treatment values must be 0 or 1, got {value!r}"
            )
        if self.support in ("count", "bounded_count") and (number < 0 or number != round(number)):
            raise QueryError(
                f"{node!r} is {self.name}: treatment values must be whole numbers >= 0, got {value!r}"
            )
        if self.support == "positive" and number <= 0:
            raise QueryError(
                f"{node!r} is {self.name}: treatment values must be > 0, got {value!r}"
            )
        return int(number) if self.is_discrete else number

    # -- scales ---------------------------------------------------------------------------------
    def location_scale(
        self, link: str, mean: float, sd: float, log_mean: float, log_sd: float
    ) -> tuple[float, float]:
        """The outcome's location and scale on the link scale (``(0, 1)`` for logits)."""
        if self.sigma_on_log_scale:
            return log_mean, log_sd
        if link == "identity" and self.support in ("real", "positive", "count"):
            return mean, sd
        if link == "log":
            return (math.log(mean) if mean > 0 else 0.0), 1.0
        return 0.0, 1.0

    def noise_scale(self, sd: float, log_sd: float) -> float:
        """The data scale of ``sigma``: the values' sd (their logs' for log-normals)."""
        return log_sd if self.sigma_on_log_scale else sd


# -- PyMC building blocks ---------------------------------------------------------------------------
def inverse_link(link: str, eta):
    import pytensor.tensor as pt

    if link == "identity":
        return eta
    if link == "log":
        return pt.exp(eta)
    if link == "logit":
        return pt.sigmoid(eta)
    if link == "probit":
        return 0.5 * (1.0 + pt.erf(eta / np.sqrt(2.0)))
    raise SpecError(f"unknown link {link!r}")  # unreachable: links are validated in the spec


def _pm():
    import pymc

    return pymc


def _pt():
    import pytensor.tensor

    return pytensor.tensor


def _normal(node, eta, p, x):
    mu = inverse_link(node.link, eta)
    sigma = p["sigma"] if x.se is None else _pt().sqrt(p["sigma"] ** 2 + x.se**2)
    return _pm().Normal, {"mu": mu, "sigma": sigma}


def _student_t(node, eta, p, x):
    return _pm().StudentT, {"nu": p["nu"], "mu": eta, "sigma": p["sigma"]}


def _lognormal(node, eta, p, x):
    return _pm().LogNormal, {"mu": eta, "sigma": p["sigma"]}


def _gamma(node, eta, p, x):
    return _pm().Gamma, {"alpha": p["alpha"], "beta": p["alpha"] / inverse_link(node.link, eta)}


def _bernoulli(node, eta, p, x):
    if node.link == "logit":  # numerically stable form
        return _pm().Bernoulli, {"logit_p": eta}
    return _pm().Bernoulli, {"p": inverse_link(node.link, eta)}


def _binomial(node, eta, p, x):
    if node.link == "logit":
        return _pm().Binomial, {"n": x.trials, "logit_p": eta}
    return _pm().Binomial, {"n": x.trials, "p": inverse_link(node.link, eta)}


def _poisson(node, eta, p, x):
    return _pm().Poisson, {"mu": inverse_link(node.link, eta)}


def _negative_binomial(node, eta, p, x):
    return _pm().NegativeBinomial, {"mu": inverse_link(node.link, eta), "alpha": p["alpha"]}


def _categorical_logits(eta):
    """Log-odds against the reference level (first column zero)."""
    pt = _pt()
    return pt.concatenate([pt.zeros((eta.shape[0], 1)), eta], axis=1)


def _categorical(node, eta, p, x):
    return _pm().Categorical, {"logit_p": _categorical_logits(eta)}


def _beta(node, eta, p, x):
    mu = inverse_link(node.link, eta)
    return _pm().Beta, {"alpha": mu * p["phi"], "beta": (1 - mu) * p["phi"]}


def _ordered(node, eta, p, x):
    return _pm().OrderedLogistic, {"eta": eta, "cutpoints": p["cutpoints"]}


def _ordered_probs(node, eta, p, x):
    pt = _pt()
    cdf = pt.sigmoid(p["cutpoints"][None, :] - eta[:, None])
    n = eta.shape[0]
    padded = pt.concatenate([pt.zeros((n, 1)), cdf, pt.ones((n, 1))], axis=1)
    return padded[:, 1:] - padded[:, :-1]


def _hurdle_lognormal(node, eta, p, x):
    return _pm().HurdleLogNormal, {
        "psi": _pt().sigmoid(x.hurdle_eta),
        "mu": eta,
        "sigma": p["sigma"],
    }


def _hurdle_gamma(node, eta, p, x):
    return _pm().HurdleGamma, {
        "psi": _pt().sigmoid(x.hurdle_eta),
        "alpha": p["alpha"],
        "beta": p["alpha"] / _pt().exp(eta),
    }


def _zip(node, eta, p, x):
    return _pm().ZeroInflatedPoisson, {"psi": p["psi"], "mu": _pt().exp(eta)}


def _zinb(node, eta, p, x):
    return _pm().ZeroInflatedNegativeBinomial, {
        "psi": p["psi"],
        "mu": _pt().exp(eta),
        "alpha": p["alpha"],
    }


def _link_mean(node, eta, p, x):
    return inverse_link(node.link, eta)


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            "Normal", "real", ("identity", "log"), ("sigma",), imputable=True,
            noise="additive", distribution=_normal, mean=_link_mean,
        ),
        Family(
            "StudentT", "real", ("identity",), ("sigma", "nu"), imputable=True,
            noise="additive", distribution=_student_t, mean=lambda node, eta, p, x: eta,
        ),
        Family(
            "LogNormal", "positive", ("identity",), ("sigma",), imputable=True,
            noise="multiplicative", sigma_on_log_scale=True, distribution=_lognormal,
            mean=lambda node, eta, p, x: _pt().exp(eta + p["sigma"] ** 2 / 2),
        ),
        Family(
            "Gamma", "positive", ("log", "identity"), ("alpha",), imputable=True,
            distribution=_gamma, mean=_link_mean,
        ),
        Family(
            "Bernoulli", "binary", ("logit", "probit", "identity"), noise="uniform",
            distribution=_bernoulli, mean=_link_mean,
        ),
        Family(
            "Binomial", "bounded_count", ("logit", "probit", "identity"),
            distribution=_binomial,
            mean=lambda node, eta, p, x: x.trials * inverse_link(node.link, eta),
        ),
        Family(
            "Poisson", "count", ("log", "identity"), noise="count",
            distribution=_poisson, mean=_link_mean,
        ),
        Family(
            "NegativeBinomial", "count", ("log",), ("alpha",), noise="count",
            distribution=_negative_binomial, mean=_link_mean,
        ),
        Family(
            "Categorical", "categorical", ("softmax",), distribution=_categorical,
            mean=lambda node, eta, p, x: _pt().special.softmax(_categorical_logits(eta), axis=-1),
        ),
        Family(
            "Beta", "unit", ("logit", "probit"), ("phi",), imputable=True,
            distribution=_beta, mean=_link_mean,
        ),
        # cutpoints instead of an intercept: see Node
        Family("OrderedLogistic", "ordinal", ("logit",), distribution=_ordered, mean=_ordered_probs),
        Family(
            "HurdleLogNormal", "nonnegative", ("identity",), ("sigma",), hurdle=True,
            sigma_on_log_scale=True, distribution=_hurdle_lognormal,
            mean=lambda node, eta, p, x: (
                _pt().sigmoid(x.hurdle_eta) * _pt().exp(eta + p["sigma"] ** 2 / 2)
            ),
        ),
        Family(
            "HurdleGamma", "nonnegative", ("log",), ("alpha",), hurdle=True,
            distribution=_hurdle_gamma,
            mean=lambda node, eta, p, x: _pt().sigmoid(x.hurdle_eta) * _pt().exp(eta),
        ),
        Family(
            "ZeroInflatedPoisson", "count", ("log",), ("psi",), distribution=_zip,
            mean=lambda node, eta, p, x: p["psi"] * _pt().exp(eta),
        ),
        Family(
            "ZeroInflatedNegativeBinomial", "count", ("log",), ("alpha", "psi"),
            distribution=_zinb, mean=lambda node, eta, p, x: p["psi"] * _pt().exp(eta),
        ),
        Family("Given", "given", ("identity",)),  # data, not modelled: see Node.is_given
    )
}  # fmt: skip
# A given column of labels (strings, categories): encoded as level codes like a Categorical.
GIVEN_CATEGORICAL = Family("Given", "categorical", ("identity",))


def get_family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise SpecError(f"unknown family {name!r}; choose one of {sorted(FAMILIES)}") from None


def check_link(family: Family, link: str | None) -> str:
    """Return the link to use, refusing one the family does not support."""
    return family.check_link(link)


def count_cdf(family: Family, params: dict):
    """``P(Y <= k)`` of a Poisson or negative-binomial node with mean ``mu`` (for counterfactuals)."""
    pt = _pt()
    if family.name == "Poisson":
        return lambda k, mu: pt.gammaincc(k + 1.0, mu)
    alpha = params["alpha"]
    return lambda k, mu: pt.betainc(alpha, k + 1.0, alpha / (alpha + mu))


__all__ = [
    "FAMILIES",
    "GIVEN_CATEGORICAL",
    "LINKS",
    "Extra",
    "Family",
    "check_link",
    "count_cdf",
    "get_family",
    "inverse_link",
]
