"""A dump of `comity export` restores into an empty store as the same dataset, or not at all."""

import io
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

import graph
from ontology import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE, RDF, document_iri
from ontology.errors import ComityError
from server.cli import main
from tests.graph.test_graph_backends import metadata

EX = "http://example.org/"

# Blank nodes shared by two graphs and the default graph, a triple stated twice, a literal with
# a language and one with a datatype: what a restore must bring back as it was.
DATASET = f"""
@prefix ex: <{EX}> .
ex:treaty ex:label "Traité"@fr ; ex:opened "1950-11-04"^^<http://www.w3.org/2001/XMLSchema#date> .
_:shared ex:note "in the default graph" .
ex:first {{ ex:treaty ex:party _:shared . ex:france ex:memberOf ex:union . }}
ex:second {{ _:shared ex:name "shared node" . ex:france ex:memberOf ex:union . }}
"""


def dataset_of(store_url: str) -> set[pyoxigraph.Quad]:
    """Every quad a store exports, blank nodes renamed canonically."""
    with graph.open(store_url, read_only=True) as knowledge_graph:
        output = io.BytesIO()
        knowledge_graph.export("nq", output)
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(output.getvalue(), pyoxigraph.RdfFormat.N_QUADS))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


@pytest.fixture
def dumped(tmp_path: Path) -> tuple[str, Path]:
    """A store with a source, a TriG file's graphs and the inferred graph, and its dump."""
    source = tmp_path / "graphs.trig"
    source.write_text(DATASET, encoding="utf-8")
    url = f"oxigraph:{tmp_path / 'original'}"
    with graph.open(url) as knowledge_graph:
        knowledge_graph.update(f"INSERT DATA {{ <{EX}s> <{EX}p> _:b . _:b <{EX}q> 1 }}")
        knowledge_graph.load_rdf(source)
        knowledge_graph.replace_source(
            document_iri("restored-notice"),
            [
                pyoxigraph.Triple(
                    pyoxigraph.NamedNode(EX + "act"),
                    pyoxigraph.NamedNode(RDF.type),
                    pyoxigraph.NamedNode("https://w3id.org/comity/ontology#Ratification"),
                )
            ],
            metadata(),
        )
        knowledge_graph.reason()
    return url, exported(url, tmp_path / "dump.nq")


def exported(url: str, dump: Path) -> Path:
    """The store at `url` written to `dump` by `comity export`."""
    result = CliRunner().invoke(main, ["export", "--store", url, "--output", str(dump)])
    assert result.exit_code == 0, result.output
    return dump


def test_export_then_restore_gives_the_same_dataset(dumped, tmp_path):
    url, dump = dumped
    target = f"oxigraph:{tmp_path / 'restored'}"
    result = CliRunner().invoke(main, ["restore", "--store", target, str(dump)])
    assert result.exit_code == 0, result.output
    assert "restored" in result.output and "note:" not in result.output
    assert dataset_of(target) == dataset_of(url)
    with graph.open(target) as restored:
        assert not restored.restore_unfinished()
        members = f"SELECT * WHERE {{ <{EX}france> <{EX}memberOf> <{EX}union> }}"
        assert len(list(restored.query(members))) == 1, "the union of the graphs is a set"
        inferred = f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}"
        assert bool(restored.query(inferred))


def test_a_trig_dump_restores_too(dumped, tmp_path):
    url, _ = dumped
    trig = tmp_path / "dump.trig"
    assert (
        CliRunner()
        .invoke(main, ["export", "--store", url, "--format", "trig", "--output", str(trig)])
        .exit_code
        == 0
    )
    target = f"oxigraph:{tmp_path / 'from-trig'}"
    assert CliRunner().invoke(main, ["restore", "--store", target, str(trig)]).exit_code == 0
    assert dataset_of(target) == dataset_of(url)


def test_a_store_with_data_is_kept_unless_replaced(dumped, tmp_path):
    url, dump = dumped
    target = f"oxigraph:{tmp_path / 'busy'}"
    with graph.open(target) as busy:
        busy.update(f"INSERT DATA {{ GRAPH <{EX}mine> {{ <{EX}a> <{EX}b> <{EX}c> }} }}")
    before = dataset_of(target)
    refused = CliRunner().invoke(main, ["restore", "--store", target, str(dump)])
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "--replace" in refused.output
    assert dataset_of(target) == before
    replaced = CliRunner().invoke(main, ["restore", "--store", target, "--replace", str(dump)])
    assert replaced.exit_code == 0, replaced.output
    assert dataset_of(target) == dataset_of(url)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "triples"])
