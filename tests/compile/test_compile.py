"""Exact tests: the compiled model's log-density equals a hand-written PyMC model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import pytest

import causalbayes as cb
from causalbayes.inference import conditioned_model
from causalbayes.scm.naming import UNIT_DIM
from causalbayes.testing import assert_same_logp, assert_standardized_matches


@pytest.fixture
def coating_data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    humid = rng.normal(size=200)
    dilution = rng.binomial(1, 1 / (1 + np.exp(-(0.49 - 0.39 * humid))))
    coating = 0.51 - 0.42 * dilution - 0.54 * humid + rng.normal(0, 0.2, size=200)
    return pd.DataFrame({"humid": humid, "dilution": dilution, "coating": coating})


def test_story1_logp_equals_hand_written_model(coating_data):
    n = cb.Prior("Normal", mu=0, sigma=1)
    scm = cb.SCM(
        {
            "humid": cb.Normal(priors={"intercept": n, "sigma": cb.Prior("HalfNormal", sigma=1)}),
            "dilution": cb.Bernoulli(["humid"], priors={"intercept": n, "humid": n}),
            "coating": cb.Normal(
                ["dilution", "humid"],
                priors={
                    "intercept": n,
                    "dilution": n,
                    "humid": n,
                    "sigma": cb.Prior("HalfNormal", sigma=1),
                },
            ),
        }
    )
    d = coating_data
    with pm.Model(coords={UNIT_DIM: range(len(d))}) as hand:
        hi, hs = pm.Normal("humid.intercept", 0, 1), pm.HalfNormal("humid.sigma", 1)
        pm.Normal("humid", hi, hs, observed=d.humid, dims=UNIT_DIM)
        di, dh = pm.Normal("dilution.intercept", 0, 1), pm.Normal("dilution.humid", 0, 1)
        pm.Bernoulli(
            "dilution", logit_p=di + dh * d.humid.values, observed=d.dilution, dims=UNIT_DIM
        )
        ci, cd, ch = (pm.Normal(f"coating.{k}", 0, 1) for k in ("intercept", "dilution", "humid"))
        cs = pm.HalfNormal("coating.sigma", 1)
        pm.Normal(
            "coating",
            ci + cd * d.dilution.values + ch * d.humid.values,
            cs,
            observed=d.coating,
            dims=UNIT_DIM,
        )
    assert_same_logp(conditioned_model(scm, d, standardize=False), hand)
    assert_standardized_matches(scm, d)


def test_default_priors_scale_with_the_data(coating_data):
    """Default priors follow the documented formulas; they are what the model uses.

    Slopes: Normal(0, 2.5 sd(y) / sd(x)); the intercept: Normal(m, 2.5 sd(y)) at the
    data means of the inputs, i.e. Normal(m - sum_j b_j mean(x_j), 2.5 sd(y)) given the slopes.
    """
    d = coating_data.assign(coating=coating_data.coating * 1000 + 5000)
    scm = cb.examples.coating_scm()
    sd_y, sd_h, mean_h = d.coating.std(ddof=0), d.humid.std(ddof=0), d.humid.mean()
    sd_d, mean_d = d.dilution.std(ddof=0), d.dilution.mean()
    with pm.Model(coords={UNIT_DIM: range(len(d))}) as hand:
        hi = pm.Normal("humid.intercept", d.humid.mean(), 2.5 * sd_h)
        hs = pm.Exponential("humid.sigma", 1 / sd_h)
        pm.Normal("humid", hi, hs, observed=d.humid, dims=UNIT_DIM)
        dh = pm.Normal("dilution.humid", 0, 2.5 / sd_h)
        di = pm.Normal("dilution.intercept", -dh * mean_h, 2.5)
        pm.Bernoulli(
            "dilution", logit_p=di + dh * d.humid.values, observed=d.dilution, dims=UNIT_DIM
        )
        cd = pm.Normal("coating.dilution", 0, 2.5 * sd_y / sd_d)
        ch = pm.Normal("coating.humid", 0, 2.5 * sd_y / sd_h)
        ci = pm.Normal(
            "coating.intercept", d.coating.mean() - cd * mean_d - ch * mean_h, 2.5 * sd_y
        )
        cs = pm.Exponential("coating.sigma", 1 / sd_y)
        pm.Normal(
            "coating",
            ci + cd * d.dilution.values + ch * d.humid.values,
            cs,
            observed=d.coating,
            dims=UNIT_DIM,
        )
    assert_same_logp(conditioned_model(scm, d, standardize=False), hand)
    assert_standardized_matches(scm, d)


def test_families_links_categorical_and_interactions_match_hand_written_model():
    rng = np.random.default_rng(2)
    n = 60
    region = rng.choice(["north", "south", "west"], size=n)
    x = rng.normal(size=n)
    data = pd.DataFrame(
        {
            "region": region,
            "x": x,
            "clicks": rng.poisson(3, size=n),
            "buys": rng.binomial(1, 0.3, size=n),
            "spend": rng.lognormal(size=n),
            "visits": rng.negative_binomial(3, 0.5, size=n),
            "wait": rng.gamma(2.0, size=n),
            "score": rng.standard_t(5, size=n),
            "k": rng.binomial(8, 0.4, size=n),
            "segment": rng.choice(["a", "b"], size=n),
        }
    )
    N = cb.Prior("Normal", mu=0, sigma=1)
    H = cb.Prior("HalfNormal", sigma=1)

    def normal_priors(*names):
        return dict.fromkeys(("intercept", *names), N)

    scm = cb.SCM(
        {
            "region": cb.Categorical(priors={"intercept": N}),
            "x": cb.Normal(["region"], priors={**normal_priors("region"), "sigma": H}),
            "clicks": cb.Poisson(
                ["x", "region"],
                interactions=[("x", "region")],
                priors=normal_priors("x", "region", "x:region"),
            ),
            "buys": cb.Bernoulli(["x"], link="probit", priors=normal_priors("x")),
            "spend": cb.LogNormal(["x"], priors={**normal_priors("x"), "sigma": H}),
            "visits": cb.NegativeBinomial(["x"], priors={**normal_priors("x"), "alpha": H}),
            "wait": cb.Gamma(["x"], priors={**normal_priors("x"), "alpha": H}),
            "score": cb.StudentT(
                ["x"],
                priors={
                    **normal_priors("x"),
                    "sigma": H,
                    "nu": cb.Prior("Gamma", alpha=2, beta=0.1),
                },
            ),
            "k": cb.Binomial(["x"], trials=8, priors=normal_priors("x")),
            "segment": cb.Categorical(["x", "region"], priors=normal_priors("x", "region")),
        }
    )
    codes = pd.Categorical(region, categories=["north", "south", "west"]).codes
    seg = (data.segment == "b").astype(int).values
    coords = {
        UNIT_DIM: range(n),
        "region_levels": ["north", "south", "west"],
        "region_contrasts": ["south", "west"],
        "segment_levels": ["a", "b"],
        "segment_contrasts": ["b"],
    }
    with pm.Model(coords=coords) as hand:
        ri = pm.Normal("region.intercept", 0, 1, dims="region_contrasts")
        pm.Categorical(
            "region",
            logit_p=pt.concatenate([pt.zeros((n, 1)), pt.zeros((n, 2)) + ri], axis=1),
            observed=codes,
            dims=UNIT_DIM,
        )
        xi, xr_, xs = (
            pm.Normal("x.intercept", 0, 1),
            pm.Normal("x.region", 0, 1, dims="region_contrasts"),
            pm.HalfNormal("x.sigma", 1),
        )
        pm.Normal("x", xi + pt.concatenate([[0.0], xr_])[codes], xs, observed=x, dims=UNIT_DIM)

        def coefs(node, *names, dims=None):
            return [
                pm.Normal(f"{node}.{nm}", 0, 1, dims=(dims or {}).get(nm))
                for nm in ("intercept", *names)
            ]

        ci, cx, cr, cxr = coefs(
            "clicks",
            "x",
            "region",
            "x:region",
            dims={"region": "region_contrasts", "x:region": "region_contrasts"},
        )
        pad = lambda v: pt.concatenate([[0.0], v])  # noqa: E731
        pm.Poisson(
            "clicks",
            pt.exp(ci + cx * x + pad(cr)[codes] + pad(cxr)[codes] * x),
            observed=data.clicks,
            dims=UNIT_DIM,
        )
        bi, bx = coefs("buys", "x")
        pm.Bernoulli(
            "buys",
            p=0.5 * (1 + pt.erf((bi + bx * x) / np.sqrt(2))),
            observed=data.buys,
            dims=UNIT_DIM,
        )
        si, sx = coefs("spend", "x")
        pm.LogNormal(
            "spend",
            si + sx * x,
            pm.HalfNormal("spend.sigma", 1),
            observed=data.spend,
            dims=UNIT_DIM,
        )
        vi, vx = coefs("visits", "x")
        pm.NegativeBinomial(
            "visits",
            mu=pt.exp(vi + vx * x),
            alpha=pm.HalfNormal("visits.alpha", 1),
            observed=data.visits,
            dims=UNIT_DIM,
        )
        wi, wx = coefs("wait", "x")
        wa = pm.HalfNormal("wait.alpha", 1)
        pm.Gamma("wait", alpha=wa, beta=wa / pt.exp(wi + wx * x), observed=data.wait, dims=UNIT_DIM)
        ti, tx = coefs("score", "x")
        ts = pm.HalfNormal("score.sigma", 1)
        pm.StudentT(
            "score",
            nu=pm.Gamma("score.nu", 2, 0.1),
            mu=ti + tx * x,
            sigma=ts,
            observed=data.score,
            dims=UNIT_DIM,
        )
        ki, kx = coefs("k", "x")
        pm.Binomial("k", n=8, logit_p=ki + kx * x, observed=data.k, dims=UNIT_DIM)
        gi = pm.Normal("segment.intercept", 0, 1, dims="segment_contrasts")
        gx = pm.Normal("segment.x", 0, 1, dims="segment_contrasts")
        gr = pm.Normal("segment.region", 0, 1, dims=("region_contrasts", "segment_contrasts"))
        eta = gi + gx * x[:, None] + pt.concatenate([pt.zeros((1, 1)), gr], axis=0)[codes]
        pm.Categorical(
            "segment",
            logit_p=pt.concatenate([pt.zeros((n, 1)), eta], axis=1),
            observed=seg,
            dims=UNIT_DIM,
        )
    assert_same_logp(conditioned_model(scm, data, standardize=False), hand)
    assert_standardized_matches(scm, data)


def test_cell_means_binomial_with_trials_column_matches_hand_written_model():
    data = pd.DataFrame({"page": ["A", "B"], "buyers": [120, 150], "visitors": [1000, 1000]})
    beta = cb.Prior("Beta", alpha=1, beta=1)
    scm = cb.SCM(
        {
            "page": cb.Categorical(priors={"intercept": cb.Prior("Normal", mu=0, sigma=1)}),
            "buyers": cb.Binomial(
                ["page"], trials="visitors", link="identity", intercept=False, priors={"page": beta}
            ),
        }
    )
    with pm.Model(
        coords={UNIT_DIM: range(2), "page_levels": ["A", "B"], "page_contrasts": ["B"]}
    ) as hand:
        pi = pm.Normal("page.intercept", 0, 1, dims="page_contrasts")
        pm.Categorical(
            "page",
            logit_p=pt.concatenate([pt.zeros((2, 1)), pt.zeros((2, 1)) + pi], axis=1),
            observed=[0, 1],
            dims=UNIT_DIM,
        )
        p = pm.Beta("buyers.page", 1, 1, dims="page_levels")
        pm.Binomial(
            "buyers",
            n=np.array([1000, 1000]),
            p=p[np.array([0, 1])],
            observed=[120, 150],
            dims=UNIT_DIM,
        )
    assert_same_logp(conditioned_model(scm, data, standardize=False), hand)
    assert_standardized_matches(scm, data)


def test_latent_nodes_stay_free_and_latent_root_is_standardised():
    scm = cb.SCM({"u": cb.Normal(latent=True), "x": cb.Normal(["u"]), "y": cb.Normal(["x", "u"])})
    data = pd.DataFrame({"x": [0.1, 0.2, 0.3], "y": [1.0, 2.0, 0.5]})
    model = conditioned_model(scm, data)
    free = {v.name for v in model.free_RVs}
    assert "u" in free and {"x", "y"} == {v.name for v in model.observed_RVs}
    assert "u.intercept" not in free and "u.sigma" not in free  # fixed at 0 and 1 by default
    assert tuple(model.named_vars_to_dims["u"]) == (UNIT_DIM,)
    u = pm.draw(cb.generative_model(scm, n=4000)["u"], random_seed=1)
    assert abs(u.mean()) < 0.05 and abs(u.std() - 1.0) < 0.05


def test_generative_model_is_an_ordinary_pymc_model():
    scm = cb.examples.coating_scm()
    model = cb.generative_model(scm, n=50)
    assert isinstance(model, pm.Model)
    prior = pm.sample_prior_predictive(draws=10, model=model, random_seed=1)
    assert prior.prior["coating"].shape == (1, 10, 50)
    assert tuple(model.named_vars_to_dims["coating"]) == (UNIT_DIM,)
    assert pm.model_to_graphviz(model).source.count("coating") > 0
