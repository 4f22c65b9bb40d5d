"""Causal quantities a simulation study checks, as plain (picklable, hashable) data.

A study evaluates each query twice per simulation: on the posterior, and on
the true SCM (a one-draw "posterior" holding the true values), so the truth
of an estimand is computed under ``do`` exactly as the estimate is.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from causalbayes import estimands
from causalbayes.errors import QueryError
from causalbayes.scm.naming import UNIT_DIM

#: Fit methods a study can check; each returns an Effect (counterfactual: per-unit values).
QUERY_METHODS = (
    "ate",
    "att",
    "atu",
    "cate",
    "contrasts",
    "dose_response",
    "shift_effect",
    "average_marginal_effect",
    "controlled_direct_effect",
    "mediation",
    "counterfactual",
)


class Query:
    """One causal query of a simulation study: a ``Fit`` method and its arguments.

    Parameters
    ----------
    method : str
        A ``Fit`` method: ``"ate"``, ``"att"``, ``"atu"``, ``"cate"``,
        ``"contrasts"``, ``"dose_response"``, ``"shift_effect"``,
        ``"average_marginal_effect"``, ``"controlled_direct_effect"``,
        ``"mediation"`` or ``"counterfactual"``.
    *args, **options
        Its arguments, as for the method (plain values: names, numbers, lists).
        For ``"counterfactual"``: ``rows=[...]`` (positions of the simulated
        units), ``node=`` (the node whose counterfactual value is checked)
        and the action, e.g. ``dilution=1``.
    label : str, optional
        Name in result tables; default e.g. ``"ate(dilution, coating)"``.
        Effects with several elements (a CATE per group, a dose-response grid,
        several units) get ``[element]`` appended.

    Examples
    --------
    >>> Query("ate", "dilution", "coating").label
    'ate(dilution, coating)'
    >>> Query("dose_response", "dose", "y", grid=[0.5, 1.0]).label
    'dose_response(dose, y, grid=[0.5, 1.0])'
    >>> Query("counterfactual", rows=[0], node="coating", dilution=1).label
    'coating | do(dilution=1)'
    >>> Query("predict", "x", "y")
    Traceback (most recent call last):
    ...
    causalbayes.errors.QueryError: a study cannot check 'predict'; queries are ate, att, atu, cate, contrasts, dose_response, shift_effect, average_marginal_effect, controlled_direct_effect, mediation, counterfactual
    """

    __slots__ = ("args", "label", "method", "options")

    def __init__(self, method: str, *args: Any, label: str | None = None, **options: Any):
        if method not in QUERY_METHODS:
            raise QueryError(
                f"a study cannot check {method!r}; queries are {', '.join(QUERY_METHODS)}"
            )
        if method == "counterfactual":
            if args or "node" not in options or "rows" not in options:
                raise QueryError(
                    "a counterfactual query takes rows=[positions], node='name' and the action "
                    "as keywords, e.g. Query('counterfactual', rows=[0], node='y', t=1)"
                )
            options["rows"] = [int(r) for r in options["rows"]]
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "args", tuple(args))
        object.__setattr__(self, "options", dict(sorted(options.items())))
        object.__setattr__(self, "label", label or self._default_label())

    def __setattr__(self, name, value):
        raise AttributeError("Query is immutable")

    @property
    def treatment_outcome(self) -> tuple[str, str] | None:
        """(treatment, outcome) whose identification the study checks first."""
        if self.method == "counterfactual":
            return None
        if self.method in ("controlled_direct_effect", "mediation"):
            return self.args[0], self.args[2]
        return self.args[0], self.args[1]

    def key(self) -> str:
        """A stable text form (for cache keys)."""
        return json.dumps([self.method, self.args, self.options, self.label], default=_plain)

    def evaluate(self, fit, random_seed: int | None = None) -> dict[str, np.ndarray]:
        """``{element label: draws shaped (chain, draw)}`` of this query on ``fit``.

        The identification check is skipped here (a study checks it once).
        """
        if self.method == "counterfactual":
            options = dict(self.options)
            rows, node = options.pop("rows"), options.pop("node")
            # all fitted rows (latent parents are known only for them), then the chosen ones
            counterfactuals = estimands.counterfactual(
                fit, random_seed=random_seed, diagnostics="ignore", **options
            )
            values = counterfactuals.values[node]
            result = values.isel({UNIT_DIM: rows})
            labels = [f"row {r}" for r in rows]
            return draw_elements(self.label, result, labels if len(rows) > 1 else None)
        function = getattr(estimands, self.method)
        # a study checks identification once, and records each fit's diagnostics itself
        extra = {"identification": "ignore", "diagnostics": "ignore", "random_seed": random_seed}
        accepted = inspect.signature(function).parameters
        open_ended = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
        extra = {k: v for k, v in extra.items() if k in accepted or open_ended}
        effect = function(fit, *self.args, **self.options, **extra)
        return draw_elements(self.label, effect.draws)

    def _default_label(self) -> str:
        if self.method == "counterfactual":
            action = ", ".join(
                f"{k}={v}" for k, v in self.options.items() if k not in ("rows", "node")
            )
            return f"{self.options['node']} | do({action})"
        parts = [str(a) for a in self.args]
        parts += [f"{k}={v}" for k, v in self.options.items()]
        return f"{self.method}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Query) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        return f"Query({self.label!r})"

    def __reduce__(self):
        return (_rebuild, (self.method, self.args, self.options, self.label))


def _rebuild(method, args, options, label) -> Query:
    return Query(method, *args, label=label, **options)


def as_queries(queries: Sequence[Query | str] | Query | None) -> tuple[Query, ...]:
    """Normalise the ``queries=`` argument; strings are not accepted (say what to build)."""
    if queries is None:
        return ()
    if isinstance(queries, Query):
        return (queries,)
    out = []
    for q in queries:
        if not isinstance(q, Query):
            raise QueryError(
                f"queries must be cb.Query objects, got {q!r}; e.g. cb.Query('ate', 'dilution', 'coating')"
            )
        out.append(q)
    labels = [q.label for q in out]
    if len(set(labels)) != len(labels):
        raise QueryError(f"queries need distinct labels, got {labels}; pass label=...")
    return tuple(out)


def draw_elements(label: str, draws: xr.DataArray, names: list[str] | None = None):
    """Split draws ``(chain, draw, *extra)`` into one ``(chain, draw)`` array per element."""
    extra = [d for d in draws.dims if d not in ("chain", "draw")]
    if not extra:
        return {label: np.asarray(draws.transpose("chain", "draw").values, dtype=float)}
    stacked = draws.stack(element=extra).transpose("element", "chain", "draw")
    if names is None:
        names = [
            ", ".join(str(v) for v in (key if isinstance(key, tuple) else (key,)))
            for key in stacked.indexes["element"]
        ]
    return {
        f"{label}[{name}]": np.asarray(values, dtype=float)
        for name, values in zip(names, stacked.values, strict=True)
    }


def _plain(value: Any) -> Any:
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)}"
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
