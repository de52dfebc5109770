"""The embedded store: Oxigraph in this process, on disk (RocksDB) or in memory.

A query's default graph is the union of all graphs, and an RDF merge is a set: a triple that
three graphs hold is one triple. Oxigraph's own union (and a dataset of several default graphs)
is a bag, so the store keeps the union itself, as a set, in a hidden named graph
(`GRAPH_UNION`) that every write maintains in the same transaction, and queries read it as
their default graph. Writes of whole graphs (the loaders, reasoning, the Graph Store) keep it
in step at the cost of what they write; any other update rebuilds it after running, at the cost
of one pass over the store. No query sees the hidden graph among the named graphs.
"""

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph

from graph.backend import QueryResults, change_data, replace_graphs_update
from graph.sparql_inspection import declared_dataset, may_name_graphs, prologue_end
from graph.sparql_tokens import spliced
from graph.update_scope import DataWrite
from ontology import GRAPH_UNION
from ontology.errors import ComityError

# Above this much N-Triples, a replacement drops the old graphs, then bulk-loads the new ones:
# three to five times faster, but not atomic (a reader may see the graph empty or half-loaded).
# Sources extracted from texts stay far below it; large RDF dumps go past it.
ATOMIC_LIMIT_BYTES = 8 * 1024 * 1024

# How long a read-only open keeps trying while the writing process moves table files.
READ_ONLY_OPEN_SECONDS = 10


