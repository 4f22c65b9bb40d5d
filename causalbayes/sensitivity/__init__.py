"""What if the graph is wrong: sensitivity to unmeasured confounding, refutations, a report.

- Frequentist cross-checks (numpy/scipy/statsmodels): :func:`ols_sensitivity` (partial R2,
  robustness values, bounds "as strong as" a covariate; Cinelli & Hazlett 2020) and
  :func:`evalue` (VanderWeele & Ding 2017); the formulas in :mod:`~causalbayes.sensitivity.ovb`.
- Bayesian: :func:`bayesian_sensitivity` (closed form for a linear-Gaussian outcome: every
  strength at once, exact) and :func:`latent_sensitivity` (a latent node U and one refit per
  strength, for other outcomes).
- :class:`ConfoundedATE` (a query, for ``cb.evaluate``) and :func:`confounded_ate`: the
  closed-form effect at one strength.
- :func:`refute` (placebos, random common cause, subsets, dummy outcome, negative controls),
  :func:`overlap` (positivity) and :func:`assumptions_report` (all of it in one place).

Examples
--------
>>> import causalbayes as cb
>>> round(float(cb.sensitivity.robustness_value(4.0, dof=100)), 3)
0.328
"""

from causalbayes.sensitivity.bayes import BayesSensitivity, bayesian_sensitivity
from causalbayes.sensitivity.evalue import EValue, evalue
from causalbayes.sensitivity.latent import latent_sensitivity, with_latent_confounder
from causalbayes.sensitivity.ols import OLSSensitivity, ols_sensitivity
from causalbayes.sensitivity.ovb import (
    adjusted_estimate,
    adjusted_se,
    benchmark_bounds,
    bias,
    partial_r2,
    robustness_value,
)
from causalbayes.sensitivity.overlap import Overlap, overlap
from causalbayes.sensitivity.query import ConfoundedATE, confounded_ate
from causalbayes.sensitivity.refute import Refutation, Refutations, refute
from causalbayes.sensitivity.report import AssumptionsReport, assumptions_report

__all__ = [
    "AssumptionsReport",
    "BayesSensitivity",
    "ConfoundedATE",
    "EValue",
    "OLSSensitivity",
    "Overlap",
    "Refutation",
    "Refutations",
    "adjusted_estimate",
    "adjusted_se",
    "assumptions_report",
    "bayesian_sensitivity",
    "benchmark_bounds",
    "bias",
    "confounded_ate",
    "evalue",
    "latent_sensitivity",
    "ols_sensitivity",
    "overlap",
    "partial_r2",
    "refute",
    "robustness_value",
    "with_latent_confounder",
]
