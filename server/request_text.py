"""What the endpoint adds to a request's text, and how it explains the text's mistakes.

* A query or update that writes a relative IRI and declares no BASE of its own is resolved
  against the service's own URL, as the SPARQL protocol allows ("the service MAY use its own
  URL as base"). The BASE goes in front of the first line, so only that line's columns move,
  and `before_base` moves a reported position back.
* The parser reports an undeclared prefix as the grammar it expected at that point; a client
  is better served by the prefix's name and where it is first used.
"""

import re

from graph.sparql_inspection import writes_relative_iri
from graph.sparql_tokens import tokens

_POSITION = re.compile(r"error at (\d+):(\d+)")


def base_declaration(service_url: str) -> str:
    return f"BASE <{service_url}> "


def with_service_base(sparql: str, service_url: str) -> str:
    """The text as the engine should read it: with the service's URL as base when the text
    writes a relative IRI and declares no base; otherwise unchanged."""
    # A comparison such as `?a<?b` can look like a relative IRI; then a BASE is added that
    # nothing uses, which changes nothing.
    if not writes_relative_iri(sparql):
        return sparql
    # The lexer tells a BASE keyword from the word inside an IRI or a string
    # (`<http://example.org/protocol-base-test/>`).
    if any(token.is_word("BASE") for token in tokens(sparql)):
        return sparql
    return base_declaration(service_url) + sparql


def before_base(message: str, added: int) -> str:
    """A parser message about the text with `added` characters put in front of its first
    line, with the position put back where the client wrote it."""
    if added <= 0:
        return message

    def moved(match: re.Match[str]) -> str:
        line, column = int(match.group(1)), int(match.group(2))
        if line == 1:
            column = max(1, column - added)
        return f"error at {line}:{column}"

    return _POSITION.sub(moved, message)


def undeclared_prefix(sparql: str) -> str | None:
    """A plain message for the first prefixed name whose prefix is not declared before it
    (prefixes declared in an update's earlier operations count), or None."""
    declared: set[str] = set()
    stream = list(tokens(sparql))
    for index, token in enumerate(stream):
        if token.is_word("PREFIX") and index + 1 < len(stream):
            following = stream[index + 1]
            if following.kind == "pname":
                declared.add(following.text.partition(":")[0])
            continue
        if token.kind != "pname" or (index and stream[index - 1].is_word("PREFIX")):
            continue
        before = stream[index - 1] if index else None
        if before is not None and before.text == "_" and before.start + 1 == token.start:
            continue  # a blank node label, _:name
        prefix = token.text.partition(":")[0]
        if prefix in declared:
            continue
        line = sparql.count("\n", 0, token.start) + 1
        column = token.start - (sparql.rfind("\n", 0, token.start) + 1) + 1
        return (
            f"the prefix '{prefix}:' is not declared (first used in {token.text} at line "
            f"{line}, column {column}); add PREFIX {prefix}: <...> before it"
        )
    return None
