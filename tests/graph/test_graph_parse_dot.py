"""The DOT parser and writer, and as_dag dispatch."""

from __future__ import annotations

import networkx as nx
import pytest

from causalbayes.errors import GraphError
from causalbayes.graph import DAG, as_dag, parse_dot, parse_edges

FULL_DOT = r"""
// a comment before the header
/* and a block
   comment */
strict digraph "story" {
    graph [rankdir=LR, fontsize=10];
    node [shape=box]
    edge [color=grey]
    rankdir = LR
    # hash comment
    "humid" [label="Humidity \"%\"", style=dashed];
    humid -> dilution -> coating [color=red, penwidth=2]
    humid -> "coating"; // trailing comment
    u [latent=true]
    v [latent="true", label=<<b>V</b>>]
    w [style=dashed]
    u -> humid; v -> coating
    coating:n -> w:s:e
}
"""


def test_full_dot_subset():
    dag = parse_dot(FULL_DOT)
    assert dag.nodes == ("humid", "dilution", "coating", "u", "v", "w")
    assert set(dag.edges) == {
        ("humid", "dilution"),
        ("dilution", "coating"),
        ("humid", "coating"),
        ("u", "humid"),
        ("v", "coating"),
        ("coating", "w"),
    }
    assert dag.latent == {"u", "v"}  # style=dashed alone does not mark latent


def test_minimal_and_named_digraphs():
    assert parse_dot("digraph{a->b}") == parse_edges("a -> b")
    assert parse_dot("DiGraph G { a -> b; }") == parse_edges("a -> b")
    assert len(parse_dot("digraph {}")) == 0


def test_latent_flags_merge_across_statements():
    dag = parse_dot("digraph { a [latent=true]; a [color=red]; b [latent=TRUE]; b [latent=false] }")
    assert dag.latent == {"a"}


def test_quoted_keyword_is_a_node_name():
    dag = parse_dot('digraph { "node" -> "Edge" }')
    assert dag.nodes == ("node", "Edge")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("graph { a -- b }", "undirected.*digraph.*->"),
        ("strict graph { a }", "undirected.*digraph"),
        ("digraph { a -- b }", "'--' is an undirected edge.*digraph"),
        ("digraph { subgraph cluster_0 { a } }", "subgraphs"),
        ("digraph { a -> { b c } }", "subgraphs"),
        ("digraph { { a b } }", "subgraphs"),
        ("digraph { a -> b ", "expected a closing '}'"),
        ("digraph { a -> b } extra", "nothing after the closing"),
        ('digraph { a -> "b }', "unterminated quoted string"),
        ("digraph { a /* open", "unterminated /\\* comment"),
        ("digraph { a [label=<<b>x }", "unterminated HTML"),
        ("digraph { a [label] }", "expected '='"),
        ("digraph { a -> node }", "expected a node name"),
        ("digraph { a + b }", "unexpected character '\\+'"),
        ("a -> b", "expected 'digraph'"),
        ('digraph { "blood pressure" -> y }', "invalid node name 'blood pressure'"),
        ("digraph { a -> b -> a }", "a -> b -> a"),
    ],
)
def test_dot_refusals(text, message):
    with pytest.raises(GraphError, match=message):
        parse_dot(text)


def test_error_reports_line_number():
    with pytest.raises(GraphError, match="line 3"):
        parse_dot("digraph {\n a -> b\n c -> }")


@pytest.mark.parametrize(
    "text",
    [
        "humid -> dilution -> coating; humid -> coating",
        "u -> x -> y; u -> y; u [latent]; lone",
        "node -> graph; strict -> Digraph; subgraph; edge [latent]",
        "",
    ],
)
def test_dot_round_trip_keeps_order(text):
    dag = parse_edges(text)
    back = DAG.from_dot(dag.to_dot())
    assert back == dag
    assert back.nodes == dag.nodes


def test_to_dot_text():
    dag = parse_edges("u -> x; u [latent]")
    assert dag.to_dot() == "digraph {\n  u [latent=true, style=dashed];\n  x;\n  u -> x;\n}\n"


# -- as_dag -------------------------------------------------------------------------------


def test_as_dag_returns_dag_unchanged():
    dag = parse_edges("a -> b")
    assert as_dag(dag) is dag


def test_as_dag_dispatch():
    expected = parse_edges("a -> b; b -> c")
    assert as_dag(nx.DiGraph([("a", "b"), ("b", "c")])) == expected
    assert as_dag("a -> b -> c") == expected
    assert as_dag("  digraph { a -> b -> c }") == expected
    assert as_dag("// header\n/* c */ # x\nstrict digraph G { a -> b -> c }") == expected
    assert as_dag('digraph "g" { a -> b -> c }') == expected


def test_as_dag_edge_string_with_node_named_digraph():
    assert as_dag("digraph -> x").edges == (("digraph", "x"),)


def test_as_dag_undirected_dot_gets_dot_error():
    with pytest.raises(GraphError, match="undirected"):
        as_dag("graph G { a -- b }")


def test_as_dag_undirected_networkx_refused():
    with pytest.raises(GraphError, match="undirected"):
        as_dag(nx.Graph([("a", "b")]))


@pytest.mark.parametrize("value", [3, None, [("a", "b")], b"a -> b"])
def test_as_dag_refuses_other_types(value):
    with pytest.raises(GraphError, match=r"DAG, a networkx.DiGraph, DOT text.*edge string"):
        as_dag(value)
