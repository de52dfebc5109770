"""IRI minting: the same input gives the same IRI in every process, and bad input is refused."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ontology.iris import (
    ID,
    company_iri,
    document_iri,
    document_key,
    fact_iri,
    organisation_iri,
    person_iri,
    place_iri,
    slug,
    source_graph_iri,
    span_iri,
    state_iri,
    topic_iri,
    topic_scheme_iri,
    treaty_iri,
    treaty_slug,
    unit_iri,
)
from ontology.namespaces import GRAPH_SOURCE_PREFIX

REPO = Path(__file__).resolve().parents[2]


def mint_samples() -> dict[str, str]:
    """One IRI of every kind, for comparison between processes."""
    key = document_key("coe-press-2007-06-13-cybercrime")
    return {
        "state": state_iri("FRA"),
        "kosovo": state_iri("kosovo"),
        "organisation": organisation_iri("Conseil de l'Europe"),
        "unit": unit_iri("Council of Europe", "Press Division"),
        "treaty": treaty_iri("ETS No. 185"),
        "topic": topic_iri("child pornography"),
        "place": place_iri("Rio de Janeiro"),
        "person": person_iri("Tim Cranton"),
        "document": document_iri(key),
        "graph": source_graph_iri(key),
        "span": span_iri(key, 120, 187),
        "fact": fact_iri("ratification", key, "FRA", "ets-185", "2006-01-10"),
    }


def mint_in_child(seed: str) -> dict[str, str]:
    """mint_samples() run in a fresh interpreter with the given string-hash seed."""
    script = (
        "import json; from tests.ontology.test_iris import mint_samples;"
        " print(json.dumps(mint_samples()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_iris_are_the_same_in_every_process():
    here = mint_samples()
    assert mint_in_child("1") == mint_in_child("4242") == here
    assert here["fact"].startswith(f"{ID}ratification/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Council of Europe", "council-of-europe"),
        ("Conseil de l'Europe", "conseil-de-l-europe"),
        ("  Côte d’Ivoire ", "cote-d-ivoire"),
        ("São Tomé and Príncipe", "sao-tome-and-principe"),
        ("Rhein–Main — Region", "rhein-main-region"),
        ("Washington, D.C.", "washington-d-c"),
        ("T-CY", "t-cy"),
        ("ETS 185", "ets-185"),
        ("ÉTAT", "etat"),
        ("Thorbjørn Jagland", "thorbjorn-jagland"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Þingvellir", "thingvellir"),
        ("Đorđe", "dorde"),
    ],
)
def test_slug(text, expected):
    assert slug(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "!!!", "—", "Россия", "北京"])
def test_slug_refuses_text_without_latin_letters_or_digits(text):
    with pytest.raises(ValueError, match="no letters or digits"):
        slug(text)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("ETS 185", "ets-185"),
        ("ETS No. 185", "ets-185"),
        ("ETS No 185", "ets-185"),
        ("ETS No.185", "ets-185"),
        ("ets185", "ets-185"),
        ("  ETS   185 ", "ets-185"),
        ("ETS 5", "ets-005"),
        ("ETS 005", "ets-005"),
        ("CETS No. 224", "cets-224"),
        ("CETS 224", "cets-224"),
        ("CETS No. 185", "ets-185"),
        ("STE n° 189", "ets-189"),
        ("STCE n° 210", "cets-210"),
        ("ETS 224", "cets-224"),
    ],
)
def test_treaty_numbers_in_any_spelling_give_one_slug(number, expected):
    assert treaty_slug(number) == expected
    assert treaty_iri(number) == f"{ID}treaty/{expected}"


def test_a_treaty_without_number_is_named_by_its_title():
    assert treaty_iri("Convention on Cybercrime") == f"{ID}treaty/convention-on-cybercrime"
    assert treaty_slug("ETS 1850") == "ets-1850"


def test_state_iris():
    assert state_iri("FRA") == "https://w3id.org/comity/id/state/FRA"
    assert state_iri("fra") == state_iri("FRA")
    assert state_iri("kosovo") == state_iri("Kosovo") == f"{ID}state/kosovo"


def test_organisation_unit_and_company_iris():
    assert organisation_iri("Council of Europe") == f"{ID}org/council-of-europe"
    assert company_iri("Microsoft") == organisation_iri("Microsoft")
    assert unit_iri("Council of Europe", "Press Division") == (
        f"{ID}org/council-of-europe/press-division"
    )


def test_topic_place_and_person_iris():
    assert topic_iri("child pornography") == f"{ID}topic/child-pornography"
    assert topic_iri("child-pornography").startswith(topic_scheme_iri() + "/")
    assert place_iri("The Hague") == f"{ID}place/the-hague"
    assert person_iri("Tim Cranton") == f"{ID}person/tim-cranton"


def test_document_graph_and_span_iris_accept_a_key_or_a_document_iri():
    key = document_key("COE press 2007-06-13 Cybercrime")
    assert key == "coe-press-2007-06-13-cybercrime"
    document = document_iri(key)
    assert document == f"{ID}document/{key}"
    assert source_graph_iri(key) == source_graph_iri(document) == GRAPH_SOURCE_PREFIX + key
    assert span_iri(key, 10, 42) == span_iri(document, 10, 42) == f"{ID}span/{key}/10-42"


def test_fact_iris_depend_on_every_part_and_its_order():
    parts = ("FRA", "ets-185", "2006-01-10")
    iri = fact_iri("ratification", "doc", *parts)
    assert iri == fact_iri("ratification", "doc", *parts)
    assert iri != fact_iri("ratification", "other-doc", *parts)
    assert iri != fact_iri("ratification", "doc", "FRA", "ets-185", "2006-01-11")
    assert iri != fact_iri("ratification", "doc", "ets-185", "FRA", "2006-01-10")
    assert fact_iri("Treaty Status", "doc").startswith(f"{ID}treaty-status/")
    assert fact_iri("x", "doc", "a", "bc") != fact_iri("x", "doc", "ab", "c")
    assert fact_iri("x", "doc", 2007) == fact_iri("x", "doc", "2007")


def test_fact_kind_must_be_sluggable():
    with pytest.raises(ValueError):
        fact_iri("***", "doc", "a")
