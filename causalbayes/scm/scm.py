"""The structural causal model: named nodes on a DAG, validated and frozen."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from causalbayes.errors import GraphError, SpecError
from causalbayes.graph import DAG
from causalbayes.scm.from_graph import nodes_from_graph
from causalbayes.scm.naming import (
    basis_dim,
    contrasts_dim,
    cutpoints_dim,
    gaps_dim,
    groups_dim,
    levels_dim,
    param_name,
    r2d2_dim,
)
from causalbayes.scm.node import Node
from causalbayes.scm.terms import Group, Linear, Power, Spline

if TYPE_CHECKING:
    import graphviz
    import pandas as pd


SPEC_FORMAT = "causalbayes.scm"
SPEC_VERSION = 1


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its full name, owner node, local name and dims."""

    name: str
    node: str
    local: str
    dims: tuple[str, ...]
    kind: str = "prior"  # prior | hierarchical | derived | auxiliary (see Node.parameter_locals)


class SCM:
    """A structural causal model: one :class:`Node` per variable, forming a DAG.

    Parameters
    ----------
    nodes : mapping or sequence of (name, Node)
        Structural equations by node name.  A sequence of pairs is checked
        for duplicated names (a dict literal silently keeps the last one).

    Examples
    --------
    >>> import causalbayes as cb
    >>> scm = cb.SCM({
    ...     "humid": cb.Normal(),
    ...     "dilution": cb.Bernoulli(parents=["humid"]),
    ...     "coating": cb.Normal(parents=["dilution", "humid"]),
    ... })
    >>> scm.order
    ('humid', 'dilution', 'coating')
    >>> [p.name for p in scm.parameters("coating")]
    ['coating.intercept', 'coating.dilution', 'coating.humid', 'coating.sigma']
    """

    def __init__(self, nodes: Mapping[str, Node] | Iterable[tuple[str, Node]]) -> None:
        items = _items(nodes)
        names = [name for name, _ in items]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise GraphError(
                f"node name(s) {dup} declared more than once; give every node a unique name"
            )
        if not items:
            raise SpecError("an SCM needs at least one node")
        for name, node in items:
            if not isinstance(node, Node):
                raise SpecError(
                    f"node {name!r} must be declared with a family such as cb.Normal(...), got {type(node).__name__}"
                )
        for name in names:
            _check_name(name)
        known = set(names)
        for name, node in items:
            unknown = [p for p in node.parents if p not in known]
            if unknown:
                raise GraphError(
                    f"node {name!r} has unknown parent(s) {unknown}; declared nodes are {names}"
                )
        edges = [(p, name) for name, node in items for p in node.parents]
        self._dag = DAG(names, edges, latent=[n for n, node in items if node.latent])
        self._nodes = MappingProxyType(dict(items))
        self._check_exogenous_columns()
        self._check_terms()

    def _check_exogenous_columns(self) -> None:
        for name, node in self._nodes.items():
            columns = [("trials", node.trials)] if isinstance(node.trials, str) else []
            columns += [("grouping", c) for c in node.group_columns]
            if node.measurement_error:
                columns.append(("measurement_error", node.measurement_error))
            for role, col in columns:
                if col in self._nodes:
                    raise SpecError(
                        f"node {name!r}: {role} column {col!r} is also a node; it must be an exogenous "
                        "data column (for a categorical cause, make it a Categorical parent instead)"
                    )
            if node.measurement_error and self._dag.children(name):
                raise SpecError(
                    f"node {name!r} has known measurement error and children {list(self._dag.children(name))}; "
                    f"children should read the true value: declare it as a latent node and observe it "
                    f"with cb.Measurement('{name}_true', se={node.measurement_error!r})"
                )

    def _check_terms(self) -> None:
        for name, node in self._nodes.items():
            for term in node.terms:
                if isinstance(term, (Power, Spline, Group)) or term in node.r2d2_terms:
                    bad = [v for v in term.variables if self.is_categorical(v)]
                    if bad:
                        raise SpecError(
                            f"node {name!r}: term {term.name!r} needs numeric parent(s), but {bad} "
                            "are categorical; use plain parents or interactions for them"
                        )
            if node.mechanism is not None:
                clash = [k for k, _ in node.mechanism.params if k in node.parents]
                if clash:
                    raise SpecError(
                        f"node {name!r}: mechanism parameter(s) {clash} share a name with parents; rename them"
                    )

    # -- structure -----------------------------------------------------------
    @property
    def nodes(self) -> Mapping[str, Node]:
        return self._nodes

    @property
    def dag(self) -> DAG:
        return self._dag

    @property
    def order(self) -> tuple[str, ...]:
        """Node names in a topological order (causes before effects)."""
        return self._dag.topological_order()

    @property
    def observed(self) -> tuple[str, ...]:
        return tuple(n for n in self.order if not self._nodes[n].latent)

    @property
    def given(self) -> tuple[str, ...]:
        """Nodes that are data the model conditions on, not modelled (see ``cb.Given``)."""
        return tuple(n for n in self.order if self._nodes[n].is_given)

    @property
    def modelled(self) -> tuple[str, ...]:
        """Nodes with a mechanism: observed ones are conditioned on, latent ones sampled."""
        return tuple(n for n in self.order if not self._nodes[n].is_given)

    @property
    def latent(self) -> tuple[str, ...]:
        return tuple(n for n in self.order if self._nodes[n].latent)

    def __getitem__(self, name: str) -> Node:
        return self._nodes[self.check_node(name)]

    def __contains__(self, name: object) -> bool:
        return name in self._nodes

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SCM) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def __reduce__(self):
        # rebuilt from its nodes (worker processes of a simulation study receive SCMs)
        return (SCM, (list(self._nodes.items()),))

    def __repr__(self) -> str:
        return f"SCM({self._dag.to_edge_string()!r})"

    def check_node(self, name: str, role: str = "node") -> str:
        if name not in self._nodes:
            raise GraphError(f"{role} {name!r} is not in the graph; nodes are {list(self._nodes)}")
        return name

    def replace(self, **nodes: Node) -> SCM:
        """A new SCM with some nodes replaced (or added)."""
        merged = dict(self._nodes)
        merged.update(nodes)
        return SCM(merged)

    # -- parameters ----------------------------------------------------------
    def parameters(self, node: str | None = None) -> list[Parameter]:
        """All parameters (or one node's), with stable names and dims.

        Fixed parameters (``Prior('Fixed', ...)``) are included.
        """
        names = [self.check_node(node)] if node is not None else list(self.order)
        return [p for n in names for p in self._node_parameters(n)]

    def _node_parameters(self, name: str) -> list[Parameter]:
        node = self._nodes[name]
        out_dims = (contrasts_dim(name),) if node.family == "Categorical" else ()
        terms = {t.name: t for t in node.terms}
        cell_means_parent = self.cell_means_parent(name)
        params = []
        for local, kind in node.parameter_locals():
            params.append(
                Parameter(
                    param_name(name, local),
                    name,
                    local,
                    self._local_dims(name, local, terms, cell_means_parent, out_dims),
                    kind,
                )
            )
        return params

    def _local_dims(self, name, local, terms, cell_means_parent, out_dims) -> tuple[str, ...]:
        node = self._nodes[name]
        if local == "intercept":
            return out_dims
        term = terms.get(local)
        if isinstance(term, Group):
            return (groups_dim(term.key), *out_dims)
        if isinstance(term, Spline):
            return (basis_dim(name, term.name), *out_dims)
        if term is not None:
            cell = term is cell_means_parent
            return tuple(self._term_dims(term, cell_means=cell)) + out_dims
        head, _, tail = local.rpartition(".")
        if isinstance(terms.get(head), Group):  # <group>.sd or <group>.z
            return out_dims if tail == "sd" else (groups_dim(terms[head].key), *out_dims)
        if node.family_info.hurdle and local.startswith("hurdle."):
            sub = terms.get(local.removeprefix("hurdle."))
            return tuple(self._term_dims(sub, cell_means=False)) if sub is not None else ()
        if node.r2d2 is not None and local in {"r2.phi", "r2.z"}:
            return (r2d2_dim(name),)
        if node.family == "OrderedLogistic" and local.startswith("cutpoints"):
            return {"cutpoints": (cutpoints_dim(name),), "cutpoints.gaps": (gaps_dim(name),)}.get(
                local, ()
            )
        return ()  # r2, family auxiliaries and mechanism parameters are scalars

    def _term_dims(self, term, *, cell_means: bool) -> list[str]:
        dims = []
        for v in term.variables:
            if self.is_categorical(v):
                dims.append(levels_dim(v) if cell_means else contrasts_dim(v))
        return dims

    def cell_means_parent(self, name: str) -> Linear | None:
        """Without an intercept, the first categorical parent's term gets all levels."""
        node = self._nodes[name]
        if node.intercept:
            return None
        for term in node.terms:
            if isinstance(term, Linear) and self.is_categorical(term.parent):
                return term
        return None

    def is_categorical(self, name: str) -> bool:
        """Whether the node's values are level codes (categorical or ordered)."""
        return self._nodes[name].has_levels

    def term_is_categorical(self, term) -> bool:
        return any(self.is_categorical(v) for v in term.variables)

    # -- serialisation -------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SPEC_FORMAT,
            "version": SPEC_VERSION,
            "nodes": {name: self._nodes[name].to_dict() for name in self._nodes},
        }

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, mechanisms: Mapping[str, Any] | None = None) -> SCM:
        if not isinstance(d, Mapping) or d.get("format") != SPEC_FORMAT:
            raise SpecError(f"not a causalbayes SCM description (expected format {SPEC_FORMAT!r})")
        if d.get("version") != SPEC_VERSION:
            raise SpecError(
                f"SCM description version {d.get('version')!r} is not supported (this causalbayes reads version {SPEC_VERSION}); upgrade causalbayes"
            )
        return cls([(name, Node.from_dict(nd, mechanisms)) for name, nd in d["nodes"].items()])

    @classmethod
    def from_json(cls, text: str, *, mechanisms: Mapping[str, Any] | None = None) -> SCM:
        try:
            d = json.loads(text)
        except (TypeError, ValueError) as err:
            raise SpecError(
                f"not JSON text of an SCM ({err}); write it with scm.to_json()"
            ) from None
        return cls.from_dict(d, mechanisms=mechanisms)

    # -- from a graph, and drawing one (lower or same layers) -----------------
    @classmethod
    def from_graph(
        cls,
        graph: Any,
        data: pd.DataFrame | None = None,
        *,
        families: Mapping[str, Node] | None = None,
        latent: Iterable[str] = (),
    ) -> SCM:
        """Build an SCM from a graph, choosing families from the data's column types.

        See :func:`causalbayes.scm.from_graph.nodes_from_graph`.
        """
        return cls(nodes_from_graph(graph, data, families=families, latent=latent))

    def graph(self, **style) -> graphviz.Digraph:
        """Draw the DAG (graphviz); latent nodes dashed.  Keyword styles as in :func:`causalbayes.graph.render`."""
        from causalbayes.graph import render

        return render(self._dag, **style)

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            return self.graph()._repr_mimebundle_(include=include, exclude=exclude)
        except Exception:  # no dot binary: fall back to text
            return {"text/plain": repr(self)}


