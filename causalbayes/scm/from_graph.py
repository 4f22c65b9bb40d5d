"""Structural equations for a bare graph: each node's family chosen from its column."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from causalbayes.errors import DataError, SpecError
from causalbayes.graph import as_dag
from causalbayes.scm.node import Node


def infer_family(column: pd.Series) -> str:
    """The family a modelled column's type suggests.

    bool or only 0/1 -> Bernoulli; strings, categories -> Categorical;
    whole numbers >= 0 that include zeros -> NegativeBinomial (counts; rarely
    as tight as Poisson); anything else numeric -> Normal (an integer-coded
    age or year is a measurement, not a count).

    Examples
    --------
    >>> infer_family(pd.Series([0, 1, 1]))
    'Bernoulli'
    >>> infer_family(pd.Series(["a", "b"]))
    'Categorical'
    >>> infer_family(pd.Series([0, 3, 12])), infer_family(pd.Series([23, 41, 67]))
    ('NegativeBinomial', 'Normal')
    """
    if pd.api.types.is_bool_dtype(column.dtype):
        return "Bernoulli"
    if not pd.api.types.is_numeric_dtype(column.dtype):
        return "Categorical"
    values = column.dropna().to_numpy(dtype="float64")
    if values.size and np.all(np.isin(values, (0.0, 1.0))):
        return "Bernoulli"
    whole = values.size and np.all(values == np.round(values))
    if whole and values.min() == 0:
        return "NegativeBinomial"
    return "Normal"


def nodes_from_graph(
    graph: Any,
    data: pd.DataFrame | None = None,
    *,
    families: Mapping[str, Node] | None = None,
    latent: Iterable[str] = (),
) -> dict[str, Node]:
    """The nodes of an SCM on ``graph`` with default mechanisms (``SCM.from_graph`` builds it).

    Root nodes with a data column are *given* (:func:`~causalbayes.Given`):
    conditioned on as data, not modelled, as a regression treats its inputs —
    no query about their effects needs a model of their distribution, and the
    population effects average over them with a Bayesian bootstrap.  Every
    other node gets a family chosen from its column (:func:`infer_family`).
    Declare a family for a root in ``families=`` to model it.

    Parameters
    ----------
    graph : DAG, networkx.DiGraph, DOT string or edge string
        E.g. ``"humid -> dilution -> coating; humid -> coating"``.
    data : DataFrame, optional
        Used only to choose the families of non-root nodes from their column
        types (never modified).
    families : mapping of node -> Node, optional
        Explicit nodes; their parents must match the graph's (a ``cb.Given()``
        without parents takes the graph's).
    latent : iterable of str
        Nodes without a column; they become latent Normal nodes.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.1, 0.5], "t": [0, 1], "y": [1.0, 2.0]})
    >>> nodes = nodes_from_graph("x -> t -> y; x -> y", df)
    >>> [nodes[n].family for n in ("x", "t", "y")]
    ['Given', 'Bernoulli', 'Normal']
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
            if node.is_given and not node.parents:
                node = replace(node, parents=tuple(parents))
            if set(node.parents) != set(parents):
                raise SpecError(
                    f"node {name!r}: its declared parents {list(node.parents)} differ from the graph's {list(parents)}"
                )
            nodes[name] = node
            continue
        if name in latent:
            nodes[name] = Node("Normal", parents=parents, latent=True)
            continue
        if not parents:
            nodes[name] = Node("Given")
            continue
        if data is None or name not in data.columns:
            raise DataError(
                f"cannot choose a family for {name!r}: no data column; pass data with that column, declare it in families=, or list it in latent="
            )
        nodes[name] = Node(infer_family(data[name]), parents=parents)
    return nodes
