"""Small data with a confounder ``u`` of treatment and outcome, and negative controls.

``correct`` models u as a cause of both; ``broken`` leaves u out of the outcome's
equation, so part of u's effect on y is reported as the treatment's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import causalbayes as cb

CORRECT = cb.SCM(
    {
        "x": cb.Given(),
        "u": cb.Given(),
        "t": cb.Bernoulli(["x", "u"]),
        "y": cb.Normal(["t", "x", "u"]),
    }
)
BROKEN = cb.SCM(
    {
        "x": cb.Given(),
        "u": cb.Given(),
        "t": cb.Bernoulli(["x", "u"]),
        "y": cb.Normal(["t", "x"]),
    }
)


def simulate(n: int = 300, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, u = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-(0.5 * x + 1.0 * u)))).astype(int)
    y = 1.0 * t + 0.5 * x + 1.0 * u + rng.normal(size=n)
    nco = 0.8 * u + rng.normal(size=n)  # shares u, not affected by t
    nce = 0.8 * u + rng.normal(size=n)  # shares u, does not affect y
    return pd.DataFrame({"x": x, "u": u, "t": t, "y": y, "nco": nco, "nce": nce})
