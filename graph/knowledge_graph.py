"""The knowledge graph: sources in named graphs, each replaced in one transaction.

Rules the whole project relies on:

* Each source owns one named graph (`source_graph_iri(document)`), plus for an RDF file in a
  quad format the named graphs the file itself declares. Loading a source replaces what it
  owned in one transaction (except a large RDF file on the embedded store, which Oxigraph
  bulk-loads after dropping the old version, see `load_rdf`); removing it drops exactly that.
* Reloading is idempotent: when a source's content hash AND the triples derived from it are
  unchanged, the store keeps its graph as it is, `comity:loadedAt` included, so two loads of
  the same source leave the same store triple for triple. (A bulk-loaded file is judged by its
  hash and name alone: its triples follow from its bytes.)
* The inferred graph is only ever written by `reason()`; updates that name it are refused,
  and no update reaches it, nor the ontology and reference graphs, without naming them
  (graph/update_guard.py): DROP ALL and CLEAR ALL leave them as they were.
* A new store starts with the ontology and reference graphs; each carries the content hash of
  what it was made from and is rewritten when that changes.
* A graph opened read-only writes nothing, not even those graphs: each write method refuses.
"""

import hashlib
import itertools
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph

from graph.backend import (
    BulkLoadingStore,
    QueryResults,
    RestoringStore,
    StoreBackend,
    graph_quads,
    solutions_of,
)
from graph.formats import format_of_file, rdf_format
from graph.isolated_writes import LIMIT as ISOLATION_LIMIT
from graph.isolated_writes import AssertedTerms, changed_digest, line_digest
from graph.sources import (
    CONTENT_HASH,
    INCOMPLETE,
    LOADED_AT,
    PART_GRAPH,
    SourceInfo,
    SourceMetadata,
    metadata_triples,
    sources_query,
    stored_count,
    triple_count,
)
from graph.sparql_tokens import tokens
from graph.statistics import Statistics, compute_statistics
from graph.update_dataset import merged_using
from graph.update_guard import guarded_update
from graph.update_scope import read_update
from ontology import (
    COMITY,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    GRAPH_SOURCE_PREFIX,
    GRAPH_UNION,
    ID,
    PREFIXES,
    RDF,
    XSD,
    document_iri,
    document_key,
    source_graph_iri,
)
from ontology.errors import ComityError

if TYPE_CHECKING:
    from graph.validation import ValidationReport

MANAGED_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_INFERRED, GRAPH_UNION)

# The content hash a bulk-loaded source carries until its file is completely in the store.
_PROVISIONAL_HASH = INCOMPLETE + "the load did not finish"
_CURRENT = pyoxigraph.Triple(
    pyoxigraph.NamedNode(GRAPH_INFERRED),
    pyoxigraph.NamedNode(COMITY.current),
    pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode(XSD.boolean)),
)
"""Held in the inferred graph while it is what reasoning over the asserted graphs gives: taken
out before every write to them and put back by the reasoning that follows, so that a process
killed in between leaves a store that says its inferred graph is stale."""
# The content hash the ontology graph carries while a restore is under way.
_RESTORE_MARKER = pyoxigraph.Quad(
    pyoxigraph.NamedNode(GRAPH_ONTOLOGY),
    CONTENT_HASH,
    pyoxigraph.Literal("incomplete: the restore did not finish"),
    pyoxigraph.NamedNode(GRAPH_ONTOLOGY),
)


@dataclass(frozen=True)
class ReasoningSummary:
    """What a reasoning run read and wrote."""

    asserted_triples: int
    inferred_triples: int
    seconds: float
    change: tuple[list[pyoxigraph.Triple], list[pyoxigraph.Triple]] | None = None
    """The inferred triples removed and added, when the run changed only some (None when it
    wrote the whole inferred graph anew): what a copy of the store needs to follow it."""
    by_store: bool = False
    """True when the store reasons for itself: this run only counted what it holds."""
    left_out: tuple[str, ...] = ()
    """Asserted triples (N-Triples) reasoning could not read, RDF 1.2 terms: the store keeps
    them and queries see them, but nothing is inferred from them."""


@dataclass(frozen=True)
class RestoreSummary:
    """What a restore put in the store, and which of Comity's own graphs the dump holds in
    another version than this release's."""

    quads: int
    graphs: int
    differing: list[str]


CHANGE_GRAPH_LIMIT = 20_000
"""Triples of the largest graph whose lines an update's change is read from, before and after
it; an update writing a larger graph leaves the next reasoning to read every asserted triple."""


@dataclass
class _AssertedChange:
    """Asserted lines that updates added and removed since the last reasoning, kept while
    every write since was an update followed line by line: `generation` is the write
    generation they bring the store to. Any other write (a load, a source replaced, an update
    not followed) leaves the generation behind, and reasoning then reads every triple."""

    generation: int
    added: set[bytes]
    removed: set[bytes]