class EmbeddedStore:
    """A pyoxigraph.Store; every write up to `atomic_limit_bytes` is one Oxigraph transaction."""

    keeps_statistics_cache = True
    reasons_itself = False

    def __init__(
        self,
        store: pyoxigraph.Store,
        location: str,
        atomic_limit_bytes: int = ATOMIC_LIMIT_BYTES,
        writable: bool = True,
    ) -> None:
        self._store = store
        self.location = location
        self.atomic_limit_bytes = atomic_limit_bytes
        self.writable = writable
        self._visible_graphs: list[pyoxigraph.NamedNode | pyoxigraph.BlankNode] | None = None
        self._has_union = self._union_is_kept()
        if writable and not self._has_union:
            # A store written before the union was kept: build it once, in one transaction.
            self._store.update(_REBUILD_UNION)
            self._has_union = True

    @classmethod
    def in_memory(cls) -> "EmbeddedStore":
        return cls(pyoxigraph.Store(), "memory:")

    @classmethod
    def copy_in_memory(cls, source: "EmbeddedStore") -> "EmbeddedStore":
        """An in-memory store holding exactly the quads of `source` (its union included), so
        that it answers as `source` does, without touching the disk again."""
        store = pyoxigraph.Store()
        store.bulk_extend(source._store.quads_for_pattern(None, None, None, None))
        return cls(store, "memory:")

    def __len__(self) -> int:
        return len(self._store)

    @classmethod
    def on_disk(cls, path: Path) -> "EmbeddedStore":
        """Open or create the store directory, with a clear error for each way that can fail."""
        location = f"oxigraph:{path}"
        if path.exists() and not path.is_dir():
            raise ComityError(
                f"{location}: {path} is a file, not a store directory; "
                f"point --store to a directory (a new one is created)"
            )
        if path.is_dir() and any(path.iterdir()) and not (path / "CURRENT").exists():
            raise ComityError(
                f"{location}: {path} holds other files and is not an Oxigraph store; "
                f"point --store to an empty or new directory"
            )
        for parent in path.absolute().parents:
            if parent.exists():
                if not parent.is_dir():
                    raise ComityError(
                        f"{location}: cannot create the store, {parent} is a file; "
                        f"choose a path inside a directory"
                    )
                break
        if path.is_dir() and not os.access(path, os.W_OK):
            raise ComityError(
                f"{location}: the directory is not writable; "
                f"fix its permissions or choose another directory"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            store = pyoxigraph.Store(str(path))
        except OSError as error:
            raise ComityError(_open_failure(location, str(error))) from error
        except RuntimeError as error:
            raise ComityError(
                f"{location}: the store is damaged ({error}); restore it from a backup or an "
                f"export (`comity export`), or point --store to a new directory"
            ) from error
        return cls(store, location)

    @classmethod
    def read_only(cls, path: Path) -> "EmbeddedStore":
        """Open an existing store for reading only, as a snapshot of it at this moment.

        A read-only handle takes no lock, so other processes may read the store while the one
        process that holds it writes; what it writes after this call stays unseen until the
        store is opened again.
        """
        location = f"oxigraph:{path}"
        if path.exists() and not path.is_dir():
            raise ComityError(
                f"{location}: {path} is a file, not a store directory; point --store to one"
            )
        if not (path / "CURRENT").is_file():
            raise ComityError(
                f"{location}: there is no Oxigraph store at {path}, and a read-only open does "
                f"not create one; check the path, or create the store by loading into it "
                f"(`comity load`)"
            )
        try:
            store = _open_read_only(path)
        except OSError as error:
            raise ComityError(
                f"{location}: cannot open the store read-only ({error}); check the path and "
                f"its permissions"
            ) from error
        except RuntimeError as error:
            raise ComityError(
                f"{location}: the store is damaged ({error}); restore it from a backup or an "
                f"export (`comity export`)"
            ) from error
        return cls(store, location, writable=False)

    def query(
        self,
        sparql: str,
        default_graph: list[str] | None,
        named_graphs: list[str] | None,
        union_default_graph: bool,
        timeout: float | None = None,
    ) -> QueryResults:
        """Evaluate in this thread, every default graph of it a set (see the module's doc).

        A dataset named by the request comes first, then one the query declares (FROM, FROM
        NAMED), then the union. Oxigraph cannot stop a query part way, so `timeout` is
        ignored: a caller that needs a deadline runs the query in a process it can kill (as
        the server's worker pool does).
        """
        if default_graph is None and named_graphs is None:
            declared = declared_dataset(sparql)
            if declared is not None:
                default_graph, named_graphs = declared
                if not default_graph:
                    default_graph = [_NO_GRAPH]
        if default_graph is None and named_graphs is not None:
            default_graph = [_NO_GRAPH]  # named graphs alone: the default graph is empty
        if default_graph is not None and len(set(default_graph)) > 1:
            return self._query_merged(sparql, sorted(set(default_graph)), named_graphs)
        options: dict[str, object] = {}
        if default_graph is not None:
            options["default_graph"] = [_graph_node(graph) for graph in default_graph]
        elif union_default_graph and named_graphs is None:
            if self._has_union:
                options["default_graph"] = [_UNION_NODE]
            else:
                # A read-only snapshot of a store no writer has opened since the union was
                # introduced: Oxigraph's union is the only one it has.
                options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = [pyoxigraph.NamedNode(graph) for graph in named_graphs]
        elif self._has_union and may_name_graphs(sparql, GRAPH_UNION):
            # Listing the visible graphs (one per source) only when a GRAPH pattern could
            # reach the union keeps the graph layer's look-ups of one source's graph as fast
            # in a large store as in a small one.
            options["named_graphs"] = self._named_graphs()
        return evaluate(self._store, sparql, **options)

    def _query_merged(
        self, sparql: str, default_graph: list[str], named_graphs: list[str] | None
    ) -> QueryResults:
        """A query whose default graph merges several graphs, evaluated over a scratch copy
        in which the merge is one graph, so that a triple two of them hold counts once."""
        scratch = pyoxigraph.Store()
        scratch.extend(
            pyoxigraph.Quad(quad.subject, quad.predicate, quad.object)
            for graph in default_graph
            for quad in self._store.quads_for_pattern(None, None, None, _graph_node(graph))
        )
        names = [] if named_graphs is None else named_graphs
        scratch.extend(
            quad
            for graph in names
            for quad in self._store.quads_for_pattern(None, None, None, _graph_node(graph))
        )
        return evaluate(
            scratch,
            sparql,
            default_graph=pyoxigraph.DefaultGraph(),
            named_graphs=[pyoxigraph.NamedNode(graph) for graph in names],
        )

    def update(
        self,
        sparql: str,
        graphs: list[str | None] | None = None,
        data_write: DataWrite | None = None,
    ) -> None:
        """The update and the union kept in step, as one transaction.

        With `graphs` (the only graphs the update writes), their triples leave the union
        before the update unless another graph holds them, and their new triples join it
        after: the cost of those graphs. Without, the union is rebuilt from the whole store.
        The maintenance goes into the same request as operations before and after the
        update's own. An update may already end in its own `;`, so the request is tried with
        and without a separator; an update invalid either way is run alone, so that its own
        error is reported.

        A `data_write` (DROP or CLEAR GRAPH, then INSERT DATA) releases the emptied graphs
        before and puts the inserted triples into the union inside each INSERT DATA, instead
        of copying the graphs after (which reads the transaction's own writes, slowly).
        """
        self._visible_graphs = None
        # (text to run, upkeep before it, upkeep after it), tried in turn
        plans: list[tuple[str, str, str]] = []
        if graphs is not None and data_write is not None:
            union = [
                (offset, offset, f"\nGRAPH <{GRAPH_UNION}> {{\n{triples}\n}}\n")
                for offset, triples in data_write.inserted
                if triples
            ]
            emptied: list[str | None] = list(data_write.emptied)
            released = _release_from_union(emptied) + " ;\n" if emptied else ""
            plans.append((spliced(sparql, union + list(data_write.emptying)), released, ""))
        if graphs is None:
            plans.append((sparql, "", _REBUILD_UNION))
        else:
            plans.append(
                (sparql, _release_from_union(graphs) + " ;\n", _add_graphs_to_union(graphs))
            )
        for written, before, after in plans:
            opening = prologue_end(written)  # the upkeep goes after the declarations
            head, body = written[:opening], written[opening:]
            for separator in ("\n;\n", "\n"):
                try:
                    _with_unknown_functions(
                        self._store.update, head + before + body + separator + after
                    )
                    return
                except SyntaxError:
                    continue
        _with_unknown_functions(self._store.update, sparql)  # its own syntax error, if any
        self._store.update(_REBUILD_UNION)  # read alone but not with the upkeep: rebuild

    def replaces_atomically(self, drop: list[str], contents: dict[str, bytes]) -> bool:
        """Up to `atomic_limit_bytes` of content: past it `replace_graphs` bulk-loads."""
        return sum(len(ntriples) for ntriples in contents.values()) <= self.atomic_limit_bytes

    def replace_graphs(self, drop: list[str], contents: dict[str, bytes]) -> None:
        """One Store.update, which Oxigraph applies as one transaction; bulk loads when large.

        The union keeps a dropped graph's triples that another graph still holds, and gains
        the new content, in the same transaction.
        """
        _refuse_union(drop, contents)
        self._visible_graphs = None
        release = _release_from_union(list(dict.fromkeys(drop)))
        if self.replaces_atomically(drop, contents):
            union = b"\n".join(ntriples for ntriples in contents.values() if ntriples.strip())
            sparql = replace_graphs_update(drop, {**contents, GRAPH_UNION: union})
            self._store.update(release + " ;\n" + sparql if sparql else release)
            return
        self._store.update(release + " ;\n" + replace_graphs_update(drop, {}))
        self.load_graphs(contents)

    def load_graphs(self, contents: dict[str, bytes]) -> None:
        """Add N-Triples content to graphs, and to the union, with the bulk loader."""
        with_blank_nodes = [graph for graph, ntriples in contents.items() if b"_:" in ntriples]
        if len(with_blank_nodes) > 1:
            # Each bulk load names its blank nodes afresh: a node shared by two graphs must
            # come in one load, so the graphs go in together as one N-Quads document.
            self._store.bulk_load(_as_nquads(contents), pyoxigraph.RdfFormat.N_QUADS)
        else:
            for graph, ntriples in contents.items():
                self._store.bulk_load(
                    ntriples, pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(graph)
                )
        self._add_to_union(list(contents))

    def change_triples(
        self, graph: str, removed: list[pyoxigraph.Triple], added: list[pyoxigraph.Triple]
    ) -> None:
        """The triples' own change and the union's, one transaction, at the cost of the
        triples: a removed triple leaves the union unless another graph still holds it."""
        self._visible_graphs = None
        operations = change_data(graph, removed, added)
        for triple in removed:
            pattern = f"{triple.subject} {triple.predicate} {triple.object}"
            operations.append(
                f"DELETE {{ GRAPH <{GRAPH_UNION}> {{ {pattern} }} }} WHERE {{ "
                f"FILTER NOT EXISTS {{ {pattern} }} FILTER NOT EXISTS {{ GRAPH ?other "
                f"{{ {pattern} }} FILTER(?other != <{GRAPH_UNION}>) }} }}"
            )
        if added:
            lines = " ".join(f"{triple} ." for triple in added)
            operations.append(f"INSERT DATA {{ GRAPH <{GRAPH_UNION}> {{ {lines} }} }}")
        if operations:
            self._store.update(" ;\n".join(operations))

    def bulk_load_file(
        self,
        path: Path,
        format: pyoxigraph.RdfFormat,
        base_iri: str,
        graph: str,
        graphs: list[str] | None = None,
    ) -> None:
        """Oxigraph's bulk loader, which parses and writes in native threads; not atomic.

        It gives the file's blank nodes fresh names and puts the default graph of a quad file
        into `graph`, as the knowledge graph needs. `graphs` names every graph the file writes
        (`graph` alone when None), whose triples then join the union.
        """
        _refuse_union([graph, *(graphs or [])], {})
        self._visible_graphs = None
        self._store.bulk_load(
            path=path, format=format, base_iri=base_iri, to_graph=pyoxigraph.NamedNode(graph)
        )
        if graphs in (None, [graph]) and not _may_hold_blank_nodes(path):
            # The same file loaded again, into the union: as fast as the load itself, and
            # its terms are the same, having no blank nodes to be named afresh.
            self._store.bulk_load(path=path, format=format, base_iri=base_iri, to_graph=_UNION_NODE)
        else:
            self._add_to_union(graphs or [graph])

    def restore_dataset(
        self, path: Path, format: pyoxigraph.RdfFormat, marker: pyoxigraph.Quad
    ) -> None:
        self._store.clear()
        self._visible_graphs = None
        self._store.add(marker)
        self._store.bulk_load(path=path, format=format)
        self._store.update(_REBUILD_UNION)
        self._store.remove(marker)
        self._store.remove(
            pyoxigraph.Quad(marker.subject, marker.predicate, marker.object, _UNION_NODE)
        )

    def construct_ntriples(self, sparql: str) -> bytes:
        result = self._store.query(sparql, named_graphs=self._named_graphs())
        if not isinstance(result, pyoxigraph.QueryTriples):
            raise TypeError(f"a CONSTRUCT query was answered with {type(result).__name__}")
        return result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES) or b""

    def graph_names(self) -> list[str]:
        return [
            graph.value for graph in self._named_graphs() if isinstance(graph, pyoxigraph.NamedNode)
        ]

    def quads(self, graph: str | None) -> Iterator[pyoxigraph.Quad]:
        return self._store.quads_for_pattern(None, None, None, _graph_node(graph))

    def _named_graphs(self) -> list[pyoxigraph.NamedNode | pyoxigraph.BlankNode]:
        """Every named graph but the hidden union, listed once per write."""
        if self._visible_graphs is None:
            self._visible_graphs = [
                graph for graph in self._store.named_graphs() if graph != _UNION_NODE
            ]
        return self._visible_graphs

    def _union_is_kept(self) -> bool:
        """True when the union graph is in place: it holds triples, or the store is empty."""
        if next(iter(self._store.quads_for_pattern(None, None, None, _UNION_NODE)), None):
            return True
        return next(iter(self._store), None) is None

    def _add_to_union(self, graphs: list[str]) -> None:
        """Copy whole graphs into the union after a bulk load (not atomic, like the load)."""
        for graph in graphs:
            quads = [
                pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, _UNION_NODE)
                for quad in self._store.quads_for_pattern(None, None, None, _graph_node(graph))
            ]
            self._store.bulk_extend(quads)

    def flush(self) -> None:
        if self.writable and self.location != "memory:":
            self._store.flush()

    def close(self) -> None:
        """Flush and drop the store, which releases the directory's lock; twice is harmless."""
        store = self.__dict__.pop("_store", None)
        if store is not None and self.writable and self.location != "memory:":
            store.flush()


