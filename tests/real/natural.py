"""The natural README path on a real data set: a graph, the data as shipped, one family.

``cb.SCM.from_graph(edges, df, families={outcome: ...})``: the confounders are roots,
so they are given (conditioned on, not modelled); the treatment is modelled from its
column's type; the outcome gets the regression design (squares of the continuous
confounders flagged in :mod:`datasets` as ``cb.Poly(c, 2)``), the same design the
references and the hand-written model use.
"""

from __future__ import annotations

import pandas as pd
from datasets import DATASETS

import causalbayes as cb


def natural_scm(name: str, df: pd.DataFrame, *, given_treatment: bool = False) -> cb.SCM:
    """The SCM a user would write; ``given_treatment`` also conditions on the treatment
    (the design of an outcome model alone)."""
    d = DATASETS[name]
    squares = [c for c, square in d.continuous.items() if square]
    family = cb.Bernoulli if d.binary_outcome else cb.Normal
    families = {
        d.outcome: family([d.treatment, *d.confounders], terms=[cb.Poly(c, 2) for c in squares])
    }
    families.update({c: cb.Given(categorical=True) for c in d.categorical})
    if given_treatment:
        families[d.treatment] = cb.Given()
    return cb.SCM.from_graph(d.dag, df, families=families)
