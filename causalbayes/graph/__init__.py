"""The causal graph layer: an immutable DAG and ADMG, their text formats, d-separation, drawing.

Pure graph code: nothing here imports PyMC.
"""

from __future__ import annotations

from causalbayes.graph.admg import ADMG, as_admg
from causalbayes.graph.dag import DAG
from causalbayes.graph.dsep import d_separated, implied_independences
from causalbayes.graph.parse import as_dag, parse_dot, parse_edges
from causalbayes.graph.render import render

__all__ = [
    "ADMG",
    "DAG",
    "as_admg",
    "as_dag",
    "d_separated",
    "implied_independences",
    "parse_dot",
    "parse_edges",
    "render",
]
