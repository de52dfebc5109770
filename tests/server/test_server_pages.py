"""Linked-data pages, the ontology page and the query page, through Flask and a real socket."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser

import pyoxigraph
import pytest
import rdflib
import requests
from flask import Flask
from rdflib.plugins.sparql import prepareQuery

import graph
from graph import SourceMetadata
from ontology import (
    COMITY,
    DCTERMS,
    GRAPH_INFERRED,
    ID,
    ONTOLOGY_FILE,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    WD,
    XSD,
    document_iri,
    fact_iri,
    place_iri,
    span_iri,
    state_iri,
    treaty_iri,
)
from server import query_page
from server.app import create_app
from server.config import ServerConfig
from tests.server_fixtures import start_server, stop_server

DOCUMENT_KEY = "coe-press-2007-06-13-cybercrime"
SENTENCE = "France ratified the Convention on Cybercrime on 10 January 2006."
DOCUMENT_TITLE = "Countries worldwide turn to Council of Europe Cybercrime Convention"
OTHER_SENTENCE = "Germany signed the Convention on Cybercrime on 23 November 2001."

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
SUFFIX_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}


def node(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(iri)


def action_iri(kind: str, state: str, date: str) -> str:
    return fact_iri(kind, document_iri(DOCUMENT_KEY), state_iri(state), treaty_iri("ETS 185"), date)


RATIFICATION = action_iri("ratification", "FRA", "2006-01-10")
RATIFICATION_PATH = "/id/" + RATIFICATION[len(ID) :]
LINKED_ONLY = place_iri("Agora building")


def treaty_action(
    kind: str, state: str, date: str, sentence: str, start: int
) -> list[pyoxigraph.Triple]:
    """The triples of one signature or ratification, its evidence span and that span's text."""
    doc = document_iri(DOCUMENT_KEY)
    fact = action_iri(kind, state, date)
    span = span_iri(doc, start, start + len(sentence))
    triples = [
        (fact, RDF.type, node(COMITY[kind.capitalize()])),
        (fact, COMITY.actor, node(state_iri(state))),
        (fact, COMITY.treaty, node(treaty_iri("ETS 185"))),
        (fact, COMITY.date, pyoxigraph.Literal(date, datatype=node(XSD.date))),
        (fact, COMITY.evidence, node(span)),
        (fact, COMITY.reportedIn, node(doc)),
        (span, RDF.type, node(COMITY.TextSpan)),
        (span, COMITY.text, pyoxigraph.Literal(sentence)),
        (span, COMITY.start, pyoxigraph.Literal(str(start), datatype=node(XSD.integer))),
        (
            span,
            COMITY.end,
            pyoxigraph.Literal(str(start + len(sentence)), datatype=node(XSD.integer)),
        ),
        (span, COMITY.inDocument, node(doc)),
    ]
    return [pyoxigraph.Triple(node(s), node(p), o) for s, p, o in triples]


def load_sample(kg: graph.KnowledgeGraph) -> None:
    """One press release on top of the reference graph: France signed and ratified ETS 185,
    Germany only signed it; each fact with its evidence sentence."""
    ratified = treaty_action("ratification", "FRA", "2006-01-10", SENTENCE, 120)
    signed = treaty_action("signature", "DEU", "2001-11-23", OTHER_SENTENCE, 300)
    france_signed = treaty_action("signature", "FRA", "2001-11-23", OTHER_SENTENCE, 400)
    document = node(document_iri(DOCUMENT_KEY))
    about_document = [
        pyoxigraph.Triple(document, node(RDF.type), node(COMITY.PressRelease)),
        # A place nothing else describes: its page exists through this incoming link alone.
        pyoxigraph.Triple(document, node(DCTERMS.spatial), node(LINKED_ONLY)),
    ]
    kg.replace_source(
        document_iri(DOCUMENT_KEY),
        [*ratified, *signed, *france_signed, *about_document],
        SourceMetadata(
            title=DOCUMENT_TITLE,
            issued="2007-06-13",
            content_hash="0" * 64,
            kind="PressRelease",
            path=f"{DOCUMENT_KEY}.txt",
        ),
    )


