"""The SCM as frozen, validated plain data (no PyMC imports)."""

from causalbayes.spec.constructors import (
    Bernoulli,
    Beta,
    Binomial,
    Categorical,
    Gamma,
    Given,
    HurdleGamma,
    HurdleLogNormal,
    LogNormal,
    Measurement,
    NegativeBinomial,
    Normal,
    OrderedLogistic,
    Poisson,
    StudentT,
    ZeroInflatedNegativeBinomial,
    ZeroInflatedPoisson,
)
from causalbayes.spec.families import FAMILIES, LINKS
from causalbayes.spec.mechanism import R2D2, Mechanism
from causalbayes.spec.node import Node
from causalbayes.spec.priors import Prior
from causalbayes.spec.scm import SCM, Parameter
from causalbayes.spec.terms import Poly, Spline

__all__ = [
    "FAMILIES",
    "LINKS",
    "R2D2",
    "SCM",
    "Bernoulli",
    "Beta",
    "Binomial",
    "Categorical",
    "Gamma",
    "Given",
    "HurdleGamma",
    "HurdleLogNormal",
    "LogNormal",
    "Measurement",
    "Mechanism",
    "NegativeBinomial",
    "Node",
    "Normal",
    "OrderedLogistic",
    "Parameter",
    "Poisson",
    "Poly",
    "Prior",
    "Spline",
    "StudentT",
    "ZeroInflatedNegativeBinomial",
    "ZeroInflatedPoisson",
]
