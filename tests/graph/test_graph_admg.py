"""ADMG: bidirected edges, latent projection, districts, conversions."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbayes.errors import GraphError
from causalbayes.graph import ADMG, DAG, as_admg, d_separated, render


def test_edge_string_reads_both_kinds_of_edges():
    g = ADMG.from_edge_string("a -> b; a <-> c; c <-> b")
    assert g.directed == (("a", "b"),)
    assert g.bidirected == (("a", "c"), ("b", "c"))
    assert g.spouses("c") == ("a", "b")


def test_edge_string_round_trip_and_isolated_nodes():
    g = ADMG(["a", "b", "c", "d"], [("a", "b")], [("b", "c")])
    assert g.to_edge_string() == "a -> b; b <-> c; d"
    assert ADMG.from_edge_string(g.to_edge_string()) == g


def test_latent_projection_of_confounder_and_latent_chain():
    dag = DAG.from_edge_string("u -> t -> l -> y; u -> y; u [latent]; l [latent]")
    g = ADMG.from_dag(dag)
    assert g.nodes == ("t", "y")
    assert g.directed == (("t", "y"),)
    assert g.bidirected == (("t", "y"),)


def test_latent_projection_through_a_latent_chain_of_causes():
    dag = DAG.from_edge_string("u1 -> u2 -> a; u2 -> b; u1 -> c; u1 [latent]; u2 [latent]")
    assert set(ADMG.from_dag(dag).bidirected) == {("a", "b"), ("a", "c"), ("b", "c")}


def test_districts_and_do():
    g = ADMG.from_edge_string("a <-> b; b -> c; c <-> d; d -> e")
    assert g.districts() == (("a", "b"), ("c", "d"), ("e",))
    cut = g.do("c")
    assert cut.bidirected == (("a", "b"),) and cut.parents("c") == ()


def test_networkx_round_trip_keeps_bidirected_edges():
    g = ADMG.from_edge_string("a -> b; a <-> b; b <-> c")
    assert ADMG.from_networkx(g.to_networkx()) == g


def test_dot_marks_bidirected_edges():
    assert "a -> b [dir=both, style=dashed];" in ADMG.from_edge_string("a <-> b").to_dot()


def test_as_admg_accepts_scm_dag_and_text():
    dag = DAG.from_edge_string("u -> a; u -> b; u [latent]")
    assert (
        as_admg(dag) == as_admg("a <-> b") == as_admg("digraph { u [latent=true]; u -> a; u -> b }")
    )
    with pytest.raises(GraphError, match="cannot make a graph from int"):
        as_admg(3)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a <-> ", "'<->' joins node names"),
        ("a <-> b -> c", "'<->' joins node names"),
        ("a -> b -> a", "cycle"),
        ("a <-> a", "self"),
    ],
)
def test_bad_admg_text_is_refused(text, match):
    with pytest.raises(GraphError, match=match):
        ADMG.from_edge_string(text)


def test_admg_is_immutable_and_hashable():
    g = ADMG.from_edge_string("a <-> b")
    with pytest.raises(AttributeError, match="immutable"):
        g.x = 1
    assert len({g, ADMG.from_edge_string("b <-> a")}) == 1


def test_render_draws_bidirected_edges_and_cuts_them_at_intervened_nodes():
    g = ADMG.from_edge_string("z -> t -> y; t <-> y; z <-> y")
    source = render(g, treatment="t", outcome="y").source
    assert source.count("dir=both") == 2
    cut = render(g, intervened=["t"]).source
    assert cut.count("dir=both") == 1 and "z -> t" not in cut
    assert "image/svg+xml" in g._repr_mimebundle_()


@st.composite
def dags_with_latents(draw: st.DrawFn) -> DAG:
    size = draw(st.integers(min_value=2, max_value=9))
    names = [f"v{i}" for i in range(size)]
    edges = [
        (names[i], names[j]) for i in range(size) for j in range(i + 1, size) if draw(st.booleans())
    ]
    latent = draw(st.sets(st.sampled_from(names), max_size=size - 2))
    return DAG(names, edges, latent)


@settings(max_examples=50, deadline=None)
@given(dags_with_latents(), st.data())
def test_projection_preserves_separation_among_observed_nodes(dag, data):
    observed = [n for n in dag.nodes if n not in dag.latent]
    x, y = data.draw(st.permutations(observed))[:2]
    rest = [n for n in observed if n not in (x, y)]
    zs = data.draw(st.sets(st.sampled_from(rest))) if rest else set()
    canonical = ADMG.from_dag(dag).to_dag()
    assert d_separated(dag, x, y, zs) == d_separated(canonical, x, y, zs)
    assert d_separated(canonical, x, y, zs) == nx.is_d_separator(
        canonical.to_networkx(), {x}, {y}, zs
    )


def test_m_separation_opens_bidirected_colliders():
    g = ADMG.from_edge_string("a <-> b <-> c")
    assert d_separated(g, "a", "c") and not d_separated(g, "a", "c", given="b")
    with pytest.raises(GraphError, match="not in the graph"):
        d_separated(g, "a", "U_a_b")


def test_dot_round_trip_and_dags_refuse_bidirected_dot_edges():
    g = ADMG.from_edge_string("z -> t -> y; t <-> y; z <-> y")
    assert ADMG.from_dot(g.to_dot()) == g
    assert as_admg(g.to_dot()) == g
    with pytest.raises(GraphError, match=r"dir=both.*ADMG.from_dot"):
        DAG.from_dot(g.to_dot())


def test_dag_displays_as_svg_and_an_intervened_drawing_cuts_incoming_edges():
    dag = DAG.from_edge_string("z -> t -> y; z -> y")
    assert "image/svg+xml" in dag._repr_mimebundle_()
    source = render(dag, treatment="t", outcome="y", intervened=["t"]).source
    assert "z -> t" not in source and "t -> y" in source and "shape=box" in source
