"""Property tests on random DAGs against networkx as the oracle."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbayes.graph import DAG, parse_dot, parse_edges

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def random_dags(draw: st.DrawFn) -> DAG:
    """Upper-triangular adjacency (acyclic by construction) with shuffled names."""
    size = draw(st.integers(min_value=0, max_value=12))
    names = draw(st.permutations([f"v{i}" for i in range(size)]))
    edges = [
        (names[i], names[j]) for i in range(size) for j in range(i + 1, size) if draw(st.booleans())
    ]
    declared = draw(st.permutations(names))  # declaration order independent of edges
    latent = draw(st.sets(st.sampled_from(names))) if names else set()
    return DAG(declared, edges, latent)


@SETTINGS
@given(random_dags())
def test_topological_order_is_valid(dag):
    order = dag.topological_order()
    assert sorted(order) == sorted(dag.nodes)
    position = {node: index for index, node in enumerate(order)}
    assert all(position[parent] < position[child] for parent, child in dag.edges)


@SETTINGS
@given(random_dags())
def test_topological_order_keeps_an_already_sorted_declaration(dag):
    resorted = DAG(dag.topological_order(), dag.edges, dag.latent)
    assert resorted.topological_order() == resorted.nodes


@SETTINGS
@given(random_dags())
def test_relatives_agree_with_networkx(dag):
    graph = dag.to_networkx()
    for node in dag:
        assert dag.ancestors(node) == nx.ancestors(graph, node)
        assert dag.descendants(node) == nx.descendants(graph, node)
        assert set(dag.parents(node)) == set(graph.predecessors(node))
        assert set(dag.children(node)) == set(graph.successors(node))


@SETTINGS
@given(random_dags())
def test_text_and_networkx_round_trips(dag):
    assert parse_edges(dag.to_edge_string()) == dag
    from_dot = parse_dot(dag.to_dot())
    assert from_dot == dag and from_dot.nodes == dag.nodes
    assert DAG.from_networkx(dag.to_networkx()).nodes == dag.nodes


@SETTINGS
@given(random_dags(), st.data())
def test_do_removes_exactly_the_incoming_edges(dag, data):
    if not dag.nodes:
        return
    targets = data.draw(st.sets(st.sampled_from(dag.nodes)))
    mutilated = dag.do(*targets)
    assert set(mutilated.edges) == {edge for edge in dag.edges if edge[1] not in targets}
    assert all(mutilated.parents(node) == () for node in targets)
