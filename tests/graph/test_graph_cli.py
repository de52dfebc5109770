"""The store commands of `comity`, run as a user runs them: a real process on a real store."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

import graph
from graph import SourceMetadata
from ontology import COMITY, GRAPH_INFERRED, GRAPH_ONTOLOGY, RDF, document_iri, source_graph_iri
from tests.server_fixtures import free_port

COMITY_PROGRAM = str(Path(sys.executable).parent / "comity")
EX = "http://example.org/"
DOC = document_iri("cli-notice")


def comity(*arguments: str, store: str | None = None) -> subprocess.CompletedProcess:
    command = [COMITY_PROGRAM, *arguments]
    if store is not None:
        command[2:2] = ["--store", store]
    return subprocess.run(command, capture_output=True, timeout=120)


def assert_clear_failure(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit code 1 and one line on stderr that says what is wrong, no traceback."""
    message = result.stderr.decode()
    assert result.returncode == 1, message
    assert "Traceback" not in message
    assert message.startswith("error: ") and message.count("\n") == 1, message
    for fragment in fragments:
        assert fragment in message
    return message


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An on-disk store holding one small source, shared by the read-only tests."""
    url = f"oxigraph:{tmp_path_factory.mktemp('cli') / 'store'}"
    content = [
        pyoxigraph.Triple(
            pyoxigraph.NamedNode(f"{EX}thing{i}"),
            pyoxigraph.NamedNode(EX + "label"),
            pyoxigraph.Literal(f"thing, number {i}"),
        )
        for i in range(3)
    ]
    with graph.open(url) as store:
        store.replace_source(
            DOC, content, SourceMetadata("CLI notice", "2024-01-02", "h", "PressRelease", "n.txt")
        )
    return url


SELECT = f"SELECT ?s ?label WHERE {{ ?s <{EX}label> ?label }} ORDER BY ?s"


def test_query_json(seeded_store):
    result = comity("query", "--format", "json", SELECT, store=seeded_store)
    assert result.returncode == 0, result.stderr
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert [row["label"]["value"] for row in bindings] == [f"thing, number {i}" for i in range(3)]


def test_query_defaults_to_json_off_a_terminal(seeded_store):
    result = comity("query", SELECT, store=seeded_store)
    assert json.loads(result.stdout)["head"]["vars"] == ["s", "label"]


@pytest.mark.parametrize("name", ["csv", "tsv", "xml"])
def test_query_machine_formats_parse_back(seeded_store, name):
    result = comity("query", "--format", name, SELECT, store=seeded_store)
    assert result.returncode == 0, result.stderr
    if name == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
        assert [row["label"] for row in rows] == [f"thing, number {i}" for i in range(3)]
    else:
        parsed = pyoxigraph.parse_query_results(
            result.stdout,
            pyoxigraph.QueryResultsFormat.TSV
            if name == "tsv"
            else pyoxigraph.QueryResultsFormat.XML,
        )
        assert [row["label"].value for row in parsed] == [f"thing, number {i}" for i in range(3)]


def test_query_table_for_people(seeded_store, tmp_path: Path):
    query_file = tmp_path / "labels.rq"
    query_file.write_text(SELECT)
    result = comity("query", "--format", "table", f"@{query_file}", store=seeded_store)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "label" in text and "thing, number 2" in text
    assert "3 result(s)" in result.stderr.decode()


@pytest.mark.parametrize("name", ["nt", "ttl", "nq"])
def test_construct_formats(seeded_store, name):
    construct = f"CONSTRUCT WHERE {{ ?s <{EX}label> ?label }}"
    result = comity("query", "--format", name, construct, store=seeded_store)
    assert result.returncode == 0, result.stderr
    rdf = {"nt": "N_TRIPLES", "ttl": "TURTLE", "nq": "N_QUADS"}[name]
    triples = list(pyoxigraph.parse(result.stdout, getattr(pyoxigraph.RdfFormat, rdf)))
    assert len(triples) == 3


def test_ask_answers_a_boolean(seeded_store):
    result = comity("query", "--format", "json", f"ASK {{ ?s <{EX}label> ?o }}", store=seeded_store)
    assert json.loads(result.stdout)["boolean"] is True


def test_export_to_a_file_round_trips(seeded_store, tmp_path: Path):
    output = tmp_path / "dump.trig"
    result = comity("export", "--format", "trig", "--output", str(output), store=seeded_store)
    assert result.returncode == 0, result.stderr
    reread = pyoxigraph.Dataset(pyoxigraph.parse(path=str(output)))
    everything = comity("export", "--format", "nq", store=seeded_store)
    expected = pyoxigraph.Dataset(pyoxigraph.parse(everything.stdout, pyoxigraph.RdfFormat.N_QUADS))
    for dataset in (reread, expected):
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    assert set(reread) == set(expected)
    assert any(quad.graph_name.value == source_graph_iri(DOC) for quad in reread)


def test_export_one_graph(seeded_store):
    result = comity("export", "--format", "nt", "--graph", GRAPH_ONTOLOGY, store=seeded_store)
    triples = list(pyoxigraph.parse(result.stdout, pyoxigraph.RdfFormat.N_TRIPLES))
    assert any(t.object == pyoxigraph.NamedNode(COMITY.Treaty) for t in triples)
    assert not any(t.subject.value.startswith(EX) for t in triples)


def test_stats_and_sources_as_json(seeded_store):
    stats = json.loads(comity("stats", "--format", "json", store=seeded_store).stdout)
    with graph.open(seeded_store) as store:
        expected = store.stats()
    assert stats["triples"] == expected.triples
    assert stats["graphs"][source_graph_iri(DOC)] == expected.graphs[source_graph_iri(DOC)]
    [source] = json.loads(comity("sources", "--format", "json", store=seeded_store).stdout)
    assert source["iri"] == DOC and source["title"] == "CLI notice"


def test_update_reason_validate_remove(tmp_path: Path):
    url = f"oxigraph:{tmp_path / 'store'}"
    fact = f"{EX}ratification-without-actor"
    inserted = comity(
        "update",
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{fact}> a <{COMITY.Ratification}> }} }}",
        store=url,
    )
    assert inserted.returncode == 0, inserted.stderr
    reasoned = comity("reason", store=url)
    assert reasoned.returncode == 0, reasoned.stderr
    with graph.open(url) as store:
        assert bool(
            store.query(f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ <{fact}> <{RDF.type}> ?c }} }}")
        )
    validated = comity("validate", store=url)
    assert validated.returncode == 1
    assert fact in validated.stdout.decode()

    with graph.open(url) as store:
        store.replace_source(DOC, [], SourceMetadata("t", None, "h", "PressRelease", None))
    removed = comity("remove", "cli-notice", store=url)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(comity("sources", "--format", "json", store=url).stdout) == []


def test_unknown_scheme():
    assert_clear_failure(comity("stats", store="postgres://db/comity"), "unknown store URL")


def test_unreachable_endpoint():
    url = f"sparql+http://127.0.0.1:{free_port()}/query"
    assert_clear_failure(comity("stats", store=url), "cannot reach", "ASK")


def test_store_path_is_a_file(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a store")
    assert_clear_failure(comity("stats", store=f"oxigraph:{blocker}"), "is a file")
    assert_clear_failure(comity("stats", store=f"oxigraph:{blocker / 'store'}"), "is a file")
    assert blocker.read_text() == "not a store"


def test_directory_of_other_files_is_not_taken_over(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine")
    assert_clear_failure(comity("stats", store=f"oxigraph:{tmp_path}"), "not an Oxigraph store")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_corrupted_store(tmp_path: Path):
    location = tmp_path / "store"
    graph.open(f"oxigraph:{location}").close()
    (location / "CURRENT").write_bytes(b"\x00garbage")
    assert_clear_failure(comity("stats", store=f"oxigraph:{location}"), "damaged")


def test_store_locked_by_another_process(tmp_path: Path):
    location = tmp_path / "store"
    holder = pyoxigraph.Store(str(location))
    try:
        assert_clear_failure(comity("stats", store=f"oxigraph:{location}"), "in use")
    finally:
        del holder


def test_query_syntax_error(seeded_store):
    message = assert_clear_failure(comity("query", "SELECT ?s WHERE { ?s ?p", store=seeded_store))
    assert "1:" in message and "invalid SPARQL query" in message


def test_update_of_the_inferred_graph_is_refused(seeded_store):
    update = f"INSERT DATA {{ GRAPH <{GRAPH_INFERRED}> {{ <{EX}a> <{EX}b> <{EX}c> }} }}"
    assert_clear_failure(comity("update", update, store=seeded_store), "inferred graph")


def test_missing_query_file(seeded_store, tmp_path: Path):
    missing = tmp_path / "missing.rq"
    assert_clear_failure(comity("query", f"@{missing}", store=seeded_store), "missing.rq")


def test_remove_of_an_unknown_source(seeded_store):
    assert_clear_failure(comity("remove", "no-such-notice", store=seeded_store), "no source")


def test_export_into_a_missing_directory(seeded_store, tmp_path: Path):
    target = tmp_path / "absent" / "dump.nq"
    assert_clear_failure(comity("export", "--output", str(target), store=seeded_store), "dump.nq")


def test_select_result_in_a_graph_format(seeded_store):
    assert_clear_failure(comity("query", "--format", "ttl", SELECT, store=seeded_store), "SELECT")


def test_credentials_never_appear_in_messages():
    url = f"sparql+http://reader:hunter2@127.0.0.1:{free_port()}/query"
    message = assert_clear_failure(comity("stats", store=url), "cannot reach")
    assert "hunter2" not in message


def test_update_with_declarations_on_later_operations(tmp_path: Path):
    """The grammar lets each operation declare prefixes, even one declared again with another
    IRI; `comity update` reads them as the endpoint does."""
    url = f"oxigraph:{tmp_path / 'store'}"
    update = (
        f"PREFIX a: <{EX}one/> INSERT DATA {{ GRAPH <{EX}g> {{ a:s a:p 1 }} }} ;\n"
        f"PREFIX a: <{EX}two/> INSERT DATA {{ GRAPH <{EX}g> {{ a:s a:p 2 }} }}"
    )
    done = comity("update", update, store=url)
    assert done.returncode == 0, done.stderr
    with graph.open(url) as store:
        rows = store.query(f"SELECT ?s WHERE {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }} ORDER BY ?o")
        assert [row["s"].value for row in rows] == [f"{EX}one/s", f"{EX}two/s"]