_UNION_NODE = pyoxigraph.NamedNode(GRAPH_UNION)

# A graph no store holds: the default graph of a query given named graphs alone (FROM NAMED,
# named-graph-uri).
_NO_GRAPH = "urn:comity:no-graph"

_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")
UNKNOWN_FUNCTIONS_LIMIT = 64


def _unbound(*arguments: object) -> None:
    """An extension function the engine does not know: an error, so its result is unbound."""


def evaluate(store: pyoxigraph.Store, sparql: str, **options: object) -> QueryResults:
    """Store.query, with each extension function Oxigraph does not know evaluated as an error.

    SPARQL 1.1 (17.3) makes an unknown function an error of the expression that calls it: a
    FILTER drops the row, a BIND or projection leaves its variable unbound. Oxigraph refuses
    the whole query instead; the query is tried again with such functions declared as errors.
    """
    return _with_unknown_functions(store.query, sparql, **options)


def _with_unknown_functions(run, sparql: str, **options: object):
    unknown: dict[pyoxigraph.NamedNode, object] = {}
    while True:
        try:
            return run(sparql, custom_functions=unknown or None, **options)
        except RuntimeError as error:
            found = _UNKNOWN_FUNCTION.search(str(error))
            if found is None or len(unknown) >= UNKNOWN_FUNCTIONS_LIMIT:
                raise
            unknown[pyoxigraph.NamedNode(found.group(1))] = _unbound


