"""Which graphs a SPARQL Update writes, read from its tokens before it runs.

The store keeps the union of its graphs as a graph of its own. Knowing the graphs an update
writes lets that union be kept in step at the cost of those graphs; not knowing them costs a
rebuild from the whole store. The graphs are a superset of those written, or unknown (None): a
template writing to `GRAPH ?g`, `CLEAR ALL`, or an operation not read leaves them unknown, and
the caller rebuilds. (Which graphs an update may write at all is graph/update_guard.py's
business.) Reading is one pass over the tokens (graph/sparql_tokens.py), linear in the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.sparql_tokens import Token, declared, has_escapes, tokens, written_iri

Graphs = list[str | None]
"""Graph IRIs, None standing for the default graph."""


@dataclass(frozen=True)
class DataWrite:
    """An update made of DROP or CLEAR GRAPH operations followed by INSERT DATA operations
    alone (what a Graph Store PUT or POST sends): the graphs it empties, and for each INSERT
    DATA the offset of its closing brace and the triples it inserts, their GRAPH blocks
    undone. A store keeping a union can add those triples to it inside the same operations
    (blank nodes stay one node) instead of copying the graphs after: on disk, a copy reading
    the transaction's own writes costs twice the insertion."""

    emptied: tuple[str, ...]
    inserted: tuple[tuple[int, str], ...]
    emptying: tuple[tuple[int, int, str], ...]
    """Each DROP or CLEAR as a (start, end, replacement) edit of the text: a DELETE WHERE of
    the graph's triples, which leaves the store as it would, and which Oxigraph runs in a
    fraction of the time a DROP or CLEAR takes in a transaction that writes much. A DROP of a
    graph that no INSERT DATA fills again has none: dropping it removes the graph itself."""


@dataclass(frozen=True)
class UpdateScope:
    """`graphs`: the graphs the update may write (None in it stands for the default graph), or
    None when they are not known exactly. `data_write`: the update as a DataWrite, when it is
    one."""

    graphs: tuple[str | None, ...] | None
    data_write: DataWrite | None = None


def read_update(sparql: str, stream: list[Token] | None = None) -> UpdateScope:
    """The scope of one SPARQL Update request (`stream`: its tokens, when already read)."""
    if stream is None:
        stream = list(tokens(sparql))
    iris: dict[int, str | None] = {}  # token index -> the IRI an IRI or prefixed name stands for
    for index, token, prefixes, base in declared(stream):
        if token.kind in ("iri", "pname"):
            iris[index] = written_iri(token, prefixes, base)
    written: Graphs = []
    operations = _operations(stream)
    for start, end in operations:
        graphs = _operation_graphs(_Reader(stream, iris, start, end))
        if graphs is None:
            return UpdateScope(None)
        written.extend(graphs)
    data_write = None if has_escapes(sparql) else _data_write(sparql, stream, iris, operations)
    return UpdateScope(tuple(dict.fromkeys(written)), data_write)


