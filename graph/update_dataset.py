"""Several USING graphs of an update merged as a set, as the store's other default graphs are.

`DELETE ... USING <a> USING <b> WHERE { ... }` evaluates its WHERE over the merge of a and b.
Oxigraph reads that merge as a multiset: a triple both graphs hold matches twice, so a COUNT
in the WHERE counts it twice, where the union of graphs Comity serves, and a query's several
FROM graphs, count it once. The request is rewritten so that the operation reads one scratch
graph holding the set union, made before it and dropped after it in the same request (one
transaction): `INSERT { GRAPH <scratch> { ?s ?p ?o } } WHERE { { GRAPH <a> { ?s ?p ?o } }
UNION { GRAPH <b> { ?s ?p ?o } } } ; DELETE ... USING <scratch> WHERE { ... } ; DROP SILENT
GRAPH <scratch>`. An update with one USING graph, or none, is left as it is.
"""

import uuid
from dataclasses import dataclass, field

from graph.sparql_tokens import declared, has_escapes, spliced, tokens, written_iri

_SCRATCH_PREFIX = "urn:comity:merged-using:"
_OPERATION_WORDS: tuple[str, ...] = (
    "INSERT",
    "DELETE",
    "WITH",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
)


@dataclass
class _Operation:
    first: int | None = None
    """Where its first keyword starts in the text (after any prologue)."""
    using: list[tuple[int, int, str | None]] = field(default_factory=list)
    """Each `USING <iri>` clause (not USING NAMED): its span and the IRI it names."""
    end: int | None = None
    """Where its last top-level group ends."""


def merged_using(sparql: str) -> str:
    """The update with every operation's several USING graphs read as one set (see above)."""
    if "using" not in sparql.lower() or has_escapes(sparql):
        return sparql  # no USING at all; escapes are the guard's to refuse or pass
    edits: list[tuple[int, int, str]] = []
    for operation in _operations(sparql):
        iris = [iri for _, _, iri in operation.using]
        if len(set(iris)) < 2 or None in iris or operation.first is None or operation.end is None:
            continue
        scratch = f"{_SCRATCH_PREFIX}{uuid.uuid4().hex}"
        union = " UNION ".join(f"{{ GRAPH <{iri}> {{ ?s ?p ?o }} }}" for iri in dict.fromkeys(iris))
        merge = f"INSERT {{ GRAPH <{scratch}> {{ ?s ?p ?o }} }} WHERE {{ {union} }} ;\n"
        edits.append((operation.first, operation.first, merge))
        (start, end, _), *others = operation.using
        edits.append((start, end, f"USING <{scratch}>"))
        edits += [(start, end, "") for start, end, _ in others]
        edits.append((operation.end, operation.end, f" ;\nDROP SILENT GRAPH <{scratch}>"))
    if not edits:
        return sparql
    return spliced(sparql, edits)


def _operations(sparql: str) -> list[_Operation]:
    stream = list(tokens(sparql))
    operations = [_Operation()]
    depth = 0
    for index, token, prefixes, base in declared(stream):
        operation = operations[-1]
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
            if depth == 0:
                operation.end = token.start + 1
        elif depth > 0:
            continue
        elif token.kind == "other" and token.text == ";":
            operations.append(_Operation())
        elif token.is_word(*_OPERATION_WORDS) and operation.first is None:
            operation.first = token.start
        elif token.is_word("USING") and index + 1 < len(stream):
            target = stream[index + 1]
            if target.is_word("NAMED"):
                continue
            end = target.start + len(target.text)
            operation.using.append((token.start, end, written_iri(target, prefixes, base)))
    return operations