# Rebuild the union from every other graph (and the stored default graph): drop what no graph
# holds any more, add what is missing. One pass over the store, as operations of an update.
_REBUILD_UNION = f"""DELETE {{ GRAPH <{GRAPH_UNION}> {{ ?s ?p ?o }} }}
WHERE {{ GRAPH <{GRAPH_UNION}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_UNION}>) }} }} ;
INSERT {{ GRAPH <{GRAPH_UNION}> {{ ?s ?p ?o }} }}
WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_UNION}>) }} }}"""


def _may_hold_blank_nodes(path: Path) -> bool:
    """False only when the file certainly has no blank node: no `_:` label, and none of the
    brackets with which Turtle and TriG write anonymous nodes and lists."""
    tail = b""
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            chunk, tail = tail + chunk, chunk[-1:]  # a label may straddle two reads
            if b"_:" in chunk or b"[" in chunk or b"(" in chunk:
                return True
    return False


def _release_from_union(graphs: list[str | None]) -> str:
    """The operation removing from the union the triples of `graphs` (None: the default
    graph) that no other graph holds."""
    named = [graph for graph in dict.fromkeys(graphs) if graph is not None]
    excluded = ", ".join(f"<{graph}>" for graph in [GRAPH_UNION, *named])
    elsewhere = (
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other NOT IN ({excluded})) }}"
    )
    patterns = []
    if named:
        listed = " ".join(f"<{graph}>" for graph in named)
        in_default = "" if None in graphs else "FILTER NOT EXISTS { ?s ?p ?o } "
        patterns.append(
            f"{{ VALUES ?replaced {{ {listed} }} GRAPH ?replaced {{ ?s ?p ?o }} {in_default}}}"
        )
    if None in graphs:
        patterns.append("{ ?s ?p ?o }")
    where = " UNION ".join(patterns) if patterns else "{ FILTER(false) }"
    return f"DELETE {{ GRAPH <{GRAPH_UNION}> {{ ?s ?p ?o }} }} WHERE {{ {where} {elsewhere} }}"


