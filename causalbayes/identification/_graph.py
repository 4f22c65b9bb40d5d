"""Fast set-valued graph operations for the identification searches.

A plain-dict view of a DAG (with latent nodes) on which ancestors,
descendants and d-separation of whole node sets each cost one linear pass,
because the searches call them thousands of times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from causalbayes.graph.dag import DAG


@dataclass(frozen=True)
class Net:
    """Parents and children of every node, the latent nodes and the node order."""

    order: tuple[str, ...]
    parents: dict[str, frozenset[str]]
    children: dict[str, frozenset[str]]
    latent: frozenset[str]

    @classmethod
    def of(cls, dag: DAG) -> Net:
        return cls(
            dag.topological_order(),
            {n: frozenset(dag.parents(n)) for n in dag.nodes},
            {n: frozenset(dag.children(n)) for n in dag.nodes},
            dag.latent,
        )

    @property
    def observed(self) -> frozenset[str]:
        return frozenset(self.order) - self.latent

    def without_edges(self, edges: Iterable[tuple[str, str]]) -> Net:
        """The same graph without ``edges`` (only the touched entries are rebuilt)."""
        drop: dict[str, set[str]] = {}
        for parent, child in edges:
            drop.setdefault(parent, set()).add(child)
        if not drop:
            return self
        parents, children = dict(self.parents), dict(self.children)
        for parent, gone in drop.items():
            children[parent] = children[parent] - gone
            for child in gone:
                parents[child] = parents[child] - {parent}
        return Net(self.order, parents, children, self.latent)

    def sort(self, nodes: Iterable[str]) -> tuple[str, ...]:
        keep = set(nodes)
        return tuple(n for n in self.order if n in keep)

    def ancestors(self, nodes: Iterable[str]) -> set[str]:
        """``nodes`` and every node with a directed path into one of them."""
        return _closure(nodes, self.parents)

    def descendants(self, nodes: Iterable[str]) -> set[str]:
        """``nodes`` and every node reachable from one of them."""
        return _closure(nodes, self.children)

    def reachable(self, xs: Iterable[str], zs: Iterable[str]) -> set[str]:
        """Nodes d-connected to ``xs`` given ``zs`` (Bayes ball; ``zs`` itself excluded)."""
        zs = set(zs)
        anc_z = self.ancestors(zs)
        # states: (node, arrived from a child / going up = True, from a parent = False)
        frontier = [(x, True) for x in xs]
        visited: set[tuple[str, bool]] = set()
        found: set[str] = set()
        while frontier:
            node, up = frontier.pop()
            if (node, up) in visited:
                continue
            visited.add((node, up))
            if node not in zs:
                found.add(node)
            if up and node not in zs:
                frontier += [(p, True) for p in self.parents[node]]
                frontier += [(c, False) for c in self.children[node]]
            elif not up:
                if node not in zs:
                    frontier += [(c, False) for c in self.children[node]]
                if node in anc_z:
                    frontier += [(p, True) for p in self.parents[node]]
        return found

    def separated(self, xs: Iterable[str], ys: Iterable[str], zs: Iterable[str]) -> bool:
        """d-separation of the sets ``xs`` and ``ys`` given ``zs``."""
        return self.reachable(xs, zs).isdisjoint(ys)


def _closure(nodes: Iterable[str], step: dict[str, frozenset[str]]) -> set[str]:
    found = set(nodes)
    frontier = list(found)
    while frontier:
        for nxt in step[frontier.pop()]:
            if nxt not in found:
                found.add(nxt)
                frontier.append(nxt)
    return found
