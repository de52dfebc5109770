"""One table of RDF formats (graph/formats.py) behind every place that reads or writes RDF, and
one negotiator: what the loader reads, the resource pages, the ontology, the SPARQL endpoint
and the graph store all offer and accept the same formats, by the same names."""

from collections.abc import Iterator

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

import graph
from graph.formats import RDF_FILE_SUFFIXES, RDF_FORMATS, format_of_media_type
from server.app import create_app
from server.config import ServerConfig
from server.negotiation import RDF_FORMATS as OFFERED

EX = "http://example.org/formats/"
TOKEN = "formats-token"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    knowledge_graph = graph.open("memory:")
    knowledge_graph.update(f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}name> "A" }} }}')
    application = create_app(
        ServerConfig(store="memory:", token=TOKEN, base=EX), knowledge_graph=knowledge_graph
    )
    yield application
    application.extensions["comity"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_server_offers_every_format_of_the_table_turtle_first():
    assert [offer.media_type for offer in OFFERED] == [
        rdf.media_type for rdf in RDF_FORMATS.values()
    ]
    assert OFFERED[0].media_type == "text/turtle"
    for offer in OFFERED:
        rdf = RDF_FORMATS[offer.names[0]]
        assert f".{rdf.file_extension}" in RDF_FILE_SUFFIXES  # and the loader reads its files


@pytest.mark.parametrize("rdf", list(RDF_FORMATS.values()), ids=lambda rdf: rdf.file_extension)
def test_a_resource_is_served_in_every_format_by_suffix_and_by_format_name(
    client: FlaskClient, rdf: pyoxigraph.RdfFormat
):
    for path in (f"/id/a.{rdf.file_extension}", f"/id/a?format={rdf.file_extension}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == rdf.media_type
        triples = list(pyoxigraph.parse(response.data, format=rdf, base_iri=EX))
        assert [str(quad.object) for quad in triples] == ['"A"']


def test_a_resource_page_links_every_variant(client: FlaskClient):
    response = client.get("/id/a", headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    for rdf in RDF_FORMATS.values():
        assert f'</id/a.{rdf.file_extension}>; rel="alternate"' in response.headers["Link"]


def test_the_ontology_is_negotiated_like_everything_else(client: FlaskClient):
    assert client.get("/ontology", headers={"Accept": "text/n3"}).mimetype == "text/n3"
    assert client.get("/ontology?format=nt").mimetype == "application/n-triples"
    assert client.get("/ontology", headers={"Accept": "application/xhtml+xml"}).mimetype == (
        "text/html"
    )
    unknown = client.get("/ontology?format=docx")
    assert unknown.status_code == 400 and "format='docx' is unknown" in unknown.text


@pytest.mark.parametrize(
    "media_type", ["application/x-turtle", "text/n3", "text/plain", "application/json"]
)
def test_the_graph_store_reads_the_media_types_the_table_names(
    client: FlaskClient, media_type: str
):
    rdf = format_of_media_type(media_type)
    assert rdf is not None
    body = pyoxigraph.serialize(
        [
            pyoxigraph.Triple(
                pyoxigraph.NamedNode(f"{EX}b"),
                pyoxigraph.NamedNode(f"{EX}p"),
                pyoxigraph.Literal(media_type),
            )
        ],
        format=rdf,
    )
    graph_iri = f"{EX}put-{rdf.file_extension}"
    response = client.put(
        f"/store?graph={graph_iri}",
        data=body,
        headers={"Content-Type": media_type, "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code in (201, 204), response.text
    held = client.get(f"/store?graph={graph_iri}", headers={"Accept": "application/n-triples"})
    assert media_type in held.text


def test_a_media_type_outside_the_table_is_415(client: FlaskClient):
    response = client.put(
        f"/store?graph={EX}never",
        data=b"<a> <b> <c> .",
        headers={"Content-Type": "text/markdown", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 415
    assert "text/turtle" in response.text
