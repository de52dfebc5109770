"""A document's page shows its text with every evidence span highlighted and linked to its
facts; rows that link to a resource are named in words; the header's links open pages."""

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pyoxigraph
import pytest
import rdflib
from flask import Flask

import graph
from graph import SourceMetadata
from ontology import COMITY, ID, RDF, XSD, document_iri, fact_iri, span_iri, state_iri, treaty_iri
from server.app import create_app
from server.config import ServerConfig
from server.evidence import FactLink, Span, mark_evidence

KEY = "unsafe-notice"
TITLE = "A notice with <b>markup</b> in it"
FULL_TEXT = (
    "Treaty notice\n\n"
    "France ratified the Convention on Cybercrime on 10 January 2006. "
    "It deals with <script>alert('x')</script> fraud & forgery.\n"
    "Germany signed it."
)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def node(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(iri)


def offsets(text: str) -> tuple[int, int]:
    start = FULL_TEXT.index(text)
    return start, start + len(text)


RATIFIED = "France ratified the Convention on Cybercrime on 10 January 2006."
FRANCE = "France"
# Crosses the end of the first sentence: evidence for two topic facts at once.
TOPICS = "10 January 2006. It deals with <script>alert('x')</script> fraud & forgery."
SIGNED = "Germany signed it."


def integer(value: int) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(str(value), datatype=node(XSD.integer))


class Notice:
    """The facts of the notice, each with the text of its evidence span."""

    document = document_iri(KEY)
    ratification = fact_iri("ratification", document, "FRA", "ets-185")
    mention = fact_iri("mention", document, "FRA")
    fraud = fact_iri("treatytopic", document, "fraud")
    forgery = fact_iri("treatytopic", document, "forgery")
    signature = fact_iri("signature", document, "DEU", "ets-185")
    evidence = {
        ratification: RATIFIED,
        mention: FRANCE,
        fraud: TOPICS,
        forgery: TOPICS,
        signature: SIGNED,
    }


def notice_triples() -> list[pyoxigraph.Triple]:
    doc = Notice.document
    triples = [(doc, COMITY.fullText, pyoxigraph.Literal(FULL_TEXT))]
    for fact, sentence in Notice.evidence.items():
        start, end = offsets(sentence)
        span = span_iri(doc, start, end)
        triples += [
            (fact, COMITY.evidence, span),
            (fact, COMITY.reportedIn, doc),
            (span, RDF.type, COMITY.TextSpan),
            (span, COMITY.text, pyoxigraph.Literal(sentence)),
            (span, COMITY.start, integer(start)),
            (span, COMITY.end, integer(end)),
            (span, COMITY.inDocument, doc),
        ]
    for fact, kind, state, date in (
        (Notice.ratification, "Ratification", "FRA", "2006-01-10"),
        (Notice.signature, "Signature", "DEU", "2001-11-23"),
    ):
        triples += [
            (fact, RDF.type, COMITY[kind]),
            (fact, COMITY.actor, state_iri(state)),
            (fact, COMITY.treaty, treaty_iri("ETS 185")),
            (fact, COMITY.date, pyoxigraph.Literal(date, datatype=node(XSD.date))),
        ]
    for fact, subject, predicate, value in (
        (Notice.mention, doc, COMITY.mentions, state_iri("FRA")),
        (Notice.fraud, treaty_iri("ETS 185"), COMITY.addresses, f"{ID}topic/fraud"),
        (Notice.forgery, treaty_iri("ETS 185"), COMITY.addresses, f"{ID}topic/forgery"),
    ):
        triples += [
            (fact, RDF.type, RDF.Statement),
            (fact, RDF.subject, subject),
            (fact, RDF.predicate, predicate),
            (fact, RDF.object, value),
        ]
    return [
        pyoxigraph.Triple(node(s), node(p), o if isinstance(o, pyoxigraph.Literal) else node(o))
        for s, p, o in triples
    ]


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    kg = graph.open("memory:")
    kg.replace_source(
        Notice.document,
        notice_triples(),
        SourceMetadata(TITLE, "2006-01-10", "3" * 64, "PressRelease", f"{KEY}.txt"),
    )
    application = create_app(ServerConfig(), knowledge_graph=kg)
    yield application
    application.extensions["comity"].close()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


def path_of(iri: str) -> str:
    return "/id/" + iri[len(ID) :]


class MarkedText(HTMLParser):
    """Reads the full-text block back: its text, which characters are highlighted and where
    each highlight links, and the further links set after a span."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.links: list[str | None] = []  # per character: the href of its highlight
        self.later: list[tuple[int, str]] = []  # (offset, href) of the numbered links
        self.depth = 0
        self.in_mark = self.in_sup = False
        self.href: str | None = None
        block = html.split('<div class="full-text">', 1)[1]
        self.feed(block)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth < 0:
            return
        values = dict(attrs)
        if tag == "div":
            self.depth += 1
        elif tag == "mark":
            self.in_mark = True
        elif tag == "sup":
            self.in_sup = True
        elif tag == "a":
            self.href = values.get("href")
            if self.in_sup and self.href:
                self.later.append((len(self.text), self.href))

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self.depth -= 1
        elif tag == "mark":
            self.in_mark = False
        elif tag == "sup":
            self.in_sup = False
        elif tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.depth < 0 or self.in_sup:
            return
        self.text += data
        self.links += [self.href if self.in_mark else None] * len(data)


def test_every_span_is_highlighted_and_links_to_its_facts(client) -> None:
    response = client.get(f"/id/document/{KEY}", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    marked = MarkedText(response.get_data(as_text=True))
    # The text comes back whole, character for character, highlights and all.
    assert marked.text == FULL_TEXT
    for fact, sentence in Notice.evidence.items():
        start, end = offsets(sentence)
        assert all(marked.links[start:end]), f"part of {sentence!r} is not highlighted"
        reachable = set(marked.links[start:end]) | {
            href for offset, href in marked.later if offset == end
        }
        if fact != Notice.mention:
            assert path_of(fact) in reachable, f"{sentence!r} does not link to its fact"
    # A span that overlaps nothing is one highlight linking to its one fact.
    assert set(marked.links[slice(*offsets(SIGNED))]) == {path_of(Notice.signature)}
    # Text outside every span is plain.
    assert not any(marked.links[: FULL_TEXT.index(RATIFIED)])


def test_text_and_title_are_escaped(client) -> None:
    body = client.get(f"/id/document/{KEY}").get_data(as_text=True)
    assert "<script>" not in body
    assert "&lt;script&gt;alert(" in body
    assert "<b>markup</b>" not in body
    assert "&lt;b&gt;markup&lt;/b&gt;" in body
    assert "fraud &amp; forgery" in body


def test_facts_read_in_the_text_are_listed_in_words(client) -> None:
    body = client.get(f"/id/document/{KEY}").get_data(as_text=True)
    listed = body.split('<ol class="facts-read">', 1)[1].split("</ol>", 1)[0]
    assert "Ratification of Convention on Cybercrime by France, 2006-01-10" in listed
    assert "Convention on Cybercrime addresses" in listed
    # The full text is shown as text, not again as a statement.
    assert 'href="/ontology#fullText"' not in body


def test_linked_from_rows_say_what_links_in_words(client) -> None:
    body = client.get(f"/id/document/{KEY}").get_data(as_text=True)
    rows = body.split("Linked from", 1)[1]
    names = re.findall(r'<td class="value"><a [^>]*>([^<]*)</a>', rows)
    assert "Signature of Convention on Cybercrime by Germany, 2001-11-23" in names
    assert "“Germany signed it.”" in names  # an evidence span, by its words
    assert not [name for name in names if re.fullmatch(r"\w+/[0-9a-f]{16}", name)]


def test_pieces_cover_the_text_once_whatever_the_spans() -> None:
    def fact(number: int, mention: bool = False) -> FactLink:
        return FactLink(f"/id/fact/{number}", f"fact {number}", number, mention)

    text = "abcdefghij"
    spans = [
        Span(0, 6, (fact(1),)),
        Span(4, 9, (fact(2), fact(3))),  # crosses the first
        Span(1, 2, (fact(4, mention=True),)),  # inside the first
        Span(5, 50, (fact(5),)),  # past the end: left out
        Span(3, 3, (fact(6),)),  # empty: left out
    ]
    pieces = mark_evidence(text, spans)
    assert "".join(piece.text for piece in pieces) == text
    links = {piece.text: piece.link and piece.link.number for piece in pieces}
    assert links == {"a": 1, "b": 1, "cd": 1, "ef": 2, "ghi": 2, "j": None}
    # fact 3 shares its span with fact 2, which the highlight links to: it follows the span.
    assert [f.number for piece in pieces for f in piece.more] == [3]
    assert mark_evidence("", spans) == []


# --- the header's links -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sparql", "/void"])
def test_header_links_open_pages_in_a_browser(client, path) -> None:
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert "<h1>" in body
    assert f'href="http://localhost{path}?format=ttl"' in body


@pytest.mark.parametrize("path", ["/sparql", "/void"])
@pytest.mark.parametrize(
    ("accept", "query", "expected"),
    [
        (None, "", "text/turtle"),
        ("*/*", "", "text/turtle"),
        ("text/turtle", "", "text/turtle"),
        ("application/ld+json", "", "application/ld+json"),
        (BROWSER_ACCEPT, "?format=ttl", "text/turtle"),
        ("text/turtle", "?format=html", "text/html"),
    ],
)
def test_rdf_clients_still_get_rdf(client, path, accept, query, expected) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(path + query, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == expected
    if expected == "text/turtle":
        assert len(rdflib.Graph().parse(data=response.data, format="turtle")) > 0


def test_void_page_names_classes_and_licence(client) -> None:
    body = client.get("/void?format=html").get_data(as_text=True)
    assert "creativecommons.org/licenses/by/4.0" in body
    assert "comity:TextSpan" in body
    assert "/dumps/comity.nq.gz" in body
