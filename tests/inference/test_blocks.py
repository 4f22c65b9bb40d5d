"""Exact tests of the factorized posterior: blocks, their log densities, sufficient statistics.

No MCMC here: the blocks' models are compared with the joint model (and the summarised
likelihoods with the row-wise ones) at random points.  Sampling by blocks is checked in
``test_blocks_mcmc.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data
from causalbayes.inference import conditioned_model
from causalbayes.inference.blocks import block_model, needed_nodes, partition
from causalbayes.inference.diagnostics import Diagnostics, combine


def _frame(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    store = rng.choice(["a", "b", "c", "d"], size=n)
    arm = rng.integers(0, 2, size=n)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "store": store,
            "arm": arm,
            "x": x,
            "y": 1.0 + 0.5 * arm - 0.3 * x + rng.normal(size=n),
            "buy": rng.integers(0, 2, size=n),
            "clicks": rng.poisson(2.0, size=n),
            "trials": rng.integers(1, 6, size=n),
            "k": 0,
        }
    ).assign(k=lambda d: rng.binomial(d["trials"], 0.3))


def _rich_scm() -> cb.SCM:
    """Normal with groups, slopes and an interaction; counts with discrete parents."""
    return cb.SCM(
        {
            "arm": cb.Bernoulli(),
            "x": cb.Normal(["arm"]),
            "y": cb.Normal(["arm", "x"], interactions=["arm:x"], groups={"store": ["x"]}),
            "buy": cb.Bernoulli(["arm"], groups=["store"]),
            "clicks": cb.Poisson(["arm", "buy"]),
            "k": cb.Binomial(["arm"], trials="trials"),
        }
    )


def _points(model, rng, count=4):
    template = model.initial_point()
    return [
        {k: rng.normal(size=np.shape(v)) * 0.5 for k, v in template.items()} for _ in range(count)
    ]


def _block_logp_sum(scm, data, *, sufficient=True, missing="raise"):
    """(joint model, blocks' models) of ``scm`` on ``data``."""
    encoded = encode_data(scm, data, missing=missing)
    scales = scales_from_data(encoded.scm, encoded)
    parts = partition(encoded.scm, set(encoded.missing))
    models = [block_model(encoded, scales, nodes, sufficient=sufficient) for nodes in parts]
    return conditioned_model(scm, data, missing=missing), models


def _assert_blocks_sum_to_joint(scm, data, *, missing="raise", seed=0):
    joint, blocks = _block_logp_sum(scm, data, missing=missing)
    joint_names = sorted(v.name for v in joint.value_vars)
    block_names = sorted(v.name for b in blocks for v in b.model.value_vars)
    assert block_names == joint_names  # every free variable in exactly one block
    rng = np.random.default_rng(seed)
    joint_logp = joint.compile_logp()
    block_logps = [b.model.compile_logp() for b in blocks]
    for point in _points(joint, rng):
        total = sum(
            f({v.name: point[v.name] for v in b.model.value_vars})
            for f, b in zip(block_logps, blocks, strict=True)
        )
        np.testing.assert_allclose(total, joint_logp(point), rtol=1e-9)
    return blocks


def test_partition_one_block_per_observed_mechanism_latent_and_imputed_ones_joined():
    assert partition(cb.examples.coating_scm()) == (("humid",), ("dilution",), ("coating",))
    latent = cb.SCM(
        {
            "u": cb.Normal(latent=True),
            "x": cb.Normal(["u"]),
            "y": cb.Normal(["u", "x"]),
            "z": cb.Normal(["y"]),
        }
    )
    assert partition(latent) == (("u", "x", "y"), ("z",))
    assert partition(cb.examples.coating_scm(), {"humid"}) == (("humid", "dilution", "coating"),)
    assert partition(cb.examples.coating_scm(), factorize=False) == (
        ("humid", "dilution", "coating"),
    )


def test_blocks_log_densities_sum_to_the_joint_story_1():
    scm = cb.examples.coating_scm()
    data = cb.simulate(scm, 300, params=cb.examples.COATING_TRUTH, random_seed=1)
    blocks = _assert_blocks_sum_to_joint(scm, data)
    assert [b.summarised for b in blocks] == [("humid",), (), ("coating",)]


def test_blocks_log_densities_sum_to_the_joint_groups_counts_and_trials():
    blocks = _assert_blocks_sum_to_joint(_rich_scm(), _frame())
    summarised = {v for b in blocks for v in b.summarised}
    assert {"y", "clicks", "k", "arm"} <= summarised  # rewritten, not merely skipped


def test_blocks_log_densities_sum_to_the_joint_with_latent_and_imputed_nodes():
    scm = cb.SCM(
        {
            "u": cb.Normal(latent=True),
            "x": cb.Normal(["u"]),
            "y": cb.Normal(["u", "x"]),
            "w": cb.Normal(),
            "z": cb.Normal(["y", "w"]),
        }
    )
    data = cb.simulate(scm, 120, random_seed=2).drop(columns="u")
    data.loc[[3, 17], "w"] = np.nan
    blocks = _assert_blocks_sum_to_joint(scm, data, missing="impute")
    assert [b.nodes for b in blocks] == [("u", "x", "y"), ("w", "z")]


@pytest.mark.parametrize("node", ["y", "buy", "clicks", "k", "arm"])
def test_sufficient_statistics_equal_the_row_wise_likelihood(node):
    scm, data = _rich_scm(), _frame()
    encoded = encode_data(scm, data)
    scales = scales_from_data(encoded.scm, encoded)
    summed = block_model(encoded, scales, (node,), sufficient=True)
    rows = block_model(encoded, scales, (node,), sufficient=False)
    assert summed.summarised == (node,) and rows.summarised == ()
    assert summed.rows < encoded.n  # cells (or one set of statistics), not rows
    f, g = summed.model.compile_logp(), rows.model.compile_logp()
    for point in _points(rows.model, np.random.default_rng(5), count=5):
        a, b = f(point), g(point)
        assert abs(a - b) <= 1e-8 * abs(b), (a, b)


def test_sufficient_statistics_skipped_where_they_do_not_pay():
    scm = cb.examples.coating_scm()
    data = cb.simulate(scm, 300, params=cb.examples.COATING_TRUTH, random_seed=1)
    encoded = encode_data(scm, data)
    scales = scales_from_data(encoded.scm, encoded)
    # a continuous parent: every row is its own cell, so the rows are kept
    assert block_model(encoded, scales, ("dilution",)).summarised == ()


def test_queries_name_the_mechanisms_they_read():
    scm = cb.examples.coating_scm()
    assert needed_nodes(scm, [cb.ATE("dilution", "coating")]) == {"coating"}
    with pytest.raises(cb.errors.QueryError, match="query objects"):
        needed_nodes(scm, ["ate"])


def test_diagnostics_are_reported_per_block():
    good = Diagnostics(0, 1.001, 900.0, 2, 400)
    stuck = Diagnostics(400, 3.0, 2.0, 2, 400, worst=(("dilution.humid", 3.0, 2.0),))
    both = combine([("humid", good), ("dilution", stuck)])
    problems = both.problems()
    assert problems and all(p.startswith("block 'dilution'") for p in problems)
    assert "cb.fit_more(fit, ['dilution'], refit=True" in problems[0]
    assert both.stuck and both.rhat_max == 3.0 and both.divergences == 400


def test_auto_blocks_for_queries_or_large_data_exact_ones_apart_for_small_fits(monkeypatch):
    from causalbayes.inference import sampling

    seen = {}

    def record(*a, **k):
        seen.update(parts=a[3], at=a[4], s=a[5], exact=sorted(k["priors"] or ()))

    monkeypatch.setattr(sampling, "fit_blocks", record)
    scm = cb.examples.coating_scm()
    small = cb.simulate(scm, 50, params=cb.examples.COATING_TRUTH, random_seed=1)
    cb.fit(scm, small)  # humid and coating are drawn exactly: blocks of their own
    assert seen["parts"] == (("humid",), ("dilution",), ("coating",)) and seen["exact"] == [0, 2]
    assert not seen["s"]["sufficient_stats"] and seen["s"]["blocks"]
    cb.fit(scm, small, sampler="pymc")  # no exact draws: one joint model, one compile
    assert seen["parts"] == (scm.modelled,) and not seen["s"]["blocks"]
    # the mechanisms MCMC samples stay one block, however many there are
    mixed = cb.SCM(
        {
            "t": cb.Bernoulli(),
            "x": cb.Normal(["t"]),
            "m": cb.Poisson(["t"]),
            "y": cb.Normal(["t", "m", "x"]),
        }
    )
    rows = cb.simulate(mixed, 60, random_seed=2)
    cb.fit(mixed, rows)
    assert seen["parts"] == (("t", "m"), ("x",), ("y",)) and seen["exact"] == [1, 2]
    cb.fit(scm, small, queries=[cb.ATE("dilution", "coating")])
    assert seen["parts"] == (("humid",), ("dilution",), ("coating",)) and seen["at"] == [2]
    large = pd.concat([small] * (sampling.AUTO_BLOCK_MIN_ROWS // 50), ignore_index=True)
    cb.fit(scm, large)
    assert len(seen["parts"]) == 3 and seen["at"] == [0, 1, 2] and seen["s"]["sufficient_stats"]
    with pytest.raises(cb.errors.ArgumentError, match="blocks must be True, False or 'auto'"):
        cb.fit(scm, small, blocks="yes")


def test_mechanisms_with_every_parameter_fixed_need_no_sampling():
    # standardised inputs declared with fixed intercept and sigma have no free parameter:
    # their blocks are known exactly, whether alone (blocks=True) or left over ("auto")
    fixed = {"intercept": 0.0, "sigma": 1.0}
    scm = cb.SCM(
        {
            "x1": cb.Normal(priors=fixed),
            "x2": cb.Normal(priors=fixed),
            "y": cb.Normal(["x1", "x2"]),
        }
    )
    df = cb.simulate(scm, 80, params={"y.x1": 1.0, "y.x2": -0.5}, random_seed=4)
    quick = dict(draws=200, tune=200, chains=2, random_seed=1, warn=False)
    fits = {blocks: cb.fit(scm, df, blocks=blocks, **quick) for blocks in ("auto", True)}
    assert [b.nodes for b in fits["auto"].blocks] == [("x1", "x2"), ("y",)]
    for fit in fits.values():
        assert {b.sampler for b in fit.blocks} == {"exact"} and fit.unfitted == ()
        assert fit.diagnostics.ok and "x1.sigma" not in fit.posterior
        assert float(fit.posterior["y.x1"].mean()) == pytest.approx(1.0, abs=0.3)
    again = cb.Refitter(scm, df, cores=1, **{k: v for k, v in quick.items() if k != "random_seed"})
    refit = again.fit(df, random_seed=1)
    np.testing.assert_array_equal(
        refit.posterior["y.x2"].values, fits["auto"].posterior["y.x2"].values
    )


def test_a_model_with_every_parameter_fixed_has_nothing_to_fit():
    fixed = {"intercept": 0.0, "sigma": 1.0}
    scm = cb.SCM({"x": cb.Normal(priors=fixed), "y": cb.Normal(priors=fixed)})
    df = pd.DataFrame({"x": [0.1, -0.3, 1.2], "y": [0.5, 0.0, -1.0]})
    with pytest.raises(cb.errors.SpecError, match="every parameter of this SCM is fixed"):
        cb.fit(scm, df, draws=50, tune=50, chains=1)
