"""Validation and ordering helpers behind :class:`~causalbayes.graph.dag.DAG`.

Kept apart from ``dag.py`` so that the class body reads as the public API and
every error message lives in one place.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterable, Mapping, Sequence

from causalbayes.errors import GraphError

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME_RULE = (
    "a letter or underscore followed by letters, digits or underscores "
    "(regex ^[A-Za-z_][A-Za-z0-9_]*$)"
)

Edge = tuple[str, str]


def unknown_node_error(name: object, known: Sequence[str], role: str = "node") -> GraphError:
    """Build the error for a name that is not a node, with a spelling hint."""
    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listing = ", ".join(known) if known else "(the graph has no nodes)"
    return GraphError(f"unknown {role} {name!r}{hint}; known nodes: {listing}")


def check_name(name: object) -> str:
    """Return ``name`` if it is a valid node name, else raise GraphError."""
    if not isinstance(name, str):
        raise GraphError(f"node names must be strings, got {name!r} ({type(name).__name__})")
    if not NAME_PATTERN.fullmatch(name):
        raise GraphError(f"invalid node name {name!r}: a node name must be {NAME_RULE}")
    return name


def _refuse_single_string(value: object, argument: str) -> None:
    # A bare string is iterable, so DAG("abc") would silently mean nodes a, b, c.
    if isinstance(value, str):
        raise GraphError(
            f"{argument} must be an iterable of node names, not the single string {value!r}; "
            f"write {argument}=[{value!r}], or parse edge text with parse_edges()"
        )


def check_nodes(nodes: Iterable[str]) -> tuple[str, ...]:
    """Validate node names and refuse duplicates, keeping the given order."""
    _refuse_single_string(nodes, "nodes")
    names = tuple(nodes)  # may be a one-shot iterator
    seen: set[str] = set()
    for name in names:
        check_name(name)
        if name in seen:
            raise GraphError(f"duplicate node {name!r}: declare each node once")
        seen.add(name)
    return names


def _as_pair(edge: object) -> Edge:
    if isinstance(edge, str):
        raise GraphError(
            f"edge {edge!r} is a string; give edges as (parent, child) pairs "
            "or parse edge text with parse_edges('a -> b')"
        )
    try:
        parent, child = edge  # type: ignore[misc]
    except (TypeError, ValueError):
        raise GraphError(f"each edge must be a (parent, child) pair, got {edge!r}") from None
    return parent, child


def check_edges(edges: Iterable[Edge], nodes: tuple[str, ...]) -> tuple[Edge, ...]:
    """Validate edges against ``nodes``; dedupe and sort them by node order."""
    index = {name: position for position, name in enumerate(nodes)}
    unique: set[Edge] = set()
    for edge in edges:
        parent, child = _as_pair(edge)
        for end in (parent, child):
            if not isinstance(end, str) or end not in index:
                problem = unknown_node_error(end, nodes)
                raise GraphError(f"edge {parent!r} -> {child!r} uses an {problem}")
        if parent == child:
            raise GraphError(
                f"self loop {parent} -> {child}: a node cannot be its own parent; remove this edge"
            )
        unique.add((parent, child))
    return tuple(sorted(unique, key=lambda pair: (index[pair[0]], index[pair[1]])))


def check_latent(latent: Iterable[str], nodes: tuple[str, ...]) -> frozenset[str]:
    """Validate that every latent name is a declared node."""
    _refuse_single_string(latent, "latent")
    known = set(nodes)
    names = list(latent)
    for name in names:
        if not isinstance(name, str) or name not in known:
            raise unknown_node_error(name, nodes, role="latent node")
    return frozenset(names)


def topological_sort(
    nodes: tuple[str, ...],
    parents: Mapping[str, tuple[str, ...]],
    children: Mapping[str, tuple[str, ...]],
) -> tuple[str, ...]:
    """Kahn's algorithm, always emitting the earliest-declared ready node.

    Breaking ties by declaration order makes the result deterministic and equal
    to ``nodes`` whenever ``nodes`` is already topologically ordered.
    """
    index = {name: position for position, name in enumerate(nodes)}
    unsorted_parents = {name: len(parents[name]) for name in nodes}
    ready = [index[name] for name in nodes if unsorted_parents[name] == 0]
    order: list[str] = []
    while ready:
        node = nodes[heapq.heappop(ready)]
        order.append(node)
        for child in children[node]:
            unsorted_parents[child] -= 1
            if unsorted_parents[child] == 0:
                heapq.heappush(ready, index[child])
    if len(order) < len(nodes):
        raise _cycle_error(_find_cycle(nodes, parents, sorted_nodes=set(order)))
    return tuple(order)


def _find_cycle(
    nodes: tuple[str, ...], parents: Mapping[str, tuple[str, ...]], sorted_nodes: set[str]
) -> list[str]:
    """Return one cycle among the nodes Kahn's algorithm could not sort.

    Each such node still has an unsorted parent, so walking parent links never
    dead-ends and must revisit a node; the stretch between visits is a cycle.
    """
    position_in_walk: dict[str, int] = {}
    walk: list[str] = []
    node = next(name for name in nodes if name not in sorted_nodes)
    while node not in position_in_walk:
        position_in_walk[node] = len(walk)
        walk.append(node)
        node = next(parent for parent in parents[node] if parent not in sorted_nodes)
    cycle = walk[position_in_walk[node] :][::-1]  # parent walk runs against the arrows
    index = {name: position for position, name in enumerate(nodes)}
    start = min(range(len(cycle)), key=lambda i: index[cycle[i]])
    return cycle[start:] + cycle[:start]


def _cycle_error(cycle: list[str]) -> GraphError:
    closed = [*cycle, cycle[0]]
    path = " -> ".join(closed)
    edges = ", ".join(f"{a} -> {b}" for a, b in zip(closed, closed[1:], strict=False))
    return GraphError(
        f"the graph has a cycle: {path}; a DAG must be acyclic, "
        f"so remove one of these edges: {edges}"
    )
