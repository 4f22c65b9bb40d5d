"""Simulation, prior predictive checks, fixed-truth recovery and SBC."""

from causalbayes.recovery.checks import recover, sbc
from causalbayes.recovery.execution import SimulationError
from causalbayes.recovery.prior_predictive import PriorPredictive, prior_predictive
from causalbayes.recovery.results import RecoveryResult, SBCResult
from causalbayes.recovery.simulate import simulate

__all__ = [
    "PriorPredictive",
    "RecoveryResult",
    "SBCResult",
    "SimulationError",
    "prior_predictive",
    "recover",
    "sbc",
    "simulate",
]
