"""Average a mean that is linear in the parameters over units before, not after, the draws.

An interventional mean ``sum_i w_ik E[Y_i | do(...)]`` costs draws x units to evaluate
draw by draw.  When every unit's mean is a sum of terms ``u_i * t``, ``t[c_i]`` or
``X_i . t`` -- ``u``, ``c``, ``X`` fixed per unit (data, intervention values, codes,
spline bases) and ``t`` a function of the parameters alone -- the weighted sum over units
can be taken first, once: ``sum_i w_ik u_i * t = (w' u)_k * t``.  Each draw then costs
O(terms) instead of O(units): the ATE of a linear-Gaussian outcome at a million rows
takes milliseconds per thousand draws instead of seconds.

This is exact algebra on the graph, not an approximation: :func:`linear_average` reads
the mean's graph and returns ``None`` (the caller averages draw by draw, as before)
for anything it does not recognise: links other than the identity, products of two
parameter-dependent unit-varying factors, regenerated random nodes, imputed entries,
custom mechanisms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pytensor.scalar as ps
import pytensor.tensor as pt
from pytensor.graph.traversal import ancestors
from pytensor.raise_op import Assert
from pytensor.tensor.elemwise import DimShuffle, Elemwise
from pytensor.tensor.math import Dot
from pytensor.tensor.random.op import RandomVariable
from pytensor.tensor.subtensor import (
    AdvancedSubtensor,
    AdvancedSubtensor1,
    advanced_inc_subtensor1,
)
from pytensor.tensor.variable import TensorVariable

#: Beyond this many terms the expansion of products stops paying (and says no).
MAX_TERMS = 64


class _NotLinear(Exception):
    """The mean is not a sum of fixed-per-unit times parameter-only terms."""


@dataclass(frozen=True)
class _Term:
    """One additive term ``unit * theta`` of a unit's mean.

    ``kind`` says how ``theta`` (parameters only) meets the unit:
    ``"scale"``: ``unit_i * theta`` (theta a scalar); ``"gather"``: ``unit_i * theta[index_i]``;
    ``"dot"``: ``unit_i * (matrix_i . theta)``.  ``unit`` holds no parameter (``None`` = 1).
    """

    kind: str
    theta: TensorVariable | None
    unit: TensorVariable | None = None
    index: TensorVariable | None = None
    matrix: TensorVariable | None = None

    def scaled(self, unit=None, theta=None) -> _Term:
        return _Term(
            self.kind,
            _times(self.theta, theta),
            _times(self.unit, unit),
            self.index,
            self.matrix,
        )


def _times(a, b):
    return b if a is None else a if b is None else a * b


def linear_average(
    mean: TensorVariable, weights: TensorVariable, varying: Iterable[TensorVariable]
):
    """``tensordot(weights, mean, [[0], [0]])`` with the unit sum taken first, or ``None``.

    Parameters
    ----------
    mean : TensorVariable, shape ``(units,)``
        Each unit's mean.
    weights : TensorVariable, shape ``(units, k)``
        Fixed per unit; weights that vary by draw (a Bayesian bootstrap) give ``None``.
    varying : variables
        Everything that changes from draw to draw (the posterior inputs); random
        variables in the graph count as varying too.

    Examples
    --------
    >>> import numpy as np, pytensor.tensor as pt
    >>> b = pt.scalar("b"); x = np.arange(4.0); w = pt.matrix("w", shape=(4, None))
    >>> averaged = linear_average(2.0 + b * x, w, [b])
    >>> float(averaged.eval({b: 3.0, w: np.full((4, 1), 0.25)})[0])  # 2 + 3 * mean(x)
    6.5
    >>> linear_average(pt.exp(b * x), w, [b]) is None
    True
    """
    split = _Split(set(varying))
    if mean.ndim != 1 or not split.fixed(weights):  # e.g. Bayesian-bootstrap weights per draw
        return None
    try:
        terms = split.terms(mean)
    except _NotLinear:
        return None
    return pt.add(*(_averaged(term, weights) for term in terms))


def _averaged(term: _Term, weights):
    """``sum_i weights_ik * term_i``, shape ``(k,)``.

    Every shape here comes from the weights or the codes: a shape read off a parameter
    would make the unit sums depend on the draws when the graph is vectorised.
    """
    w = weights
    if term.unit is not None:
        w = weights * pt.broadcast_to(term.unit, (weights.shape[0],))[:, None]
    if term.kind == "scale":
        total = w.sum(axis=0)
        return total if term.theta is None else total * pt.squeeze(term.theta)
    if term.kind == "gather":  # per level, the summed weights of its units
        codes, table = term.index, term.theta
        assert codes is not None and table is not None  # a gather term has both
        index = pt.as_tensor(Assert("category codes are >= 0")(codes, pt.all(codes >= 0)))
        levels = index.max() + 1  # from the codes: the table's own length varies with the draws
        counts = pt.as_tensor(
            advanced_inc_subtensor1(pt.zeros((levels, weights.shape[1])), w, index)
        )
        return pt.dot(counts.T, table[:levels])
    return pt.dot(pt.dot(w.T, term.matrix), term.theta)


class _Split:
    """Splits a graph into :class:`_Term` s, knowing which variables vary per draw."""

    def __init__(self, varying: set) -> None:
        self.varying = varying
        self._fixed: dict[TensorVariable, bool] = {}

    def fixed(self, var: TensorVariable) -> bool:
        """No parameter and no random draw upstream of ``var``."""
        if var not in self._fixed:
            upstream = ancestors([var], blockers=self.varying)
            self._fixed[var] = not any(
                v in self.varying
                or (v.owner is not None and isinstance(v.owner.op, RandomVariable))
                for v in upstream
            )
        return self._fixed[var]

    @staticmethod
    def unit_free(var: TensorVariable) -> bool:
        """The same for every unit: a scalar, or a vector broadcast along the units."""
        return var.ndim == 0 or (var.ndim == 1 and var.type.broadcastable[0])

    def terms(self, var: TensorVariable) -> list[_Term]:
        if self.fixed(var):
            return [_Term("scale", None, var)]
        if self.unit_free(var):
            return [_Term("scale", var)]
        node = var.owner
        if node is None:
            raise _NotLinear(var)
        op = node.op
        if isinstance(op, Elemwise):
            scalar = op.scalar_op
            if isinstance(scalar, ps.Add):
                return self._capped([t for v in node.inputs for t in self.terms(v)])
            if isinstance(scalar, ps.Sub):
                a, b = node.inputs
                return self.terms(a) + [t.scaled(unit=pt.constant(-1.0)) for t in self.terms(b)]
            if isinstance(scalar, ps.Neg):
                return [t.scaled(unit=pt.constant(-1.0)) for t in self.terms(node.inputs[0])]
            if isinstance(scalar, ps.Mul):
                return self._product(node.inputs)
            if isinstance(scalar, ps.TrueDiv):
                a, b = node.inputs
                if not (self.fixed(b) or self.unit_free(b)):
                    raise _NotLinear(b)
                return self._product([a, pt.reciprocal(b)])
        if isinstance(op, (AdvancedSubtensor1, AdvancedSubtensor)) and len(node.inputs) == 2:
            table, index = node.inputs
            # sum_i w_i table[c_i] = sum_l (sum_{i: c_i = l} w_i) table[l], whatever the table
            integer = index.dtype.startswith(("int", "uint"))  # codes, not a boolean mask
            if table.ndim == 1 and index.ndim == 1 and integer and self.fixed(index):
                return [_Term("gather", table, index=index)]
        matrix_times = self._matrix_times(var)
        if matrix_times is not None:
            return [matrix_times]
        raise _NotLinear(var)

    def _matrix_times(self, var: TensorVariable):
        """``X . theta`` as PyTensor writes a matrix-vector product (via a column)."""
        node = var.owner
        if isinstance(node.op, DimShuffle) and list(node.op.drop) == [1]:
            inner = node.inputs[0].owner
            if inner is not None and isinstance(inner.op, Dot):
                matrix, column = inner.inputs
                col = column.owner
                if (
                    matrix.ndim == 2
                    and self.fixed(matrix)
                    and col is not None
                    and isinstance(col.op, DimShuffle)
                    and list(col.op.augment) == [1]
                    and col.inputs[0].ndim == 1
                ):
                    return _Term("dot", col.inputs[0], matrix=matrix)
        if isinstance(node.op, Dot):
            matrix, vector = node.inputs
            if matrix.ndim == 2 and vector.ndim == 1 and self.fixed(matrix):
                return _Term("dot", vector, matrix=matrix)
        return None

    def _product(self, factors) -> list[_Term]:
        """Terms of a product: one factor may be a sum of terms, the others must be pure."""
        unit = theta = parts = None
        for factor in factors:
            if self.fixed(factor):
                unit = _times(unit, factor)
            elif self.unit_free(factor):
                theta = _times(theta, factor)
            elif parts is None:
                parts = self.terms(factor)
            else:  # two factors that vary by unit and by draw: not linear
                raise _NotLinear(factor)
        return [p.scaled(unit=unit, theta=theta) for p in parts or [_Term("scale", None)]]

    @staticmethod
    def _capped(terms: list[_Term]) -> list[_Term]:
        if len(terms) > MAX_TERMS:
            raise _NotLinear(terms)
        return terms
