"""Exact draws of Normal linear mechanisms (``samplers/linear.py``), checked against
the model's own log density and against posteriors computed here by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import causalbayes as cb
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data, unit_scales
from causalbayes.inference.blocks import block_model
from causalbayes.inference.samplers.linear import LinearPrior, linear_prior, why_not_linear

SPEND = cb.SCM(
    {
        "region": cb.Categorical(levels=["north", "south", "west"]),
        "income": cb.LogNormal(["region"]),
        "treated": cb.Bernoulli(["income"]),
        "spend": cb.Normal(
            ["treated", "income", "region"],
            terms=[*cb.Poly("income", 2)],
            interactions=[("treated", "region")],
        ),
    }
)


def _raw_data(seed: int, n: int = 400) -> pd.DataFrame:
    """Raw units: dollars (skewed, squared in the predictor), a string category."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["north", "south", "west"], n, p=[0.5, 0.3, 0.2])
    income = np.exp(rng.normal(10.5, 0.6, n))
    treated = (rng.random(n) < 1 / (1 + np.exp(-(income - 40_000) / 20_000))).astype(int)
    spend = 200 + 150 * treated + 0.004 * income + rng.normal(0, 80, n)
    return pd.DataFrame({"region": region, "income": income, "treated": treated, "spend": spend})


def _posterior(scm, df, name):
    encoded = encode_data(scm, df)
    scales = scales_from_data(encoded.scm, encoded)
    prior = LinearPrior(encoded, scales, name)
    return encoded, scales, prior, prior.posterior(encoded)


