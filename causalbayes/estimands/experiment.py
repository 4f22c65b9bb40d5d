"""A/B/n tests from a data frame: the SCM, the fit and the decision tables in one call.

``ab_test(df, "page", "purchase")`` declares the experiment as an SCM (the arm
a given categorical node, the outcome a node with the arm as parent), fits it
as :func:`causalbayes.fit` does and compares the arms' means
(:class:`~causalbayes.estimands.arms.ArmMeans`) with
:func:`causalbayes.experiments.compare_draws`.  Nothing here is a separate
model: the ``Fit`` and the arm means are the library's own, so every other
query (``cb.contrasts``, ``cb.cate``, ``cb.predict``) works on ``result.fit``.

Without covariates a binary, binomial or count outcome is one rate per arm
on the identity link with a Beta or Gamma prior: a conjugate model, fitted by
``sampler="exact"`` (closed form, no MCMC), its probabilities and expected
losses exact integrals.  That path reads only numpy-level modules (the
checks of ``inference/prepare.py``, the draws of ``samplers/exact.py``, the
integrals of ``experiments/``): the ``Fit`` (PyMC, ArviZ) is built from the
same draws when ``result.fit`` is first read, so a fresh process answers
without importing PyMC.  Covariates (for variance reduction), continuous
outcomes with an estimated sd and two-part outcomes (a hurdle: buys x amount)
run NUTS and read the arms' means from the interventional worlds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from causalbayes._defaults import HDI_PROB
from causalbayes.errors import QueryError
from causalbayes.estimands.arm_draws import ExactArms, SampledArms, exact_arms, sampled_arms
from causalbayes.experiments import Comparison, compare_draws
from causalbayes.inference.prepare import prepare_fit
from causalbayes.scm import (
    SCM,
    Bernoulli,
    Binomial,
    Given,
    HurdleLogNormal,
    Normal,
    Poisson,
    Prior,
)

if TYPE_CHECKING:
    import xarray as xr

    from causalbayes.inference.fit import Fit

#: ``family=`` values; ``"auto"`` reads the outcome column.
FAMILIES = ("auto", "Bernoulli", "Binomial", "Poisson", "Normal", "HurdleLogNormal")
#: The conjugate prior of each rate family (default: flat Beta, vague Gamma as in ``experiments``).
RATE_PRIORS = {
    "Bernoulli": ("Beta", 1.0, 1.0),
    "Binomial": ("Beta", 1.0, 1.0),
    "Poisson": ("Gamma", 0.001, 0.001),
}


@dataclass(frozen=True, eq=False)
class Experiment:
    """An A/B/n test answered: the fit, each arm's mean, the decision tables.

    Attributes
    ----------
    fit : Fit
        The fitted experiment SCM (``fit.sampler`` says whether it was exact).  For a
        conjugate experiment it is built on first use (importing PyMC), from the draws
        the tables were computed from.
    means : xarray.DataArray
        Each arm's mean outcome, dims ``(chain, draw, arm)``.
    comparison : causalbayes.experiments.Comparison
        Per arm (mean, HDI, probability to be best, expected loss) and per pair (lift,
        relative lift, HDIs, probability better, ROPE decision), the choice and verdict.
    settings : dict
        The arm and outcome columns, family, covariates, the sampler, and under ``"call"``
        every option of the call (what :meth:`update` repeats).
    arm_draws : SampledArms or ExactArms
        Where ``fit`` and ``means`` come from.

    Examples
    --------
    >>> from causalbayes.examples import ab_test_data
    >>> result = ab_test(ab_test_data({"A": 1, "B": 2}, {"A": 10, "B": 10}), "page", "purchase")
    >>> result.draws().shape, result.settings["family"], result.fit.sampler
    ((4000, 2), 'Bernoulli', 'exact')
    """

    comparison: Comparison
    settings: dict
    arm_draws: SampledArms | ExactArms = field(repr=False)

    @property
    def fit(self) -> Fit:
        return self.arm_draws.fit

    @property
    def means(self) -> xr.DataArray:
        return self.arm_draws.means

    @property
    def arms(self) -> pd.DataFrame:
        return self.comparison.arms

    @property
    def pairs(self) -> pd.DataFrame:
        return self.comparison.pairs

    @property
    def choice(self) -> str:
        return self.comparison.choice

    @property
    def verdict(self) -> str:
        return self.comparison.verdict

    def draws(self) -> np.ndarray:
        """The arms' means as a plain ``(draws, arms)`` array (chains stacked), for
        :func:`~causalbayes.experiments.check_draws`, Thompson sampling or money."""
        return self.arm_draws.flat()

    def update(self, batch: pd.DataFrame, *, random_seed=None) -> Experiment:
        """The next look: the same analysis on the data so far plus ``batch`` (new rows).

        An exact refit for conjugate experiments (the posterior of one look is the prior
        of the next, so refitting on all rows is the same posterior), a NUTS refit otherwise.

        Examples
        --------
        >>> from causalbayes.examples import ab_test_data
        >>> first = ab_test(ab_test_data({"A": 12, "B": 15}, {"A": 100, "B": 100}), "page", "purchase")
        >>> later = first.update(ab_test_data({"A": 108, "B": 135}, {"A": 900, "B": 900}))
        >>> len(later.fit.data), round(float(later.arms.loc["B", "p_best"]), 4)
        (2000, 0.9751)
        """
        seen = self.arm_draws.data
        rows = pd.concat([seen, batch[list(seen.columns)]], ignore_index=True)
        return ab_test(rows, random_seed=random_seed, **self.settings["call"])

    def __str__(self) -> str:
        return self.verdict


def infer_family(values, trials: str | None = None) -> str:
    """The outcome family ``ab_test`` uses for a column: Binomial with ``trials``, else
    Bernoulli (0/1), Poisson (counts), HurdleLogNormal (zeros and positive amounts), Normal.

    Examples
    --------
    >>> infer_family([0, 1, 1]), infer_family([0, 3, 1]), infer_family([0.0, 12.5, 3.2])
    ('Bernoulli', 'Poisson', 'HurdleLogNormal')
    >>> infer_family([-1.2, 0.4]), infer_family([3, 9], trials="visitors")
    ('Normal', 'Binomial')
    """
    if trials is not None:
        return "Binomial"
    y = np.asarray(values, dtype=float)
    if np.isin(y, (0.0, 1.0)).all():
        return "Bernoulli"
    whole = np.all(y == np.round(y))
    if y.min() >= 0 and whole:
        return "Poisson"
    if y.min() >= 0 and (y == 0).any() and (y > 0).any():
        return "HurdleLogNormal"
    return "Normal"


def _rate_prior(family: str, prior) -> Prior:
    dist, a, b = RATE_PRIORS[family]
    if prior is None:
        a_b = (a, b)
    elif isinstance(prior, Prior):
        if prior.dist != dist:
            raise QueryError(f"a {family} rate's prior must be {dist} (conjugate), got {prior}")
        return prior
    else:
        a_b = tuple(float(v) for v in prior)
        if len(a_b) != 2:
            raise QueryError(f"prior must be cb.Prior({dist!r}, ...) or two numbers, got {prior!r}")
    return Prior(dist, alpha=a_b[0], beta=a_b[1])


def experiment_scm(
    data: pd.DataFrame,
    arm: str,
    outcome: str,
    *,
    family: str = "auto",
    trials: str | None = None,
    covariates: Sequence[str] = (),
    prior=None,
    sigma: float | None = None,
) -> SCM:
    """The SCM ``ab_test`` fits: the arm (and covariates) given, the outcome caused by them.

    Without covariates a rate family (Bernoulli, Binomial, Poisson) gets one rate per
    arm on the identity link with its conjugate ``prior`` (``(alpha, beta)`` or a
    ``cb.Prior``; default Beta(1, 1), Gamma(0.001, 0.001)), and a Normal outcome one
    mean per arm (``sigma``: a known sd makes it conjugate too).  With covariates
    the outcome gets its family's default link and an intercept.

    Examples
    --------
    >>> from causalbayes.examples import ab_test_data
    >>> df = ab_test_data({"A": 1, "B": 2}, {"A": 10, "B": 10})
    >>> scm = experiment_scm(df, "page", "purchase", prior=(10, 90))
    >>> scm["purchase"].family, scm["purchase"].link, dict(scm["purchase"].priors)["page"]
    ('Bernoulli', 'identity', Prior('Beta', alpha=10.0, beta=90.0))
    """
    for column in (arm, outcome, *covariates, *([trials] if trials else [])):
        if column not in data.columns:
            raise QueryError(f"column {column!r} is not in the data; columns: {list(data.columns)}")
    if family not in FAMILIES:
        raise QueryError(f"family must be one of {list(FAMILIES)}, got {family!r}")
    if family == "auto":
        family = infer_family(data[outcome], trials)
    if family == "Binomial" and trials is None:
        raise QueryError("a Binomial outcome needs trials='<column of visitors per row>'")
    covariates = list(covariates)
    nodes = {arm: Given(categorical=True), **{c: Given() for c in covariates}}
    parents = [arm, *covariates]
    options: dict[str, Any] = {"trials": trials} if family == "Binomial" else {}
    if covariates:
        if prior is not None:
            raise QueryError(
                "prior= states each arm's rate; with covariates the arm is one coefficient "
                "among others: declare the SCM yourself to set its priors"
            )
        priors = {} if sigma is None else {"sigma": Prior("Fixed", value=float(sigma))}
    elif family in RATE_PRIORS:
        options["link"] = "identity"
        options["intercept"] = False
        priors = {arm: _rate_prior(family, prior)}
    elif family == "Normal":
        options["intercept"] = False
        priors = {} if prior is None else {arm: prior}
        if sigma is not None:
            priors["sigma"] = Prior("Fixed", value=float(sigma))
    else:  # a hurdle: buys x amount, each part with its own arm effects
        priors = {} if prior is None else {arm: prior}
    constructor = {
        "Bernoulli": Bernoulli,
        "Binomial": Binomial,
        "Poisson": Poisson,
        "Normal": Normal,
        "HurdleLogNormal": HurdleLogNormal,
    }[family]
    nodes[outcome] = constructor(parents, priors=priors or None, **options)
    return SCM(nodes)


def ab_test(
    data: pd.DataFrame,
    arm: str,
    outcome: str,
    *,
    family: str = "auto",
    trials: str | None = None,
    covariates: Sequence[str] = (),
    prior=None,
    sigma: float | None = None,
    reference: Any = 0,
    pairs: str = "reference",
    rope=None,
    hdi_prob: float = HDI_PROB,
    higher_is_better: bool = True,
    random_seed=None,
    **fit_options,
) -> Experiment:
    """Analyse an A/B/n test from a data frame: fit, arm means, lifts, P(best), expected loss, ROPE.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per user (arm, outcome, covariates) or, with ``trials``, one row per arm
        (or per batch): conversions in ``outcome``, visitors in ``trials``.
    arm, outcome : str
        Column names.  Any number of arms, any sizes.
    family : {"auto", "Bernoulli", "Binomial", "Poisson", "Normal", "HurdleLogNormal"}
        ``"auto"`` reads the column (:func:`infer_family`).
    trials : str, optional
        The column of visitors for aggregated input (a Binomial outcome).
    covariates : sequence of str
        Pre-treatment columns for variance reduction; the arms' means are then
        standardized over the users (NUTS).
    prior : (float, float) or Prior, optional
        Each arm's rate prior on the rate's own scale (Beta for conversions, Gamma for
        counts), e.g. from past tests with :func:`causalbayes.experiments.beta_prior`.
    sigma : float, optional
        A known sd of a Normal outcome (then conjugate, exact).
    reference, pairs, rope, hdi_prob, higher_is_better
        As in :func:`causalbayes.experiments.compare_draws` (``rope``: the absolute
        lift that does not matter in practice, in outcome units).
    random_seed : int, optional
    **fit_options
        Passed to :func:`causalbayes.fit` (``draws``, ``chains``, ``sampler``, ...).

    Returns
    -------
    Experiment
        ``.arms`` and ``.pairs`` tables, ``.choice``, ``.verdict``, ``.fit``, ``.means``.

    Examples
    --------
    Story 2: 120 of 1000 against 150 of 1000, exact (no MCMC):

    >>> from causalbayes.examples import ab_test_data
    >>> df = ab_test_data({"A": 120, "B": 150}, {"A": 1000, "B": 1000})
    >>> result = ab_test(df, "page", "purchase", rope=0.005, random_seed=1)
    >>> result.fit.sampler, result.choice
    ('exact', 'B')
    >>> round(float(result.pairs.loc["B - A", "p_better"]), 4)
    0.9751

    The same from counts, one row per page:

    >>> counts = pd.DataFrame({"page": ["A", "B"], "buys": [120, 150], "visitors": [1000, 1000]})
    >>> round(float(ab_test(counts, "page", "buys", trials="visitors").arms.loc["B", "p_best"]), 4)
    0.9751
    """
    scm = experiment_scm(
        data,
        arm,
        outcome,
        family=family,
        trials=trials,
        covariates=covariates,
        prior=prior,
        sigma=sigma,
    )
    # the checks and choices cb.fit makes; a conjugate model needs neither PyMC nor ArviZ
    plan = prepare_fit(scm, data, random_seed=random_seed, **fit_options)
    if plan.info.reads_data:
        arms = exact_arms(data, plan, arm, outcome)
        marginal = arms.marginal
    else:
        arms, marginal = sampled_arms(scm, data, arm, outcome, random_seed, fit_options), None
    labels = arms.labels
    flat = arms.flat()
    comparison = compare_draws(
        flat,
        arms=labels,
        reference=str(reference) if not isinstance(reference, int) else reference,
        pairs=pairs,
        hdi_prob=hdi_prob,
        rope=rope,
        higher_is_better=higher_is_better,
        marginal=marginal,
    )
    settings = {
        "arm": arm,
        "outcome": outcome,
        "family": scm[outcome].family,
        "covariates": list(covariates),
        "trials": trials,
        "sampler": arms.sampler,
        "call": {
            "arm": arm,
            "outcome": outcome,
            "family": family,
            "trials": trials,
            "covariates": tuple(covariates),
            "prior": prior,
            "sigma": sigma,
            "reference": reference,
            "pairs": pairs,
            "rope": rope,
            "hdi_prob": hdi_prob,
            "higher_is_better": higher_is_better,
            **fit_options,
        },
    }
    return Experiment(comparison, settings, arms)


__all__ = ["Experiment", "ab_test", "experiment_scm", "infer_family"]
