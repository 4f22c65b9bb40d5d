"""Acyclic directed mixed graphs: directed edges plus bidirected (latent-confounding) edges.

An ADMG is what the data can see of a DAG with latent nodes: its *latent
projection* (Verma & Pearl) keeps the observed nodes, draws ``a -> b`` when a
directed path from ``a`` to ``b`` runs only through latent nodes, and
``a <-> b`` when a latent node reaches both through latent nodes only.
Identification (``causalbayes.identification``) works on ADMGs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

import networkx as nx

from causalbayes.errors import GraphError
from causalbayes.graph import _checks
from causalbayes.graph._draw import plain_drawing
from causalbayes.graph.dag import DAG
from causalbayes.graph.formats import (
    looks_like_dot,
    read_admg_edges,
    read_dot,
    require_text,
    write_dot,
)


class ADMG:
    """An acyclic directed mixed graph over named, observed nodes.

    Parameters
    ----------
    nodes : iterable of str
        Node names (as for :class:`DAG`); their order breaks ties.
    directed : iterable of (str, str)
        ``(parent, child)`` pairs; they must not form a cycle.
    bidirected : iterable of (str, str)
        Unordered pairs ``a <-> b``: a latent common cause of ``a`` and ``b``.

    Raises
    ------
    GraphError
        For bad names, unknown endpoints, self loops or a directed cycle.

    Examples
    --------
    >>> g = ADMG.from_edge_string("t -> y; t <-> y")
    >>> g.parents("y"), g.spouses("y")
    (('t',), ('t',))
    >>> g.districts()
    (('t', 'y'),)
    """

    __slots__ = ("_dag", "_bidirected", "_spouses")

    _dag: DAG
    _bidirected: tuple[tuple[str, str], ...]
    _spouses: dict[str, tuple[str, ...]]

    def __init__(
        self,
        nodes: Iterable[str],
        directed: Iterable[tuple[str, str]] = (),
        bidirected: Iterable[tuple[str, str]] = (),
    ) -> None:
        dag = DAG(nodes, directed)
        position = {n: i for i, n in enumerate(dag.nodes)}
        pairs: set[tuple[str, str]] = set()
        for a, b in _checks.check_edges(bidirected, dag.nodes):
            pairs.add((a, b) if position[a] < position[b] else (b, a))
        ordered = tuple(sorted(pairs, key=lambda e: (position[e[0]], position[e[1]])))
        spouses: dict[str, list[str]] = {n: [] for n in dag.nodes}
        for a, b in ordered:
            spouses[a].append(b)
            spouses[b].append(a)
        object.__setattr__(self, "_dag", dag)
        object.__setattr__(self, "_bidirected", ordered)
        object.__setattr__(
            self,
            "_spouses",
            {n: tuple(sorted(s, key=position.get)) for n, s in spouses.items()},
        )

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"ADMG is immutable; derive a new one to set {name}")

    def __reduce__(self) -> tuple[type[ADMG], tuple[Any, ...]]:
        return (ADMG, (self.nodes, self.directed, self._bidirected))

    # -- structure ---------------------------------------------------------------------

    @property
    def nodes(self) -> tuple[str, ...]:
        """Node names in declaration order."""
        return self._dag.nodes

    @property
    def directed(self) -> tuple[tuple[str, str], ...]:
        """``(parent, child)`` pairs."""
        return self._dag.edges

    @property
    def bidirected(self) -> tuple[tuple[str, str], ...]:
        """``(a, b)`` pairs, ``a`` declared before ``b``."""
        return self._bidirected

    @property
    def directed_part(self) -> DAG:
        """The DAG of the directed edges alone."""
        return self._dag

    def parents(self, node: str) -> tuple[str, ...]:
        """Direct causes of ``node``."""
        return self._dag.parents(node)

    def children(self, node: str) -> tuple[str, ...]:
        """Direct effects of ``node``."""
        return self._dag.children(node)

    def spouses(self, node: str) -> tuple[str, ...]:
        """Nodes sharing a bidirected edge with ``node``."""
        self._dag.parents(node)  # validates the name
        return self._spouses[node]

    def ancestors(self, node: str) -> frozenset[str]:
        """Nodes with a directed path into ``node`` (``node`` excluded)."""
        return self._dag.ancestors(node)

    def descendants(self, node: str) -> frozenset[str]:
        """Nodes reachable from ``node`` along directed edges (``node`` excluded)."""
        return self._dag.descendants(node)

    def topological_order(self) -> tuple[str, ...]:
        """A topological order of the directed part."""
        return self._dag.topological_order()

    def districts(self) -> tuple[tuple[str, ...], ...]:
        """The c-components: classes of nodes joined by bidirected paths, in node order.

        Examples
        --------
        >>> ADMG.from_edge_string("a <-> b; b -> c; c <-> d").districts()
        (('a', 'b'), ('c', 'd'))
        """
        seen: set[str] = set()
        out = []
        for start in self.nodes:
            if start in seen:
                continue
            component, frontier = {start}, [start]
            while frontier:
                for nxt in self._spouses[frontier.pop()]:
                    if nxt not in component:
                        component.add(nxt)
                        frontier.append(nxt)
            seen |= component
            out.append(tuple(n for n in self.nodes if n in component))
        return tuple(out)

    def subgraph(self, nodes: Iterable[str]) -> ADMG:
        """The induced subgraph on ``nodes`` (edges with both ends kept).

        Examples
        --------
        >>> ADMG.from_edge_string("a -> b -> c; a <-> c").subgraph(["a", "c"]).to_edge_string()
        'a <-> c'
        """
        keep = {self._require(n) for n in nodes}
        return ADMG(
            [n for n in self.nodes if n in keep],
            [(a, b) for a, b in self.directed if a in keep and b in keep],
            [(a, b) for a, b in self._bidirected if a in keep and b in keep],
        )

    def do(self, *nodes: str) -> ADMG:
        """The mutilated graph: directed and bidirected edges into ``nodes`` removed.

        Examples
        --------
        >>> ADMG.from_edge_string("z -> t -> y; t <-> y").do("t").to_edge_string()
        't -> y; z'
        """
        cut = {self._require(n) for n in nodes}
        return ADMG(
            self.nodes,
            [(a, b) for a, b in self.directed if b not in cut],
            [(a, b) for a, b in self._bidirected if a not in cut and b not in cut],
        )

    def _require(self, node: object) -> str:
        if node not in self:
            raise _checks.unknown_node_error(node, self.nodes)
        return str(node)

    # -- conversions -----------------------------------------------------------------------

    @classmethod
    def from_dag(cls, dag: DAG) -> ADMG:
        """The latent projection of ``dag`` onto its observed nodes.

        Examples
        --------
        >>> dag = DAG.from_edge_string("u -> t -> y; u -> y; u [latent]")
        >>> ADMG.from_dag(dag).to_edge_string()
        't -> y; t <-> y'
        >>> ADMG.from_dag(DAG.from_edge_string("a -> l -> b; l [latent]")).directed
        (('a', 'b'),)
        """
        latent = dag.latent
        observed = [n for n in dag.nodes if n not in latent]

        def reach(start: str) -> set[str]:
            """Observed nodes reached from ``start`` through latent nodes only."""
            found: set[str] = set()
            seen: set[str] = set()
            frontier = list(dag.children(start))
            while frontier:
                node = frontier.pop()
                if node in seen:
                    continue
                seen.add(node)
                if node in latent:
                    frontier.extend(dag.children(node))
                else:
                    found.add(node)
            return found

        directed = [(a, b) for a in observed for b in reach(a)]
        bidirected: set[tuple[str, str]] = set()
        for u in latent:
            hit = sorted(reach(u))
            bidirected.update((a, b) for i, a in enumerate(hit) for b in hit[i + 1 :])
        return cls(observed, directed, bidirected)

    def to_dag(self) -> DAG:
        """A DAG with one latent parent per bidirected edge (named ``U_a_b``).

        Its latent projection is this ADMG again, so d-separation in it is
        m-separation here.

        Examples
        --------
        >>> ADMG.from_edge_string("t -> y; t <-> y").to_dag().to_edge_string()
        't -> y; U_t_y -> t; U_t_y -> y; U_t_y [latent]'
        """
        names = set(self.nodes)
        latent: list[str] = []
        edges = list(self.directed)
        for a, b in self._bidirected:
            name = f"U_{a}_{b}"
            while name in names:
                name += "_"
            names.add(name)
            latent.append(name)
            edges += [(name, a), (name, b)]
        return DAG([*self.nodes, *latent], edges, latent)

    def to_edge_string(self) -> str:
        """Edge text that :meth:`from_edge_string` reads back.

        Examples
        --------
        >>> ADMG(["a", "b", "c"], [("a", "b")], [("b", "c")]).to_edge_string()
        'a -> b; b <-> c'
        """
        statements = [f"{a} -> {b}" for a, b in self.directed]
        statements += [f"{a} <-> {b}" for a, b in self._bidirected]
        statements += [
            n for n in self.nodes if not (self.parents(n) or self.children(n) or self._spouses[n])
        ]
        return "; ".join(statements)

    @classmethod
    def from_edge_string(cls, text: str) -> ADMG:
        """Parse dagitty-like text: ``a -> b``, ``a <-> b``, chains, ``u [latent]``.

        A ``[latent]`` node is projected out (see :meth:`from_dag`).

        Examples
        --------
        >>> ADMG.from_edge_string("a -> b; a <-> c").bidirected
        (('a', 'c'),)
        """
        graph = read_admg_edges(text)
        bidirected = graph.bidirected
        dag = DAG(graph.nodes, graph.edges, graph.latent())
        if not dag.latent:
            return cls(dag.nodes, dag.edges, bidirected)
        projected = cls.from_dag(dag)
        return cls(projected.nodes, projected.directed, [*projected.bidirected, *bidirected])

    def to_networkx(self) -> nx.DiGraph:
        """A ``networkx.DiGraph`` of the directed edges; bidirected pairs in ``graph["bidirected"]``.

        Examples
        --------
        >>> ADMG.from_edge_string("a -> b; a <-> b").to_networkx().graph["bidirected"]
        [('a', 'b')]
        """
        graph = nx.DiGraph(bidirected=list(self._bidirected))
        graph.add_nodes_from(self.nodes)
        graph.add_edges_from(self.directed)
        return graph

    @classmethod
    def from_networkx(cls, graph: nx.DiGraph) -> ADMG:
        """Inverse of :meth:`to_networkx`; nodes with a truthy ``latent`` attribute are projected out.

        Examples
        --------
        >>> g = nx.DiGraph([("u", "a"), ("u", "b")]); g.nodes["u"]["latent"] = True
        >>> ADMG.from_networkx(g).bidirected
        (('a', 'b'),)
        """
        dag = DAG.from_networkx(graph)
        projected = cls.from_dag(dag)
        extra = list(graph.graph.get("bidirected", ()))
        return cls(projected.nodes, projected.directed, [*projected.bidirected, *extra])

    def to_dot(self) -> str:
        """DOT text; bidirected edges as ``a -> b [dir=both, style=dashed]``.

        Examples
        --------
        >>> print(ADMG.from_edge_string("a <-> b").to_dot())
        digraph {
          a;
          b;
          a -> b [dir=both, style=dashed];
        }
        <BLANKLINE>
        """
        return write_dot(self.nodes, self.directed, bidirected=self._bidirected)

    @classmethod
    def from_dot(cls, text: str) -> ADMG:
        """Parse DOT: ``a -> b [dir=both]`` is ``a <-> b``; ``latent=true`` nodes are projected out.

        Examples
        --------
        >>> g = ADMG.from_edge_string("z -> t -> y; t <-> y")
        >>> ADMG.from_dot(g.to_dot()) == g
        True
        """
        graph = read_dot(require_text(text, "ADMG.from_dot"))
        dag = DAG(graph.nodes, graph.edges, graph.latent())
        projected = cls.from_dag(dag)
        return cls(projected.nodes, projected.directed, [*projected.bidirected, *graph.bidirected])

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        drawing = plain_drawing(self.nodes, self.directed, bidirected=self._bidirected)
        return drawing._repr_mimebundle_(include=include, exclude=exclude)

    # -- dunder protocol ---------------------------------------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self._dag

    def __len__(self) -> int:
        return len(self._dag)

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ADMG):
            return NotImplemented
        return self._dag == other._dag and self._pairs() == other._pairs()

    def __hash__(self) -> int:
        return hash((self._dag, self._pairs()))

    def _pairs(self) -> frozenset[frozenset[str]]:
        return frozenset(frozenset(pair) for pair in self._bidirected)

    def __repr__(self) -> str:
        return f"ADMG({self.to_edge_string()!r})"


def as_admg(obj: Any) -> ADMG:
    """Coerce an ADMG, a DAG (latent nodes projected), an SCM or Fit, networkx graph or text.

    Examples
    --------
    >>> as_admg("u -> a; u -> b; u [latent]")
    ADMG('a <-> b')
    """
    if isinstance(obj, ADMG):
        return obj
    if isinstance(obj, DAG):
        return ADMG.from_dag(obj)
    if isinstance(obj, nx.DiGraph):
        return ADMG.from_networkx(obj)
    if isinstance(obj, str):
        return ADMG.from_dot(obj) if looks_like_dot(obj) else ADMG.from_edge_string(obj)
    scm = getattr(obj, "scm", obj)  # a Fit holds its SCM
    dag = getattr(scm, "dag", None)  # an SCM, without importing the spec layer
    if isinstance(dag, DAG):
        return ADMG.from_dag(dag)
    raise GraphError(
        f"cannot make a graph from {type(obj).__name__}; pass an SCM, a DAG, an ADMG, a "
        "networkx.DiGraph or an edge string such as 'a -> b; a <-> c'"
    )
