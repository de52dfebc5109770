"""Extraction from the real press release the project was built from, checked fact by fact.

The expectations are what a careful reader takes from the text; where the text links a name
to an ISO code or a Wikidata item, the link is checked through the reference graph in a store.
"""

import json
from pathlib import Path

import pytest

import graph
from loaders import document_triples, extract, load_paths, read_document
from loaders.facts import Fact

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
RELEASE = CORPUS / "coe-press-2007-06-13-cybercrime.txt"

pytestmark = pytest.mark.skipif(
    not RELEASE.exists(), reason=f"the shared corpus file {RELEASE.name} is not on this machine"
)

MEMBERS = {
    "ALB",
    "AND",
    "ARM",
    "AUT",
    "AZE",
    "BEL",
    "BIH",
    "BGR",
    "HRV",
    "CYP",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "GEO",
    "DEU",
    "GRC",
    "HUN",
    "ISL",
    "IRL",
    "ITA",
    "LVA",
    "LIE",
    "LTU",
    "LUX",
    "MLT",
    "MDA",
    "MCO",
    "MNE",
    "NLD",
    "NOR",
    "POL",
    "PRT",
    "ROU",
    "RUS",
    "SMR",
    "SRB",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
    "CHE",
    "MKD",
    "TUR",
    "UKR",
    "GBR",
}


@pytest.fixture(scope="module")
def extraction():
    return extract(read_document(RELEASE))


def facts_of(extraction, kind: str) -> list[Fact]:
    return [fact for fact in extraction.facts if fact.kind == kind]


def gold(extraction, kind: str) -> list[dict]:
    return [fact.to_gold() for fact in facts_of(extraction, kind)]


def test_every_evidence_span_quotes_the_document_exactly(extraction):
    text = extraction.document.text
    assert extraction.facts
    for fact in extraction.facts:
        assert text[fact.evidence.start : fact.evidence.end] == fact.evidence.text, fact


def test_the_47_member_states_as_of_the_issue_date(extraction):
    memberships = gold(extraction, "Membership")
    assert {fact["member"] for fact in memberships} == MEMBERS
    assert len(memberships) == 47
    assert {fact["organisation"] for fact in memberships} == {"council-of-europe"}
    assert {fact["asOf"] for fact in memberships} == {"2007-06-13"}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ('"The former Yugoslav Republic of Macedonia"', "MKD"),
        ("Czech Republic", "CZE"),
        ("Russia", "RUS"),
        ("Moldova", "MDA"),
        ("Turkey", "TUR"),
    ],
)
def test_former_and_short_names_link_to_the_current_state(extraction, written, code):
    by_text = {fact.evidence.text: fact.member.key for fact in facts_of(extraction, "Membership")}
    assert by_text[written] == code


def test_members_link_to_iso_codes_and_wikidata_in_the_store():
    kg = graph.open("memory:")
    try:
        load_paths(kg, [RELEASE], reason=False)
        rows = kg.query(
            """
            PREFIX comity: <https://w3id.org/comity/ontology#>
            PREFIX org: <http://www.w3.org/ns/org#>
            PREFIX owl: <http://www.w3.org/2002/07/owl#>
            SELECT ?code ?item ?as_of WHERE {
              ?m a comity:Membership ; org:member ?state ; comity:asOf ?as_of ;
                 org:organization/owl:sameAs <http://www.wikidata.org/entity/Q8908> .
              ?state comity:iso3166Alpha3 ?code ; owl:sameAs ?item .
            }
            """
        )
        found = {(row["code"].value, row["item"].value, row["as_of"].value) for row in rows}
    finally:
        kg.close()
    assert {code for code, _, _ in found} == MEMBERS
    assert ("MKD", "http://www.wikidata.org/entity/Q221", "2007-06-13") in found
    assert ("TUR", "http://www.wikidata.org/entity/Q43", "2007-06-13") in found


def test_convention_status_is_reported_counts_with_qualifier(extraction):
    statuses = {fact["treaty"]: fact for fact in gold(extraction, "TreatyStatus")}
    convention = statuses["ets-185"]
    assert convention["ratifiedCount"] == 21
    assert convention["signedOnlyCount"] == 22
    assert convention["qualifiers"] == {"signedOnlyCount": "another"}
    assert convention["asOf"] == "2007-06-13"
    assert convention["partiesCount"] is None and convention["invitedCount"] is None


def test_protocol_status_and_what_it_supplements(extraction):
    statuses = {fact["treaty"]: fact for fact in gold(extraction, "TreatyStatus")}
    protocol = statuses["ets-189"]
    assert (protocol["ratifiedCount"], protocol["signedOnlyCount"]) == (11, 20)
    assert protocol["asOf"] == "2007-06-13"
    assert gold(extraction, "Supplements") == [
        {"type": "Supplements", "protocol": "ets-189", "treaty": "ets-185"}
    ]


def test_no_treaty_events_are_invented_from_reported_counts(extraction):
    for kind in ("Signature", "Ratification", "Accession", "EntryIntoForce"):
        assert facts_of(extraction, kind) == []


def test_seven_states_reform_their_law_on_the_convention(extraction):
    reforms = gold(extraction, "LegalReform")
    assert {fact["actor"] for fact in reforms} == {"ARG", "BRA", "EGY", "IND", "NGA", "PAK", "PHL"}
    assert {fact["basedOn"] for fact in reforms} == {"ets-185"}
    assert {fact["status"] for fact in reforms} == {"underway"}


