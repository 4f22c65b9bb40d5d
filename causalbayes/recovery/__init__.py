"""Simulation, prior predictive checks and (later) recovery checks."""

from causalbayes.recovery.prior_predictive import PriorPredictive, prior_predictive
from causalbayes.recovery.simulate import simulate

__all__ = ["PriorPredictive", "prior_predictive", "simulate"]
