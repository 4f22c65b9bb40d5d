"""Conditional average effects: by subgroup, for covariate profiles, or setting a modifier.

Subgroup effects *condition* on the units' observed covariates:
``CATE(by="region")`` averages the unit effects of the units observed in each
region.  To *set* a covariate instead, intervene on it too (``mode="set"``):
every unit gets ``do(region = g)``, and what it causes changes with it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalbayes.errors import AssumptionWarning, QueryError
from causalbayes.estimands.averages import PairQuery, indicator_weights
from causalbayes.estimands.effect import Effect
from causalbayes.estimands.query import Plan, evaluate
from causalbayes.estimands.values import encode_value
from causalbayes.inference.fit import Fit


@dataclass(frozen=True)
class CATE(PairQuery):
    """Conditional average effects by subgroup, for covariate profiles, or setting a modifier.

    The query form of :func:`cate`.  Give ``by`` (a column of the fitted data,
    or labels per fitted row; with ``bins`` for a numeric column) or
    ``profiles`` (new units, a DataFrame or a dict).  ``mode="set"`` intervenes
    on ``by`` too, at its levels or ``at``.

    Parameters
    ----------
    treatment, outcome : str
        Node names.
    by : str or Series, optional
        The subgroups: a column of the fitted data, or one label per fitted row.
    profiles : DataFrame or dict, optional
        New units described by covariate values, instead of ``by``.
    values : (a, b), optional
        Treated and control values, as in :class:`ATE`.
    bins : int or sequence of float, optional
        Quantile bins (int) or edges for a numeric ``by``.
    mode : {"condition", "set"}
        Average over the units observed in each subgroup, or set ``by`` too.
    at : sequence, optional
        With ``mode="set"``: the values to set ``by`` to (default: its levels).
    population : bool or {"bootstrap", "model"}
        Which units to average over: the sample (False, default), a Bayesian
        bootstrap of it (True) or units drawn from the fitted mechanisms
        (``"model"``); see :func:`~causalbayes.ate`.

    Examples
    --------
    >>> import warnings
    >>> import causalbayes as cb
    >>> from causalbayes.testing import example_fit
    >>> query = cb.CATE("dilution", "coating", by="humid", bins=2)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # additive model: equal by construction
    ...     effect = cb.evaluate(query, example_fit())
    >>> effect.draws.sizes["humid"]
    2
    """

    by: Any = None
    profiles: Any = None
    values: Sequence[Any] | None = None
    bins: Any = None
    mode: str = "condition"
    at: Sequence[Any] | None = None
    population: bool | str = False
    estimand = "CATE"

    def set_nodes(self) -> set[str]:
        return {self.treatment, self.by} if self.mode == "set" else {self.treatment}

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
        weights = indicator_weights(masks, labels, f"subgroup(s) of {by!r}")
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
            arms=codes,
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
            arms=codes,
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
            arms=codes,
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
        if isinstance(bins, bool) or (isinstance(bins, (int, np.integer)) and bins < 1):
            raise QueryError(
                f"bins must be a positive number of bins or a list of edges, got {bins!r}"
            )
        column = _binned(column, bins)
    elif pd.api.types.is_float_dtype(column) and column.nunique() > 20:
        raise QueryError(f"{by!r} is continuous: give bins= (a number of quantile bins, or edges)")
    categories = column.astype("category")
    labels = list(categories.cat.categories)
    masks = np.stack([(categories == lab).to_numpy() for lab in labels], axis=1).astype(float)
    return labels, masks, by


def _binned(column: pd.Series, bins) -> pd.Series:
    if isinstance(bins, int | np.integer):
        return pd.qcut(column, int(bins), duplicates="drop")
    edges = np.atleast_1d(np.asarray(bins, dtype=object))
    numeric = all(isinstance(e, int | float | np.number) and np.isfinite(e) for e in edges)
    if not numeric or len(edges) < 2 or np.any(np.diff(edges.astype(float)) <= 0):
        raise QueryError(
            f"bins must be a number of quantile bins or at least two increasing edges, got {bins!r}"
        )
    return pd.cut(column, edges.astype(float), include_lowest=True)


__all__ = ["CATE", "cate"]
