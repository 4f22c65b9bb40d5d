"""Exact tests: each richer construct compiles to the same log-density as a hand-written PyMC model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import pytest
from scipy.interpolate import BSpline

import causalbayes as cb
from causalbayes.inference import conditioned_model
from causalbayes.scm.naming import UNIT_DIM
from causalbayes.testing import assert_same_logp, assert_standardized_matches

N = cb.Prior("Normal", mu=0, sigma=1)
H = cb.Prior("HalfNormal", sigma=1)


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 80
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "z": rng.uniform(-2, 3, size=n),
            "store": rng.choice(["a", "b", "c", "d"], size=n),
            "region": rng.choice(["north", "south"], size=n),
            "field": rng.choice(["f1", "f2", "f3"], size=n),
            "se": rng.uniform(0.1, 0.5, size=n),
            "y": rng.normal(size=n),
        }
    )


def _codes(labels) -> tuple[np.ndarray, list[str]]:
    levels = sorted(set(labels))
    return np.array([levels.index(v) for v in labels]), levels


def _x_root(hand_x: np.ndarray):
    xi, xs = pm.Normal("x.intercept", 0, 1), pm.HalfNormal("x.sigma", 1)
    pm.Normal("x", xi, xs, observed=hand_x, dims=UNIT_DIM)


def test_group_varying_intercept_and_slope_non_centred(frame):
    scm = cb.SCM(
        {
            "x": cb.Normal(priors={"intercept": N, "sigma": H}),
            "y": cb.Normal(
                ["x"],
                groups={"store": ["x"]},
                priors={"intercept": N, "x": N, "sigma": H, "1|store.sd": H, "x|store.sd": H},
            ),
        }
    )
    codes, levels = _codes(frame.store)
    with pm.Model(coords={UNIT_DIM: range(len(frame)), "store_groups": levels}) as hand:
        _x_root(frame.x.values)
        a, b, s = (
            pm.Normal("y.intercept", 0, 1),
            pm.Normal("y.x", 0, 1),
            pm.HalfNormal("y.sigma", 1),
        )
        sd_a, sd_b = pm.HalfNormal("y.1|store.sd", 1), pm.HalfNormal("y.x|store.sd", 1)
        za = pm.Normal("y.1|store.z", 0, 1, dims="store_groups")
        zb = pm.Normal("y.x|store.z", 0, 1, dims="store_groups")
        mu = a + b * frame.x.values + (za * sd_a)[codes] + (zb * sd_b)[codes] * frame.x.values
        pm.Normal("y", mu, s, observed=frame.y.values, dims=UNIT_DIM)
    ours = conditioned_model(scm, frame, standardize=False)
    assert_standardized_matches(scm, frame)
    assert_same_logp(ours, hand)
    assert list(ours.coords["store_groups"]) == levels
    assert {"y.1|store", "y.x|store"} <= {v.name for v in ours.deterministics}


def test_nested_groups_expand_like_lme4_and_centred_option(frame):
    scm = cb.SCM(
        {
            "y": cb.Normal(
                groups=["region/field"],
                centered=True,
                priors={"intercept": N, "sigma": H, "1|region.sd": H, "1|region:field.sd": H},
            )
        }
    )
    r_codes, r_levels = _codes(frame.region)
    nested = (frame.region + ":" + frame.field).to_numpy()
    f_codes, f_levels = _codes(nested)
    coords = {
        UNIT_DIM: range(len(frame)),
        "region_groups": r_levels,
        "region:field_groups": f_levels,
    }
    with pm.Model(coords=coords) as hand:
        a, s = pm.Normal("y.intercept", 0, 1), pm.HalfNormal("y.sigma", 1)
        sd_r, sd_f = pm.HalfNormal("y.1|region.sd", 1), pm.HalfNormal("y.1|region:field.sd", 1)
        er = pm.Normal("y.1|region", 0, sd_r, dims="region_groups")
        ef = pm.Normal("y.1|region:field", 0, sd_f, dims="region:field_groups")
        pm.Normal("y", a + er[r_codes] + ef[f_codes], s, observed=frame.y.values, dims=UNIT_DIM)
    assert_same_logp(conditioned_model(scm, frame, standardize=False), hand)
    assert_standardized_matches(scm, frame)


def test_polynomial_and_spline_terms(frame):
    scm = cb.SCM(
        {
            "x": cb.Normal(priors={"intercept": N, "sigma": H}),
            "z": cb.Normal(priors={"intercept": N, "sigma": H}),
            "y": cb.Normal(
                ["x", "z"],
                terms=[cb.Poly("x", 3), cb.Spline("z", df=5)],
                priors={"intercept": N, "x": N, "x^2": N, "x^3": N, "spline(z)": N, "sigma": H},
            ),
        }
    )
    z = frame.z.values
    lo, hi = z.min(), z.max()
    knots = np.r_[[lo] * 4, np.linspace(lo, hi, 4)[1:-1], [hi] * 4]
    basis = BSpline.design_matrix(z, knots, 3).toarray()[:, 1:]
    assert basis.shape == (len(z), 5)
    coords = {UNIT_DIM: range(len(frame)), "y.spline(z)_basis": range(1, 6)}
    with pm.Model(coords=coords) as hand:
        _x_root(frame.x.values)
        zi, zs = pm.Normal("z.intercept", 0, 1), pm.HalfNormal("z.sigma", 1)
        pm.Normal("z", zi, zs, observed=z, dims=UNIT_DIM)
        a, b1, b2, b3 = (pm.Normal(f"y.{k}", 0, 1) for k in ("intercept", "x", "x^2", "x^3"))
        w = pm.Normal("y.spline(z)", 0, 1, dims="y.spline(z)_basis")
        s = pm.HalfNormal("y.sigma", 1)
        x = frame.x.values
        mu = a + b1 * x + b2 * x**2 + b3 * x**3 + pt.dot(basis, w)
        pm.Normal("y", mu, s, observed=frame.y.values, dims=UNIT_DIM)
    assert_same_logp(conditioned_model(scm, frame, standardize=False), hand)
    assert_standardized_matches(scm, frame)
    # z enters only through its spline: no linear coefficient
    assert "y.z" not in {p.name for p in scm.parameters()}


def test_spline_continues_flat_outside_its_bounds():
    scm = cb.SCM(
        {
            "z": cb.Normal(),
            "y": cb.Normal(["z"], terms=[cb.Spline("z", df=4, bounds=(0.0, 1.0))]),
        }
    )
    model = cb.generative_model(scm, n=4)
    world = pm.do(model, {"z": np.array([-5.0, 0.0, 1.0, 7.0]), "y.spline(z)": np.arange(1.0, 5.0)})
    from causalbayes.compile import Design, expected_value
    from causalbayes.data.scales import unit_scales

    fixed = {"y.intercept": 0.0}
    mean = expected_value(scm, "y", pm.do(world, fixed), Design(4, unit_scales())).eval()
    # clamped B-spline: value at the bounds = first / last coefficient (first basis dropped = 0)
    np.testing.assert_allclose(mean, [0.0, 0.0, 4.0, 4.0], atol=1e-12)


def test_known_measurement_error_adds_to_the_residual_variance(frame):
    scm = cb.SCM(
        {
            "x": cb.Normal(priors={"intercept": N, "sigma": H}),
            "y": cb.Normal(
                ["x"], measurement_error="se", priors={"intercept": N, "x": N, "sigma": H}
            ),
        }
    )
    with pm.Model(coords={UNIT_DIM: range(len(frame))}) as hand:
        _x_root(frame.x.values)
        a, b, s = (
            pm.Normal("y.intercept", 0, 1),
            pm.Normal("y.x", 0, 1),
            pm.HalfNormal("y.sigma", 1),
        )
        sd = pt.sqrt(s**2 + frame.se.values**2)
        pm.Normal("y", a + b * frame.x.values, sd, observed=frame.y.values, dims=UNIT_DIM)
    assert_same_logp(conditioned_model(scm, frame, standardize=False), hand)
    assert_standardized_matches(scm, frame)


def test_measurement_of_a_latent_true_value(frame):
    scm = cb.SCM(
        {
            "x_true": cb.Normal(latent=True),
            "x": cb.Measurement("x_true", se="se"),
            "y": cb.Normal(["x_true"], priors={"intercept": N, "x_true": N, "sigma": H}),
        }
    )
    with pm.Model(coords={UNIT_DIM: range(len(frame))}) as hand:
        true = pm.Normal("x_true", 0, 1, dims=UNIT_DIM)  # standardised latent root
        pm.Normal("x", true, frame.se.values, observed=frame.x.values, dims=UNIT_DIM)
        a, b, s = (
            pm.Normal("y.intercept", 0, 1),
            pm.Normal("y.x_true", 0, 1),
            pm.HalfNormal("y.sigma", 1),
        )
        pm.Normal("y", a + b * true, s, observed=frame.y.values, dims=UNIT_DIM)
    assert_same_logp(conditioned_model(scm, frame, standardize=False), hand)
    assert_standardized_matches(scm, frame)


def _family_data(frame: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = len(frame)
    amount = rng.lognormal(size=n) * rng.binomial(1, 0.6, size=n)
    return frame.assign(
        share=rng.beta(2, 5, size=n),
        grade=pd.Categorical(
            rng.choice(["low", "mid", "high"], size=n), ["low", "mid", "high"], ordered=True
        ),
        spend=amount,
        wait=rng.gamma(2.0, size=n) * rng.binomial(1, 0.5, size=n),
        calls=rng.poisson(2, size=n) * rng.binomial(1, 0.7, size=n),
        visits=rng.negative_binomial(3, 0.5, size=n) * rng.binomial(1, 0.7, size=n),
    )


def test_beta_ordered_hurdle_and_zero_inflated_families(frame):
    data = _family_data(frame)
    B = cb.Prior("Beta", alpha=2, beta=2)
    E = cb.Prior("Exponential", lam=1)
    hurdle = {"hurdle.intercept": N, "hurdle.x": N}
    scm = cb.SCM(
        {
            "x": cb.Normal(priors={"intercept": N, "sigma": H}),
            "share": cb.Beta(["x"], priors={"intercept": N, "x": N, "phi": E}),
            "grade": cb.OrderedLogistic(
                ["x"], priors={"x": N, "cutpoints.first": N, "cutpoints.gaps": E}
            ),
            "spend": cb.HurdleLogNormal(
                ["x"], priors={"intercept": N, "x": N, "sigma": H, **hurdle}
            ),
            "wait": cb.HurdleGamma(["x"], priors={"intercept": N, "x": N, "alpha": E, **hurdle}),
            "calls": cb.ZeroInflatedPoisson(["x"], priors={"intercept": N, "x": N, "psi": B}),
            "visits": cb.ZeroInflatedNegativeBinomial(
                ["x"], priors={"intercept": N, "x": N, "alpha": E, "psi": B}
            ),
        }
    )
    x = data.x.values
    coords = {UNIT_DIM: range(len(data)), "grade_cutpoint_gaps": ["mid|high"]}
    with pm.Model(coords=coords) as hand:
        _x_root(x)

        def line(node):
            return pm.Normal(f"{node}.intercept", 0, 1) + pm.Normal(f"{node}.x", 0, 1) * x

        def psi(node):
            return pm.math.sigmoid(
                pm.Normal(f"{node}.hurdle.intercept", 0, 1)
                + pm.Normal(f"{node}.hurdle.x", 0, 1) * x
            )

        mu = pm.math.sigmoid(line("share"))
        phi = pm.Exponential("share.phi", 1)
        pm.Beta("share", mu * phi, (1 - mu) * phi, observed=data.share.values, dims=UNIT_DIM)
        first = pm.Normal("grade.cutpoints.first", 0, 1)
        gaps = pm.Exponential("grade.cutpoints.gaps", 1, dims="grade_cutpoint_gaps")
        cut = pt.concatenate([pt.atleast_1d(first), first + pt.cumsum(gaps)])
        eta = pm.Normal("grade.x", 0, 1) * x
        pm.OrderedLogistic("grade", eta, cut, observed=data.grade.cat.codes.values, dims=UNIT_DIM)
        pm.HurdleLogNormal(
            "spend", psi("spend"), line("spend"), pm.HalfNormal("spend.sigma", 1),
            observed=data.spend.values, dims=UNIT_DIM,
        )  # fmt: skip
        alpha = pm.Exponential("wait.alpha", 1)
        pm.HurdleGamma(
            "wait", psi("wait"), alpha=alpha, beta=alpha / pt.exp(line("wait")),
            observed=data.wait.values, dims=UNIT_DIM,
        )  # fmt: skip
        pm.ZeroInflatedPoisson(
            "calls",
            pm.Beta("calls.psi", 2, 2),
            pt.exp(line("calls")),
            observed=data.calls.values,
            dims=UNIT_DIM,
        )
        pm.ZeroInflatedNegativeBinomial(
            "visits", pm.Beta("visits.psi", 2, 2), pt.exp(line("visits")), pm.Exponential("visits.alpha", 1),
            observed=data.visits.values, dims=UNIT_DIM,
        )  # fmt: skip
    assert_same_logp(conditioned_model(scm, data, standardize=False), hand)
    assert_standardized_matches(scm, data)


def test_custom_mechanism_is_compiled_into_the_model(frame):
    emax = cb.Mechanism(
        lambda x, top, ed50: top * pt.exp(x) / (ed50 + pt.exp(x)),
        params={"top": N, "ed50": cb.Prior("LogNormal", mu=0, sigma=1)},
        name="emax",
    )
    scm = cb.SCM(
        {
            "x": cb.Normal(priors={"intercept": N, "sigma": H}),
            "y": cb.Normal(["x"], mechanism=emax, priors={"sigma": H}),
        }
    )
    with pm.Model(coords={UNIT_DIM: range(len(frame))}) as hand:
        _x_root(frame.x.values)
        top, ed50 = pm.Normal("y.top", 0, 1), pm.LogNormal("y.ed50", 0, 1)
        ex = np.exp(frame.x.values)
        pm.Normal(
            "y",
            top * ex / (ed50 + ex),
            pm.HalfNormal("y.sigma", 1),
            observed=frame.y.values,
            dims=UNIT_DIM,
        )
    assert_same_logp(conditioned_model(scm, frame, standardize=False), hand)
    assert_standardized_matches(scm, frame)


def test_r2d2_prior_on_coefficients(frame):
    scm = cb.SCM(
        {
            "x": cb.Normal(priors={"intercept": N, "sigma": H}),
            "z": cb.Normal(priors={"intercept": N, "sigma": H}),
            "y": cb.Normal(
                ["x", "z"],
                r2d2=cb.R2D2(r2_mean=0.4, r2_precision=5, concentration=0.5),
                priors={"intercept": N, "sigma": H},
            ),
        }
    )
    sd = {c: frame[c].std(ddof=0) for c in ("x", "z")}
    coords = {UNIT_DIM: range(len(frame)), "y.r2_terms": ["x", "z"]}
    with pm.Model(coords=coords) as hand:
        _x_root(frame.x.values)
        zi, zs = pm.Normal("z.intercept", 0, 1), pm.HalfNormal("z.sigma", 1)
        pm.Normal("z", zi, zs, observed=frame.z.values, dims=UNIT_DIM)
        a, s = pm.Normal("y.intercept", 0, 1), pm.HalfNormal("y.sigma", 1)
        r2 = pm.Beta("y.r2", 2.0, 3.0)
        phi = pm.Dirichlet("y.r2.phi", np.full(2, 0.5), dims="y.r2_terms")
        z = pm.Normal("y.r2.z", 0, 1, dims="y.r2_terms")
        scale = s * pt.sqrt(phi * r2 / (1 - r2))
        bx, bz = z[0] * scale[0] / sd["x"], z[1] * scale[1] / sd["z"]
        pm.Normal(
            "y",
            a + bx * frame.x.values + bz * frame.z.values,
            s,
            observed=frame.y.values,
            dims=UNIT_DIM,
        )
    assert_same_logp(conditioned_model(scm, frame, standardize=False), hand)
    assert_standardized_matches(scm, frame)


def test_missing_values_become_latent_when_imputed(frame):
    data = frame.copy()
    holes = [3, 10, 11]
    data.loc[holes, "x"] = np.nan
    scm = cb.SCM(
        {
            "x": cb.Normal(priors={"intercept": N, "sigma": H}),
            "y": cb.Normal(["x"], priors={"intercept": N, "x": N, "sigma": H}),
        }
    )
    with pytest.raises(cb.DataError, match="missing='impute'"):
        conditioned_model(scm, data)
    seen = np.setdiff1d(np.arange(len(data)), holes)
    with pm.Model(coords={UNIT_DIM: range(len(data))}) as hand:
        xi, xs = pm.Normal("x.intercept", 0, 1), pm.HalfNormal("x.sigma", 1)
        x_seen = pm.Normal("x", xi, xs, observed=data.x.values[seen], shape=len(seen))
        x_miss = pm.Normal("x.missing", xi, xs, shape=len(holes))
        x = pt.set_subtensor(pt.set_subtensor(pt.zeros(len(data))[seen], x_seen)[holes], x_miss)
        a, b, s = (
            pm.Normal("y.intercept", 0, 1),
            pm.Normal("y.x", 0, 1),
            pm.HalfNormal("y.sigma", 1),
        )
        pm.Normal("y", a + b * x, s, observed=data.y.values, dims=UNIT_DIM)
    assert_same_logp(conditioned_model(scm, data, missing="impute", standardize=False), hand)
    assert_standardized_matches(scm, data, missing="impute")
    assert data.x.isna().sum() == 3  # the user's frame is untouched


def test_discrete_nodes_are_never_imputed(frame):
    data = frame.assign(t=np.where(np.arange(len(frame)) == 2, np.nan, 1.0))
    scm = cb.SCM({"t": cb.Bernoulli(), "y": cb.Normal(["t"])})
    with pytest.raises(cb.DataError, match="'t' has missing"):
        conditioned_model(scm, data, missing="impute")
