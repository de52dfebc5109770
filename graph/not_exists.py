"""Turn ``FILTER NOT EXISTS { P }`` into ``MINUS { P }`` where the two provably agree.

Why: Oxigraph evaluates ``NOT EXISTS`` once per solution of the enclosing group, so the usual
"signed but not ratified" question costs seconds on a large store, while the same question
written with ``MINUS`` runs as one anti-join in milliseconds. Users write ``NOT EXISTS``; this
module gives them the speed of ``MINUS`` without changing a single answer.

The two forms differ in general (SPARQL 1.1, section 8.3), so a filter is rewritten only when all
of these hold, judged on rdflib's parse tree of the whole query:

* the filter is a plain ``FILTER NOT EXISTS { P }`` (or ``FILTER (NOT EXISTS { P })``) in a
  group that is not the top group of an ``OPTIONAL`` (whose filters see the left-hand side),
  not inside another ``EXISTS``/``NOT EXISTS`` (substitution reaches in) and not inside
  ``SERVICE``;
* ``P`` holds only triple patterns, nested plain groups, ``GRAPH`` blocks and filters over
  variables its own triple patterns bind, without functions that may answer differently per
  call (so every solution of ``P`` binds every variable of ``P``);
* every variable of ``P`` that may occur in the group is bound in every solution of the group
  (it comes from a required triple pattern, not an ``OPTIONAL``, one ``UNION`` branch, a
  ``BIND`` or a ``VALUES`` row with ``UNDEF``), and there is at least one such variable;
* ``P`` names no variable of an enclosing ``GRAPH`` and shares no blank node with the group;
* the variables of ``P`` that the group does not bind appear nowhere else in the query: the
  spec leaves them free in both forms, but Oxigraph lets bindings from outside a group reach
  the filters inside it (a NOT EXISTS in a nested group sees the outer row), MINUS does not.

Then, for each solution of the group, "some solution of ``P`` agrees with it on the shared
variables" is what both forms test. The ``MINUS`` goes where the filter stood when only filters
follow it, otherwise at the end of the group (a filter applies to the whole group, ``MINUS``
only to what precedes it). Before a rewrite is returned its parse tree is compared with the
tree the rewrite was meant to produce; any difference, or any parse error, leaves the query
as it was.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Variable

from graph.sparql_tokens import Token
from graph.sparql_tokens import tokens as sparql_tokens

__all__ = ["rewrite_not_exists"]

# pyparsing keeps parser state in globals: one parse at a time.
_PARSE_LOCK = threading.Lock()

# Expression nodes that wrap a single operand when no operator follows.
_WRAPPERS = {
    "ConditionalOrExpression",
    "ConditionalAndExpression",
    "RelationalExpression",
    "AdditiveExpression",
    "MultiplicativeExpression",
}
# Calls that may answer differently each time they are evaluated, or that reach outwards.
_UNSTABLE = {
    "Builtin_RAND",
    "Builtin_BNODE",
    "Builtin_UUID",
    "Builtin_STRUUID",
    "Builtin_EXISTS",
    "Builtin_NOTEXISTS",
    "Function",
}


@dataclass(frozen=True)
class _Scope:
    """Where a group sits: what its filters can see beyond their own group."""

    graph_vars: frozenset[Variable] = frozenset()
    sealed: bool = False  # inside EXISTS, NOT EXISTS or SERVICE
    optional_top: bool = False  # the top group of an OPTIONAL


@dataclass
class _Occurrence:
    """One NOT EXISTS of the parse tree, and what is known about rewriting it."""

    node: CompValue
    group: CompValue | None = None
    index: int = -1
    eligible: bool = False

    def owning_group(self) -> CompValue:
        """The group pattern that holds this NOT EXISTS, as every eligible one has."""
        if self.group is None:
            raise ValueError("a NOT EXISTS outside a group pattern is never rewritten")
        return self.group


def rewrite_not_exists(sparql: str) -> str:
    """Return ``sparql`` with each provably equivalent ``FILTER NOT EXISTS`` made a ``MINUS``.

    Anything not proven equivalent, and any text rdflib cannot parse, comes back unchanged.
    Deciding costs two rdflib parses, so decisions are cached by the query's normal form: the
    same query with other comments or spacing is decided once. A rewritten query comes back
    in that normal form (no comments, single spaces), which means exactly the same.
    """
    if "exists" not in sparql.lower():
        return sparql
    normal = normal_form(sparql)
    if normal is None:
        return _rewrite_cached(sparql)
    text, has_not_exists = normal
    if not has_not_exists:
        return sparql
    rewritten = _rewrite_cached(text)
    return sparql if rewritten == text else rewritten


def normal_form(sparql: str) -> tuple[str, bool] | None:
    """The query with comments dropped and each run of white space made one space, and whether
    the words ``NOT EXISTS`` occur in it outside strings, IRIs and comments.

    Strings, IRIs and every other character are kept exactly. None when the text cannot be
    split with certainty: a ``\\u`` escape (decoded before SPARQL is parsed, it may spell a
    quote), an unterminated string, or an ``<...>`` holding ``#`` or a quote that may be a
    less-than sign rather than an IRI (``FILTER(?a<?b#...``), unless it follows ``PREFIX p:``
    or ``BASE``, or starts with ``scheme://`` (which after a less-than sign cannot parse).
    """
    if "\\u" in sparql or "\\U" in sparql:
        return None
    pieces: list[str] = []
    has_not_exists = False
    previous: Token | None = None
    before_previous: Token | None = None
    for token in sparql_tokens(sparql):
        if token.kind == "other" and token.text in "'\"":
            return None  # a string that never ends
        if token.kind == "iri" and ("#" in token.text or "'" in token.text):
            if not _certainly_iri(token, previous, before_previous):
                return None
        if previous is not None and previous.end < token.start:
            pieces.append(" ")  # comments and white space between two tokens
            if token.is_word("EXISTS") and previous.is_word("NOT"):
                has_not_exists = True
        pieces.append(token.text)
        before_previous, previous = previous, token
    return "".join(pieces), has_not_exists


def _certainly_iri(token: Token, previous: Token | None, before_previous: Token | None) -> bool:
    """Whether an ``<...>`` can only be an IRI, by its start or by the words before it."""
    if token.is_absolute_iri and token.text.partition(":")[2].startswith("//"):
        return True  # scheme://, which after a less-than sign could not parse
    if previous is not None and previous.is_word("BASE"):
        return True
    return (
        before_previous is not None
        and before_previous.is_word("PREFIX")
        and previous is not None
        and previous.text.endswith(":")
    )


@functools.lru_cache(maxsize=1024)
def _rewrite_cached(sparql: str) -> str:
    try:
        return _rewrite(sparql)
    except RecursionError:  # nesting deeper than the parser or the analysis can follow
        return sparql


def _rewrite(sparql: str) -> str:
    tree = _parse(sparql)
    if tree is None:
        return sparql
    occurrences: list[_Occurrence] = []
    _collect(tree, _Scope(), occurrences)
    mentioned = set(_variables_outside_exists(tree))
    for occurrence in occurrences:
        if occurrence.eligible and _mentioned_elsewhere(occurrence, mentioned):
            occurrence.eligible = False
    if not any(occurrence.eligible for occurrence in occurrences):
        return sparql
    tokens = list(sparql_tokens(sparql))
    spots = [
        i
        for i in range(len(tokens) - 1)
        if tokens[i].text.upper() == "NOT" and tokens[i + 1].text.upper() == "EXISTS"
    ]
    if len(spots) != len(occurrences):
        return sparql
    closing = _matching_braces(tokens)
    if closing is None:
        return sparql
    moved = {
        (id(occurrence.group), occurrence.index)
        for occurrence in occurrences
        if occurrence.eligible
        and not all(
            _is_filter(part) for part in occurrence.owning_group()["part"][occurrence.index + 1 :]
        )
    }
    plan = _TextPlan(sparql, tokens, closing, moved)
    for occurrence, spot in zip(occurrences, spots, strict=True):
        if occurrence.eligible:
            plan.add(spot, occurrence)
    if not plan.edits:
        return sparql
    rewritten = _apply(sparql, plan.edits)
    expected = _canonical(tree, plan.parts)
    actual_tree = _parse(rewritten)
    if actual_tree is None or _canonical(actual_tree, {}) != expected:
        return sparql
    return rewritten


def _parse(sparql: str) -> ParseResults | None:
    try:
        with _PARSE_LOCK:
            return parseQuery(sparql)
    except (ParseException, ValueError, TypeError, KeyError, AttributeError):
        return None


# --- Finding and judging the NOT EXISTS of the parse tree -----------------------------------


def _collect(node: object, scope: _Scope, found: list[_Occurrence]) -> None:
    """Record every NOT EXISTS under ``node`` in source order, judging the plain filters."""
    if isinstance(node, CompValue):
        if node.name == "GroupGraphPatternSub":
            _collect_group(node, scope, found)
            return
        if node.name == "Builtin_NOTEXISTS":
            found.append(_Occurrence(node))
        if node.name in ("Builtin_NOTEXISTS", "Builtin_EXISTS", "ServiceGraphPattern"):
            scope = _Scope(scope.graph_vars, sealed=True)
        for key, value in node.items():
            inner = scope
            if node.name == "OptionalGraphPattern" and key == "graph":
                inner = _Scope(scope.graph_vars, scope.sealed, optional_top=True)
            elif node.name == "GraphGraphPattern" and key == "graph":
                extra = {node["term"]} if isinstance(node["term"], Variable) else set()
                inner = _Scope(scope.graph_vars | extra, scope.sealed)
            _collect(value, inner, found)
    elif isinstance(node, (list, ParseResults)):
        for item in node:
            _collect(item, scope, found)


def _collect_group(group: CompValue, scope: _Scope, found: list[_Occurrence]) -> None:
    nested = _Scope(scope.graph_vars, scope.sealed)
    for index, part in enumerate(group["part"] or []):
        target = _plain_not_exists(part)
        if target is not None:
            occurrence = _Occurrence(target, group, index)
            occurrence.eligible = _eligible(group, index, target, scope)
            found.append(occurrence)
            # Whatever lies inside P is sealed from the outside by the NOT EXISTS.
            _collect(target["graph"], _Scope(scope.graph_vars, sealed=True), found)
        else:
            _collect(part, nested, found)


def _plain_not_exists(part: object) -> CompValue | None:
    """The NOT EXISTS node of a ``FILTER NOT EXISTS {..}`` part, else None."""
    if not isinstance(part, CompValue) or part.name != "Filter":
        return None
    expr = part["expr"]
    while isinstance(expr, CompValue) and expr.name in _WRAPPERS and list(expr.keys()) == ["expr"]:
        expr = expr["expr"]
    if isinstance(expr, CompValue) and expr.name == "Builtin_NOTEXISTS":
        return expr
    return None


def _eligible(group: CompValue, index: int, target: CompValue, scope: _Scope) -> bool:
    if scope.sealed or scope.optional_top:
        return False
    pattern_vars = _simple_pattern_vars(target["graph"])
    if pattern_vars is None or pattern_vars & scope.graph_vars:
        return False
    others = [part for i, part in enumerate(group["part"]) if i != index and not _is_filter(part)]
    if set(_walk(target["graph"], BNode)) & set(_walk(others, BNode)):
        return False
    certain: set[Variable] = set()
    for part in others:
        certain |= _certain_vars(part)
    shared = pattern_vars & set(_walk(others, Variable))
    return bool(shared) and shared <= certain


def _mentioned_elsewhere(occurrence: _Occurrence, mentioned: set[Variable]) -> bool:
    """Whether a variable of P that the group does not bind may be bound elsewhere in the query.

    By the letter of the spec such a variable is free in P either way. Oxigraph, though, lets
    bindings from outside a group reach the filters inside it, so a NOT EXISTS there can see
    a value that a MINUS would not: such queries are left alone. ``mentioned`` holds the
    variables named outside every EXISTS and NOT EXISTS (whose own variables bind nothing
    outside them).
    """
    others = [
        part
        for i, part in enumerate(occurrence.owning_group()["part"])
        if i != occurrence.index and not _is_filter(part)
    ]
    free = set(_walk(occurrence.node["graph"], Variable)) - set(_walk(others, Variable))
    return bool(free & mentioned)


def _variables_outside_exists(node: object) -> Iterator[Variable]:
    if isinstance(node, Variable):
        yield node
    elif isinstance(node, CompValue):
        if node.name not in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            for value in node.values():
                yield from _variables_outside_exists(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for item in node:
            yield from _variables_outside_exists(item)


def _simple_pattern_vars(group: object) -> set[Variable] | None:
    """Variables of a pattern made only of triples, plain groups, GRAPH and own-variable filters.

    Every solution of such a pattern binds all of them; None when the pattern is anything else.
    """
    if not isinstance(group, CompValue) or group.name != "GroupGraphPatternSub":
        return None
    bound: set[Variable] = set()
    filters = []
    for part in group["part"] or []:
        if not isinstance(part, CompValue):
            return None
        if part.name == "TriplesBlock":
            bound |= set(_walk(part, Variable))
        elif part.name == "Filter":
            filters.append(part["expr"])
        elif part.name == "GraphGraphPattern":
            inner = _simple_pattern_vars(part["graph"])
            if inner is None:
                return None
            bound |= inner | ({part["term"]} if isinstance(part["term"], Variable) else set())
        elif part.name == "GroupOrUnionGraphPattern" and len(part["graph"]) == 1:
            inner = _simple_pattern_vars(part["graph"][0])
            if inner is None:
                return None
            bound |= inner
        else:
            return None
    for expr in filters:
        if any(node.name in _UNSTABLE for node in _walk(expr, CompValue)):
            return None
        if not set(_walk(expr, Variable)) <= bound:
            return None
    return bound


def _certain_vars(part: object) -> set[Variable]:
    """Variables bound in every solution of one part of a group (an under-estimate)."""
    if not isinstance(part, CompValue):
        return set()
    if part.name == "TriplesBlock":
        return set(_walk(part, Variable))
    if part.name == "GroupGraphPatternSub":
        found: set[Variable] = set()
        for inner in part["part"] or []:
            found |= _certain_vars(inner)
        return found
    if part.name == "GroupOrUnionGraphPattern":
        branches = [_certain_vars(branch) for branch in part["graph"]]
        return set.intersection(*branches) if branches else set()
    if part.name == "GraphGraphPattern":
        term = {part["term"]} if isinstance(part["term"], Variable) else set()
        return term | _certain_vars(part["graph"])
    if part.name == "InlineData":
        return _values_certain_vars(part)
    return set()


def _values_certain_vars(part: CompValue) -> set[Variable]:
    names = list(part["var"] or [])
    rows = list(part["value"] or [])
    if len(names) == 1:
        rows = [[value] for value in rows]
    if not rows or any(not isinstance(row, (list, ParseResults)) for row in rows):
        return set()
    return {
        name
        for position, name in enumerate(names)
        if all(len(row) == len(names) and row[position] != "UNDEF" for row in rows)
    }


def _walk(node: object, kind: type) -> Iterator:
    """Every instance of ``kind`` under ``node``, in source order."""
    if isinstance(node, kind):
        yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value, kind)
    elif isinstance(node, (list, tuple, ParseResults)):
        for item in node:
            yield from _walk(item, kind)


# --- Editing the text ---------------------------------------------------------------------


def _matching_braces(tokens: list[Token]) -> dict[int, int] | None:
    """Token index of each ``{`` to the index of its ``}``; None if they do not pair up."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, token in enumerate(tokens):
        if token.kind != "other":
            continue
        if token.text == "{":
            stack.append(i)
        elif token.text == "}":
            if not stack:
                return None
            pairs[stack.pop()] = i
    return pairs if not stack else None


@dataclass
class _TextPlan:
    """The text edits decided so far, and the parts each edited group should end up with."""

    text: str
    tokens: list[Token]
    closing: dict[int, int]
    moved: set[tuple[int, int]]  # (id(group), part index) of filters whose MINUS moves to the end
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    parts: dict[int, list[CompValue]] = field(default_factory=dict)
    keyword_at: dict[tuple[int, int], int] = field(default_factory=dict)

    def add(self, spot: int, occurrence: _Occurrence) -> None:
        """Plan the edits for the eligible filter whose ``NOT`` is token ``spot``."""
        tokens = self.tokens
        bracketed = spot >= 2 and tokens[spot - 1].text == "("
        keyword = spot - 2 if bracketed else spot - 1
        if keyword < 0 or tokens[keyword].text.upper() != "FILTER":
            return
        open_brace = spot + 2
        if open_brace >= len(tokens) or tokens[open_brace].text != "{":
            return
        close_brace = self.closing[open_brace]
        last = close_brace + 1 if bracketed else close_brace
        if last >= len(tokens) or tokens[last].text != (")" if bracketed else "}"):
            return
        group_open = _enclosing_brace(self.closing, keyword)
        if group_open is None:
            return
        group, index = occurrence.owning_group(), occurrence.index
        self.keyword_at[(id(group), index)] = keyword
        parts = self.parts.setdefault(id(group), list(group["part"]))
        pattern = "MINUS " + self.text[tokens[open_brace].start : tokens[close_brace].end]
        minus = CompValue("MinusGraphPattern", graph=occurrence.node["graph"])
        if (id(group), index) not in self.moved:
            self.edits.append((tokens[keyword].start, tokens[last].end, pattern))
            parts[_position(parts, group["part"][index])] = minus
            return
        end = tokens[last].end
        if last + 1 < len(tokens) and tokens[last + 1].text == ".":
            end = tokens[last + 1].end
        self.edits.append((tokens[keyword].start, end, self._separator(group, index)))
        group_close = tokens[self.closing[group_open]].start
        self.edits.append((group_close, group_close, pattern + " "))
        del parts[_position(parts, group["part"][index])]
        parts.append(minus)

    def _separator(self, group: CompValue, index: int) -> str:
        """What replaces a moved filter: a dot when it is the last one between two triple blocks.

        Moved filters take a dot that follows them along, so the only dot left between the two
        blocks is one standing before the first filter of the run.
        """
        first = index
        while (id(group), first - 1) in self.moved:
            first -= 1
        own = group["part"]
        if (id(group), index + 1) in self.moved or first == 0:
            return " "
        if not (_is_triples(own[first - 1]) and _is_triples(own[index + 1])):
            return " "
        first_keyword = self.keyword_at.get((id(group), first))
        if first_keyword is None or self.tokens[first_keyword - 1].text == ".":
            return " "
        return " . "


def _position(parts: list[CompValue], part: CompValue) -> int:
    """Index of ``part`` itself (equal-looking parts are not the same part)."""
    return next(i for i, candidate in enumerate(parts) if candidate is part)


def _is_filter(part: object) -> bool:
    return isinstance(part, CompValue) and part.name == "Filter"


def _is_triples(part: object) -> bool:
    return isinstance(part, CompValue) and part.name == "TriplesBlock"


def _enclosing_brace(closing: dict[int, int], position: int) -> int | None:
    """Index of the innermost ``{`` whose block contains token ``position``."""
    best = None
    for open_index, close_index in closing.items():
        if open_index < position < close_index and (best is None or open_index > best):
            best = open_index
    return best


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping edits; insertions at one place keep the order they were added."""
    ordered = sorted(enumerate(edits), key=lambda item: (item[1][0], item[1][1], item[0]))
    pieces = []
    cursor = 0
    for _, (start, end, replacement) in ordered:
        pieces.append(text[cursor:start])
        pieces.append(replacement)
        cursor = max(cursor, end)
    pieces.append(text[cursor:])
    return "".join(pieces)


# --- Comparing parse trees ------------------------------------------------------------------


def _canonical(tree: object, plan: dict[int, list[CompValue]]) -> object:
    """A comparable form of a parse tree, with planned groups given their planned parts.

    Adjacent triple blocks are merged (the parser merges them too) and blank nodes are numbered
    by first appearance (the parser names ``[]`` afresh on every parse).
    """
    numbering: dict[BNode, int] = {}

    def convert(node: object) -> object:
        if isinstance(node, BNode):
            return ("bnode", numbering.setdefault(node, len(numbering)))
        if isinstance(node, CompValue):
            items = []
            for key, value in node.items():
                if node.name == "GroupGraphPatternSub" and key == "part" and id(node) in plan:
                    value = _merge_triples(plan[id(node)])
                items.append((key, convert(value)))
            return (node.name, tuple(items))
        if isinstance(node, (list, tuple, ParseResults)):
            return tuple(convert(item) for item in node)
        return node

    return convert(tree)


def _merge_triples(parts: list[CompValue]) -> list[CompValue]:
    merged: list[CompValue] = []
    for part in parts:
        if merged and _is_triples(part) and _is_triples(merged[-1]):
            triples = list(merged[-1]["triples"]) + list(part["triples"])
            merged[-1] = CompValue("TriplesBlock", triples=triples)
        else:
            merged.append(part)
    return merged
