"""sampler="exact": closed-form posteriors of conjugate models, the same Fit as NUTS.

Exact tier: the closed-form posterior's log density differs from the model's by one
constant at random points (so it *is* the model's posterior), story 2's Beta
parameters, P(B > A) against the numerical integral.  Statistical tier (slow):
NUTS on the same models lands within Monte Carlo error of the exact answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import causalbayes as cb
from causalbayes.data.encode import encode_data
from causalbayes.data.scales import scales_from_data
from causalbayes.errors import ArgumentError, SpecError
from causalbayes.examples import ab_test_data
from causalbayes.experiments import exact as integrals
from causalbayes.experiments._arms import Marginal
from causalbayes.inference import conditioned_model
from causalbayes.inference.samplers.exact import cell_posteriors, why_not_conjugate
from causalbayes.testing import assert_standardized_matches

FLAT, PAST = cb.Prior("Beta", alpha=1.0, beta=1.0), cb.Prior("Beta", alpha=10.0, beta=90.0)
STORY2 = [  # (conversions, visitors, prior, posterior alphas, posterior betas)
    ((120, 150), (1000, 1000), FLAT, [121, 151], [881, 851]),
    ((120, 150), (1000, 1000), PAST, [130, 160], [970, 940]),
    ((1, 2), (10, 10), FLAT, [2, 3], [10, 9]),
    ((1, 2), (10, 10), PAST, [11, 12], [99, 98]),
]


def ab_scm(prior: cb.Prior = FLAT) -> cb.SCM:
    return cb.SCM(
        {
            "page": cb.Given(categorical=True),
            "purchase": cb.Bernoulli(
                ["page"], link="identity", intercept=False, priors={"page": prior}
            ),
        }
    )


def story2_rows(conversions, visitors) -> pd.DataFrame:
    return ab_test_data(
        dict(zip("AB", conversions, strict=True)), dict(zip("AB", visitors, strict=True))
    )


def p_b_beats_a(alpha, beta) -> float:
    marginal = Marginal(stats.beta, {"a": np.asarray(alpha, float), "b": np.asarray(beta, float)})
    return float(integrals.prob_difference_above(marginal, 1, 0, 0.0))


@pytest.mark.parametrize(("conversions", "visitors", "prior", "alpha", "beta"), STORY2)
def test_story2_exact_path_gives_the_known_beta_posteriors(
    conversions, visitors, prior, alpha, beta
):
    df = story2_rows(conversions, visitors)
    fit = cb.fit(ab_scm(prior), df, draws=50_000, chains=4, random_seed=1)
    assert fit.sampler == "exact"  # chosen by "auto": the model is conjugate
    (post,) = cell_posteriors(fit.encoded, fit.scales)
    assert post.params["a"].tolist() == alpha and post.params["b"].tolist() == beta
    draws = fit.posterior["purchase.page"]
    assert draws.dims == ("chain", "draw", "page_levels") and draws.shape == (4, 50_000, 2)
    exact_mean = np.array(alpha) / (np.array(alpha) + np.array(beta))
    exact_sd = stats.beta(alpha, beta).std()
    mc = exact_sd / np.sqrt(200_000)
    np.testing.assert_array_less(np.abs(draws.mean(("chain", "draw")).values - exact_mean), 4 * mc)
    diff = (draws.sel(page_levels="B") - draws.sel(page_levels="A")).values
    assert abs(float((diff > 0).mean()) - p_b_beats_a(alpha, beta)) < 1e-3
    # the library's own effect on an exact fit is the difference of the cells, draw by draw
    small = cb.fit(ab_scm(prior), df, draws=500, chains=2, random_seed=2)
    effect = cb.contrasts(small, "page", "purchase").draws.sel(contrast="B - A")
    cells = small.posterior["purchase.page"]
    np.testing.assert_allclose(
        effect.values, (cells.sel(page_levels="B") - cells.sel(page_levels="A")).values, atol=1e-12
    )
    sd_diff = float(np.sqrt(np.sum(exact_sd**2)))
    assert abs(float(effect.mean()) - (exact_mean[1] - exact_mean[0])) < 4 * sd_diff / np.sqrt(1000)


def test_story2_flat_prior_exact_difference_is_0_02994_and_p_is_0_975():
    fit = cb.fit(ab_scm(), story2_rows((120, 150), (1000, 1000)), draws=10, chains=1, warn=False)
    (post,) = cell_posteriors(fit.encoded, fit.scales)
    mean = post.distribution.mean(**post.params)
    assert mean[1] - mean[0] == pytest.approx(0.02994, abs=5e-6)
    assert p_b_beats_a(post.params["a"], post.params["b"]) == pytest.approx(0.975068, abs=1e-6)


def test_exact_draws_are_seeded_and_data_untouched():
    df = story2_rows((120, 150), (1000, 1000))
    before = df.copy()
    a = cb.fit(ab_scm(), df, draws=200, chains=2, random_seed=5)
    b = cb.fit(ab_scm(), df, draws=200, chains=2, random_seed=5)
    c = cb.fit(ab_scm(), df, draws=200, chains=2, random_seed=6)
    assert np.array_equal(a.posterior["purchase.page"], b.posterior["purchase.page"])
    assert not np.array_equal(a.posterior["purchase.page"], c.posterior["purchase.page"])
    pd.testing.assert_frame_equal(df, before)
    assert a.diagnostics.ok and a.diagnostics.divergences == 0


def _cases(rng, n=60):
    arm = rng.choice(["a", "b", "c"], n)
    sigma = cb.Prior("Fixed", value=1.5)
    cases = {
        "bernoulli": (
            cb.Bernoulli(["arm"], link="identity", intercept=False, priors={"arm": PAST}),
            rng.integers(0, 2, n),
        ),
        "binomial": (
            cb.Binomial(["arm"], trials="visits", link="identity", intercept=False),
            rng.integers(0, 5, n),
        ),
        "poisson": (
            cb.Poisson(
                ["arm"],
                link="identity",
                intercept=False,
                priors={"arm": cb.Prior("Gamma", alpha=2.0, beta=0.5)},
            ),
            rng.poisson(3, n),
        ),
        "normal": (
            cb.Normal(["arm"], intercept=False, priors={"sigma": sigma}),
            rng.normal(2, 1, n),
        ),
        "normal, one mean": (cb.Normal(priors={"sigma": sigma}), rng.normal(2, 1, n)),
    }
    for name, (node, y) in cases.items():
        scm = cb.SCM({"arm": cb.Given(categorical=True), "y": node})
        yield name, scm, pd.DataFrame({"arm": arm, "y": y, "visits": np.full(n, 6)})


def test_closed_form_posterior_is_the_models_posterior(rng):
    """log p(theta | data) from the model minus the closed form's is one constant."""
    for name, scm, df in _cases(rng):
        model = conditioned_model(scm, df, standardize=False)
        encoded = encode_data(scm, df)
        (post,) = cell_posteriors(encoded, scales_from_data(encoded.scm, encoded))
        logp = model.compile_logp(jacobian=False)
        (rv,) = model.free_RVs
        transform = model.rvs_to_transforms[rv]
        differences = []
        for _ in range(5):
            x = post.draws((1, 1), rng)[0, 0]
            value = x if transform is None else transform.forward(x, *rv.owner.inputs).eval()
            closed = post.distribution.logpdf(np.atleast_1d(x), **post.params).sum()
            differences.append(logp({model.rvs_to_values[rv].name: value}) - closed)
        assert np.ptp(differences) < 1e-9, name
        # and the model NUTS samples (standardized) has the same posterior
        assert_standardized_matches(scm, df)
        assert why_not_conjugate(encoded, scales_from_data(encoded.scm, encoded)) is None


