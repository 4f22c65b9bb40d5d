"""The ID algorithm (Shpitser & Pearl, 2006; Tian & Pearl, 2002) for ``P(y | do(x))``.

Complete for hard interventions in an ADMG: it returns a formula over the
observational distribution when the effect is identified, and a *hedge*
(two c-forests that no formula can tell apart) when it is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from causalbayes.graph.admg import ADMG
from causalbayes.identification.expr import Expr, P, prime_bound, product, ratio, summed


@dataclass
class Hedge(Exception):
    """Raised inside the recursion when ID fails (line 5).

    ``forest`` is the larger c-forest F (it contains the treatment nodes that
    break identification), ``subforest`` the c-forest F' of the outcome side.
    """

    forest: tuple[str, ...]
    subforest: tuple[str, ...]

    def __str__(self) -> str:
        return f"hedge: F = {{{', '.join(self.forest)}}}, F' = {{{', '.join(self.subforest)}}}"


@dataclass(frozen=True)
class _Dist:
    """A distribution over ``variables``: the observational joint (``expr is None``) or a formula."""

    variables: frozenset[str]
    given: frozenset[str] = frozenset()
    expr: Expr | None = None

    def marginal(self, keep: Iterable[str]) -> Expr:
        keep = frozenset(keep)
        if self.expr is None:
            return P(keep, self.given)
        return summed(self.variables - keep, self.expr)

    def conditional(self, v: str, before: frozenset[str]) -> Expr:
        if self.expr is None:
            return P(frozenset({v}), before | self.given)
        return ratio(self.marginal(before | {v}), self.marginal(before))


def identify_effect(graph: ADMG, outcome: Iterable[str], treatment: Iterable[str]) -> Expr:
    """A formula for ``P(outcome | do(treatment))``; raises :class:`Hedge` when unidentified.

    Examples
    --------
    >>> g = ADMG.from_edge_string("z -> t -> y; z -> y")
    >>> identify_effect(g, {"y"}, {"t"}).text(g.topological_order())
    'sum_{z} P(z) P(y | z, t)'
    >>> try:
    ...     identify_effect(ADMG.from_edge_string("t -> y; t <-> y"), {"y"}, {"t"})
    ... except Hedge as hedge:
    ...     print(hedge)
    hedge: F = {t, y}, F' = {y}
    """
    dist = _Dist(frozenset(graph.nodes))
    treatment = frozenset(treatment)
    return prime_bound(_id(frozenset(outcome), treatment, dist, graph), treatment)


def _ancestors(graph: ADMG, nodes: Iterable[str]) -> frozenset[str]:
    found = set(nodes)
    for n in list(found):
        found |= graph.ancestors(n)
    return frozenset(found)


def _id(y: frozenset[str], x: frozenset[str], dist: _Dist, graph: ADMG) -> Expr:
    v = frozenset(graph.nodes)
    order = graph.topological_order()
    # line 1: no intervention
    if not x:
        return dist.marginal(y)
    # line 2: drop what is not an ancestor of y
    anc = _ancestors(graph, y)
    if anc != v:
        marginal = (
            _Dist(anc, dist.given, None)
            if dist.expr is None
            else _Dist(anc, dist.given, dist.marginal(anc))
        )
        return _id(y, x & anc, marginal, graph.subgraph(anc))
    # line 3: intervene on nodes that do not reach y anyway once x is cut
    w = (v - x) - _ancestors(graph.do(*x), y)
    if w:
        return _id(y, x | w, dist, graph)
    rest = graph.subgraph(v - x)
    districts = [frozenset(d) for d in rest.districts()]
    # line 4: factorise over the districts of G \ x
    if len(districts) > 1:
        factors = [_id(s, v - s, dist, graph) for s in districts]
        return summed(v - (y | x), product(factors))
    (s,) = districts
    whole = [frozenset(d) for d in graph.districts()]
    # line 5: fail with a hedge
    if whole == [v]:
        raise Hedge(tuple(n for n in order if n in v), tuple(n for n in order if n in s))
    # line 6: s is a district of G
    if s in whole:
        factors = [dist.conditional(n, frozenset(order[: order.index(n)])) for n in order if n in s]
        return summed(s - y, product(factors))
    # line 7: s lies inside a larger district s2
    s2 = next(d for d in whole if s <= d)
    factors = [dist.conditional(n, frozenset(order[: order.index(n)])) for n in order if n in s2]
    fixed = frozenset(order) - s2
    sub = _Dist(s2, dist.given | fixed, product(factors))
    return _id(y, x & s2, sub, graph.subgraph(s2))
