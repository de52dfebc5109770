"""SPARQL text as tokens: strings, IRIs, variables, prefixed names and comments told apart from
keywords and punctuation, without a parser.

Enough to inspect a request before the engine parses it (which SERVICE endpoints it calls,
which graphs it names, how deep it nests) at a cost linear in its length, with no recursion;
the engine still parses the request and reports every syntax error itself.
"""

import re
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
    (?P<space>[\ \t\r\n]+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\[^\n\r])*'|"(?:[^"\\\n\r]|\\[^\n\r])*")
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w\-:%]|\\.|\.(?=[\w\-:%]))*)
    | (?P<word>[^\W\d][\w]*)
    | (?P<escape>\\.)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
"""White space is SPARQL's own four characters, as for the engine: any other space character
is an error the engine reports, so it stays a token. A backslash outside a string or a prefixed
name (an error too) takes the next character with it, so that a text the engine refuses is never
read as opening a comment or a string there."""


class Token(NamedTuple):
    """One lexical unit of a SPARQL text: its kind, its text and where it starts (a tuple:
    a large update is hundreds of thousands of them)."""

    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        """Where the token ends: the offset just past its last character."""
        return self.start + len(self.text)

    def is_word(self, *words: str) -> bool:
        """True when the token is one of these keywords (SPARQL keywords ignore case, in ASCII
        alone: the long s is no S to the engine)."""
        return self.kind == "word" and self.text.isascii() and self.text.upper() in words

    @property
    def iri(self) -> str:
        """An IRI token's IRI as written, its \\u and \\U escapes applied (as the engine
        applies them inside IRIs and strings), not resolved against any BASE."""
        written = self.text[1:-1]
        return unescaped(written) if "\\" in written else written

    @property
    def is_absolute_iri(self) -> bool:
        """Whether the token is an IRI written with its scheme, which no BASE changes."""
        return self.kind == "iri" and _SCHEME.match(self.iri) is not None


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def tokens(sparql: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text: no white space, no comments."""
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield Token(kind, match.group(), match.start())


def declared(stream: list[Token]) -> Iterator[tuple[int, Token, dict[str, str], str]]:
    """Each token with its index and the prefixes and base declared before it."""
    prefixes: dict[str, str] = {}
    base = ""
    for index, token in enumerate(stream):
        if token.kind != "word":
            pass
        elif token.is_word("PREFIX") and index + 2 < len(stream):
            name, iri = stream[index + 1], stream[index + 2]
            if name.kind == "pname" and iri.kind == "iri":
                prefixes[name.text[:-1]] = resolved(base, iri.iri)
        elif token.is_word("BASE") and index + 1 < len(stream):
            if stream[index + 1].kind == "iri":
                base = resolved(base, stream[index + 1].iri)
        yield index, token, prefixes, base


def written_iri(target: Token, prefixes: dict[str, str], base: str) -> str | None:
    """The IRI an IRI or prefixed-name token stands for; None for any other token, or a
    prefixed name whose prefix is not declared."""
    if target.kind == "iri":
        return resolved(base, target.iri)
    if target.kind == "pname":
        prefix, _, local = target.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def resolved(base: str, iri: str) -> str:
    """`iri` resolved against `base`, or as written when the base is not a usable IRI.

    An unresolvable IRI is then judged as written (and refused as not absolute) instead of
    failing the whole request.
    """
    try:
        return urljoin(base, iri)
    except ValueError:
        return iri


_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescaped(sparql: str) -> str:
    """The text with its \\u and \\U escapes applied, as SPARQL reads it before parsing."""
    return _CODEPOINT_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)


def has_escapes(sparql: str) -> bool:
    """Whether the text holds \\u or \\U escapes (which the engine applies once more)."""
    return _CODEPOINT_ESCAPE.search(sparql) is not None


def spliced(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The text with each (start, end, replacement) applied; the spans must not overlap."""
    pieces: list[str] = []
    position = 0
    for start, end, replacement in sorted(edits):
        pieces += [text[position:start], replacement]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
