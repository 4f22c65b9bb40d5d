"""Causal effects built with pm.do; one Effect type for every query."""

from causalbayes.estimands.ate import ate
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.predict import Predictions, predict

__all__ = ["Effect", "Predictions", "ate", "predict"]
