"""graph.open(url, read_only=True): a store opened for reading alone answers queries, writes
nothing and refuses every write; an on-disk one is a snapshot that a new open brings up to date."""

from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest

import graph
from graph import KnowledgeGraph, SourceMetadata
from ontology import GRAPH_ONTOLOGY, document_iri
from ontology.errors import ComityError

EX = "http://example.org/"
DOCUMENT = document_iri("read-only-test")
REFUSAL = "the store was opened read-only"


def insert(name: str) -> str:
    return f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}{name}> <{EX}name> "{name}" }} }}'


def names(knowledge_graph: KnowledgeGraph) -> set[str]:
    rows = knowledge_graph.query(f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }}")
    return {row["n"].value for row in rows}


def triple_count(knowledge_graph: KnowledgeGraph) -> int:
    rows = knowledge_graph.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(next(iter(rows))["n"].value)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """An on-disk store holding one person and one loaded source, closed again."""
    url = f"oxigraph:{tmp_path / 'store'}"
    with graph.open(url) as writable:
        writable.update(insert("alice"))
        writable.replace_source(
            DOCUMENT,
            [
                pyoxigraph.Triple(
                    pyoxigraph.NamedNode(DOCUMENT),
                    pyoxigraph.NamedNode(f"{EX}p"),
                    pyoxigraph.Literal("x"),
                )
            ],
            SourceMetadata(title="t", issued=None, content_hash="abc", kind="RdfFile", path=None),
        )
    return url


def test_read_only_graph_answers_queries_on_data_written_before(store_url):
    with graph.open(store_url, read_only=True) as reader:
        assert reader.read_only
        assert names(reader) == {"alice"}
        assert [source.iri for source in reader.sources()] == [DOCUMENT]
        assert reader.stats().triples > 0
        # The public query applies the NOT EXISTS rewrite here as well.
        rows = reader.query(
            f"SELECT ?s WHERE {{ ?s <{EX}name> ?n FILTER NOT EXISTS {{ ?s <{EX}age> ?a }} }}"
        )
        assert [row["s"].value for row in rows] == [f"{EX}alice"]


def refuse_update(reader: KnowledgeGraph) -> object:
    return reader.update(insert("mallory"))


def refuse_replace_source(reader: KnowledgeGraph) -> object:
    metadata = SourceMetadata(title="t", issued=None, content_hash="new", kind="RdfFile", path=None)
    return reader.replace_source(DOCUMENT, [], metadata)


def refuse_load_rdf(reader: KnowledgeGraph, tmp_path: Path) -> object:
    path = tmp_path / "extra.nt"
    path.write_text(f'<{EX}mallory> <{EX}name> "mallory" .\n')
    return reader.load_rdf(path)


def refuse_remove_source(reader: KnowledgeGraph) -> object:
    return reader.remove_source(DOCUMENT)


def refuse_reason(reader: KnowledgeGraph) -> object:
    return reader.reason()


WRITES: dict[str, Callable[..., object]] = {
    "update": refuse_update,
    "replace_source": refuse_replace_source,
    "load_rdf": refuse_load_rdf,
    "remove_source": refuse_remove_source,
    "reason": refuse_reason,
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_is_refused_and_changes_nothing(store_url, tmp_path, write):
    with graph.open(store_url) as writable:
        before = triple_count(writable)
    with graph.open(store_url, read_only=True) as reader:
        arguments = (reader, tmp_path) if write == "load_rdf" else (reader,)
        with pytest.raises(ComityError, match=REFUSAL) as refused:
            WRITES[write](*arguments)
        assert store_url in str(refused.value)
        assert names(reader) == {"alice"}
    with graph.open(store_url) as writable:
        assert triple_count(writable) == before
        assert writable.source(DOCUMENT) is not None


def test_memory_store_cannot_be_opened_read_only():
    with pytest.raises(ComityError, match="memory.*cannot be opened read-only"):
        graph.open("memory:", read_only=True)


def test_read_only_open_writes_no_vocabulary(tmp_path):
    """A store made outside Comity has no ontology graph; a read-only open leaves it so."""
    path = tmp_path / "bare"
    bare = pyoxigraph.Store(str(path))
    bare.update(insert("bob"))
    bare.flush()
    del bare
    ontology = f"ASK {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}"
    with graph.open(f"oxigraph:{path}", read_only=True) as reader:
        assert names(reader) == {"bob"}
        assert not bool(reader.query(ontology))
    with graph.open(f"oxigraph:{path}") as writable:
        assert bool(writable.query(ontology))


def test_read_only_open_of_a_missing_store_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ComityError, match="no Oxigraph store") as refused:
        graph.open(f"oxigraph:{missing}", read_only=True)
    assert "comity load" in str(refused.value)
    assert not missing.exists()
    a_file = tmp_path / "file"
    a_file.write_text("not a store")
    with pytest.raises(ComityError, match="is a file"):
        graph.open(f"oxigraph:{a_file}", read_only=True)


def test_reader_is_a_snapshot_and_a_fresh_open_sees_later_writes(store_url):
    """The writer keeps the store (and its lock) open throughout, as a server does."""
    with graph.open(store_url) as writer:
        first = graph.open(store_url, read_only=True)
        try:
            writer.update(insert("bob"))
            assert names(writer) == {"alice", "bob"}
            assert names(first) == {"alice"}
            with graph.open(store_url, read_only=True) as second:
                assert names(second) == {"alice", "bob"}
        finally:
            first.close()


def test_remote_store_opened_read_only_refuses_writes(oxigraph_server):
    oxigraph_server.clear()
    with graph.open(oxigraph_server.store_locator) as writable:
        writable.update(insert("carol"))
    with graph.open(oxigraph_server.store_locator, read_only=True) as reader:
        assert names(reader) == {"carol"}
        with pytest.raises(ComityError, match=REFUSAL):
            reader.update(insert("mallory"))
        with pytest.raises(ComityError, match=REFUSAL):
            reader.reason()
        assert names(reader) == {"carol"}
