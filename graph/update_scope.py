"""Which graphs a SPARQL Update writes, read from its text before it runs.

The store keeps the union of its graphs as a graph of its own. Knowing the graphs an update
writes lets that union be kept in step at the cost of those graphs; not knowing them costs a
rebuild from the whole store. The graphs are exact or unknown (None): a template writing to
`GRAPH ?g`, `CLEAR ALL`, or an update not read leaves them unknown, and the caller rebuilds.
(Which graphs an update may write at all is graph/update_guard.py's business.)

rdflib's parser reads an update; its time grows faster than the text (a second for 10 kB of
INSERT DATA, a minute for 150 kB), so longer texts are not read.
"""

from __future__ import annotations

from dataclasses import dataclass

import rdflib
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate

LONGEST_READ = 4096
"""Characters of the longest update parsed; a longer one costs more to parse than a rebuild."""


@dataclass(frozen=True)
class UpdateScope:
    """`graphs`: the graphs the update may write (None in it stands for the default graph), or
    None when they are not known exactly."""

    graphs: tuple[str | None, ...] | None


def read_update(sparql: str) -> UpdateScope:
    """The scope of one SPARQL Update request."""
    if len(sparql) > LONGEST_READ:
        return UpdateScope(None)
    try:
        update = translateUpdate(parseUpdate(sparql))
        operations = update.algebra if update else []  # a bare prologue: no operation
    except Exception:  # noqa: BLE001 - whatever rdflib fails on, Oxigraph will judge
        return UpdateScope(None)
    written: list[str | None] = []
    for operation in operations:
        graphs = _operation_graphs(operation)
        if graphs is None:
            return UpdateScope(None)
        written.extend(graphs)
    return UpdateScope(tuple(dict.fromkeys(written)))


def _operation_graphs(operation) -> list[str | None] | None:
    name = operation.name
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        return _template_graphs(operation, None)
    if name == "Modify":
        default = _field(operation, "withClause")
        if default is not None and not isinstance(default, rdflib.URIRef):
            return None
        graphs: list[str | None] = []
        for clause in (_field(operation, "delete"), _field(operation, "insert")):
            if clause is None:
                continue
            found = _template_graphs(clause, str(default) if default is not None else None)
            if found is None:
                return None
            graphs += found
        return graphs
    if name in ("Load", "Clear", "Drop", "Create"):
        return _graph_reference(_field(operation, "graphiri"))
    if name in ("Add", "Copy"):
        return _graph_reference(operation.graph[1])
    if name == "Move":  # the source is emptied, the target replaced
        source, target = (_graph_reference(g) for g in operation.graph)
        return None if source is None or target is None else source + target
    return None


def _field(value, key: str):
    """A field of rdflib's algebra, or None when absent (its own `get` answers the key)."""
    return value[key] if key in value else None


def _template_graphs(clause, default: str | None) -> list[str | None] | None:
    """The graphs of a quad template: its GRAPH blocks, and `default` for plain triples."""
    graphs: list[str | None] = [default] if _field(clause, "triples") else []
    for graph in (_field(clause, "quads") or {}).keys():
        if not isinstance(graph, rdflib.URIRef):
            return None  # GRAPH ?g: any graph at all
        graphs.append(str(graph))
    return graphs


def _graph_reference(reference) -> list[str | None] | None:
    """A graph named by DROP, CLEAR, ADD and the like: an IRI, DEFAULT, or NAMED/ALL (None)."""
    if isinstance(reference, rdflib.URIRef):
        return [str(reference)]
    if reference in ("DEFAULT", None):
        return [None]
    return None
