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
    PositivityWarning,
    QueryError,
    SpecError,
)

# The exact (conjugate) A/B path loads with the package, PyMC still on first use: an
# experiment's answer then comes in milliseconds after `import causalbayes` (its
# modules, scipy.special included, add about 0.25 s to the import).
from causalbayes.estimands.experiment import ab_test
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

# queries (value objects), their functions of a fit, the runner and the result types
_ESTIMANDS = (
    "ATE", "ATT", "ATU", "CATE", "CDE", "AverageMarginalEffect", "CausationProbabilities",
    "Contrasts", "Counterfactual", "Counterfactuals", "DoseResponse", "Effect", "Mediation",
    "PolicyValue", "Predictions", "Query", "Shift", "ate", "att", "atu",
    "average_marginal_effect", "cate", "contrasts", "controlled_direct_effect", "counterfactual",
    "dose_response", "evaluate", "mediation", "policy_value", "predict",
    "probabilities_of_causation", "shift_effect", "ArmMeans", "Experiment", "UnitEffects",
    "ab_test", "arm_means", "experiment_scm", "unit_effects",
)  # fmt: skip

# what if the graph is wrong: sensitivity to a latent confounder, refutations, the report
_SENSITIVITY = (
    "AssumptionsReport", "BayesSensitivity", "ConfoundedATE", "EValue", "OLSSensitivity",
    "Overlap", "Refutation", "Refutations", "assumptions_report", "bayesian_sensitivity",
    "confounded_ate", "evalue", "latent_sensitivity", "ols_sensitivity", "overlap", "refute",
    "with_latent_confounder",
)  # fmt: skip


def __getattr__(name: str):
    # PyMC-dependent pieces load on first use: declaring a spec stays light and
    # `import causalbayes` does not pay PyMC's import cost up front.
    lazy = {
        "fit": ("causalbayes.inference", "fit"),
        "fit_more": ("causalbayes.inference", "fit_more"),
        "conditioned_model": ("causalbayes.inference", "conditioned_model"),
        "Fit": ("causalbayes.inference", "Fit"),
        "Refitter": ("causalbayes.inference", "Refitter"),
        "available_samplers": ("causalbayes.inference", "available_samplers"),
        "simulate": ("causalbayes.recovery", "simulate"),
        "prior_predictive": ("causalbayes.recovery", "prior_predictive"),
        "PriorPredictive": ("causalbayes.recovery", "PriorPredictive"),
        "recover": ("causalbayes.recovery", "recover"),
        "sbc": ("causalbayes.recovery", "sbc"),
        "RecoveryResult": ("causalbayes.recovery", "RecoveryResult"),
        "SBCResult": ("causalbayes.recovery", "SBCResult"),
        **{name: ("causalbayes.estimands", name) for name in _ESTIMANDS},
        "load": ("causalbayes.inference.io", "load_fit"),
        "save": ("causalbayes.inference.io", "save_fit"),
        "generative_model": ("causalbayes.compile", "generative_model"),
        **{name: ("causalbayes.sensitivity", name) for name in _SENSITIVITY},
        "sensitivity": ("causalbayes.sensitivity", None),
        "examples": ("causalbayes.examples", None),
        "testing": ("causalbayes.testing", None),
    }
    if name not in lazy:
        raise AttributeError(f"module 'causalbayes' has no attribute {name!r}")
    import importlib

    module_name, attr = lazy[name]
    module = importlib.import_module(module_name)
    return module if attr is None else getattr(module, attr)


__all__ = [
    "ADMG",
    "ATE",
    "ATT",
    "ATU",
    "ArmMeans",
    "AssumptionWarning",
    "AssumptionsReport",
    "AverageMarginalEffect",
    "BayesSensitivity",
    "Bernoulli",
    "Beta",
    "Binomial",
    "CATE",
    "CDE",
    "Categorical",
    "CausalBayesError",
    "CausalBayesWarning",
    "CausationProbabilities",
    "ConfoundedATE",
    "Contrasts",
    "Counterfactual",
    "Counterfactuals",
    "DAG",
    "DataError",
    "DiagnosticsError",
    "DiagnosticsWarning",
    "DoseResponse",
    "EValue",
    "Effect",
    "Experiment",
    "FileFormatError",
    "Fit",
    "Gamma",
    "Given",
    "GraphError",
    "HurdleGamma",
    "HurdleLogNormal",
    "Identification",
    "IdentificationWarning",
    "LogNormal",
    "Measurement",
    "Mechanism",
    "Mediation",
    "MissingDependencyError",
    "NegativeBinomial",
    "Node",
    "Normal",
    "OLSSensitivity",
    "OrderedLogistic",
    "Overlap",
    "Poisson",
    "PolicyValue",
    "Poly",
    "PositivityWarning",
    "Predictions",
    "Prior",
    "PriorPredictive",
    "Query",
    "QueryError",
    "R2D2",
    "RecoveryResult",
    "Refitter",
    "Refutation",
    "Refutations",
    "SBCResult",
    "SCM",
    "Shift",
    "SpecError",
    "Spline",
    "StudentT",
    "UnitEffects",
    "ZeroInflatedNegativeBinomial",
    "ZeroInflatedPoisson",
    "ab_test",
    "adjustment_sets",
    "arm_means",
    "assumptions_report",
    "ate",
    "att",
    "atu",
    "available_samplers",
    "average_marginal_effect",
    "bayesian_sensitivity",
    "cate",
    "check_implications",
    "conditioned_model",
    "confounded_ate",
    "contrasts",
    "controlled_direct_effect",
    "counterfactual",
    "dose_response",
    "evaluate",
    "evalue",
    "examples",
    "experiment_scm",
    "fit",
    "fit_more",
    "generative_model",
    "identify",
    "latent_sensitivity",
    "load",
    "mediation",
    "minimal_adjustment_set",
    "ols_sensitivity",
    "overlap",
    "policy_value",
    "predict",
    "prior_predictive",
    "probabilities_of_causation",
    "recover",
    "refute",
    "save",
    "sbc",
    "sensitivity",
    "shift_effect",
    "simulate",
    "testing",
    "unit_effects",
    "with_latent_confounder",
]
