"""The knowledge graph layer: open a store by URL, load sources into it, reason, validate, export.

Store URLs:

* ``oxigraph:PATH`` — an embedded on-disk Oxigraph store (created when missing);
* ``memory:`` — an embedded store in memory, gone when closed (tests, one-off runs);
* ``sparql+http(s)://HOST/PATH`` — a remote SPARQL 1.1 endpoint, see graph.remote.
"""

from pathlib import Path

from graph.backend import QueryTimeout
from graph.knowledge_graph import KnowledgeGraph, ReasoningSummary
from graph.sources import SourceInfo, SourceMetadata
from graph.statistics import Statistics
from ontology.errors import ComityError

__all__ = [
    "KnowledgeGraph",
    "QueryTimeout",
    "ReasoningSummary",
    "SourceInfo",
    "SourceMetadata",
    "Statistics",
    "memory_copy",
    "open",
    "preload_query_parser",
    "store_size",
]


def open(url: str, read_only: bool = False) -> KnowledgeGraph:  # noqa: A001 - mirrors the built-in
    """Open the knowledge graph a store URL names, with the vocabulary graphs in place.

    `read_only` opens it for reading alone: nothing is written (the vocabulary graphs are taken
    as they are) and every write method raises ComityError. An ``oxigraph:`` store is then
    opened without its lock, so any number of processes can read it while one process holds
    it for writing; each sees the store as it was when opened, and sees later writes once it
    opens the store again. A ``memory:`` store cannot be opened read-only: a new one is empty
    and no other handle can share it.
    """
    from graph.embedded import EmbeddedStore
    from graph.remote import RemoteStore

    if url == "memory:":
        if read_only:
            raise ComityError(
                "memory:: a store in memory cannot be opened read-only, since a new one is "
                "empty and nothing else can share it; open an oxigraph:PATH store read-only, "
                "or open memory: without read_only"
            )
        return KnowledgeGraph(EmbeddedStore.in_memory())
    if url.startswith("oxigraph:"):
        path = url[len("oxigraph:") :]
        if not path:
            raise ComityError(f"{url}: the store URL names no directory; write oxigraph:PATH")
        directory = Path(path).expanduser()
        if read_only:
            return KnowledgeGraph(EmbeddedStore.read_only(directory), read_only=True)
        return KnowledgeGraph(EmbeddedStore.on_disk(directory))
    if url.startswith(("sparql+http://", "sparql+https://")):
        remote = RemoteStore(url)
        remote.check_reachable()
        return KnowledgeGraph(remote, read_only=read_only)
    raise ComityError(
        f"{url!r}: unknown store URL; use oxigraph:PATH, memory: or sparql+http(s)://HOST/PATH"
    )


def memory_copy(url: str) -> KnowledgeGraph:
    """A writable in-memory copy of the embedded store at `url`, read from a snapshot of it.

    The copy answers queries as the store does (same quads, union graph and inferred graph
    included) and can be kept in step by applying the same writes to it.
    """
    # A process writing the store compacts it in the background: a table file the snapshot
    # listed may be merged away while a large store is still being read. The snapshot is then
    # out of date, not damaged, and a new one reads the files that replaced it.
    for _ in range(COPY_ATTEMPTS - 1):
        try:
            return _copied(url)
        except FileNotFoundError:
            continue
    try:
        return _copied(url)
    except FileNotFoundError as error:
        raise ComityError(
            f"{url}: could not copy the store into memory: its files kept changing under the "
            f"copy ({error})"
        ) from error


def _copied(url: str) -> KnowledgeGraph:
    from graph.embedded import EmbeddedStore

    snapshot = open(url, read_only=True)
    try:
        backend = snapshot._backend
        if not isinstance(backend, EmbeddedStore):
            raise ComityError(f"{url}: only an embedded store can be copied into memory")
        return KnowledgeGraph(EmbeddedStore.copy_in_memory(backend))
    finally:
        snapshot.close()


COPY_ATTEMPTS = 5
"""How many snapshots a copy into memory tries while a writer's compaction moves files."""


def store_size(url: str) -> int:
    """How many quads the embedded store at `url` holds (its union and inferred graphs too)."""
    from graph.embedded import EmbeddedStore

    snapshot = open(url, read_only=True)
    try:
        backend = snapshot._backend
        return len(backend) if isinstance(backend, EmbeddedStore) else 0
    finally:
        snapshot.close()


def preload_query_parser() -> None:
    """Load the SPARQL parser behind KnowledgeGraph.query's NOT EXISTS rewrite now.

    Loading it takes about a second; a process that serves queries calls this at start (or
    before it forks) so that no query is charged for it.
    """
    from graph.not_exists import rewrite_not_exists

    rewrite_not_exists("ASK { ?s ?p ?o FILTER NOT EXISTS { ?s a ?c } }")