def test_poisson_and_normal_posteriors_by_hand(rng):
    df = pd.DataFrame({"arm": ["a", "a", "b"], "y": [2, 4, 7]})
    scm = cb.SCM(
        {
            "arm": cb.Given(categorical=True),
            "y": cb.Poisson(
                ["arm"],
                link="identity",
                intercept=False,
                priors={"arm": cb.Prior("Gamma", alpha=2.0, beta=0.5)},
            ),
        }
    )
    fit = cb.fit(scm, df, draws=20_000, chains=2, random_seed=3)
    (post,) = cell_posteriors(fit.encoded, fit.scales)
    assert post.params["a"].tolist() == [8.0, 9.0]
    np.testing.assert_allclose(1 / post.params["scale"], [2.5, 1.5])
    np.testing.assert_allclose(
        fit.posterior["y.arm"].mean(("chain", "draw")), [3.2, 6.0], rtol=0.02
    )
    normal = cb.SCM(
        {
            "y": cb.Normal(
                priors={
                    "intercept": cb.Prior("Normal", mu=0.0, sigma=2.0),
                    "sigma": cb.Prior("Fixed", value=1.0),
                }
            )
        }
    )
    y = pd.DataFrame({"y": [0.5, 1.5, 1.0]})
    fit = cb.fit(normal, y, draws=200, chains=2, random_seed=3)
    (post,) = cell_posteriors(fit.encoded, fit.scales)
    precision = 1 / 4 + 3
    assert float(post.params["loc"][0]) == pytest.approx(3.0 / precision)
    assert float(post.params["scale"][0]) == pytest.approx(precision**-0.5)
    assert fit.posterior["y.intercept"].dims == ("chain", "draw")


