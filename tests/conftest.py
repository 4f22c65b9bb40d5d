"""Shared helpers: build a Fit from hand-made posterior draws, without MCMC.

Sampling is not the point of most tests; exact tests feed known draws
through the same code path a real fit uses.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

from causalbayes.scm.scm import SCM
from causalbayes.testing import assert_same_logp, assert_standardized_matches, fake_fit

# Property tests draw the same examples on every run (seed everything): a failure in CI
# is then a failure on every machine, not a one-off draw.
settings.register_profile("causalbayes", derandomize=True)
settings.load_profile("causalbayes")


def random_posterior(scm: SCM, rng: np.random.Generator, chains: int, draws: int) -> dict:
    """Standard-normal draws for every scalar parameter with a prior (positive for sigmas)."""
    post = {}
    for p in scm.parameters():
        if p.kind == "prior":
            post[p.name] = rng.normal(size=(chains, draws))
            if p.local == "sigma":
                post[p.name] = np.abs(post[p.name]) + 0.1
    return post


@pytest.fixture(name="fake_fit")
def fake_fit_fixture():
    return fake_fit


__all__ = ["assert_same_logp", "assert_standardized_matches", "fake_fit", "random_posterior"]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)
