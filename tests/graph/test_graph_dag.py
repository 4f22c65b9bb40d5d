"""Construction, validation and structural queries of DAG."""

from __future__ import annotations

import copy
import pickle

import networkx as nx
import pytest

from causalbayes.errors import GraphError
from causalbayes.graph import DAG, parse_edges

STORY = "humid -> dilution -> coating; humid -> coating"


@pytest.fixture
def story() -> DAG:
    return parse_edges(STORY)


# -- validation ---------------------------------------------------------------------------


def test_cycle_error_shows_path_and_advice():
    with pytest.raises(GraphError, match=r"a -> b -> c -> a.*remove one of these edges"):
        DAG(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")])


def test_cycle_path_starts_at_earliest_node_and_skips_lead_in():
    with pytest.raises(GraphError, match=r"cycle: y -> z -> y;"):
        DAG(["x", "y", "z"], [("x", "y"), ("y", "z"), ("z", "y")])


def test_two_node_cycle():
    with pytest.raises(GraphError, match=r"a -> b -> a"):
        DAG(["a", "b"], [("a", "b"), ("b", "a")])


@pytest.mark.parametrize("bad", ["1x", "", "has space", "dash-ed", "é", "a\n"])
def test_bad_node_name_is_named_with_rule(bad):
    with pytest.raises(GraphError, match=r"invalid node name.*\^\[A-Za-z_\]") as info:
        DAG(["ok", bad])
    assert repr(bad) in str(info.value)


def test_non_string_node_name():
    with pytest.raises(GraphError, match="must be strings, got 3"):
        DAG(["a", 3])  # type: ignore[list-item]


def test_duplicate_node_is_named():
    with pytest.raises(GraphError, match="duplicate node 'b'"):
        DAG(["a", "b", "b"])


def test_unknown_edge_endpoint_lists_known_nodes():
    with pytest.raises(GraphError, match=r"unknown node 'x'.*known nodes: a, b"):
        DAG(["a", "b"], [("a", "x")])


def test_self_loop_refused():
    with pytest.raises(GraphError, match="self loop a -> a"):
        DAG(["a"], [("a", "a")])


@pytest.mark.parametrize("edge", ["ab", ("a",), ("a", "b", "c"), 5])
def test_malformed_edge_refused(edge):
    with pytest.raises(GraphError, match="edge"):
        DAG(["a", "b"], [edge])  # type: ignore[list-item]


def test_single_string_nodes_or_latent_refused():
    with pytest.raises(GraphError, match="single string 'abc'"):
        DAG("abc")
    with pytest.raises(GraphError, match="latent=\\['a'\\]"):
        DAG(["a"], latent="a")


def test_latent_must_be_declared():
    with pytest.raises(GraphError, match="unknown latent node 'u'"):
        DAG(["a"], latent=["u"])


def test_duplicate_edges_are_dropped():
    dag = DAG(["a", "b"], [("a", "b"), ("a", "b")])
    assert dag.edges == (("a", "b"),)


def test_generators_are_accepted():
    dag = DAG((n for n in "abc"), ((p, c) for p, c in [("a", "b")]), iter(["c"]))
    assert dag.nodes == ("a", "b", "c") and dag.latent == {"c"}


def test_empty_graph():
    dag = DAG([])
    assert len(dag) == 0 and dag.topological_order() == () and dag.to_edge_string() == ""


# -- structure ----------------------------------------------------------------------------


def test_story_graph_structure(story):
    assert story.nodes == ("humid", "dilution", "coating")
    assert story.edges == (("humid", "dilution"), ("humid", "coating"), ("dilution", "coating"))
    assert story.parents("coating") == ("humid", "dilution")
    assert story.children("humid") == ("dilution", "coating")
    assert story.ancestors("coating") == {"humid", "dilution"}
    assert story.descendants("humid") == {"dilution", "coating"}
    assert story.ancestors("humid") == frozenset()
    assert story.topological_order() == ("humid", "dilution", "coating")
    assert story.roots() == ("humid",)
    assert story.latent == frozenset()


def test_topological_order_breaks_ties_by_declaration_order():
    dag = DAG(["y", "b", "a", "x"], [("a", "y"), ("x", "y")])
    assert dag.topological_order() == ("b", "a", "x", "y")


TEXTBOOK = {
    # name: (edge string, node, expected parents, expected ancestors, expected descendants)
    "fork": ("z -> x; z -> y", "z", (), set(), {"x", "y"}),
    "chain": ("x -> m -> y", "y", ("m",), {"x", "m"}, set()),
    "collider": ("x -> c; y -> c; c -> d", "c", ("x", "y"), {"x", "y"}, {"d"}),
    "m_bias": (
        "u1 -> x; u1 -> m; u2 -> m; u2 -> y; x -> y",
        "m",
        ("u1", "u2"),
        {"u1", "u2"},
        set(),
    ),
    "front_door": (
        "u -> x; u -> y; x -> m -> y; u [latent]",
        "y",
        ("u", "m"),
        {"u", "x", "m"},
        set(),
    ),
    "instrument": ("z -> x -> y; u -> x; u -> y", "x", ("z", "u"), {"z", "u"}, {"y"}),
}


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_graphs(name):
    text, node, parents, ancestors, descendants = TEXTBOOK[name]
    dag = parse_edges(text)
    assert dag.parents(node) == parents
    assert dag.ancestors(node) == ancestors
    assert dag.descendants(node) == descendants
    position = {n: i for i, n in enumerate(dag.topological_order())}
    assert all(position[p] < position[c] for p, c in dag.edges)


def test_front_door_latent_and_roots():
    dag = parse_edges(TEXTBOOK["front_door"][0])
    assert dag.latent == {"u"}
    assert dag.roots() == ("u",)


@pytest.mark.parametrize("method", ["parents", "children", "ancestors", "descendants", "do"])
def test_unknown_node_lookup_names_it(story, method):
    with pytest.raises(
        GraphError,
        match=r"unknown node 'humidity'.*did you mean 'humid'.*known nodes: humid, dilution, coating",
    ):
        getattr(story, method)("humidity")


def test_dunder_protocol(story):
    assert "humid" in story and "rain" not in story and 3 not in story
    assert len(story) == 3
    assert list(story) == ["humid", "dilution", "coating"]
    assert repr(story) == "DAG('humid -> dilution; humid -> coating; dilution -> coating')"


def test_long_repr_is_truncated():
    dag = parse_edges("; ".join(f"n{i} -> n{i + 1}" for i in range(30)))
    text = repr(dag)
    assert len(text) < 120 and text.endswith("nodes=31, edges=30)")


def test_equality_ignores_order_but_not_structure():
    one = DAG(["a", "b"], [("a", "b")])
    assert one == DAG(["b", "a"], [("a", "b")])
    assert hash(one) == hash(DAG(["b", "a"], [("a", "b")]))
    assert one != DAG(["a", "b"], [])
    assert one != DAG(["a", "b"], [("a", "b")], latent=["a"])
    assert one != "a -> b"
    assert len({one, DAG(["b", "a"], [("a", "b")])}) == 1


def test_immutable(story):
    with pytest.raises(AttributeError, match="immutable"):
        story.nodes = ()  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        story._edges = ()
    with pytest.raises(AttributeError, match="immutable"):
        del story._nodes


def test_pickle_and_copy(story):
    latent = DAG(["u", "x"], [("u", "x")], latent=["u"])
    for dag in (story, latent):
        restored = pickle.loads(pickle.dumps(dag))
        assert restored == dag and restored.nodes == dag.nodes
    assert copy.copy(story) is story and copy.deepcopy(story) is story


# -- do -----------------------------------------------------------------------------------


def test_do_removes_incoming_edges_only(story):
    mutilated = story.do("dilution")
    assert mutilated.edges == (("humid", "coating"), ("dilution", "coating"))
    assert mutilated.nodes == story.nodes
    assert story.parents("dilution") == ("humid",)  # original untouched


def test_do_several_nodes_keeps_latent():
    dag = parse_edges("u -> x -> y; u -> y; z -> y; u [latent]")
    mutilated = dag.do("x", "y")
    assert mutilated.edges == ()
    assert dag.do("x").edges == (("u", "y"), ("x", "y"), ("z", "y"))
    assert mutilated.latent == {"u"}
    assert dag.do() == dag


def test_do_on_root_is_identity(story):
    assert story.do("humid") == story


# -- networkx -----------------------------------------------------------------------------


def test_networkx_round_trip_with_latent():
    dag = parse_edges("u -> x -> y; u -> y; w; u [latent]")
    graph = dag.to_networkx()
    assert isinstance(graph, nx.DiGraph)
    assert dict(graph.nodes(data="latent")) == {"u": True, "x": False, "y": False, "w": False}
    assert set(graph.edges) == set(dag.edges)
    back = DAG.from_networkx(graph)
    assert back == dag and back.nodes == dag.nodes


def test_from_networkx_latent_attribute_truthiness():
    graph = nx.DiGraph()
    graph.add_node("a", latent=1)
    graph.add_node("b", latent=0)
    graph.add_node("c")
    graph.add_edge("a", "b")
    assert DAG.from_networkx(graph).latent == {"a"}


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (nx.Graph([("a", "b")]), "undirected"),
        (nx.MultiDiGraph([("a", "b")]), "parallel edges"),
        ({"a": "b"}, "expected a networkx.DiGraph, got dict"),
        (nx.DiGraph([(1, 2)]), "must be strings"),
        (nx.DiGraph([("a", "b"), ("b", "a")]), "a -> b -> a"),
    ],
)
def test_from_networkx_refusals(graph, message):
    with pytest.raises(GraphError, match=message):
        DAG.from_networkx(graph)
