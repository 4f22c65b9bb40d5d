"""Draw a DAG with Graphviz, highlighting the roles nodes play in a query.

Only builds a :class:`graphviz.Digraph`; the ``dot`` binary runs when the
caller renders or displays it, never on import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import graphviz
import networkx as nx

from causalbayes.errors import GraphError
from causalbayes.graph._checks import unknown_node_error
from causalbayes.graph._draw import BIDIRECTED_COLOR, LATENT_COLOR
from causalbayes.graph.admg import ADMG
from causalbayes.graph.dag import DAG
from causalbayes.graph.parse import as_dag

RANKDIRS = ("LR", "RL", "TB", "BT")
TREATMENT_FILL = "lightblue"
OUTCOME_FILL = "gold"
ADJUST_FILL = "palegreen"


@dataclass(frozen=True, slots=True)
class _Roles:
    treatment: frozenset[str]
    outcome: frozenset[str]
    adjust: frozenset[str]
    intervened: frozenset[str]


def _names(dag: DAG, value: str | Iterable[str] | None, role: str) -> frozenset[str]:
    """Normalise one node or many to a set, refusing names not in ``dag``."""
    if value is None:
        return frozenset()
    names = [value] if isinstance(value, str) else list(value)
    for name in names:
        if name not in dag:
            raise unknown_node_error(name, dag.nodes, role=f"{role} node")
    return frozenset(names)


def _roles(
    dag: DAG,
    treatment: str | Iterable[str] | None,
    outcome: str | Iterable[str] | None,
    adjust: Iterable[str],
    intervened: Iterable[str],
) -> _Roles:
    roles = _Roles(
        treatment=_names(dag, treatment, "treatment"),
        outcome=_names(dag, outcome, "outcome"),
        adjust=_names(dag, adjust, "adjust"),
        intervened=_names(dag, intervened, "intervened"),
    )
    if both := roles.treatment & roles.outcome:
        raise GraphError(f"{sorted(both)} cannot be both treatment and outcome")
    if clash := roles.adjust & (roles.treatment | roles.outcome):
        raise GraphError(f"the adjustment set cannot contain treatment or outcome {sorted(clash)}")
    return roles


def _fill(node: str, roles: _Roles) -> str | None:
    if node in roles.treatment:
        return TREATMENT_FILL
    if node in roles.outcome:
        return OUTCOME_FILL
    if node in roles.adjust:
        return ADJUST_FILL
    return None


def _node_attributes(node: str, dag: DAG, roles: _Roles) -> dict[str, str]:
    styles: list[str] = []
    attributes: dict[str, str] = {}
    if node in roles.intervened:
        attributes["shape"] = "box"
        styles.append("bold")
    if node in dag.latent:
        styles.append("dashed")
        attributes["color"] = LATENT_COLOR
        attributes["fontcolor"] = LATENT_COLOR
    if fill := _fill(node, roles):
        styles.append("filled")
        attributes["fillcolor"] = fill
    if node in roles.adjust:
        attributes["peripheries"] = "2"
    if styles:
        attributes["style"] = ",".join(styles)
    return attributes


def render(
    dag: DAG | ADMG | nx.DiGraph | str,
    *,
    treatment: str | Iterable[str] | None = None,
    outcome: str | Iterable[str] | None = None,
    adjust: Iterable[str] = (),
    intervened: Iterable[str] = (),
    title: str | None = None,
    rankdir: str = "LR",
) -> graphviz.Digraph:
    """Build a styled Graphviz drawing of ``dag``.

    Parameters
    ----------
    dag : DAG, ADMG, networkx.DiGraph or str
        The graph; anything :func:`as_dag` accepts, or an ADMG (bidirected
        edges drawn dashed, red, with arrowheads at both ends).
    treatment, outcome : str or iterable of str, optional
        Filled light blue and gold respectively.
    adjust : iterable of str, optional
        The adjustment set: filled pale green with a double outline.
    intervened : iterable of str, optional
        Drawn as bold boxes, with their incoming edges removed (``dag.do``;
        for an ADMG their bidirected edges go too).
    title : str, optional
        A label shown above the graph.
    rankdir : {"LR", "RL", "TB", "BT"}
        Direction in which edges point.

    Returns
    -------
    graphviz.Digraph
        Display it in a notebook, or call ``.pipe(format="svg")``.

    Raises
    ------
    GraphError
        For a node name not in the graph, conflicting roles or a bad rankdir.

    Notes
    -----
    Latent nodes, and edges leaving them, are dashed and grey.

    Examples
    --------
    >>> drawing = render("z -> x -> y; z -> y", treatment="x", outcome="y", adjust=["z"])
    >>> "fillcolor=lightblue" in drawing.source
    True
    >>> "dir=both" in render(ADMG.from_edge_string("t -> y; t <-> y")).source
    True
    """
    if isinstance(dag, ADMG):
        return _render_admg(dag, treatment, outcome, adjust, intervened, title, rankdir)
    graph = as_dag(dag)
    if rankdir not in RANKDIRS:
        raise GraphError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    roles = _roles(graph, treatment, outcome, adjust, intervened)
    drawing = graphviz.Digraph(graph_attr={"rankdir": rankdir})
    if title is not None:
        drawing.attr(label=title, labelloc="t")
    shown = graph.do(*sorted(roles.intervened))
    for node in shown.nodes:
        drawing.node(node, **_node_attributes(node, graph, roles))
    for parent, child in shown.edges:
        if parent in graph.latent:
            drawing.edge(parent, child, style="dashed", color=LATENT_COLOR)
        else:
            drawing.edge(parent, child)
    return drawing


def _render_admg(
    admg: ADMG,
    treatment: str | Iterable[str] | None,
    outcome: str | Iterable[str] | None,
    adjust: Iterable[str],
    intervened: Iterable[str],
    title: str | None,
    rankdir: str,
) -> graphviz.Digraph:
    """Draw the directed part as a DAG, then add the (surviving) bidirected edges."""
    roles = _roles(admg.directed_part, treatment, outcome, adjust, intervened)
    drawing = render(
        admg.directed_part,
        treatment=treatment,
        outcome=outcome,
        adjust=adjust,
        intervened=intervened,
        title=title,
        rankdir=rankdir,
    )
    for a, b in admg.do(*sorted(roles.intervened)).bidirected:
        drawing.edge(a, b, dir="both", style="dashed", color=BIDIRECTED_COLOR, constraint="false")
    return drawing
