"""A source replacement is all or nothing, and readers never see half of one."""

import threading
import time
from collections.abc import Iterator

import pyoxigraph
import pytest

from graph import KnowledgeGraph, SourceMetadata
from graph.remote import RemoteStore
from ontology import document_iri, source_graph_iri
from ontology.errors import ComityError

EX = "http://example.org/"
DOC = document_iri("atomic-notice")
GRAPH = source_graph_iri(DOC)
VERSION = pyoxigraph.NamedNode(EX + "version")


def version_triples(version: int, count: int) -> list[pyoxigraph.Triple]:
    """`count` triples that all carry the version number, so a mix of two versions shows."""
    return [
        pyoxigraph.Triple(
            pyoxigraph.NamedNode(f"{EX}item{i}"), VERSION, pyoxigraph.Literal(str(version))
        )
        for i in range(count)
    ]


def metadata(version: int) -> SourceMetadata:
    return SourceMetadata(f"Version {version}", None, f"hash-{version}", "PressRelease", None)


def sorted_nquads(store: KnowledgeGraph) -> list[bytes]:
    import io

    output = io.BytesIO()
    store.export("nq", output)
    return sorted(output.getvalue().splitlines())


class InputFailure(Exception):
    """What a loader's generator raises half way through."""


def failing_after(triples: list[pyoxigraph.Triple], count: int) -> Iterator[pyoxigraph.Triple]:
    yield from triples[:count]
    raise InputFailure(f"the input broke after {count} triples")


def test_input_failing_half_way_changes_nothing(fresh_store):
    fresh_store.replace_source(DOC, version_triples(1, 10), metadata(1))
    before = sorted_nquads(fresh_store)
    with pytest.raises(InputFailure):
        fresh_store.replace_source(DOC, failing_after(version_triples(2, 10), 5), metadata(2))
    assert sorted_nquads(fresh_store) == before


@pytest.mark.parametrize(
    "intruder",
    [
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(EX + "s"),
            VERSION,
            pyoxigraph.Literal("x"),
            pyoxigraph.NamedNode(EX + "someone-elses-graph"),
        ),
        ("not", "a", "triple"),
    ],
    ids=["quad-for-another-graph", "not-a-triple"],
)
def test_an_invalid_item_changes_nothing(fresh_store, intruder):
    fresh_store.replace_source(DOC, version_triples(1, 10), metadata(1))
    before = sorted_nquads(fresh_store)
    content = [*version_triples(2, 5), intruder, *version_triples(2, 10)[5:]]
    with pytest.raises(ComityError, match="nothing was loaded"):
        fresh_store.replace_source(DOC, content, metadata(2))
    assert sorted_nquads(fresh_store) == before


def test_readers_never_see_a_mixed_state(fresh_store):
    size = 40
    fresh_store.replace_source(DOC, version_triples(0, size), metadata(0))
    query = (
        "SELECT (COUNT(?v) AS ?n) (MIN(?v) AS ?low) (MAX(?v) AS ?high) "
        f"WHERE {{ GRAPH <{GRAPH}> {{ ?item <{VERSION.value}> ?v }} }}"
    )
    seen: list[tuple[int, str, str]] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                row = next(iter(fresh_store.query(query)))
                seen.append((int(row["n"].value), row["low"].value, row["high"].value))
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        # At least 50 replacements, and on until the reader has seen two versions (a busy
        # machine may schedule it late); the cap keeps a broken reader from looping forever.
        version = 0
        while version < 50 or (len({row[1] for row in seen}) < 2 and version < 300):
            version += 1
            fresh_store.replace_source(DOC, version_triples(version, size), metadata(version))
            # A yield, not a wait: the reader thread may take the GIL between replacements.
            time.sleep(0.001)
    finally:
        done.set()
        reader.join(timeout=60)
    assert not failures
    assert seen, "the reader never ran"
    mixed = [row for row in seen if row[0] != size or row[1] != row[2]]
    assert mixed == []
    assert len({row[1] for row in seen}) > 1, "the reader saw only one version"


def test_batched_remote_replacement_writes_everything(oxigraph_server):
    oxigraph_server.clear()
    store = KnowledgeGraph(RemoteStore(oxigraph_server.store_locator, max_request_bytes=2000))
    try:
        store.replace_source(DOC, version_triples(1, 100), metadata(1))
        store.replace_source(DOC, version_triples(2, 100), metadata(2))
        rows = list(
            store.query(f"SELECT DISTINCT ?v {{ GRAPH <{GRAPH}> {{ ?s <{VERSION.value}> ?v }} }}")
        )
        assert [row["v"].value for row in rows] == ["2"]
        assert store.source(DOC).triple_count == 100 + 5
    finally:
        store.close()


def test_large_embedded_replacement_bulk_loads_the_same_content():
    """Past the atomic limit the embedded store bulk-loads; the result must not differ."""
    from graph.embedded import EmbeddedStore

    blank = pyoxigraph.BlankNode()
    content = [
        *version_triples(7, 200),
        pyoxigraph.Triple(pyoxigraph.NamedNode(EX + "item0"), VERSION, blank),
        pyoxigraph.Triple(blank, VERSION, pyoxigraph.Literal("inner")),
    ]
    results = []
    for limit in (1000, 10_000_000):
        with KnowledgeGraph(EmbeddedStore(pyoxigraph.Store(), "memory:", limit)) as store:
            store.replace_source(DOC, content, metadata(7))
            store.replace_source(DOC, content, metadata(7))
            dataset = pyoxigraph.Dataset(
                pyoxigraph.parse(b"\n".join(sorted_nquads(store)), pyoxigraph.RdfFormat.N_QUADS)
            )
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
        results.append({str(quad) for quad in dataset if "loadedAt" not in str(quad.predicate)})
    assert results[0] == results[1]
    assert any("inner" in quad for quad in results[0])


def test_a_large_embedded_replacement_cut_short_leaves_its_source_incomplete():
    """Past the atomic limit the embedded store writes in steps, as a remote one does: a
    process that dies before the last step leaves a source that says it is incomplete."""
    from graph.embedded import EmbeddedStore

    class DyingBeforeTheLastStep(EmbeddedStore):
        def change_triples(self, graph, removed, added):
            if any("incomplete" in str(triple.object) for triple in removed):
                raise KeyboardInterrupt  # nothing after this runs, as under kill -9
            super().change_triples(graph, removed, added)

    content = version_triples(3, 200)
    backend = DyingBeforeTheLastStep(pyoxigraph.Store(), "memory:", 1000)
    small = {GRAPH: b"<urn:a> <urn:b> <urn:c> .\n"}
    assert backend.replaces_atomically([], small)
    assert not backend.replaces_atomically([], {GRAPH: small[GRAPH] * 100})
    store = KnowledgeGraph(backend)
    with pytest.raises(KeyboardInterrupt):
        store.replace_source(DOC, content, metadata(3))
    [listed] = store.sources()
    assert not listed.complete
    held = store.query(
        f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{GRAPH}> {{ ?s <{VERSION.value}> ?o }} }}"
    )
    assert int(next(iter(held))["n"].value) == 200
