"""Causal effects built with pm.do; one Effect type for every query."""

from causalbayes.estimands.ate import ate
from causalbayes.estimands.counterfactual import (
    Counterfactuals,
    counterfactual,
    mediation,
    probabilities_of_causation,
)
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.interventions import (
    average_marginal_effect,
    dose_response,
    policy_value,
    shift_effect,
)
from causalbayes.estimands.predict import Predictions, predict
from causalbayes.estimands.queries import (
    att,
    atu,
    cate,
    contrasts,
    controlled_direct_effect,
)

__all__ = [
    "Counterfactuals",
    "Effect",
    "Predictions",
    "ate",
    "att",
    "atu",
    "average_marginal_effect",
    "cate",
    "contrasts",
    "controlled_direct_effect",
    "counterfactual",
    "dose_response",
    "mediation",
    "policy_value",
    "predict",
    "probabilities_of_causation",
    "shift_effect",
]