class KnowledgeGraph:
    """The Comity knowledge graph over one store (embedded or remote)."""

    def __init__(self, backend: StoreBackend, read_only: bool = False) -> None:
        self._backend = backend
        self._generation = 0
        self._statistics: tuple[int, Statistics] | None = None
        self._reasoned: tuple[int, int] | None = None
        """The digest of the asserted triples the inferred graph was last computed from, and
        how many triples it holds."""
        self._asserted: AssertedTerms | None = None
        """Those triples themselves, to tell writes that cannot change what reasoning gives."""
        self._change: _AssertedChange | None = None
        """How updates changed those triples since, while only updates whose graphs could be
        read before and after have written (see `_AssertedChange`)."""
        self._read_only = read_only
        if not read_only:
            self._install_vocabulary()

    @property
    def location(self) -> str:
        """The store URL, without credentials."""
        return self._backend.location

    @property
    def read_only(self) -> bool:
        """True when every write is refused (see graph.open)."""
        return self._read_only

    # -- reading ------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default_graph: bool = True,
        timeout: float | None = None,
    ) -> QueryResults:
        """Evaluate a SPARQL query.

        The default graph is the union of all graphs, unless the request names graphs
        (`default_graph` or `named_graphs`) or `union_default_graph` is False. A
        `FILTER NOT EXISTS` that provably means the same as a `MINUS` runs as the (much faster)
        `MINUS`.

        `timeout` (seconds) bounds a query on a remote store: its request is abandoned at the
        deadline and QueryTimeout raised. An embedded store ignores it, because Oxigraph cannot
        stop a query part way; run the query in a process you can kill instead (the server's
        worker pool does).
        """
        from graph.not_exists import rewrite_not_exists

        return self._evaluate(
            rewrite_not_exists(sparql), default_graph, named_graphs, union_default_graph, timeout
        )

    def _evaluate(
        self,
        sparql: str,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default_graph: bool = True,
        timeout: float | None = None,
    ) -> QueryResults:
        """Run a query as written; the graph layer's own queries come straight here."""
        try:
            return self._backend.query(
                sparql, default_graph, named_graphs, union_default_graph, timeout
            )
        except SyntaxError as error:
            raise ComityError(f"invalid SPARQL query: {one_line(error)}") from error
        except ValueError as error:
            raise ComityError(f"invalid query request: {error}") from error

    def _select(self, sparql: str) -> pyoxigraph.QuerySolutions:
        """The rows of one of the graph layer's own SELECT queries."""
        return solutions_of(self._evaluate(sparql))

    def sources(self) -> list[SourceInfo]:
        """Every source in the store, in the order of their graph IRIs."""
        return [_source_info(solution) for solution in self._select(sources_query())]

    def source(self, document: str) -> SourceInfo | None:
        """One source by its document IRI, or None when the store does not hold it."""
        solutions = self._select(sources_query(source_graph_iri(document)))
        return next((_source_info(solution) for solution in solutions), None)

    def stats(self) -> Statistics:
        """VoID statistics, current after every write (cached per write for the embedded store)."""
        if self._statistics and self._statistics[0] == self._generation:
            return self._statistics[1]
        statistics = compute_statistics(self._select)
        if self._backend.keeps_statistics_cache:
            self._statistics = (self._generation, statistics)
        return statistics

    def export(self, format: str, output: BinaryIO, graphs: list[str] | None = None) -> None:
        """Write the store (or some of its graphs) to a binary stream.

        Quad formats keep the graph names; triple formats (nt, ttl, rdf) merge the graphs.
        """
        target = rdf_format(format)
        for name in graphs or []:
            _check_iri(name, "graph")
        quads = self._quads(graphs)
        statements: Iterator[pyoxigraph.Quad] | Iterator[pyoxigraph.Triple] = (
            quads if target.supports_datasets else (quad.triple for quad in quads)
        )
        pyoxigraph.serialize(statements, output, target, prefixes=_prefixes_for(target))

    # -- writing ------------------------------------------------------------------------------

    def update(self, sparql: str, graphs: list[str | None] | None = None) -> None:
        """Run a SPARQL Update as one transaction; the inferred graph is out of its reach, and
        the ontology and reference graphs change only where it names them (see update_guard).

        `graphs`: the only graphs the update writes (None stands for the default graph); the
        store then keeps its union in step at their cost alone. Without them they are read
        from the update's text where it tells them exactly.
        """
        self._check_writable()
        stream = list(tokens(sparql))  # read once, by the guard and for the scope
        guarded = merged_using(guarded_update(sparql, self._backend.graph_names, stream))
        if guarded != sparql:
            graphs = None  # rewritten: its graphs are read from what will run
            sparql, stream = guarded, list(tokens(guarded))
        scope = read_update(sparql, stream)
        del stream  # hundreds of MB for a large update: not kept through the write
        if graphs is None and scope.graphs is not None:
            graphs = list(scope.graphs)
        if graphs is None:
            self._reasoned = None  # it may have written the inferred graph too (CLEAR ALL)
        before = self._lines_before(graphs)
        was_current = self._mark_stale()
        try:
            self._backend.update(sparql, graphs, scope.data_write)
        except SyntaxError as error:
            self._unmark_stale(was_current)
            raise ComityError(f"invalid SPARQL update: {one_line(error)}") from error
        except RuntimeError as error:  # evaluation refused, e.g. DROP of a missing graph
            self._unmark_stale(was_current)
            raise ComityError(f"the SPARQL update failed: {one_line(error)}") from error
        finally:
            self._generation += 1
        self._record_change(before)

    def follow_current_inferences(self) -> None:
        """For a handle that will reason after its writes but has not reasoned yet (a
        server's writer, `comity update`): when the store says its inferred graph is current,
        the asserted triples as they are now are the ones it was computed from, so reading
        them once lets the next writes be followed (see `reason`), at a fraction of what
        reasoning again would cost. A handle whose inferred graph another handle computes
        (an in-memory copy) must not: it would read every triple for nothing."""
        if (
            self._reasoned is not None
            or not self._backend.keeps_statistics_cache
            or self._backend.reasons_itself
            or not self.inferred_current()
        ):
            return
        lines = set(self._asserted_ntriples().splitlines())
        if len(lines) > ISOLATION_LIMIT:
            return
        inferred = sum(1 for _ in self._backend.quads(GRAPH_INFERRED))
        self._reasoned = (line_digest(lines), inferred)
        self._asserted = AssertedTerms(lines)
        self._follow_changes()

    def _asserted_ntriples(self) -> bytes:
        """Every asserted triple once, as N-Triples: what reasoning reads."""
        return self._backend.construct_ntriples(
            "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { { ?s ?p ?o } UNION "
            f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_INFERRED}>) }} }} }}"
        )

    def _lines_before(self, graphs: list[str | None] | None) -> dict[str | None, set[bytes]] | None:
        """The lines of the graphs an update is about to write, when its change to the
        asserted triples can be followed: every earlier write since reasoning was followed,
        the graphs are known and small, and no other process writes the store."""
        change = self._change
        if (
            graphs is None
            or change is None
            or change.generation != self._generation
            or self._asserted is None
            or self._reasoned is None
            or not self._backend.keeps_statistics_cache
        ):
            self._change = None
            return None
        return self._graph_lines(graphs)

    def _graph_lines(self, graphs: list[str | None]) -> dict[str | None, set[bytes]] | None:
        """Each graph's triples as N-Triples lines; None when one holds more than
        CHANGE_GRAPH_LIMIT (reasoning from everything then costs less than following)."""
        found: dict[str | None, set[bytes]] = {}
        for name in dict.fromkeys(graphs):
            quads = itertools.islice(self._backend.quads(name), CHANGE_GRAPH_LIMIT + 1)
            triples = [quad.triple for quad in quads]
            if len(triples) > CHANGE_GRAPH_LIMIT:
                return None
            text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
            found[name] = set((text or b"").splitlines())
        return found

    def _record_change(self, before: dict[str | None, set[bytes]] | None) -> None:
        """Add what the update just run changed in the asserted triples to `_change`."""
        change = self._change
        after = self._graph_lines(list(before)) if before is not None else None
        if before is None or after is None or change is None or self._asserted is None:
            self._change = None
            return
        added: set[bytes] = set().union(*(after[name] - before[name] for name in before))
        removed: set[bytes] = set().union(*(before[name] - after[name] for name in before))
        removed -= added
        if any(b"_:" in line for line in added | removed):
            self._change = None  # blank nodes: not matched line by line
            return
        removed -= self._still_asserted(removed)
        lines = self._asserted.lines
        for line in added:
            if line in change.removed:
                change.removed.discard(line)
            elif line not in lines:
                change.added.add(line)
        for line in removed:
            if line in change.added:
                change.added.discard(line)
            elif line in lines:
                change.removed.add(line)
        change.generation = self._generation

    def _still_asserted(self, lines: set[bytes]) -> set[bytes]:
        """Those of `lines` (without blank nodes) that a graph still asserts."""
        if not lines:
            return set()
        rows = " ".join(f"({line.decode().rstrip().removesuffix('.')})" for line in lines)
        held = self._backend.construct_ntriples(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} {{ ?s ?p ?o }} "
            f"UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_INFERRED}>) }} }}"
        )
        return set(held.splitlines()) & lines

    def replace_source(
        self,
        doc_iri: str,
        triples: Iterable[pyoxigraph.Triple | pyoxigraph.Quad],
        metadata: SourceMetadata,
    ) -> SourceInfo:
        """Put everything derived from one source into its graph, replacing what was there.

        The input is read completely before the store is touched, so an input that fails half
        way (or holds a quad for another graph) leaves the store exactly as it was.
        """
        self._check_writable()
        _check_iri(doc_iri, "document")
        graph = source_graph_iri(doc_iri)
        name = pyoxigraph.NamedNode(graph)
        content: list[pyoxigraph.Triple] = []
        for item in triples:
            if isinstance(item, pyoxigraph.Quad):
                if item.graph_name != name and not isinstance(
                    item.graph_name, pyoxigraph.DefaultGraph
                ):
                    raise ComityError(
                        f"source {doc_iri}: a quad is in graph {item.graph_name}, but a source "
                        f"writes only to its own graph <{graph}>; nothing was loaded"
                    )
                content.append(item.triple)
            elif isinstance(item, pyoxigraph.Triple):
                content.append(item)
            else:
                raise ComityError(
                    f"source {doc_iri}: got {type(item).__name__} where a Triple or Quad was "
                    f"expected; nothing was loaded"
                )
        return self._replace(doc_iri, {graph: content}, metadata)

    def load_rdf(self, path: Path, format: str | None = None) -> SourceInfo:
        """Load an RDF file as a source of its own, replacing its previous version.

        Triples (and the default graph of a quad file) go to the file's source graph; the named
        graphs a quad file declares are kept and belong to that source. Each file's blank nodes
        are fresh, so two files' `_:b0` stay two nodes. The whole file is parsed before the
        store is touched: a file with a syntax error loads nothing.

        A file larger than an embedded store's atomic limit (8 MiB by default) is bulk-loaded
        by Oxigraph itself, many times faster, but NOT atomically: the previous version is
        dropped first, so a concurrent reader may see the source missing or half-loaded. Its
        reload is skipped when the file's content hash and name match what the store holds
        (an edit of the source's graphs by a SPARQL update is then kept). Other files, and
        every file on a remote store, are replaced in one transaction.
        """
        self._check_writable()
        rdf = format_of_file(path, format)
        document = document_iri(document_key(path.stem))
        try:
            size = path.stat().st_size
        except OSError as error:
            raise ComityError(f"{path}: cannot read the file ({error.strerror})") from error
        backend = self._backend
        if isinstance(backend, BulkLoadingStore) and size > backend.atomic_limit_bytes:
            loaded = self._bulk_load_rdf(backend, path, rdf, document)
            if loaded is not None:
                return loaded
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ComityError(f"{path}: cannot read the file ({error.strerror})") from error
        graph = source_graph_iri(document)
        try:
            # Fresh blank node labels, so that two files' _:b0 stay two nodes in the store.
            quads = list(pyoxigraph.parse(data, rdf, base_iri=document, rename_blank_nodes=True))
        except SyntaxError as error:
            raise ComityError(f"{_located(path, error)}; nothing was loaded") from error
        except ValueError as error:
            raise ComityError(f"{path}: {error}; nothing was loaded") from error
        contents: dict[str, list[pyoxigraph.Triple]] = {graph: []}
        for quad in quads:
            if isinstance(quad.graph_name, pyoxigraph.NamedNode):
                target = quad.graph_name.value
            else:
                target = graph
            contents.setdefault(target, []).append(quad.triple)
        _refuse_managed_graphs(path, graph, contents)
        metadata = _file_metadata(path, hashlib.sha256(data).hexdigest())
        try:
            return self._replace(document, contents, metadata)
        except ComityError as error:  # a remote store failing: say which file it was loading
            raise ComityError(f"{path}: {error}") from error

    def _bulk_load_rdf(
        self, backend: BulkLoadingStore, path: Path, rdf: pyoxigraph.RdfFormat, document: str
    ) -> SourceInfo | None:
        """load_rdf through the store's native bulk loader; None when the file needs the
        transactional path (a graph named by a blank node, which that path merges into the
        source graph).

        A streaming parse checks the file and gathers its graph names first, keeping no quads;
        then the old version is dropped, the source's metadata written with a provisional
        hash, the file bulk-loaded, and the real hash and the triple count (counted in the
        store) set last: a load cut short (a killed process) leaves a hash no file has, so the
        next load replaces it, and no count.
        """
        graph = source_graph_iri(document)
        content_hash = _file_sha256(path)
        stored = self.source(document)
        if stored is not None and (stored.content_hash, stored.path) == (content_hash, path.name):
            return stored
        statements = _statements_per_graph(path, rdf, document)
        if any(isinstance(name, pyoxigraph.BlankNode) for name in statements):
            return None
        named = {name.value for name in statements if isinstance(name, pyoxigraph.NamedNode)}
        _refuse_managed_graphs(path, graph, named)
        part_graphs = sorted(named - {graph})
        loaded_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        added = metadata_triples(
            document, _file_metadata(path, _PROVISIONAL_HASH), loaded_at, part_graphs
        )
        provisional = pyoxigraph.serialize(added, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        written = [graph, *part_graphs]
        self._mark_stale()
        try:
            backend.replace_graphs(
                [*written, *(self._owned_graphs(document) or [])], {graph: provisional}
            )
            backend.bulk_load_file(path, rdf, document, graph, written)
            hashed = pyoxigraph.NamedNode(document), CONTENT_HASH
            # Counted as stored: the file may state a triple twice, or state the metadata.
            count = triple_count(document, self._triples_held(written) + 1)
            backend.change_triples(
                graph,
                [pyoxigraph.Triple(*hashed, pyoxigraph.Literal(_PROVISIONAL_HASH))],
                [pyoxigraph.Triple(*hashed, pyoxigraph.Literal(content_hash)), count],
            )
        except (OSError, SyntaxError) as error:
            # Only a file changed since it was checked, or a failing disk, gets here.
            backend.replace_graphs(written, {})
            reason = _located(path, error) if isinstance(error, SyntaxError) else str(error)
            raise ComityError(
                f"{path}: the bulk load failed part way ({reason}); the source's previous "
                f"version was already dropped, and what was loaded of the file is removed; "
                f"fix the file and load it again"
            ) from error
        finally:
            self._generation += 1
        loaded = self.source(document)
        if loaded is None:
            raise ComityError(f"{self.location}: the store did not keep source {document}")
        return loaded

    def restore(self, path: Path, replace: bool = False) -> RestoreSummary:
        """Make the store hold exactly what a dump of `comity export` holds.

        The dump is parsed whole before anything changes, so a malformed or truncated file
        restores nothing. A store holding data of its own is kept unless `replace` is given.
        """
        self._check_writable()
        backend = self._backend
        if not isinstance(backend, RestoringStore):
            raise ComityError(
                f"{self.location}: this store cannot be restored into; load the dump with the "
                f"store's own loader"
            )
        rdf = format_of_file(path)
        if not rdf.supports_datasets:
            raise ComityError(
                f"{path}: a dump keeps its graph names: restore N-Quads (.nq) or TriG (.trig), "
                f"as `comity export` writes them; nothing was restored"
            )
        statements = _statements_per_graph(path, rdf, ID)
        if pyoxigraph.NamedNode(GRAPH_UNION) in statements:
            raise ComityError(
                f"{path}: the dump writes to <{GRAPH_UNION}>, which Comity keeps itself; "
                f"nothing was restored"
            )
        held = [name for name in backend.graph_names() if name not in MANAGED_GRAPHS]
        if (held or next(iter(backend.quads(None)), None) is not None) and not replace:
            raise ComityError(
                f"{self.location}: the store already holds data ({len(held)} named graph(s) "
                f"besides Comity's own, or a default graph); restore into an empty store, or "
                f"replace everything it holds (--replace); nothing was restored"
            )
        self._reasoned = None
        try:
            backend.restore_dataset(path, rdf, _RESTORE_MARKER)
        except (OSError, SyntaxError) as error:
            reason = _located(path, error) if isinstance(error, SyntaxError) else str(error)
            raise ComityError(
                f"{path}: the restore failed part way ({reason}); the store is marked "
                f"incomplete: restore it again with --replace"
            ) from error
        finally:
            self._generation += 1
        differing = [
            graph for graph, digest in _vocabulary_digests() if not self._holds(graph, digest)
        ]
        return RestoreSummary(sum(statements.values()), len(statements), differing)

    def restore_unfinished(self) -> bool:
        """True when a restore into this store was cut short: it holds part of a dump."""
        marker = _RESTORE_MARKER
        return bool(
            self._evaluate(
                f"ASK {{ GRAPH {marker.graph_name} {{ {marker.subject} {marker.predicate} "
                f"{marker.object} }} }}"
            )
        )

    def remove_source(self, doc_iri: str) -> bool:
        """Drop everything a source contributed; False when the store does not hold it."""
        self._check_writable()
        _check_iri(doc_iri, "document")
        graph = source_graph_iri(doc_iri)
        owned = self._owned_graphs(doc_iri)
        if owned is None:
            return False
        self._mark_stale()
        self._backend.replace_graphs([graph, *owned], {})
        self._generation += 1
        return True

    def reason(self) -> ReasoningSummary:
        """Recompute the OWL 2 RL entailments and make them the whole inferred graph."""
        from graph.reasoning import release_freed_memory

        self._check_writable()
        started = time.perf_counter()
        if self._backend.reasons_itself:
            return self._reasoned_by_store(started)
        change, self._change = self._change, None
        if (
            change is not None
            and change.generation == self._generation
            and self._reasoned is not None
            and self._asserted is not None
            and self._asserted.isolated_change(change.added, change.removed)
        ):
            # Only updates wrote since the last reasoning, each followed line by line, and
            # what they changed is nothing reasoning reads: no need to read every triple.
            digest = changed_digest(self._reasoned[0], change.added, change.removed)
            return self._still_current(digest, len(self._asserted.lines), started)
        asserted = self._asserted_ntriples()
        lines = asserted.splitlines()
        distinct = set(lines)
        digest = line_digest(distinct)
        tracked = distinct if len(lines) <= ISOLATION_LIMIT else None
        if self._reasoned is not None and (
            self._reasoned[0] == digest
            or (
                self._asserted is not None
                and tracked is not None
                and self._asserted.isolated(tracked)
            )
        ):
            # Nothing asserted changed since this graph last reasoned (a write that wrote
            # nothing, a source loaded again), or nothing that reasoning reads (see
            # graph/isolated_writes.py): the inferred graph it wrote is still right.
            return self._still_current(digest, len(lines), started)
        summary = self._reason_in_full(asserted, len(lines), digest, tracked, started)
        del asserted, lines, distinct  # what release_freed_memory can then give back
        release_freed_memory()
        self._follow_changes()
        return summary

    def _still_current(self, digest: int, asserted: int, started: float) -> ReasoningSummary:
        """The inferred graph is still right for the asserted triples with this digest."""
        assert self._reasoned is not None
        self._reasoned = (digest, self._reasoned[1])
        self._backend.change_triples(GRAPH_INFERRED, [], [_CURRENT])
        self._follow_changes()
        return ReasoningSummary(
            asserted_triples=asserted,
            inferred_triples=self._reasoned[1],
            seconds=time.perf_counter() - started,
            change=([], [_CURRENT]),
        )

    def _follow_changes(self) -> None:
        """From now on, follow the updates' changes to the triples just reasoned over."""
        if self._asserted is not None:
            self._change = _AssertedChange(self._generation, set(), set())

    def _reason_in_full(
        self,
        asserted: bytes,
        asserted_count: int,
        digest: int,
        tracked: set[bytes] | None,
        started: float,
    ) -> ReasoningSummary:
        """Reason over every asserted triple and write what changed in the inferred graph."""
        from graph.derivations import derive
        from graph.reasoning import beyond_rdf_1_1, entailments

        asserted, left_out = beyond_rdf_1_1(asserted)
        derived = derive(asserted)
        inferred = entailments(asserted + derived.standing) + derived.standing + derived.dated
        # Parsed before it is written: a reasoner fault must not reach the store.
        try:
            new = {
                quad.triple for quad in pyoxigraph.parse(inferred, pyoxigraph.RdfFormat.N_TRIPLES)
            }
        except SyntaxError as error:
            raise RuntimeError(f"the reasoner produced invalid N-Triples: {error}") from error
        old = {quad.triple for quad in self._backend.quads(GRAPH_INFERRED)} - {_CURRENT}
        removed, added = list(old - new), list(new - old)
        change: tuple[list[pyoxigraph.Triple], list[pyoxigraph.Triple]] | None = None
        if len(removed) + len(added) <= max(len(new) // 4, 1):
            # A write changes few entailments: rewriting only those keeps each write's cost
            # (and what the store must later compact away) at the size of its change.
            added.append(_CURRENT)
            self._backend.change_triples(GRAPH_INFERRED, removed, added)
            change = (removed, added)
        else:
            current = pyoxigraph.serialize([_CURRENT], format=pyoxigraph.RdfFormat.N_TRIPLES)
            self._backend.replace_graphs(
                [GRAPH_INFERRED], {GRAPH_INFERRED: inferred + (current or b"")}
            )
        self._generation += 1
        self._reasoned = (digest, len(new) + 1)  # and the mark that says it is current
        self._asserted = AssertedTerms(tracked) if tracked is not None else None
        return ReasoningSummary(
            asserted_triples=asserted_count,
            inferred_triples=len(new) + 1,
            seconds=time.perf_counter() - started,
            change=change,
            left_out=tuple(line.decode("utf-8").strip() for line in left_out),
        )

    def _reasoned_by_store(self, started: float) -> ReasoningSummary:
        """What a store that reasons for itself holds: its inferred graph is its own to write
        (a Comity server refuses anyone else's), so this only counts."""
        asserted = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_INFERRED}>) }} }}"
        )
        inferred = self._select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}"
        )
        return ReasoningSummary(
            asserted_triples=int(next(iter(asserted))["n"].value),
            inferred_triples=int(next(iter(inferred))["n"].value),
            seconds=time.perf_counter() - started,
            by_store=True,
        )

    def change_inferred(
        self, removed: list[pyoxigraph.Triple], added: list[pyoxigraph.Triple]
    ) -> None:
        """Apply to the inferred graph a change another handle's reasoning made (see
        ReasoningSummary.change), for a copy whose asserted triples follow that handle's."""
        self._check_writable()
        if removed or added:
            self._backend.change_triples(GRAPH_INFERRED, removed, added)
        self._generation += 1
        self._reasoned = None

    def adopt_inferred(self, source: "KnowledgeGraph") -> None:
        """Make `source`'s inferred graph this graph's own, instead of reasoning again: for a
        copy of a store whose asserted triples equal `source`'s, where `source` just reasoned
        (reasoning costs seconds to minutes on a large store; copying its result, far less)."""
        new = {quad.triple for quad in source._backend.quads(GRAPH_INFERRED)}
        old = {quad.triple for quad in self._backend.quads(GRAPH_INFERRED)}
        self.change_inferred(list(old - new), list(new - old))

    def validate(self) -> "ValidationReport":
        """Check the asserted data (with inferred types) against the SHACL shapes."""
        from graph.validation import validate_dataset
        from ontology.vocabulary import read_shapes

        graphs = [name for name in self._backend.graph_names() if name != GRAPH_INFERRED]
        inferred_types = self._backend.construct_ntriples(
            f"CONSTRUCT {{ ?s <{RDF.type}> ?c }} "
            f"WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s <{RDF.type}> ?c }} }}"
        )
        quads = itertools.chain(
            self._quads([None, *graphs]), graph_quads(GRAPH_INFERRED, inferred_types)
        )
        dataset = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b""
        return validate_dataset(dataset, read_shapes())

    def inferred_current(self) -> bool:
        """Whether the inferred graph is what reasoning over the asserted graphs gives: False
        after a write that no reasoning has followed yet, or that a crash cut off from it."""
        if self._backend.reasons_itself:
            return True  # the store reasons after every write it takes, and says nothing else
        return bool(self._evaluate(f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ {_CURRENT} }} }}"))

    def _mark_stale(self) -> bool:
        """Take the inferred graph's "current" mark out before a write to the asserted graphs;
        True when it was there."""
        if self._backend.reasons_itself or not self.inferred_current():
            return False
        self._backend.change_triples(GRAPH_INFERRED, [_CURRENT], [])
        return True

    def _unmark_stale(self, was_current: bool) -> None:
        """Put the mark back after a write that failed and changed nothing."""
        if was_current:
            self._backend.change_triples(GRAPH_INFERRED, [], [_CURRENT])

    def flush(self) -> None:
        """Write what an on-disk store keeps in memory to its files, so that a read-only open
        finds it there instead of replaying the write-ahead log: the server opens a fresh
        read-only snapshot after every write, and replaying costs more the more writes the
        log holds (a tenth of a second and more, against a few milliseconds to flush)."""
        self._backend.flush()

    def close(self) -> None:
        """Release the store (the on-disk lock, the HTTP connections)."""
        self._backend.close()

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- inside -------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._read_only:
            raise ComityError(
                f"{self.location}: the store was opened read-only; open it again without "
                f"read_only=True to write to it"
            )

    def _replace(
        self,
        document: str,
        contents: dict[str, list[pyoxigraph.Triple]],
        metadata: SourceMetadata,
    ) -> SourceInfo:
        """Write a source's graphs in one replacement, unless they would not change."""
        graph = source_graph_iri(document)
        part_graphs = sorted(target for target in contents if target != graph)
        loaded_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        try:
            added = metadata_triples(document, metadata, loaded_at, part_graphs)
        except ValueError as error:
            raise ComityError(f"source {document}: {error}; nothing was loaded") from error
        # The source graph first, its metadata at its head and the content hash first of all:
        # a store that takes the write in several requests takes them in this order.
        head = sorted(added, key=lambda triple: triple.predicate != CONTENT_HASH)
        new = {
            graph: [*head, *contents[graph]],
            **{target: list(triples) for target, triples in contents.items() if target != graph},
        }
        new[graph].append(triple_count(document, stored_count(new) + 1))
        owned = self._owned_graphs(document)
        if owned is not None and self._unchanged(document, owned, new, metadata.content_hash):
            stored = self.source(document)
            if stored is not None:
                return stored
        drop = [graph, *(owned or []), *part_graphs]
        serialised = {
            target: pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
            for target, triples in new.items()
        }
        hashed = pyoxigraph.NamedNode(document), CONTENT_HASH
        final_hash = pyoxigraph.Triple(*hashed, pyoxigraph.Literal(metadata.content_hash))
        provisional = pyoxigraph.Triple(*hashed, pyoxigraph.Literal(_PROVISIONAL_HASH))
        in_steps = not self._backend.replaces_atomically(drop, serialised)
        if in_steps:
            # Written in several requests: the source graph's first line says it is incomplete
            # until the last request, so a write cut short leaves a source that says so,
            # never graphs that no source claims.
            final_line, provisional_line = (
                pyoxigraph.serialize([triple], format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
                for triple in (final_hash, provisional)
            )
            assert serialised[graph].startswith(final_line), "the content hash comes first"
            serialised[graph] = provisional_line + serialised[graph][len(final_line) :]
        was_current = self._mark_stale()
        try:
            self._backend.replace_graphs(drop, serialised)
            if in_steps:
                self._backend.change_triples(graph, [provisional], [final_hash])
        except ComityError:
            if not in_steps:
                self._unmark_stale(was_current)  # a refused replacement changed nothing
            raise
        finally:
            self._generation += 1
        stored = self.source(document)
        if stored is None:
            raise ComityError(f"{self.location}: the store did not keep source {document}")
        return stored

    def _triples_held(self, graphs: list[str]) -> int:
        """How many triples these named graphs hold, as a COUNT over each sees them."""
        total = 0
        for graph in graphs:
            results = self._select(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            )
            total += int(next(iter(results))["n"].value)
        return total

    def _owned_graphs(self, document: str) -> list[str] | None:
        """The extra graphs a stored source owns, or None when it is not in the store."""
        graph = source_graph_iri(document)
        results = self._select(
            f"SELECT ?hash ?part WHERE {{ GRAPH <{graph}> {{ <{document}> <{CONTENT_HASH.value}> "
            f"?hash OPTIONAL {{ <{document}> <{PART_GRAPH.value}> ?part }} }} }}"
        )
        rows = list(results)
        if not rows:
            return None
        return sorted({row["part"].value for row in rows if row["part"] is not None})

    def _unchanged(
        self,
        document: str,
        owned: list[str],
        new: dict[str, list[pyoxigraph.Triple]],
        content_hash: str,
    ) -> bool:
        """True when the store already holds exactly `new` (its loading time aside)."""
        graph = source_graph_iri(document)
        if set(owned) != set(new) - {graph}:
            return False
        old = {target: list(self._backend.quads(target)) for target in new}
        hashes = [q.object for q in old[graph] if q.predicate == CONTENT_HASH]
        # A content hash is a literal; anything else there is no hash of this content.
        stamped = [term.value if isinstance(term, pyoxigraph.Literal) else None for term in hashes]
        if stamped != [content_hash]:
            return False
        # Both sides go through a scratch store: a remote store may keep datatypes Oxigraph
        # normalises (Virtuoso keeps xsd:nonNegativeInteger).
        stored = pyoxigraph.Store()
        stored.extend(
            quad for quads in old.values() for quad in quads if quad.predicate != LOADED_AT
        )
        old_set = pyoxigraph.Dataset(stored)
        # A scratch store normalises literals the way Oxigraph stores them
        # ("3"^^xsd:nonNegativeInteger becomes "3"^^xsd:integer).
        scratch = pyoxigraph.Store()
        scratch.extend(
            pyoxigraph.Quad(
                triple.subject, triple.predicate, triple.object, pyoxigraph.NamedNode(target)
            )
            for target, triples in new.items()
            for triple in triples
            if triple.predicate != LOADED_AT
        )
        new_set = pyoxigraph.Dataset(scratch)
        if len(old_set) != len(new_set):
            return False
        old_set.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
        new_set.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
        return set(old_set) == set(new_set)

    def _quads(self, graphs: Sequence[str | None] | None) -> Iterator[pyoxigraph.Quad]:
        """The quads of some graphs (None: the default graph), or of the whole store."""
        if graphs is None:
            graphs = [None, *self._backend.graph_names()]
        return itertools.chain.from_iterable(self._backend.quads(graph) for graph in graphs)

    def _install_vocabulary(self) -> None:
        """Write the ontology and reference graphs when missing or made from other files: all
        that need it are built before any is written, so a broken file changes nothing."""
        built = [
            (graph, digest, build())
            for graph, digest, build in _vocabulary()
            if not self._holds(graph, digest)
        ]
        for graph, digest, ntriples in built:
            stamp = f'<{graph}> <{CONTENT_HASH.value}> "{digest}" .\n'.encode()
            self._mark_stale()
            if isinstance(self._backend, BulkLoadingStore) and not self._evaluate(
                f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            ):
                # A graph the store never held (a new store): nothing reads it yet, and the
                # bulk loader takes half the time of a transaction on disk. The stamp follows
                # in a write of its own, so a load cut short is loaded again at the next open.
                self._backend.load_graphs({graph: ntriples})
                self._backend.replace_graphs([], {graph: stamp})
            else:
                self._backend.replace_graphs([graph], {graph: ntriples + b"\n" + stamp})
            self._generation += 1

    def _holds(self, graph: str, digest: str) -> bool:
        """Whether a vocabulary graph is stamped with the content hash of these files."""
        return bool(
            self._evaluate(
                f'ASK {{ GRAPH <{graph}> {{ <{graph}> <{CONTENT_HASH.value}> "{digest}" }} }}'
            )
        )


def _vocabulary() -> list[tuple[str, str, Callable[[], bytes]]]:
    """The ontology and reference graphs of this release: each with the digest of the files
    it is made from (its stamp in a store) and how to build it as N-Triples."""
    from ontology import reference, vocabulary

    return [
        (GRAPH_ONTOLOGY, vocabulary.ontology_digest(), vocabulary.read_ontology),
        (GRAPH_REFERENCE, reference.reference_digest(), reference.reference_ntriples),
    ]


def _vocabulary_digests() -> list[tuple[str, str]]:
    return [(graph, digest) for graph, digest, _ in _vocabulary()]


def _file_metadata(path: Path, content_hash: str) -> SourceMetadata:
    return SourceMetadata(
        title=path.name, issued=None, content_hash=content_hash, kind="RdfFile", path=path.name
    )


def _file_sha256(path: Path) -> str:
    try:
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError as error:
        raise ComityError(f"{path}: cannot read the file ({error.strerror})") from error


def _statements_per_graph(
    path: Path, rdf: pyoxigraph.RdfFormat, base_iri: str
) -> Counter[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.DefaultGraph]:
    """How many statements the file puts in each graph, from a parse that keeps no quads.

    The count runs in C (Counter over map), which makes this pass a fraction of a bulk load.
    """
    try:
        quads = pyoxigraph.parse(path=path, format=rdf, base_iri=base_iri)
        return Counter(map(attrgetter("graph_name"), quads))
    except SyntaxError as error:
        raise ComityError(f"{_located(path, error)}; nothing was loaded") from error
    except ValueError as error:
        raise ComityError(f"{path}: {error}; nothing was loaded") from error
    except OSError as error:
        raise ComityError(f"{path}: cannot read the file ({error.strerror})") from error


def _refuse_managed_graphs(path: Path, graph: str, targets: Collection[str]) -> None:
    """Refuse a file writing to a graph Comity manages: the vocabulary, inferred or another
    source's graph."""
    for target in targets:
        if target in MANAGED_GRAPHS or (target != graph and target.startswith(GRAPH_SOURCE_PREFIX)):
            raise ComityError(
                f"{path}: the file writes to graph <{target}>, which Comity manages itself; "
                f"rename that graph in the file; nothing was loaded"
            )


def _check_iri(value: str, what: str) -> None:
    try:
        pyoxigraph.NamedNode(value)
    except ValueError as error:
        raise ComityError(f"{value!r} is not a valid {what} IRI ({error})") from error


def one_line(error: Exception, limit: int = 300) -> str:
    """A parser message on one line, its (sometimes very long) list of expected tokens cut."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _located(path: Path, error: SyntaxError) -> str:
    """A parser error as FILE:LINE:COLUMN: message."""
    line = error.lineno
    column = error.offset
    message = error.msg
    if line is not None and column is not None:
        return f"{path}:{line}:{column}: {message}"
    return f"{path}: {message}"


def _source_info(solution: pyoxigraph.QuerySolution) -> SourceInfo:
    def text(name: str) -> str | None:
        term = solution[name]
        return None if term is None else term.value

    return SourceInfo(
        iri=solution["doc"].value,
        graph=solution["g"].value,
        title=text("title"),
        issued=text("issued"),
        loaded_at=text("loaded") or "",
        triple_count=int(text("count") or 0),
        content_hash=text("hash") or "",
        path=text("path"),
    )


def _prefixes_for(target: pyoxigraph.RdfFormat) -> dict[str, str] | None:
    if target in (pyoxigraph.RdfFormat.N_TRIPLES, pyoxigraph.RdfFormat.N_QUADS):
        return None
    return dict(PREFIXES)
