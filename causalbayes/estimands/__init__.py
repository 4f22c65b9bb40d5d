"""Causal effects built with pm.do; one Effect type for every query."""

from causalbayes.estimands.ate import ate
from causalbayes.estimands.effect import Effect

__all__ = ["Effect", "ate"]
