"""Lift a model's data-derived numbers out of its compiled code.

Default priors, standardization factors and sufficient statistics are numbers
read from the data (:mod:`causalbayes.data.scales`).  Left as graph constants,
PyTensor fuses them into the C code of its elementwise kernels, so every new
data set compiles new C code: about 25 s for story 1, on every first fit of
any data.  As shared variables they are inputs of the same kernels, which the
on-disk compile cache then serves for every data set of the same shape of
model.  Values are unchanged: this is a change of storage only.
"""

from __future__ import annotations

from typing import TypeGuard

import numpy as np
import pymc as pm
import pytensor
from pytensor.graph.traversal import applys_between
from pytensor.tensor.variable import TensorConstant

#: Prefix of the lifted variables' names (nutpie needs every shared variable named).
PREFIX = "constant."


def lift_constants(model: pm.Model) -> None:
    """Replace, in place, the float scalar constants of ``model``'s graph by shared variables.

    0 and +-1 stay constants: PyTensor simplifies ``x * 1`` and ``x + 0`` away,
    and no number read from data is exactly one of them (shares and sds of
    observed columns are neither).  Arrays stay constants too: lifting a rotated block's Cholesky factor
    would make PyMC factor it again at every gradient (+50% per call, measured),
    while leaving it costs one small compile per new data set (its log
    determinant, folded into a scalar).
    """
    outputs = [*model.basic_RVs, *model.deterministics, *model.potentials]
    lifted: dict[int, pytensor.compile.SharedVariable] = {}
    for node in list(applys_between([], outputs)):
        for i, variable in enumerate(node.inputs):
            if _from_data(variable):
                if id(variable) not in lifted:
                    lifted[id(variable)] = pytensor.shared(
                        variable.data,  # constants are never written to: no copy
                        borrow=True,
                        name=f"{PREFIX}{len(lifted)}",
                        shape=variable.type.shape,
                    )
                node.inputs[i] = lifted[id(variable)]


def _from_data(variable) -> TypeGuard[TensorConstant]:
    if not isinstance(variable, TensorConstant):
        return False
    if variable.type.dtype not in ("float64", "float32") or variable.data.size != 1:
        return False
    value = float(variable.data.ravel()[0])
    return np.isfinite(value) and value not in (0.0, 1.0, -1.0)


__all__ = ["PREFIX", "lift_constants"]
