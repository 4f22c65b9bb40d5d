"""Build an SCM from a bare graph, choosing each node's family from its column."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from causalbayes.errors import DataError, SpecError
from causalbayes.graph import as_dag
from causalbayes.spec.node import Node
from causalbayes.spec.scm import SCM


def infer_family(column: pd.Series) -> str:
    """The family a column's type suggests.

    bool or only 0/1 -> Bernoulli; other non-negative integers ->
    NegativeBinomial (counts are rarely as tight as Poisson); strings,
    categories -> Categorical; anything else numeric -> Normal.

    Examples
    --------
    >>> infer_family(pd.Series([0, 1, 1]))
    'Bernoulli'
    >>> infer_family(pd.Series(["a", "b"]))
    'Categorical'
    """
    if pd.api.types.is_bool_dtype(column.dtype):
        return "Bernoulli"
    if not pd.api.types.is_numeric_dtype(column.dtype):
        return "Categorical"
    values = column.dropna().to_numpy(dtype="float64")
    if values.size and np.all(np.isin(values, (0.0, 1.0))):
        return "Bernoulli"
    if pd.api.types.is_integer_dtype(column.dtype) and values.size and values.min() >= 0:
        return "NegativeBinomial"
    return "Normal"


def scm_from_graph(
    graph: Any,
    data: pd.DataFrame | None = None,
    *,
    families: Mapping[str, Node] | None = None,
    latent: Iterable[str] = (),
) -> SCM:
    """An SCM on ``graph`` with default mechanisms.

    Parameters
    ----------
    graph : DAG, networkx.DiGraph, DOT string or edge string
        E.g. ``"humid -> dilution -> coating; humid -> coating"``.
    data : DataFrame, optional
        Used only to choose families from column types (never modified).
    families : mapping of node -> Node, optional
        Explicit nodes; their parents must match the graph's.
    latent : iterable of str
        Nodes without a column; they become latent Normal nodes.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.1, 0.5], "t": [0, 1], "y": [1.0, 2.0]})
    >>> scm = scm_from_graph("x -> t -> y; x -> y", df)
    >>> [scm[n].family for n in scm.order]
    ['Normal', 'Bernoulli', 'Normal']
    """
    dag = as_dag(graph)
    explicit = dict(families or {})
    latent = set(latent) | set(dag.latent)
    for name in set(explicit) | latent:
        if name not in dag:
            raise SpecError(
                f"{name!r} is given as a family or latent node but is not in the graph; nodes are {list(dag.nodes)}"
            )
    nodes = {}
    for name in dag.nodes:
        parents = dag.parents(name)
        if name in explicit:
            node = explicit[name]
            if set(node.parents) != set(parents):
                raise SpecError(
                    f"node {name!r}: its declared parents {list(node.parents)} differ from the graph's {list(parents)}"
                )
            nodes[name] = node
            continue
        if name in latent:
            nodes[name] = Node("Normal", parents=parents, latent=True)
            continue
        if data is None or name not in data.columns:
            raise DataError(
                f"cannot choose a family for {name!r}: no data column; pass data with that column, declare it in families=, or list it in latent="
            )
        nodes[name] = Node(infer_family(data[name]), parents=parents)
    return SCM(nodes)
