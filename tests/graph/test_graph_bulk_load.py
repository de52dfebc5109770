"""Loading large RDF files through Oxigraph's bulk loader keeps every rule of a normal load.

Most tests lower the embedded store's atomic limit so that a file of a few kilobytes already
takes the bulk path; one writes a file past the real 8 MiB limit to an on-disk store.
"""

import io
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

import graph
from graph import KnowledgeGraph
from graph.embedded import ATOMIC_LIMIT_BYTES, EmbeddedStore
from ontology import DCTERMS, GRAPH_INFERRED, document_iri, source_graph_iri
from ontology.errors import ComityError
from server.cli import main

EX = "http://example.org/"
DOC = document_iri("dump")
GRAPH = source_graph_iri(DOC)
BY_GRAPH = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"


class RecordingStore(EmbeddedStore):
    """An in-memory embedded store that counts the files it bulk-loads."""

    def __init__(self, atomic_limit_bytes: int) -> None:
        super().__init__(pyoxigraph.Store(), "memory:", atomic_limit_bytes)
        self.bulk_loads = 0

    def bulk_load_file(self, path: Path, format, base_iri: str, graph: str, graphs=None) -> None:
        self.bulk_loads += 1
        super().bulk_load_file(path, format, base_iri, graph, graphs)


class FileChangingStore(RecordingStore):
    """A store whose file is broken between the check and the bulk load, as by another
    process writing it meanwhile."""

    def bulk_load_file(self, path: Path, format, base_iri: str, graph: str, graphs=None) -> None:
        path.write_bytes(path.read_bytes() + b"<broken\n")
        super().bulk_load_file(path, format, base_iri, graph, graphs)


def bulk_graph() -> tuple[KnowledgeGraph, RecordingStore]:
    backend = RecordingStore(atomic_limit_bytes=0)
    return KnowledgeGraph(backend), backend


def exported(store: KnowledgeGraph) -> list[bytes]:
    output = io.BytesIO()
    store.export("nq", output)
    return sorted(output.getvalue().splitlines())


def canonical(store: KnowledgeGraph, without_loading_time: bool = True) -> set[str]:
    dataset = pyoxigraph.Dataset(
        pyoxigraph.parse(b"\n".join(exported(store)), pyoxigraph.RdfFormat.N_QUADS)
    )
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return {
        str(quad)
        for quad in dataset
        if not (without_loading_time and quad.predicate.value.endswith("loadedAt"))
    }


def values(store: KnowledgeGraph, sparql: str) -> set[str]:
    return {solution[0].value for solution in store.query(sparql)}


def numbered_lines(count: int, graph_name: str | None = None) -> list[str]:
    suffix = f" <{graph_name}>" if graph_name else ""
    return [f'<{EX}item{i}> <{EX}p> "value {i}"{suffix} .' for i in range(count)]


QUAD_FILE = "\n".join(
    [
        f'<{EX}s> <{EX}p> "in the default graph" .',
        f"_:shared <{EX}p> <{EX}s> .",
        f'_:shared <{EX}p> "one" <{EX}graph-1> .',
        f'<{EX}s> <{EX}p> "two" <{EX}graph-2> .',
        f'<{EX}s> <{EX}p> "two" <{EX}graph-2> .',
        "",
    ]
)


def test_a_syntax_error_half_way_loads_nothing_and_says_where(tmp_path: Path):
    store, backend = bulk_graph()
    path = tmp_path / "dump.nt"
    path.write_text("\n".join(numbered_lines(50)) + "\n")
    store.load_rdf(path)
    before = exported(store)
    lines = numbered_lines(4000)
    lines[2000] = f'<{EX}item> <{EX}p> "never closed .'
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ComityError, match=r"dump\.nt:2001:\d+: .*nothing was loaded"):
        store.load_rdf(path)
    assert exported(store) == before
    assert backend.bulk_loads == 1


def test_a_file_past_the_real_limit_is_checked_before_the_store_is_touched(tmp_path: Path):
    path = tmp_path / "dump.nq"
    path.write_text("\n".join(numbered_lines(10, EX + "graph-1")) + "\n")
    with graph.open(f"oxigraph:{tmp_path / 'store'}") as store:
        store.load_rdf(path)
        before = exported(store)
        lines = numbered_lines(100_000, EX + "graph-1")
        lines[40_000] = f'<{EX}item> <{EX}p> "x" <{EX}graph-1> <{EX}extra> .'
        path.write_text("\n".join(lines) + "\n")
        assert path.stat().st_size > ATOMIC_LIMIT_BYTES
        with pytest.raises(ComityError, match=r"dump\.nq:40001:\d+: .*nothing was loaded"):
            store.load_rdf(path)
        assert exported(store) == before


