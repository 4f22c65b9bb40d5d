"""d-separation on a DAG, by the moralised ancestral graph.

``X`` and ``Y`` are d-separated by ``Z`` exactly when, in the moral graph of
the ancestors of ``X | Y | Z``, every path from ``X`` to ``Y`` passes through
``Z`` (Lauritzen et al., 1990).  Linear in the size of the graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from causalbayes.errors import GraphError
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
    dag: DAG, x: Iterable[str] | str, y: Iterable[str] | str, given: Iterable[str] | str = ()
) -> bool:
    """Whether ``x`` and ``y`` are d-separated by ``given`` in ``dag``.

    Examples
    --------
    >>> dag = DAG.from_edge_string("humid -> dilution -> coating; humid -> coating")
    >>> d_separated(dag, "dilution", "coating")
    False
    >>> collider = DAG.from_edge_string("a -> c; b -> c")
    >>> d_separated(collider, "a", "b"), d_separated(collider, "a", "b", given="c")
    (True, False)
    """
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


def implied_independences(dag: DAG) -> list[tuple[str, str, tuple[str, ...]]]:
    """A basis of the conditional independences the DAG implies (local Markov, pairwise).

    For every node ``y`` and every earlier node ``x`` (topological order) that
    is neither adjacent to it nor its descendant: ``x _||_ y | parents(y)``,
    so every non-adjacent pair is tested once (as dagitty's pairwise list).
    Each statement is implied by the DAG (local Markov property).  Statements whose
    variables or conditioning sets include latent nodes are left out, since
    data cannot test them.

    Examples
    --------
    >>> implied_independences(DAG.from_edge_string("a -> b -> c"))
    [('a', 'c', ('b',))]
    """
    order = dag.topological_order()
    position = {n: i for i, n in enumerate(order)}
    out = []
    for y in order:
        parents = dag.parents(y)
        for x in order[: position[y]]:
            if x in parents or y in dag.parents(x) or x in dag.descendants(y):
                continue
            statement = (x, y, tuple(sorted(parents, key=position.get)))
            if dag.latent.isdisjoint({x, y, *parents}):
                out.append(statement)
    return out
