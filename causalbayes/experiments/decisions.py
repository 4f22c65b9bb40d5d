"""Decisions over posterior draws of k arms: lifts, probability to be best, expected loss, ROPE.

Input is draws shaped (draws, arms) from any model (exact conjugate draws here,
MCMC draws later); unequal arm sizes need nothing special, they show up as
wider posteriors. Where the arms' marginals are known (conjugate models), pass
``marginal=`` and the probabilities and expected losses are exact integrals;
intervals always come from the draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from causalbayes.errors import QueryError
from causalbayes.experiments import exact
from causalbayes.experiments._validate import arm_index, arm_labels, draws_matrix, probability
from causalbayes.experiments.summaries import hdi, hdi_label
from causalbayes.experiments.verdicts import rope_decision, write_verdict


@dataclass(frozen=True)
class Comparison:
    """Per-arm and per-pair decision tables and a plain-language verdict.

    Attributes
    ----------
    arms : pandas.DataFrame
        Per arm: mean, sd, HDI, ``p_best`` and ``expected_loss`` of choosing it.
    pairs : pandas.DataFrame
        Per pair ``"B - A"``: absolute and relative lift with HDIs, ``p_better``
        (B better than A), the expected losses of switching from A to B and of
        staying with A, ``p_in_rope`` and the ROPE ``decision`` (with ``rope``).
    choice : str
        The arm with the lowest expected loss.
    verdict : str
        What to conclude and why.
    settings : dict
        ``hdi_prob``, ``rope``, ``higher_is_better``, ``method`` ("exact" or "draws").
    """

    arms: pd.DataFrame
    pairs: pd.DataFrame
    choice: str
    verdict: str
    settings: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.verdict


def _rope(rope) -> tuple[float, float] | None:
    if rope is None:
        return None
    bounds = (-abs(float(rope)), abs(float(rope))) if np.isscalar(rope) else tuple(map(float, rope))
    if len(bounds) != 2 or not bounds[0] < bounds[1]:
        raise QueryError(
            f"rope must be a half-width > 0 or (low, high) with low < high, got {rope!r}"
        )
    return bounds


def _pairs(arms: tuple[str, ...], reference: int, which: str) -> list[tuple[int, int]]:
    """(i, j) pairs read "arm i - arm j"."""
    if which == "reference":
        return [(i, reference) for i in range(len(arms)) if i != reference]
    if which == "all":
        return [(i, j) for j in range(len(arms)) for i in range(j + 1, len(arms))]
    raise QueryError(f"pairs must be 'reference' or 'all', got {which!r}")


def compare_draws(
    draws,
    *,
    arms=None,
    reference=0,
    pairs: str = "reference",
    hdi_prob: float = 0.94,
    rope=None,
    higher_is_better: bool = True,
    marginal=None,
) -> Comparison:
    """Compare k arms from posterior draws shaped (draws, arms).

    Parameters
    ----------
    draws : array_like
        Posterior draws of each arm's quantity (rate, mean, revenue per visitor).
    arms : sequence of str, optional
        Arm names (default A, B, ...).
    reference : str or int
        The arm lifts are measured against (``pairs="reference"``).
    pairs : {"reference", "all"}
        Each arm against the reference, or every pair.
    hdi_prob : float
        Mass of the highest-density intervals.
    rope : float or (float, float), optional
        Region of practical equivalence for the absolute lift, in outcome units.
    higher_is_better : bool
        False for costs, churn, waiting times.
    marginal : Marginal, optional
        The arms' exact marginals (``posterior.marginal()``): exact probabilities
        and expected losses instead of Monte Carlo ones.

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial
    >>> post = beta_binomial([120, 150], [1000, 1000])
    >>> cmp = compare_draws(post.draws(20_000, random_seed=1), rope=0.005)
    >>> cmp.choice, round(float(cmp.pairs.loc["B - A", "p_better"]), 2)
    ('B', 0.97)
    """
    x = draws_matrix("draws", draws)
    labels = arm_labels(arms, x.shape[1])
    ref, hdi_prob, rope = (
        arm_index(labels, reference, "reference"),
        probability("hdi_prob", hdi_prob),
        _rope(rope),
    )
    sign = 1.0 if higher_is_better else -1.0
    if marginal is None:
        signed = sign * x
        p_best = np.bincount(signed.argmax(1), minlength=x.shape[1]) / x.shape[0]
        loss = (signed.max(1, keepdims=True) - signed).mean(0)
    else:
        p_best, best = exact.best_arm_integrals(marginal, higher_is_better=higher_is_better)
        loss = exact.loss_from_best(marginal, np.asarray(best)[..., None], higher_is_better)
    low, high = hdi(x, hdi_prob)
    key = hdi_label(hdi_prob)
    arm_table = pd.DataFrame(
        {
            "mean": x.mean(0),
            "sd": x.std(0),
            f"{key}_low": low,
            f"{key}_high": high,
            "p_best": p_best,
            "expected_loss": loss,
        },
        index=pd.Index(labels, name="arm"),
    )
    rows = [
        _pair_row(x, i, j, labels, sign, hdi_prob, rope, marginal)
        for i, j in _pairs(labels, ref, pairs)
    ]
    pair_table = pd.DataFrame(rows).set_index("pair") if rows else pd.DataFrame()
    choice = labels[int(np.argmin(loss))]
    settings = {
        "hdi_prob": hdi_prob,
        "rope": rope,
        "higher_is_better": higher_is_better,
        "method": "draws" if marginal is None else "exact",
        "draws": x.shape[0],
    }
    verdict = write_verdict(arm_table, pair_table, choice, settings)
    return Comparison(arm_table, pair_table, choice, verdict, settings)


def _pair_row(x, i, j, labels, sign, hdi_prob, rope, marginal) -> dict:
    diff = x[:, i] - x[:, j]
    key = hdi_label(hdi_prob)
    low, high = hdi(diff, hdi_prob)
    row = {
        "pair": f"{labels[i]} - {labels[j]}",
        "lift": diff.mean(),
        f"{key}_low": low,
        f"{key}_high": high,
    }
    if np.all(x[:, j] > 0):  # relative lift is defined only for a positive reference
        rel = x[:, i] / x[:, j] - 1
        rlow, rhigh = hdi(rel, hdi_prob)
        row |= {
            "relative_lift": rel.mean(),
            f"relative_{key}_low": rlow,
            f"relative_{key}_high": rhigh,
        }
    else:
        row |= {
            "relative_lift": np.nan,
            f"relative_{key}_low": np.nan,
            f"relative_{key}_high": np.nan,
        }
    if marginal is None:
        row["p_better"] = float(np.mean(sign * diff > 0))
        row["loss_switching"] = float(np.mean(np.maximum(-sign * diff, 0)))
        row["loss_staying"] = float(np.mean(np.maximum(sign * diff, 0)))
    else:
        deltas = [] if rope is None else list(rope)
        probs, best = exact.pair_integrals(marginal, i, j, deltas)
        means = marginal.mean()
        row["p_better"] = float(probs[0] if sign > 0 else 1 - probs[0])
        # choosing i over j loses E[max] - mean_i when higher is better, E[max] - mean_j if not
        gap_i, gap_j = float(best - means[i]), float(best - means[j])
        row["loss_switching"], row["loss_staying"] = (gap_i, gap_j) if sign > 0 else (gap_j, gap_i)
        if rope is not None:
            row["p_in_rope"] = float(probs[1] - probs[2])
    if rope is not None:
        if marginal is None:
            row["p_in_rope"] = float(np.mean((diff >= rope[0]) & (diff <= rope[1])))
        row["decision"] = rope_decision(low, high, rope, sign)
    return row


def compare_posterior(posterior, *, draws: int = 20_000, random_seed, **options) -> Comparison:
    """:func:`compare_draws` on a conjugate posterior: exact probabilities, intervals from draws.

    ``options`` are those of :func:`compare_draws` (``reference``, ``pairs``,
    ``hdi_prob``, ``rope``, ``higher_is_better``). Posteriors without closed-form
    marginals (the hurdle's revenue per visitor) use their exact draws throughout.

    Examples
    --------
    >>> from causalbayes.experiments.conjugate import beta_binomial, beta_prior
    >>> post = beta_binomial([1, 2], [10, 10], prior=beta_prior(0.1, 100))
    >>> cmp = compare_posterior(post, random_seed=1, rope=0.01)
    >>> round(float(cmp.pairs.loc["B - A", "p_better"]), 4), cmp.pairs.loc["B - A", "decision"]
    (0.5887, 'undecided')
    """
    marginal = posterior.marginal() if hasattr(posterior, "marginal") else None
    sample = posterior.draws(draws, random_seed=random_seed)
    return compare_draws(sample, arms=posterior.arms, marginal=marginal, **options)
