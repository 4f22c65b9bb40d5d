"""Public adjustment-set search on any graph: one minimal set, or a bounded list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from causalbayes.graph.admg import as_admg
from causalbayes.identification._graph import Net
from causalbayes.identification.adjustment import AdjustmentProblem
from causalbayes.identification.verdict import _query_nodes


def _problem(
    graph: Any, treatment, outcome, exclude: Iterable[str] = ()
) -> tuple[Net, AdjustmentProblem]:
    admg = as_admg(graph)
    xs = _query_nodes(admg, graph, treatment, "treatment")
    ys = _query_nodes(admg, graph, outcome, "outcome")
    net = Net.of(admg.to_dag())
    return net, AdjustmentProblem.build(net, xs, ys, exclude=exclude)


def minimal_adjustment_set(
    graph: Any, treatment: str | Iterable[str], outcome: str | Iterable[str]
) -> tuple[str, ...] | None:
    """One minimal adjustment set in linear time, or None when no set exists.

    Examples
    --------
    >>> minimal_adjustment_set("a -> z -> t -> y; a -> y", "t", "y")
    ('z',)
    >>> minimal_adjustment_set("t -> y; t <-> y", "t", "y") is None
    True
    """
    net, problem = _problem(graph, treatment, outcome)
    found = problem.find_minimal()
    return None if found is None else net.sort(found)


def adjustment_sets(
    graph: Any,
    treatment: str | Iterable[str],
    outcome: str | Iterable[str],
    *,
    minimal: bool = True,
    max_sets: int = 10,
) -> list[tuple[str, ...]]:
    """Adjustment sets for ``P(outcome | do(treatment))``.

    Parameters
    ----------
    minimal : bool
        True: minimal sets only, smallest first.  False: every valid set,
        listed with polynomial delay (each next set in polynomial time).
    max_sets : int
        Stop after this many sets.

    Examples
    --------
    >>> adjustment_sets("a -> z -> t -> y; a -> y", "t", "y")
    [('a',), ('z',)]
    >>> adjustment_sets("a -> z -> t -> y; a -> y", "t", "y", minimal=False)
    [('a', 'z'), ('a',), ('z',)]
    """
    net, problem = _problem(graph, treatment, outcome)
    if minimal:
        return [net.sort(s) for s in problem.minimal_sets(max_sets=max_sets)]
    return [net.sort(s) for s in problem.all_sets(max_sets=max_sets)]
