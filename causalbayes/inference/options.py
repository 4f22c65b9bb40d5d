"""Check ``fit``'s arguments before anything is built: every mistake a typed error.

PyMC's ``pm.sample`` (behind the NUTS backends) swallows keywords it does not know,
and its external samplers ignore most of the ones it does, so a misspelt option
would silently do nothing.  Each backend therefore accepts an explicit list of
extra keywords (what it passes on and what takes effect there); anything else is
refused with the valid names and the closest match.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from causalbayes.errors import ArgumentError
from causalbayes.inference.samplers import SamplerInfo, resolve_sampler

#: Extra keywords of ``fit`` each backend accepts (see ``samplers/*.py``): PyMC's NUTS
#: takes ``pm.sample``'s own options (and NUTS's ``max_treedepth``); nutpie takes its
#: options through ``nuts_sampler_kwargs`` (PyMC warns that it ignores ``initvals`` and
#: ``idata_kwargs``); numpyro/blackjax take ``nuts_sampler_kwargs``, ``initvals`` and
#: ``idata_kwargs``; ADVI its three settings.
BACKEND_OPTIONS: dict[str, frozenset[str]] = {
    "pymc": frozenset(
        {
            "init",
            "initvals",
            "n_init",
            "jitter_max_retries",
            "max_treedepth",
            "idata_kwargs",
            "compile_kwargs",
            "blas_cores",
            "mp_ctx",
            "callback",
            "quiet",
        }
    ),  # fmt: skip
    "nutpie": frozenset({"nuts_sampler_kwargs"}),
    "numpyro": frozenset({"nuts_sampler_kwargs", "initvals", "idata_kwargs"}),
    "blackjax": frozenset({"nuts_sampler_kwargs", "initvals", "idata_kwargs"}),
    "advi": frozenset({"batch_size", "iterations", "learning_rate"}),
    "exact": frozenset(),
}
#: ``fit``'s own keywords: a misspelling of one of them is suggested too.
FIT_KEYWORDS = (
    "draws", "tune", "chains", "cores", "target_accept", "random_seed", "sampler",
    "progressbar", "warn", "missing", "queries", "blocks", "sufficient_stats",
)  # fmt: skip


def _check_fit_options(
    *,
    sampler: str,
    n_rows: int | None,
    draws: Any,
    tune: Any,
    chains: Any,
    cores: Any,
    target_accept: Any,
    random_seed: Any,
    extra: Mapping[str, Any],
    conjugate: bool = False,
) -> SamplerInfo:
    """Refuse a bad argument of ``fit`` with an :class:`~causalbayes.errors.ArgumentError`.

    Returns the backend ``sampler`` resolves to (``"auto"`` depends on ``n_rows`` and
    on whether the model is ``conjugate``).
    Nothing is modified.

    Examples
    --------
    >>> opts = dict(sampler="pymc", n_rows=10, draws=100, tune=0, chains=2, cores=None,
    ...             target_accept=0.9, random_seed=1, extra={})
    >>> _check_fit_options(**opts).name
    'pymc'
    >>> _check_fit_options(**{**opts, "extra": {"max_tree_depth": 12}})
    Traceback (most recent call last):
    ...
    causalbayes.errors.ArgumentError: fit() got an unexpected keyword argument 'max_tree_depth' (did you mean 'max_treedepth'?); with sampler 'pymc' the extra keywords are ['blas_cores', 'callback', 'compile_kwargs', 'idata_kwargs', 'init', 'initvals', 'jitter_max_retries', 'max_treedepth', 'mp_ctx', 'n_init', 'quiet']
    """
    _whole("draws", draws, minimum=1)
    _whole("tune", tune, minimum=0)
    _whole("chains", chains, minimum=1)
    if cores is not None:
        _whole("cores", cores, minimum=1, none_ok=True)
    if not _real(target_accept) or not 0 < target_accept < 1:
        raise ArgumentError(
            f"target_accept must be a number strictly between 0 and 1, got {target_accept!r}; "
            "the default is 0.8, raise it towards 0.95 against divergences"
        )
    _check_seed(random_seed)
    info = resolve_sampler(sampler, n_rows=n_rows, conjugate=conjugate)
    _check_extra(info, sampler, n_rows, extra)
    return info


def _real(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, (bool, np.bool_))
        and math.isfinite(value)
    )


def _is_whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _whole(name: str, value: Any, *, minimum: int, none_ok: bool = False) -> None:
    if not _is_whole(value) or value < minimum:
        allowed = " (or None)" if none_ok else ""
        whole_float = _real(value) and float(value).is_integer() and value >= minimum
        fix = f"; pass int({value!r})" if whole_float else ""
        raise ArgumentError(
            f"{name} must be a whole number >= {minimum}{allowed}, got {value!r}{fix}"
        )


def _check_seed(seed: Any) -> None:
    if seed is None or isinstance(seed, np.random.Generator):
        return
    if not _is_whole(seed) or seed < 0:
        raise ArgumentError(
            f"random_seed must be a whole number >= 0, a numpy Generator or None, got {seed!r}; "
            "e.g. random_seed=1"
        )


def _check_extra(info: SamplerInfo, asked: str, n_rows: int | None, extra: Mapping[str, Any]):
    valid = BACKEND_OPTIONS[info.name]
    for name, value in extra.items():
        if name not in valid:
            close = difflib.get_close_matches(name, [*valid, *FIT_KEYWORDS], n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            chosen = (
                f"sampler='auto' chose {info.name!r} for {n_rows} rows; with it"
                if asked == "auto"
                else f"with sampler {info.name!r}"
            )
            others = [s for s, names in BACKEND_OPTIONS.items() if name in names]
            elsewhere = f"; {name!r} is an option of sampler {others}" if others else ""
            raise ArgumentError(
                f"fit() got an unexpected keyword argument {name!r}{hint}; {chosen} the extra "
                f"keywords are {sorted(valid)}{elsewhere}"
            )
        _check_value(name, value)


def _check_value(name: str, value: Any) -> None:
    if name == "batch_size" and value is not None:
        _whole(name, value, minimum=1, none_ok=True)
    elif name == "iterations":
        _whole(name, value, minimum=1)
    elif name == "learning_rate" and (not _real(value) or value <= 0):
        raise ArgumentError(f"learning_rate must be a positive number, got {value!r}; e.g. 0.01")
    elif name in {"nuts_sampler_kwargs", "idata_kwargs", "compile_kwargs"} and not isinstance(
        value, Mapping
    ):
        raise ArgumentError(f"{name} must be a dict of options, got {value!r}")


__all__ = ["BACKEND_OPTIONS", "FIT_KEYWORDS"]
