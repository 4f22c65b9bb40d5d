"""Adjustment-set search on random graphs, against brute force and networkx's d-separation."""

from __future__ import annotations

from itertools import chain, combinations

import networkx as nx
from hypothesis import given, settings
from random_queries import queries

import causalbayes as cb
from causalbayes.graph import DAG
from causalbayes.identification._graph import Net
from causalbayes.identification.adjustment import AdjustmentProblem

SETTINGS = settings(max_examples=50, deadline=None)


def _subsets(nodes):
    nodes = sorted(nodes)
    return chain.from_iterable(combinations(nodes, k) for k in range(len(nodes) + 1))


def _pearl_backdoor(dag: DAG, t: str, y: str, zs: set[str]) -> bool:
    """Pearl's backdoor criterion with networkx as the d-separation oracle."""
    if zs & (dag.descendants(t) | {t, y} | dag.latent):
        return False
    g = dag.to_networkx()
    g.remove_edges_from(list(g.out_edges(t)))
    return nx.is_d_separator(g, {t}, {y}, zs)


@SETTINGS
@given(queries())
def test_listing_is_complete_and_each_set_is_valid(query):
    dag, t, y = query
    problem = AdjustmentProblem.build(Net.of(dag), {t}, {y})
    listed = list(problem.all_sets(max_sets=10_000))
    brute = {frozenset(s) for s in _subsets(problem.allowed) if problem.is_adjustment_set(s)}
    assert len(listed) == len(set(listed))
    assert set(listed) == brute


@SETTINGS
@given(queries())
def test_adjustment_agrees_with_pearls_backdoor_on_non_descendants(query):
    dag, t, y = query
    net = Net.of(dag)
    problem = AdjustmentProblem.build(net, {t}, {y})
    observed = [n for n in dag.nodes if n not in dag.latent and n not in (t, y)]
    for zs in map(set, _subsets(observed)):
        if zs & dag.descendants(t):
            continue
        assert problem.is_adjustment_set(zs) == _pearl_backdoor(dag, t, y, zs)


@SETTINGS
@given(queries())
def test_minimal_sets_are_exactly_the_inclusion_minimal_valid_sets(query):
    dag, t, y = query
    problem = AdjustmentProblem.build(Net.of(dag), {t}, {y})
    valid = [frozenset(s) for s in _subsets(problem.allowed) if problem.is_adjustment_set(s)]
    minimal = {s for s in valid if not any(o < s for o in valid)}
    assert set(problem.minimal_sets(max_sets=10_000)) == minimal
    one = cb.minimal_adjustment_set(dag, t, y)
    assert (one is None) == (not valid)
    if one is not None:
        assert frozenset(one) in minimal


def test_max_sets_bounds_the_listing():
    dag = DAG.from_edge_string("a -> t; b -> t; t -> y; a -> y; b -> y; c -> t; d -> y")
    assert len(cb.adjustment_sets(dag, "t", "y", minimal=False, max_sets=100)) == 4
    assert len(cb.adjustment_sets(dag, "t", "y", minimal=False, max_sets=3)) == 3
    assert cb.adjustment_sets(dag, "t", "y") == [("a", "b")]


def test_search_on_random_200_node_graphs_answers():
    # its speed is measured in benchmarks/bench_identification.py, not asserted here
    import numpy as np

    rng = np.random.default_rng(7)
    names = [f"v{i}" for i in range(200)]
    upper = np.triu(rng.random((200, 200)) < 3 / 200, k=1)
    dag = DAG(names, [(names[i], names[j]) for i, j in zip(*np.nonzero(upper), strict=True)])
    t = next(n for n in names[20:] if dag.parents(n) and len(dag.descendants(n)) > 5)
    y = sorted(dag.descendants(t))[-1]
    verdict = cb.identify(dag, t, y)
    sets = cb.adjustment_sets(dag, t, y, minimal=False, max_sets=10)
    assert verdict.identified and len(sets) == 10
