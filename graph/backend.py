"""What a store must offer the knowledge graph, whether it lives in this process or behind HTTP.

The knowledge graph speaks to its store through this small surface only, so that the same
rules (one transaction per source, the inferred graph never edited by hand, statistics) hold
for the embedded Oxigraph store and for any SPARQL 1.1 endpoint alike.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph

from graph.update_scope import DataWrite
from ontology.errors import ComityError

QueryResults = pyoxigraph.QuerySolutions | pyoxigraph.QueryTriples | pyoxigraph.QueryBoolean


def solutions_of(results: object) -> pyoxigraph.QuerySolutions:
    """The rows of a SELECT query's results, which pyoxigraph types as any query's results."""
    if not isinstance(results, pyoxigraph.QuerySolutions):
        raise TypeError(f"a SELECT query was answered with {type(results).__name__}")
    return results


class QueryTimeout(ComityError):
    """A query got no complete answer within its time limit, and its request was abandoned.

    A ComityError of its own, so that a server can answer it as "unavailable, try a cheaper
    query" rather than as a bad request.
    """


class StoreBackend(Protocol):
    """The primitive operations of a store; everything else is built on them."""

    location: str
    """Where the store is, for messages (never with credentials)."""

    keeps_statistics_cache: bool
    """True when nobody but this process can write the store, so cached numbers stay right."""

    @property
    def reasons_itself(self) -> bool:
        """True when the store computes the OWL 2 RL entailments itself after every write (a
        Comity server does), so that nobody else may write its inferred graph."""

    def query(
        self,
        sparql: str,
        default_graph: list[str] | None,
        named_graphs: list[str] | None,
        union_default_graph: bool,
        timeout: float | None = None,
    ) -> QueryResults:
        """Evaluate a query; a store that cannot stop its own evaluation ignores `timeout`."""

    def update(
        self,
        sparql: str,
        graphs: list[str | None] | None = None,
        data_write: DataWrite | None = None,
    ) -> None:
        """Run one SPARQL Update as one transaction (one request for a remote store).

        `graphs`, when given, are the only graphs the update writes (None: the default
        graph), as the caller knows for a Graph Store write; a store may use it to keep
        what it derives from the graphs (the embedded store's union) at their cost alone;
        `data_write`, when the update is one (see graph/update_scope.py), lets it do so
        within the update's own operations.
        """

    def replace_graphs(self, drop: list[str], contents: dict[str, bytes]) -> None:
        """Drop graphs and fill graphs with N-Triples content, atomically where the store can.

        Where it cannot, graphs are written in the order `contents` names them, each graph's
        lines in their order (lines sharing a blank node kept together)."""

    def replaces_atomically(self, drop: list[str], contents: dict[str, bytes]) -> bool:
        """Whether `replace_graphs(drop, contents)` is one transaction: all of it or nothing."""

    def change_triples(
        self, graph: str, removed: list[pyoxigraph.Triple], added: list[pyoxigraph.Triple]
    ) -> None:
        """Remove and add single triples (without blank nodes) of one graph, in one write."""

    def construct_ntriples(self, sparql: str) -> bytes:
        """The N-Triples of a CONSTRUCT query over the real (non-union) default graph."""

    def graph_names(self) -> list[str]:
        """The IRIs of all non-empty named graphs."""

    def quads(self, graph: str | None) -> Iterator[pyoxigraph.Quad]:
        """The quads of one named graph, or of the default graph when `graph` is None."""

    def flush(self) -> None:
        """Write what the store keeps in memory to its files; nothing for a store elsewhere."""

    def close(self) -> None: ...


@runtime_checkable
class BulkLoadingStore(StoreBackend, Protocol):
    """A store that can load a whole RDF file natively, much faster than through updates.

    Such a load is not atomic: readers may see it half done, and a failure part way leaves
    part of the file in the store. The knowledge graph uses it only past `atomic_limit_bytes`.
    """

    atomic_limit_bytes: int

    def bulk_load_file(
        self,
        path: Path,
        format: pyoxigraph.RdfFormat,
        base_iri: str,
        graph: str,
        graphs: list[str] | None = None,
    ) -> None:
        """Add a file's quads: its default graph to `graph`, its named graphs as they are.

        `graphs` lists every graph the file writes (`graph` alone when None).

        The file's blank nodes get fresh names, so they never meet blank nodes already stored.
        """

    def load_graphs(self, contents: dict[str, bytes]) -> None:
        """Add N-Triples content to named graphs (blank nodes shared across graphs kept)."""

    def restore_dataset(
        self, path: Path, format: pyoxigraph.RdfFormat, marker: pyoxigraph.Quad
    ) -> None:
        """Empty the store and load a dump as it is (graph names kept, its default graph the
        default graph). Not atomic: `marker` is in the store from the start until the end,
        so that a restore cut short can be told from a whole one."""


@runtime_checkable
class RestoringStore(StoreBackend, Protocol):
    """A store a dump can be restored into: the embedded stores load it natively, a remote
    store graph by graph (see RemoteStore.restore_dataset for what it refuses)."""

    def restore_dataset(
        self, path: Path, format: pyoxigraph.RdfFormat, marker: pyoxigraph.Quad
    ) -> None:
        """Empty the store and write the dump's graphs; `marker` is there until the end."""


def replace_graphs_update(drop: list[str], contents: dict[str, bytes]) -> str:
    """One SPARQL Update that drops graphs and inserts new content into them.

    N-Triples lines are valid triples inside INSERT DATA, so content goes in as-is without
    a Python loop over triples. All graphs share one INSERT DATA: a blank node label belongs
    to one operation, so a node two graphs share must be written by a single one.
    """
    operations = [f"DROP SILENT GRAPH <{graph}>" for graph in dict.fromkeys(drop)]
    blocks = [
        graph_block(graph, ntriples) for graph, ntriples in contents.items() if ntriples.strip()
    ]
    if blocks:
        operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
    return " ;\n".join(operations)


def change_data(
    graph: str, removed: list[pyoxigraph.Triple], added: list[pyoxigraph.Triple]
) -> list[str]:
    """DELETE DATA and INSERT DATA operations for single triples of one graph."""
    operations = []
    for keyword, triples in (("DELETE", removed), ("INSERT", added)):
        if triples:
            lines = " ".join(f"{triple} ." for triple in triples)
            operations.append(f"{keyword} DATA {{ GRAPH <{graph}> {{ {lines} }} }}")
    return operations


def insert_data(graph: str, ntriples: bytes) -> str:
    """An INSERT DATA operation putting N-Triples into one named graph."""
    return f"INSERT DATA {{ {graph_block(graph, ntriples)} }}"


def graph_block(graph: str, ntriples: bytes) -> str:
    """The `GRAPH <iri> { ... }` block of INSERT DATA holding N-Triples."""
    return f"GRAPH <{graph}> {{\n{ntriples.decode('utf-8')}\n}}"


def graph_quads(graph: str, ntriples: bytes) -> Iterator[pyoxigraph.Quad]:
    """The triples of an N-Triples document as quads of one named graph."""
    name = pyoxigraph.NamedNode(graph)
    for quad in pyoxigraph.parse(ntriples, pyoxigraph.RdfFormat.N_TRIPLES):
        yield pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, name)
