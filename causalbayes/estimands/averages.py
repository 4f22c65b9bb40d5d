"""Averages of unit effects: ATE, ATT/ATU, CATE, contrasts among arms, controlled direct effects.

Each is a :class:`~causalbayes.estimands.query.Query` evaluated on one compiled
interventional mean.  Subgroup effects *condition* on the units' observed
covariates: ``CATE(by="region")`` averages the unit effects of the units
observed in each region.  To *set* a covariate instead, intervene on it too
(``mode="set"``): every unit gets ``do(region = g)``, and what it causes
changes with it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalbayes.errors import AssumptionWarning, QueryError
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import Plan, Query, evaluate
from causalbayes.estimands.values import encode_value, treatment_pair
from causalbayes.inference.fit import Fit


@dataclass(frozen=True)
class _Pair(Query):
    """A query about the effect of one treatment on one outcome."""

    treatment: str
    outcome: str

    @property
    def treatment_outcome(self) -> tuple[str, str]:
        return self.treatment, self.outcome

    def _values(self, fit: Fit, values) -> tuple[list, list]:
        observed = fit.encoded.values.get(self.treatment)
        return treatment_pair(fit.scm, self.treatment, values, observed)


@dataclass(frozen=True)
class ATE(_Pair):
    """Average treatment effect ``E[Y | do(T=a)] - E[Y | do(T=b)]``.

    ``values``: treated and control values (default 1 vs 0 for a yes/no
    treatment, second vs first level for two labels).  ``population``:
    False (the sample's units), True (a Bayesian bootstrap of them, see
    :func:`ate`) or ``"model"`` (``n`` units drawn from the fitted mechanisms).
    """

    values: Sequence[Any] | None = None
    population: bool | str = False
    n: int | None = None
    estimand = "ATE"

    def plan(self, fit: Fit) -> Plan:
        (a, b), codes = self._values(fit, self.values)
        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}={a})] - "
                f"E[{self.outcome} | do({self.treatment}={b})]"
            ),
            details={"values": [_plain(a), _plain(b)]},
            contrast=lambda mean: mean(codes[0]) - mean(codes[1]),
            worlds={"population": self.population, "n": self.n},
        )


@dataclass(frozen=True)
class ATT(_Pair):
    """Average effect among the units observed treated (their covariates as observed)."""

    values: Sequence[Any] | None = None
    population: bool | str = False
    estimand = "ATT"
    among = "treated"

    def plan(self, fit: Fit) -> Plan:
        (a, b), codes = self._values(fit, self.values)
        observed = fit.encoded.values.get(self.treatment)
        if observed is None:
            raise QueryError(
                f"{self.among} units are defined by the observed {self.treatment!r}, which is latent"
            )
        chosen = observed == (codes[0] if self.among == "treated" else codes[1])
        weights = _indicator_weights(chosen[:, None].astype(float), [self.among], "the group")
        shown = a if self.among == "treated" else b
        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}={a}) - do({self.treatment}={b}), "
                f"{self.treatment} observed {shown}]"
            ),
            details={"values": [a, b], "n_group": int(chosen.sum())},
            contrast=lambda mean: (mean(codes[0], weights) - mean(codes[1], weights)).isel(
                subgroup=0, drop=True
            ),
            worlds={"population": self.population},
        )


@dataclass(frozen=True)
class ATU(ATT):
    """Average effect among the units observed untreated."""

    estimand = "ATU"
    among = "untreated"


@dataclass(frozen=True)
class CATE(_Pair):
    """Conditional average effects by subgroup, for covariate profiles, or setting a modifier.

    Give ``by`` (a column of the fitted data, or labels per fitted row; with
    ``bins`` for a numeric column) or ``profiles`` (new units, a DataFrame or
    a dict).  ``mode="set"`` intervenes on ``by`` too, at its levels or ``at``.
    """

    by: Any = None
    profiles: Any = None
    values: Sequence[Any] | None = None
    bins: Any = None
    mode: str = "condition"
    at: Sequence[Any] | None = None
    population: bool | str = False
    estimand = "CATE"

    def plan(self, fit: Fit) -> Plan:
        (a, b), codes = self._values(fit, self.values)
        if (self.by is None) == (self.profiles is None):
            raise QueryError(
                "give either by= (subgroups of the fitted units) or profiles= (new units)"
            )
        if self.profiles is not None:
            return self._profiles(fit, a, b, codes)
        if self.mode == "set":
            return self._set(fit, a, b, codes)
        if self.mode != "condition":
            raise QueryError(f"mode must be 'condition' or 'set', got {self.mode!r}")
        labels, masks, by = _subgroups(fit, self.by, self.bins)
        weights = _indicator_weights(masks, labels, f"subgroup(s) of {by!r}")
        groups = (by, [str(lab) for lab in labels])
        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}={a})] - "
                f"E[{self.outcome} | do({self.treatment}={b})] given {by}"
            ),
            details={"values": [a, b], "by": by, "mode": "condition"},
            contrast=lambda mean: (
                mean(codes[0], weights, groups=groups) - mean(codes[1], weights, groups=groups)
            ),
            worlds={"population": self.population},
            notes=lambda d: self._constant(d, by, f"subgroup of {by!r}"),
        )

    def _profiles(self, fit: Fit, a, b, codes) -> Plan:
        profiles = self.profiles
        units = pd.DataFrame([profiles]) if isinstance(profiles, dict) else pd.DataFrame(profiles)
        if self.treatment in units.columns:
            units = units.drop(columns=self.treatment)  # the treatment is set, not observed
        if self.outcome in units.columns:
            raise QueryError(
                f"profiles describe units before the outcome: drop the {self.outcome!r} column"
            )
        eye = np.eye(len(units))
        groups = ("profile", [str(i) for i in units.index])
        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}={a}), profile] - "
                f"E[{self.outcome} | do({self.treatment}={b}), profile]"
            ),
            details={"values": [a, b], "mode": "profiles"},
            contrast=lambda mean: (
                mean(codes[0], eye, groups=groups) - mean(codes[1], eye, groups=groups)
            ),
            worlds={"units": units},
            notes=lambda d: self._constant(d, "profile", "profile"),
        )

    def _set(self, fit: Fit, a, b, codes) -> Plan:
        scm, by = fit.scm, self.by
        if not isinstance(by, str) or by not in scm:
            raise QueryError(f"mode='set' intervenes on {by!r}, which must be a node")
        if by in scm.dag.descendants(self.treatment):
            raise QueryError(
                f"{by!r} is caused by {self.treatment!r}: setting it would block part of the effect"
            )
        levels = list(self.at) if self.at is not None else scm[by].levels
        if levels is None:
            raise QueryError(
                f"{by!r} is numeric: say which values to set it to, e.g. at=[-1, 0, 1]"
            )
        settings = [encode_value(scm, by, level) for level in levels]

        def per_level(mean):  # one compiled graph: the modifier's value is an input too
            pieces = [
                mean(codes[0], also={by: code}) - mean(codes[1], also={by: code})
                for code in settings
            ]
            return xr.concat(pieces, dim=by).assign_coords({by: [str(v) for v in levels]})

        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}={a}, {by}=g)] - "
                f"E[{self.outcome} | do({self.treatment}={b}, {by}=g)]"
            ),
            details={"values": [a, b], "by": by, "mode": "set"},
            contrast=per_level,
            worlds={"also": {by: settings[0]}, "population": self.population},
            notes=lambda d: self._constant(d, by, f"value of {by!r}"),
        )

    def _constant(self, draws: xr.DataArray, dim: str, what: str) -> list[str]:
        """A note (and a warning) when the effect is identical across ``dim`` in every draw.

        Then the model's form, not the data, made the subgroups equal: e.g. a
        treatment that enters the outcome additively, with no interaction.
        """
        values = np.moveaxis(draws.values, draws.dims.index(dim), -1)
        if values.shape[-1] < 2:
            return []
        spread = values.max(axis=-1) - values.min(axis=-1)
        tolerance = 1e-9 * (np.abs(values).max() + float(np.std(values)) + 1e-300)
        if not np.all(spread <= tolerance):
            return []
        t, y = self.treatment, self.outcome
        note = (
            f"the effect is identical for every {what} in every posterior draw: in this model "
            f"{t!r} acts on {y!r} without interacting with anything that differs between them, "
            "so equal effects are an assumption of the model's form, not a finding. Add "
            f"interactions (e.g. interactions=['{t}:<modifier>'] on {y!r}) to let the data decide"
        )
        warnings.warn(note, AssumptionWarning, stacklevel=5)
        return [note]


@dataclass(frozen=True)
class Contrasts(_Pair):
    """Effects among k arms: each against a reference (default) or all pairs."""

    values: Sequence[Any] | None = None
    reference: Any = None
    pairs: str = "reference"
    population: bool | str = False
    estimand = "Contrasts"

    def plan(self, fit: Fit) -> Plan:
        node = fit.scm[self.treatment]
        values = self.values
        if values is None:
            if node.levels is None:
                raise QueryError(f"{self.treatment!r} has no levels: give values=[...] to compare")
            values = list(node.levels)
        values = list(values)
        if len(values) < 2:
            raise QueryError("contrasts need at least two treatment values")
        codes = {str(v): encode_value(fit.scm, self.treatment, v) for v in values}
        reference = str(values[0] if self.reference is None else self.reference)
        if reference not in codes:
            raise QueryError(f"reference {reference!r} is not among the values {list(codes)}")
        if self.pairs == "reference":
            chosen = [(v, reference) for v in codes if v != reference]
        elif self.pairs == "all":
            chosen = [(b, a) for a, b in combinations(codes, 2)]
        else:
            raise QueryError(f"pairs must be 'reference' or 'all', got {self.pairs!r}")

        def contrast(mean):
            means = {v: mean(code) for v, code in codes.items()}
            diffs = [means[x] - means[y] for x, y in chosen]
            return xr.concat(diffs, dim="contrast").assign_coords(
                contrast=[f"{x} - {y}" for x, y in chosen]
            )

        return Plan(
            description=(
                f"E[{self.outcome} | do({self.treatment}=x)] - "
                f"E[{self.outcome} | do({self.treatment}=y)]"
            ),
            details={"values": list(codes), "reference": reference},
            contrast=contrast,
            worlds={"population": self.population},
        )


@dataclass(frozen=True)
class CDE(Query):
    """Controlled direct effect ``E[Y | do(T=a, M=m)] - E[Y | do(T=b, M=m)]``, mediator held at ``at``."""

    treatment: str
    mediator: str
    outcome: str
    at: Any = 0.0
    values: Sequence[Any] | None = None
    population: bool | str = False
    estimand = "CDE"

    @property
    def treatment_outcome(self) -> tuple[str, str]:
        return self.treatment, self.outcome

    def nodes(self) -> tuple[str, ...]:
        return self.treatment, self.mediator, self.outcome

    def plan(self, fit: Fit) -> Plan:
        observed = fit.encoded.values.get(self.treatment)
        (a, b), codes = treatment_pair(fit.scm, self.treatment, self.values, observed)
        t, m, y = self.treatment, self.mediator, self.outcome
        return Plan(
            description=(
                f"E[{y} | do({t}={a}, {m}={self.at})] - E[{y} | do({t}={b}, {m}={self.at})]"
            ),
            details={"values": [a, b], "at": self.at},
            contrast=lambda mean: mean(codes[0]) - mean(codes[1]),
            worlds={
                "also": {m: encode_value(fit.scm, m, self.at)},
                "population": self.population,
            },
        )


# -- the same queries as functions of a fit ---------------------------------------------------
def ate(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    n: int | None = None,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Average treatment effect ``E[Y | do(T=a)] - E[Y | do(T=b)]`` as a posterior.

    Parameters
    ----------
    fit : Fit
    treatment, outcome : str
        Node names.
    values : (a, b), optional
        Treated and control values; default ``(1, 0)`` for a yes/no treatment
        and (second level, first level) for a two-level categorical one.
    population : bool or {"bootstrap", "model"}
        False (default): sample ATE, the units as observed (non-descendants of
        the treatment at their observed values, latent ones at their posterior
        draws), each weighing ``1/n``.  True (``"bootstrap"``): population
        ATE, the same units reweighted by a Bayesian bootstrap (flat Dirichlet
        weights, fresh for every draw), which adds the uncertainty about the
        covariate distribution without modelling it (given covariates need no
        model).  ``"model"``: every other node drawn from its fitted mechanism,
        for ``n`` units (default: as many as the data).
    identification : {"warn", "raise", "ignore"}
        When the graph does not identify ``P(outcome | do(treatment))``: warn
        (an :class:`~causalbayes.IdentificationWarning` with the posterior's
        contraction from its prior, also in ``details["contraction"]``), raise a
        ``QueryError``, or skip the check.
    diagnostics : {"warn", "raise", "ignore"}
        When the fit's sampler diagnostics failed: warn (a
        :class:`~causalbayes.DiagnosticsWarning`; the effect's ``summary()`` and
        ``warnings`` say so too), raise :class:`~causalbayes.DiagnosticsError`,
        or say nothing (the failure stays in ``details["diagnostics"]``).
    prior_draws : int
        Prior draws behind the contraction of a non-identified effect.
    random_seed : int, optional
        Seeds what is drawn afresh (regenerated mediators or units, bootstrap weights).

    Returns
    -------
    Effect
        Draws with dims ``(chain, draw)`` (a categorical outcome adds its levels).

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> effect = ate(example_fit(), "dilution", "coating")
    >>> round(effect.mean(), 2)
    -0.42
    """
    query = ATE(treatment, outcome, values=values, population=population, n=n)
    return evaluate(
        query,
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def att(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Average effect among the treated: the units whose *observed* treatment is the treated value.

    Options as in :func:`ate`.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> att(example_fit(), "dilution", "coating").estimand
    'ATT'
    """
    return evaluate(
        ATT(treatment, outcome, values=values, population=population),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def atu(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Average effect among the untreated (observed at the control value); see :func:`att`.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> atu(example_fit(), "dilution", "coating").estimand
    'ATU'
    """
    return evaluate(
        ATU(treatment, outcome, values=values, population=population),
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def cate(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    by: str | pd.Series | None = None,
    profiles: pd.DataFrame | dict | None = None,
    values: Sequence[Any] | None = None,
    bins: int | Sequence[float] | None = None,
    mode: str = "condition",
    at: Sequence[Any] | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Conditional average treatment effects by a subgroup column, or for covariate profiles.

    Parameters
    ----------
    by : str or Series
        A column of the fitted data (a node or an exogenous column such as a
        grouping column), or labels with one entry per fitted row (a named
        Series).  Numeric columns with many values need ``bins``.
    bins : int or sequence of edges, optional
        Cut a numeric ``by`` into quantile bins (int) or at the given edges.
    mode : {"condition", "set"}
        ``"condition"`` (default): average the unit effects over the units
        *observed* in each subgroup.  ``"set"``: intervene on ``by`` as well,
        ``do(by = g)`` for every unit, so what ``by`` causes changes with it.
    at : sequence, optional
        With ``mode="set"``: the values to set ``by`` to (default: its levels).
    profiles : DataFrame or dict, optional
        Instead of ``by``: new units described by covariate values (a dict for
        one unit); the effect for each, with every given column held and the
        rest (latent nodes, unlisted causes) drawn from the model.
    Other parameters
        As in :func:`ate`.

    Returns
    -------
    Effect
        Dims ``(chain, draw, <by>)``.  An effect identical in every subgroup
        in every draw (fixed by the model's form) is noted in ``warnings``.

    Examples
    --------
    >>> import warnings
    >>> from causalbayes.testing import example_fit
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # additive model: equal by construction
    ...     effect = cate(example_fit(), "dilution", "coating", by="humid", bins=2)
    >>> effect.draws.dims
    ('chain', 'draw', 'humid')
    """
    query = CATE(
        treatment, outcome, by=by, profiles=profiles, values=values, bins=bins, mode=mode,
        at=at, population=population,
    )  # fmt: skip
    return evaluate(
        query,
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def contrasts(
    fit: Fit,
    treatment: str,
    outcome: str,
    *,
    values: Sequence[Any] | None = None,
    reference: Any = None,
    pairs: str = "reference",
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """Effects among k arms: each against ``reference`` (default: the first) or all ``pairs``.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> contrasts(example_fit(), "dilution", "coating", values=[0, 1]).draws.dims
    ('chain', 'draw', 'contrast')
    """
    query = Contrasts(
        treatment, outcome, values=values, reference=reference, pairs=pairs, population=population
    )
    return evaluate(
        query,
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def controlled_direct_effect(
    fit: Fit,
    treatment: str,
    mediator: str,
    outcome: str,
    *,
    at: Any,
    values: Sequence[Any] | None = None,
    population: bool | str = False,
    identification: str = "warn",
    diagnostics: str = "warn",
    prior_draws: int = 500,
    random_seed: int | None = None,
) -> Effect:
    """``E[Y | do(T=a, M=m)] - E[Y | do(T=b, M=m)]``: the effect with the mediator held at ``at``.

    Examples
    --------
    >>> from causalbayes.testing import example_fit
    >>> controlled_direct_effect(example_fit(), "dilution", "humid", "coating", at=0.0).estimand
    'CDE'
    """
    query = CDE(treatment, mediator, outcome, at=at, values=values, population=population)
    return evaluate(
        query,
        fit,
        identification=identification,
        diagnostics=diagnostics,
        prior_draws=prior_draws,
        random_seed=random_seed,
    )


def _indicator_weights(masks: np.ndarray, labels: Sequence, what: str) -> np.ndarray:
    """Columns of equal weights over the units in each subgroup; refuses empty subgroups."""
    counts = masks.sum(axis=0)
    if np.any(counts == 0):
        empty = [str(lab) for lab, c in zip(labels, counts, strict=True) if c == 0]
        raise QueryError(f"no unit in {what} {empty}; drop those values")
    return masks / counts


def _subgroups(fit: Fit, by, bins) -> tuple[list, np.ndarray, str]:
    if isinstance(by, str):
        if by not in fit.data.columns:
            raise QueryError(
                f"subgroup column {by!r} is not in the fitted data (columns {list(fit.data.columns)}); "
                "pass the labels themselves, e.g. by=df['segment']"
            )
        column = fit.data[by]
    else:
        column = pd.Series(np.asarray(by), name=getattr(by, "name", None) or "subgroup")
        if len(column) != fit.encoded.n:
            raise QueryError(f"by has {len(column)} labels; the fit has {fit.encoded.n} rows")
        by = str(column.name)
    if bins is not None:
        column = (
            pd.qcut(column, bins)
            if isinstance(bins, int)
            else pd.cut(column, bins, include_lowest=True)
        )
    elif pd.api.types.is_float_dtype(column) and column.nunique() > 20:
        raise QueryError(f"{by!r} is continuous: give bins= (a number of quantile bins, or edges)")
    categories = column.astype("category")
    labels = list(categories.cat.categories)
    masks = np.stack([(categories == lab).to_numpy() for lab in labels], axis=1).astype(float)
    return labels, masks, by


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


__all__ = [
    "ATE",
    "ATT",
    "ATU",
    "CATE",
    "CDE",
    "Contrasts",
    "ate",
    "att",
    "atu",
    "cate",
    "contrasts",
    "controlled_direct_effect",
]
