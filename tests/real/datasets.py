"""Real observational data sets, reference estimates from scratch, and hand-written PyMC models.

This module is the yardstick for causalbayes on real data; it deliberately does not import
causalbayes. Each data set comes from the PyPI package ``causaldata`` (0.1.5) with its columns
exactly as shipped (raw units, bools, strings); only rows with a missing value in a used column
are dropped, and only the used columns are kept.

For every data set there are

* ``references(name)``: regression adjustment (OLS coefficient, or logistic g-computation on the
  risk-difference scale), normalized IPW (Hajek) and AIPW, with standard errors and the
  propensity range, computed with numpy/scipy/statsmodels;
* ``hand_model(name, df)`` / ``hand_ate(name, idata, df)`` / ``hand_fit(name)``: the outcome
  model an expert would write in PyMC on the same design (continuous columns standardized,
  categoricals as dummies, weakly informative priors), its ATE by g-computation over the rows.

All estimators share one design (``design``): continuous confounders standardized, optional
square terms of the standardized column, binary columns as 0/1, categoricals as dummies (first
level dropped); then every column is standardized. Least squares, logistic regression and their
g-computation ATEs do not depend on that affine recoding (same column space), the priors do.

The sample-average ATE is the estimand throughout (the average over the rows of the data), so
the delta-method SE of g-computation and the posterior sd of the hand model both treat the rows
as fixed.

Heavy imports (statsmodels, pymc, arviz, causaldata) happen inside functions: pytest imports
this module for doctest collection.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Dataset:
    """One data set as plain data: which columns play which role, and the adjustment design."""

    name: str  # the causaldata module
    treatment: str  # binary (0/1 or bool)
    outcome: str
    binary_outcome: bool
    confounders: tuple[str, ...]  # all roots of the DAG, each a parent of treatment and outcome
    continuous: dict[str, bool]  # continuous confounder -> add a square term?
    categorical: tuple[str, ...] = ()  # modelled as dummies (string or numeric codes)
    doc: str = field(default="", repr=False)

    @property
    def dag(self) -> str:
        """Edge string ``"c1 -> t; c1 -> y; ...; t -> y"`` (confounders are roots)."""
        edges = [f"{c} -> {v}" for c in self.confounders for v in (self.treatment, self.outcome)]
        return "; ".join([*edges, f"{self.treatment} -> {self.outcome}"])

    @property
    def columns(self) -> list[str]:
        return [self.treatment, self.outcome, *self.confounders]


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            name="restaurant_inspections",
            treatment="Weekend",
            outcome="inspection_score",
            binary_outcome=False,
            confounders=("Year", "NumberofLocations"),
            continuous={"Year": True, "NumberofLocations": True},
            doc="""Anchorage (Alaska) restaurant health inspections, 2000-2019; used in the
            Regression chapter of The Effect (Huntington-Klein). Story: does an inspection done
            on a weekend (Weekend, bool) score differently (inspection_score, points out of 100)?
            When inspections happen and how they score both drift with the year (rules,
            staff) and with chain size (NumberofLocations: big chains get weekday visits and
            have standard procedures). 27,178 rows, none dropped. Raw data: only 210 (0.8%)
            weekend inspections, 38 of them in 2000; the score is capped at 100 (28% of rows at
            the cap); Year is raw (2000-2019, no rows for 2010-2014); NumberofLocations is
            right-skewed (median 41, max 646). business_name (1,618 names) is not used.""",
        ),
        Dataset(
            name="black_politicians",
            treatment="leg_black",
            outcome="responded",
            binary_outcome=True,
            confounders=(
                "totalpop",
                "medianhhincom",
                "black_medianhh",
                "white_medianhh",
                "blackpercent",
                "urbanpercent",
                "statessquireindex",
                "leg_senator",
                "leg_democrat",
                "south",
            ),
            continuous={
                "totalpop": False,
                "medianhhincom": False,
                "black_medianhh": False,
                "white_medianhh": False,
                "blackpercent": True,
                "urbanpercent": False,
                "statessquireindex": False,
            },
            doc="""US state legislators emailed by a fictional Black constituent (Broockman
            2013, AJPS); the Matching chapter of The Effect uses legislator race as the
            treatment. Story: do Black legislators (leg_black) answer (responded) such emails
            more often? Race of the legislator is not assigned: districts that are Blacker,
            poorer, more urban, Southern and Democratic elect more Black legislators and may
            answer differently, so district (population, median incomes overall/Black/White,
            % Black with a square, % urban), state (Squire professionalism index, South) and
            seat (senator, Democrat) are adjusted for. 5,593 rows, none dropped. Not used:
            treat_out (the randomized email arm: independent of leg_black, not a confounder)
            and nonblacknonwhite (another race of the legislator, never 1 when leg_black is 1:
            part of the treatment's definition, and adjusting for it breaks positivity).
            Raw data: only 6.5% treated and the propensity is near 0 in the 3,518 districts
            under 5% Black (0.3% treated there); incomes are in $10,000s and
            population in 10,000s (right-skewed, max 90.6); black_medianhh has 99 zeros and two
            negative values (-0.1176, apparently codes) and an outlier at 37.8.""",
        ),
        Dataset(
            name="credit_cards",
            treatment="LateApril",
            outcome="LateSept",
            binary_outcome=True,
            confounders=("BillApril", "AGE"),
            continuous={"BillApril": False, "AGE": True},
            doc="""Taiwanese credit-card holders, April-September 2005 (UCI 'default of credit
            card clients', Yeh and Lien 2009); the Matching chapter of The Effect. Story: does
            paying late in April (LateApril) make a holder more likely to pay late in September
            (LateSept), e.g. through fees and cut credit lines, beyond what the size of the April
            bill (BillApril, thousands of NT$) and age (AGE, with a square) explain? (Income and
            credit limit are not in the data: the yardstick compares estimators under this DAG,
            not against a known truth.) 30,000 rows, none dropped. Raw data: BillApril is
            heavy-tailed (median 17, max 962) with 4,020 zeros and 688 negative bills (credit
            balances); no square for it, since a square of that tail is driven by a handful of
            rows. 10% treated.""",
        ),
        Dataset(
            name="close_college",
            treatment="nearc4",
            outcome="lwage",
            binary_outcome=False,
            confounders=("black", "south", "smsa", "exper"),
            continuous={"exper": True},
            doc="""Card (1995): US young men first surveyed in 1966 (NLSYM), wages in 1976; the
            Instrumental Variables chapter of Cunningham's Mixtape. Story: growing up near a
            four-year college (nearc4) lowers the cost of schooling and so raises the log wage
            (lwage, log of cents per hour) later on. Controls are those of Card's reduced form
            that are shipped: black, south and smsa (residence in 1976), experience with a
            square (exper, years). Caveats: exper = age - educ - 6 is downstream of schooling
            (Card's convention; the estimand holds experience fixed), and Card's regional
            dummies and smsa66 are not shipped. 3,010 rows, none dropped. married (numeric codes
            1-6 for marital status in 1976, 7 missing) and educ (the mediator) are not used.""",
        ),
        Dataset(
            name="social_insure",
            treatment="intensive",
            outcome="takeup_survey",
            binary_outcome=True,
            confounders=(
                "village",
                "age",
                "agpop",
                "ricearea_2010",
                "disaster_prob",
                "male",
                "literacy",
                "risk_averse",
                "default",
            ),
            continuous={
                "age": True,
                "agpop": False,
                "ricearea_2010": False,
                "disaster_prob": False,
                "risk_averse": False,
            },
            categorical=("village",),
            doc="""Weather insurance for rice farmers in Jiangxi, China (Cai, de Janvry and
            Sadoulet 2015, AEJ: Applied); the Instrumental Variables chapter of The Effect.
            Story: does an intensive information session (intensive) raise the purchase of
            insurance (takeup_survey)? Sessions were randomized, so adjustment is for precision
            and all estimators should agree with the difference in means; the farmer's
            administrative village (village, a string with 44 levels of 4 to 78 rows),
            household (age with a square, household size agpop, rice area ricearea_2010 in mu,
            male head, literacy), beliefs (disaster_prob, perceived % chance of a disaster;
            risk_averse in [0, 1]) and the other randomized arm (default) are adjusted for.
            Rows dropped: 32 of 1,410 (missing age, agpop, ricearea_2010, male or literacy),
            1,378 left. Raw data: ricearea_2010 has one farm of 650 mu (next largest 180, median
            10); disaster_prob is a percentage heaped on multiples of 10. Not used: address
            (166 natural villages) and pre_takeup_rate (its timing relative to the sessions
            is not documented).""",
        ),
    ]
}


def load(name: str) -> pd.DataFrame:
    """The used columns of a data set as shipped; rows with a missing value in them dropped."""
    import causaldata

    ds = DATASETS[name]
    raw = getattr(causaldata, name).load_pandas().data
    return raw[ds.columns].dropna().reset_index(drop=True)


def _standardize(x: pd.Series) -> pd.Series:
    return (x - x.mean()) / x.std()


def design(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Confounder design shared by every estimator here: all columns standardized.

    Continuous column -> z (and z**2 where the spec says so); binary -> 0/1; categorical ->
    dummies, the most frequent level dropped (the reference level: with a small reference
    level every dummy's coefficient shares its uncertainty, and NUTS mixes slowly). Neither
    standardizing the square and the dummies nor the reference level changes a least-squares
    or maximum-likelihood fit (same column space with an intercept); the priors do change.
    """
    ds = DATASETS[name]
    cols: dict[str, pd.Series] = {}
    for c in ds.confounders:
        x = df[c]
        if c in ds.categorical:
            dummies = pd.get_dummies(x.astype(str), prefix=c, dtype=float)
            reference = f"{c}_{x.astype(str).value_counts().idxmax()}"
            cols.update(dummies.drop(columns=reference).items())
        elif c in ds.continuous:
            z = _standardize(x.astype(float))
            cols[c] = z
            if ds.continuous[c]:
                cols[f"{c}^2"] = z**2
        else:
            cols[c] = x.astype(float)
    return pd.DataFrame(cols).apply(_standardize)


def _arrays(name: str, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ds = DATASETS[name]
    X = design(name, df).to_numpy()
    return X, df[ds.treatment].to_numpy(float), df[ds.outcome].to_numpy(float)


def _expit(x: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(x)


def references(name: str, df: pd.DataFrame | None = None) -> dict:
    """Frequentist references on the sample-average ATE (difference scale), from scratch.

    Keys: n, n_confounders, n_columns (design columns), treated_share, naive (difference in
    means), ra / ra_se (regression adjustment: OLS coefficient of the treatment with its
    classical SE, plus ra_se_hc1; for a binary outcome logistic g-computation with a
    delta-method SE), ipw / ipw_se (Hajek, sandwich SE that accounts for the estimated
    propensity), aipw / aipw_se (influence-function SE), propensity_min / propensity_max,
    ess_treated / ess_control (Kish effective sizes of the IPW weights).
    """
    import statsmodels.api as sm

    ds = DATASETS[name]
    df = load(name) if df is None else df
    X, t, y = _arrays(name, df)
    n = len(y)
    Xc = np.column_stack([np.ones(n), X])
    out: dict = {
        "n": n,
        "n_confounders": len(ds.confounders),
        "n_columns": X.shape[1],
        "treated_share": t.mean(),
        "naive": y[t == 1].mean() - y[t == 0].mean(),
    }

    # (a) Regression adjustment on [1, t, X].
    D = np.column_stack([np.ones(n), t, X])
    D1, D0 = D.copy(), D.copy()
    D1[:, 1], D0[:, 1] = 1.0, 0.0
    if ds.binary_outcome:
        res = sm.Logit(y, D).fit(disp=0, maxiter=200)
        m1, m0 = _expit(D1 @ res.params), _expit(D0 @ res.params)
        # Delta method for mean(p1 - p0) as a function of the coefficients (rows held fixed).
        grad = ((m1 * (1 - m1))[:, None] * D1 - (m0 * (1 - m0))[:, None] * D0).mean(axis=0)
        out.update(ra=(m1 - m0).mean(), ra_se=float(np.sqrt(grad @ res.cov_params() @ grad)))
    else:
        res = sm.OLS(y, D).fit()
        m1, m0 = D1 @ res.params, D0 @ res.params
        out.update(
            ra=res.params[1], ra_se=res.bse[1], ra_se_hc1=res.get_robustcov_results("HC1").bse[1]
        )

    # (b) Logistic propensity on [1, X]; Hajek IPW and AIPW.
    ps = sm.Logit(t, Xc).fit(disp=0, maxiter=200)
    e = _expit(Xc @ ps.params)
    w1, w0 = t / e, (1 - t) / (1 - e)
    mu1, mu0 = (w1 * y).sum() / w1.sum(), (w0 * y).sum() / w0.sum()
    out.update(
        ipw=mu1 - mu0,
        ipw_se=_hajek_se(Xc, t, y, e, mu1, mu0),
        propensity_min=e.min(),
        propensity_max=e.max(),
        ess_treated=w1.sum() ** 2 / (w1**2).sum(),
        ess_control=w0.sum() ** 2 / (w0**2).sum(),
    )
    phi = m1 - m0 + w1 * (y - m1) - w0 * (y - m0)
    out.update(aipw=phi.mean(), aipw_se=phi.std(ddof=1) / np.sqrt(n))
    return {k: float(v) if not isinstance(v, int) else v for k, v in out.items()}


def _hajek_se(Xc, t, y, e, mu1, mu0) -> float:
    """Sandwich SE of mu1 - mu0 from the stacked estimating equations (gamma, mu1, mu0).

    psi_gamma = Xc (t - e), psi_1 = t (y - mu1) / e, psi_0 = (1 - t)(y - mu0) / (1 - e);
    the propensity's estimation enters through d psi_1 / d gamma and d psi_0 / d gamma.
    """
    n, k = Xc.shape
    r1, r0 = t * (y - mu1) / e, (1 - t) * (y - mu0) / (1 - e)
    psi = np.column_stack([Xc * (t - e)[:, None], r1, r0])
    A = np.zeros((k + 2, k + 2))  # mean derivative of psi with respect to (gamma, mu1, mu0)
    A[:k, :k] = -(Xc * (e * (1 - e))[:, None]).T @ Xc / n
    A[k, :k] = -(r1 * (1 - e)) @ Xc / n
    A[k + 1, :k] = (r0 * e) @ Xc / n
    A[k, k] = -(t / e).mean()
    A[k + 1, k + 1] = -((1 - t) / (1 - e)).mean()
    B = psi.T @ psi / n
    Ainv = np.linalg.inv(A)
    V = Ainv @ B @ Ainv.T / n
    c = np.zeros(k + 2)
    c[k], c[k + 1] = 1.0, -1.0
    return float(np.sqrt(c @ V @ c))


def hand_model(name: str, df: pd.DataFrame):
    """The outcome model an expert would write: the regression-adjustment design, in PyMC.

    Continuous outcome: y standardized, Normal likelihood, Normal(0, 1) on the intercept, the
    treatment effect (in outcome sds) and the standardized coefficients, HalfNormal(1) on
    sigma. Binary outcome: Bernoulli-logit with Normal(0, 2.5) priors (rstanarm's scale on
    standardized predictors; the treatment stays 0/1, so 2.5 per unit of the logit).
    """
    import pymc as pm

    ds = DATASETS[name]
    Xdf = design(name, df)
    X, t, y = _arrays(name, df)
    s = 2.5 if ds.binary_outcome else 1.0
    with pm.Model(coords={"column": list(Xdf.columns)}) as model:
        alpha = pm.Normal("alpha", 0.0, s)
        tau = pm.Normal("tau", 0.0, s)
        beta = pm.Normal("beta", 0.0, s, dims="column")
        eta = alpha + tau * t + pm.math.dot(X, beta)
        if ds.binary_outcome:
            pm.Bernoulli("y", logit_p=eta, observed=y)
        else:
            sigma = pm.HalfNormal("sigma", 1.0)
            pm.Normal("y", eta, sigma, observed=(y - y.mean()) / y.std())
    return model


def hand_ate(name: str, idata, df: pd.DataFrame, chunk: int = 200) -> np.ndarray:
    """Posterior draws (chain * draw,) of the sample-average ATE on the outcome's scale.

    Normal: the treatment coefficient times the outcome's sd. Bernoulli-logit: per draw, the
    mean over rows of p(t=1) - p(t=0) (g-computation), in chunks of draws to bound memory.
    """
    ds = DATASETS[name]
    X, _, y = _arrays(name, df)
    post = idata.posterior
    tau = post["tau"].to_numpy().reshape(-1)
    if not ds.binary_outcome:
        return tau * y.std()
    alpha = post["alpha"].to_numpy().reshape(-1)
    beta = post["beta"].to_numpy().reshape(len(tau), -1)
    ate = np.empty(len(tau))
    for i in range(0, len(tau), chunk):
        eta0 = alpha[i : i + chunk, None] + beta[i : i + chunk] @ X.T
        p1, p0 = _expit(eta0 + tau[i : i + chunk, None]), _expit(eta0)
        ate[i : i + chunk] = (p1 - p0).mean(axis=1)
    return ate


def hand_fit(
    name: str,
    random_seed: int = 20261126,
    chains: int = 4,
    cores: int = 2,
    tune: int = 1000,
    draws: int = 1000,
) -> dict:
    """Fit the hand model with PyMC's NUTS and summarize the ATE, diagnostics and timings.

    Timings (seconds, time.perf_counter): build (pm.Model), total (the pm.sample call),
    sampling (PyMC's own sampling_time: the draw loop), setup = total - sampling (compiling
    logp/dlogp, initialization, starting the worker processes). Divergences are counted after
    warm-up (``divergences``) and during it (``divergences_tuning``).

    With thousands of rows the first trajectories, before the step size adapts, can overflow
    PyMC's kinetic energy (numpy's RuntimeWarning "overflow encountered in dot"); NUTS counts
    them as divergent tuning steps. That warning is ignored here, and in the forked chains,
    because under warnings-as-errors (this project's pytest setting) it kills the chain.
    """
    import arviz as az
    import pymc as pm

    df = load(name)
    t0 = time.perf_counter()
    model = hand_model(name, df)
    t1 = time.perf_counter()
    with model, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "overflow encountered in dot", RuntimeWarning)
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=cores,
            random_seed=random_seed,
            progressbar=False,
            compute_convergence_checks=False,  # diagnostics are reported below instead
            discard_tuned_samples=False,  # keeps warm-up statistics (tuning divergences)
        )
    t2 = time.perf_counter()
    ate = hand_ate(name, idata, df)
    hdi = az.hdi(ate, hdi_prob=0.94)
    free = [v.name for v in model.free_RVs]
    rhat = az.rhat(idata, var_names=free)
    ess = az.ess(idata, var_names=free, method="bulk")
    sampling = float(idata.posterior.attrs["sampling_time"])
    return {
        "ate_mean": float(ate.mean()),
        "ate_sd": float(ate.std(ddof=1)),
        "ate_hdi94": (float(hdi[0]), float(hdi[1])),
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "divergences_tuning": int(idata.warmup_sample_stats["diverging"].sum()),
        "max_rhat": float(max(rhat[v].max() for v in free)),
        "min_ess_bulk": float(min(ess[v].min() for v in free)),
        "build_s": t1 - t0,
        "sample_total_s": t2 - t1,
        "sampling_s": sampling,
        "setup_s": t2 - t1 - sampling,
    }
