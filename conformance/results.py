"""Reading and comparing SPARQL results: solution sequences, booleans and graphs.

The comparison is strict: terms must be equal (same lexical form, datatype and language), the
multiset of solutions must be the same, in the same order when the query sorts, and blank nodes
match when one consistent one-to-one renaming makes the two sides equal.
"""

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph

Value = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple | str
Row = tuple[Value | None, ...]

RESULT_MEDIA_TYPES = {
    ".srx": "application/sparql-results+xml",
    ".srj": "application/sparql-results+json",
    ".tsv": "text/tab-separated-values",
    ".csv": "text/csv",
}
GRAPH_MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
}


@dataclass(frozen=True)
class Solutions:
    """A solution sequence: its variables and its rows, one value (or None) per variable."""

    variables: tuple[str, ...]
    rows: tuple[Row, ...]


Answer = Solutions | bool | frozenset


def parse_solutions(data: bytes, media_type: str) -> Solutions | bool:
    """A SELECT or ASK answer in any of the four standard result formats."""
    if media_type.startswith("text/csv"):
        return _parse_csv(data)
    results_format = pyoxigraph.QueryResultsFormat.from_media_type(media_type)
    if results_format is None:
        raise ValueError(f"{media_type} is not a SPARQL results format")
    parsed = pyoxigraph.parse_query_results(data, format=results_format)
    if isinstance(parsed, pyoxigraph.QueryBoolean):
        return bool(parsed)
    variables = tuple(v.value for v in parsed.variables)
    rows = tuple(tuple(solution[name] for name in variables) for solution in parsed)
    return Solutions(variables, rows)


def _parse_csv(data: bytes) -> Solutions:
    """CSV results are lossy: every value is a string, a blank node is `_:label`, and an
    unbound variable an empty field."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    lines = list(reader)
    variables = tuple(lines[0]) if lines else ()
    rows = tuple(tuple(_csv_value(field) for field in line) for line in lines[1:] if line != [])
    return Solutions(variables, rows)


def _csv_value(field: str) -> Value | None:
    if field == "":
        return None
    if field.startswith("_:"):
        return pyoxigraph.BlankNode(field[2:])
    return field


def parse_graph(data: bytes, media_type: str, base_iri: str | None = None) -> frozenset:
    """The triples of an RDF document, as a set."""
    rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type.split(";")[0].strip())
    if rdf_format is None:
        raise ValueError(f"{media_type} is not an RDF format")
    return frozenset(
        quad.triple if isinstance(quad, pyoxigraph.Quad) else quad
        for quad in pyoxigraph.parse(data, rdf_format, base_iri=base_iri)
    )


def compare(expected: Answer, actual: Answer, ordered: bool = False) -> str | None:
    """None when the answers are the same, else a short description of the difference."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        if expected == actual:
            return None
        return f"expected {_describe(expected)}, got {_describe(actual)}"
    if isinstance(expected, frozenset) or isinstance(actual, frozenset):
        if not (isinstance(expected, frozenset) and isinstance(actual, frozenset)):
            return f"expected {_describe(expected)}, got {_describe(actual)}"
        rows_expected = [(t.subject, t.predicate, t.object) for t in expected]
        rows_actual = [(t.subject, t.predicate, t.object) for t in actual]
        if _isomorphic(rows_expected, rows_actual, ordered=False):
            return None
        return f"graphs differ: expected {len(expected)} triples, got {len(actual)}"
    assert isinstance(expected, Solutions) and isinstance(actual, Solutions)
    if set(expected.variables) != set(actual.variables):
        return f"variables differ: expected {expected.variables}, got {actual.variables}"
    order = [actual.variables.index(v) for v in expected.variables]
    actual_rows = [tuple(row[i] for i in order) for row in actual.rows]
    if _isomorphic(list(expected.rows), actual_rows, ordered):
        return None
    missing = [row for row in expected.rows if row not in actual_rows]
    extra = [row for row in actual_rows if row not in expected.rows]
    return (
        f"solutions differ{' (in order)' if ordered else ''}: expected {len(expected.rows)} "
        f"rows, got {len(actual_rows)}; e.g. expected {_sample(missing or expected.rows)}, "
        f"got {_sample(extra or actual_rows)}"
    )


RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"


