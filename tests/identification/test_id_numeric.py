"""The ID algorithm's formulas, evaluated on random discrete models, equal the true P(y | do(t)).

Each bidirected edge becomes a binary latent parent; all variables are
binary with random conditional tables.  The truth comes from the truncated
factorisation of the full model; the formula is evaluated on the observed
joint only.  xarray broadcasts factors by variable name.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from causalbayes.graph import ADMG
from causalbayes.identification.expr import P, Product, Ratio, Sum
from causalbayes.identification.id_algorithm import Hedge, identify_effect


def _cpt(rng, node, parents):
    table = rng.dirichlet([1.0, 1.0], size=2 ** len(parents)).reshape(*[2] * len(parents), 2)
    return xr.DataArray(table, dims=(*parents, node))


def _joint(dag, rng, cut=None, value=None):
    total = xr.DataArray(1.0)
    for node in dag.topological_order():
        table = _cpt(rng, node, list(dag.parents(node)))  # drawn always: same tables when cut
        if node == cut:
            table = xr.DataArray(np.eye(2)[value], dims=(node,))
        total = total * table
    return total


def _evaluate(expr, joint):
    if isinstance(expr, P):
        names = expr.heads | expr.given  # a primed name (t') is a bound copy of t
        base = {n: n.rstrip("'") for n in names}
        num = joint.sum([d for d in joint.dims if d not in base.values()])
        den = num.sum([base[h] for h in expr.heads])
        return (num / den).rename({b: n for n, b in base.items() if n != b})
    if isinstance(expr, Product):
        out = xr.DataArray(1.0)
        for f in expr.factors:
            out = out * _evaluate(f, joint)
        return out
    if isinstance(expr, Sum):
        return _evaluate(expr.body, joint).sum(sorted(expr.over))
    if isinstance(expr, Ratio):
        return _evaluate(expr.numerator, joint) / _evaluate(expr.denominator, joint)
    raise TypeError(expr)


GRAPHS = {
    "backdoor": "z -> t -> y; z -> y",
    "frontdoor": "t -> m -> y; t <-> y",
    "napkin": "w -> r -> t -> y; w <-> t; w <-> y",
    "m_bias": "a -> m; b -> m; a -> t; b -> y; t -> y; a <-> b",
    "chain_with_confounded_mediator": "t -> m -> y; m <-> y; t -> y; z -> t; z -> y",
    "frontdoor_with_covariate": "w -> t -> m -> y; w -> y; t <-> y",
    "confounded_root_mediator": "t -> m -> y; t <-> y; w -> m; w <-> t",
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_id_formula_equals_truncated_factorisation(name):
    admg = ADMG.from_edge_string(GRAPHS[name])
    expr = identify_effect(admg, {"y"}, {"t"})
    dag = admg.to_dag()
    for seed in range(3):
        observed = _joint(dag, np.random.default_rng(seed)).sum(sorted(dag.latent))
        got = _evaluate(expr, observed)
        # free variables other than y and t may remain: the formula holds at any of their values
        rest = [d for d in got.dims if d not in ("y", "t")]
        for index in range(2 ** len(rest)):
            point = {d: (index >> k) & 1 for k, d in enumerate(rest)}
            for value in (0, 1):
                truth = _joint(dag, np.random.default_rng(seed), cut="t", value=value)
                truth = truth.sum([d for d in truth.dims if d != "y"])
                at = got.isel(point).sel(t=value) if "t" in got.dims else got.isel(point)
                np.testing.assert_allclose(at.transpose("y").values, truth.values, rtol=1e-9)


def test_hedge_graphs_raise():
    for text in ("t -> y; t <-> y", "t -> m -> y; t <-> m", "z -> t -> y; t <-> y"):
        with pytest.raises(Hedge):
            identify_effect(ADMG.from_edge_string(text), {"y"}, {"t"})
