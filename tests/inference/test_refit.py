"""Compile-once refits: the shared-data model is the model cb.fit builds, for any data length.

Exact tier: log densities of the shared-data model, after swapping in new data
of the same or another length, equal those of a model built from scratch for
that data (with the template's prior scales).  Statistical tier: real refits.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import pytest
from pymc.initial_point import make_initial_point_fn
from pymc.step_methods.hmc.quadpotential import QuadPotentialFullAdapt

import causalbayes as cb
from causalbayes.compile import build_model
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data
from causalbayes.errors import DataError, SpecError
from causalbayes.examples import COATING_TRUTH, coating_scm
from causalbayes.inference.blocks import block_model, partition
from causalbayes.inference.samplers import SAMPLERS
from causalbayes.inference.samplers.pymc_nuts import DENSE_MAX, CompiledNUTS
from causalbayes.inference.shared_data import shared_data_model


def _scratch_logp(encoded, scales):
    model = build_model(encoded.scm, n=encoded.n, scales=scales, exog=encoded.exog)
    observed = pm.observe(model, {v: encoded.values[v] for v in encoded.scm.observed})
    return observed, observed.compile_logp()


@pytest.mark.parametrize("n_new", [300, 300 + 57, 41])
def test_shared_model_logp_equals_a_fresh_model_for_new_data(n_new):
    scm = coating_scm()
    template = encode_data(scm, cb.simulate(scm, 300, params=COATING_TRUTH, random_seed=1))
    scales = scales_from_data(template.scm, template)
    shared = shared_data_model(template, scales)
    assert shared.variable_length
    new = encode_data(template.scm, cb.simulate(scm, n_new, params=COATING_TRUTH, random_seed=2))
    logp = shared.model.compile_logp()
    shared.set_data(new)
    fresh, fresh_logp = _scratch_logp(new, scales)
    rng = np.random.default_rng(3)
    for _ in range(3):
        point = {
            k: v + rng.normal(scale=0.3, size=np.shape(v)) for k, v in fresh.initial_point().items()
        }
        assert logp(point) == pytest.approx(fresh_logp(point), rel=1e-10)


@pytest.mark.parametrize("n_new", [300, 41])
def test_shared_block_models_equal_cb_fits_block_models_for_new_data(n_new):
    # every block of the partition, including one that reads a parent from another
    # block and a joint block held together by a latent node
    scm = cb.SCM(
        {
            "u": cb.Normal(latent=True),
            "x": cb.Normal(["u"]),
            "t": cb.Bernoulli(["x"]),
            "y": cb.Normal(["t", "x", "u"]),
            "z": cb.Poisson(["y"]),
        }
    )
    truth = {"x.u": 0.5, "t.x": 0.8, "y.t": 1.0, "y.x": -0.5, "y.u": 0.7, "z.y": 0.2}
    observed = ["x", "t", "y", "z"]
    template = encode_data(scm, cb.simulate(scm, 300, params=truth, random_seed=1)[observed])
    scales = scales_from_data(template.scm, template)
    new = encode_data(template.scm, cb.simulate(scm, n_new, params=truth, random_seed=2)[observed])
    parts = partition(template.scm)
    assert parts == (("u", "x", "y"), ("t",), ("z",))
    rng = np.random.default_rng(4)
    for nodes in parts:
        shared = shared_data_model(template, scales, nodes)
        logp = shared.model.compile_logp()
        shared.set_data(new)
        fresh = block_model(new, scales, nodes, sufficient=False).model
        fresh_logp = fresh.compile_logp()
        assert {v.name for v in shared.model.free_RVs} == {v.name for v in fresh.free_RVs}
        for _ in range(3):
            point = {
                k: v + rng.normal(scale=0.3, size=np.shape(v))
                for k, v in fresh.initial_point().items()
            }
            assert logp(point) == pytest.approx(fresh_logp(point), rel=1e-10)


def test_blockwise_refits_are_blockwise_fits():
    scm = coating_scm()
    df = cb.simulate(scm, 120, params=COATING_TRUTH, random_seed=0)
    quick = {"draws": 100, "tune": 100, "chains": 1, "warn": False}
    refitter = cb.Refitter(scm, df, sampler="pymc", blocks=True, **quick)
    assert len(refitter.model) == 3
    refit = refitter.fit(df.iloc[:80], random_seed=3)
    assert [b.nodes for b in refit.blocks] == [("humid",), ("dilution",), ("coating",)]
    assert all(b.fitted and b.sampler == "pymc" for b in refit.blocks)
    assert refit.posterior.sizes["draw"] == 100 and len(refit.data) == 80
    assert refit.settings["blocks"] is True and refit.settings["sufficient_stats"] is False
    assert set(refit.idata.sample_stats["diverging"].dims) >= {"block", "chain", "draw"}
    effect = cb.ate(refit, "dilution", "coating", diagnostics="ignore")  # 100 draws: few ESS
    assert effect.mean() == pytest.approx(COATING_TRUTH["coating.dilution"], abs=0.15)


def test_categorical_nodes_keep_the_template_levels_and_refit_other_lengths():
    scm = cb.examples.ab_test_scm()
    template = encode_data(scm, cb.examples.ab_test_data({"A": 3, "B": 5}, {"A": 20, "B": 20}))
    scales = scales_from_data(template.scm, template)
    shared = shared_data_model(template, scales)
    new = encode_data(template.scm, cb.examples.ab_test_data({"A": 4, "B": 1}, {"A": 9, "B": 30}))
    logp = shared.model.compile_logp()
    shared.set_data(new)
    fresh, fresh_logp = _scratch_logp(new, scales)
    point = fresh.initial_point()
    assert logp(point) == pytest.approx(fresh_logp(point), rel=1e-10)


def test_latent_nodes_refit_only_the_template_length():
    scm = cb.SCM({"u": cb.Normal(latent=True), "x": cb.Normal(["u"]), "y": cb.Normal(["x", "u"])})
    df = cb.simulate(scm, 40, params={"x.u": 1.0, "y.u": 1.0, "y.x": 0.5}, random_seed=0)
    template = encode_data(scm, df[["x", "y"]])
    shared = shared_data_model(template, scales_from_data(template.scm, template))
    assert not shared.variable_length


def test_refitter_refuses_a_backend_it_cannot_drive():
    scm = coating_scm()
    df = cb.simulate(scm, 50, params=COATING_TRUTH, random_seed=0)
    with pytest.raises(SpecError, match="Refitter runs the samplers"):
        cb.Refitter(scm, df, sampler="numpyro")


def test_refitter_auto_follows_fits_rule():
    scm = coating_scm()
    df = cb.simulate(scm, 50, params=COATING_TRUTH, random_seed=0)
    # one expected fit of 50 rows: nutpie's compile would not pay back, as in cb.fit
    assert cb.Refitter(scm, df, fits=1).sampler == "pymc"


def test_refitter_checks_new_data_like_fit():
    scm = coating_scm()
    df = cb.simulate(scm, 50, params=COATING_TRUTH, random_seed=0)
    refitter = cb.Refitter(scm, df, sampler="pymc")
    with pytest.raises(DataError, match="missing column"):
        refitter.fit(df.drop(columns="coating"))


@pytest.mark.slow
@pytest.mark.parametrize("sampler", ["nutpie", "pymc"])
def test_refits_match_fresh_fits_for_same_and_other_lengths(sampler):
    if not SAMPLERS[sampler].installed():
        pytest.skip(f'{sampler} not installed (pip install "causalbayes[{sampler}]")')
    scm = coating_scm()
    sims = [
        cb.simulate(scm, n, params=COATING_TRUTH, random_seed=s) for s, n in ((1, 400), (2, 700))
    ]
    options = {"draws": 500, "tune": 500, "chains": 2}
    refitter = cb.Refitter(scm, sims[0], sampler=sampler, warn=False, **options)
    for df in sims:
        refit = refitter.fit(df, random_seed=5)
        fresh = cb.fit(scm, df, sampler=sampler, random_seed=5, warn=False, **options)
        assert isinstance(refit, cb.Fit) and refit.sampler == sampler
        assert len(refit.data) == len(df)
        a, b = (f.posterior["coating.dilution"] for f in (refit, fresh))
        mc_error = float(b.std()) / np.sqrt(min(refit.diagnostics.ess_bulk_min, 500))
        assert abs(float(a.mean()) - float(b.mean())) < 5 * mc_error
        effect = cb.ate(refit, "dilution", "coating")
        assert effect.mean() == pytest.approx(COATING_TRUTH["coating.dilution"], abs=0.06)


def _draws(fit) -> dict[str, np.ndarray]:
    return {name: values.values for name, values in fit.posterior.data_vars.items()}


def _same_draws(a, b) -> bool:
    first, second = _draws(a), _draws(b)
    return first.keys() == second.keys() and all(np.array_equal(first[k], second[k]) for k in first)


def test_pymc_refits_are_reproducible_whatever_was_fitted_before():
    # the NUTS step is built once: a refit must not inherit an earlier fit's tuning
    scm = coating_scm()
    df = cb.simulate(scm, 60, params=COATING_TRUTH, random_seed=0)
    other = cb.simulate(scm, 45, params=COATING_TRUTH, random_seed=1)
    quick = {"draws": 30, "tune": 30, "chains": 2, "warn": False}
    refitter = cb.Refitter(scm, df, sampler="pymc", cores=1, **quick)
    first = refitter.fit(df, random_seed=4)
    between = refitter.fit(other, random_seed=5)
    again = refitter.fit(df, random_seed=4)
    assert _same_draws(first, again)
    assert not _same_draws(first, between)
    opening = first.posterior.isel(draw=0)  # chains from jittered starts, own seeds
    assert all(not np.array_equal(v.values[0], v.values[1]) for v in opening.data_vars.values())
    assert not _same_draws(first, refitter.fit(df, random_seed=6))
    # chain processes start from the step as it is sent (PyMC resets no tuning there):
    # the step these fits tuned goes out untuned again, and the draws stay the same
    refitter.cores = 2
    assert _same_draws(first, refitter.fit(df, random_seed=4))


def test_pymc_refit_chains_start_jittered_like_init_nuts():
    scm = coating_scm()
    encoded = encode_data(scm, cb.simulate(scm, 60, params=COATING_TRUTH, random_seed=0))
    model = shared_data_model(encoded, scales_from_data(encoded.scm, encoded)).model
    nuts = CompiledNUTS(model, target_accept=0.9)
    assert nuts.step.target_accept == 0.9
    starts = nuts.starts(2, random_seed=7)
    logp = model.compile_logp()
    assert all(np.isfinite(logp(start)) for start in starts)
    assert all(not np.array_equal(starts[0][k], starts[1][k]) for k in starts[0])
    # the starts pm.sample's init_nuts draws for the same seed (as cb.fit starts)
    seeds = [rng.integers(2**30) for rng in np.random.default_rng(7).spawn(2)]
    expected, _ = pm.init_nuts(init="jitter+adapt_diag", chains=2, model=model, random_seed=seeds)
    for start, reference in zip(starts, expected, strict=True):
        assert start.keys() == reference.keys()
        assert all(np.array_equal(start[k], reference[k]) for k in start)


def test_pymc_refit_starts_are_redrawn_where_the_log_density_is_not_finite():
    with pm.Model() as model:
        x = pm.Normal("x", shape=2)
        pm.Potential("wall", pt.switch(pt.any(x > 0.5), -np.inf, 0.0))
    starts = CompiledNUTS(model, target_accept=0.8).starts(4, random_seed=2)
    assert all((start["x"] <= 0.5).all() for start in starts)
    seeds = [rng.integers(2**30) for rng in np.random.default_rng(2).spawn(4)]
    jittered = make_initial_point_fn(model=model, jitter_rvs=set(model.free_RVs))
    assert any((jittered(seed)["x"] > 0.5).any() for seed in seeds)  # some were redrawn
    expected, _ = pm.init_nuts(init="jitter+adapt_diag", chains=4, model=model, random_seed=seeds)
    assert all(np.array_equal(a["x"], b["x"]) for a, b in zip(starts, expected, strict=True))
    with pm.Model() as nowhere:
        x = pm.Normal("x")
        pm.Potential("wall", pt.switch(x < 5, -np.inf, 0.0))
    with pytest.raises(pm.exceptions.SamplingError):
        CompiledNUTS(nowhere, target_accept=0.8).starts(1, random_seed=0)


def test_small_models_learn_a_dense_mass_matrix():
    # an intercept and a slope on an uncentred covariate are strongly correlated a
    # posteriori: a diagonal mass matrix takes many leapfrog steps per draw there
    rng = np.random.default_rng(5)
    x = rng.normal(8.0, 1.0, 300)
    y = (rng.random(300) < 1 / (1 + np.exp(-(x - 8.0)))).astype(float)
    with pm.Model() as model:
        a, b = pm.Normal("a", 0, 5), pm.Normal("b", 0, 5)
        pm.Bernoulli("y", logit_p=a + b * x, observed=y)
    nuts = CompiledNUTS(model, target_accept=0.8)
    assert isinstance(nuts.step.potential, QuadPotentialFullAdapt)
    idata = nuts.sample(draws=300, tune=300, chains=1, cores=1, random_seed=1, progressbar=False)
    # PyMC's diagonal adaptation (pm.sample, same seed) takes 18.4 steps a draw here
    assert float(idata.sample_stats.n_steps[:, -200:].mean()) < 8
    assert float(np.corrcoef(idata.posterior.a.values[0], idata.posterior.b.values[0])[0, 1]) < -0.9
    with pm.Model() as wide:
        pm.Normal("z", shape=DENSE_MAX + 1)
    assert not isinstance(
        CompiledNUTS(wide, target_accept=0.8).step.potential, QuadPotentialFullAdapt
    )
