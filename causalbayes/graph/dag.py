"""The immutable directed acyclic graph every causal model is built on, and its conversions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

import networkx as nx

from causalbayes.errors import GraphError
from causalbayes.graph import _checks
from causalbayes.graph._builder import GraphBuilder
from causalbayes.graph._draw import plain_drawing
from causalbayes.graph.formats import read_dot, read_edges, require_text, write_dot

_REPR_LIMIT = 80


class DAG:
    """A directed acyclic graph over named nodes, validated on construction.

    Parameters
    ----------
    nodes : iterable of str
        Node names, each matching ``^[A-Za-z_][A-Za-z0-9_]*$``. Their order is
        kept and breaks ties in :meth:`topological_order`.
    edges : iterable of (str, str)
        ``(parent, child)`` pairs between declared nodes. Duplicates are
        dropped; :attr:`edges` lists them sorted by (parent, child) node order.
    latent : iterable of str, optional
        Nodes that are never observed.

    Raises
    ------
    GraphError
        For a bad or duplicate name, an unknown endpoint, a self loop, or a
        cycle (the message shows the cycle path).

    Notes
    -----
    Equality and hashing compare the sets of nodes, edges and latent nodes;
    node order only affects presentation and tie-breaking.

    Examples
    --------
    >>> dag = DAG(["humid", "dilution", "coating"],
    ...           [("humid", "dilution"), ("dilution", "coating"), ("humid", "coating")])
    >>> dag.parents("coating")
    ('humid', 'dilution')
    >>> dag.topological_order()
    ('humid', 'dilution', 'coating')
    """

    __slots__ = ("_nodes", "_edges", "_latent", "_parents", "_children", "_order")

    _nodes: tuple[str, ...]
    _edges: tuple[tuple[str, str], ...]
    _latent: frozenset[str]
    _parents: dict[str, tuple[str, ...]]
    _children: dict[str, tuple[str, ...]]
    _order: tuple[str, ...]

    def __init__(
        self,
        nodes: Iterable[str],
        edges: Iterable[tuple[str, str]] = (),
        latent: Iterable[str] = (),
    ) -> None:
        node_names = _checks.check_nodes(nodes)
        edge_pairs = _checks.check_edges(edges, node_names)
        # Edges are sorted by node order, so these neighbour lists are too.
        parents: dict[str, list[str]] = {name: [] for name in node_names}
        children: dict[str, list[str]] = {name: [] for name in node_names}
        for parent, child in edge_pairs:
            parents[child].append(parent)
            children[parent].append(child)
        frozen_parents = {name: tuple(found) for name, found in parents.items()}
        frozen_children = {name: tuple(found) for name, found in children.items()}
        self._set("_nodes", node_names)
        self._set("_edges", edge_pairs)
        self._set("_latent", _checks.check_latent(latent, node_names))
        self._set("_parents", frozen_parents)
        self._set("_children", frozen_children)
        self._set("_order", _checks.topological_sort(node_names, frozen_parents, frozen_children))

    # -- immutability -----------------------------------------------------------------

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"DAG is immutable; derive a new one (e.g. with do()) to set {name}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"DAG is immutable; cannot delete {name}")

    def __reduce__(self) -> tuple[type[DAG], tuple[Any, ...]]:
        # Rebuild through __init__: the default slot restore would hit __setattr__.
        return (DAG, (self._nodes, self._edges, tuple(sorted(self._latent))))

    def __copy__(self) -> DAG:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> DAG:
        return self

    # -- basic structure ----------------------------------------------------------------

    @property
    def nodes(self) -> tuple[str, ...]:
        """Node names in declaration order."""
        return self._nodes

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """``(parent, child)`` pairs sorted by parent, then child, node order."""
        return self._edges

    @property
    def latent(self) -> frozenset[str]:
        """Names of the unobserved nodes."""
        return self._latent

    def _require(self, node: object) -> str:
        if not isinstance(node, str) or node not in self._parents:
            raise _checks.unknown_node_error(node, self._nodes)
        return node

    def parents(self, node: str) -> tuple[str, ...]:
        """Direct causes of ``node``, in node order.

        Examples
        --------
        >>> DAG.from_edge_string("a -> c; b -> c").parents("c")
        ('a', 'b')
        """
        return self._parents[self._require(node)]

    def children(self, node: str) -> tuple[str, ...]:
        """Direct effects of ``node``, in node order.

        Examples
        --------
        >>> DAG.from_edge_string("a -> b; a -> c").children("a")
        ('b', 'c')
        """
        return self._children[self._require(node)]

    def _reachable(self, start: str, neighbours: dict[str, tuple[str, ...]]) -> frozenset[str]:
        found: set[str] = set()
        frontier = list(neighbours[self._require(start)])
        while frontier:
            node = frontier.pop()
            if node not in found:
                found.add(node)
                frontier.extend(neighbours[node])
        return frozenset(found)

    def ancestors(self, node: str) -> frozenset[str]:
        """Every node with a directed path into ``node`` (``node`` excluded).

        Examples
        --------
        >>> sorted(DAG.from_edge_string("a -> b -> c").ancestors("c"))
        ['a', 'b']
        """
        return self._reachable(node, self._parents)

    def descendants(self, node: str) -> frozenset[str]:
        """Every node reachable from ``node`` along edges (``node`` excluded).

        Examples
        --------
        >>> sorted(DAG.from_edge_string("a -> b -> c").descendants("a"))
        ['b', 'c']
        """
        return self._reachable(node, self._children)

    def topological_order(self) -> tuple[str, ...]:
        """Parents before children; ties go to the earlier-declared node.

        Examples
        --------
        >>> DAG(["c", "b", "a"], [("a", "b")]).topological_order()
        ('c', 'a', 'b')
        """
        return self._order

    def roots(self) -> tuple[str, ...]:
        """Nodes without parents, in node order.

        Examples
        --------
        >>> DAG.from_edge_string("a -> c; b -> c").roots()
        ('a', 'b')
        """
        return tuple(name for name in self._nodes if not self._parents[name])

    def do(self, *nodes: str) -> DAG:
        """The mutilated graph: every edge into ``nodes`` removed.

        Examples
        --------
        >>> DAG.from_edge_string("z -> x -> y; z -> y").do("x").to_edge_string()
        'z -> y; x -> y'
        """
        intervened = {self._require(node) for node in nodes}
        kept = [(parent, child) for parent, child in self._edges if child not in intervened]
        return DAG(self._nodes, kept, self._latent)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Rich display in notebooks: the Graphviz drawing (``render`` adds query roles)."""
        drawing = plain_drawing(self._nodes, self._edges, self._latent)
        return drawing._repr_mimebundle_(include=include, exclude=exclude)

    # -- text and networkx (the readers live in formats.py) --------------------------------

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
        return cls._built(read_edges(text, "DAG.from_edge_string"))

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
        graph = read_dot(require_text(text, "DAG.from_dot"))
        if graph.bidirected:
            a, b = graph.bidirected[0]
            raise GraphError(
                f"edge {a} -> {b} has dir=both, a bidirected (latent-confounding) edge that a DAG "
                "cannot hold; read the text with ADMG.from_dot, or declare a latent node"
            )
        return cls._built(graph)

    @classmethod
    def _built(cls, graph: GraphBuilder) -> DAG:
        return cls(list(graph.nodes), graph.edges, graph.latent())

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

    # -- dunder protocol ---------------------------------------------------------------

    def __contains__(self, node: object) -> bool:
        return isinstance(node, str) and node in self._parents

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def _key(self) -> tuple[frozenset[str], frozenset[tuple[str, str]], frozenset[str]]:
        return frozenset(self._nodes), frozenset(self._edges), self._latent

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DAG):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        text = self.to_edge_string()
        if len(text) <= _REPR_LIMIT:
            return f"DAG({text!r})"
        shown = text[:_REPR_LIMIT].rsplit(";", 1)[0]
        return f"DAG('{shown}; ...', nodes={len(self._nodes)}, edges={len(self._edges)})"