def test_the_conference(extraction):
    [conference] = gold(extraction, "Conference")
    assert conference["startDate"] == "2007-06-11"
    assert conference["endDate"] == "2007-06-12"
    assert conference["place"] == "strasbourg"
    assert conference["organiser"] == "council-of-europe"
    assert (conference["participantCount"], conference["participantQualifier"]) == (140, "over")
    assert (conference["countryCount"], conference["countryQualifier"]) == (55, None)


def test_the_public_private_partnership_with_microsoft(extraction):
    [partnership] = gold(extraction, "Partnership")
    assert set(partnership["partners"]) == {"council-of-europe", "microsoft"}
    assert partnership["kind"] == "public-private"
    assert partnership["representatives"] == ["tim-cranton"]
    assert partnership["principles"] == [
        "open communication",
        "a clear understanding of roles and responsibilities",
        "trust",
    ]


def test_tim_cranton_is_an_attorney_at_microsoft(extraction):
    assert gold(extraction, "PersonRole") == [
        {
            "type": "PersonRole",
            "person": "tim-cranton",
            "role": "attorney",
            "affiliation": "microsoft",
        }
    ]


def test_the_internet_governance_forum_meeting(extraction):
    [meeting] = gold(extraction, "Meeting")
    assert meeting["organiser"] == "internet-governance-forum"
    assert meeting["place"] == "rio-de-janeiro"
    assert meeting["startDate"] == "2007-11"
    assert meeting["endDate"] == "2007-11"  # a one-month event starts and ends in it
    assert meeting["participants"] == ["council-of-europe"]


def test_founding_year_from_the_closing_paragraph(extraction):
    assert gold(extraction, "Founding") == [
        {"type": "Founding", "organisation": "council-of-europe", "date": "1949"}
    ]


def test_treaty_topics(extraction):
    topics = {(fact["treaty"], fact["topic"]) for fact in gold(extraction, "TreatyTopic")}
    for topic in (
        "child-pornography",
        "money-laundering",
        "fraud",
        "terrorism",
        "spam",
        "botnets",
        "malicious-code",
    ):
        assert ("ets-185", topic) in topics
    assert ("ets-189", "xenophobia-and-racism") in topics
    assert ("ets-189", "hate-crime") in topics
    assert not any(topic in ("human-rights", "data-protection") for _, topic in topics)


def test_press_release_metadata(extraction):
    metadata = extraction.document.metadata
    assert metadata.kind == "PressRelease"
    assert metadata.title == "Countries worldwide turn to Council of Europe Cybercrime Convention"
    assert metadata.reference == "413a07"
    assert metadata.telephone == "+33 (0)3 88 41 25 60"
    assert metadata.fax == "+33 (0)3 88 41 39 11"
    assert metadata.email == "pressunit@coe.int"
    assert metadata.url == "http://www.coe.int/press"
    assert metadata.issued.iso() == "2007-06-13"
    assert extraction.place.key == "strasbourg"
    assert extraction.publisher.label == "Press Division"
    assert extraction.issuer.key == "council-of-europe"


def test_nothing_from_the_subscription_boilerplate(extraction):
    start = extraction.document.text.index("To receive our press releases")
    end = extraction.document.text.index("\n", start)
    assert not [f for f in extraction.facts if start <= f.evidence.start < end]


def test_dates_and_counts_are_typed_at_their_precision(extraction):
    triples = document_triples(extraction)
    by_predicate: dict[str, set[str]] = {}
    for triple in triples:
        if hasattr(triple.object, "datatype"):
            by_predicate.setdefault(
                triple.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1], set()
            ).add(triple.object.datatype.value.rsplit("#")[-1])
    assert by_predicate["foundingDate"] == {"gYear"}
    assert by_predicate["startDate"] == {"date", "gYearMonth"}
    assert by_predicate["ratifiedCount"] == {"nonNegativeInteger"}
    assert by_predicate["issued"] == {"date"}


def test_the_store_answers_with_the_document_graph_and_conforms_to_the_shapes():
    kg = graph.open("memory:")
    try:
        report = load_paths(kg, [RELEASE])
        assert report.ok and report.documents == 1
        assert kg.validate().conforms
        ask = kg.query(
            """
            PREFIX comity: <https://w3id.org/comity/ontology#>
            PREFIX schema: <http://schema.org/>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            ASK {
              ?doc a comity:PressRelease ; dcterms:identifier "413a07" ;
                   dcterms:publisher/schema:contactPoint/schema:email "pressunit@coe.int" .
              ?status comity:treaty <https://w3id.org/comity/id/treaty/ets-185> ;
                      comity:signedOnlyCount 22 ; comity:evidence/comity:inDocument ?doc .
              # "another 22" is exactly 22: "another" relates it to the count before, and
              # is no hedge, so no qualifier is stored
              FILTER NOT EXISTS { ?status comity:signedOnlyCountQualifier ?hedge }
            }
            """
        )
        assert bool(ask)
    finally:
        kg.close()


SAMPLES = Path(__file__).resolve().parents[2] / "loaders" / "samples"


def test_every_sample_gold_fact_names_a_public_source() -> None:
    """Bundled samples state only true facts: each gold fact says where it can be checked."""
    gold_files = sorted(SAMPLES.glob("*.gold.json"))
    assert len(gold_files) >= 15
    unsourced = [
        (path.name, fact.get("type"))
        for path in gold_files
        for fact in json.loads(path.read_text(encoding="utf-8"))["facts"]
        if not str(fact.get("source", "")).strip()
    ]
    assert unsourced == []
