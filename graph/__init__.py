"""The knowledge graph layer: open a store by URL, load sources into it, reason, validate, export.

Store URLs:

* ``oxigraph:PATH`` — an embedded on-disk Oxigraph store (created when missing);
* ``memory:`` — an embedded store in memory, gone when closed (tests, one-off runs);
* ``sparql+http(s)://HOST/PATH`` — a remote SPARQL 1.1 endpoint, see graph.remote.
"""

from pathlib import Path

from graph.knowledge_graph import KnowledgeGraph, ReasoningSummary
from graph.sources import SourceInfo, SourceMetadata
from graph.statistics import Statistics
from ontology.errors import ComityError

__all__ = [
    "KnowledgeGraph",
    "ReasoningSummary",
    "SourceInfo",
    "SourceMetadata",
    "Statistics",
    "open",
]


def open(url: str) -> KnowledgeGraph:  # noqa: A001 - graph.open reads like the built-in it mirrors
    """Open the knowledge graph a store URL names, with the vocabulary graphs in place."""
    from graph.embedded import EmbeddedStore
    from graph.remote import RemoteStore

    if url == "memory:":
        return KnowledgeGraph(EmbeddedStore.in_memory())
    if url.startswith("oxigraph:"):
        path = url[len("oxigraph:") :]
        if not path:
            raise ComityError(f"{url}: the store URL names no directory; write oxigraph:PATH")
        return KnowledgeGraph(EmbeddedStore.on_disk(Path(path).expanduser()))
    if url.startswith(("sparql+http://", "sparql+https://")):
        remote = RemoteStore(url)
        remote.check_reachable()
        return KnowledgeGraph(remote)
    raise ComityError(
        f"{url!r}: unknown store URL; use oxigraph:PATH, memory: or sparql+http(s)://HOST/PATH"
    )
