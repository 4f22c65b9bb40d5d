"""Shared helpers: build a Fit from hand-made posterior draws, without MCMC.

Sampling is not the point of most tests; exact tests feed known draws
through the same code path a real fit uses.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

from causalbayes.testing import fake_fit

# Property tests draw the same examples on every run (seed everything): a failure in CI
# is then a failure on every machine, not a one-off draw.
settings.register_profile("causalbayes", derandomize=True)
settings.load_profile("causalbayes")


@pytest.fixture(name="fake_fit")
def fake_fit_fixture():
    return fake_fit


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)
