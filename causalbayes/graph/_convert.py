"""Conversions of :class:`~causalbayes.graph.dag.DAG` to and from text and networkx.

A mixin, so that ``dag.py`` keeps only the graph's structure and checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from causalbayes.errors import GraphError
from causalbayes.graph._dot import write_dot

if TYPE_CHECKING:
    from causalbayes.graph.dag import DAG


class DAGConversions:
    """Edge-string, DOT and networkx conversions shared by :class:`DAG`.

    Examples
    --------
    >>> from causalbayes.graph import DAG
    >>> DAG.from_edge_string("a -> b").to_networkx().number_of_edges()
    1
    """

    __slots__ = ()

    # Set by DAG.__init__.
    _nodes: tuple[str, ...]
    _edges: tuple[tuple[str, str], ...]
    _latent: frozenset[str]
    _parents: dict[str, tuple[str, ...]]
    _children: dict[str, tuple[str, ...]]

    def to_edge_string(self) -> str:
        """Edge text that :func:`~causalbayes.graph.parse_edges` reads back.

        Isolated nodes are listed alone and latent nodes as ``name [latent]``.

        Examples
        --------
        >>> from causalbayes.graph import DAG
        >>> DAG(["a", "b", "u"], [("a", "b")], latent=["u"]).to_edge_string()
        'a -> b; u [latent]'
        """
        statements = [f"{parent} -> {child}" for parent, child in self._edges]
        for name in self._nodes:
            if name in self._latent:
                statements.append(f"{name} [latent]")
            elif not self._parents[name] and not self._children[name]:
                statements.append(name)
        return "; ".join(statements)

    @classmethod
    def from_edge_string(cls, text: str) -> DAG:
        """Parse edge text such as ``"a -> b -> c; a -> c"``; see ``parse_edges``.

        Examples
        --------
        >>> from causalbayes.graph import DAG
        >>> DAG.from_edge_string("b <- a; c").nodes
        ('b', 'a', 'c')
        """
        from causalbayes.graph.parse import parse_edges

        return parse_edges(text)

    def to_dot(self) -> str:
        """DOT text listing all nodes, then all edges; latent nodes get ``latent=true``.

        Examples
        --------
        >>> from causalbayes.graph import DAG
        >>> print(DAG.from_edge_string("a -> b").to_dot())
        digraph {
          a;
          b;
          a -> b;
        }
        <BLANKLINE>
        """
        return write_dot(self._nodes, self._edges, self._latent)

    @classmethod
    def from_dot(cls, text: str) -> DAG:
        """Parse ``digraph { ... }`` text; see ``parse_dot``.

        Examples
        --------
        >>> from causalbayes.graph import DAG
        >>> DAG.from_dot('digraph { u [latent=true]; u -> x }').latent
        frozenset({'u'})
        """
        from causalbayes.graph.parse import parse_dot

        return parse_dot(text)

    def to_networkx(self) -> nx.DiGraph:
        """A new ``networkx.DiGraph`` with a boolean ``latent`` node attribute.

        Examples
        --------
        >>> from causalbayes.graph import DAG
        >>> g = DAG(["u", "x"], [("u", "x")], latent=["u"]).to_networkx()
        >>> g.nodes["u"]["latent"], list(g.edges)
        (True, [('u', 'x')])
        """
        graph = nx.DiGraph()
        graph.add_nodes_from((name, {"latent": name in self._latent}) for name in self._nodes)
        graph.add_edges_from(self._edges)
        return graph

    @classmethod
    def from_networkx(cls: type[DAG], graph: nx.DiGraph) -> DAG:
        """Build a DAG from a ``networkx.DiGraph``; a truthy ``latent`` attribute marks latent.

        Examples
        --------
        >>> import networkx as nx
        >>> from causalbayes.graph import DAG
        >>> DAG.from_networkx(nx.DiGraph([("a", "b")]))
        DAG('a -> b')
        """
        if isinstance(graph, nx.MultiDiGraph | nx.MultiGraph):
            raise GraphError(
                "a DAG cannot have parallel edges; convert the multigraph to nx.DiGraph"
            )
        if isinstance(graph, nx.Graph) and not graph.is_directed():
            raise GraphError("the networkx graph is undirected; a DAG needs an nx.DiGraph")
        if not isinstance(graph, nx.DiGraph):
            raise GraphError(f"expected a networkx.DiGraph, got {type(graph).__name__}")
        latent = [name for name, flag in graph.nodes(data="latent") if flag]
        return cls(list(graph.nodes), list(graph.edges), latent)
