"""causalbayes: Bayesian causal inference on PyMC.

Declare a DAG of structural equations, compile it to a generative PyMC
model, condition it on data with ``pm.observe``, intervene with ``pm.do``
and report causal effects as posterior distributions.

>>> import causalbayes as cb
>>> scm = cb.SCM({"x": cb.Normal(), "y": cb.Normal(parents=["x"])})
>>> scm.order
('x', 'y')
"""

from causalbayes.errors import (
    CausalBayesError,
    CausalBayesWarning,
    DataError,
    DiagnosticsWarning,
    FileFormatError,
    GraphError,
    MissingDependencyError,
    QueryError,
    SpecError,
)
from causalbayes.graph import DAG
from causalbayes.spec import (
    SCM,
    Bernoulli,
    Binomial,
    Categorical,
    Gamma,
    LogNormal,
    NegativeBinomial,
    Node,
    Normal,
    Poisson,
    Prior,
    StudentT,
)

__version__ = "0.1.0"


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
        "ate": ("causalbayes.estimands", "ate"),
        "Effect": ("causalbayes.estimands", "Effect"),
        "load": ("causalbayes.io", "load_fit"),
        "examples": ("causalbayes.examples", None),
    }
    if name not in lazy:
        raise AttributeError(f"module 'causalbayes' has no attribute {name!r}")
    import importlib

    module_name, attr = lazy[name]
    module = importlib.import_module(module_name)
    return module if attr is None else getattr(module, attr)


__all__ = [
    "DAG",
    "SCM",
    "Bernoulli",
    "Binomial",
    "CausalBayesError",
    "CausalBayesWarning",
    "Categorical",
    "DataError",
    "DiagnosticsWarning",
    "Effect",
    "Fit",
    "FileFormatError",
    "Gamma",
    "GraphError",
    "LogNormal",
    "MissingDependencyError",
    "NegativeBinomial",
    "Node",
    "Normal",
    "Poisson",
    "Prior",
    "QueryError",
    "Refitter",
    "SpecError",
    "StudentT",
    "ate",
    "available_samplers",
    "conditioned_model",
    "examples",
    "fit",
    "load",
    "simulate",
]