def result_set(triples: frozenset) -> Solutions | bool | None:
    """A result set written in RDF (the DAWG rs: vocabulary), or None when the graph holds
    none. Rows with an rs:index keep that order."""

    def objects(subject: object, name: str) -> list:
        return [
            t.object for t in triples if t.subject == subject and t.predicate.value == RS + name
        ]

    sets = [
        t.subject
        for t in triples
        if t.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        and t.object == pyoxigraph.NamedNode(RS + "ResultSet")
    ]
    if not sets:
        return None
    answer = sets[0]
    boolean = objects(answer, "boolean")
    if boolean:
        return boolean[0].value == "true"
    variables = tuple(sorted(v.value for v in objects(answer, "resultVariable")))
    indexed = []
    for solution in objects(answer, "solution"):
        values = {}
        for binding in objects(solution, "binding"):
            values[objects(binding, "variable")[0].value] = objects(binding, "value")[0]
        index = objects(solution, "index")
        indexed.append((int(index[0].value) if index else 0, values))
    indexed.sort(key=lambda pair: pair[0])
    rows = tuple(tuple(values.get(v) for v in variables) for _, values in indexed)
    return Solutions(variables, rows)


def _describe(answer: Answer) -> str:
    if isinstance(answer, bool):
        return f"boolean {str(answer).lower()}"
    if isinstance(answer, frozenset):
        return f"a graph of {len(answer)} triples"
    return f"{len(answer.rows)} solutions"


def _sample(rows: Sequence[Row]) -> str:
    return "(none)" if not rows else "(" + ", ".join(str(v) for v in rows[0]) + ")"


def _has_blank(row: Row) -> bool:
    return any(_blanks(value) for value in row)


def _blanks(value: Value | None) -> list[pyoxigraph.BlankNode]:
    if isinstance(value, pyoxigraph.BlankNode):
        return [value]
    if isinstance(value, pyoxigraph.Triple):
        return [b for part in (value.subject, value.object) for b in _blanks(part)]
    return []


def _isomorphic(expected: list[Row], actual: list[Row], ordered: bool) -> bool:
    """Whether one blank-node renaming, one-to-one, maps the expected rows onto the actual."""
    if len(expected) != len(actual):
        return False
    if ordered:
        return _match_in_order(expected, actual, {}, {})
    ground_expected = Counter(row for row in expected if not _has_blank(row))
    ground_actual = Counter(row for row in actual if not _has_blank(row))
    if ground_expected != ground_actual:
        return False
    with_blanks_expected = [row for row in expected if _has_blank(row)]
    with_blanks_actual = [row for row in actual if _has_blank(row)]
    return _match_unordered(with_blanks_expected, with_blanks_actual, {}, {})


def _unify(left: Value | None, right: Value | None, forward: dict, backward: dict) -> bool:
    """Extend the renaming so that `left` maps to `right`; False when it cannot."""
    if isinstance(left, pyoxigraph.BlankNode) and isinstance(right, pyoxigraph.BlankNode):
        if left in forward or right in backward:
            return forward.get(left) == right and backward.get(right) == left
        forward[left] = right
        backward[right] = left
        return True
    if isinstance(left, pyoxigraph.Triple) and isinstance(right, pyoxigraph.Triple):
        return all(
            _unify(a, b, forward, backward)
            for a, b in zip(
                (left.subject, left.predicate, left.object),
                (right.subject, right.predicate, right.object),
                strict=True,
            )
        )
    return left == right


def _unify_row(left: Row, right: Row, forward: dict, backward: dict) -> tuple | None:
    trial_forward, trial_backward = dict(forward), dict(backward)
    for a, b in zip(left, right, strict=True):
        if not _unify(a, b, trial_forward, trial_backward):
            return None
    return trial_forward, trial_backward


def _match_in_order(expected: list[Row], actual: list[Row], forward: dict, backward: dict) -> bool:
    for left, right in zip(expected, actual, strict=True):
        extended = _unify_row(left, right, forward, backward)
        if extended is None:
            return False
        forward, backward = extended
    return True


def _match_unordered(expected: list[Row], actual: list[Row], forward: dict, backward: dict) -> bool:
    """Backtracking search for a pairing of rows under one renaming (the test answers are
    small, so the search stays cheap)."""
    if not expected:
        return True
    first, rest = expected[0], expected[1:]
    tried: set[int] = set()
    for index, candidate in enumerate(actual):
        extended = _unify_row(first, candidate, forward, backward)
        if extended is None or id(candidate) in tried:
            continue
        tried.add(id(candidate))
        if _match_unordered(rest, actual[:index] + actual[index + 1 :], *extended):
            return True
    return False
