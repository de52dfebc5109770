"""A Comity server as the store of `comity load`, and the triple count every source records.

The server reasons after every write and refuses writes to its inferred graph, so a load
into it leaves the inferred graph to it (and says so in its service description); each
source's comity:tripleCount is what a COUNT over its graph sees, whatever the source repeats.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests

from ontology import GRAPH_INFERRED, document_iri, document_key, source_graph_iri

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import TOKEN, comity_command  # noqa: E402 - after the rewrite registration

SAMPLE = (
    Path(__file__).parents[2]
    / "loaders"
    / "samples"
    / ("coe-2006-01-10-france-ratifies-cybercrime.txt")
)
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def rdf_file(directory: Path) -> Path:
    """A Turtle file that states one triple twice, one number two ways, and two triples the
    store's metadata states too (the document's type and title): of its 6 triples, the
    store holds 2 besides the metadata."""
    path = directory / "restated.ttl"
    document = document_iri(document_key(path.stem))
    path.write_text(
        f"""@prefix ex: <http://example.org/> .
@prefix comity: <https://w3id.org/comity/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
ex:a ex:label "twice" .
ex:a ex:label "twice" .
ex:a ex:size "01"^^<{XSD_INTEGER}> , "1"^^<{XSD_INTEGER}> .
<{document}> a comity:RdfFile ; dcterms:title "restated.ttl" .
""",
        encoding="utf-8",
    )
    return path


def store_url(server) -> str:
    return f"sparql+{server.sparql}?store={server.store}"


def comity(*arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "COMITY_STORE_TOKEN": TOKEN}
    return subprocess.run(
        [*comity_command(), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def count_in_graph(server, graph: str) -> int:
    [row] = server.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(row["n"]["value"])


@pytest.fixture(scope="module")
def loaded(server_factory, tmp_path_factory):
    """A Comity server, and `comity load` of a text and an RDF file into it over HTTP."""
    server = server_factory()
    inferred_before = count_in_graph(server, GRAPH_INFERRED)
    path = rdf_file(tmp_path_factory.mktemp("rdf"))
    result = comity("load", "--store", store_url(server), str(SAMPLE), str(path))
    return server, result, inferred_before


def test_load_into_a_comity_server_succeeds_and_leaves_reasoning_to_it(loaded):
    server, result, inferred_before = loaded
    assert result.returncode == 0, result.stderr
    assert "inferred" not in result.stderr, result.stderr
    sources = json.loads(comity("sources", "--store", store_url(server), "--format", "json").stdout)
    assert {source["path"] for source in sources} >= {SAMPLE.name, "restated.ttl"}
    # The server reasoned over what was loaded: the document's facts have entailments.
    assert count_in_graph(server, GRAPH_INFERRED) > inferred_before
    description = requests.get(server.sparql, headers={"Accept": "text/turtle"}, timeout=30)
    assert "http://www.w3.org/ns/entailment/OWL-RDF-Based" in description.text
    reasoned = comity("reason", "--store", store_url(server))
    assert reasoned.returncode == 0, reasoned.stderr
    assert "reasons for itself" in reasoned.stdout


@pytest.mark.parametrize("name", [SAMPLE.name, "restated.ttl"])
def test_triple_count_is_what_the_source_graph_holds(loaded, name):
    """For an extracted text and for an RDF file: the recorded count is a COUNT over the
    source's graph, the count triple itself included."""
    server, result, _ = loaded
    assert result.returncode == 0, result.stderr
    document = document_iri(document_key(Path(name).stem))
    graph = source_graph_iri(document)
    [row] = server.select(
        f"SELECT ?count WHERE {{ GRAPH <{graph}> {{ <{document}> "
        "<https://w3id.org/comity/ontology#tripleCount> ?count } }"
    )
    assert int(row["count"]["value"]) == count_in_graph(server, graph)
    if name == "restated.ttl":
        # 2 triples of the file's own, 6 of metadata (type, hash, loaded at, title, file,
        # count): 11 written, 8 held
        assert count_in_graph(server, graph) == 8