@pytest.mark.parametrize(
    ("nodes", "reason"),
    [
        ({"page": cb.Categorical(), "y": cb.Bernoulli(["page"], link="identity", intercept=False)},
         "node 'page': family Categorical"),
        ({"page": cb.Given(categorical=True), "y": cb.Bernoulli(["page"], intercept=False)},
         "link 'logit'"),
        ({"page": cb.Given(categorical=True), "y": cb.Bernoulli(["page"], link="identity")},
         "not one rate per level"),
        ({"page": cb.Given(categorical=True), "y": cb.Normal(["page"], intercept=False)},
         "sigma is estimated"),
        ({"page": cb.Given(categorical=True),
          "y": cb.Poisson(["page"], link="identity", intercept=False)},
         "is Normal, not Gamma"),
        ({"page": cb.Given(categorical=True), "x": cb.Given(),
          "y": cb.Bernoulli(["page", "x"], link="identity", intercept=False)},
         "not one rate per level"),
    ],
)  # fmt: skip
def test_non_conjugate_models_are_named_and_refused_by_exact(nodes, reason):
    scm = cb.SCM(nodes)
    df = pd.DataFrame({"page": ["A", "B"] * 5, "x": np.arange(10.0), "y": [0, 1] * 5})
    encoded = encode_data(scm, df)
    assert reason in why_not_conjugate(encoded, scales_from_data(encoded.scm, encoded))
    with pytest.raises(SpecError, match="sampler='exact' needs a conjugate model"):
        cb.fit(scm, df, sampler="exact")


def test_exact_takes_no_nuts_keywords():
    df = story2_rows((1, 2), (10, 10))
    with pytest.raises(ArgumentError, match="sampler='auto' chose 'exact'"):
        cb.fit(ab_scm(), df, max_treedepth=12)


def test_exact_fit_saves_and_loads(tmp_path):
    fit = cb.fit(ab_scm(PAST), story2_rows((1, 2), (10, 10)), draws=100, chains=2, random_seed=1)
    cb.save(fit, tmp_path / "ab")
    back = cb.load(tmp_path / "ab")
    assert back.sampler == "exact"
    np.testing.assert_array_equal(back.posterior["purchase.page"], fit.posterior["purchase.page"])


@pytest.mark.slow
def test_story2_nuts_agrees_with_the_exact_posterior():
    # The sampled path end to end (NUTS, then the arms' interventional means): within Monte
    # Carlo error of the exact one. One case: tests/stories/test_story_ab.py checks NUTS
    # against all four published posteriors.
    conversions, visitors, prior, alpha, beta = STORY2[0]
    df = story2_rows(conversions, visitors)
    sampled = cb.ab_test(
        df, "page", "purchase", sampler="pymc", draws=1000, tune=500, chains=2, random_seed=2
    )
    assert sampled.fit.sampler == "pymc" and sampled.fit.diagnostics.ok
    assert sampled.comparison.settings["method"] == "draws"
    exact_mean = np.array(alpha) / (np.array(alpha) + np.array(beta))
    exact_sd = stats.beta(alpha, beta).std()
    ess = sampled.fit.diagnostics.ess_bulk_min
    np.testing.assert_array_less(
        np.abs(sampled.arms["mean"].to_numpy() - exact_mean), 4 * exact_sd / np.sqrt(ess)
    )
    p = p_b_beats_a(alpha, beta)
    got = float(sampled.pairs.loc["B - A", "p_better"])
    assert abs(got - p) < 4 * np.sqrt(p * (1 - p) / ess) + 1e-3
