"""Simulation and (later) recovery checks."""

from causalbayes.recovery.simulate import simulate

__all__ = ["simulate"]
