"""The SCM as frozen, validated plain data (no PyMC imports)."""

from causalbayes.spec.families import FAMILIES, LINKS
from causalbayes.spec.node import (
    Bernoulli,
    Binomial,
    Categorical,
    Gamma,
    LogNormal,
    NegativeBinomial,
    Node,
    Normal,
    Poisson,
    StudentT,
)
from causalbayes.spec.priors import Prior
from causalbayes.spec.scm import SCM, Parameter

__all__ = [
    "FAMILIES",
    "LINKS",
    "SCM",
    "Bernoulli",
    "Binomial",
    "Categorical",
    "Gamma",
    "LogNormal",
    "NegativeBinomial",
    "Node",
    "Normal",
    "Parameter",
    "Poisson",
    "Prior",
    "StudentT",
]
