"""Causal queries as value objects, one runner, one Effect type.

Each query (``ATE``, ``CATE``, ``DoseResponse``, ``Mediation``, ...) is plain
data; :func:`evaluate` answers it on a fit, and each has a function of the fit
with the same options (``ate(fit, "t", "y")``) for notebooks.

The names load on first use (``causalbayes._lazy``): most modules here import
PyMC, and ``ab_test`` on a conjugate experiment needs none of them.
"""

from typing import TYPE_CHECKING, Any

from causalbayes._lazy import exported_names, keep_exports, load_export

if TYPE_CHECKING:  # the same names for type checkers (tests/test_lazy_exports.py)
    from causalbayes.estimands.abduction import Counterfactuals, counterfactual
    from causalbayes.estimands.arms import (
        CDE,
        ArmMeans,
        Contrasts,
        arm_means,
        contrasts,
        controlled_direct_effect,
    )
    from causalbayes.estimands.averages import ATE, ATT, ATU, ate, att, atu
    from causalbayes.estimands.counterfactuals import (
        CausationProbabilities,
        Counterfactual,
        Mediation,
        mediation,
        probabilities_of_causation,
    )
    from causalbayes.estimands.effect import Effect
    from causalbayes.estimands.experiment import Experiment, ab_test, experiment_scm
    from causalbayes.estimands.interventions import (
        AverageMarginalEffect,
        DoseResponse,
        PolicyValue,
        Shift,
        average_marginal_effect,
        dose_response,
        policy_value,
        shift_effect,
    )
    from causalbayes.estimands.predict import Predictions, predict
    from causalbayes.estimands.query import Plan, Query, draws, evaluate
    from causalbayes.estimands.subgroups import CATE, cate
    from causalbayes.estimands.units import UnitEffects, unit_effects

_MODULES = {
    "abduction": ("Counterfactuals", "counterfactual"),
    "arms": ("CDE", "ArmMeans", "Contrasts", "arm_means", "contrasts", "controlled_direct_effect"),
    "averages": ("ATE", "ATT", "ATU", "ate", "att", "atu"),
    "counterfactuals": (
        "CausationProbabilities", "Counterfactual", "Mediation", "mediation",
        "probabilities_of_causation",
    ),
    "effect": ("Effect",),
    "experiment": ("Experiment", "ab_test", "experiment_scm"),
    "interventions": (
        "AverageMarginalEffect", "DoseResponse", "PolicyValue", "Shift",
        "average_marginal_effect", "dose_response", "policy_value", "shift_effect",
    ),
    "predict": ("Predictions", "predict"),
    "query": ("Plan", "Query", "draws", "evaluate"),
    "subgroups": ("CATE", "cate"),
    "units": ("UnitEffects", "unit_effects"),
}  # fmt: skip
keep_exports(__name__, {n: f"{__name__}.{m}" for m, names in _MODULES.items() for n in names})


def __getattr__(name: str) -> Any:
    return load_export(__name__, name)


def __dir__() -> list[str]:
    return exported_names(__name__)


__all__ = [
    "ATE",
    "ATT",
    "ATU",
    "ArmMeans",
    "AverageMarginalEffect",
    "CATE",
    "CDE",
    "CausationProbabilities",
    "Contrasts",
    "Counterfactual",
    "Counterfactuals",
    "DoseResponse",
    "Effect",
    "Experiment",
    "Mediation",
    "Plan",
    "PolicyValue",
    "Predictions",
    "Query",
    "Shift",
    "UnitEffects",
    "ab_test",
    "arm_means",
    "ate",
    "att",
    "atu",
    "average_marginal_effect",
    "cate",
    "contrasts",
    "controlled_direct_effect",
    "counterfactual",
    "dose_response",
    "draws",
    "evaluate",
    "experiment_scm",
    "mediation",
    "policy_value",
    "predict",
    "probabilities_of_causation",
    "shift_effect",
    "unit_effects",
]
