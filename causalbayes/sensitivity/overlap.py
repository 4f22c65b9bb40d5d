"""Positivity (overlap) of a 0/1 treatment: propensities piled up at 0 or 1.

An effect averaged over units whose propensity is near 0 or 1 rests on extrapolation by
the outcome model: the data hold (almost) no comparable unit in the other arm. The
propensity is the fit's own treatment mechanism (posterior mean of ``P(T=1 | parents)``)
when the SCM models the treatment as Bernoulli, else a logistic regression of the
treatment on the outcome's other parents (the adjustment the outcome model makes).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.estimands.predict import predict
from causalbayes.sensitivity._design import design_matrix


@dataclass(frozen=True)
class Overlap:
    """Propensities of one treatment and the verdict on positivity.

    Attributes
    ----------
    treatment : str
    propensity : numpy.ndarray
        One value per row of the data (empty when not applicable).
    treated : numpy.ndarray
        The observed 0/1 treatment per row.
    source : str
        Where the propensities come from.
    eps, max_share : float
        Rows with a propensity below ``eps`` or above ``1 - eps`` count as extreme; more
        than ``max_share`` of them fail the check.
    share_extreme : float
    ess_treated, ess_control : float
        Effective sample sizes of inverse-propensity weights in each arm (Kish).
    verdict : {"pass", "fail", "not applicable"}
    reason : str

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> ov = overlap(example_fit(), "dilution", "coating")
    >>> ov.verdict, ov.share_extreme
    ('pass', 0.0)
    """

    treatment: str
    propensity: np.ndarray
    treated: np.ndarray
    source: str
    eps: float
    max_share: float
    share_extreme: float
    ess_treated: float
    ess_control: float
    verdict: str
    reason: str

    def summary(self) -> str:
        return f"Overlap of {self.treatment!r}: {self.verdict}: {self.reason}"

    def plot(self, ax=None):
        """Histograms of the propensity in each arm; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3))
        if self.propensity.size:
            bins = np.linspace(0, 1, 41)
            for arm, label in ((1, "treated"), (0, "control")):
                ax.hist(self.propensity[self.treated == arm], bins=bins, alpha=0.5, label=label)
            for edge in (self.eps, 1 - self.eps):
                ax.axvline(edge, color="tab:red", lw=0.8, ls="--")
            ax.legend(fontsize=7)
        ax.set_xlabel(f"propensity P({self.treatment}=1 | covariates)")
        ax.set_title(f"Overlap: {self.verdict}")
        return ax


def _kish(w: np.ndarray) -> float:
    return float(w.sum() ** 2 / (w**2).sum()) if w.size else 0.0


def overlap(
    fit, treatment: str, outcome: str, *, eps: float = 0.01, max_share: float = 0.02
) -> Overlap:
    """Check positivity of a 0/1 treatment from propensities.

    The propensity is the fit's own mechanism of a Bernoulli treatment (posterior mean),
    else a logistic regression on the outcome's other parents. More than ``max_share`` of
    rows with a propensity outside ``[eps, 1 - eps]`` fail the check.

    Examples
    --------
    Story 1: dilution is a Bernoulli node of humidity, so its fitted mechanism is used.

    >>> from causalbayes.testing import example_fit
    >>> ov = overlap(example_fit(), "dilution", "coating")
    >>> ov.verdict, ov.source.split(" of ")[0]
    ('pass', 'posterior mean')
    >>> print(ov.summary()[:40])
    Overlap of 'dilution': pass: 0.0% of row
    """
    if not (0 < eps < 0.5 and 0 <= max_share < 1):
        raise QueryError(f"need 0 < eps < 0.5 and 0 <= max_share < 1, got {eps!r}, {max_share!r}")
    data = fit.data
    for name in (treatment, outcome):
        if name not in fit.scm.nodes:
            raise QueryError(f"{name!r} is not a node of the SCM; nodes: {list(fit.scm.nodes)}")
    t = pd.to_numeric(data[treatment], errors="coerce").to_numpy(dtype=float)
    empty = np.array([])
    if not set(np.unique(t)) <= {0.0, 1.0}:
        reason = "the treatment is not 0/1; overlap is checked for binary treatments only"
        verdict = "not applicable"
        return Overlap(treatment, empty, t, "", eps, max_share, 0.0, 0.0, 0.0, verdict, reason)
    node = fit.scm.nodes[treatment]
    if node.family == "Bernoulli":
        e = np.asarray(predict(fit, data, treatment, kind="mean").mean(), dtype=float).ravel()
        source = f"posterior mean of the fitted mechanism of {treatment!r} on {list(node.parents)}"
    else:
        import statsmodels.api as sm

        covs = [p for p in fit.scm.nodes[outcome].parents if p != treatment]
        X, _ = design_matrix(data, covs)
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            e = sm.GLM(t, X, family=sm.families.Binomial()).fit().predict(X)
        source = f"logistic regression of {treatment!r} on {covs}"
        # perfect separation is itself the overlap failure this check reports
        if any("separation" in str(w.message) for w in caught):
            source += " (perfect separation: some covariate values occur in one arm only)"
    e = np.asarray(e, dtype=float)
    extreme = (e < eps) | (e > 1 - eps)
    share = float(extreme.mean())
    ok = share <= max_share
    ess1, ess0 = _kish(1 / e[t == 1]), _kish(1 / (1 - e[t == 0]))
    reason = (
        f"{share:.1%} of rows have a propensity outside [{eps:g}, {1 - eps:g}] "
        f"({'at most' if ok else 'more than'} {max_share:.0%}); range [{e.min():.3g}, "
        f"{e.max():.3g}]; weighting ESS {ess1:.0f} of {int((t == 1).sum())} treated, "
        f"{ess0:.0f} of {int((t == 0).sum())} controls"
    )
    verdict = "pass" if ok else "fail"
    return Overlap(treatment, e, t, source, eps, max_share, share, ess1, ess0, verdict, reason)
