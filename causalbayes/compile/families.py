"""Each family's PyMC distribution and expected value, from its predictor.

One entry per family: ``distribution(node, eta, params, extra)`` returns the
PyMC class and its keyword arguments; ``mean(...)`` returns ``E[node | parents]``
(a probability vector over levels for categorical and ordered nodes).
Effects average expected values rather than sampled values (less Monte
Carlo noise), computed from the spec, so they hold on any ``pm.do`` clone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from causalbayes.errors import SpecError
from causalbayes.scm.node import Node


@dataclass(frozen=True)
class Extra:
    """Per-unit inputs besides the predictor: trials, standard errors, the hurdle predictor."""

    trials: Any = None
    se: Any = None
    hurdle_eta: Any = None


def inverse_link(link: str, eta):
    if link == "identity":
        return eta
    if link == "log":
        return pt.exp(eta)
    if link == "logit":
        return pt.sigmoid(eta)
    if link == "probit":
        return 0.5 * (1.0 + pt.erf(eta / np.sqrt(2.0)))
    raise SpecError(f"unknown link {link!r}")  # unreachable: links are validated in the spec


def _categorical_logits(eta):
    """Log-odds against the reference level (first column zero)."""
    return pt.concatenate([pt.zeros((eta.shape[0], 1)), eta], axis=1)


def _ordered_probs(eta, cutpoints):
    cdf = pt.sigmoid(cutpoints[None, :] - eta[:, None])
    n = eta.shape[0]
    padded = pt.concatenate([pt.zeros((n, 1)), cdf, pt.ones((n, 1))], axis=1)
    return padded[:, 1:] - padded[:, :-1]


def _normal(node, eta, p, x):
    mu = inverse_link(node.link, eta)
    sigma = p["sigma"] if x.se is None else pt.sqrt(p["sigma"] ** 2 + x.se**2)
    return pm.Normal, {"mu": mu, "sigma": sigma}


def _gamma(node, eta, p, x):
    return pm.Gamma, {"alpha": p["alpha"], "beta": p["alpha"] / inverse_link(node.link, eta)}


def _bernoulli(node, eta, p, x):
    if node.link == "logit":  # numerically stable form
        return pm.Bernoulli, {"logit_p": eta}
    return pm.Bernoulli, {"p": inverse_link(node.link, eta)}


def _binomial(node, eta, p, x):
    if node.link == "logit":
        return pm.Binomial, {"n": x.trials, "logit_p": eta}
    return pm.Binomial, {"n": x.trials, "p": inverse_link(node.link, eta)}


def _beta(node, eta, p, x):
    mu = inverse_link(node.link, eta)
    return pm.Beta, {"alpha": mu * p["phi"], "beta": (1 - mu) * p["phi"]}


_Distribution = Callable[[Node, Any, dict, Extra], tuple[type, dict]]
_Mean = Callable[[Node, Any, dict, Extra], Any]

FAMILY_COMPILERS: dict[str, tuple[_Distribution, _Mean]] = {
    "Normal": (_normal, lambda node, eta, p, x: inverse_link(node.link, eta)),
    "StudentT": (
        lambda node, eta, p, x: (pm.StudentT, {"nu": p["nu"], "mu": eta, "sigma": p["sigma"]}),
        lambda node, eta, p, x: eta,
    ),
    "LogNormal": (
        lambda node, eta, p, x: (pm.LogNormal, {"mu": eta, "sigma": p["sigma"]}),
        lambda node, eta, p, x: pt.exp(eta + p["sigma"] ** 2 / 2),
    ),
    "Gamma": (_gamma, lambda node, eta, p, x: inverse_link(node.link, eta)),
    "Bernoulli": (_bernoulli, lambda node, eta, p, x: inverse_link(node.link, eta)),
    "Binomial": (_binomial, lambda node, eta, p, x: x.trials * inverse_link(node.link, eta)),
    "Poisson": (
        lambda node, eta, p, x: (pm.Poisson, {"mu": inverse_link(node.link, eta)}),
        lambda node, eta, p, x: inverse_link(node.link, eta),
    ),
    "NegativeBinomial": (
        lambda node, eta, p, x: (
            pm.NegativeBinomial,
            {"mu": inverse_link(node.link, eta), "alpha": p["alpha"]},
        ),
        lambda node, eta, p, x: inverse_link(node.link, eta),
    ),
    "Categorical": (
        lambda node, eta, p, x: (pm.Categorical, {"logit_p": _categorical_logits(eta)}),
        lambda node, eta, p, x: pt.special.softmax(_categorical_logits(eta), axis=-1),
    ),
    "Beta": (_beta, lambda node, eta, p, x: inverse_link(node.link, eta)),
    "OrderedLogistic": (
        lambda node, eta, p, x: (pm.OrderedLogistic, {"eta": eta, "cutpoints": p["cutpoints"]}),
        lambda node, eta, p, x: _ordered_probs(eta, p["cutpoints"]),
    ),
    "HurdleLogNormal": (
        lambda node, eta, p, x: (
            pm.HurdleLogNormal,
            {"psi": pt.sigmoid(x.hurdle_eta), "mu": eta, "sigma": p["sigma"]},
        ),
        lambda node, eta, p, x: pt.sigmoid(x.hurdle_eta) * pt.exp(eta + p["sigma"] ** 2 / 2),
    ),
    "HurdleGamma": (
        lambda node, eta, p, x: (
            pm.HurdleGamma,
            {
                "psi": pt.sigmoid(x.hurdle_eta),
                "alpha": p["alpha"],
                "beta": p["alpha"] / pt.exp(eta),
            },
        ),
        lambda node, eta, p, x: pt.sigmoid(x.hurdle_eta) * pt.exp(eta),
    ),
    "ZeroInflatedPoisson": (
        lambda node, eta, p, x: (pm.ZeroInflatedPoisson, {"psi": p["psi"], "mu": pt.exp(eta)}),
        lambda node, eta, p, x: p["psi"] * pt.exp(eta),
    ),
    "ZeroInflatedNegativeBinomial": (
        lambda node, eta, p, x: (
            pm.ZeroInflatedNegativeBinomial,
            {"psi": p["psi"], "mu": pt.exp(eta), "alpha": p["alpha"]},
        ),
        lambda node, eta, p, x: p["psi"] * pt.exp(eta),
    ),
}


def distribution(node: Node, eta, params: dict, extra: Extra) -> tuple[type, dict]:
    """The PyMC class and keyword arguments of ``node`` given its predictor."""
    return FAMILY_COMPILERS[node.family][0](node, eta, params, extra)


def family_mean(node: Node, eta, params: dict, extra: Extra):
    """``E[node | parents]`` (level probabilities for categorical and ordered nodes)."""
    return FAMILY_COMPILERS[node.family][1](node, eta, params, extra)
