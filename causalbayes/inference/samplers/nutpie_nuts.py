"""nutpie: NUTS in Rust with a numba-compiled log density; chains run in threads."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import arviz as az
import pymc as pm

from causalbayes.inference.samplers import pymc_nuts


@contextmanager
def numba_quiet() -> Iterator[None]:
    """Without numba's ``NumbaPerformanceWarning`` (``np.dot()`` on a non-contiguous array).

    It is about the code PyTensor generates, so a user cannot act on it, and numba gives
    it once per process, in whichever fit first compiles that function.
    """
    from numba.core.errors import NumbaPerformanceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaPerformanceWarning)
        yield


def sample(model: pm.Model, **options: Any) -> az.InferenceData:
    """Sample ``model`` with nutpie through ``pm.sample(nuts_sampler="nutpie")``."""
    options.pop("cores", None)  # nutpie runs one thread per chain
    with numba_quiet():
        return pymc_nuts.sample(model, cores=None, nuts_sampler="nutpie", **options)
