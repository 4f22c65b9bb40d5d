"""d-separation on a DAG, by the moralised ancestral graph.

``X`` and ``Y`` are d-separated by ``Z`` exactly when, in the moral graph of
the ancestors of ``X | Y | Z``, every path from ``X`` to ``Y`` passes through
``Z`` (Lauritzen et al., 1990).  Linear in the size of the graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from causalbayes.errors import GraphError
from causalbayes.graph.admg import ADMG
from causalbayes.graph.dag import DAG


def _node_set(dag: DAG, names: Iterable[str] | str, what: str) -> frozenset[str]:
    names = (names,) if isinstance(names, str) else tuple(names)
    for name in names:
        if name not in dag:
            raise GraphError(
                f"{what} node {name!r} is not in the graph; nodes are {list(dag.nodes)}"
            )
    return frozenset(names)


def d_separated(
    dag: DAG | ADMG,
    x: Iterable[str] | str,
    y: Iterable[str] | str,
    given: Iterable[str] | str = (),
) -> bool:
    """Whether ``x`` and ``y`` are d-separated by ``given`` in ``dag``.

    For an :class:`ADMG` this is m-separation (d-separation in its DAG with
    one latent parent per bidirected edge).

    Examples
    --------
    >>> d_separated(ADMG.from_edge_string("a -> b; b <-> c"), "a", "c")
    True
    >>> dag = DAG.from_edge_string("humid -> dilution -> coating; humid -> coating")
    >>> d_separated(dag, "dilution", "coating")
    False
    >>> collider = DAG.from_edge_string("a -> c; b -> c")
    >>> d_separated(collider, "a", "b"), d_separated(collider, "a", "b", given="c")
    (True, False)
    """
    if isinstance(dag, ADMG):
        for what, names in (("x", x), ("y", y), ("given", given)):
            _node_set(dag.directed_part, names, what)  # refuse the hidden U_a_b names
        dag = dag.to_dag()
    xs, ys, zs = _node_set(dag, x, "x"), _node_set(dag, y, "y"), _node_set(dag, given, "given")
    if not xs or not ys:
        raise GraphError("x and y must each name at least one node")
    if xs & ys:
        raise GraphError(f"x and y share node(s) {sorted(xs & ys)}; they must be disjoint")
    if (xs | ys) & zs:
        raise GraphError(f"node(s) {sorted((xs | ys) & zs)} are both tested and conditioned on")
    relevant = set(xs | ys | zs)
    for node in xs | ys | zs:
        relevant |= dag.ancestors(node)
    neighbours: dict[str, set[str]] = {n: set() for n in relevant}
    for child in relevant:
        parents = [p for p in dag.parents(child) if p in relevant]
        for p in parents:
            neighbours[p].add(child)
            neighbours[child].add(p)
        for i, a in enumerate(parents):  # marry the parents of every child
            for b in parents[i + 1 :]:
                neighbours[a].add(b)
                neighbours[b].add(a)
    seen, frontier = set(xs), list(xs)
    while frontier:
        for nxt in neighbours[frontier.pop()]:
            if nxt in ys:
                return False
            if nxt not in seen and nxt not in zs:
                seen.add(nxt)
                frontier.append(nxt)
    return True


def implied_independences(dag: DAG | ADMG) -> list[tuple[str, str, tuple[str, ...]]]:
    """A basis of the conditional independences the graph implies among observed nodes.

    Without latent nodes (pairwise local Markov, as dagitty's list): for every
    node ``y`` and every earlier node ``x`` (topological order) that is
    neither adjacent to it nor its descendant, ``x _||_ y | parents(y)``, so
    every non-adjacent pair is tested once.

    With latent nodes (or an ADMG, read as its DAG with one latent parent per
    bidirected edge), parent sets may be unobserved, so for every pair of
    observed nodes that some set of observed nodes separates, one minimal such
    set is listed: the observed ancestors of the pair (a separator whenever
    any exists), shrunk one node at a time while separation holds.

    Examples
    --------
    >>> implied_independences(DAG.from_edge_string("a -> b -> c"))
    [('a', 'c', ('b',))]
    >>> implied_independences(DAG.from_edge_string("a -> b; u -> b; u -> c; u [latent]"))
    [('a', 'c', ())]
    """
    if isinstance(dag, ADMG):
        dag = dag.to_dag()
    order = dag.topological_order()
    position = {n: i for i, n in enumerate(order)}
    if dag.latent:
        return _observed_separations(dag, order, position)
    out = []
    for y in order:
        parents = dag.parents(y)
        for x in order[: position[y]]:
            if x in parents or y in dag.parents(x) or x in dag.descendants(y):
                continue
            out.append((x, y, tuple(sorted(parents, key=position.get))))
    return out


def _observed_separations(
    dag: DAG, order: tuple[str, ...], position: dict[str, int]
) -> list[tuple[str, str, tuple[str, ...]]]:
    observed = [n for n in order if n not in dag.latent]
    out = []
    for j, y in enumerate(observed):
        for x in observed[:j]:
            if x in dag.parents(y):
                continue
            candidates = (dag.ancestors(x) | dag.ancestors(y)) - dag.latent - {x, y}
            zs = set(candidates)
            if not d_separated(dag, x, y, zs):
                continue
            for z in sorted(candidates, key=position.get, reverse=True):
                if d_separated(dag, x, y, zs - {z}):
                    zs.discard(z)
            out.append((x, y, tuple(sorted(zs, key=position.get))))
    return out