def _data_write(
    sparql: str, stream: list[Token], iris: dict[int, str | None], operations: list[tuple[int, int]]
) -> DataWrite | None:
    emptied: list[tuple[str, int, int, bool]] = []  # graph, text span, whether it is a DROP
    inserted: list[tuple[int, str]] = []
    filled: set[str | None] = set()
    for start, end in operations:
        reader = _Reader(stream, iris, start, end)
        if reader.done():
            continue
        dropping = reader.peek("DROP")
        if reader.take("DROP", "CLEAR") and not inserted:
            reader.take("SILENT")
            iri = reader.iri() if reader.take("GRAPH") else None
            if iri is None or not reader.done():
                return None
            emptied.append((iri, stream[start].start, stream[end - 1].end, dropping))
        elif reader.take("INSERT") and reader.take("DATA"):
            braces = reader.group()
            if braces is None or not reader.done():
                return None
            triples = _triples(sparql, stream, iris, *braces, filled)
            inserted.append((stream[braces[1]].start, triples))
        else:
            return None
    if not inserted:
        return None
    emptying = tuple(
        (start, end, f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        for graph, start, end, dropping in emptied
        if not dropping or graph in filled
    )
    return DataWrite(tuple(graph for graph, *_ in emptied), tuple(inserted), emptying)


def _triples(
    sparql: str,
    stream: list[Token],
    iris: dict[int, str | None],
    opening: int,
    closing: int,
    filled: set[str | None],
) -> str:
    """The triples of INSERT DATA's braces, wherever they go, without their GRAPH blocks;
    the graphs given triples are added to `filled`."""
    runs: list[tuple[int, int]] = []  # token index ranges of triples
    reader = _Reader(stream, iris, opening + 1, closing)
    while not reader.done():
        if reader.take("GRAPH"):
            graph = reader.iri()
            braces = reader.group()
            if graph is None or braces is None:
                return ""
            runs.append((braces[0] + 1, braces[1]))
            if braces[1] > braces[0] + 1:
                filled.add(graph)
        else:
            first = reader.position
            while not reader.done() and not reader.peek("GRAPH"):
                reader.position += 1
            runs.append((first, reader.position))
    pieces = []
    for first, last in runs:
        while first < last and stream[first].text == "." and stream[first].kind == "other":
            first += 1
        while last > first and stream[last - 1].text == "." and stream[last - 1].kind == "other":
            last -= 1
        if first < last:
            pieces.append(sparql[stream[first].start : stream[last - 1].end])
    return " .\n".join(pieces)


def _operations(stream: list[Token]) -> list[tuple[int, int]]:
    """The token ranges of the request's operations, declarations left out: split at each
    `;` outside braces."""
    ranges: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for index, token in enumerate(stream):
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        elif token.kind == "other" and token.text == ";" and depth == 0:
            ranges.append((start, index))
            start = index + 1
    ranges.append((start, len(stream)))
    return [_without_declarations(stream, start, end) for start, end in ranges]


def _without_declarations(stream: list[Token], start: int, end: int) -> tuple[int, int]:
    while start < end:
        if stream[start].is_word("BASE"):
            start += 2
        elif stream[start].is_word("PREFIX"):
            start += 3
        else:
            break
    return min(start, end), end


class _Reader:
    """The tokens of one operation, read from left to right."""

    def __init__(self, stream: list[Token], iris: dict[int, str | None], start: int, end: int):
        self.stream, self.iris, self.position, self.end = stream, iris, start, end

    def peek(self, *words: str) -> bool:
        return self.position < self.end and self.stream[self.position].is_word(*words)

    def take(self, *words: str) -> bool:
        if self.peek(*words):
            self.position += 1
            return True
        return False

    def done(self) -> bool:
        return self.position >= self.end

    def iri(self) -> str | None:
        """The IRI at this point (taking it), or None when none stands here."""
        if self.position < self.end and self.position in self.iris:
            self.position += 1
            return self.iris[self.position - 1]
        return None

    def group(self) -> tuple[int, int] | None:
        """The braces of the group starting here (taking it), or None."""
        if self.position >= self.end or self.stream[self.position].text != "{":
            return None
        depth = 0
        for index in range(self.position, self.end):
            text = self.stream[index].text
            if self.stream[index].kind == "other" and text in "{}":
                depth += 1 if text == "{" else -1
                if depth == 0:
                    opening, self.position = self.position, index + 1
                    return opening, index
        return None


def _operation_graphs(reader: _Reader) -> Graphs | None:
    if reader.done():
        return []  # a bare prologue, or a trailing `;`
    if reader.take("INSERT", "DELETE"):
        if reader.take("DATA", "WHERE"):
            graphs = _template(reader, reader.group(), None)
            return graphs if reader.done() else None
        reader.position -= 1
        return _modify(reader, None)
    if reader.take("WITH"):
        default = reader.iri()
        return None if default is None else _modify(reader, default)
    if reader.take("LOAD"):
        reader.take("SILENT")
        if reader.iri() is None:
            return None
        if reader.take("INTO"):
            return _graph(reader) if reader.take("GRAPH") else None
        return [None] if reader.done() else None
    if reader.take("CLEAR", "DROP", "CREATE"):
        reader.take("SILENT")
        if reader.take("DEFAULT"):
            return [None] if reader.done() else None
        return _graph(reader) if reader.take("GRAPH") else None  # ALL, NAMED: any graph
    moving = reader.peek("MOVE")
    if reader.take("ADD", "COPY", "MOVE"):
        reader.take("SILENT")
        source = _graph_or_default(reader)
        target = _graph_or_default(reader) if reader.take("TO") else None
        if source is None or target is None or not reader.done():
            return None
        return source + target if moving else target
    return None


def _graph(reader: _Reader) -> Graphs | None:
    iri = reader.iri()
    return [iri] if iri is not None and reader.done() else None


def _graph_or_default(reader: _Reader) -> Graphs | None:
    if reader.take("DEFAULT"):
        return [None]
    reader.take("GRAPH")
    iri = reader.iri()
    return None if iri is None else [iri]


def _modify(reader: _Reader, default: str | None) -> Graphs | None:
    """DELETE {...} INSERT {...} USING ... WHERE {...}, after any WITH."""
    graphs: Graphs = []
    for word in ("DELETE", "INSERT"):
        if reader.take(word):
            found = _template(reader, reader.group(), default)
            if found is None:
                return None
            graphs += found
    while reader.take("USING"):
        reader.take("NAMED")
        if reader.iri() is None:
            return None
    if not reader.take("WHERE") or reader.group() is None or not reader.done():
        return None
    return graphs


def _template(
    reader: _Reader, braces: tuple[int, int] | None, default: str | None
) -> Graphs | None:
    """The graphs of a quad template: its GRAPH blocks, and `default` for plain triples."""
    if braces is None:
        return None
    graphs: Graphs = []
    inner = _Reader(reader.stream, reader.iris, braces[0] + 1, braces[1])
    while not inner.done():
        if inner.take("GRAPH"):
            iri = inner.iri()
            if iri is None or inner.group() is None:
                return None  # GRAPH ?g: any graph at all
            graphs.append(iri)
        elif inner.stream[inner.position].text == ".":
            inner.position += 1
        else:
            graphs.append(default)  # a triple outside any GRAPH block
            while not inner.done() and not inner.peek("GRAPH"):
                if inner.group() is None:
                    inner.position += 1
    return graphs
