"""The SCM as frozen, validated plain data (no PyMC imports)."""

from causalbayes.families import FAMILIES, LINKS
from causalbayes.scm.constructors import (
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
from causalbayes.scm.mechanism import R2D2, Mechanism
from causalbayes.scm.node import Node
from causalbayes.scm.priors import Prior
from causalbayes.scm.scm import SCM, Parameter
from causalbayes.scm.terms import Poly, Spline

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
