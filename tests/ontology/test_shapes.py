"""The SHACL shapes accept well-formed data and reject each kind of defect with its own message."""

from collections.abc import Callable

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from ontology import (
    COMITY,
    DCTERMS,
    GRAPH_REFERENCE,
    ORG,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SKOS,
    XSD,
    document_iri,
    document_key,
    fact_iri,
    organisation_iri,
    person_iri,
    place_iri,
    span_iri,
    state_iri,
    topic_iri,
    treaty_iri,
)
from ontology.vocabulary import read_shapes

DOCUMENT = document_iri(document_key("coe-press-2007-06-13-cybercrime"))
COE = URIRef(organisation_iri("Council of Europe"))
MICROSOFT = URIRef(organisation_iri("Microsoft"))
FRANCE = URIRef(state_iri("FRA"))
KOSOVO = URIRef(state_iri("Kosovo"))
ESWATINI = URIRef(state_iri("SWZ"))
CYBERCRIME = URIRef(treaty_iri("ETS 185"))
XENOPHOBIA = URIRef(treaty_iri("ETS 189"))
STRASBOURG = URIRef(place_iri("Strasbourg"))

RATIFICATION = URIRef(fact_iri("ratification", DOCUMENT, FRANCE, CYBERCRIME))
TOPIC = URIRef(topic_iri("Data protection"))
STATEMENT = URIRef(fact_iri("statement", DOCUMENT, "founding"))
STATUS = URIRef(fact_iri("treaty-status", DOCUMENT, CYBERCRIME))
SPAN = URIRef(span_iri(DOCUMENT, 100, 145))
QUOTED = "the Convention has been ratified by 21 states"
FULL_TEXT = "x" * 100 + QUOTED + " and signed by 22 others."


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(data=read_shapes(), format="nt")


def add_fact(graph: Graph, iri: URIRef, kind: URIRef, span: URIRef = SPAN) -> None:
    """A fact with the provenance every extracted fact must carry."""
    graph.add((iri, RDF.type, kind))
    graph.add((iri, COMITY.evidence, span))
    graph.add((iri, COMITY.reportedIn, URIRef(DOCUMENT)))


