"""nutpie: NUTS in Rust with a numba-compiled log density; chains run in threads."""

from __future__ import annotations

from typing import Any

import arviz as az
import pymc as pm

from causalbayes.inference.samplers import pymc_nuts


def sample(model: pm.Model, **options: Any) -> az.InferenceData:
    """Sample ``model`` with nutpie through ``pm.sample(nuts_sampler="nutpie")``."""
    options.pop("cores", None)  # nutpie runs one thread per chain
    return pymc_nuts.sample(model, cores=None, nuts_sampler="nutpie", **options)