@pytest.mark.parametrize("suffix", ["nq", "trig"])
def test_default_graph_quads_go_to_the_source_graph_and_named_graphs_stay(
    tmp_path: Path, suffix: str
):
    store, backend = bulk_graph()
    quads = pyoxigraph.parse(QUAD_FILE.encode(), pyoxigraph.RdfFormat.N_QUADS)
    path = tmp_path / f"dump.{suffix}"
    path.write_bytes(pyoxigraph.serialize(quads, format=graph.formats.rdf_format(suffix)))
    info = store.load_rdf(path)
    assert backend.bulk_loads == 1
    assert info.graph == GRAPH
    assert values(store, BY_GRAPH) == {GRAPH, EX + "graph-1", EX + "graph-2"}
    # The count is what the source's graphs hold, its metadata and the count included.
    held = 0
    for name in (GRAPH, EX + "graph-1", EX + "graph-2"):
        counted = store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        held += int(next(iter(counted))["n"].value)
    assert info.triple_count == held
    default_graph = f'ASK {{ GRAPH <{GRAPH}> {{ <{EX}s> <{EX}p> "in the default graph" }} }}'
    assert bool(store.query(default_graph))
    parts = f"SELECT ?part {{ GRAPH <{GRAPH}> {{ <{DOC}> <{DCTERMS.hasPart}> ?part }} }}"
    assert values(store, parts) == {EX + "graph-1", EX + "graph-2"}
    assert [source.content_hash for source in store.sources()] == [info.content_hash]
    assert store.remove_source(info.iri)
    assert values(store, BY_GRAPH) == set()


def test_blank_nodes_are_shared_across_graphs_of_a_file_and_distinct_between_files(
    tmp_path: Path,
):
    store, backend = bulk_graph()
    # Both files say _:shared; each names its own graphs (a named graph has one owner).
    for name in ("first", "second"):
        (tmp_path / f"{name}.nq").write_text(QUAD_FILE.replace("graph-", f"{name}-graph-"))
        store.load_rdf(tmp_path / f"{name}.nq")
    assert backend.bulk_loads == 2
    nodes = values(store, f"SELECT ?b {{ GRAPH ?g {{ ?b <{EX}p> <{EX}s> }} }}")
    assert len(nodes) == 2
    shared = (
        f"SELECT ?b {{ GRAPH ?source {{ ?b <{EX}p> <{EX}s> }} "
        f'GRAPH ?part {{ ?b <{EX}p> "one" }} FILTER(?part != ?source) }}'
    )
    assert values(store, shared) == nodes


def test_reloading_an_unchanged_file_leaves_the_store_identical(tmp_path: Path):
    store, backend = bulk_graph()
    path = tmp_path / "dump.nq"
    path.write_text(QUAD_FILE)
    first = store.load_rdf(path)
    before = exported(store)
    assert store.load_rdf(path) == first
    assert exported(store) == before
    assert backend.bulk_loads == 1


def test_a_new_version_replaces_the_graphs_of_the_old_one(tmp_path: Path):
    store, _ = bulk_graph()
    path = tmp_path / "dump.nq"
    path.write_text(QUAD_FILE)
    store.load_rdf(path)
    path.write_text(f'<{EX}s> <{EX}p> "one, corrected" <{EX}graph-1> .\n')
    info = store.load_rdf(path)
    assert values(store, BY_GRAPH) == {EX + "graph-1"}
    assert values(store, f"SELECT ?o {{ ?s <{EX}p> ?o }}") == {"one, corrected"}
    assert info.content_hash != "" and "incomplete" not in info.content_hash
    assert [source.iri for source in store.sources()] == [DOC]


@pytest.mark.parametrize("suffix", ["nq", "trig", "ttl", "jsonld", "rdf"])
def test_the_bulk_path_stores_what_the_transactional_path_stores(tmp_path: Path, suffix):
    quads = list(pyoxigraph.parse(QUAD_FILE.encode(), pyoxigraph.RdfFormat.N_QUADS))
    target = graph.formats.rdf_format(suffix)
    if not target.supports_datasets:
        quads = [quad.triple for quad in quads]
    path = tmp_path / f"dump.{suffix}"
    path.write_bytes(pyoxigraph.serialize(quads, format=target))
    results = []
    for limit in (0, ATOMIC_LIMIT_BYTES):
        backend = RecordingStore(limit)
        with KnowledgeGraph(backend) as store:
            store.load_rdf(path)
            results.append(canonical(store))
        assert backend.bulk_loads == (1 if limit == 0 else 0)
    assert results[0] == results[1]


