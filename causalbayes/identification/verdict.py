"""``identify``: is ``P(outcome | do(treatment))`` identified by the graph, and how?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from causalbayes.errors import QueryError
from causalbayes.graph.admg import ADMG, as_admg
from causalbayes.identification._graph import Net
from causalbayes.identification.adjustment import AdjustmentProblem
from causalbayes.identification.frontdoor import frontdoor_sets
from causalbayes.identification.id_algorithm import Hedge, identify_effect
from causalbayes.identification.iv import Instrument, instruments

CRITERIA = ("backdoor", "frontdoor", "id")


@dataclass(frozen=True)
class Identification:
    """The verdict on one causal query.

    Attributes
    ----------
    treatment, outcome : tuple of str
    identified : bool
    criterion : {"backdoor", "frontdoor", "id"} or None
        The first criterion that identifies the query (None when none does).
    estimand : str or None
        The identifying formula over observational probabilities.
    adjustment_set : tuple of str or None
        One minimal adjustment set (``()`` means no adjustment is needed).
    adjustment_sets : tuple of tuple of str
        Minimal adjustment sets, smallest first (at most ``max_sets``).
    frontdoor_sets : tuple of tuple of str
    instruments : tuple of Instrument
        Reported even when the verdict is "not identified": they identify the
        effect under extra assumptions (linear or monotone mechanisms).
    reason : str or None
        For a non-identified query: the open backdoor path and the hedge.
    hedge : (tuple of str, tuple of str) or None
        The c-forests F and F' that witness non-identification.
    open_path : str or None
        A backdoor path no allowed set blocks, as ``"t <-> y"`` or ``"t <- u -> y"``.
    graph : ADMG

    Examples
    --------
    >>> import causalbayes as cb
    >>> verdict = cb.identify(cb.examples.coating_scm(), "dilution", "coating")
    >>> verdict.identified, verdict.criterion, verdict.adjustment_set
    (True, 'backdoor', ('humid',))
    >>> confounded = cb.identify("t -> y; t <-> y", "t", "y")
    >>> confounded.identified, confounded.open_path
    (False, 't <-> y')
    """

    treatment: tuple[str, ...]
    outcome: tuple[str, ...]
    identified: bool
    criterion: str | None
    estimand: str | None
    adjustment_set: tuple[str, ...] | None
    adjustment_sets: tuple[tuple[str, ...], ...]
    frontdoor_sets: tuple[tuple[str, ...], ...]
    instruments: tuple[Instrument, ...]
    reason: str | None
    hedge: tuple[tuple[str, ...], tuple[str, ...]] | None
    open_path: str | None
    graph: ADMG = field(repr=False)

    @property
    def query(self) -> str:
        return f"P({', '.join(self.outcome)} | do({', '.join(self.treatment)}))"

    def summary(self) -> str:
        """A few lines for people: verdict, criterion, estimand, sets, reason."""
        lines = [f"{self.query}: " + ("identified" if self.identified else "NOT identified")]
        if self.identified:
            lines.append(f"  criterion: {self.criterion}")
            lines.append(f"  estimand:  {self.estimand}")
        if self.adjustment_sets:
            shown = ", ".join("{" + ", ".join(s) + "}" for s in self.adjustment_sets)
            lines.append(f"  minimal adjustment sets: {shown}")
        if self.frontdoor_sets:
            shown = ", ".join("{" + ", ".join(s) + "}" for s in self.frontdoor_sets)
            lines.append(f"  frontdoor sets: {shown}")
        if self.instruments and len(self.treatment) == 1:
            for iv in self.instruments:
                given = f" given {{{', '.join(iv.given)}}}" if iv.given else ""
                lines.append(f"  instrument: {iv.z}{given}")
        if self.reason:
            lines.append(f"  reason: {self.reason}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def draw(self, **style: Any):
        """The graph with treatment, outcome and adjustment set styled (graphviz)."""
        from causalbayes.graph.render import render

        return render(
            self.graph,
            treatment=self.treatment,
            outcome=self.outcome,
            adjust=self.adjustment_set or (),
            **style,
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = self.draw()._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = self.summary()
        return bundle


def identify(
    graph: Any,
    treatment: str | Iterable[str],
    outcome: str | Iterable[str],
    *,
    max_sets: int = 10,
) -> Identification:
    """Decide whether ``P(outcome | do(treatment))`` is identified, and how.

    Tries, in order: covariate adjustment (the generalised backdoor criterion,
    complete for adjustment), the frontdoor criterion, and the ID algorithm
    (complete for hard interventions).  Instruments are listed as well.

    Parameters
    ----------
    graph : SCM, Fit, DAG, ADMG, networkx.DiGraph or str
        Latent nodes of an SCM or DAG are projected out (an ADMG).
    treatment, outcome : str or iterable of str
        Observed nodes.
    max_sets : int
        The most minimal adjustment sets to list.

    Returns
    -------
    Identification

    Raises
    ------
    QueryError
        For unknown, latent or overlapping treatment and outcome nodes.

    Examples
    --------
    >>> verdict = identify("z -> t -> y; z -> y", "t", "y")
    >>> verdict.identified, verdict.criterion, verdict.adjustment_set
    (True, 'backdoor', ('z',))
    >>> verdict.estimand
    'sum_{z} P(y | t, z) P(z)'
    >>> bow = identify("t -> y; t <-> y", "t", "y")
    >>> bow.identified, bow.open_path
    (False, 't <-> y')
    """
    if max_sets < 1:
        raise QueryError(f"max_sets must be at least 1, got {max_sets}")
    admg = as_admg(graph)
    xs = _query_nodes(admg, graph, treatment, "treatment")
    ys = _query_nodes(admg, graph, outcome, "outcome")
    if set(xs) & set(ys):
        raise QueryError(f"{sorted(set(xs) & set(ys))} cannot be both treatment and outcome")
    net = Net.of(admg.to_dag())
    problem = AdjustmentProblem.build(net, xs, ys)
    minimal = problem.find_minimal()
    sets = (
        tuple(net.sort(s) for s in problem.minimal_sets(max_sets=max_sets))
        if minimal is not None
        else ()
    )
    if minimal is not None and net.sort(minimal) not in sets:
        sets = (net.sort(minimal), *sets)[:max_sets]
    chosen = sets[0] if sets else None
    single = len(xs) == 1 and len(ys) == 1
    fronts = tuple(net.sort(s) for s in frontdoor_sets(net, xs[0], ys[0])) if single else ()
    ivs = tuple(instruments(net, xs[0], ys[0])) if single else ()
    order = admg.topological_order()
    common = dict(
        treatment=xs,
        outcome=ys,
        adjustment_set=chosen,
        adjustment_sets=sets,
        frontdoor_sets=fronts,
        instruments=ivs,
        graph=admg,
    )
    if chosen is not None:
        estimand = _adjustment_formula(xs, ys, chosen)
        return Identification(
            identified=True,
            criterion="backdoor",
            estimand=estimand,
            reason=None,
            hedge=None,
            open_path=None,
            **common,
        )
    path = _open_backdoor_path(problem)
    if fronts:
        return Identification(
            identified=True,
            criterion="frontdoor",
            estimand=_frontdoor_formula(xs[0], ys[0], fronts[0]),
            reason=None,
            hedge=None,
            open_path=path,
            **common,
        )
    try:
        expr = identify_effect(admg, ys, xs)
    except Hedge as hedge:
        reason = (
            f"no set of observed nodes blocks the backdoor path {path}"
            if path
            else "no set of observed nodes is a valid adjustment set"
        )
        reason += (
            f"; the ID algorithm finds a hedge: F = {{{', '.join(hedge.forest)}}} and "
            f"F' = {{{', '.join(hedge.subforest)}}} agree on observational data but not on "
            f"{'P(' + ', '.join(ys) + ' | do(' + ', '.join(xs) + '))'}"
        )
        return Identification(
            identified=False,
            criterion=None,
            estimand=None,
            reason=reason,
            hedge=(hedge.forest, hedge.subforest),
            open_path=path,
            **common,
        )
    return Identification(
        identified=True,
        criterion="id",
        estimand=expr.text(order),
        reason=None,
        hedge=None,
        open_path=path,
        **common,
    )


def _query_nodes(
    admg: ADMG, original: Any, names: str | Iterable[str], role: str
) -> tuple[str, ...]:
    listed = (names,) if isinstance(names, str) else tuple(names)
    if not listed:
        raise QueryError(f"{role} must name at least one node")
    scm = getattr(original, "scm", original)  # a Fit holds its SCM
    latent = getattr(getattr(scm, "dag", scm), "latent", frozenset())
    for name in listed:
        if name in latent:
            raise QueryError(
                f"{role} {name!r} is latent: a query about an unobserved node cannot be "
                "identified from data; choose an observed node"
            )
        if name not in admg:
            raise QueryError(f"{role} {name!r} is not in the graph; nodes are {list(admg.nodes)}")
    return tuple(n for n in admg.topological_order() if n in listed)


def _adjustment_formula(xs: tuple[str, ...], ys: tuple[str, ...], zs: tuple[str, ...]) -> str:
    y, x = ", ".join(ys), ", ".join(xs)
    if not zs:
        return f"P({y} | {x})"
    z = ", ".join(zs)
    return f"sum_{{{z}}} P({y} | {x}, {z}) P({z})"


def _frontdoor_formula(t: str, y: str, zs: tuple[str, ...]) -> str:
    z = ", ".join(zs)
    return f"sum_{{{z}}} P({z} | {t}) sum_{{{t}'}} P({y} | {t}', {z}) P({t}')"


def _open_backdoor_path(problem: AdjustmentProblem) -> str | None:
    """A path from X to Y left open by the widest allowed set, written with arrows."""
    net, zs = problem.pbd, problem.pbd.ancestors(problem.xs | problem.ys) & problem.allowed
    anc_z = net.ancestors(zs)
    start = [(x, True) for x in sorted(problem.xs)]
    previous: dict[tuple[str, bool], tuple[str, bool] | None] = dict.fromkeys(start)
    frontier = list(start)
    while frontier:
        state = frontier.pop(0)
        node, up = state
        if node in problem.ys:
            return _path_text(net, _trace(previous, state))
        steps: list[tuple[str, bool]] = []
        if up and node not in zs:
            steps = [(p, True) for p in net.parents[node]] + [
                (c, False) for c in net.children[node]
            ]
        elif not up:
            if node not in zs:
                steps += [(c, False) for c in net.children[node]]
            if node in anc_z:
                steps += [(p, True) for p in net.parents[node]]
        for nxt in steps:
            if nxt not in previous and (nxt[0] not in problem.xs):
                previous[nxt] = state
                frontier.append(nxt)
    return None


def _trace(previous: dict, state: tuple[str, bool]) -> list[str]:
    nodes = []
    while state is not None:
        nodes.append(state[0])
        state = previous[state]
    return nodes[::-1]


def _path_text(net: Net, nodes: list[str]) -> str:
    parts = [nodes[0]]
    i = 1
    while i < len(nodes):
        a, b = nodes[i - 1], nodes[i]
        if b in net.latent and b.startswith("U_") and i + 1 < len(nodes) and b in net.parents[a]:
            c = nodes[i + 1]
            if b in net.parents[c]:
                parts += ["<->", c]
                i += 2
                continue
        parts += ["->" if b in net.children[a] else "<-", b]
        i += 1
    return " ".join(parts)
