"""Comity's own graphs kept out of a SPARQL Update's reach, on what the engine will write.

The inferred graph is written by reasoning alone and the union by the store alone: an update
naming either (by full IRI, prefixed name or relative IRI, however declared) is refused. The
ontology and reference graphs change only where an update names them. Whatever an update
reaches without naming a graph is made to spare all four, inside the update itself, so the
engine writes it in the same transaction:

* a template writing `GRAPH ?g` (INSERT, DELETE, DELETE WHERE) writes through a fresh variable
  that the WHERE clause binds to `?g` unless `?g` is one of Comity's graphs; a solution binding
  one of them leaves that block of the template unwritten, the rest of it written;
* `DROP ALL`, `DROP NAMED`, `CLEAR ALL` and `CLEAR NAMED` drop (clear) the default graph and
  every other named graph one by one, and leave Comity's graphs as they were.

Reading is done on tokens (graph/sparql_tokens.py), once over the text, whatever the update's
syntax (RDF 1.2 triple terms, annotations, VERSION): the cost is linear in its length. An update
whose structure the guard cannot follow where it matters is refused, never let through.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from graph.sparql_tokens import (
    Token,
    declared,
    has_escapes,
    spliced,
    tokens,
    unescaped,
    written_iri,
)
from ontology import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_UNION
from ontology.errors import ComityError

COMITY_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_INFERRED, GRAPH_UNION)
"""Graphs no update writes unless it names them; the last two not even then."""

_SPARED = ", ".join(f"<{iri}>" for iri in COMITY_GRAPHS)


@dataclass
class _Operation:
    """What the guard needs of one operation of the request."""

    graph_variables: list[Token] = field(default_factory=list)
    """The variables after GRAPH in its templates."""
    where: tuple[int, int] | None = None
    """Token indexes of the braces of its WHERE group."""
    delete_where: tuple[int, int] | None = None
    """Token indexes of the braces of a DELETE WHERE's pattern (a template too)."""
    where_keyword: Token | None = None


def guarded_update(
    sparql: str, stored_graphs: Callable[[], Iterable[str]], stream: list[Token] | None = None
) -> str:
    """The update as the engine should run it: refused (ComityError) when it names the
    inferred graph or the union, rewritten when it could reach Comity's graphs unnamed,
    unchanged otherwise. `stored_graphs` lists the store's named graphs (asked only for a
    DROP or CLEAR of ALL or NAMED). `stream`: the tokens of `sparql`, when the caller has
    them (read again when its escapes change the text)."""
    text = unescaped(sparql)
    if text != sparql and has_escapes(text):
        raise ComityError(
            "the update could not be read safely: applying its \\u escapes makes new ones; "
            "write those characters as they are"
        )
    if stream is None or text != sparql:
        stream = list(tokens(text))
    named = _named_iris(stream)
    operations, wholesale = _operations(stream)
    edits: list[tuple[int, int, str]] = []
    taken = {token.text[1:] for token in stream if token.kind == "var"}
    fresh = _fresh_names(taken)
    for operation in operations:
        if operation.graph_variables:
            edits += _spare_in_templates(text, stream, operation, fresh)
    if wholesale:
        variables = any(operation.graph_variables for operation in operations)
        others = [g for g in dict.fromkeys([*stored_graphs(), *named]) if g not in COMITY_GRAPHS]
        for start, end, verb, silent, what in wholesale:
            edits.append((start, end, _one_by_one(verb, silent, what, others, variables, fresh)))
    if not edits:
        return sparql
    return spliced(text, edits)


def _named_iris(stream: list[Token]) -> list[str]:
    """Every IRI the update writes where a graph's name goes (after GRAPH, WITH or TO: the
    graphs an earlier operation of the request may create); refused when any IRI it names
    is the inferred graph or the union."""
    named: list[str] = []
    for index, token, prefixes, base in declared(stream):
        if token.kind not in ("iri", "pname"):
            continue
        iri = written_iri(token, prefixes, base)
        if iri == GRAPH_INFERRED:
            raise ComityError(
                f"the update names the inferred graph <{GRAPH_INFERRED}>, which only "
                f"`comity reason` writes; change the asserted graphs and run `comity reason`"
            )
        if iri == GRAPH_UNION:
            raise ComityError(
                f"the update names <{GRAPH_UNION}>, where the store keeps the union of all "
                f"graphs; it is never written directly"
            )
        if iri is not None and index > 0 and stream[index - 1].is_word("GRAPH", "WITH", "TO"):
            named.append(iri)
    return named


