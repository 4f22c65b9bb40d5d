"""A conditioned model whose data and number of units can change after compiling.

``pm.observe`` binds each observed node to a pytensor shared variable, and the
generative model's constant unit counts (``pt.zeros((n,))`` in the linear
predictors) are rewired to the model's ``unit`` dim length, itself a shared
variable.  New data then only means new values for shared variables: compiled
log-density functions are reused as they are.  The rewrite happens on PyMC's
model graph (``fgraph_from_model``), so the compile layer stays untouched.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
from pymc.model.fgraph import fgraph_from_model, model_from_fgraph
from pytensor.graph import FunctionGraph
from pytensor.graph.basic import Constant
from pytensor.graph.traversal import ancestors
from pytensor.tensor.basic import Alloc

from causalbayes.compile import build_model
from causalbayes.data.encode import EncodedData
from causalbayes.data.scales import Scales
from causalbayes.inference.blocks import data_nodes
from causalbayes.scm.naming import UNIT_DIM


@dataclass(frozen=True)
class SharedDataModel:
    """The conditioned model plus the shared variables that hold its data."""

    model: pm.Model
    observed: dict[str, pytensor.compile.SharedVariable]  # node -> its data (given nodes too)
    unit_length: pytensor.compile.SharedVariable
    variable_length: bool  # False: only data with the template's number of rows fit

    def data_updates(self, encoded: EncodedData) -> dict[str, np.ndarray]:
        """Shared-variable name -> new value, for ``encoded`` data."""
        updates = {
            v.name: self._value(v, encoded.values[node]) for node, v in self.observed.items()
        }
        updates[self.unit_length.name] = np.asarray(encoded.n, dtype=self.unit_length.dtype)
        return updates

    def set_data(self, encoded: EncodedData) -> None:
        """Put ``encoded`` into the shared variables (and the ``unit`` coordinate)."""
        for node, variable in self.observed.items():
            variable.set_value(self._value(variable, encoded.values[node]))
        self.model.set_dim(UNIT_DIM, encoded.n, coord_values=range(encoded.n))

    @staticmethod
    def _value(variable, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=variable.type.dtype)  # PyMC keeps integer data as int32


def shared_data_model(
    encoded: EncodedData, scales: Scales, nodes: Collection[str] | None = None
) -> SharedDataModel:
    """Build the conditioned model of ``encoded.scm`` with its data in shared variables.

    ``nodes``: the model of one block of a factorized posterior (the mechanisms of
    ``nodes``; the parents they read from other blocks are data, like given nodes).
    """
    scm, n = encoded.scm, encoded.n
    exog = dict(encoded.exog)
    if nodes is not None:
        exog.update(data_nodes(encoded, nodes))
    model = build_model(scm, n=n, scales=scales, exog=exog, nodes=nodes)
    modelled = set(scm.modelled if nodes is None else nodes)
    observed = {
        node: pytensor.shared(encoded.values[node], name=f"{node}__observed", shape=(None,))
        for node in scm.observed
        if node in modelled
    }
    conditioned = pm.observe(model, observed)
    fgraph, _ = fgraph_from_model(conditioned, inlined_views=True)
    unit = fgraph._dim_lengths[UNIT_DIM]
    other_lengths = {len(c) for d, c in fgraph._coords.items() if d != UNIT_DIM}
    replacements = {}
    if n not in other_lengths:  # else a constant n could be a level count: leave them alone
        for node in fgraph.apply_nodes:
            shape = node.inputs[1:]
            if isinstance(node.op, Alloc) and shape and _is_constant(shape[0], n):
                replacements[node.outputs[0]] = pt.alloc(node.inputs[0], unit, *shape[1:])
    outputs = pytensor.clone_replace(fgraph.outputs, replacements, rebuild_strict=False)
    rebuilt = FunctionGraph(outputs=outputs, clone=False)
    rebuilt._coords, rebuilt._dim_lengths = fgraph._coords, fgraph._dim_lengths
    final = model_from_fgraph(rebuilt, mutate_fgraph=True)
    latent = any(scm[v].latent for v in scm.nodes)
    variable = not latent and not encoded.exog and not _mentions_length(final, n)
    # given nodes and other blocks' nodes are pm.Data: shared already
    read = [v for v in scm.nodes if v not in modelled and v in final.named_vars]
    observed.update({node: final[node] for node in read})
    return SharedDataModel(final, observed, final.dim_lengths[UNIT_DIM], variable)


def _is_constant(variable, value: int) -> bool:
    return isinstance(variable, Constant) and np.ndim(variable.data) == 0 and variable.data == value


def _mentions_length(model: pm.Model, n: int) -> bool:
    """True if the log density still has a fixed unit count ``n`` anywhere in its graph."""
    for variable in ancestors([model.logp()]):
        shape = getattr(variable.type, "shape", ())
        if shape and shape[0] == n:
            return True
        if (
            isinstance(variable, Constant)
            and np.ndim(variable.data) >= 1
            and len(variable.data) == n
        ):
            return True
    return False
