"""The causal quantities a study checks: the estimand queries themselves (``cb.ATE(...)``).

A study evaluates each query with :func:`causalbayes.estimands.draws` on the
posterior, on the true values and on prior draws, and splits the result into
one quantity per element.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from causalbayes.errors import QueryError
from causalbayes.estimands import Query, draws


def query_elements(query: Query, fit, random_seed: int | None = None) -> dict[str, np.ndarray]:
    """``{element label: draws shaped (chain, draw)}`` of ``query`` on ``fit`` (no checks)."""
    values = draws(query, fit, random_seed)
    names = [f"row {r}" for r in values.coords["row"].values] if "row" in values.dims else None
    return draw_elements(query.label, values, names)


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
                f"queries must be query objects, got {q!r}; e.g. cb.ATE('dilution', 'coating')"
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
