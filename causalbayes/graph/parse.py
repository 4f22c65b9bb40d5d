"""Text and networkx graphs as a :class:`DAG`: the public readers and the coercion."""

from __future__ import annotations

import networkx as nx

from causalbayes.errors import GraphError
from causalbayes.graph.dag import DAG
from causalbayes.graph.formats import looks_like_dot, read_edges


def parse_edges(text: str) -> DAG:
    """Parse a dagitty-like edge string into a DAG.

    Statements are separated by ``;`` or newlines. A statement is a chain
    ``a -> b -> c`` (``<-`` points the other way), a lone name declaring a
    node, or ``u [latent]`` marking a latent node. ``#`` starts a comment.
    Nodes keep the order of their first mention.

    Parameters
    ----------
    text : str
        The edge string.

    Returns
    -------
    DAG

    Raises
    ------
    GraphError
        On a syntax error (naming the statement), a bidirected ``<->`` edge,
        or an invalid graph (bad name, cycle).

    Examples
    --------
    >>> dag = parse_edges("humid -> dilution -> coating; humid -> coating")
    >>> dag.nodes
    ('humid', 'dilution', 'coating')
    >>> parse_edges("y <- x  # comment\\nz").edges
    (('x', 'y'),)
    """
    graph = read_edges(text, "parse_edges")
    return DAG(list(graph.nodes), graph.edges, graph.latent())


def parse_dot(text: str) -> DAG:
    """Parse the common subset of Graphviz DOT into a DAG.

    Accepts ``[strict] digraph [name] { ... }`` with node statements, edge
    chains, quoted IDs, attribute lists and ``//``, ``/* */``, ``#`` comments.
    A node with ``latent=true`` (quoted or not) is latent; other attributes
    and default-attribute statements are ignored.

    Parameters
    ----------
    text : str
        The DOT source.

    Returns
    -------
    DAG

    Raises
    ------
    GraphError
        On a syntax error, an undirected ``graph``/``--``, a subgraph, or an
        invalid graph (bad name, cycle).

    Examples
    --------
    >>> dag = parse_dot('digraph { u [latent="true"]; u -> x -> "y" [color=red] }')
    >>> dag.edges, dag.latent
    ((('u', 'x'), ('x', 'y')), frozenset({'u'}))
    """
    return DAG.from_dot(text)


def as_dag(obj: DAG | nx.DiGraph | str) -> DAG:
    """Coerce a DAG, a ``networkx.DiGraph``, DOT text or an edge string to a DAG.

    Text starting with ``digraph`` (or ``strict digraph``), after whitespace
    and comments, is read as DOT; any other text as an edge string.

    Examples
    --------
    >>> as_dag("a -> b") == as_dag("digraph { a -> b }")
    True
    """
    if isinstance(obj, DAG):
        return obj
    if isinstance(obj, nx.Graph):
        return DAG.from_networkx(obj)
    if isinstance(obj, str):
        return parse_dot(obj) if looks_like_dot(obj) else parse_edges(obj)
    raise GraphError(
        "cannot make a DAG from "
        f"{type(obj).__name__}; pass a DAG, a networkx.DiGraph, DOT text "
        "('digraph { a -> b }') or an edge string ('a -> b; b -> c')"
    )
