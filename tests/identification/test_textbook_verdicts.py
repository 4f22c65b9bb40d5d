"""identify() on textbook graphs with known answers."""

from __future__ import annotations

import pytest

import causalbayes as cb
from causalbayes.errors import QueryError

CONFOUNDER = "z -> t -> y; z -> y"
MEDIATOR = "t -> m -> y; t -> y"
M_BIAS = "a -> m; b -> m; a -> t; b -> y; t -> y"
BUTTERFLY = "a -> m; b -> m; a -> t; b -> y; m -> t; m -> y; t -> y"
FRONTDOOR = "t -> m -> y; t <-> y"
IV = "z -> t -> y; t <-> y"
NAPKIN = "w -> r -> t -> y; w <-> t; w <-> y"
BOW_ARC = "t -> y; t <-> y"


def test_confounder_is_adjusted_for():
    v = cb.identify(CONFOUNDER, "t", "y")
    assert (v.identified, v.criterion, v.adjustment_set) == (True, "backdoor", ("z",))
    assert v.adjustment_sets == (("z",),)
    assert v.estimand == "sum_{z} P(y | t, z) P(z)"


def test_mediator_needs_no_adjustment_and_is_never_adjusted_for():
    v = cb.identify(MEDIATOR, "t", "y")
    assert v.adjustment_set == () and v.estimand == "P(y | t)"
    assert cb.adjustment_sets(MEDIATOR, "t", "y", minimal=False) == [()]


def test_m_bias_collider_is_not_adjusted_for_alone():
    v = cb.identify(M_BIAS, "t", "y")
    assert v.adjustment_set == ()
    every = cb.adjustment_sets(M_BIAS, "t", "y", minimal=False, max_sets=100)
    assert ("m",) not in every
    assert set(every) == {(), ("a",), ("b",), ("a", "b"), ("a", "m"), ("b", "m"), ("a", "b", "m")}


def test_butterfly_needs_the_collider_plus_one_parent():
    v = cb.identify(BUTTERFLY, "t", "y")
    assert v.adjustment_sets == (("a", "m"), ("b", "m"))
    assert cb.minimal_adjustment_set(BUTTERFLY, "t", "y") in {("a", "m"), ("b", "m")}
    assert v.estimand == "sum_{a, m} P(y | t, a, m) P(a, m)"


def test_frontdoor_identifies_when_backdoor_cannot():
    v = cb.identify(FRONTDOOR, "t", "y")
    assert (v.identified, v.criterion, v.adjustment_set) == (True, "frontdoor", None)
    assert v.frontdoor_sets == (("m",),)
    assert v.estimand == "sum_{m} P(m | t) sum_{t'} P(y | t', m) P(t')"
    assert v.open_path == "t <-> y"


def test_instrument_is_found_but_does_not_identify_nonparametrically():
    v = cb.identify(IV, "t", "y")
    assert not v.identified
    assert [(i.z, i.given) for i in v.instruments] == [("z", ())]
    assert v.instruments[0].estimand("t", "y").startswith("Cov(y, z) / Cov(t, z)")


def test_conditional_instrument_needs_its_conditioning_set():
    # z is confounded with y through w; given w it is an instrument
    v = cb.identify("w -> z -> t -> y; w -> y; t <-> y", "t", "y")
    assert [(i.z, i.given) for i in v.instruments] == [("z", ("w",))]


def test_napkin_is_identified_by_the_id_algorithm():
    v = cb.identify(NAPKIN, "t", "y")
    assert (v.identified, v.criterion) == (True, "id")
    assert v.estimand == ("[sum_{w} P(w) P(t | w, r) P(y | w, r, t)] / [sum_{w} P(w) P(t | w, r)]")
    assert v.adjustment_set is None and v.frontdoor_sets == ()


def test_bow_arc_is_not_identified_and_names_path_and_hedge():
    v = cb.identify(BOW_ARC, "t", "y")
    assert not v.identified and v.criterion is None and v.estimand is None
    assert v.open_path == "t <-> y"
    assert v.hedge == (("t", "y"), ("y",))
    assert "t <-> y" in v.reason and "hedge" in v.reason
    assert "NOT identified" in v.summary()


def test_latent_confounder_of_an_scm_is_projected_to_a_bow_arc():
    scm = cb.SCM({"u": cb.Normal(latent=True), "t": cb.Normal(["u"]), "y": cb.Normal(["t", "u"])})
    v = cb.identify(scm, "t", "y")
    assert not v.identified and v.open_path == "t <-> y"
    assert v.graph == cb.ADMG.from_edge_string(BOW_ARC)


def test_latent_confounder_blocked_by_an_observed_mediator_of_it():
    # u -> z -> t: z blocks the latent backdoor path
    dag = cb.DAG.from_edge_string("u -> z -> t -> y; u -> y; u [latent]")
    v = cb.identify(dag, "t", "y")
    assert v.identified and v.adjustment_set == ("z",)


def test_no_causal_path_is_identified_with_zero_effect_formula():
    v = cb.identify("t <- z -> y", "t", "y")
    assert v.identified and v.adjustment_set == ("z",)


def test_multiple_treatments_use_joint_adjustment():
    v = cb.identify("z -> a -> y; z -> b -> y; z -> y", ["a", "b"], "y")
    assert v.identified and v.adjustment_set == ("z",)


@pytest.mark.parametrize(
    ("treatment", "outcome", "match"),
    [("q", "y", "treatment 'q' is not in the graph"), ("t", "t", "both treatment and outcome")],
)
def test_bad_queries_are_refused(treatment, outcome, match):
    with pytest.raises(QueryError, match=match):
        cb.identify(CONFOUNDER, treatment, outcome)


def test_latent_treatment_is_refused():
    dag = cb.DAG.from_edge_string("u -> y; u [latent]")
    with pytest.raises(QueryError, match="latent"):
        cb.identify(dag, "u", "y")


def test_verdict_draws_roles():
    v = cb.identify(CONFOUNDER, "t", "y")
    source = v.draw().source
    assert "fillcolor=lightblue" in source and "fillcolor=palegreen" in source
    assert "text/plain" in v._repr_mimebundle_()