def test_sigma_marginal_times_gaussian_conditional_is_the_model_density():
    # log p(b, sigma | y) = log p(sigma | y) + log N(b; m_sigma, P_sigma^-1) + constant:
    # the model's log density (parameters as free variables) minus the two factors the
    # sampler draws from must not depend on the point
    encoded, scales, prior, post = _posterior(SPEND, _raw_data(1), "spend")
    raw = dataclasses.replace(scales, standardize=False)
    model = block_model(encoded, raw, ("spend",), sufficient=False).model
    logp = model.compile_logp(jacobian=False)
    draws = post.draws(200, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    gaps = []
    for i in range(8):
        point = {
            v: draws[v][i] * (1 + 0.05 * rng.normal(size=np.shape(draws[v][i])))
            for v in prior.names
        }
        sigma = draws[prior.sigma_name][i] * np.exp(0.1 * rng.normal())
        point[f"{prior.sigma_name}_log__"] = np.log(sigma)
        b = np.concatenate([np.ravel(point[v]) for v in prior.names])
        u = post.vecs.T @ post.chol.T @ ((b - post.b0) / post.scale)
        shrink = 1.0 / (1.0 + post.lam / sigma**2)
        gaussian = -0.5 * np.sum((u - shrink * post.w) ** 2 / shrink + np.log(shrink))
        t = np.log(sigma)
        gaps.append(logp(point) - (post.log_density(np.array([t]))[0] - t) - gaussian)
    assert np.ptp(gaps) < 1e-8


def test_known_sigma_posterior_is_the_conjugate_normal():
    rng = np.random.default_rng(2)
    x = rng.normal(50.0, 10.0, 300)  # raw units: far from 0
    y = 3.0 + 0.5 * x + rng.normal(0.0, 2.0, 300)
    scm = cb.SCM(
        {
            "x": cb.Given(),
            "y": cb.Normal(
                ["x"],
                priors={
                    "intercept": cb.Prior("Normal", mu=0.0, sigma=10.0),
                    "x": cb.Prior("Normal", mu=1.0, sigma=5.0),
                    "sigma": cb.Prior("Fixed", value=2.0),
                },
            ),
        }
    )
    _, _, _, post = _posterior(scm, pd.DataFrame({"x": x, "y": y}), "y")
    design = np.column_stack([np.ones_like(x), x])
    precision = np.diag([1 / 10.0**2, 1 / 5.0**2]) + design.T @ design / 4.0
    cov = np.linalg.inv(precision)
    mean = cov @ (np.array([0.0, 1.0 / 25.0]) + design.T @ y / 4.0)
    draws = post.draws(40_000, np.random.default_rng(3))
    b = np.column_stack([draws["y.intercept"], draws["y.x"]])
    se = np.sqrt(np.diag(cov) / len(b))
    assert np.all(np.abs(b.mean(axis=0) - mean) < 4 * se)
    np.testing.assert_allclose(
        np.cov(b.T), cov, rtol=0.03, atol=0.03 * np.sqrt(np.outer(np.diag(cov), np.diag(cov))).max()
    )
    assert "y.sigma" not in draws  # a constant of the model, as NUTS leaves it


def test_unknown_sigma_matches_a_two_dimensional_quadrature():
    # y_i ~ Normal(mu, sigma): the posterior of (mu, sigma) on a fine 2-D grid, by hand
    rng = np.random.default_rng(4)
    y = rng.normal(1200.0, 35.0, 12)  # few rows, raw units: sigma's posterior is wide
    scm = cb.SCM(
        {
            "y": cb.Normal(
                priors={
                    "intercept": cb.Prior("Normal", mu=1000.0, sigma=300.0),
                    "sigma": cb.Prior("HalfNormal", sigma=100.0),
                }
            )
        }
    )
    _, _, _, post = _posterior(scm, pd.DataFrame({"y": y}), "y")
    mu = np.linspace(1050, 1350, 1201)
    sigma = np.linspace(5, 150, 1201)
    m, s = np.meshgrid(mu, sigma, indexing="ij")
    log = (
        stats.norm.logpdf(m, 1000.0, 300.0)
        + stats.halfnorm.logpdf(s, scale=100.0)
        + stats.norm.logpdf(y[None, None, :], m[..., None], s[..., None]).sum(axis=-1)
    )
    w = np.exp(log - log.max())
    w /= w.sum()
    exact = {
        "mu": (np.sum(w * m), np.sqrt(np.sum(w * m**2) - np.sum(w * m) ** 2)),
        "sigma": (np.sum(w * s), np.sqrt(np.sum(w * s**2) - np.sum(w * s) ** 2)),
    }
    draws = post.draws(40_000, np.random.default_rng(5))
    for found, (mean, sd) in [
        (draws["y.intercept"], exact["mu"]),
        (draws["y.sigma"], exact["sigma"]),
    ]:
        assert abs(found.mean() - mean) < 4 * sd / np.sqrt(len(found))
        assert found.std() == pytest.approx(sd, rel=0.02)


def test_which_nodes_take_the_exact_path():
    scm = cb.SCM(
        {
            "x": cb.Normal(),
            "t": cb.Bernoulli(["x"]),
            "y": cb.Normal(["t", "x"]),
            "heavy": cb.Normal(["x"], priors={"x": cb.Prior("StudentT", nu=3, mu=0, sigma=1)}),
            "grouped": cb.Normal(["x"], groups=["site"]),
        }
    )
    scales = unit_scales()
    assert why_not_linear(scm, "x", scales) is None
    assert why_not_linear(scm, "y", scales) is None
    assert "Normal node" in why_not_linear(scm, "t", scales)
    assert "StudentT" in why_not_linear(scm, "heavy", scales)
    assert "groups" in why_not_linear(scm, "grouped", scales)
    assert "imputed" in why_not_linear(scm, "y", scales, imputed={"x"})
    small = cb.examples.coating_scm()
    encoded = encode_data(small, cb.simulate(small, 50, random_seed=0))
    scales = scales_from_data(encoded.scm, encoded)
    assert linear_prior(encoded, scales, ("coating",), "auto") is not None
    assert linear_prior(encoded, scales, ("coating",), "pymc") is None  # NUTS when asked for
    assert linear_prior(encoded, scales, ("humid", "coating"), "auto") is None  # a joint block


def test_fit_in_blocks_draws_normal_mechanisms_exactly_and_agrees_with_nuts():
    df = _raw_data(5, 1500)
    quick = dict(draws=1000, tune=1000, chains=2, random_seed=7, warn=False)
    ate = cb.ATE("treated", "spend")
    exact = cb.fit(SPEND, df, queries=[ate], **quick)
    (block,) = [b for b in exact.blocks if b.fitted]
    assert block.sampler == "exact" and exact.sampler == "exact"
    assert exact.diagnostics.ess_bulk_min == 2000
    nuts = cb.fit(SPEND, df, queries=[ate], sampler="pymc", **quick)
    assert nuts.sampler == "pymc"
    a, b = cb.ate(exact, "treated", "spend"), cb.ate(nuts, "treated", "spend")
    assert abs(a.mean() - b.mean()) < 0.15 * b.sd()
    assert a.sd() == pytest.approx(b.sd(), rel=0.1)
    for v in ("spend.sigma", "spend.income", "spend.intercept"):
        x, y = exact.posterior[v], nuts.posterior[v]
        assert abs(float(x.mean() - y.mean())) < 0.15 * float(y.std())
        assert float(x.std()) == pytest.approx(float(y.std()), rel=0.1)


def test_refitter_draws_what_fit_draws_in_blocks_and_by_default():
    scm = cb.examples.coating_scm()
    df = cb.simulate(scm, 200, params=cb.examples.COATING_TRUTH, random_seed=3)
    quick = dict(draws=200, tune=200, chains=2, warn=False)
    refitter = cb.Refitter(scm, df, blocks=True, sampler="pymc", cores=1, **quick)
    assert [b.sampler for b in refitter._blocks] == ["pymc"] * 3
    refitter = cb.Refitter(scm, df, blocks=True, cores=1, **quick)
    assert [b.sampler for b in refitter._blocks][::2] == ["exact", "exact"]
    again = refitter.fit(df, random_seed=11)
    once = cb.fit(scm, df, blocks=True, random_seed=11, **quick)
    for v in ("coating.dilution", "coating.sigma", "humid.intercept"):
        np.testing.assert_array_equal(again.posterior[v].values, once.posterior[v].values)
    # by default (blocks="auto") both split off the blocks drawn exactly, on small data too
    default = cb.Refitter(scm, df, cores=1, **quick)
    assert default._nodes == (("humid",), ("dilution",), ("coating",))
    again, once = default.fit(df, random_seed=5), cb.fit(scm, df, random_seed=5, **quick)
    exact = ["exact", "exact"]
    assert [b.sampler for b in again.blocks][::2] == [b.sampler for b in once.blocks][::2] == exact
    np.testing.assert_array_equal(
        again.posterior["coating.sigma"].values, once.posterior["coating.sigma"].values
    )
    assert cb.Refitter(scm, df, sampler="pymc", **quick)._nodes == (scm.modelled,)


def test_an_outcome_its_parents_give_exactly_is_drawn_with_a_warning():
    # a derived column (here coating = 1 + 2 dilution + humid / 2, in raw units) has
    # residuals 0: sigma's posterior sits at 0 and the effect has no uncertainty
    scm = cb.examples.coating_scm()
    df = cb.simulate(scm, 300, params=cb.examples.COATING_TRUTH, random_seed=1)
    df["humid"] = 1000.0 * df["humid"] + 5000.0
    df["coating"] = 1.0 + 2.0 * df["dilution"] + 0.5 * df["humid"]
    with pytest.warns(cb.CausalBayesWarning, match="'coating' is an exact linear function"):
        fit = cb.fit(scm, df, random_seed=1, warn=False)
    assert fit.block_of("coating").sampler == "exact"
    effect = cb.ate(fit, "dilution", "coating")
    assert effect.mean() == pytest.approx(2.0, rel=1e-9)
