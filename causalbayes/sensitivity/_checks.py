"""What each refutation refits: a changed SCM, changed data and the query to read off.

Each builder is a pure function of the fit's SCM and data, the query and a numpy
Generator, and returns a :class:`Job` (plain, picklable data). Checks follow DoWhy's
refuters; the placebo drawn from the propensity and the dummy outcome built from the
pre-treatment columns keep the observed confounding and remove only the effect, so a
model that leaves such a confounder out of the outcome's equation shows an effect
where there is none.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from causalbayes.errors import DataError, QueryError
from causalbayes.scm import SCM, Bernoulli, Given, Normal
from causalbayes.sensitivity._design import design_matrix


@dataclass(frozen=True)
class Job:
    """One refit: ``scm`` on ``data``, then the ATE of ``treatment`` on ``outcome``."""

    check: str
    scm: Any
    data: pd.DataFrame
    treatment: str
    outcome: str
    values: tuple | None
    expected: str  # "zero" or "unchanged"
    note: str
    fraction: float = 1.0


def descendants(scm, name: str) -> set[str]:
    """Nodes with a directed path from ``name`` (``name`` excluded)."""
    children: dict[str, set[str]] = {n: set() for n in scm.nodes}
    for child, node in scm.nodes.items():
        for parent in node.parents:
            children.setdefault(parent, set()).add(child)
    out, stack = set(), [name]
    while stack:
        for c in children.get(stack.pop(), ()):
            if c not in out:
                out.add(c)
                stack.append(c)
    return out


def pre_treatment(scm, data: pd.DataFrame, treatment: str, extra: Sequence[str]) -> list[str]:
    """Observed columns that the treatment cannot affect: its non-descendants, plus ``extra``."""
    after = descendants(scm, treatment) | {treatment}
    cols = [n for n, node in scm.nodes.items() if n not in after and not node.latent]
    cols = [c for c in cols if c in data.columns]
    for c in extra:
        if c not in data.columns:
            raise DataError(f"covariate {c!r} is not a column of the fit's data")
        if c not in cols:
            cols.append(c)
    return cols


def _binary(values: pd.Series) -> bool:
    return set(pd.unique(values.astype(float))) <= {0.0, 1.0}


def _regress(target: pd.Series, X: pd.DataFrame, rng, exclude: str | None = None) -> np.ndarray:
    """A draw of ``target`` from its regression on ``X``: Bernoulli with logistic probabilities
    for 0/1 data, else the linear fit plus permuted residuals. ``exclude``: a regressor
    fitted but left out of the draw (its effect removed)."""
    import statsmodels.api as sm

    y = target.astype(float).to_numpy()
    keep = X.drop(columns=[exclude]) if exclude else X
    if _binary(target):
        # separation only makes the redrawn values more extreme: still a valid placebo
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.filterwarnings("ignore", message=".*separation")
            res = sm.GLM(y, X, family=sm.families.Binomial()).fit()
        eta = keep.to_numpy() @ res.params[keep.columns].to_numpy()
        return (rng.random(len(y)) < 1 / (1 + np.exp(-eta))).astype(float)
    coef, *_ = np.linalg.lstsq(X.to_numpy(), y, rcond=None)
    coef = pd.Series(coef, index=X.columns)
    resid = y - X.to_numpy() @ coef.to_numpy()
    return keep.to_numpy() @ coef[keep.columns].to_numpy() + rng.permutation(resid)


def placebo(scm, data, t, y, values, rng, covariates) -> Job:
    permuted = data.assign(**{t: rng.permutation(data[t].to_numpy())})
    note = "treatment permuted: no effect, and no confounding left"
    return Job("placebo", scm, permuted, t, y, values, "zero", note)


def placebo_propensity(scm, data, t, y, values, rng, covariates) -> Job:
    cols = pre_treatment(scm, data, t, covariates)
    X, _ = design_matrix(data, cols)
    new = data.assign(**{t: _regress(data[t], X, rng).astype(data[t].dtype)})
    note = f"treatment redrawn from its regression on {cols}: confounded like it, no effect"
    return Job("placebo_propensity", scm, new, t, y, values, "zero", note)


def random_common_cause(scm, data, t, y, values, rng, covariates) -> Job:
    name = _fresh("random_common_cause", data)
    nodes = dict(scm.nodes)
    nodes[name] = Given()
    # a given node is data: it takes no parents (a given treatment gets no new cause)
    children = [c for c in (t, y) if not nodes[c].is_given]
    for child in children:
        nodes[child] = dataclasses.replace(nodes[child], parents=(*nodes[child].parents, name))
    new = data.assign(**{name: rng.normal(size=len(data))})
    note = f"independent noise {name!r} added as a cause of {' and '.join(children)}"
    return Job("random_common_cause", SCM(nodes), new, t, y, values, "unchanged", note)


def subset(scm, data, t, y, values, rng, covariates, fraction: float = 0.8) -> Job:
    rows = np.sort(rng.choice(len(data), size=int(round(fraction * len(data))), replace=False))
    note = f"refit on a random {fraction:.0%} of the rows"
    new = data.iloc[rows].reset_index(drop=True)
    return Job("subset", scm, new, t, y, values, "unchanged", note, fraction)


def dummy_outcome(scm, data, t, y, values, rng, covariates) -> Job:
    cols = pre_treatment(scm, data, t, covariates)
    X, _ = design_matrix(data, [t, *cols])
    new = data.assign(**{y: _regress(data[y], X, rng, exclude=t).astype(data[y].dtype)})
    note = f"outcome redrawn from its regression on {cols} with the treatment's term removed"
    return Job("dummy_outcome", scm, new, t, y, values, "zero", note)


def negative_control_outcome(scm, data, t, y, values, name: str) -> Job:
    _check_control(scm, data, name)
    drop = descendants(scm, y) | {y}
    nodes = {n: node for n, node in scm.nodes.items() if n not in drop}
    family = Bernoulli if _binary(data[name]) else Normal
    nodes[name] = family(list(scm.nodes[y].parents))
    note = f"{name!r}, which the treatment does not affect, as the outcome (same adjustment)"
    return Job("negative_control_outcome", SCM(nodes), data, t, name, values, "zero", note)


def negative_control_exposure(scm, data, t, y, name: str) -> Job:
    _check_control(scm, data, name)
    nodes = dict(scm.nodes)
    nodes[name] = Given()
    nodes[y] = dataclasses.replace(nodes[y], parents=(*nodes[y].parents, name))
    col = data[name].astype(float)
    values = (1, 0) if _binary(col) else (float(col.mean() + col.std()), float(col.mean()))
    note = f"{name!r}, which does not affect the outcome, as an extra cause of it"
    return Job("negative_control_exposure", SCM(nodes), data, name, y, values, "zero", note)


def _check_control(scm, data, name: str) -> None:
    if name in scm.nodes:
        raise QueryError(
            f"negative control {name!r} is already a node of the SCM; name a data column "
            "that the SCM does not model"
        )
    if name not in data.columns:
        raise DataError(f"negative control {name!r} is not a column of the fit's data")


def _fresh(base: str, data: pd.DataFrame) -> str:
    name, i = base, 1
    while name in data.columns:
        name, i = f"{base}_{i}", i + 1
    return name


BUILDERS = {
    "placebo": placebo,
    "placebo_propensity": placebo_propensity,
    "random_common_cause": random_common_cause,
    "subset": subset,
    "dummy_outcome": dummy_outcome,
}