def test_a_file_writing_to_a_managed_graph_is_refused_before_anything_is_written(
    tmp_path: Path,
):
    store, backend = bulk_graph()
    path = tmp_path / "dump.nq"
    path.write_text(QUAD_FILE)
    store.load_rdf(path)
    before = exported(store)
    path.write_text(QUAD_FILE + f'<{EX}s> <{EX}p> "x" <{GRAPH_INFERRED}> .\n')
    with pytest.raises(ComityError, match="manages itself"):
        store.load_rdf(path)
    assert exported(store) == before
    assert backend.bulk_loads == 1


def test_a_file_changed_during_the_load_leaves_no_part_of_it(tmp_path: Path):
    backend = FileChangingStore(atomic_limit_bytes=0)
    store = KnowledgeGraph(backend)
    path = tmp_path / "dump.nq"
    path.write_text(QUAD_FILE)
    with pytest.raises(ComityError, match=r"dump\.nq:6:\d+: .*load it again"):
        store.load_rdf(path)
    assert store.sources() == []
    assert values(store, BY_GRAPH) == set()


def test_a_blank_node_in_two_graphs_loads_on_every_store(fresh_store, tmp_path: Path):
    path = tmp_path / "dump.nq"
    path.write_text(QUAD_FILE)
    fresh_store.load_rdf(path)
    shared = (
        f"SELECT ?b {{ GRAPH <{GRAPH}> {{ ?b <{EX}p> <{EX}s> }} "
        f'GRAPH <{EX}graph-1> {{ ?b <{EX}p> "one" }} }}'
    )
    assert len(values(fresh_store, shared)) == 1


def test_a_large_replacement_keeps_a_blank_node_shared_by_two_graphs(tmp_path: Path):
    """A blank node naming a graph sends the file down the transactional path, which past
    the limit bulk-loads all graphs together."""
    store, backend = bulk_graph()
    path = tmp_path / "dump.trig"
    path.write_text(
        f"@prefix ex: <{EX}> .\n"
        "ex:s ex:p _:shared .\n"
        "ex:graph-1 { _:shared ex:p 'one' }\n"
        "_:unnamed { ex:s ex:p 'in an unnamed graph' }\n"
    )
    store.load_rdf(path)
    assert backend.bulk_loads == 0
    shared = (
        f"SELECT ?b {{ GRAPH <{GRAPH}> {{ <{EX}s> <{EX}p> ?b }} "
        f'GRAPH <{EX}graph-1> {{ ?b <{EX}p> "one" }} }}'
    )
    assert len(values(store, shared)) == 1
    assert values(store, BY_GRAPH) == {GRAPH, EX + "graph-1"}


class DyingStore(EmbeddedStore):
    """An on-disk store whose process dies in the middle of a bulk load (as under kill -9):
    nothing after the load's start runs, not even the loader's own clean-up."""

    def __init__(self, location: Path) -> None:
        super().__init__(pyoxigraph.Store(str(location)), f"oxigraph:{location}", 0)

    def bulk_load_file(self, path: Path, format, base_iri: str, graph: str, graphs=None) -> None:
        raise KeyboardInterrupt  # not an error the loader handles: it stops there


def test_a_bulk_load_cut_short_is_listed_as_incomplete_and_fails_validate(tmp_path: Path):
    location = tmp_path / "store"
    store = KnowledgeGraph(DyingStore(location))
    path = tmp_path / "dump.nq"
    path.write_text(QUAD_FILE)
    with pytest.raises(KeyboardInterrupt):
        store.load_rdf(path)
    [source] = store.sources()
    assert not source.complete
    store.close()
    listed = CliRunner().invoke(main, ["sources", "--store", f"oxigraph:{location}"])
    assert "incomplete" in listed.output
    checked = CliRunner().invoke(main, ["validate", "--store", f"oxigraph:{location}"])
    assert checked.exit_code == 1
    assert f"Source {DOC} is incomplete" in checked.output
    # Loading the file again completes it.
    with graph.open(f"oxigraph:{location}") as reopened:
        [source] = [reopened.load_rdf(path)]
        assert source.complete and source.triple_count > 0
