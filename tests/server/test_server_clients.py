"""Real SPARQL clients against a real server: SPARQLWrapper and rdflib's remote stores."""

import csv
import io

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX, PEOPLE_GRAPH  # noqa: E402 - after the rewrite registration

NAMES = f"SELECT ?name WHERE {{ ?s <{EX}name> ?name }} ORDER BY ?name"


def wrapper(server, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


def test_sparqlwrapper_select_json(comity_server):
    result = wrapper(comity_server, NAMES, JSON).queryAndConvert()
    assert [row["name"]["value"] for row in result["results"]["bindings"]] == [
        "Alice",
        "Bob",
        "Carol",
    ]


def test_sparqlwrapper_select_xml(comity_server):
    document = wrapper(comity_server, NAMES, XML).queryAndConvert()
    literals = document.getElementsByTagName("literal")
    assert [node.firstChild.data for node in literals] == ["Alice", "Bob", "Carol"]


def test_sparqlwrapper_select_csv(comity_server):
    body = wrapper(comity_server, NAMES, CSV).queryAndConvert()
    assert list(csv.reader(io.StringIO(body.decode()))) == [["name"], ["Alice"], ["Bob"], ["Carol"]]


@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(comity_server, return_format):
    query = f"ASK {{ <{EX}alice> <{EX}knows> <{EX}bob> }}"
    result = wrapper(comity_server, query, return_format).queryAndConvert()
    if return_format == JSON:
        assert result["boolean"] is True
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("return_format", [TURTLE, XML, JSON])
def test_sparqlwrapper_construct(comity_server, return_format):
    query = f"CONSTRUCT {{ ?s <{EX}name> ?n }} WHERE {{ ?s <{EX}name> ?n }}"
    result = wrapper(comity_server, query, return_format).queryAndConvert()
    if isinstance(result, bytes):
        parsed = rdflib.Graph().parse(
            data=result, format="json-ld" if return_format == JSON else "turtle"
        )
    else:
        parsed = result
    names = sorted(str(o) for o in parsed.objects(None, rdflib.URIRef(EX + "name")))
    assert names == ["Alice", "Bob", "Carol"]


def test_sparqlwrapper_describe(comity_server):
    result = wrapper(comity_server, f"DESCRIBE <{EX}alice>", TURTLE).queryAndConvert()
    parsed = rdflib.Graph().parse(data=result, format="turtle")
    assert (
        rdflib.URIRef(EX + "alice"),
        rdflib.URIRef(EX + "name"),
        rdflib.Literal("Alice"),
    ) in parsed


def test_rdflib_sparqlstore_reads(comity_server):
    store = SPARQLStore(comity_server.sparql)
    remote = rdflib.Graph(store=store)
    names = sorted(str(row.name) for row in remote.query(NAMES))
    assert names == ["Alice", "Bob", "Carol"]
    assert (rdflib.URIRef(EX + "bob"), rdflib.URIRef(EX + "name"), rdflib.Literal("Bob")) in remote


def test_rdflib_sparqlupdatestore_writes_and_reads(comity_server):
    store = SPARQLUpdateStore(
        comity_server.sparql,
        comity_server.sparql,
        auth=None,
        headers={"Authorization": f"Bearer {comity_server.token}"},
        autocommit=True,
    )
    graph_iri = rdflib.URIRef(EX + "rdflib-written")
    remote = rdflib.Graph(store=store, identifier=graph_iri)
    remote.add((rdflib.URIRef(EX + "dave"), rdflib.URIRef(EX + "label"), rdflib.Literal("Dave")))
    rows = comity_server.select(f"SELECT ?n WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?n }} }}")
    assert [row["n"]["value"] for row in rows] == ["Dave"]
    people = rdflib.Graph(store=store, identifier=rdflib.URIRef(PEOPLE_GRAPH))
    assert len(people) == 2