def valid_sample() -> Graph:
    """One well-formed instance of every kind of fact and entity the shapes check."""
    graph = Graph()
    doc = URIRef(DOCUMENT)
    graph.add((doc, RDF.type, COMITY.PressRelease))
    graph.add((doc, DCTERMS.issued, Literal("2007-06-13", datatype=XSD.date)))
    graph.add((doc, COMITY.fullText, Literal(FULL_TEXT)))
    graph.add((FRANCE, COMITY.memberOf, COE))  # the membership below stands behind it
    graph.add((SPAN, RDF.type, COMITY.TextSpan))
    graph.add((SPAN, COMITY.inDocument, doc))
    graph.add((SPAN, COMITY.start, Literal(100)))
    graph.add((SPAN, COMITY.end, Literal(145)))
    graph.add((SPAN, COMITY.text, Literal(QUOTED)))

    graph.add((FRANCE, RDF.type, COMITY.State))
    graph.add((FRANCE, COMITY.iso3166Alpha3, Literal("FRA")))
    graph.add((FRANCE, COMITY.iso3166Alpha2, Literal("FR")))
    graph.add((KOSOVO, RDF.type, COMITY.State))
    graph.add((KOSOVO, COMITY.iso3166Exemption, Literal("ISO 3166-1 assigns Kosovo no code.")))
    graph.add((COE, RDF.type, COMITY.IntergovernmentalOrganisation))
    graph.add((COE, COMITY.shortName, Literal("CoE", lang="en")))
    graph.add((FRANCE, SKOS.altLabel, Literal("French Republic", lang="en")))
    graph.add((FRANCE, SKOS.altLabel, Literal("République française", lang="fr")))
    graph.add((ESWATINI, RDF.type, COMITY.State))
    graph.add((ESWATINI, COMITY.iso3166Alpha3, Literal("SWZ")))
    graph.add((ESWATINI, COMITY.formerName, Literal("Swaziland", lang="en")))
    graph.add((ESWATINI, COMITY.formerName, Literal("Swaziland", lang="fr")))
    graph.add((MICROSOFT, RDF.type, COMITY.Company))
    graph.add((CYBERCRIME, RDF.type, COMITY.Convention))
    graph.add((XENOPHOBIA, RDF.type, COMITY.Protocol))
    graph.add((CYBERCRIME, RDFS.label, Literal("Convention on Cybercrime", lang="en")))
    graph.add((XENOPHOBIA, RDFS.label, Literal("Additional Protocol on xenophobia", lang="en")))

    for kind in ("Signature", "Ratification", "Accession", "Acceptance", "Approval"):
        iri = RATIFICATION if kind == "Ratification" else URIRef(fact_iri(kind, DOCUMENT, kind))
        add_fact(graph, iri, COMITY[kind])
        graph.add((iri, COMITY.actor, FRANCE))
        graph.add((iri, COMITY.treaty, CYBERCRIME))
        graph.add((iri, COMITY.date, Literal("2006-01-10", datatype=XSD.date)))

    in_force = URIRef(fact_iri("entry-into-force", DOCUMENT, CYBERCRIME))
    add_fact(graph, in_force, COMITY.EntryIntoForce)
    graph.add((in_force, COMITY.treaty, CYBERCRIME))
    graph.add((in_force, COMITY.date, Literal("2004-07", datatype=XSD.gYearMonth)))

    opening = URIRef(fact_iri("opening-for-signature", DOCUMENT, XENOPHOBIA))
    add_fact(graph, opening, COMITY.OpeningForSignature)
    graph.add((opening, COMITY.treaty, XENOPHOBIA))
    graph.add((opening, COMITY.date, Literal("2003", datatype=XSD.gYear)))

    add_fact(graph, STATUS, COMITY.TreatyStatus)
    graph.add((STATUS, COMITY.treaty, CYBERCRIME))
    graph.add((STATUS, COMITY.asOf, Literal("2007-06-13", datatype=XSD.date)))
    graph.add((STATUS, COMITY.ratifiedCount, Literal(21, datatype=XSD.nonNegativeInteger)))
    graph.add((STATUS, COMITY.signedOnlyCount, Literal(22)))
    graph.add((STATUS, COMITY.signedOnlyCountQualifier, Literal("another")))

    membership = URIRef(fact_iri("membership", DOCUMENT, FRANCE, COE))
    add_fact(graph, membership, COMITY.Membership)
    graph.add((membership, ORG.member, FRANCE))
    graph.add((membership, ORG.organization, COE))
    graph.add((membership, COMITY.asOf, Literal("2007-06-13", datatype=XSD.date)))

    partnership = URIRef(fact_iri("partnership", DOCUMENT, COE, MICROSOFT))
    add_fact(graph, partnership, COMITY.Partnership)
    graph.add((partnership, COMITY.partner, COE))
    graph.add((partnership, COMITY.partner, MICROSOFT))
    graph.add((partnership, COMITY.kind, Literal("public-private")))
    graph.add((partnership, COMITY.principle, Literal("open communication")))

    conference = URIRef(fact_iri("conference", DOCUMENT, "Octopus"))
    add_fact(graph, conference, COMITY.Conference)
    graph.add((conference, SCHEMA.startDate, Literal("2007-06-11", datatype=XSD.date)))
    graph.add((conference, SCHEMA.endDate, Literal("2007-06-12", datatype=XSD.date)))
    graph.add((conference, SCHEMA.location, STRASBOURG))
    graph.add((STRASBOURG, RDF.type, COMITY.City))
    graph.add((conference, COMITY.participantCount, Literal(140)))
    graph.add((conference, COMITY.participantCountQualifier, Literal("over")))
    graph.add((conference, COMITY.countryCount, Literal(55)))

    reform = URIRef(fact_iri("legal-reform", DOCUMENT, "ARG", CYBERCRIME))
    add_fact(graph, reform, COMITY.LegalReform)
    graph.add((reform, COMITY.actor, URIRef(state_iri("ARG"))))
    graph.add((URIRef(state_iri("ARG")), RDF.type, COMITY.State))
    graph.add((URIRef(state_iri("ARG")), COMITY.iso3166Alpha3, Literal("ARG")))
    graph.add((reform, COMITY.basedOn, CYBERCRIME))
    graph.add((reform, COMITY.status, Literal("underway")))

    person = URIRef(person_iri("Tim Cranton"))
    graph.add((person, RDF.type, COMITY.Person))
    graph.add((person, SCHEMA.name, Literal("Tim Cranton")))
    graph.add((person, COMITY.affiliation, MICROSOFT))
    graph.add((person, COMITY.role, Literal("attorney")))
    return graph


def messages(data: Graph, shapes: Graph, ontology: Graph | None = None) -> set[str]:
    """The distinct messages of every violation found in the data."""
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none"
    )
    results = report.objects(None, SH.result)  # top-level results, not their sh:detail
    found = {
        str(message) for result in results for message in report.objects(result, SH.resultMessage)
    }
    assert conforms == (not found)
    return found


def test_valid_sample_conforms(shapes: Graph) -> None:
    assert messages(valid_sample(), shapes) == set()


def test_valid_sample_conforms_with_the_ontology_mixed_in(shapes: Graph, ontology: Graph) -> None:
    assert messages(valid_sample(), shapes, ontology) == set()


def replace(subject: URIRef, predicate: URIRef, value: object) -> Callable[[Graph], None]:
    def edit(graph: Graph) -> None:
        graph.remove((subject, predicate, None))
        if value is not None:
            graph.add((subject, predicate, value))

    return edit