# Names a node cannot take: they are parameter locals of its children (``<child>.<name>``
# would clash), or dims of the model and of every posterior.
RESERVED_NAMES = frozenset(
    {"intercept", "sigma", "nu", "alpha", "phi", "psi", "r2", "cutpoints"}
    | {"unit", "chain", "draw"}
)
# Suffixes of the dims named after nodes (``<node>_levels``, ...), which another node would shadow.
RESERVED_SUFFIXES = ("_levels", "_contrasts", "_groups", "_cutpoints", "_cutpoint_gaps")


def _items(nodes) -> list[tuple[str, Node]]:
    if isinstance(nodes, Mapping):
        return list(nodes.items())
    if isinstance(nodes, str) or not isinstance(nodes, Iterable):
        raise SpecError(
            f"an SCM takes a mapping of node name -> node, e.g. cb.SCM({{'x': cb.Normal()}}), "
            f"got {type(nodes).__name__}"
        )
    items = list(nodes)
    if not all(isinstance(item, tuple) and len(item) == 2 for item in items):
        raise SpecError("an SCM takes a mapping of node name -> node, or (name, node) pairs")
    return items


def _check_name(name: object) -> None:
    if not isinstance(name, str):
        raise SpecError(f"node names are strings, got {name!r}")
    if name in RESERVED_NAMES or name.endswith(RESERVED_SUFFIXES):
        raise SpecError(
            f"{name!r} cannot name a node: it is a reserved name of the model's parameters or "
            f"dims ({sorted(RESERVED_NAMES)}, or ending in {list(RESERVED_SUFFIXES)}); rename "
            f"it, e.g. {name + '_x'!r}"
        )
