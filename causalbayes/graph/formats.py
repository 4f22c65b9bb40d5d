"""The graph text formats: dagitty-like edge strings and the DAG subset of Graphviz DOT.

Hand-written readers, so that no text is ever evaluated and every refusal can
say what to write instead.  Readers return a :class:`GraphBuilder` (nodes in
order of first mention, edges, latent flags, bidirected edges); the DAG and
ADMG classes validate it.  Edge strings: statements separated by ``;`` or
newlines, chains ``a -> b -> c`` (``<-`` points back), a lone name,
``u [latent]``, ``#`` comments; ADMGs also ``a <-> b``.  DOT:
``[strict] digraph [name] { ... }`` with node and edge statements (chains),
quoted and HTML IDs, attribute lists, ports (ignored), ``//``, ``/* */`` and
``#`` comments; default attribute statements are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import NoReturn

from causalbayes.errors import GraphError
from causalbayes.graph._builder import GraphBuilder
from causalbayes.graph._checks import NAME_PATTERN

# -- edge strings ---------------------------------------------------------------------------
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


def read_statement(statement: str, graph: GraphBuilder) -> None:
    """Read one edge statement (a chain, a lone name or ``u [latent]``) into ``graph``."""
    tokens = _tokenize_statement(statement)
    if any(token.kind == "latent" for token in tokens):
        if [token.kind for token in tokens] != ["name", "latent"]:
            raise _syntax_error(
                statement, "'[latent]' must follow one node name, as in 'u [latent]'"
            )
        graph.add_node(tokens[0].text, latent=True)
        return
    _read_chain(statement, tokens, graph)


def statements(text: str) -> list[str]:
    """Split on ';' and newlines after dropping '#' comments; skip blank statements."""
    found: list[str] = []
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        found.extend(part.strip() for part in code.split(";") if part.strip())
    return found


def require_text(text: object, function: str) -> str:
    """``text`` itself, or a GraphError naming ``function`` when it is not a string."""
    if not isinstance(text, str):
        raise GraphError(f"{function}() expects a str, got {type(text).__name__}")
    return text


def read_edges(text: object, function: str = "parse_edges") -> GraphBuilder:
    """Read an edge string (no bidirected edges) into a builder; ``function`` names the caller.

    Examples
    --------
    >>> graph = read_edges("a -> b <- c; u [latent]")
    >>> list(graph.nodes), graph.edges, graph.latent()
    (['a', 'b', 'c', 'u'], [('a', 'b'), ('c', 'b')], ['u'])
    """
    graph = GraphBuilder()
    for statement in statements(require_text(text, function)):
        read_statement(statement, graph)
    return graph


def read_admg_edges(text: object, function: str = "ADMG.from_edge_string") -> GraphBuilder:
    """Read an edge string that may hold bidirected edges ``a <-> b`` (chains too).

    Examples
    --------
    >>> read_admg_edges("t -> y; t <-> y").bidirected
    [('t', 'y')]
    """
    graph = GraphBuilder()
    for statement in statements(require_text(text, function)):
        if "<->" not in statement:
            read_statement(statement, graph)
            continue
        names = [part.strip() for part in statement.split("<->")]
        for name in names:
            if not name or NAME_PATTERN.fullmatch(name) is None:
                raise GraphError(
                    f"cannot parse {statement!r}: '<->' joins node names, as in 'a <-> b'"
                    " (chains 'a <-> b <-> c' are fine; do not mix '<->' with '->')"
                )
        for a, b in pairwise(names):
            graph.add_bidirected(a, b)
    return graph


def looks_like_dot(text: str) -> bool:
    """Whether ``text`` starts (after whitespace and comments) with a DOT header.

    Examples
    --------
    >>> looks_like_dot("/* a graph */ digraph { a -> b }"), looks_like_dot("a -> b")
    (True, False)
    """
    start = _LEADING_NOISE.match(text)
    return _DOT_HEADER.match(text, start.end() if start else 0) is not None


# -- DOT ----------------------------------------------------------------------------------------
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
    nodes: Iterable[str],
    edges: Iterable[tuple[str, str]],
    latent: frozenset[str] = frozenset(),
    bidirected: Iterable[tuple[str, str]] = (),
) -> str:
    """DOT text listing every node (in order), then every edge, then bidirected ones."""
    lines = ["digraph {"]
    for node in nodes:
        attributes = " [latent=true, style=dashed]" if node in latent else ""
        lines.append(f"  {_quote(node)}{attributes};")
    lines.extend(f"  {_quote(parent)} -> {_quote(child)};" for parent, child in edges)
    lines.extend(f"  {_quote(a)} -> {_quote(b)} [dir=both, style=dashed];" for a, b in bidirected)
    lines.append("}")
    return "\n".join(lines) + "\n"
