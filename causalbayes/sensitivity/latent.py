"""Sensitivity with an explicit latent confounder node, for outcomes the closed form cannot take.

The closed form of :mod:`causalbayes.sensitivity.bayes` needs an outcome that is Normal
with identity link and linear in the treatment. Anything else (a Bernoulli or count
outcome, interactions of the treatment, splines) needs U in the model: this module adds
a latent standard-normal node U as a parent of the treatment and the outcome, with its
two coefficients fixed at the strength under study, refits, and reads the effect. One
latent value per unit is sampled, so each strength costs a full MCMC fit; U's sign is
identified because its coefficients are fixed with a sign.

Strengths are on interpretable scales, per standard deviation of U: an odds ratio for a
node with a logit link, a partial R2 for a Normal node with identity link (turned into a
coefficient ``sqrt(r2) * sigma`` with the node's residual sd from the original fit), and
a coefficient on the link scale otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.estimands.averages import ATE
from causalbayes.estimands.query import evaluate
from causalbayes.inference.sampling import fit as fit_scm
from causalbayes.scm import SCM, Normal


def _coefficient(fit, name: str, strength: float) -> float:
    node = fit.scm.nodes[name]
    if node.link == "logit":
        if not strength > 0:
            raise QueryError(f"strength for {name!r} is an odds ratio: positive, got {strength!r}")
        return float(np.log(strength))
    if node.family == "Normal" and node.link == "identity":
        if not 0 <= strength < 1:
            raise QueryError(f"strength for {name!r} is a partial R2 in [0, 1), got {strength!r}")
        sigma = float(fit.idata.posterior[f"{name}.sigma"].mean())
        return float(np.sqrt(strength) * sigma)
    return float(strength)


def with_latent_confounder(
    scm, treatment: str, outcome: str, *, coefficients: tuple[float, float], name: str = "U"
):
    """A copy of ``scm`` with a latent ``U ~ Normal(0, 1)`` causing treatment and outcome.

    ``coefficients`` are U's fixed coefficients in the treatment's and the outcome's
    linear predictors (link scale, per sd of U).

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({"x": cb.Given(), "t": cb.Bernoulli(["x"]), "y": cb.Bernoulli(["t", "x"])})
    >>> new = with_latent_confounder(scm, "t", "y", coefficients=(0.7, -0.4))
    >>> new.nodes["y"].parents, new.nodes["U"].latent
    (('t', 'x', 'U'), True)
    >>> dict(new.nodes["t"].priors)["U"]
    Prior('Fixed', value=0.7)
    """
    if name in scm.nodes:
        raise QueryError(f"{name!r} is already a node; pass another name=")
    nodes = dict(scm.nodes)
    nodes[name] = Normal(latent=True, priors={"intercept": 0.0, "sigma": 1.0})
    for node_name, coef in zip((treatment, outcome), coefficients, strict=True):
        node = nodes[node_name]
        if node.is_given or node.mechanism is not None:
            raise QueryError(
                f"{node_name!r} must be a modelled node with a linear predictor to take a "
                f"latent parent; declare its mechanism (e.g. cb.Bernoulli([...]))"
            )
        priors = dict(node.priors)
        priors[name] = float(coef)
        nodes[node_name] = dataclasses.replace(
            node, parents=(*node.parents, name), priors=tuple(priors.items())
        )
    return SCM(nodes)


def latent_sensitivity(
    fit,
    treatment: str,
    outcome: str,
    strengths: Sequence[tuple[float, float]],
    *,
    values=None,
    prob: float = 0.95,
    random_seed: int | None = None,
    fit_options: dict | None = None,
) -> pd.DataFrame:
    """The effect's posterior with a latent confounder of each given strength (one refit each).

    Parameters
    ----------
    fit : Fit
    treatment, outcome : str
    strengths : sequence of (treatment strength, outcome strength)
        Per sd of U: odds ratios for logit-link nodes, partial R2 for Normal nodes,
        link-scale coefficients otherwise. An outcome strength below 1 (odds ratio) or a
        negative coefficient makes U lower the outcome.
    values, prob, random_seed, fit_options :
        As in :func:`~causalbayes.sensitivity.refute.refute`.

    Returns
    -------
    pandas.DataFrame
        ``strength_t, strength_y, coef_t, coef_y, mean, sd, lower, upper, ok`` per strength.

    Examples
    --------
    One MCMC fit per strength (an odds ratio for a binary node, a partial R2 for a Normal
    one; here short chains):

    >>> from causalbayes.testing import example_fit
    >>> table = latent_sensitivity(example_fit(), "dilution", "coating", [(2.0, 0.1)],
    ...                            fit_options=dict(draws=100, tune=100, chains=1), random_seed=1)
    >>> len(table)
    1

    Strengths are checked before anything is refitted:

    >>> from causalbayes.testing import example_fit
    >>> from causalbayes.errors import QueryError
    >>> try:
    ...     latent_sensitivity(example_fit(), "dilution", "coating", [(-1.0, 0.1)])
    ... except QueryError as err:
    ...     print(err)
    strength for 'dilution' is an odds ratio: positive, got -1.0
    """
    options = {"draws": 500, "tune": 500, "chains": 2, **(fit_options or {})}
    seeds = np.random.SeedSequence(random_seed).generate_state(len(strengths))
    rows = []
    tail = (1 - prob) / 2
    for (s_t, s_y), seed in zip(strengths, seeds, strict=True):
        coefs = (_coefficient(fit, treatment, s_t), _coefficient(fit, outcome, s_y))
        scm = with_latent_confounder(fit.scm, treatment, outcome, coefficients=coefs)
        # diagnostics are reported in the "ok" column rather than warned about per strength
        refit = fit_scm(scm, fit.data, random_seed=int(seed % 2**31), warn=False, **options)
        # U is latent: the graph no longer identifies the effect; its strength is fixed, so
        # the answer is the sensitivity analysis's, not a prior's.
        query = ATE(treatment, outcome, values=values)
        effect = evaluate(query, refit, identification="ignore", diagnostics="ignore")
        x = effect.draws.values.ravel()
        lo, hi = np.quantile(x, [tail, 1 - tail])
        rows.append(
            {
                "strength_t": s_t,
                "strength_y": s_y,
                "coef_t": coefs[0],
                "coef_y": coefs[1],
                "mean": x.mean(),
                "sd": x.std(),
                "lower": lo,
                "upper": hi,
                "ok": refit.diagnostics.ok,
            }
        )
    return pd.DataFrame(rows)
