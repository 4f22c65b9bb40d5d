"""Causal effects built with pm.do; one Effect type for every query."""

from causalbayes.estimands.ate import ate
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.predict import Predictions, predict
from causalbayes.estimands.queries import (
    att,
    atu,
    cate,
    contrasts,
    dose_response,
    policy_value,
    shift_effect,
)

__all__ = [
    "Effect",
    "Predictions",
    "ate",
    "att",
    "atu",
    "cate",
    "contrasts",
    "dose_response",
    "policy_value",
    "predict",
    "shift_effect",
]
