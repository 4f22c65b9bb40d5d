"""Story 2 (CASES.md): a Bayesian A/B test checked against its exact conjugate posterior.

With a Beta(a, b) prior and k purchases out of n visitors, the posterior of a page's
conversion rate is Beta(a + k, b + n - k), independently per page.  The MCMC posterior
of ``purchase.page`` must match it up to Monte Carlo error.

Monte Carlo tolerances, from the bulk effective sample size ``ess`` that ArviZ reports
for the quantity being checked:

* mean: the Monte Carlo standard error of a posterior mean is ``sd / sqrt(ess)``;
  we allow 4 of them (a false alarm about once in 16,000 checks under normality).
* sd: for ``ess`` effectively independent draws, ``Var(s^2) ~ sd^4 (kurt + 2) / ess``
  (``kurt`` = excess kurtosis, 0 for a Normal), so by the delta method the relative
  standard error of ``s`` is ``sqrt((kurt + 2) / (4 ess))``, i.e. ``1 / sqrt(2 ess)``
  for a Normal.  We allow 4 of them plus 0.02 of slack, because the bulk ESS is the ESS
  of the draws, not of their squares.
* probability: ``P(event)`` is the mean of an indicator; its standard error is
  ``sqrt(p (1 - p) / ess)`` with ``ess`` the bulk ESS of the indicator draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import numpy as np
import pytest
from scipy import integrate, stats

import causalbayes as cb
from causalbayes.examples import ab_test_data, ab_test_scm

N_SIGMA = 4.0
SD_SLACK = 0.02


@dataclass(frozen=True)
class Case:
    prior: tuple[float, float]
    conversions: dict[str, int]
    visitors: dict[str, int]
    seed: int

    def exact(self, page: str) -> stats.rv_continuous:
        a, b = self.prior
        k, n = self.conversions[page], self.visitors[page]
        return stats.beta(a + k, b + n - k)

    @property
    def id(self) -> str:
        a, b = self.prior
        k, n = self.conversions, self.visitors
        return f"Beta({a:g},{b:g})-{k['A']}of{n['A']}-vs-{k['B']}of{n['B']}"


BIG = ({"A": 120, "B": 150}, {"A": 1000, "B": 1000})
SMALL = ({"A": 1, "B": 2}, {"A": 10, "B": 10})
CASES = [
    Case((1.0, 1.0), *BIG, seed=20240101),
    Case((10.0, 90.0), *BIG, seed=20240102),
    Case((1.0, 1.0), *SMALL, seed=20240103),
    Case((10.0, 90.0), *SMALL, seed=20240104),
]


def test_cases_are_the_published_posteriors() -> None:
    # The exact posteriors quoted in CASES.md, story 2.
    assert CASES[0].exact("A").args == (121.0, 881.0)
    assert CASES[0].exact("B").args == (151.0, 851.0)
    assert CASES[1].exact("A").args == (130.0, 970.0)
    assert CASES[1].exact("B").args == (160.0, 940.0)
    assert CASES[0].exact("B").mean() - CASES[0].exact("A").mean() == pytest.approx(
        0.02994, abs=5e-6
    )


@pytest.fixture(scope="module", params=CASES, ids=[c.id for c in CASES])
def case_fit(request):
    case = request.param
    scm = ab_test_scm(*case.prior)
    df = ab_test_data(case.conversions, case.visitors)
    fit = cb.fit(scm, df, draws=1000, tune=500, chains=2, random_seed=case.seed)
    return case, fit


def _ess(draws: np.ndarray) -> float:
    """Bulk ESS of (chain, draw) draws."""
    return float(az.ess(np.asarray(draws, dtype=float), method="bulk"))


def _excess_kurtosis(dists: list) -> float:
    """Excess kurtosis of a sum of independent variables (cumulants add)."""
    var = sum(d.var() for d in dists)
    k4 = sum(float(d.stats(moments="k")) * d.var() ** 2 for d in dists)
    return k4 / var**2


def _assert_matches(draws: np.ndarray, mean: float, sd: float, kurt: float, what: str) -> None:
    ess = _ess(draws)
    mean_tol = N_SIGMA * sd / np.sqrt(ess)
    sd_tol = N_SIGMA * np.sqrt((kurt + 2.0) / (4.0 * ess)) + SD_SLACK
    got_mean, got_sd = draws.mean(), draws.std()
    assert abs(got_mean - mean) < mean_tol, (
        f"{what}: mean {got_mean:.5f} vs exact {mean:.5f} (tol {mean_tol:.5f}, ess {ess:.0f})"
    )
    assert abs(got_sd / sd - 1.0) < sd_tol, (
        f"{what}: sd {got_sd:.5f} vs exact {sd:.5f} (rel tol {sd_tol:.3f}, ess {ess:.0f})"
    )


def _rates(fit) -> dict[str, np.ndarray]:
    rates = fit.posterior["purchase.page"]
    assert rates.dims == ("chain", "draw", "page_levels")
    assert list(rates.coords["page_levels"].values) == ["A", "B"]
    return {page: rates.sel(page_levels=page).values for page in ("A", "B")}


@pytest.mark.slow  # MCMC
def test_rates_match_conjugate_posterior(case_fit) -> None:
    case, fit = case_fit
    for page, draws in _rates(fit).items():
        exact = case.exact(page)
        _assert_matches(
            draws, exact.mean(), exact.std(), float(exact.stats(moments="k")), f"p_{page}"
        )


@pytest.mark.slow  # MCMC
def test_difference_matches_conjugate_posterior(case_fit) -> None:
    case, fit = case_fit
    rates = _rates(fit)
    a, b = case.exact("A"), case.exact("B")
    mean = b.mean() - a.mean()
    sd = np.sqrt(a.var() + b.var())  # independent posteriors
    _assert_matches(rates["B"] - rates["A"], mean, sd, _excess_kurtosis([a, b]), "p_B - p_A")


@pytest.mark.slow  # MCMC
def test_ate_is_the_difference_of_rates_per_draw(case_fit) -> None:
    # E[purchase | do(page=B)] - E[purchase | do(page=A)] is p_B - p_A exactly.
    _, fit = case_fit
    rates = _rates(fit)
    effect = cb.ate(fit, "page", "purchase", values=("B", "A"))
    assert effect.draws.dims == ("chain", "draw")
    np.testing.assert_allclose(effect.draws.values, rates["B"] - rates["A"], rtol=0, atol=1e-10)


def _exact_prob_b_beats_a(case: Case) -> float:
    # P(p_B > p_A) = integral of f_B(x) F_A(x) dx over (0, 1).
    a, b = case.exact("A"), case.exact("B")
    value, abserr = integrate.quad(lambda x: b.pdf(x) * a.cdf(x), 0.0, 1.0, limit=200, epsabs=1e-12)
    assert abserr < 1e-8
    return value


def test_exact_prob_b_beats_a_cross_check() -> None:
    # The quadrature against a large iid Monte Carlo from the exact Betas.
    rng = np.random.default_rng(7)
    for case in CASES:
        a, b = case.exact("A"), case.exact("B")
        n = 2_000_000
        mc = np.mean(b.rvs(n, random_state=rng) > a.rvs(n, random_state=rng))
        assert _exact_prob_b_beats_a(case) == pytest.approx(mc, abs=5 * np.sqrt(mc * (1 - mc) / n))


@pytest.mark.slow  # MCMC
def test_prob_b_beats_a(case_fit) -> None:
    case, fit = case_fit
    effect = cb.ate(fit, "page", "purchase", values=("B", "A"))
    got = effect.prob(lambda d: d > 0)
    exact = _exact_prob_b_beats_a(case)
    ess = _ess((effect.draws.values > 0).astype(float))
    tol = N_SIGMA * np.sqrt(exact * (1 - exact) / ess)
    assert abs(got - exact) < tol, (
        f"P(B > A) {got:.4f} vs exact {exact:.4f} (tol {tol:.4f}, ess {ess:.0f})"
    )
