"""The pictures of treaty and organisation pages: well-formed SVG with text alternatives, one
mark per act, step, membership or party of the sample texts, and dates of any precision."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask

import graph
from graph import SourceMetadata
from loaders import load_paths
from ontology import COMITY, ORG, RDF, XSD, document_iri, fact_iri, state_iri, treaty_iri
from server.app import create_app
from server.config import ServerConfig
from server.pictures import placed, world_outlines

SVG = "{http://www.w3.org/2000/svg}"
SAMPLES = sorted(
    path
    for path in (Path(__file__).parents[2] / "loaders" / "samples").iterdir()
    if path.suffix in (".txt", ".md", ".csv")
)
ACT_KINDS = ("Signature", "Ratification", "Accession", "EntryIntoForce")
COUNCIL = "https://w3id.org/comity/id/org/council-of-europe"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    kg = graph.open("memory:")
    assert load_paths(kg, SAMPLES).ok
    application = create_app(ServerConfig(), knowledge_graph=kg)
    yield application
    application.extensions["comity"].close()


def pictures(app: Flask, path: str) -> dict[str, ET.Element]:
    """The page's SVG pictures by class, each parsed as XML (so each must be well-formed)."""
    body = app.test_client().get(path).get_data(as_text=True)
    parsed = [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", body, re.S)]
    return {svg.get("class").split()[1]: svg for svg in parsed}


def marks(svg: ET.Element, kind: str = "mark") -> list[ET.Element]:
    return [a for a in svg.iter(f"{SVG}a") if kind in (a.get("class") or "").split()]


def dated_acts(kg: graph.KnowledgeGraph, treaty: str) -> dict[str, tuple[str, str | None, date]]:
    """Each dated act on a treaty: its kind, its actor and its earliest day."""
    kinds = " ".join(f"<{COMITY[kind]}>" for kind in ACT_KINDS)
    acts: dict[str, tuple[str, str | None, date]] = {}
    for row in kg.query(
        f"""SELECT ?act ?kind ?actor ?day WHERE {{ VALUES ?kind {{ {kinds} }}
        ?act a ?kind ; <{COMITY.treaty}> <{treaty}> ; <{COMITY.dateEarliest}> ?day
        OPTIONAL {{ ?act <{COMITY.actor}> ?actor }} }}"""
    ):
        day = date.fromisoformat(row["day"].value)
        actor = row["actor"].value if row["actor"] is not None else None
        if row["act"].value not in acts or day < acts[row["act"].value][2]:
            acts[row["act"].value] = (row["kind"].value, actor, day)
    return acts


def test_each_picture_has_text_alternatives(app) -> None:
    drawn = {**pictures(app, "/id/treaty/ets-185"), **pictures(app, "/id/org/council-of-europe")}
    assert set(drawn) == {"timeline", "steps", "map", "members"}
    for name, svg in drawn.items():
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text, name
        assert desc is not None and desc.text, name
        for mark in marks(svg):
            assert mark.get("href", "").startswith("/id/"), name
            assert mark.find(f"{SVG}title").text, name


@pytest.mark.parametrize("key", ["ets-185", "cets-224"])
def test_timeline_has_one_mark_per_dated_act(app, key) -> None:
    kg = app.extensions["comity"].graph
    acts = dated_acts(kg, treaty_iri_of(key))
    svg = pictures(app, f"/id/treaty/{key}")["timeline"]
    assert len(marks(svg)) == len(acts) > 0
    # Its title gives each act's date as written, and the row says who.
    titles = [mark.find(f"{SVG}title").text for mark in marks(svg)]
    assert "Ratification by France, 2006-01-10" in titles or key != "ets-185"
    actors = {actor for _, actor, _ in acts.values()}
    assert len(svg.find(f"{SVG}g[@class='rows']").findall(f"{SVG}line")) == len(actors)


def treaty_iri_of(key: str) -> str:
    return f"https://w3id.org/comity/id/treaty/{key}"


def test_steps_count_signatories_and_parties(app) -> None:
    kg = app.extensions["comity"].graph
    acts = dated_acts(kg, treaty_iri_of("cets-224"))
    expected = 0
    for kinds in (("Signature",), ("Ratification", "Accession")):
        first: dict[str, date] = {}
        for kind, actor, day in acts.values():
            if actor and kind in {str(COMITY[k]) for k in kinds}:
                first[actor] = min(day, first.get(actor, day))
        expected += len(set(first.values()))
    svg = pictures(app, "/id/treaty/cets-224")["steps"]
    assert len(marks(svg, "step")) == expected > 0


def test_map_fills_each_party_it_can_draw(app) -> None:
    kg = app.extensions["comity"].graph
    rows = kg.query(
        f"""SELECT DISTINCT ?code WHERE {{ <{treaty_iri_of("cets-224")}> <{COMITY.party}> ?s .
        ?s <{COMITY.iso3166Alpha3}> ?code }}"""
    )
    drawable = {row["code"].value for row in rows} & set(world_outlines()["countries"])
    svg = pictures(app, "/id/treaty/cets-224")["map"]
    assert len(marks(svg, "party")) == len(drawable) > 0
    # every country is drawn, parties or not
    assert len(list(svg.iter(f"{SVG}path"))) == len(world_outlines()["countries"])


def test_members_over_time_has_one_bar_per_dated_membership(app) -> None:
    kg = app.extensions["comity"].graph
    rows = kg.query(
        f"""SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a <{COMITY.Membership}> ;
        <{ORG.organization}> <{COUNCIL}> ; <{COMITY.since}> ?since }}"""
    )
    expected = int(next(iter(rows))["n"].value)
    svg = pictures(app, "/id/org/council-of-europe")["members"]
    assert len(marks(svg, "membership")) == expected > 0
    assert marks(svg, "ended"), "some members of the Council of Europe left it"


def test_dates_of_any_precision_and_two_dates_for_one_act() -> None:
    """An act dated "2003" by one text and "2003-05-17" by another is drawn once, at the
    earliest day; a gYearMonth sits on its first day; a date that is no date is left out."""
    assert placed("2003-05") == date(2003, 5, 1)
    assert placed("2003") == date(2003, 1, 1)
    assert placed("2003-05-17Z") == date(2003, 5, 17)
    assert placed("someday") is None
    kg = graph.open("memory:")
    treaty = treaty_iri("ETS 185")
    triples = []
    for key, state, dates in (
        ("a", "FRA", [("2003", XSD.gYear), ("2003-05-17", XSD.date)]),
        ("b", "DEU", [("2004-02", XSD.gYearMonth)]),
        ("c", "ITA", [("not a date", XSD.string)]),
    ):
        act = pyoxigraph.NamedNode(fact_iri("ratification", document_iri(key), state))
        triples += [
            pyoxigraph.Triple(
                act, pyoxigraph.NamedNode(RDF.type), pyoxigraph.NamedNode(COMITY.Ratification)
            ),
            pyoxigraph.Triple(
                act, pyoxigraph.NamedNode(COMITY.treaty), pyoxigraph.NamedNode(treaty)
            ),
            pyoxigraph.Triple(
                act, pyoxigraph.NamedNode(COMITY.actor), pyoxigraph.NamedNode(state_iri(state))
            ),
        ]
        triples += [
            pyoxigraph.Triple(
                act,
                pyoxigraph.NamedNode(COMITY.date),
                pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(kind)),
            )
            for value, kind in dates
        ]
    kg.replace_source(
        document_iri("dates"), triples, SourceMetadata(None, None, "4" * 64, "RdfFile", "dates.nt")
    )
    application = create_app(ServerConfig(), knowledge_graph=kg)
    try:
        svg = pictures(application, "/id/treaty/ets-185")["timeline"]
    finally:
        application.extensions["comity"].close()
    titles = sorted(mark.find(f"{SVG}title").text for mark in marks(svg))
    ratifications = [title for title in titles if title.startswith("Ratification")]
    assert ratifications == ["Ratification by France, 2003", "Ratification by Germany, 2004-02"]
