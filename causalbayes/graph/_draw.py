"""A plain Graphviz drawing of nodes and edges: how graphs show themselves in notebooks.

The styled drawing with query roles is :func:`causalbayes.graph.render`; both
share these colours.  Only builds a ``graphviz.Digraph``: the ``dot`` binary
runs when it is displayed.
"""

from __future__ import annotations

from collections.abc import Iterable

import graphviz

LATENT_COLOR = "grey50"
BIDIRECTED_COLOR = "firebrick"


def plain_drawing(
    nodes: Iterable[str],
    edges: Iterable[tuple[str, str]],
    latent: frozenset[str] = frozenset(),
    bidirected: Iterable[tuple[str, str]] = (),
) -> graphviz.Digraph:
    """Nodes and edges left to right; latent ones dashed grey, bidirected ones dashed red."""
    drawing = graphviz.Digraph(graph_attr={"rankdir": "LR"})
    for node in nodes:
        if node in latent:
            drawing.node(node, style="dashed", color=LATENT_COLOR, fontcolor=LATENT_COLOR)
        else:
            drawing.node(node)
    for parent, child in edges:
        if parent in latent:
            drawing.edge(parent, child, style="dashed", color=LATENT_COLOR)
        else:
            drawing.edge(parent, child)
    for a, b in bidirected:
        drawing.edge(a, b, dir="both", style="dashed", color=BIDIRECTED_COLOR, constraint="false")
    return drawing
