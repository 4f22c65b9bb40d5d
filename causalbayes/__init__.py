"""causalbayes: Bayesian causal inference on PyMC.

Declare a DAG of structural equations, compile it to a generative PyMC
model, condition it on data with ``pm.observe``, intervene with ``pm.do``
and report causal effects as posterior distributions.

>>> import causalbayes as cb
>>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(parents=["x"])})
>>> scm.order
('x', 'y')
"""

from causalbayes._version import __version__  # noqa: F401  (the package version)
from causalbayes.errors import (
    AssumptionWarning,
    CausalBayesError,
    CausalBayesWarning,
    DataError,
    DiagnosticsError,
    DiagnosticsWarning,
    FileFormatError,
    GraphError,
    IdentificationWarning,
    MissingDependencyError,
    QueryError,
    SpecError,
)
from causalbayes.graph import ADMG, DAG
from causalbayes.identification import (
    Identification,
    adjustment_sets,
    check_implications,
    identify,
    minimal_adjustment_set,
)
from causalbayes.scm import (
    R2D2,
    SCM,
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
    Mechanism,
    NegativeBinomial,
    Node,
    Normal,
    OrderedLogistic,
    Poisson,
    Poly,
    Prior,
    Spline,
    StudentT,
    ZeroInflatedNegativeBinomial,
    ZeroInflatedPoisson,
)


def __getattr__(name: str):
    # PyMC-dependent pieces load on first use: declaring a spec stays light and
    # `import causalbayes` does not pay PyMC's import cost up front.
    lazy = {
        "fit": ("causalbayes.inference", "fit"),
        "conditioned_model": ("causalbayes.inference", "conditioned_model"),
        "Fit": ("causalbayes.inference", "Fit"),
        "Refitter": ("causalbayes.inference", "Refitter"),
        "available_samplers": ("causalbayes.inference", "available_samplers"),
        "simulate": ("causalbayes.recovery", "simulate"),
        "prior_predictive": ("causalbayes.recovery", "prior_predictive"),
        "PriorPredictive": ("causalbayes.recovery", "PriorPredictive"),
        "recover": ("causalbayes.recovery", "recover"),
        "sbc": ("causalbayes.recovery", "sbc"),
        "Query": ("causalbayes.recovery", "Query"),
        "RecoveryResult": ("causalbayes.recovery", "RecoveryResult"),
        "SBCResult": ("causalbayes.recovery", "SBCResult"),
        "ate": ("causalbayes.estimands", "ate"),
        "Effect": ("causalbayes.estimands", "Effect"),
        "predict": ("causalbayes.estimands", "predict"),
        "load": ("causalbayes.inference.io", "load_fit"),
        "save": ("causalbayes.inference.io", "save_fit"),
        "generative_model": ("causalbayes.compile", "generative_model"),
        "examples": ("causalbayes.examples", None),
    }
    if name not in lazy:
        raise AttributeError(f"module 'causalbayes' has no attribute {name!r}")
    import importlib

    module_name, attr = lazy[name]
    module = importlib.import_module(module_name)
    return module if attr is None else getattr(module, attr)


__all__ = [
    "ADMG",
    "AssumptionWarning",
    "DAG",
    "R2D2",
    "Identification",
    "IdentificationWarning",
    "adjustment_sets",
    "check_implications",
    "identify",
    "minimal_adjustment_set",
    "SCM",
    "Bernoulli",
    "Beta",
    "Binomial",
    "CausalBayesError",
    "CausalBayesWarning",
    "Categorical",
    "DataError",
    "DiagnosticsError",
    "DiagnosticsWarning",
    "Effect",
    "Fit",
    "FileFormatError",
    "Gamma",
    "Given",
    "GraphError",
    "HurdleGamma",
    "HurdleLogNormal",
    "LogNormal",
    "Measurement",
    "Mechanism",
    "MissingDependencyError",
    "NegativeBinomial",
    "Node",
    "Normal",
    "OrderedLogistic",
    "Poisson",
    "Poly",
    "Prior",
    "PriorPredictive",
    "Query",
    "QueryError",
    "RecoveryResult",
    "Refitter",
    "SBCResult",
    "SpecError",
    "Spline",
    "StudentT",
    "ZeroInflatedNegativeBinomial",
    "ZeroInflatedPoisson",
    "ate",
    "available_samplers",
    "conditioned_model",
    "examples",
    "fit",
    "generative_model",
    "load",
    "predict",
    "prior_predictive",
    "recover",
    "save",
    "sbc",
    "simulate",
]
