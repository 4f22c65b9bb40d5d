"""Raw units do not matter: the same data in other units gives the same answer, rescaled.

Inputs and outcome multiplied by 1e-6, 1 and 1e6 (micrograms to tonnes): NUTS sees
the same standardized posterior, so every fit converges alike and the effect
scales with the outcome's unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalbayes as cb

# one worker runs the module: its fits (module fixtures) are made once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scale-invariance")]

# the two ends and the middle (1e-3 and 1e3 passed alike too, at two more default fits)
FACTORS = (1e-6, 1.0, 1e6)


def raw_data(n: int = 800, seed: int = 7) -> pd.DataFrame:
    """Skewed income in dollars, age in years with a square term, a string region."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, size=n).astype(float)
    income = np.exp(rng.normal(10.3, 0.8, size=n))
    region = rng.choice(["north", "south", "west"], size=n)
    logit = -3 + 0.04 * age + 0.3 * np.log(income / 30_000)
    t = rng.binomial(1, 1 / (1 + np.exp(-logit)))
    y = (
        2_000
        + 500 * t
        + 40 * age
        - 0.3 * (age - 45) ** 2
        + 0.02 * income
        + 150 * (region == "south")
        + rng.normal(0, 400, size=n)
    )
    return pd.DataFrame({"age": age, "income": income, "region": region, "t": t, "y": y})


def _scm():
    return cb.SCM(
        {
            "age": cb.Given(),
            "income": cb.Given(),
            "region": cb.Given(),
            "t": cb.Bernoulli(["age", "income"]),
            "y": cb.Normal(["t", "age", "income", "region"], terms=[cb.Poly("age", 2)]),
        }
    )


@pytest.fixture(scope="module")
def effects():
    base = raw_data()
    out = {}
    for k in FACTORS:
        frame = base.assign(age=base.age * k, income=base.income * k, y=base.y * k)
        fit = cb.fit(_scm(), frame, random_seed=11)  # the defaults: 4 chains x 1000 draws
        out[k] = (fit.diagnostics, cb.ate(fit, "t", "y"))
    return out


@pytest.mark.parametrize("k", FACTORS)
def test_every_unit_converges_alike(effects, k):
    diagnostics, _ = effects[k]
    assert diagnostics.divergences == 0
    assert diagnostics.rhat_max <= 1.01
    assert diagnostics.ess_bulk_min >= 1000  # the same ESS class at every scale
    base = effects[1.0][0].ess_bulk_min
    assert 0.5 * base <= diagnostics.ess_bulk_min <= 2 * base


@pytest.mark.parametrize("k", FACTORS)
def test_the_effect_scales_with_the_outcome(effects, k):
    _, effect = effects[k]
    _, base = effects[1.0]
    assert effect.mean() / k == pytest.approx(base.mean(), abs=0.1 * base.sd())
    assert effect.sd() / k == pytest.approx(base.sd(), rel=0.1)
    assert 400 < base.mean() < 600  # and it is right: the true effect is 500
