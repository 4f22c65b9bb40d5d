"""Frontdoor and instrument searches on random graphs, against brute force."""

from __future__ import annotations

from itertools import chain, combinations

from hypothesis import assume, given, settings
from random_queries import queries

from causalbayes.identification._graph import Net
from causalbayes.identification.frontdoor import frontdoor_sets, satisfies_frontdoor
from causalbayes.identification.iv import instruments

SETTINGS = settings(max_examples=50, deadline=None)


@SETTINGS
@given(queries(max_size=7, confound=True))
def test_frontdoor_search_finds_a_set_whenever_one_exists(query):
    dag, t, y = query
    assume(y in dag.descendants(t))  # without a causal path the criterion is vacuous
    net = Net.of(dag)
    observed = sorted(net.observed - {t, y})
    subsets = chain.from_iterable(combinations(observed, k) for k in range(1, len(observed) + 1))
    brute = [frozenset(s) for s in subsets if satisfies_frontdoor(net, t, y, frozenset(s))]
    found = frontdoor_sets(net, t, y, max_size=len(observed), max_sets=100, budget=None)
    assert all(satisfies_frontdoor(net, t, y, s) for s in found)
    assert bool(found) == bool(brute)
    minimal = {s for s in brute if not any(o < s for o in brute)}
    assert set(found) <= minimal or not brute


@SETTINGS
@given(queries(max_size=7, confound=True))
def test_every_reported_instrument_meets_the_conditions(query):
    dag, t, y = query
    net = Net.of(dag)
    for iv in instruments(net, t, y):
        assert iv.z not in net.latent and not set(iv.given) & net.latent
        assert not (set(iv.given) | {iv.z}) & (net.descendants({t}) | net.descendants({y}))
        assert not net.separated({iv.z}, {t}, iv.given)
        cut = net.without_edges((t, c) for c in net.children[t])
        # the instrument reaches y only through t: separated once t's out-edges go
        assert cut.separated({iv.z}, {y}, iv.given)
