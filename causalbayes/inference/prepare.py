"""What ``fit`` does before it builds anything: check the arguments, encode, scale, pick the sampler.

No PyMC here, so a caller can learn that a model is conjugate (``sampler="exact"``)
and draw its closed-form posterior without importing PyMC or ArviZ
(``cb.ab_test``'s exact path); :func:`causalbayes.inference.sampling.fit` starts
with the same :func:`prepare_fit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from causalbayes.data.encode import EncodedData, encode_data
from causalbayes.data.scales import Scales, scales_from_data
from causalbayes.errors import ArgumentError, SpecError
from causalbayes.inference.options import _check_fit_options
from causalbayes.inference.samplers import SamplerInfo
from causalbayes.inference.samplers.exact import why_not_conjugate
from causalbayes.scm.scm import SCM


@dataclass(frozen=True)
class FitPlan:
    """The checked call: encoded data, data scales, the backend, and what the exact path reads."""

    encoded: EncodedData
    scales: Scales
    info: SamplerInfo
    draws: int
    chains: int
    random_seed: Any
    warn: bool
    missing: str


def prepare_fit(
    scm: SCM,
    data: pd.DataFrame,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    cores: int | None = None,
    target_accept: float = 0.8,
    random_seed: int | None = None,
    sampler: str = "auto",
    progressbar: bool = False,
    warn: bool = True,
    missing: str = "raise",
    queries: Sequence | None = None,
    blocks: bool | str = "auto",
    sufficient_stats: bool | str = "auto",
    **sample_kwargs: Any,
) -> FitPlan:
    """Check ``fit``'s arguments, encode the data, scale the priors and resolve the sampler.

    Takes exactly :func:`causalbayes.fit`'s arguments and defaults (tested);
    ``sampler="auto"`` resolves to ``"exact"`` for a conjugate model.

    Raises
    ------
    ArgumentError
        As ``fit`` does, before anything is built.
    SpecError
        ``sampler="exact"`` for a model that is not conjugate (saying why).

    Examples
    --------
    >>> import causalbayes as cb
    >>> ab = cb.SCM({"page": cb.Given(categorical=True),
    ...              "buy": cb.Bernoulli(["page"], link="identity", intercept=False)})
    >>> rows = cb.examples.ab_test_data({"A": 1, "B": 2}, {"A": 10, "B": 10})
    >>> prepare_fit(ab, rows.rename(columns={"purchase": "buy"})).info.name
    'exact'
    """
    n_rows = len(data) if hasattr(data, "__len__") else None
    options: dict[str, Any] = dict(
        draws=draws,
        tune=tune,
        chains=chains,
        cores=cores,
        target_accept=target_accept,
        random_seed=random_seed,
        extra=sample_kwargs,
    )
    info = _check_fit_options(sampler=sampler, n_rows=n_rows, **options)
    for name, value in (("blocks", blocks), ("sufficient_stats", sufficient_stats)):
        if not (isinstance(value, bool) or value == "auto"):
            raise ArgumentError(f"{name} must be True, False or 'auto', got {value!r}")
    encoded = encode_data(scm, data, missing=missing)
    scales = scales_from_data(encoded.scm, encoded)
    if sampler in ("auto", "exact"):
        reason = why_not_conjugate(encoded, scales)
        if sampler == "exact" and reason is not None:
            raise SpecError(
                f"sampler='exact' needs a conjugate model, and here {reason}; use "
                "sampler='auto' (NUTS for this model) or see causalbayes.inference.samplers.exact"
            )
        if reason is None:
            info = _check_fit_options(sampler=sampler, n_rows=n_rows, conjugate=True, **options)
    return FitPlan(encoded, scales, info, draws, chains, random_seed, warn, missing)


def used_columns(encoded: EncodedData) -> list[str]:
    """The data columns a fit keeps: observed nodes, then exogenous columns (trials, groups)."""
    nodes = encoded.scm.nodes
    return list(encoded.scm.observed) + [c for c in encoded.exog_columns if c not in nodes]


__all__ = ["FitPlan", "prepare_fit", "used_columns"]
