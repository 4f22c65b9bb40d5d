"""Experiments and decisions: the numpy/scipy core of A/B/n tests, looks, money, uplift, bandits.

Everything here works on counts, data arrays and posterior draws shaped
``(draws, arms)`` or ``(draws, users)``; nothing imports PyMC, so an exact
A/B/n answer takes milliseconds after import.

Modules, one job each:

- ``conjugate``, ``normal``, ``hurdle``: exact per-arm posteriors (Beta-Binomial,
  Gamma-Poisson, Normal with known sd, Normal-Inverse-Gamma, LogNormal hurdle)
  from aggregated counts or one row per unit; ``update`` = the next look.
- ``exact``: P(best), E[best], expected loss, P(B - A > d) by 1-d integration.
- ``decisions``, ``verdicts``, ``summaries``: per-arm and per-pair tables over
  draws (lift, relative lift, HDI, P(best), expected loss, ROPE) and the verdict.
- ``stopping``, ``looks``: stopping rules; simulated error rates of looking.
- ``money``: derived quantities (ROI, NPV) with uncertain inputs; decisions.
- ``uplift_curves``, ``uplift``, ``targeting``, ``linear_cate``: point curves
  (as scikit-uplift), curve bands, ranking uncertainty, the targeting policy,
  and a cheap exact CATE model.
- ``bandits``, ``bandit_sim``: Thompson sampling and its simulated comparison.

Examples
--------
Story 2 in three lines:

>>> from causalbayes import experiments as ex
>>> post = ex.beta_binomial([120, 150], [1000, 1000], arms=["A", "B"])
>>> cmp = ex.compare_posterior(post, random_seed=1, rope=0.005)
>>> cmp.choice, round(float(cmp.pairs.loc["B - A", "p_better"]), 4)
('B', 0.9751)
"""

from causalbayes.experiments._arms import Marginal
from causalbayes.experiments.bandit_sim import (
    BanditSimulation,
    simulate_bandits,
    simulate_contextual,
)
from causalbayes.experiments.bandits import (
    LinearThompson,
    epsilon_greedy_choice,
    thompson_allocation,
    thompson_choice,
)
from causalbayes.experiments.conjugate import (
    BetaArms,
    GammaArms,
    beta_binomial,
    beta_binomial_rows,
    beta_prior,
    gamma_poisson,
    gamma_poisson_rows,
    gamma_prior,
)
from causalbayes.experiments.decisions import Comparison, compare_draws, compare_posterior
from causalbayes.experiments.exact import (
    expected_best,
    expected_loss,
    prob_best,
    prob_difference_above,
)
from causalbayes.experiments.hurdle import HurdleArms, hurdle_lognormal, hurdle_lognormal_rows
from causalbayes.experiments.linear_cate import linear_cate
from causalbayes.experiments.looks import LooksSimulation, simulate_looks
from causalbayes.experiments.money import Valuation, as_draws, choose_option, roi, valuation
from causalbayes.experiments.normal import (
    NIGArms,
    NormalArms,
    nig_prior,
    normal_inverse_gamma,
    normal_inverse_gamma_rows,
    normal_known_sd,
    normal_known_sd_rows,
)
from causalbayes.experiments.stopping import (
    FixedHorizon,
    LossRule,
    PeekRule,
    RopeRule,
    StopCheck,
    check,
    check_draws,
)
from causalbayes.experiments.summaries import hdi
from causalbayes.experiments.targeting import TargetingPolicy, target_policy
from causalbayes.experiments.uplift import (
    CurveBand,
    curve_band,
    data_curve_band,
    rank_table,
    ranking,
    ranking_stability,
)
from causalbayes.experiments.uplift_curves import (
    qini_auc_score,
    qini_curve,
    uplift_auc_score,
    uplift_curve,
)

__all__ = [
    "BanditSimulation",
    "BetaArms",
    "Comparison",
    "CurveBand",
    "FixedHorizon",
    "GammaArms",
    "HurdleArms",
    "LinearThompson",
    "LooksSimulation",
    "LossRule",
    "Marginal",
    "NIGArms",
    "NormalArms",
    "PeekRule",
    "RopeRule",
    "StopCheck",
    "TargetingPolicy",
    "Valuation",
    "as_draws",
    "beta_binomial",
    "beta_binomial_rows",
    "beta_prior",
    "check",
    "check_draws",
    "choose_option",
    "compare_draws",
    "compare_posterior",
    "curve_band",
    "data_curve_band",
    "epsilon_greedy_choice",
    "expected_best",
    "expected_loss",
    "gamma_poisson",
    "gamma_poisson_rows",
    "gamma_prior",
    "hdi",
    "hurdle_lognormal",
    "hurdle_lognormal_rows",
    "linear_cate",
    "nig_prior",
    "normal_inverse_gamma",
    "normal_inverse_gamma_rows",
    "normal_known_sd",
    "normal_known_sd_rows",
    "prob_best",
    "prob_difference_above",
    "qini_auc_score",
    "qini_curve",
    "rank_table",
    "ranking",
    "ranking_stability",
    "roi",
    "simulate_bandits",
    "simulate_contextual",
    "simulate_looks",
    "target_policy",
    "thompson_allocation",
    "thompson_choice",
    "uplift_auc_score",
    "uplift_curve",
    "valuation",
]
