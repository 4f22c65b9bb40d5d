"""Turn edge strings, DOT text and networkx graphs into a :class:`DAG`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

from causalbayes.errors import GraphError
from causalbayes.graph._builder import GraphBuilder
from causalbayes.graph._dot import read_dot
from causalbayes.graph.dag import DAG

_EXPECTED_SYNTAX = (
    "expected syntax like 'a -> b; b -> c' (chains 'a -> b -> c' and 'b <- a' work too)"
)
_ARROWS = ("->", "<-")

_EDGE_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<bidirected><->)
    | (?P<arrow>->|<-)
    | (?P<undirected>--)
    | (?P<latent>\[\s*latent\s*\])
    | (?P<name>[^\s\[\]<>;\-]+)
    """,
    re.VERBOSE,
)
# DOT is recognised by its header, after any leading whitespace and comments.
_LEADING_NOISE = re.compile(r"(?:\s+|//[^\n]*|\#[^\n]*|/\*.*?\*/)*", re.DOTALL)
_DOT_HEADER = re.compile(
    r'(?:strict\s+)?(?:di)?graph\s*(?:[A-Za-z_0-9]+|"(?:[^"\\]|\\.)*")?\s*\{', re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str


def _syntax_error(statement: str, problem: str) -> GraphError:
    hint = "; for DOT text use parse_dot()" if "{" in statement else ""
    return GraphError(
        f"cannot parse edge statement {statement!r}: {problem}; {_EXPECTED_SYNTAX}{hint}"
    )


def _tokenize_statement(statement: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(statement):
        match = _EDGE_TOKEN.match(statement, position)
        if match is None:
            character = statement[position]
            problem = (
                "only the '[latent]' marker may follow a node name"
                if character == "["
                else f"unexpected character {character!r}"
            )
            raise _syntax_error(statement, problem)
        if match.lastgroup == "bidirected":
            raise GraphError(
                f"bidirected edge '<->' in {statement!r}: a DAG has no bidirected "
                "(latent-confounding) edges; read the text with ADMG.from_edge_string, or "
                "declare an explicit latent node, as in 'u -> a; u -> b; u [latent]'"
            )
        if match.lastgroup == "undirected":
            raise _syntax_error(statement, "'--' is an undirected edge and a DAG needs '->'")
        if match.lastgroup != "space":
            tokens.append(_Token(str(match.lastgroup), match.group()))
        position = match.end()
    return tokens


def _read_chain(statement: str, tokens: list[_Token], graph: GraphBuilder) -> None:
    """Read ``name (arrow name)*`` into ``graph``."""
    previous = None
    for position, token in enumerate(tokens):
        wants_name = position % 2 == 0
        if wants_name and token.kind != "name":
            after = f" after {previous.text!r}" if previous else ""
            raise _syntax_error(statement, f"expected a node name{after}, found {token.text!r}")
        if not wants_name and token.kind != "arrow":
            raise _syntax_error(
                statement, f"expected '->' or '<-' after {previous.text!r}, found {token.text!r}"
            )
        previous = token
    if len(tokens) % 2 == 0:
        raise _syntax_error(statement, f"the statement ends with {tokens[-1].text!r}")
    names = [token.text for token in tokens[0::2]]
    graph.add_node(names[0])
    for (left, right), arrow in zip(pairwise(names), tokens[1::2], strict=True):
        graph.add_edge(*((left, right) if arrow.text == "->" else (right, left)))


def _read_statement(statement: str, graph: GraphBuilder) -> None:
    tokens = _tokenize_statement(statement)
    if any(token.kind == "latent" for token in tokens):
        if [token.kind for token in tokens] != ["name", "latent"]:
            raise _syntax_error(
                statement, "'[latent]' must follow one node name, as in 'u [latent]'"
            )
        graph.add_node(tokens[0].text, latent=True)
        return
    _read_chain(statement, tokens, graph)


def _statements(text: str) -> list[str]:
    """Split on ';' and newlines after dropping '#' comments; skip blank statements."""
    found: list[str] = []
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        found.extend(part.strip() for part in code.split(";") if part.strip())
    return found


def _require_text(text: object, function: str) -> str:
    if not isinstance(text, str):
        raise GraphError(f"{function}() expects a str, got {type(text).__name__}")
    return text


def parse_edges(text: str) -> DAG:
    """Parse a dagitty-like edge string into a DAG.

    Statements are separated by ``;`` or newlines. A statement is a chain
    ``a -> b -> c`` (``<-`` points the other way), a lone name declaring a
    node, or ``u [latent]`` marking a latent node. ``#`` starts a comment.
    Nodes keep the order of their first mention.

    Parameters
    ----------
    text : str
        The edge string.

    Returns
    -------
    DAG

    Raises
    ------
    GraphError
        On a syntax error (naming the statement), a bidirected ``<->`` edge,
        or an invalid graph (bad name, cycle).

    Examples
    --------
    >>> dag = parse_edges("humid -> dilution -> coating; humid -> coating")
    >>> dag.nodes
    ('humid', 'dilution', 'coating')
    >>> parse_edges("y <- x  # comment\\nz").edges
    (('x', 'y'),)
    """
    graph = GraphBuilder()
    for statement in _statements(_require_text(text, "parse_edges")):
        _read_statement(statement, graph)
    return DAG(graph.nodes, graph.edges, graph.latent())


def parse_dot(text: str) -> DAG:
    """Parse the common subset of Graphviz DOT into a DAG.

    Accepts ``[strict] digraph [name] { ... }`` with node statements, edge
    chains, quoted IDs, attribute lists and ``//``, ``/* */``, ``#`` comments.
    A node with ``latent=true`` (quoted or not) is latent; other attributes
    and default-attribute statements are ignored.

    Parameters
    ----------
    text : str
        The DOT source.

    Returns
    -------
    DAG

    Raises
    ------
    GraphError
        On a syntax error, an undirected ``graph``/``--``, a subgraph, or an
        invalid graph (bad name, cycle).

    Examples
    --------
    >>> dag = parse_dot('digraph { u [latent="true"]; u -> x -> "y" [color=red] }')
    >>> dag.edges, dag.latent
    ((('u', 'x'), ('x', 'y')), frozenset({'u'}))
    """
    graph = read_dot(_require_text(text, "parse_dot"))
    if graph.bidirected:
        a, b = graph.bidirected[0]
        raise GraphError(
            f"edge {a} -> {b} has dir=both, a bidirected (latent-confounding) edge that a DAG "
            "cannot hold; read the text with ADMG.from_dot, or declare a latent node"
        )
    return DAG(graph.nodes, graph.edges, graph.latent())


def _looks_like_dot(text: str) -> bool:
    start = _LEADING_NOISE.match(text)
    return _DOT_HEADER.match(text, start.end() if start else 0) is not None


def as_dag(obj: DAG | nx.DiGraph | str) -> DAG:
    """Coerce a DAG, a ``networkx.DiGraph``, DOT text or an edge string to a DAG.

    Text starting with ``digraph`` (or ``strict digraph``), after whitespace
    and comments, is read as DOT; any other text as an edge string.

    Examples
    --------
    >>> as_dag("a -> b") == as_dag("digraph { a -> b }")
    True
    """
    if isinstance(obj, DAG):
        return obj
    if isinstance(obj, nx.Graph):
        return DAG.from_networkx(obj)
    if isinstance(obj, str):
        return parse_dot(obj) if _looks_like_dot(obj) else parse_edges(obj)
    raise GraphError(
        "cannot make a DAG from "
        f"{type(obj).__name__}; pass a DAG, a networkx.DiGraph, DOT text "
        "('digraph { a -> b }') or an edge string ('a -> b; b -> c')"
    )
