"""The dagitty-like edge-string parser."""

from __future__ import annotations

import re

import pytest

from causalbayes.errors import GraphError
from causalbayes.graph import DAG, parse_edges


def test_chain_reverse_arrow_and_lone_node():
    dag = parse_edges("a -> b -> c; d <- c; e")
    assert dag.nodes == ("a", "b", "c", "d", "e")
    assert dag.edges == (("a", "b"), ("b", "c"), ("c", "d"))


def test_mixed_arrows_in_one_chain():
    assert parse_edges("a -> b <- c").edges == (("a", "b"), ("c", "b"))


def test_newlines_comments_and_free_whitespace():
    text = """
        # the story graph
        humid->dilution   # humidity thins the mix
        dilution   ->   coating ;; humid -> coating
    """
    assert parse_edges(text) == parse_edges("humid -> dilution -> coating; humid -> coating")


def test_latent_marker():
    dag = parse_edges("u -> x; u -> y; u [ latent ]")
    assert dag.latent == {"u"}


def test_empty_text_is_empty_graph():
    assert len(parse_edges("  # nothing\n ; ")) == 0


def test_bidirected_edge_in_a_dag_points_to_admg():
    with pytest.raises(
        GraphError, match=r"bidirected.*ADMG.from_edge_string.*explicit latent node"
    ):
        parse_edges("x -> y; x <-> y")


@pytest.mark.parametrize(
    ("text", "statement", "problem"),
    [
        ("a -> b; a ->", "a ->", "ends with '->'"),
        ("a b", "a b", "expected '->' or '<-' after 'a', found 'b'"),
        ("-> b", "-> b", "expected a node name, found '->'"),
        ("a -> -> b", "a -> -> b", "expected a node name after '->'"),
        ("a -- b", "a -- b", "undirected"),
        ("a > b", "a > b", "unexpected character '>'"),
        ("a -> b [exposure]", "a -> b [exposure]", "only the '\\[latent\\]' marker"),
        ("a [latent] -> b", "a [latent] -> b", "'\\[latent\\]' must follow one node name"),
        ("x -> y [latent]", "x -> y [latent]", "'\\[latent\\]' must follow one node name"),
    ],
)
def test_syntax_errors_name_statement_and_expected_syntax(text, statement, problem):
    with pytest.raises(GraphError) as info:
        parse_edges(text)
    message = str(info.value)
    assert repr(statement) in message
    assert "'a -> b; b -> c'" in message
    assert re.search(problem, message), message


def test_dot_text_gets_a_hint():
    with pytest.raises(GraphError, match="use parse_dot"):
        parse_edges("digraph { a -> b }")


def test_graph_errors_come_through():
    with pytest.raises(GraphError, match="a -> b -> a"):
        parse_edges("a -> b -> a")
    with pytest.raises(GraphError, match="invalid node name '2x'"):
        parse_edges("2x -> y")


def test_non_string_refused():
    with pytest.raises(GraphError, match="expects a str, got int"):
        parse_edges(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "humid -> dilution -> coating; humid -> coating",
        "a; b; c",
        "u -> x -> y; u -> y; u [latent]; z",
        "",
    ],
)
def test_edge_string_round_trip(text):
    dag = parse_edges(text)
    again = DAG.from_edge_string(dag.to_edge_string())
    assert again == dag
    assert again.to_edge_string() == dag.to_edge_string()


def test_to_edge_string_format():
    dag = parse_edges("humid -> dilution -> coating; humid -> coating; lone; u [latent]")
    assert dag.to_edge_string() == (
        "humid -> dilution; humid -> coating; dilution -> coating; lone; u [latent]"
    )
