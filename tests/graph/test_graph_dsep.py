"""d-separation: textbook graphs and agreement with networkx on random DAGs."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from causalbayes.errors import GraphError
from causalbayes.graph import DAG, d_separated, implied_independences


@pytest.mark.parametrize(
    ("edges", "x", "y", "z", "expected"),
    [
        ("a -> b -> c", "a", "c", (), False),  # chain open
        ("a -> b -> c", "a", "c", ("b",), True),  # chain blocked
        ("b -> a; b -> c", "a", "c", ("b",), True),  # fork blocked
        ("a -> c; b -> c", "a", "b", (), True),  # collider closed
        ("a -> c; b -> c", "a", "b", ("c",), False),  # conditioning on a collider opens it
        ("a -> c; b -> c; c -> d", "a", "b", ("d",), False),  # ... and on its descendant
        ("u1 -> m; u2 -> m; u1 -> t; u2 -> y; t -> y", "t", "y", ("m",), False),  # M-bias opened
    ],
)
def test_textbook_graphs(edges, x, y, z, expected):
    assert d_separated(DAG.from_edge_string(edges), x, y, z) is expected


def test_bad_queries_raise_graph_error():
    dag = DAG.from_edge_string("a -> b")
    with pytest.raises(GraphError, match="'q' is not in the graph"):
        d_separated(dag, "a", "q")
    with pytest.raises(GraphError, match="disjoint"):
        d_separated(dag, "a", ["a", "b"])
    with pytest.raises(GraphError, match="both tested and conditioned"):
        d_separated(dag, "a", "b", given="b")


@st.composite
def dag_and_query(draw):
    n = draw(st.integers(3, 9))
    names = [f"v{i}" for i in range(n)]
    edges = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())]
    roles = draw(st.lists(st.sampled_from(["x", "y", "z", "-"]), min_size=n, max_size=n))
    pick = lambda r: {names[i] for i in range(n) if roles[i] == r}  # noqa: E731
    return DAG(names, edges), pick("x"), pick("y"), pick("z")


@settings(max_examples=50, deadline=None)
@given(dag_and_query())
def test_agrees_with_networkx(case):
    dag, xs, ys, zs = case
    assume(xs and ys)
    assert d_separated(dag, xs, ys, zs) == nx.is_d_separator(dag.to_networkx(), xs, ys, zs)


def test_implied_independences_of_textbook_graphs():
    assert (
        implied_independences(
            DAG.from_edge_string("humid -> dilution -> coating; humid -> coating")
        )
        == []
    )
    assert implied_independences(DAG.from_edge_string("a -> c; b -> c")) == [("a", "b", ())]
    fork = DAG.from_edge_string("z -> x; z -> y")
    assert implied_independences(fork) == [("x", "y", ("z",))]
    latent = DAG(["u", "x", "y"], [("u", "x"), ("u", "y")], latent=["u"])
    assert implied_independences(latent) == []
    # the parent of c is latent, yet a _||_ c holds and is listed
    hidden_parent = DAG.from_edge_string("a -> b; u -> b; u -> c; u [latent]")
    assert implied_independences(hidden_parent) == [("a", "c", ())]


@settings(max_examples=50, deadline=None)
@given(dag_and_query())
def test_every_implied_independence_is_a_d_separation_and_pairs_without_one_are_connected(case):
    dag = case[0]
    statements = implied_independences(dag)
    for x, y, z in statements:
        assert d_separated(dag, x, y, z)
    # a basis: a non-adjacent pair separated by some set always has a statement
    listed = {frozenset((x, y)) for x, y, _ in statements}
    g = dag.to_networkx()
    for a in dag.nodes:
        for b in dag.nodes:
            if a < b and not g.has_edge(a, b) and not g.has_edge(b, a):
                assert frozenset((a, b)) in listed


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_with_latent_nodes_every_separable_observed_pair_gets_one_true_minimal_statement(data):
    from itertools import chain, combinations

    size = data.draw(st.integers(min_value=2, max_value=7))
    names = [f"v{i}" for i in range(size)]
    edges = [
        (names[i], names[j])
        for i in range(size)
        for j in range(i + 1, size)
        if data.draw(st.booleans())
    ]
    latent = data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=size - 1))
    dag = DAG(names, edges, latent)
    observed = [n for n in dag.topological_order() if n not in latent]
    statements = {(x, y): z for x, y, z in implied_independences(dag)}
    for i, x in enumerate(observed):
        for y in observed[i + 1 :]:
            rest = [n for n in observed if n not in (x, y)]
            subsets = chain.from_iterable(combinations(rest, k) for k in range(len(rest) + 1))
            separators = [set(s) for s in subsets if d_separated(dag, x, y, s)]
            assert ((x, y) in statements) == bool(separators)
            if (x, y) in statements:
                z = set(statements[(x, y)])
                assert z in separators
                assert not any(s < z for s in separators)