def add(subject: URIRef, predicate: URIRef, value: object) -> Callable[[Graph], None]:
    return lambda graph: graph.add((subject, predicate, value))


DEFECTS = {
    "missing actor": (
        replace(RATIFICATION, COMITY.actor, None),
        "A ratification must name exactly one state or organisation as its actor.",
    ),
    "actor is a treaty": (
        replace(RATIFICATION, COMITY.actor, XENOPHOBIA),
        "A ratification must name exactly one state or organisation as its actor.",
    ),
    "two treaties": (
        add(RATIFICATION, COMITY.treaty, XENOPHOBIA),
        "A ratification must name exactly one treaty that was ratified.",
    ),
    "date in the wrong type": (
        replace(RATIFICATION, COMITY.date, Literal("13.06.2007")),
        "Each date of a ratification must be a day (xsd:date), a month (xsd:gYearMonth) or a "
        "year (xsd:gYear); an act reported by several texts keeps each text's date.",
    ),
    "negative count": (
        replace(STATUS, COMITY.ratifiedCount, Literal(-21)),
        "The number of ratifications in a treaty status must be a single whole number "
        "of zero or more.",
    ),
    "count as text": (
        replace(STATUS, COMITY.signedOnlyCount, Literal("22")),
        "The number of signatures not followed by ratification in a treaty status must be "
        "a single whole number of zero or more.",
    ),
    "status without counts": (
        lambda graph: [
            graph.remove((STATUS, predicate, None))
            for predicate in (COMITY.ratifiedCount, COMITY.signedOnlyCount)
        ],
        "A treaty status must report at least one count: parties, ratifications, "
        "signatures not followed by ratification, or states invited.",
    ),
    "span ends before it starts": (
        replace(SPAN, COMITY.end, Literal(90)),
        "A text span must end after it starts: its start offset must be less than its end offset.",
    ),
    "malformed ISO code": (
        replace(FRANCE, COMITY.iso3166Alpha3, Literal("Fra")),
        'A state\'s ISO 3166-1 alpha-3 code must be three capital letters, such as "FRA".',
    ),
    "state without code or exemption": (
        replace(KOSOVO, COMITY.iso3166Exemption, None),
        "A state must have an ISO 3166-1 alpha-3 code (comity:iso3166Alpha3); a state that has "
        "none, such as Kosovo, must instead say why in comity:iso3166Exemption, and it cannot "
        "have both.",
    ),
    "fact without evidence": (
        replace(RATIFICATION, COMITY.evidence, None),
        "Every fact read from a document must point to at least one text span that states it "
        "(comity:evidence).",
    ),
    "fact without source": (
        replace(STATUS, COMITY.reportedIn, None),
        "Every fact must name its source (comity:reportedIn): the document it was read from, "
        "or the reference data it was curated from.",
    ),
    "span that misquotes its document": (
        replace(URIRef(DOCUMENT), COMITY.fullText, Literal("y" * 100 + QUOTED.upper())),
        "A text span's text must be the document's text between its start and end offsets.",
    ),
    "topic as a partner": (
        lambda graph: (
            graph.add((TOPIC, RDF.type, COMITY.Topic)),
            graph.add((next(graph.subjects(RDF.type, COMITY.Partnership)), COMITY.partner, TOPIC)),
        ),
        "A partner must be a state, an organisation, a unit of one, or a person; not a topic, "
        "treaty or place.",
    ),
    "statement without evidence": (
        lambda graph: (
            graph.add((STATEMENT, RDF.type, RDF.Statement)),
            graph.add((STATEMENT, RDF.subject, COE)),
        ),
        "A statement must point to at least one text span that states it (comity:evidence).",
    ),
    "event located at a person": (
        lambda graph: graph.set(
            (
                next(graph.subjects(RDF.type, COMITY.Conference)),
                SCHEMA.location,
                URIRef(person_iri("Tim Cranton")),
            )
        ),
        "An event's location must be a place, a city or a country, not a person or an "
        "organisation.",
    ),
    "treaty without a label": (
        replace(CYBERCRIME, RDFS.label, None),
        "A treaty must have a label (rdfs:label) a reader can see.",
    ),
    "memberOf with no membership behind it": (
        add(FRANCE, COMITY.memberOf, MICROSOFT),
        "A comity:memberOf shortcut must have a comity:Membership behind it, with the same "
        "member and organisation.",
    ),
    "act dated after its document": (
        replace(RATIFICATION, COMITY.date, Literal("2099-01-01", datatype=XSD.date)),
        "An act is dated after every document that reports it was issued; the date is misread "
        "or the act is only planned.",
    ),
    "other name without a language": (
        add(FRANCE, SKOS.altLabel, Literal("French Republic")),
        'Every other name (skos:altLabel) must carry its language, such as "ONU"@fr.',
    ),
    "former name without a language": (
        add(ESWATINI, COMITY.formerName, Literal("Swaziland")),
        'Every former name (comity:formerName) must carry its language, such as "Swaziland"@en.',
    ),
    "acronym without a language": (
        replace(COE, COMITY.shortName, Literal("CoE")),
        'Every short name or acronym (comity:shortName) must carry its language, such as "CoE"@en.',
    ),
    "acronym typed as a string": (
        replace(COE, COMITY.shortName, Literal("CoE", datatype=XSD.string)),
        'Every short name or acronym (comity:shortName) must carry its language, such as "CoE"@en.',
    ),
    "person without name": (
        replace(URIRef(person_iri("Tim Cranton")), SCHEMA.name, None),
        "A person must have a name (schema:name, foaf:name or rdfs:label).",
    ),
}


