"""Frontdoor sets: Pearl's three conditions checked directly, over a bounded search.

``Z`` satisfies the frontdoor criterion for ``t -> y`` when (i) it intercepts
every directed path from ``t`` to ``y``, (ii) there is no open backdoor path
from ``t`` to ``Z``, and (iii) every backdoor path from ``Z`` to ``y`` is
blocked by ``t``.  Condition (ii) holds for a set exactly when it holds for
each node, so candidates are filtered one by one first; then subsets of the
survivors are tried, smallest first, up to ``max_size`` nodes.
"""

from __future__ import annotations

from itertools import combinations

from causalbayes.identification._graph import Net


def satisfies_frontdoor(net: Net, t: str, y: str, zs: frozenset[str]) -> bool:
    """Pearl's frontdoor criterion for the observed set ``zs``."""
    if not zs or zs & ({t, y} | net.latent):
        return False
    return (
        _intercepts(net, t, y, zs)
        and _no_backdoor_into(net, t, zs)
        and _blocked_by_t(net, t, y, zs)
    )


def _intercepts(net: Net, t: str, y: str, zs: frozenset[str]) -> bool:
    seen, frontier = {t}, [t]
    while frontier:
        for c in net.children[frontier.pop()]:
            if c == y:
                return False
            if c not in seen and c not in zs:
                seen.add(c)
                frontier.append(c)
    return True


def _no_backdoor_into(net: Net, t: str, zs: frozenset[str]) -> bool:
    cut = net.without_edges((t, c) for c in net.children[t])
    return cut.separated({t}, zs, ())


def _blocked_by_t(net: Net, t: str, y: str, zs: frozenset[str]) -> bool:
    cut = net.without_edges((z, c) for z in zs for c in net.children[z])
    return cut.separated(zs, {y}, {t})


def frontdoor_sets(
    net: Net, t: str, y: str, *, max_size: int = 3, max_sets: int = 5
) -> list[frozenset[str]]:
    """Frontdoor sets for ``t -> y``, smallest first (at most ``max_sets``)."""
    on_paths = (net.descendants({t}) & net.ancestors({y})) - {t, y}
    candidates = [
        z
        for z in net.order
        if z in on_paths and z not in net.latent and _no_backdoor_into(net, t, frozenset({z}))
    ]
    if not candidates or not _intercepts(net, t, y, frozenset(candidates)):
        return []
    found: list[frozenset[str]] = []
    for size in range(1, min(max_size, len(candidates)) + 1):
        for combo in combinations(candidates, size):
            zs = frozenset(combo)
            if any(f <= zs for f in found):
                continue
            if satisfies_frontdoor(net, t, y, zs):
                found.append(zs)
                if len(found) >= max_sets:
                    return found
    if not found and len(candidates) > max_size:
        whole = frozenset(candidates)
        if satisfies_frontdoor(net, t, y, whole):
            found.append(whole)
    return found
