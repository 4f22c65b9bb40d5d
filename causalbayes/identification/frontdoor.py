"""Frontdoor sets: Pearl's three conditions checked directly, over a bounded search.

``Z`` satisfies the frontdoor criterion for ``t -> y`` when (i) it intercepts
every directed path from ``t`` to ``y``, (ii) there is no open backdoor path
from ``t`` to ``Z``, and (iii) every backdoor path from ``Z`` to ``y`` is
blocked by ``t``.  Condition (ii) holds for a set exactly when it holds for
each node, so candidates are filtered one by one first; then subsets of the
survivors are tried, smallest first, up to ``max_size`` nodes (then the set of
all survivors), so every set returned is minimal.
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
    net: Net, t: str, y: str, *, max_size: int = 3, max_sets: int = 5, budget: int | None = 500
) -> list[frozenset[str]]:
    """Minimal frontdoor sets for ``t -> y`` (at most ``max_sets``).

    Every set needs mediators (nodes on the causal paths) that intercept those
    paths; other ancestors of ``y`` can join them, to cut a backdoor path from
    a mediator to ``y``.  Sets of mediators are tried first, then mixed sets,
    each group smallest first, so every set returned is minimal.  ``budget``
    bounds the number of candidate sets checked (None: no bound).
    """

    def admissible(z: str) -> bool:  # condition (ii) holds for a set iff for each node
        return z not in net.latent and z not in (t, y) and _no_backdoor_into(net, t, frozenset({z}))

    on_paths = net.descendants({t}) & net.ancestors({y})
    mediators = [z for z in net.order if z in on_paths and admissible(z)]
    if not mediators or not _intercepts(net, t, y, frozenset(mediators)):
        return []
    helpers = [z for z in net.order if z in net.ancestors({y}) - on_paths and admissible(z)]
    found: list[frozenset[str]] = []
    checks = 0
    for combo in _candidate_sets(net, t, y, mediators, helpers, max_size):
        zs = frozenset(combo)
        if any(f <= zs for f in found):
            continue
        checks += 1
        if budget is not None and checks > budget:
            break
        # (ii) holds: every node was admitted one by one
        if _intercepts(net, t, y, zs) and _blocked_by_t(net, t, y, zs):
            found.append(zs)
            if len(found) >= max_sets:
                return found
    whole = frozenset(mediators + helpers)
    if not found and len(whole) > max_size and satisfies_frontdoor(net, t, y, whole):
        found.append(whole)
    return found


def _candidate_sets(
    net: Net, t: str, y: str, mediators: list[str], helpers: list[str], max_size: int
):
    for size in range(1, max_size + 1):
        yield from combinations(mediators, size)
    for size in range(2, max_size + 1):
        for k in range(1, size):
            for part in combinations(mediators, k):
                if _intercepts(net, t, y, frozenset(part)):
                    for extra in combinations(helpers, size - k):
                        yield part + extra
