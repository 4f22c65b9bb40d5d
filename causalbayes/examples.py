"""Built-in examples from the user stories (see CASES.md).

Examples
--------
>>> import causalbayes as cb
>>> scm = cb.examples.coating_scm()
>>> df = cb.simulate(scm, 100, params=cb.examples.COATING_TRUTH, random_seed=1)
>>> df.columns.tolist()
['humid', 'dilution', 'coating']
>>> cb.examples.COATING_TRUTH["coating.dilution"]  # the true ATE of story 1
-0.421
"""

from __future__ import annotations

import pandas as pd

from causalbayes.scm import SCM, Bernoulli, Categorical, Normal, Prior

#: True values of the paint-coating story (story 1); ``coating.dilution`` is the true ATE.
COATING_TRUTH: dict[str, float] = {
    "humid.intercept": 0.0,
    "humid.sigma": 1.0,
    "dilution.intercept": 0.4893,
    "dilution.humid": -0.39,
    "coating.intercept": 0.5128,
    "coating.dilution": -0.421,
    "coating.humid": -0.54,
    "coating.sigma": 0.2,
}


def coating_scm() -> SCM:
    """Story 1: humidity drives both the dilution chosen and the coating yield.

    Examples
    --------
    >>> coating_scm().order
    ('humid', 'dilution', 'coating')
    """
    return SCM(
        {
            "humid": Normal(),
            "dilution": Bernoulli(parents=["humid"]),
            "coating": Normal(parents=["dilution", "humid"]),
        }
    )


def ab_test_scm(prior_alpha: float = 1.0, prior_beta: float = 1.0) -> SCM:
    """Story 2: a purchase depends on the landing page; cell-means Beta priors per page.

    The conversion rate of each page is the parameter ``purchase.page[A]``,
    ``purchase.page[B]`` (identity link, no intercept), so the posterior is the
    conjugate Beta posterior.

    Examples
    --------
    >>> [p.name for p in ab_test_scm().parameters("purchase")]
    ['purchase.page']
    """
    return SCM(
        {
            "page": Categorical(levels=["A", "B"]),
            "purchase": Bernoulli(
                parents=["page"],
                link="identity",
                intercept=False,
                priors={"page": Prior("Beta", alpha=prior_alpha, beta=prior_beta)},
            ),
        }
    )


def ab_test_data(conversions: dict[str, int], visitors: dict[str, int]) -> pd.DataFrame:
    """One row per visitor: ``page`` and ``purchase`` (0/1).

    Examples
    --------
    >>> ab_test_data({"A": 1, "B": 2}, {"A": 10, "B": 10}).groupby("page", observed=True)["purchase"].sum().tolist()
    [1, 2]
    """
    pages, purchases = [], []
    for page, n in visitors.items():
        k = conversions[page]
        pages += [page] * n
        purchases += [1] * k + [0] * (n - k)
    return pd.DataFrame(
        {"page": pd.Categorical(pages, categories=list(visitors)), "purchase": purchases}
    )