@pytest.mark.parametrize("defect", DEFECTS, ids=list(DEFECTS))
def test_each_defect_fails_with_its_own_message(shapes: Graph, defect: str) -> None:
    edit, expected = DEFECTS[defect]
    data = valid_sample()
    edit(data)
    assert messages(data, shapes) == {expected}


def test_partnership_needs_two_partners(shapes: Graph) -> None:
    data = valid_sample()
    data.remove((None, COMITY.partner, MICROSOFT))
    assert messages(data, shapes) == {
        "A partnership must name at least two partners (comity:partner)."
    }


def test_kosovo_without_a_code_conforms_under_the_exemption(shapes: Graph) -> None:
    data = Graph()
    data.add((KOSOVO, RDF.type, COMITY.State))
    data.add((KOSOVO, RDFS.label, Literal("Kosovo", lang="en")))
    data.add((KOSOVO, COMITY.iso3166Exemption, Literal("No ISO 3166-1 code is assigned.")))
    assert messages(data, shapes) == set()


def test_a_state_cannot_have_both_a_code_and_an_exemption(shapes: Graph) -> None:
    data = valid_sample()
    data.add((FRANCE, COMITY.iso3166Exemption, Literal("not needed")))
    assert len(messages(data, shapes)) == 1
    assert "cannot have both" in messages(data, shapes).pop()


def test_every_message_is_english_prose(shapes: Graph) -> None:
    found = list(shapes.objects(None, SH.message))
    assert len(found) > 40
    for message in found:
        assert message.language == "en"
        assert message[0].isupper() and message.endswith("."), message


def test_every_fact_class_is_a_target(shapes: Graph) -> None:
    targets = set(shapes.objects(None, SH.targetClass))
    facts = {
        "Signature", "Ratification", "Accession", "Acceptance", "Approval", "EntryIntoForce",
        "OpeningForSignature", "TreatyStatus", "Membership", "Partnership", "Conference",
        "Meeting", "Event", "LegalReform", "Person", "State", "TextSpan",
    }  # fmt: skip
    assert {COMITY[name] for name in facts} <= targets


def test_shapes_use_only_terms_the_ontology_declares(shapes: Graph, ontology: Graph) -> None:
    declared = set(ontology.subjects())
    used = {
        term
        for term in shapes.objects()
        if isinstance(term, URIRef) and term.startswith(str(COMITY))
    }
    assert used and used <= declared, used - declared
    assert not any(isinstance(node, BNode) and node in declared for node in used)


def test_a_curated_fact_needs_a_source_but_no_evidence_span(shapes: Graph) -> None:
    """Reference data (not a document) is a source of its own: no text span to point to."""
    data = valid_sample()
    opening = next(data.subjects(RDF.type, COMITY.OpeningForSignature))
    data.remove((opening, COMITY.evidence, None))
    data.set((opening, COMITY.reportedIn, URIRef(GRAPH_REFERENCE)))
    assert messages(data, shapes) == set()
    data.remove((opening, COMITY.reportedIn, None))
    assert messages(data, shapes) == {DEFECTS["fact without source"][1]}


def test_evidence_must_be_a_text_span(shapes: Graph) -> None:
    data = valid_sample()
    data.set((RATIFICATION, COMITY.evidence, URIRef(DOCUMENT)))
    assert messages(data, shapes) == {"A fact's evidence must be a text span (comity:TextSpan)."}


def test_a_fact_outside_the_base_needs_its_evidence_too(shapes: Graph) -> None:
    data = valid_sample()
    outsider = URIRef("https://example.org/acts/1")
    data.add((outsider, RDF.type, COMITY.Ratification))
    data.add((outsider, COMITY.actor, FRANCE))
    data.add((outsider, COMITY.treaty, CYBERCRIME))
    data.add((outsider, COMITY.reportedIn, URIRef(DOCUMENT)))
    assert messages(data, shapes) == {DEFECTS["fact without evidence"][1]}
