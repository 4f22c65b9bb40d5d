"""Collect nodes and edges while parsing text, before a DAG validates them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GraphBuilder:
    """Nodes in order of first mention, edges in order read, latent flags.

    Text formats may mention a node many times (DOT merges repeated node
    statements), so the builder dedupes; the DAG constructor does the checks.
    """

    nodes: dict[str, None] = field(default_factory=dict)  # an insertion-ordered set
    edges: list[tuple[str, str]] = field(default_factory=list)
    latent_flags: dict[str, bool] = field(default_factory=dict)
    bidirected: list[tuple[str, str]] = field(default_factory=list)

    def add_node(self, name: str, latent: bool | None = None) -> None:
        """Declare ``name``; ``latent=None`` leaves an earlier flag untouched."""
        self.nodes.setdefault(name, None)
        if latent is not None:
            self.latent_flags[name] = latent

    def add_edge(self, parent: str, child: str) -> None:
        """Declare both endpoints and the edge ``parent -> child``."""
        self.add_node(parent)
        self.add_node(child)
        self.edges.append((parent, child))

    def add_bidirected(self, a: str, b: str) -> None:
        """Declare both endpoints and the bidirected edge ``a <-> b`` (ADMGs only)."""
        self.add_node(a)
        self.add_node(b)
        self.bidirected.append((a, b))

    def latent(self) -> list[str]:
        """Names whose last latent flag was true."""
        return [name for name, flag in self.latent_flags.items() if flag]