def _add_graphs_to_union(graphs: list[str | None]) -> str:
    """The operation copying the triples of `graphs` (None: the default graph) into the union."""
    patterns = [
        "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        for graph in dict.fromkeys(graphs)
    ]
    where = " UNION ".join(patterns) if patterns else "FILTER(false)"
    return f"INSERT {{ GRAPH <{GRAPH_UNION}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}"


def _refuse_union(drop: list[str], contents: dict[str, bytes]) -> None:
    if GRAPH_UNION in drop or GRAPH_UNION in contents:
        raise ComityError(
            f"<{GRAPH_UNION}> is where the store keeps the union of all graphs; it is never "
            f"written directly"
        )


def _open_read_only(path: Path) -> pyoxigraph.Store:
    """Store.read_only, tried again while the writing process's compaction moves files.

    RocksDB compacts in the background of the process that holds the store: between reading
    the list of table files and opening them, one may have been merged away. The list is then
    out of date, not damaged, and reading it again finds the new files.
    """
    deadline = time.monotonic() + READ_ONLY_OPEN_SECONDS
    while True:
        try:
            return pyoxigraph.Store.read_only(str(path))
        except RuntimeError as error:
            if "No such file" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _as_nquads(contents: dict[str, bytes]) -> bytes:
    """N-Triples documents, one per graph, as one N-Quads document."""
    quads = (
        pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, pyoxigraph.NamedNode(graph))
        for graph, ntriples in contents.items()
        for quad in pyoxigraph.parse(ntriples, pyoxigraph.RdfFormat.N_TRIPLES)
    )
    return pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b""


def _graph_node(graph: str | None) -> pyoxigraph.NamedNode | pyoxigraph.DefaultGraph:
    return pyoxigraph.DefaultGraph() if graph is None else pyoxigraph.NamedNode(graph)


def _open_failure(location: str, reason: str) -> str:
    lowered = reason.lower()
    if "lock" in lowered:
        return (
            f"{location}: the store is in use by another process (a running `comity serve`?); "
            f"stop it, or query it through its SPARQL endpoint with --store sparql+http://..."
        )
    if "permission" in lowered or "read-only" in lowered:
        return (
            f"{location}: cannot write there ({reason}); "
            f"fix the permissions or choose another directory"
        )
    if "not a directory" in lowered:
        return f"{location}: a part of the path is a file ({reason}); choose a path in a directory"
    return f"{location}: cannot open the store ({reason}); check the path or choose another one"