@contextmanager
def loaded_application(**settings: object) -> Iterator[Flask]:
    """The real application over a memory store that holds the sample press release."""
    kg = graph.open("memory:")
    load_sample(kg)
    app = create_app(ServerConfig(**settings), knowledge_graph=kg)
    try:
        yield app
    finally:
        app.extensions["comity"].close()


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    with loaded_application() as application:
        yield application


@pytest.fixture(scope="module")
def knowledge_graph(app: Flask) -> graph.KnowledgeGraph:
    return app.extensions["comity"].graph


@pytest.fixture
def client(app: Flask):
    return app.test_client()


class PageLinks(HTMLParser):
    """Collects every href and src of a page, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)
            if name == "src" and value:
                self.sources.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def outgoing(kg: graph.KnowledgeGraph, iri: str) -> set[tuple[str, str]]:
    """What the store says about a resource as (predicate, object N-Triples) pairs."""
    rows = kg.query(f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }}")
    return {(row["p"].value, str(row["o"])) for row in rows}


def parsed_pairs(body: bytes, rdf_format: str, iri: str) -> set[tuple[str, str]]:
    """The (predicate, object) pairs about `iri` in an RDF document, read by rdflib."""
    parsed = rdflib.Graph().parse(data=body, format=rdf_format)
    assert set(parsed.subjects()) <= {rdflib.URIRef(iri)}
    return {(str(p), o.n3()) for _, p, o in parsed.triples((rdflib.URIRef(iri), None, None))}


# --- HTML pages -------------------------------------------------------------------------------


def test_state_page_shows_label_types_properties_and_wikidata(client, knowledge_graph) -> None:
    response = client.get("/id/state/FRA", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    page = PageLinks(response.get_data(as_text=True))
    assert "<h1>France</h1>" in response.get_data(as_text=True)
    assert "https://www.wikidata.org/wiki/Q142" in page.hrefs
    assert "Wikidata Q142" in page.plain_text
    # The property's label comes from the ontology, and its term links to the ontology page.
    ontology = rdflib.Graph().parse(ONTOLOGY_FILE)
    label = ontology.value(COMITY.iso3166Alpha3, RDFS.label)
    assert str(label) in page.plain_text
    assert "/ontology#iso3166Alpha3" in page.hrefs
    assert "/ontology#State" in page.hrefs
    # Incoming: the ratification fact links here, and the page links to the fact's own page.
    assert RATIFICATION_PATH in page.hrefs
    # The RDF variants are linked from the page and announced in a Link header.
    assert "/id/state/FRA.ttl" in page.hrefs
    assert '</id/state/FRA.jsonld>; rel="alternate"' in response.headers["Link"]


def test_browsers_accept_header_gets_html(client) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/id/state/FRA", headers={"Accept": browser})
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_fact_page_shows_its_evidence_sentence_and_document(client, knowledge_graph) -> None:
    response = client.get(RATIFICATION_PATH)
    assert response.status_code == 200
    page = PageLinks(response.get_data(as_text=True))
    assert SENTENCE in page.plain_text
    document_path = "/id/document/" + DOCUMENT_KEY
    assert document_path in page.hrefs
    assert DOCUMENT_TITLE in page.plain_text
    assert "/id/state/FRA" in page.hrefs
    assert "/id/treaty/ets-185" in page.hrefs
    # titled in words, not by a hash
    title = response.get_data(as_text=True).split("<title>")[1].split("</title>")[0]
    assert title.startswith("Ratification of Convention on Cybercrime by France, 2006-01-10")

    document = client.get(document_path)
    assert document.status_code == 200
    assert RATIFICATION_PATH in PageLinks(document.get_data(as_text=True)).hrefs


def test_statements_name_the_graph_they_come_from(client, knowledge_graph) -> None:
    reference = PageLinks(client.get("/id/state/FRA").get_data(as_text=True))
    assert "reference data" in reference.plain_text
    # Every statement about the fact links to the document it was read from.
    fact = client.get(RATIFICATION_PATH).get_data(as_text=True)
    source_cell = f'<td class="source"><a href="/id/document/{DOCUMENT_KEY}"'
    assert fact.count(source_cell) == len(outgoing(knowledge_graph, RATIFICATION))


def test_inferred_statements_are_set_apart() -> None:
    with loaded_application() as app:
        kg = app.extensions["comity"].graph
        kg.reason()
        inferred = {
            row["o"].value
            for row in kg.query(
                f"SELECT ?o WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ <{state_iri('FRA')}> a ?o }} }}"
            )
        }
        assert inferred, "the reasoner should type France by the ontology's alignments"
        text = app.test_client().get("/id/state/FRA").get_data(as_text=True)
    asserted_part, _, inferred_part = text.partition("inferred statements")
    assert inferred_part, "the page should have an inferred section"
    for class_iri in inferred:
        assert class_iri in inferred_part
        assert f'title="{class_iri}"' not in asserted_part.split("Statements")[0]


def test_blank_nodes_around_a_resource_keep_the_page_working() -> None:
    with loaded_application() as app:
        kg = app.extensions["comity"].graph
        note, detail = pyoxigraph.BlankNode(), pyoxigraph.BlankNode()
        kg.replace_source(
            document_iri("blank-nodes"),
            [
                pyoxigraph.Triple(note, node(DCTERMS.subject), node(state_iri("MLT"))),
                pyoxigraph.Triple(node(state_iri("MLT")), node(DCTERMS.relation), detail),
            ],
            SourceMetadata(None, None, "2" * 64, "RdfFile", "blank-nodes.ttl"),
        )
        response = app.test_client().get("/id/state/MLT")
        assert response.status_code == 200
        text = PageLinks(response.get_data(as_text=True)).plain_text
        assert "Malta" in text
        assert text.count("_:") == 2


def test_resource_known_only_as_an_object_has_a_page(client) -> None:
    path = "/id/" + LINKED_ONLY[len(ID) :]
    response = client.get(path)
    assert response.status_code == 200
    page = PageLinks(response.get_data(as_text=True))
    assert "Linked from" in page.plain_text
    assert f"/id/document/{DOCUMENT_KEY}" in page.hrefs
    # Its RDF holds what is said about it as a subject: nothing, and that is no error.
    turtle = client.get(path + ".ttl")
    assert turtle.status_code == 200
    assert len(rdflib.Graph().parse(data=turtle.data, format="turtle")) == 0


# --- RDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", RDF_TYPES)
def test_rdf_by_accept_holds_the_resources_triples(client, knowledge_graph, media_type) -> None:
    iri = state_iri("FRA")
    response = client.get("/id/state/FRA", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    pairs = parsed_pairs(response.data, RDF_TYPES[media_type], iri)
    assert pairs == outgoing(knowledge_graph, iri)
    assert (str(OWL.sameAs), f"<{WD.Q142}>") in pairs


@pytest.mark.parametrize("suffix", SUFFIX_TYPES)
def test_rdf_by_suffix(client, knowledge_graph, suffix) -> None:
    response = client.get(f"{RATIFICATION_PATH}.{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    media_type = SUFFIX_TYPES[suffix]
    assert response.mimetype == media_type
    pairs = parsed_pairs(response.data, RDF_TYPES[media_type], RATIFICATION)
    assert pairs == outgoing(knowledge_graph, RATIFICATION)
    assert (str(COMITY.actor), f"<{state_iri('FRA')}>") in pairs


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("text/html;q=0.1, application/n-triples", "application/n-triples"),
        ("application/rdf+xml, text/html;q=0.2", "application/rdf+xml"),
        ("text/html;q=0, text/*;q=0.5", "text/turtle"),
        ("application/x-turtle", "text/turtle"),
        ("*/*", "text/html"),
    ],
)
def test_accept_q_values_choose_the_format(client, accept, expected) -> None:
    response = client.get("/id/state/FRA", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == expected


def test_turtle_uses_the_project_prefixes(client) -> None:
    body = client.get("/id/state/FRA.ttl").get_data(as_text=True)
    assert f"@prefix comity: <{PREFIXES['comity']}>" in body


# --- errors -----------------------------------------------------------------------------------


def test_unknown_resource_is_404_html_for_browsers(client) -> None:
    response = client.get("/id/state/ZZZ", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert f"{ID}state/ZZZ" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/id/state/ZZZ", "/id/state/ZZZ.ttl"])
def test_unknown_resource_is_404_plain_for_rdf_clients(client, path) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert "state/ZZZ" in response.get_data(as_text=True)


def test_iri_with_characters_sparql_cannot_hold_is_404(client) -> None:
    response = client.get("/id/state/FRA%3E%20%3Fp%20%3Fo", headers={"Accept": "text/turtle"})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/id/state/FRA", "/ontology"])
def test_unacceptable_accept_is_406(client, path) -> None:
    response = client.get(path, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


# --- the ontology -----------------------------------------------------------------------------


def test_ontology_html_documentation(client) -> None:
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert 'id="Treaty"' in text
    assert client.get("/ontology").data == response.data


@pytest.mark.parametrize("media_type", RDF_TYPES)
def test_ontology_as_rdf(client, media_type) -> None:
    response = client.get("/ontology", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    parsed = rdflib.Graph().parse(data=response.data, format=RDF_TYPES[media_type])
    original = rdflib.Graph().parse(ONTOLOGY_FILE)
    assert len(parsed) == len(original)
    assert (COMITY.Treaty, RDF.type, OWL.Class) in parsed


# --- the query page ---------------------------------------------------------------------------


def test_query_page_is_prefilled_and_self_contained(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for prefix, namespace in PREFIXES.items():
        assert f"PREFIX {prefix}:" in text and f"&lt;{namespace}&gt;" in text
    for example in query_page.example_queries():
        assert example.title in text
    page = PageLinks(text)
    assets = [link for link in page.hrefs + page.sources if "/assets/" in link]
    assert {"/assets/comity.css", "/assets/query.js"} <= set(assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    # Nothing the page loads comes from another host: it must work offline.
    assert not [src for src in page.sources if "//" in src]
    assert "https://" not in "".join(href for href in page.hrefs if href.endswith((".css", ".js")))


def test_query_page_takes_a_query_from_the_address(client) -> None:
    response = client.get("/", query_string={"query": "ASK { ?s ?p ?o }"})
    assert "ASK { ?s ?p ?o }" in response.get_data(as_text=True)


def test_examples_are_valid_sparql_that_runs(knowledge_graph) -> None:
    prologue = query_page.prefix_lines()
    for example in query_page.example_queries():
        if "SERVICE" in example.body:
            # The federated example needs Wikidata; parse it without running it.
            prepareQuery(prologue + example.body)
            continue
        list(knowledge_graph.query(prologue + example.body))


def test_signed_not_ratified_example_finds_the_signatory_only(knowledge_graph) -> None:
    (example,) = [e for e in query_page.example_queries() if e.key == "signed-not-ratified"]
    rows = knowledge_graph.query(query_page.prefix_lines() + example.body)
    assert {row["state"].value for row in rows} == {state_iri("DEU")}


def test_members_on_a_date_example_counts_the_council_in_2007() -> None:
    with graph.open("memory:") as kg:
        kg.reason()  # the day bounds it compares are inferred
        (example,) = [e for e in query_page.example_queries() if e.key == "members-on-a-date"]
        rows = list(kg.query(query_page.prefix_lines() + example.body))
    assert len({row["state"].value for row in rows}) == 47


def test_evidence_example_finds_the_sentence(knowledge_graph) -> None:
    (example,) = [e for e in query_page.example_queries() if e.key == "evidence"]
    rows = list(knowledge_graph.query(query_page.prefix_lines() + example.body))
    assert [row["sentence"].value for row in rows] == [SENTENCE]
    assert rows[0]["document"].value == document_iri(DOCUMENT_KEY)


# --- over a real socket -----------------------------------------------------------------------


def test_comity_serve_dereferences_over_a_socket(tmp_path) -> None:
    """`comity serve` on an on-disk store: pages, RDF and the query page over real HTTP."""
    store = f"oxigraph:{tmp_path / 'store'}"
    with graph.open(store) as kg:
        load_sample(kg)
        kg.reason()  # else the server would, before serving: a stale store is never served
        expected = outgoing(kg, state_iri("FRA"))
    server = start_server(tmp_path / "store", tmp_path / "server.log", None, ["--workers", "1"])
    url = server.url
    try:
        turtle = requests.get(f"{url}/id/state/FRA", headers={"Accept": "text/turtle"}, timeout=10)
        assert turtle.status_code == 200
        assert turtle.headers["Content-Type"].startswith("text/turtle")
        assert parsed_pairs(turtle.content, "turtle", state_iri("FRA")) == expected
        page = requests.get(f"{url}/id/state/FRA", timeout=10)
        assert page.headers["Content-Type"].startswith("text/html")
        assert "<h1>France</h1>" in page.text
        assert requests.get(f"{url}/id/state/ZZZ", timeout=10).status_code == 404
        query = requests.get(f"{url}/", timeout=10)
        assert query.status_code == 200
        assert requests.get(f"{url}/assets/query.js", timeout=10).status_code == 200
    finally:
        stop_server(server)


def test_resources_live_under_the_configured_base() -> None:
    base = "http://data.example.org/things/"
    with loaded_application(base=base) as app:
        kg = app.extensions["comity"].graph
        widget = pyoxigraph.NamedNode(base + "widget")
        kg.replace_source(
            document_iri("widgets"),
            [
                pyoxigraph.Triple(widget, node(RDFS.label), pyoxigraph.Literal("Widget")),
                pyoxigraph.Triple(widget, node(DCTERMS.isPartOf), node(base + "catalogue")),
            ],
            SourceMetadata(None, None, "1" * 64, "RdfFile", "widgets.ttl"),
        )
        client = app.test_client()
        page = client.get("/id/widget")
        assert page.status_code == 200
        assert "<h1>Widget</h1>" in page.get_data(as_text=True)
        assert "/id/catalogue" in PageLinks(page.get_data(as_text=True)).hrefs
        turtle = client.get("/id/widget.ttl")
        assert parsed_pairs(turtle.data, "turtle", base + "widget") == {
            (str(RDFS.label), '"Widget"'),
            (str(DCTERMS.isPartOf), f"<{base}catalogue>"),
        }
        # The default base is not served by this app: its resources are not under it.
        assert client.get("/id/state/FRA").status_code == 404


def test_document_is_labelled_by_its_title(client) -> None:
    response = client.get(f"/id/document/{DOCUMENT_KEY}")
    assert f"<h1>{DOCUMENT_TITLE}</h1>" in response.get_data(as_text=True)


def test_fact_titles_in_words() -> None:
    from server.resources import fact_title

    assert fact_title(
        "membership",
        {"member": "Montenegro", "organisation": "Council of Europe", "since": "2007-05-11"},
    ) == ("Membership of Montenegro in Council of Europe, 2007-05-11")
    assert fact_title(
        "person role", {"person": "Jane Example", "role": "ambassador", "affiliation": "Norway"}
    ) == ("Person role of Jane Example as ambassador for Norway")
    assert fact_title("mention", {}) == ""


def test_the_jsonld_context_is_published_and_reads_compact_comity_data(client) -> None:
    response = client.get("/ontology/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    context = response.get_json()
    act, france = "https://example.org/act", state_iri("FRA")
    compact = {
        **context,
        "@id": act,
        "@type": "Ratification",
        "actor": france,
        "partiesCount": "21",
        "date": {"@value": "2006", "@type": "xsd:gYear"},
    }
    graph = rdflib.Graph().parse(data=json.dumps(compact), format="json-ld")
    subject = rdflib.URIRef(act)
    assert (subject, RDF.type, COMITY.Ratification) in graph
    assert (subject, COMITY.actor, rdflib.URIRef(france)) in graph
    assert (subject, COMITY.date, rdflib.Literal("2006", datatype=XSD.gYear)) in graph
    assert (
        subject,
        COMITY.partiesCount,
        rdflib.Literal("21", datatype=XSD.nonNegativeInteger),
    ) in graph
