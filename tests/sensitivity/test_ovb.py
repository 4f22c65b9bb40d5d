"""Frequentist cross-checks: the omitted-variable-bias algebra, exact and against PySensemakr."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from causalbayes.errors import DataError, QueryError
from causalbayes.sensitivity import ovb
from causalbayes.sensitivity._design import design_matrix, group_partial_r2
from causalbayes.sensitivity.ols import ols_sensitivity

DARFUR_COVARIATES = [
    "age",
    "farmer_dar",
    "herder_dar",
    "pastvoted",
    "hhsize_darfur",
    "female",
    "village",
]


def _simulated(seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    z = rng.normal(size=n) + 0.3 * x
    d = 0.6 * x + 0.8 * z + rng.normal(size=n)
    y = 0.5 * d + x - 0.7 * z + rng.normal(size=n)
    return pd.DataFrame({"x": x, "z": z, "d": d, "y": y})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bias_formula_recovers_the_long_regression_exactly(seed):
    """The OVB identity is algebra: with the sample partial R2s of an observed Z, the
    adjusted estimate and se of the short regression are those of the long one."""
    df = _simulated(seed)
    short = sm.OLS(df["y"], sm.add_constant(df[["d", "x"]])).fit()
    long = sm.OLS(df["y"], sm.add_constant(df[["d", "x", "z"]])).fit()
    treat = sm.OLS(df["d"], sm.add_constant(df[["x", "z"]])).fit()
    r2dz = float(ovb.partial_r2(treat.tvalues["z"], treat.df_resid))
    r2yz = float(ovb.partial_r2(long.tvalues["z"], long.df_resid))
    est, se, dof = short.params["d"], short.bse["d"], short.df_resid
    # Z raises y with d (both coefficients' signs) or lowers it: pick the direction by sign.
    reduce = bool(np.sign(long.params["z"] * treat.params["z"]) == np.sign(est))
    adjusted = ovb.adjusted_estimate(r2dz, r2yz, est, se, dof, reduce=reduce)
    np.testing.assert_allclose(adjusted, long.params["d"], rtol=1e-10)
    np.testing.assert_allclose(ovb.adjusted_se(r2dz, r2yz, se, dof), long.bse["d"], rtol=1e-10)


def test_robustness_value_brings_the_estimate_to_zero():
    """At r2d = r2y = RV_q the bias equals the estimate; at RV_{q,alpha} the adjusted t hits
    the critical value (sensemakr's definitions)."""
    from scipy import stats

    est, se, dof = 0.3, 0.1, 500.0
    rv = float(ovb.robustness_value(est / se, dof))
    np.testing.assert_allclose(ovb.bias(rv, rv, se, dof), est, rtol=1e-10)
    rva = float(ovb.robustness_value(est / se, dof, alpha=0.05))
    adj = ovb.adjusted_estimate(rva, rva, est, se, dof)
    t_adj = adj / ovb.adjusted_se(rva, rva, se, dof)
    np.testing.assert_allclose(t_adj, stats.t.ppf(0.975, dof - 1), rtol=1e-8)


def test_documented_darfur_numbers():
    """The numbers PySensemakr's docstrings print for darfur, from its estimate, se and dof."""
    est, se, dof = 0.09731582, 0.02325654, 783
    assert round(float(ovb.partial_r2(4.18445, 783)), 5) == 0.02187
    assert round(float(ovb.adjusted_estimate(0.05, 0.05, est, se, dof)), 5) == 0.06393
    assert round(float(ovb.adjusted_se(0.05, 0.05, se, dof)), 5) == 0.02327
    t_adj = ovb.adjusted_estimate(0.05, 0.05, est, se, dof) / ovb.adjusted_se(0.05, 0.05, se, dof)
    assert round(float(t_adj), 5) == 2.74724


def test_invalid_strengths_are_refused_with_the_argument_named():
    with pytest.raises(QueryError, match="r2dz_x"):
        ovb.bias(1.0, 0.1, 0.1, 100)
    with pytest.raises(QueryError, match="r2yz_dx"):
        ovb.bias(0.1, 1.5, 0.1, 100)
    with pytest.raises(QueryError, match="smaller kd"):
        ovb.benchmark_bounds(0.4, 0.1, kd=3)
    with pytest.raises(QueryError, match="alpha"):
        ovb.robustness_value(3.0, 100, alpha=1.5)


def test_ols_sensitivity_refuses_bad_input():
    df = _simulated(0)
    with pytest.raises(QueryError, match="benchmark 'w'"):
        ols_sensitivity(df, "d", "y", ["x"], benchmarks=["w"])
    with pytest.raises(DataError, match="'w' is not in the data"):
        ols_sensitivity(df, "d", "y", ["w"])
    bad = df.assign(x=np.where(np.arange(len(df)) == 3, np.nan, df["x"]))
    with pytest.raises(DataError, match="1 missing"):
        ols_sensitivity(bad, "d", "y", ["x"])


def test_group_partial_r2_of_a_categorical_covariate_equals_the_nested_f_test():
    rng = np.random.default_rng(5)
    n = 300
    g = rng.choice(["a", "b", "c"], size=n)
    y = rng.normal(size=n) + (g == "b") * 0.5
    df = pd.DataFrame({"g": g, "y": y, "x": rng.normal(size=n)})
    X, groups = design_matrix(df, ["x", "g"])
    full = sm.OLS(df["y"], X).fit()
    restricted = sm.OLS(df["y"], X.drop(columns=groups["g"])).fit()
    expected = (restricted.ssr - full.ssr) / restricted.ssr
    np.testing.assert_allclose(group_partial_r2(full, groups["g"]), expected, rtol=1e-10)


# --- against PySensemakr (test dependency: pysensemakr==0.0.8) -----------------------------

# PySensemakr's RV_q divides by a zero critical value (its alpha=1 case) and warns; the
# reference's own warnings are not ours to fix.
reference_warnings = pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")


@pytest.fixture(scope="module")
def darfur():
    smkr = pytest.importorskip("sensemakr")
    return smkr.load_darfur()


@pytest.fixture(scope="module")
def darfur_ols(darfur):
    import statsmodels.formula.api as smf

    formula = "peacefactor ~ directlyharmed + " + " + ".join(DARFUR_COVARIATES)
    return smf.ols(formula, data=darfur).fit()


@reference_warnings
@pytest.mark.parametrize(("q", "alpha"), [(1.0, 0.05), (0.5, 0.1), (2.0, 0.01)])
def test_statistics_match_pysensemakr_on_darfur(darfur, darfur_ols, q, alpha):
    import sensemakr as smkr

    ref = smkr.Sensemakr(darfur_ols, treatment="directlyharmed", q=q, alpha=alpha)
    ours = ols_sensitivity(
        darfur, "directlyharmed", "peacefactor", DARFUR_COVARIATES, q=q, alpha=alpha
    )
    stats_ref = ref.sensitivity_stats
    for ours_name, ref_name in [
        ("estimate", "estimate"),
        ("se", "se"),
        ("r2yd_x", "r2yd_x"),
        ("rv_q", "rv_q"),
        ("rv_qa", "rv_qa"),
    ]:
        value = getattr(ours, ours_name)
        np.testing.assert_allclose(value, stats_ref[ref_name], rtol=1e-9, err_msg=ours_name)
        # the digits PySensemakr's summary() prints (digits=3)
        assert round(value, 3) == round(stats_ref[ref_name], 3), ours_name
    assert ours.dof == ref.dof


def test_printed_darfur_summary_numbers(darfur):
    """The values PySensemakr's summary() prints for darfur, digit for digit."""
    ours = ols_sensitivity(darfur, "directlyharmed", "peacefactor", DARFUR_COVARIATES)
    printed = {"estimate": 0.097, "se": 0.023, "t": 4.184, "r2yd_x": 0.022}
    printed |= {"rv_q": 0.139, "rv_qa": 0.076}
    assert {k: round(getattr(ours, k), 3) for k in printed} == printed
    # its verbal interpretation prints percentages to three decimals
    assert round(100 * ours.rv_q, 3) == 13.878
    assert round(100 * ours.rv_qa, 3) == 7.626
    assert round(100 * ours.r2yd_x, 3) == 2.187


@reference_warnings
@pytest.mark.parametrize(("kd", "ky"), [([1, 2, 3], None), ([1, 2], [2, 0.5])])
def test_benchmark_bounds_match_pysensemakr_on_darfur(darfur, darfur_ols, kd, ky):
    """Bounds "as strong as female". PySensemakr 0.0.8's model path fails under pandas 3
    (positional ``Series[0]``), so the reference runs its numeric path on the partial R2
    of female that its own ``partial_r2`` gives from the two regressions' t statistics."""
    import sensemakr as smkr

    reg = darfur_ols
    exog = pd.DataFrame(reg.model.exog, columns=reg.model.exog_names)
    treat = sm.OLS(exog["directlyharmed"], exog.drop(columns="directlyharmed")).fit()
    r2y = smkr.partial_r2(t_statistic=reg.tvalues["female"], dof=reg.df_resid)
    r2d = smkr.partial_r2(t_statistic=treat.tvalues["female"], dof=treat.df_resid)
    ref = smkr.Sensemakr(
        estimate=float(reg.params["directlyharmed"]),
        se=float(reg.bse["directlyharmed"]),
        dof=int(reg.df_resid),
        r2dxj_x=r2d,
        r2yxj_dx=r2y,
        kd=kd,
        ky=ky,
        benchmark_covariates="female",
    ).bounds
    ours = ols_sensitivity(
        darfur,
        "directlyharmed",
        "peacefactor",
        DARFUR_COVARIATES,
        benchmarks=["female"],
        kd=kd,
        ky=ky,
    ).bounds
    columns = ["r2dz_x", "r2yz_dx", "adjusted_estimate", "adjusted_se", "adjusted_t"]
    columns += ["adjusted_lower_CI", "adjusted_upper_CI"]
    np.testing.assert_allclose(
        ours[columns].to_numpy(float), ref[columns].to_numpy(float), rtol=1e-8
    )
    assert list(ours["bound_label"]) == list(ref["bound_label"])


def test_partial_r2_of_benchmarks_match_pysensemakr_documented(darfur, darfur_ols):
    """PySensemakr's doctests print 0.10903 for female and 0.11681 for (female, pastvoted)."""
    import sensemakr as smkr

    assert round(group_partial_r2(darfur_ols, ["female"]), 5) == 0.10903
    assert round(group_partial_r2(darfur_ols, ["female", "pastvoted"]), 5) == 0.11681
    village = [c for c in darfur_ols.model.exog_names if c.startswith("village")]
    np.testing.assert_allclose(
        group_partial_r2(darfur_ols, village),
        smkr.group_partial_r2(darfur_ols, covariates=village),
        rtol=1e-9,
    )
