"""Covariate adjustment sets: the constructive criterion of van der Zander, Liśkiewicz & Textor.

``Z`` is an adjustment set for ``(X, Y)`` exactly when no node of ``Z`` descends
from a node on a proper causal path (``Dpcp``) and ``Z`` d-separates ``X`` and
``Y`` in the *proper backdoor graph* (the graph without the first edge of
every proper causal path).  That turns adjustment into separation, so:

* one minimal set is found in linear time (``FindMinSep``),
* all sets are listed with polynomial delay (``ListSep``: branch on a node,
  and only enter a branch after a linear-time check that it holds a set),
* minimal sets are listed as minimal separators of one moral graph, each
  new one derived from an earlier one in polynomial time.

Latent nodes can never be adjusted for.  References: van der Zander, Liśkiewicz
& Textor, "Constructing separators and adjustment sets in ancestral graphs"
(UAI 2014) and "Separators and adjustment sets in causal graphs: complete
criteria and an algorithmic framework" (AIJ 2019).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from causalbayes.identification._graph import Net


@dataclass(frozen=True)
class AdjustmentProblem:
    """The proper backdoor graph, the nodes allowed in a set, the forbidden nodes."""

    net: Net
    pbd: Net
    xs: frozenset[str]
    ys: frozenset[str]
    allowed: frozenset[str]
    forbidden: frozenset[str]

    @classmethod
    def build(
        cls, net: Net, xs: Iterable[str], ys: Iterable[str], *, exclude: Iterable[str] = ()
    ) -> AdjustmentProblem:
        xs, ys = frozenset(xs), frozenset(ys)
        # proper causal paths: from X, not returning to X, into Y
        into_x_cut = net.without_edges((p, x) for x in xs for p in net.parents[x])
        out_x_cut = net.without_edges((x, c) for x in xs for c in net.children[x])
        pcp = (into_x_cut.descendants(xs) - xs) & out_x_cut.ancestors(ys)
        dpcp = net.descendants(pcp)
        pbd = net.without_edges((x, c) for x in xs for c in net.children[x] if c in pcp)
        forbidden = frozenset(dpcp | xs | ys | net.latent | set(exclude))
        return cls(net, pbd, xs, ys, net.observed - forbidden, forbidden)

    def is_adjustment_set(self, zs: Iterable[str]) -> bool:
        zs = set(zs)
        return zs.isdisjoint(self.forbidden) and self.pbd.separated(self.xs, self.ys, zs)

    def find(self, include: Iterable[str] = (), allowed: Iterable[str] | None = None):
        """A set with ``include <= Z <= allowed`` if any exists (the ancestral one), else None."""
        allowed = self.allowed if allowed is None else frozenset(allowed)
        include = frozenset(include)
        zs = (self.pbd.ancestors(self.xs | self.ys | include) & allowed) | include
        return zs if self.pbd.separated(self.xs, self.ys, zs) else None

    def find_minimal(self, include: Iterable[str] = (), allowed: Iterable[str] | None = None):
        """A minimal set (no proper subset containing ``include`` works), or None."""
        include = frozenset(include)
        start = self.find(include, allowed)
        if start is None:
            return None
        return _min_separator(self.pbd, self.xs, self.ys, include, start)

    def all_sets(self, *, max_sets: int) -> Iterator[frozenset[str]]:
        """Every adjustment set, with polynomial delay, at most ``max_sets``."""
        for count, zs in enumerate(self._list(frozenset(), self.allowed), start=1):
            yield zs
            if count >= max_sets:
                return

    def _list(self, include: frozenset[str], allowed: frozenset[str]) -> Iterator[frozenset[str]]:
        # ListSep: each call is entered only when its range holds a set
        stack = [(include, allowed)]
        while stack:
            inc, alw = stack.pop()
            if self.find(inc, alw) is None:
                continue
            free = alw - inc
            if not free:
                yield inc
                continue
            v = min(free, key=self.net.order.index)
            stack.append((inc, alw - {v}))  # explored second
            stack.append((inc | {v}, alw))

    def minimal_sets(self, *, max_sets: int) -> list[frozenset[str]]:
        """Minimal adjustment sets (at most ``max_sets``), smallest first.

        Minimal sets lie within the ancestors of ``X | Y``, where d-separation
        is vertex separation in one moral graph, so they are the minimal
        vertex separators of that graph that avoid forbidden nodes.  They are
        listed by the close-separator method (Berry, Bordat & Cogis 1999;
        Takata 2010): from each separator ``Z`` and each ``v`` in it, move
        ``v`` to the treatment's side and take the separator closest to that
        side.  Each new set costs one linear pass per node of ``Z``.
        """
        moral = _moral_graph(self.pbd, self.pbd.ancestors(self.xs | self.ys))
        first = self._close_separator(moral, set(self.xs))
        if first is None:
            return []
        found, queue = [first], [first]
        seen = {first}
        while queue and len(found) < max_sets:
            zs = queue.pop(0)
            side = _component(moral, set(self.xs), zs)
            for v in sorted(zs, key=self.net.order.index):
                nxt = self._close_separator(moral, side | {v})
                if nxt is not None and nxt not in seen:
                    seen.add(nxt)
                    found.append(nxt)
                    queue.append(nxt)
                    if len(found) >= max_sets:
                        break
        order = self.net.order.index
        found.sort(key=lambda z: (len(z), sorted(map(order, z))))
        return found

    def _close_separator(self, moral: dict[str, set[str]], side: set[str]) -> frozenset[str] | None:
        """The minimal separator closest to ``side`` (grown over nodes that cannot be adjusted for)."""
        side = set(side)
        frontier = list(side)
        while frontier:  # absorb forbidden neighbours: they cannot be in the separator
            for nxt in moral[frontier.pop()]:
                if nxt not in side and nxt not in self.allowed:
                    if nxt in self.ys:
                        return None
                    side.add(nxt)
                    frontier.append(nxt)
        border = {n for s in side for n in moral[s]} - side
        far = _component(moral, set(self.ys), frozenset(border))
        return frozenset(n for n in border if moral[n] & far)


def _moral_graph(net: Net, relevant: set[str]) -> dict[str, set[str]]:
    moral: dict[str, set[str]] = {n: set() for n in relevant}
    for child in relevant:
        parents = [p for p in net.parents[child] if p in relevant]
        for p in parents:
            moral[p].add(child)
            moral[child].add(p)
        for i, a in enumerate(parents):
            for b in parents[i + 1 :]:
                moral[a].add(b)
                moral[b].add(a)
    return moral


def _component(moral: dict[str, set[str]], start: set[str], blocked: frozenset[str]) -> set[str]:
    """Nodes reachable from ``start`` without entering ``blocked``."""
    seen, frontier = set(start), list(start)
    while frontier:
        for nxt in moral[frontier.pop()]:
            if nxt not in seen and nxt not in blocked:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def _min_separator(
    net: Net, xs: frozenset[str], ys: frozenset[str], include: frozenset[str], zs: frozenset[str]
) -> frozenset[str]:
    """FindMinSep: shrink the separator ``zs`` to a minimal one that still contains ``include``."""
    relevant = net.ancestors(xs | ys | include)
    moral = _moral_graph(net, relevant)
    candidates = (zs & relevant) - include

    def reached(start: frozenset[str], stops: frozenset[str]) -> frozenset[str]:
        seen, frontier = set(start), list(start)
        while frontier:
            for nxt in moral[frontier.pop()]:
                if nxt in seen or nxt in include:
                    continue
                seen.add(nxt)
                if nxt not in stops:
                    frontier.append(nxt)
        return frozenset(seen) & stops

    near_x = reached(xs, candidates)
    return reached(ys, near_x) | include
