"""The embedded store: Oxigraph in this process, on disk (RocksDB) or in memory."""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph

from graph.backend import QueryResults, replace_graphs_update
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

    @classmethod
    def in_memory(cls) -> "EmbeddedStore":
        return cls(pyoxigraph.Store(), "memory:")

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
        """Evaluate in this thread. Oxigraph cannot stop a query part way, so `timeout` is
        ignored: a caller that needs a deadline runs the query in a process it can kill (as the
        server's worker pool does)."""
        options: dict[str, object] = {}
        if default_graph is not None:
            options["default_graph"] = [_graph_node(graph) for graph in default_graph]
        else:
            options["use_default_graph_as_union"] = union_default_graph and named_graphs is None
        if named_graphs is not None:
            options["named_graphs"] = [pyoxigraph.NamedNode(graph) for graph in named_graphs]
        return self._store.query(sparql, **options)

    def update(self, sparql: str) -> None:
        self._store.update(sparql)

    def replace_graphs(self, drop: list[str], contents: dict[str, bytes]) -> None:
        """One Store.update, which Oxigraph applies as one transaction; bulk loads when large."""
        if sum(len(ntriples) for ntriples in contents.values()) <= self.atomic_limit_bytes:
            sparql = replace_graphs_update(drop, contents)
            if sparql:
                self._store.update(sparql)
            return
        self._store.update(replace_graphs_update(drop, {}))
        with_blank_nodes = [graph for graph, ntriples in contents.items() if b"_:" in ntriples]
        if len(with_blank_nodes) > 1:
            # Each bulk load names its blank nodes afresh: a node shared by two graphs must
            # come in one load, so the graphs go in together as one N-Quads document.
            self._store.bulk_load(_as_nquads(contents), pyoxigraph.RdfFormat.N_QUADS)
            return
        for graph, ntriples in contents.items():
            self._store.bulk_load(
                ntriples, pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(graph)
            )

    def bulk_load_file(
        self, path: Path, format: pyoxigraph.RdfFormat, base_iri: str, graph: str
    ) -> None:
        """Oxigraph's bulk loader, which parses and writes in native threads; not atomic.

        It gives the file's blank nodes fresh names and puts the default graph of a quad file
        into `graph`, as the knowledge graph needs.
        """
        self._store.bulk_load(
            path=path, format=format, base_iri=base_iri, to_graph=pyoxigraph.NamedNode(graph)
        )

    def construct_ntriples(self, sparql: str) -> bytes:
        result = self._store.query(sparql)
        return result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES) or b""

    def graph_names(self) -> list[str]:
        return [
            graph.value
            for graph in self._store.named_graphs()
            if isinstance(graph, pyoxigraph.NamedNode)
        ]

    def quads(self, graph: str | None) -> Iterator[pyoxigraph.Quad]:
        return self._store.quads_for_pattern(None, None, None, _graph_node(graph))

    def close(self) -> None:
        """Flush and drop the store, which releases the directory's lock; twice is harmless."""
        store = self.__dict__.pop("_store", None)
        if store is not None and self.writable and self.location != "memory:":
            store.flush()


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
