"""Read and write the subset of Graphviz DOT that describes a DAG.

Hand-written so that no DOT text is ever evaluated and every refusal can say
what to write instead. Supported: ``[strict] digraph [name] { ... }``, node
and edge statements (with chains ``a -> b -> c``), quoted and HTML IDs,
attribute lists, ports (ignored), ``//``, ``/* */`` and ``#`` comments.
Default attribute statements (``node [...]``, ``rankdir=LR``) are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import NoReturn

from causalbayes.errors import GraphError
from causalbayes.graph._builder import GraphBuilder

KEYWORDS = frozenset({"strict", "graph", "digraph", "subgraph", "node", "edge"})
_NEEDS_DIGRAPH = "a DAG needs a directed graph: write 'digraph { a -> b }' with '->' edges"
_NO_SUBGRAPHS = (
    "subgraphs and '{ ... }' groups are not supported; write each edge out, as in 'a -> b; a -> c'"
)

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>(?://|\#)[^\n]*|/\*.*?\*/)
    | (?P<quoted>"(?:[^"\\]|\\.)*")
    | (?P<edgeop>->|--)
    | (?P<id>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*
             |-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))
    | (?P<punct>[{}\[\];,=:])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "id", "quoted", "html", "edgeop", "punct" or "end"
    text: str
    line: int

    def is_punct(self, text: str) -> bool:
        return self.kind == "punct" and self.text == text

    def is_keyword(self, *words: str) -> bool:
        # DOT keywords are case-insensitive, and quoting one makes it a plain ID.
        return self.kind == "id" and self.text.lower() in words


def _html_end(text: str, start: int, line: int) -> int:
    """Index just past the ``>`` closing the HTML string opened at ``start``."""
    depth = 0
    for position in range(start, len(text)):
        depth += {"<": 1, ">": -1}.get(text[position], 0)
        if depth == 0:
            return position + 1
    raise GraphError(f"DOT syntax error on line {line}: unterminated HTML string '<...>'")


def tokenize(text: str) -> list[Token]:
    """Split DOT text into tokens, dropping whitespace and comments."""
    tokens: list[Token] = []
    position, line = 0, 1
    while position < len(text):
        if text[position] == "<":
            end = _html_end(text, position, line)
            tokens.append(Token("html", text[position + 1 : end - 1], line))
        else:
            match = _TOKEN.match(text, position)
            if match is None:
                raise GraphError(f"DOT syntax error on line {line}: {_lex_problem(text, position)}")
            end = match.end()
            if match.lastgroup == "quoted":
                tokens.append(Token("quoted", _unquote(match.group()), line))
            elif match.lastgroup not in ("space", "comment"):
                tokens.append(Token(str(match.lastgroup), match.group(), line))
        line += text.count("\n", position, end)
        position = end
    tokens.append(Token("end", "end of text", line))
    return tokens


def _lex_problem(text: str, position: int) -> str:
    if text[position] == '"':
        return "unterminated quoted string"
    if text.startswith("/*", position):
        return "unterminated /* comment"
    return f"unexpected character {text[position]!r}"


def _unquote(quoted: str) -> str:
    # DOT only escapes the double quote; a backslash-newline continues the line.
    return quoted[1:-1].replace("\\\n", "").replace('\\"', '"')


class _Parser:
    """Recursive descent over the token list, filling a GraphBuilder."""

    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._position = 0
        self.graph = GraphBuilder()

    def parse(self) -> GraphBuilder:
        self._header()
        while not self._peek().is_punct("}"):
            if self._peek().kind == "end":
                self._fail("a closing '}'")
            self._statement()
        self._advance()
        if self._peek().kind != "end":
            self._fail("nothing after the closing '}'")
        return self.graph

    def _peek(self) -> Token:
        return self._tokens[self._position]

    def _advance(self) -> Token:
        token = self._tokens[self._position]
        if token.kind == "end":
            self._fail("a closing '}'")
        self._position += 1
        return token

    def _fail(self, expected: str) -> NoReturn:
        token = self._peek()
        raise GraphError(
            f"DOT syntax error on line {token.line}: expected {expected} but found {token.text!r}"
        )

    def _expect_punct(self, text: str) -> None:
        if not self._peek().is_punct(text):
            self._fail(f"{text!r}")
        self._advance()

    def _header(self) -> None:
        if self._peek().is_keyword("strict"):
            self._advance()
        if self._peek().is_keyword("graph"):
            raise GraphError(f"'graph' declares an undirected graph; {_NEEDS_DIGRAPH}")
        if not self._peek().is_keyword("digraph"):
            self._fail("'digraph'")
        self._advance()
        if self._peek().kind in ("id", "quoted", "html"):
            self._advance()  # the graph's name carries no meaning for a DAG
        self._expect_punct("{")

    def _statement(self) -> None:
        token = self._peek()
        if token.is_punct(";") or token.is_punct(","):
            self._advance()
        elif token.is_punct("{") or token.is_keyword("subgraph"):
            raise GraphError(f"DOT line {token.line}: {_NO_SUBGRAPHS}")
        elif token.is_keyword("graph", "node", "edge"):
            self._advance()
            self._attributes()  # default attributes do not change the DAG
        else:
            self._node_or_edge_statement()

    def _identifier(self) -> str:
        token = self._peek()
        if token.kind not in ("id", "quoted", "html") or token.is_keyword(*KEYWORDS):
            self._fail("a node name or value")
        return self._advance().text

    def _node_id(self) -> str:
        name = self._identifier()
        while self._peek().is_punct(":"):  # ports say where arrows attach: irrelevant here
            self._advance()
            self._identifier()
        return name

    def _node_or_edge_statement(self) -> None:
        name = self._node_id()
        if self._peek().is_punct("="):
            self._advance()
            self._identifier()  # a graph attribute such as rankdir=LR
            return
        chain = [name]
        while self._peek().kind == "edgeop":
            if self._advance().text == "--":
                raise GraphError(f"'--' is an undirected edge; {_NEEDS_DIGRAPH}")
            if self._peek().is_punct("{") or self._peek().is_keyword("subgraph"):
                raise GraphError(f"DOT line {self._peek().line}: {_NO_SUBGRAPHS}")
            chain.append(self._node_id())
        attributes = self._attributes()
        if len(chain) == 1:
            self.graph.add_node(name, latent=_latent_flag(attributes))
        both = attributes.get("dir", "").strip().lower() == "both"
        for parent, child in pairwise(chain):
            if both:  # a bidirected (latent-confounding) edge, as ADMG.to_dot writes it
                self.graph.add_bidirected(parent, child)
            else:
                self.graph.add_edge(parent, child)

    def _attributes(self) -> dict[str, str]:
        attributes: dict[str, str] = {}
        while self._peek().is_punct("["):
            self._advance()
            while not self._peek().is_punct("]"):
                key = self._identifier()
                self._expect_punct("=")
                attributes[key] = self._identifier()
                if self._peek().is_punct(",") or self._peek().is_punct(";"):
                    self._advance()
            self._advance()
        return attributes


def _latent_flag(attributes: dict[str, str]) -> bool | None:
    """``True``/``False`` from a ``latent`` attribute, ``None`` when absent."""
    if "latent" not in attributes:
        return None
    return attributes["latent"].strip().lower() == "true"


def read_dot(text: str) -> GraphBuilder:
    """Parse DOT text into its nodes, edges and latent flags."""
    return _Parser(tokenize(text)).parse()


def _quote(name: str) -> str:
    return f'"{name}"' if name.lower() in KEYWORDS else name


def write_dot(
    nodes: Iterable[str], edges: Iterable[tuple[str, str]], latent: frozenset[str]
) -> str:
    """DOT text listing every node (in order) and then every edge."""
    lines = ["digraph {"]
    for node in nodes:
        attributes = " [latent=true, style=dashed]" if node in latent else ""
        lines.append(f"  {_quote(node)}{attributes};")
    lines.extend(f"  {_quote(parent)} -> {_quote(child)};" for parent, child in edges)
    lines.append("}")
    return "\n".join(lines) + "\n"