def _operations(
    stream: list[Token],
) -> tuple[list[_Operation], list[tuple[int, int, str, bool, str]]]:
    """The request's operations, and its DROP / CLEAR of ALL or NAMED as (start, end, verb,
    silent, ALL or NAMED) spans of the text."""
    operations = [_Operation()]
    wholesale: list[tuple[int, int, str, bool, str]] = []
    depth = 0
    region = ""  # what the top-level group being read is: template, where, delete-where
    pending = ""  # what the next top-level group will be
    opened = 0
    for index, token in enumerate(stream):
        operation = operations[-1]
        if token.kind == "other" and token.text == "{":
            if depth == 0:
                region, pending, opened = pending, "", index
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
            if depth == 0 and region == "where":
                operation.where = (opened, index)
            elif depth == 0 and region == "delete-where":
                operation.delete_where = (opened, index)
        elif depth > 0:
            following = stream[index + 1] if index + 1 < len(stream) else None
            if region in ("template", "delete-where") and token.is_word("GRAPH"):
                if following is not None and following.kind == "var":
                    operation.graph_variables.append(following)
        elif token.kind == "other" and token.text == ";":
            operations.append(_Operation())
        elif token.is_word("INSERT", "DELETE"):
            following = stream[index + 1] if index + 1 < len(stream) else None
            if following is not None and following.is_word("WHERE") and token.is_word("DELETE"):
                pending = "delete-where"
                operation.where_keyword = following
            elif following is not None and following.is_word("DATA"):
                pending = "data"
            else:
                pending = "template"
        elif token.is_word("WHERE") and pending != "delete-where":
            pending = "where"
        elif token.is_word("DROP", "CLEAR"):
            rest = stream[index + 1 : index + 3]
            silent = bool(rest) and rest[0].is_word("SILENT")
            target = rest[1] if silent and len(rest) > 1 else (rest[0] if rest else None)
            if target is not None and target.is_word("ALL", "NAMED"):
                end = target.start + len(target.text)
                verb, what = token.text.upper(), target.text.upper()
                wholesale.append((token.start, end, verb, silent, what))
    if depth != 0 and (wholesale or any(operation.graph_variables for operation in operations)):
        _unreadable("its braces do not balance")
    return operations, wholesale


def _spare_in_templates(
    text: str, stream: list[Token], operation: _Operation, fresh: Callable[[], str]
) -> list[tuple[int, int, str]]:
    """Edits that make the operation's GRAPH variables in templates skip Comity's graphs."""
    renamed: dict[str, str] = {}
    edits: list[tuple[int, int, str]] = []
    for variable in operation.graph_variables:
        name = variable.text[1:]
        if name not in renamed:
            renamed[name] = fresh()
        edits.append((variable.start, variable.start + len(variable.text), f"?{renamed[name]}"))
    unbound = fresh()
    binds = " ".join(
        f"BIND(IF(?{name} IN ({_SPARED}), ?{unbound}, ?{name}) AS ?{safe})"
        for name, safe in renamed.items()
    )
    if operation.delete_where is not None and operation.where_keyword is not None:
        # DELETE WHERE { P } is DELETE { P } WHERE { P }: written out, to bind the new names
        opening, closing = (stream[i] for i in operation.delete_where)
        pattern = text[opening.start : closing.start + 1]
        keyword = operation.where_keyword
        edits.append((keyword.start, keyword.start + len(keyword.text), ""))
        edits.append((closing.start + 1, closing.start + 1, f" WHERE {{ {pattern} {binds} }}"))
    elif operation.where is not None:
        opening, closing = (stream[i] for i in operation.where)
        edits.append((opening.start + 1, opening.start + 1, " {"))
        edits.append((closing.start, closing.start, f"}} {binds} "))
    else:
        _unreadable("a template writes GRAPH ?variable, but no WHERE clause binds it")
    return edits


def _one_by_one(
    verb: str,
    silent: bool,
    what: str,
    graphs: list[str],
    variables: bool,
    fresh: Callable[[], str],
) -> str:
    """DROP / CLEAR of ALL or NAMED as the same operation on each graph but Comity's own,
    and, when templates wrote graphs chosen by variables, on the triples of those too."""
    operations = [f"{verb} SILENT GRAPH <{graph}>" for graph in graphs]
    if what == "ALL":
        operations.insert(0, f"{verb}{' SILENT' if silent else ''} DEFAULT")
    if variables:
        g, s, p, o = fresh(), fresh(), fresh(), fresh()
        quad = f"GRAPH ?{g} {{ ?{s} ?{p} ?{o} }}"
        operations.append(f"DELETE {{ {quad} }} WHERE {{ {quad} FILTER(?{g} NOT IN ({_SPARED})) }}")
    return " ;\n".join(operations) or "INSERT DATA { }"


def _fresh_names(taken: set[str]) -> Callable[[], str]:
    """Variable names the request does not use, one per call."""
    counter = 0

    def fresh() -> str:
        nonlocal counter
        while True:
            counter += 1
            name = f"comity_graph_{counter}"
            if name not in taken:
                return name

    return fresh


def _unreadable(why: str) -> None:
    raise ComityError(
        f"the update could not be read: {why}; Comity refuses an update it cannot read, since "
        f"it might write graphs Comity keeps itself"
    )
