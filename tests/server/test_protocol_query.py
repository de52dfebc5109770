"""The SPARQL 1.1 Protocol's query operation (section 2.1), clause by clause, on a real server."""

import csv
import io
import json
import xml.etree.ElementTree as ElementTree

import pyoxigraph
import pytest
import requests

from graph.query_execution import MEMORY_ANSWER_BYTES
from ontology import GRAPH_INFERRED

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX, PEOPLE_GRAPH  # noqa: E402 - after the rewrite registration

NAMES = f"SELECT ?name WHERE {{ ?s <{EX}name> ?name }} ORDER BY ?name"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def names_of(bindings: list[dict]) -> list[str]:
    return [row["name"]["value"] for row in bindings]


def test_query_via_get(comity_server):
    """2.1.1 query via GET: the query string carries query=, percent-encoded."""
    response = requests.get(comity_server.sparql, params={"query": NAMES}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert names_of(response.json()["results"]["bindings"]) == ["Alice", "Bob", "Carol"]


def test_query_via_post_urlencoded(comity_server):
    """2.1.2 query via URL-encoded POST: the form body carries query=."""
    response = requests.post(comity_server.sparql, data={"query": NAMES}, timeout=30)
    assert response.status_code == 200
    assert names_of(response.json()["results"]["bindings"]) == ["Alice", "Bob", "Carol"]


def test_query_via_post_directly(comity_server):
    """2.1.3 query via POST directly: an application/sparql-query body, unencoded."""
    response = requests.post(
        comity_server.sparql,
        data=NAMES.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert response.status_code == 200
    assert names_of(response.json()["results"]["bindings"]) == ["Alice", "Bob", "Carol"]


def test_without_dataset_the_default_graph_is_the_union(comity_server):
    """2.1.4 RDF dataset: with no dataset in the request, the service chooses (the union)."""
    rows = comity_server.select(f"SELECT ?s WHERE {{ ?s <{EX}name> 'Carol' }}")
    assert [row["s"]["value"] for row in rows] == [EX + "carol"]


def test_default_graph_uri_is_honoured_exactly(comity_server):
    """2.1.4 default-graph-uri: the default graph is exactly the graphs named."""
    rows = comity_server.select(NAMES, **{"default-graph-uri": PEOPLE_GRAPH})
    assert names_of(rows) == ["Carol"]


def test_named_graph_uri_limits_graph_patterns(comity_server):
    """2.1.4 named-graph-uri: GRAPH ?g ranges over the named graphs given, and nothing else."""
    query = f"SELECT ?g ?name WHERE {{ GRAPH ?g {{ ?s <{EX}name> ?name }} }}"
    rows = comity_server.select(query, **{"named-graph-uri": PEOPLE_GRAPH})
    assert [(row["g"]["value"], row["name"]["value"]) for row in rows] == [(PEOPLE_GRAPH, "Carol")]
    everything = comity_server.select(
        "SELECT * WHERE { ?s ?p ?o }", **{"named-graph-uri": PEOPLE_GRAPH}
    )
    assert everything == [], "the default graph is empty when only named graphs are given"


def test_repeated_default_graph_uri_merges_graphs(comity_server):
    """2.1.4 default-graph-uri may repeat: the default graph is the merge of all of them."""
    response = requests.get(
        comity_server.sparql,
        params=[
            ("query", NAMES),
            ("default-graph-uri", PEOPLE_GRAPH),
            ("default-graph-uri", GRAPH_INFERRED),
        ],
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200
    assert "Carol" in names_of(response.json()["results"]["bindings"])


def test_protocol_dataset_overrides_from(comity_server):
    """2.1.4: a dataset in the protocol request takes precedence over FROM in the query."""
    query = f"SELECT ?name FROM <{GRAPH_INFERRED}> WHERE {{ ?s <{EX}name> ?name }}"
    rows = comity_server.select(query, **{"default-graph-uri": PEOPLE_GRAPH})
    assert names_of(rows) == ["Carol"]


def test_missing_default_graph_is_an_empty_graph(comity_server):
    """2.1.4 a default-graph-uri the store does not hold is an empty graph (documented choice)."""
    rows = comity_server.select(NAMES, **{"default-graph-uri": EX + "no-such-graph"})
    assert rows == []


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/html, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_select_results_by_accept(comity_server, accept, media_type):
    """2.1.5 accepted response formats for SELECT, chosen by Accept with q-values."""
    response = requests.get(
        comity_server.sparql, params={"query": NAMES}, headers={"Accept": accept}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    body = response.text
    if media_type.endswith("json"):
        assert names_of(json.loads(body)["results"]["bindings"]) == ["Alice", "Bob", "Carol"]
    elif media_type.endswith("xml"):
        literals = ElementTree.fromstring(body).iter(f"{SRX}literal")
        assert [element.text for element in literals] == ["Alice", "Bob", "Carol"]
    elif media_type == "text/csv":
        assert list(csv.reader(io.StringIO(body))) == [["name"], ["Alice"], ["Bob"], ["Carol"]]
    else:
        assert body.splitlines() == ["?name", '"Alice"', '"Bob"', '"Carol"']


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
        ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
        ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
        ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
        ("application/n-quads", pyoxigraph.RdfFormat.N_QUADS),
        ("application/trig", pyoxigraph.RdfFormat.TRIG),
    ],
)
def test_construct_results_by_accept(comity_server, accept, rdf_format):
    """2.1.5 accepted response formats for CONSTRUCT: every standard RDF syntax."""
    query = f"CONSTRUCT {{ ?s <{EX}name> ?name }} WHERE {{ ?s <{EX}name> ?name }}"
    response = requests.get(
        comity_server.sparql, params={"query": query}, headers={"Accept": accept}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    quads = list(pyoxigraph.parse(response.content, rdf_format))
    assert sorted(quad.object.value for quad in quads) == ["Alice", "Bob", "Carol"]


def test_describe_returns_rdf(comity_server):
    """2.1.5 DESCRIBE answers an RDF graph about the resource."""
    response = requests.get(
        comity_server.sparql,
        params={"query": f"DESCRIBE <{EX}bob>"},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert response.status_code == 200
    triples = list(pyoxigraph.parse(response.content, pyoxigraph.RdfFormat.N_TRIPLES))
    assert pyoxigraph.Literal("Bob") in {quad.object for quad in triples}


def test_ask_results(comity_server):
    """2.1.5 ASK answers a boolean in a SPARQL results format."""
    query = f"ASK {{ <{EX}alice> <{EX}knows> <{EX}bob> }}"
    response = requests.get(
        comity_server.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+xml"},
        timeout=30,
    )
    assert response.status_code == 200
    assert ElementTree.fromstring(response.text).find(f"{SRX}boolean").text == "true"


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("xml", "application/sparql-results+xml"),
    ],
)
def test_format_parameter_wins_over_accept(comity_server, name, media_type):
    """2.1.5 (extension) format= chooses the format where a client cannot set Accept."""
    response = requests.get(
        comity_server.sparql,
        params={"query": NAMES, "format": name},
        headers={"Accept": "text/html"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_format_parameter_for_graphs(comity_server):
    """2.1.5 (extension) format=nt / jsonld / rdfxml for CONSTRUCT."""
    query = f"CONSTRUCT WHERE {{ ?s <{EX}name> ?name }}"
    for name, media_type in [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
    ]:
        response = requests.get(
            comity_server.sparql, params={"query": query, "format": name}, timeout=30
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == media_type


def test_nothing_acceptable_is_406(comity_server):
    """2.1.5: when no acceptable format exists the answer is 406 Not Acceptable."""
    response = requests.get(
        comity_server.sparql, params={"query": NAMES}, headers={"Accept": "image/png"}, timeout=30
    )
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    graph_only = requests.get(
        comity_server.sparql, params={"query": NAMES}, headers={"Accept": "text/turtle"}, timeout=30
    )
    assert graph_only.status_code == 406
    assert "solutions" in graph_only.text


def test_malformed_query_is_400_with_position(comity_server):
    """2.1.7 failure responses: a malformed query is 400 with the parser's message."""
    response = requests.get(
        comity_server.sparql, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30
    )
    assert response.status_code == 400
    assert "1:" in response.text and "invalid SPARQL query" in response.text


def test_results_stream_chunked(comity_server):
    """2.1.6 success responses: 200 with the results. An answer too large to be held in
    memory streams in chunks; a smaller one comes whole, with its length."""
    large = requests.get(
        comity_server.sparql,
        params={"query": "SELECT * WHERE { ?s ?p ?o }"},
        stream=True,
        timeout=30,
    )
    assert large.status_code == 200
    assert large.headers.get("Transfer-Encoding") == "chunked"
    assert len(large.content) > MEMORY_ANSWER_BYTES
    assert len(json.loads(large.content)["results"]["bindings"]) > 500
    small = requests.get(
        comity_server.sparql,
        params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 500"},
        timeout=30,
    )
    assert small.status_code == 200
    assert int(small.headers["Content-Length"]) == len(small.content)
    assert len(json.loads(small.content)["results"]["bindings"]) == 500


def test_service_description_on_plain_get(comity_server):
    """Service Description 3: a GET without a query answers the description (Turtle)."""
    response = requests.get(comity_server.sparql, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    store = pyoxigraph.Store()
    store.load(response.content, pyoxigraph.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    ask = lambda pattern: bool(store.query(f"PREFIX sd: <{sd}> ASK {{ {pattern} }}"))  # noqa: E731
    assert ask(f"?s a sd:Service ; sd:endpoint <{comity_server.sparql}>")
    assert ask("?s sd:supportedLanguage sd:SPARQL11Query, sd:SPARQL11Update")
    assert ask("?s sd:feature sd:UnionDefaultGraph, sd:BasicFederatedQuery")
    assert ask("?s sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_CSV>")
    assert ask(f"?s sd:defaultDataset ?d . ?d sd:namedGraph [ sd:name <{PEOPLE_GRAPH}> ]")
    jsonld = requests.get(
        comity_server.sparql, headers={"Accept": "application/ld+json"}, timeout=30
    )
    assert jsonld.headers["Content-Type"] == "application/ld+json"


def test_void_counts_follow_updates(comity_server):
    """VoID at /void: void:triples matches the store, and changes after an update."""

    def triples() -> int:
        response = requests.get(
            f"{comity_server.url}/void", headers={"Accept": "application/n-triples"}, timeout=30
        )
        assert response.status_code == 200
        store = pyoxigraph.Store()
        store.load(response.content, pyoxigraph.RdfFormat.N_TRIPLES)
        rows = list(
            store.query(
                "SELECT ?n WHERE { ?d a <http://rdfs.org/ns/void#Dataset> ; "
                "<http://rdfs.org/ns/void#triples> ?n }"
            )
        )
        return int(rows[0]["n"].value)

    count = comity_server.select(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    )
    before = triples()
    assert before == int(count[0]["n"]["value"])
    response = requests.post(
        comity_server.sparql,
        data={"update": f"INSERT DATA {{ GRAPH <{EX}void-test> {{ <{EX}v> <{EX}p> 'new' }} }}"},
        headers=comity_server.auth(),
        timeout=60,
    )
    assert response.status_code == 204
    assert triples() == before + 1


def test_cors_on_reads(comity_server):
    """CORS: reads carry Access-Control-Allow-Origin: *, and preflight is answered."""
    response = requests.get(
        comity_server.sparql,
        params={"query": "ASK {}"},
        headers={"Origin": "https://example.net"},
        timeout=30,
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(
        comity_server.sparql,
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
