"""Identification: is a causal query answered by the graph, and which data checks does it imply?

Graph-only code (no PyMC): adjustment sets, frontdoor sets, instruments, the
ID algorithm with hedges, and tests of the graph's implied independences on
data.  ``estimands`` calls :func:`identify` before reporting an effect.
"""

from __future__ import annotations

from causalbayes.identification.adjustment import AdjustmentProblem
from causalbayes.identification.id_algorithm import Hedge, identify_effect
from causalbayes.identification.implications import ImplicationTests, check_implications
from causalbayes.identification.iv import Instrument
from causalbayes.identification.search import adjustment_sets, minimal_adjustment_set
from causalbayes.identification.verdict import Identification, identify

__all__ = [
    "AdjustmentProblem",
    "Hedge",
    "Identification",
    "ImplicationTests",
    "Instrument",
    "adjustment_sets",
    "check_implications",
    "identify",
    "identify_effect",
    "minimal_adjustment_set",
]
