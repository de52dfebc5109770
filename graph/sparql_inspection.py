"""What a query or update will do, read from its tokens before the engine runs it.

Which SERVICE endpoints it would call and which documents an update would LOAD, and where (so
that a refused one is never contacted and an allowed one is called through a relay); how deep
it nests; where an update's WHERE clauses are (to add the protocol's USING clauses); which
dataset a query declares, which graphs it may name, whether it draws values of its own. Each
needs tokens that know strings, IRIs and comments apart from keywords; none needs a full
parser, and the engine still parses and reports every syntax error itself. Keywords are ASCII
and the engine reads no escape in them, so a text without a keyword's letters, in any case,
needs no lexing for it: the common case costs one substring search.
"""

import itertools
import re
from dataclasses import dataclass, replace

from graph.sparql_tokens import (
    Token,
    declared,
    has_escapes,
    resolved,
    tokens,
    unescaped,
    written_iri,
)

_CHAINING_WORDS = ("OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "VALUES")
"""Clauses each of which wraps what comes before it in its group one level deeper."""
_GROUP_TAKING_WORDS = ("OPTIONAL", "UNION", "MINUS", "EXISTS", "WHERE")
_OPENING = {"{": "}", "(": ")", "[": "]"}
_CLOSING = frozenset(_OPENING.values())


def nesting_error(sparql: str, limit: int) -> str | None:
    """Why the text nests deeper than `limit` levels, or None when it does not.

    The engine parses and evaluates a request by recursion, so a deep one overflows its stack
    and takes the process with it: this scan, linear and recursion-free, runs first. A level
    is a bracket ({, ( or [) inside another, or a clause or operator chained after others in
    the same group (OPTIONAL, UNION, MINUS, FILTER, BIND, GRAPH, SERVICE, VALUES, a group
    after a pattern, ||, &&, !, a path's / and |, and + - * inside parentheses), since the engine
    nests each of those one level below the one before. A group's height is its chain plus its
    highest group inside; the request's is what is measured. SPARQL applies \\u escapes to
    the text before parsing it, so they are applied here too.
    """
    text = unescaped(sparql)
    # Per open group: its bracket, the items chained in it so far, its highest group inside.
    groups: list[list] = [["", 0, 0]]
    previous: Token | None = None
    for token in tokens(text):
        group = groups[-1]
        if token.kind == "word" and token.text.upper() in _CHAINING_WORDS:
            group[1] += 1
        elif token.kind == "other":
            symbol = token.text
            if symbol in _OPENING:
                if symbol == "{" and group[0] == "{" and _follows_a_pattern(previous):
                    group[1] += 1  # a group joined to what comes before it
                groups.append([symbol, 0, 0])
                if len(groups) > limit + 1:
                    return _too_deep(text, token, limit, "brackets")
            elif symbol in _CLOSING and len(groups) > 1:
                _, chained, inner = groups.pop()
                groups[-1][2] = max(groups[-1][2], chained + inner + 1)
            elif symbol in "|&" and _adjacent(previous, token, symbol):
                pass  # the second character of || or &&
            elif symbol in "|&!/" or (symbol in "+-*" and group[0] == "("):
                group[1] += 1
            if group[1] + group[2] > limit:
                return _too_deep(text, token, limit, "chained clauses or operators")
        previous = token
    while len(groups) > 1:  # brackets left open: the parser reports them
        _, chained, inner = groups.pop()
        groups[-1][2] = max(groups[-1][2], chained + inner + 1)
    _, chained, inner = groups[0]
    if chained + inner > limit:
        return _too_deep(text, None, limit, "brackets and chained clauses or operators")
    return None


def _follows_a_pattern(previous: Token | None) -> bool:
    """Whether a group opened after `previous` is joined to something before it in its own
    group (not the group's first item, nor the group an OPTIONAL, UNION and the like take)."""
    if previous is None or previous.text == "{":
        return False
    return not (previous.kind == "word" and previous.text.upper() in _GROUP_TAKING_WORDS)


def _adjacent(previous: Token | None, token: Token, symbol: str) -> bool:
    return previous is not None and previous.text == symbol and previous.start + 1 == token.start


def _too_deep(text: str, token: Token | None, limit: int, what: str) -> str:
    where = ""
    if token is not None:
        line = text.count("\n", 0, token.start) + 1
        column = token.start - (text.rfind("\n", 0, token.start) + 1) + 1
        where = f" (at line {line}, column {column})"
    return (
        f"the request nests more than {limit} levels deep{where}, counting {what}; the "
        f"server refuses deeper nesting, which could overflow the engine's stack. Flatten it: "
        f"a long || chain as IN (...) or VALUES, a long chain of clauses as a few requests"
    )


@dataclass(frozen=True)
class ServiceCall:
    """A SERVICE clause: the endpoint IRI, or the variable that would name it.

    `span` is where the endpoint is written in the text (start, end), when it is written at
    all; `nested` says the clause sits inside another SERVICE's group, so the endpoint of
    that outer clause evaluates it, not this server.
    """

    iri: str | None
    variable: str | None
    silent: bool
    span: tuple[int, int] | None = None
    nested: bool = False


def service_calls(sparql: str) -> list[ServiceCall]:
    """Every SERVICE clause of a query or update, with prefixed names and BASE resolved."""
    calls: list[ServiceCall] = []
    if not _may_hold(sparql, "service"):
        return calls
    stream = list(tokens(sparql))
    depth = 0
    service_groups: list[int] = []  # the depths of the SERVICE groups we are inside
    group_pending = False  # a SERVICE clause was read; its group opens at the next brace
    for index, token, prefixes, base in declared(stream):
        if token.kind == "other" and token.text == "{":
            depth += 1
            if group_pending:
                service_groups.append(depth)
                group_pending = False
        elif token.kind == "other" and token.text == "}":
            if service_groups and service_groups[-1] == depth:
                service_groups.pop()
            depth -= 1
        elif token.is_word("SERVICE"):
            following = stream[index + 1 : index + 3]
            silent = bool(following) and following[0].is_word("SILENT")
            target = following[1] if silent and len(following) > 1 else None
            if not silent:
                target = following[0] if following else None
            call = _service_call(target, silent, prefixes, base)
            calls.append(replace(call, nested=bool(service_groups)))
            group_pending = True
    return calls


def _service_call(
    target: Token | None, silent: bool, prefixes: dict[str, str], base: str
) -> ServiceCall:
    if target is None:
        return ServiceCall(iri=None, variable=None, silent=silent)
    span = (target.start, target.start + len(target.text))
    if target.kind == "var":
        return ServiceCall(iri=None, variable=target.text, silent=silent, span=span)
    iri = written_iri(target, prefixes, base)
    if iri is None:
        return ServiceCall(iri=None, variable=None, silent=silent)
    return ServiceCall(iri=iri, variable=None, silent=silent, span=span)


@dataclass(frozen=True)
class LoadCall:
    """A LOAD operation of an update: the IRI of the document it reads (None when the text
    names none this lexer can read), whether it is SILENT, where that IRI is written, and
    where the whole operation is written (LOAD to the end of its INTO GRAPH, if any)."""

    iri: str | None
    silent: bool
    span: tuple[int, int] | None
    operation: tuple[int, int]


def load_calls(update: str) -> list[LoadCall]:
    """Every LOAD operation of an update, with prefixed names and BASE resolved."""
    calls: list[LoadCall] = []
    if not _may_hold(update, "load"):
        return calls
    stream = list(tokens(update))
    for index, token, prefixes, base in declared(stream):
        if not token.is_word("LOAD"):
            continue
        following = stream[index + 1 : index + 6]
        silent = bool(following) and following[0].is_word("SILENT")
        rest = following[1:] if silent else following
        target = rest[0] if rest else None
        iri = written_iri(target, prefixes, base) if target is not None else None
        last = (
            target
            if target is not None and iri is not None
            else (following[0] if silent else token)
        )
        span = (target.start, target.start + len(target.text)) if target and iri else None
        if iri is not None and len(rest) > 3 and rest[1].is_word("INTO"):
            if rest[2].is_word("GRAPH") and rest[3].kind in ("iri", "pname"):
                last = rest[3]
        calls.append(LoadCall(iri, silent, span, (token.start, last.start + len(last.text))))
    return calls


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with the protocol's USING / USING NAMED clauses before each WHERE it owns.

    Raises ValueError when the update already names its dataset (USING or WITH), which the
    SPARQL 1.1 Protocol forbids together with using-graph-uri / using-named-graph-uri.
    """
    clauses = " ".join(
        [f"USING <{iri}>" for iri in using] + [f"USING NAMED <{iri}>" for iri in using_named]
    )
    pieces: list[str] = []
    position = 0
    depth = 0
    previous: Token | None = None
    for token in tokens(update):
        if token.is_word("USING", "WITH") and depth == 0:
            raise ValueError(
                f"the update has a {token.text.upper()} clause at character {token.start + 1}; "
                "send either that or using-graph-uri / using-named-graph-uri, not both"
            )
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif token.is_word("WHERE") and depth == 0:
            # `DELETE WHERE { ... }` is a shorthand that takes no USING.
            if previous is None or not previous.is_word("DELETE"):
                pieces.append(update[position : token.start])
                pieces.append(clauses + " ")
                position = token.start
        previous = token
    pieces.append(update[position:])
    return "".join(pieces)


def expand_declarations(update: str, stream: list[Token] | None = None) -> str:
    """The update with no PREFIX or BASE left: each prefixed name written as the full IRI the
    declarations in force at that point give it, each relative IRI resolved against the base
    in force there. For requests whose declarations cannot all be moved to the start (a prefix
    declared again with another IRI, a BASE after the first operation), where Oxigraph reads
    them; the meaning is the one the SPARQL grammar gives the request as written.
    """
    stream = list(tokens(update)) if stream is None else stream
    prefixes: dict[str, str] = {}
    base: str | None = None
    pieces: list[str] = []
    position = 0
    index = 0
    while index < len(stream):
        token = stream[index]
        if token.is_word("BASE") and index + 1 < len(stream) and stream[index + 1].kind == "iri":
            written = stream[index + 1].text[1:-1]
            base = resolved(base, written) if base else written
            end = stream[index + 1].start + len(stream[index + 1].text)
            pieces += [update[position : token.start], " "]
            position, index = end, index + 2
            continue
        if token.is_word("PREFIX") and index + 2 < len(stream):
            name, iri = stream[index + 1], stream[index + 2]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                written = iri.text[1:-1]
                prefixes[name.text[:-1]] = resolved(base, written) if base else written
                pieces += [update[position : token.start], " "]
                position, index = iri.start + len(iri.text), index + 3
                continue
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix in prefixes:
                full = prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
                pieces += [update[position : token.start], f"<{full}>"]
                position = token.start + len(token.text)
        elif token.kind == "iri" and base and not token.is_absolute_iri:
            pieces += [update[position : token.start], f"<{resolved(base, token.text[1:-1])}>"]
            position = token.start + len(token.text)
        index += 1
    pieces.append(update[position:])
    return "".join(pieces)


def hoist_declarations(update: str) -> str:
    """An update request with the PREFIX declarations of its later operations moved to its
    start, where Oxigraph reads declarations; unchanged when nothing needs moving or moving
    would change a meaning (a prefix declared again with another IRI, a later BASE).

    The SPARQL grammar lets every operation of a request open with declarations
    (`INSERT DATA {...} ; PREFIX ex: <...> DELETE ...`) and they hold to the end of the request;
    an earlier operation cannot use a prefix declared after it, so declaring it first changes
    nothing. The moved declarations leave spaces behind, so that every other character keeps
    its offset, and go in front on the first line.
    """
    stream = list(tokens(update))
    hoisted = _hoisted(update, stream)
    return hoisted if hoisted is not None else expand_declarations(update, stream)


def _hoisted(update: str, stream: list[Token]) -> str | None:
    """The update with later PREFIX declarations moved to its start; None when moving would
    change a meaning (a prefix declared again with another IRI, a later BASE)."""
    declared: dict[str, str] = {}
    moved: list[tuple[int, int]] = []
    depth = 0
    opening = True  # still in the declarations that open the request
    may_declare = True  # at the start, or right after a `;` and any declarations after it
    index = 0
    while index < len(stream):
        token = stream[index]
        if depth == 0 and token.is_word("PREFIX", "BASE"):
            if not may_declare:
                return update  # misplaced: the engine judges and reports it
            if token.is_word("BASE") and not opening:
                return None  # a base that moving would change
            if token.is_word("BASE"):
                index += 2
                continue
            if index + 2 >= len(stream):
                return update
            name, iri = stream[index + 1], stream[index + 2]
            if name.kind != "pname" or iri.kind != "iri":
                return update
            if declared.get(name.text, iri.text) != iri.text:
                return None  # declared again with another IRI
            if not opening and not iri.is_absolute_iri:
                return None  # resolved against a base that moving would change
            declared[name.text] = iri.text
            if not opening:
                moved.append((token.start, iri.start + len(iri.text)))
            index += 3
            continue
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        opening = False
        may_declare = depth == 0 and token.kind == "other" and token.text == ";"
        index += 1
    if not moved:
        return update
    text = list(update)
    front = []
    for start, end in moved:
        front.append(" ".join(update[start:end].split()))
        text[start:end] = " " * (end - start)
    return " ".join(front) + " " + "".join(text)


_FRESH_VALUE_WORDS = ("SERVICE", "LOAD", "NOW", "RAND", "UUID", "STRUUID", "BNODE")


def draws_fresh_values(sparql: str) -> bool:
    """Whether running the request twice may give two outcomes: it calls out (SERVICE, LOAD)
    or draws a value of its own (NOW, RAND, UUID, STRUUID, BNODE). A text with \\u escapes
    counts too, since they are decoded inside strings and IRIs and judging them is not worth
    it: a false alarm only costs a cache hit or a repeat."""
    if has_escapes(sparql):
        return True
    lowered = sparql.lower()
    if not any(word.lower() in lowered for word in _FRESH_VALUE_WORDS):
        return False
    return any(token.is_word(*_FRESH_VALUE_WORDS) for token in tokens(sparql))


def declared_dataset(sparql: str) -> tuple[list[str], list[str]] | None:
    """The graphs a query's FROM and FROM NAMED clauses name, with prefixed names and BASE
    resolved, or None when it has no such clause. A clause whose graph cannot be read is left
    out; the engine reports it as the syntax error it is."""
    if not _may_hold(sparql, "from"):
        return None
    default: list[str] = []
    named: list[str] = []
    stream = list(tokens(sparql))
    found = False
    for index, token, prefixes, base in declared(stream):
        if not token.is_word("FROM"):
            continue
        found = True
        following = stream[index + 1 : index + 3]
        is_named = bool(following) and following[0].is_word("NAMED")
        position = 1 if is_named else 0
        target = following[position] if position < len(following) else None
        iri = written_iri(target, prefixes, base) if target is not None else None
        if iri is not None:
            (named if is_named else default).append(iri)
    return (default, named) if found else None


def may_name_graphs(sparql: str, hidden: str) -> bool:
    """False when the query cannot reach the graph `hidden` through a GRAPH pattern: it never
    writes that IRI, and every GRAPH keyword is followed by a graph's absolute IRI."""
    if hidden in sparql:
        return True
    if not _may_hold(sparql, "graph"):
        return False
    stream = list(tokens(sparql))
    for index, token in enumerate(stream):
        if token.is_word("GRAPH"):
            following = stream[index + 1] if index + 1 < len(stream) else None
            if following is None or not following.is_absolute_iri or following.iri == hidden:
                return True  # GRAPH ?g, a prefixed name or a relative IRI might reach it
    return False


def prologue_end(sparql: str) -> int:
    """Where the BASE and PREFIX declarations (and comments) that open a request end: what
    goes before its first operation goes after them, since the engine reads declarations only
    at the start of a request."""
    stream = tokens(sparql)  # read lazily: the declarations come first
    end = 0
    for token in stream:
        if token.is_word("BASE"):
            wanted: tuple[str, ...] = ("iri",)
        elif token.is_word("PREFIX"):
            wanted = ("pname", "iri")
        else:
            break
        parts = list(itertools.islice(stream, len(wanted)))
        if [part.kind for part in parts] != list(wanted) or not parts[0].text.endswith(
            ":" if token.is_word("PREFIX") else ""
        ):
            break
        end = parts[-1].end
    return end


def writes_relative_iri(sparql: str) -> bool:
    """Whether the text writes an IRI without a scheme, which a BASE resolves."""
    if "<" not in sparql:
        return False
    return any(token.kind == "iri" and not token.is_absolute_iri for token in tokens(sparql))


def _may_hold(sparql: str, word: str) -> bool:
    """Whether the text may hold the ASCII keyword `word` (given in lower case)."""
    return word in sparql.lower()
