"""The generated ontology page documents every term, works offline, and `comity docs` writes it."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from ontology import COMITY, ONTOLOGY_FILE, OWL, RDF, RDFS
from ontology.docs import render_documentation
from ontology.errors import ComityError
from ontology.vocabulary import read_ontology
from server.cli import main

TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


class PageReader(HTMLParser):
    """Collects what the tests look at: element ids, links, loaded resources, visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.resources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"] or "")
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"] or "")
        if tag in ("script", "img", "iframe") or attributes.get("rel") == "stylesheet":
            self.resources.append(tag)
        if attributes.get("src"):
            self.resources.append(attributes["src"] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


@pytest.fixture(scope="module")
def html() -> str:
    return render_documentation()


@pytest.fixture(scope="module")
def page(html: str) -> PageReader:
    return read_page(html)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(data=read_ontology(), format="nt")


def comity_terms(graph: Graph) -> set[URIRef]:
    return {
        term
        for kind in TERM_KINDS
        for term in graph.subjects(RDF.type, kind)
        if isinstance(term, URIRef) and term.startswith(str(COMITY))
    }


def test_every_term_has_an_anchor_and_its_label(page: PageReader, ontology: Graph) -> None:
    text = " ".join(page.text)
    terms = comity_terms(ontology)
    assert len(terms) > 70
    for term in terms:
        name = term[len(str(COMITY)) :]
        assert name in page.ids, f"no anchor for {name}"
        assert f"comity:{name}" in text
        english = [v for v in ontology.objects(term, RDFS.label) if v.language == "en"]
        assert english and str(english[0]) in text, f"no label for {name}"


def test_anchors_are_unique_and_every_internal_link_lands(page: PageReader) -> None:
    assert len(page.ids) == len(set(page.ids))
    internal = {href[1:] for href in page.hrefs if href.startswith("#")}
    assert internal and internal <= set(page.ids)


def test_page_needs_nothing_from_the_network(page: PageReader, html: str) -> None:
    assert page.resources == []
    assert "<style>" in html
    assert "@import" not in html


def test_page_shows_metadata_hierarchy_and_alignments(page: PageReader, html: str) -> None:
    text = " ".join(page.text)
    assert "Comity ontology" in text
    assert "0.1.0" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in page.hrefs
    assert "2026-11-29" in text
    assert "http://schema.org/Legislation" in page.hrefs  # Treaty's alignment
    assert "http://www.w3.org/ns/org#memberOf" in page.hrefs  # memberOf's super-property
    assert "http://www.wikidata.org/entity/P1891" in page.hrefs  # signatory's close match
    state = html.split('id="State"', 1)[1].split("</section>", 1)[0]
    assert "schema:Country" in state and "Kosovo" in state  # alignment and the code exemption
    member_of = html.split('id="memberOf"', 1)[1].split("</section>", 1)[0]
    assert "Inverse of" in member_of and 'href="#hasMember"' in member_of
    convention = html.split('id="Convention"', 1)[1].split("</section>", 1)[0]
    assert 'href="#Treaty"' in convention


def test_page_follows_the_ontology_file(tmp_path: Path) -> None:
    changed = Graph().parse(data=read_ontology(), format="nt")
    changed.add((COMITY.Observer, RDF.type, OWL.Class))
    changed.add((COMITY.Observer, RDFS.label, Literal("observer state", lang="en")))
    changed.add((COMITY.Observer, RDFS.comment, Literal("A non-member that watches.", lang="en")))
    changed.add((COMITY.Observer, RDFS.subClassOf, COMITY.State))
    path = tmp_path / "comity.ttl"
    changed.serialize(path, format="turtle")
    page = read_page(render_documentation(path))
    assert "Observer" in page.ids
    assert "observer state" in " ".join(page.text)
    assert "#Observer" in page.hrefs  # listed as a sub-class of State


def test_broken_ontology_file_gives_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "comity.ttl"
    path.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8").replace(" .\n", " \n", 1))
    with pytest.raises(ComityError, match="comity.ttl"):
        render_documentation(path)


def test_comity_docs_writes_the_page(tmp_path: Path, html: str) -> None:
    output = tmp_path / "site" / "x.html"
    result = CliRunner().invoke(main, ["docs", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8") == html
    assert str(output) in result.output


def test_comity_docs_writes_to_docs_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["docs"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "docs" / "ontology.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_comity_docs_reports_an_unwritable_output_and_leaves_no_debris(tmp_path: Path) -> None:
    blocker = tmp_path / "docs"
    blocker.write_text("not a directory")
    result = CliRunner().invoke(main, ["docs", "--output", str(blocker / "ontology.html")])
    assert result.exit_code == 1
    assert "error:" in result.output and "--output" in result.output
    assert "Traceback" not in result.output
    assert blocker.read_text() == "not a directory"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["docs"]


def test_ontology_without_a_header_gives_a_clear_error(tmp_path: Path) -> None:
    headless = Graph().parse(data=read_ontology(), format="nt")
    headless.remove((None, RDF.type, OWL.Ontology))
    path = tmp_path / "comity.ttl"
    headless.serialize(path, format="turtle")
    with pytest.raises(ComityError, match="owl:Ontology"):
        render_documentation(path)