def test_a_damaged_or_wrong_dump_restores_nothing(dumped, tmp_path, damage):
    url, dump = dumped
    data = dump.read_bytes()
    if damage == "truncated":
        bad = tmp_path / "bad.nq"
        bad.write_bytes(data[: len(data) // 2].rsplit(b"\n", 1)[0] + b"\n<http://example.org/cut")
    elif damage == "garbage":
        bad = tmp_path / "bad.nq"
        bad.write_bytes(data + b"this is not a quad\n")
    else:
        bad = tmp_path / "bad.nt"
        bad.write_bytes(b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    target = f"oxigraph:{tmp_path / 'target'}"
    with graph.open(target) as empty:
        empty.update(f"INSERT DATA {{ GRAPH <{EX}kept> {{ <{EX}k> <{EX}k> <{EX}k> }} }}")
    before = dataset_of(target)
    result = CliRunner().invoke(main, ["restore", "--store", target, "--replace", str(bad)])
    assert result.exit_code == 1
    assert "nothing was restored" in result.output or "nothing was loaded" in result.output
    assert "Traceback" not in result.output
    assert dataset_of(target) == before


def test_a_restore_cut_short_is_never_served(dumped, tmp_path):
    """What a killed restore leaves (its marker in the ontology graph): serve refuses."""
    _, dump = dumped
    path = tmp_path / "cut"
    with graph.open(f"oxigraph:{path}") as knowledge_graph:
        knowledge_graph.restore(dump)
    store = pyoxigraph.Store(str(path))
    ontology = pyoxigraph.NamedNode(GRAPH_ONTOLOGY)
    store.add(
        pyoxigraph.Quad(
            ontology,
            pyoxigraph.NamedNode("https://w3id.org/comity/ontology#contentHash"),
            pyoxigraph.Literal("incomplete: the restore did not finish"),
            ontology,
        )
    )
    store.flush()
    del store
    result = CliRunner().invoke(main, ["serve", "--store", f"oxigraph:{path}"])
    assert result.exit_code == 1
    assert "did not finish" in result.output
    with graph.open(f"oxigraph:{path}") as knowledge_graph:
        assert knowledge_graph.restore_unfinished()
        knowledge_graph.restore(dump, replace=True)
        assert not knowledge_graph.restore_unfinished()


def test_restore_needs_a_dump_with_graph_names(tmp_path):
    knowledge_graph = graph.open("memory:")
    bad = tmp_path / "dump.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/b> 1 .", encoding="utf-8")
    with pytest.raises(ComityError, match="N-Quads"):
        knowledge_graph.restore(bad)


@pytest.fixture
def plain_dump(tmp_path: Path) -> tuple[str, Path]:
    """A store whose blank nodes each stay within one graph, with nothing in its default
    graph, and its dump: what a remote store can be restored from."""
    url = f"oxigraph:{tmp_path / 'plain'}"
    with graph.open(url) as knowledge_graph:
        knowledge_graph.update(
            f"INSERT DATA {{ GRAPH <{EX}first> {{ <{EX}s> <{EX}p> _:b . _:b <{EX}q> 1 }} "
            f"GRAPH <{EX}second> {{ <{EX}t> a <https://w3id.org/comity/ontology#Convention> ; "
            f'<http://www.w3.org/2000/01/rdf-schema#label> "A convention"@en }} }}'
        )
        knowledge_graph.reason()
    return url, exported(url, tmp_path / "plain.nq")


def test_a_dump_restores_into_a_remote_store_as_the_same_dataset(plain_dump, oxigraph_server):
    oxigraph_server.clear(keep=(GRAPH_ONTOLOGY, GRAPH_REFERENCE))
    url, dump = plain_dump
    target = oxigraph_server.store_locator
    result = CliRunner().invoke(main, ["restore", "--store", target, str(dump)])
    assert result.exit_code == 0, result.output
    assert dataset_of(target) == dataset_of(url)
    with graph.open(target, read_only=True) as restored:
        assert not restored.restore_unfinished()
        assert restored.inferred_current()


def test_a_remote_store_refuses_a_dump_it_cannot_keep_whole(dumped, oxigraph_server):
    """The first dump shares a blank node between two graphs and fills the default graph."""
    oxigraph_server.clear(keep=(GRAPH_ONTOLOGY, GRAPH_REFERENCE))
    _, dump = dumped
    target = oxigraph_server.store_locator
    before = dataset_of(target)
    result = CliRunner().invoke(main, ["restore", "--store", target, str(dump)])
    assert result.exit_code != 0
    assert "nothing was restored" in result.output
    assert dataset_of(target) == before
