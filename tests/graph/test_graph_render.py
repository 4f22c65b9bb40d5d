"""Styled Graphviz drawings of a DAG."""

from __future__ import annotations

import re

import graphviz
import pytest

from causalbayes.errors import GraphError
from causalbayes.graph import parse_edges, render

STORY = "humid -> dilution -> coating; humid -> coating"


def _node_line(source: str, node: str) -> str:
    match = re.search(rf"^\s*{node}( \[.*\])?$", source, re.MULTILINE)
    assert match, f"no node statement for {node} in\n{source}"
    return match.group(0)


def test_plain_render_lists_nodes_and_edges():
    drawing = render(parse_edges(STORY))
    assert isinstance(drawing, graphviz.Digraph)
    assert "rankdir=LR" in drawing.source
    for edge in ("humid -> dilution", "humid -> coating", "dilution -> coating"):
        assert edge in drawing.source
    assert "style" not in drawing.source


def test_role_styles():
    dag = parse_edges("u -> x -> y; z -> x; z -> y; u -> y; u [latent]")
    source = render(dag, treatment="x", outcome="y", adjust=["z"]).source
    assert "fillcolor=lightblue" in _node_line(source, "x")
    assert "fillcolor=gold" in _node_line(source, "y")
    z_line = _node_line(source, "z")
    assert "peripheries=2" in z_line and "fillcolor=palegreen" in z_line
    u_line = _node_line(source, "u")
    assert "style=dashed" in u_line and "fontcolor=grey50" in u_line
    assert re.search(r"u -> x \[.*style=dashed", source)


def test_intervened_node_is_bold_box_without_incoming_edges():
    source = render(parse_edges(STORY), intervened=["dilution"], treatment="dilution").source
    line = _node_line(source, "dilution")
    assert "shape=box" in line and "bold" in line and "filled" in line
    assert "humid -> dilution" not in source
    assert "dilution -> coating" in source and "humid -> coating" in source


def test_title_and_rankdir():
    source = render(STORY, title="Coating story", rankdir="TB").source
    assert 'label="Coating story"' in source and "rankdir=TB" in source


def test_output_is_deterministic():
    dag = parse_edges("u -> x -> y; z -> x; z -> y; u [latent]")
    kwargs = {"treatment": "x", "outcome": "y", "adjust": ["z"], "intervened": ["x"]}
    assert render(dag, **kwargs).source == render(dag, **kwargs).source


def test_keyword_node_names_are_quoted_for_dot():
    svg = render("node -> graph").pipe(format="svg")
    assert b"<svg" in svg


def test_pipe_to_svg():
    dag = parse_edges("u -> x -> y; u -> y; u [latent]")
    svg = render(dag, treatment="x", outcome="y", intervened=["x"], title="do(x)").pipe(
        format="svg"
    )
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"treatment": "rain"}, "unknown treatment node 'rain'"),
        ({"outcome": ["coating", "gloss"]}, "unknown outcome node 'gloss'"),
        ({"adjust": ["humidity"]}, "unknown adjust node 'humidity'.*did you mean 'humid'"),
        ({"intervened": ["x"]}, "unknown intervened node 'x'"),
        ({"treatment": "humid", "outcome": "humid"}, "both treatment and outcome"),
        ({"treatment": "humid", "adjust": ["humid"]}, "adjustment set cannot contain"),
        ({"rankdir": "UP"}, "rankdir must be one of"),
    ],
)
def test_render_refusals(kwargs, message):
    with pytest.raises(GraphError, match=message):
        render(parse_edges(STORY), **kwargs)
