"""The ontology is complete, documented, aligned, and stays inside OWL 2 RL."""

import re
from pathlib import Path

import owlrl
import pytest
import reasonable
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ontology import (
    COMITY,
    DCTERMS,
    FOAF,
    ONTOLOGY_FILE,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    WD,
    XSD,
    document_iri,
    fact_iri,
    organisation_iri,
    person_iri,
    span_iri,
    state_iri,
    treaty_iri,
)
from ontology.errors import ComityError
from ontology.vocabulary import read_ontology

ONTOLOGY_IRI = URIRef("https://w3id.org/comity/ontology")
DESIGN = Path(__file__).resolve().parents[3] / "shared" / "DESIGN.md"
ERROR_MESSAGE = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

# The vocabulary core of the design, plus the terms the loaders and graph layer write.
EXPECTED_TERMS = """
Organisation IntergovernmentalOrganisation Company OrganisationalUnit State Person Place City
Treaty Convention Protocol Topic TreatyAction Signature Ratification Accession Acceptance
Approval EntryIntoForce OpeningForSignature TreatyStatus Membership Partnership Event
Conference Meeting LegalReform Document PressRelease RdfFile TextSpan
actor treaty basedOn partner representative affiliation participant addresses headquarters
evidence inDocument supplements concludedWithin signatory party memberOf hasMember
date asOf since partiesCount ratifiedCount signedOnlyCount invitedCount participantCount
countryCount qualifier partiesCountQualifier ratifiedCountQualifier signedOnlyCountQualifier
invitedCountQualifier participantCountQualifier countryCountQualifier kind principle role
status start end text treatyNumber iso3166Alpha2 iso3166Alpha3 shortName formerName
contentHash loadedAt tripleCount
""".split()

# OWL 2 RL datatypes (OWL 2 Profiles, section 4.3) that a range may name.
RL_DATATYPES = {
    RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational, XSD.decimal,
    XSD.integer, XSD.nonNegativeInteger, XSD.nonPositiveInteger, XSD.positiveInteger,
    XSD.negativeInteger, XSD.long, XSD.int, XSD.short, XSD.byte, XSD.unsignedLong,
    XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte, XSD.double, XSD.float, XSD.string,
    XSD.normalizedString, XSD.token, XSD.language, XSD.Name, XSD.NCName, XSD.NMTOKEN,
    XSD.boolean, XSD.hexBinary, XSD.base64Binary, XSD.anyURI, XSD.dateTime, XSD.dateTimeStamp,
}  # fmt: skip

# Constructs outside OWL 2 RL when used as a super-class, or not used by Comity at all.
CLASS_EXPRESSIONS = {
    OWL.unionOf, OWL.intersectionOf, OWL.complementOf, OWL.oneOf, OWL.someValuesFrom,
    OWL.allValuesFrom, OWL.hasValue, OWL.onProperty, OWL.minCardinality, OWL.maxCardinality,
    OWL.cardinality, OWL.qualifiedCardinality, OWL.hasSelf, OWL.Restriction,
}  # fmt: skip


def comity_terms(graph: Graph) -> set[URIRef]:
    return {
        subject
        for kind in TERM_KINDS
        for subject in graph.subjects(RDF.type, kind)
        if isinstance(subject, URIRef) and subject.startswith(str(COMITY))
    }


def design_terms() -> set[str]:
    """Every comity: term named in the vocabulary-core table of the shared design."""
    section = DESIGN.read_text(encoding="utf-8").split("## Vocabulary core", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`comity:(\w+)`", row)}


def test_ontology_parses_with_rdflib_and_oxigraph(ontology: Graph) -> None:
    direct = Graph().parse(ONTOLOGY_FILE, format="turtle")
    assert len(direct) == len(ontology) > 400


def test_a_broken_ontology_file_is_reported_with_its_location(tmp_path: Path) -> None:
    broken = tmp_path / "comity.ttl"
    broken.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8") + "\ncomity:oops a .\n")
    with pytest.raises(ComityError, match="comity.ttl"):
        read_ontology(broken)


def test_every_expected_term_is_declared(ontology: Graph) -> None:
    missing = {name for name in EXPECTED_TERMS if COMITY[name] not in comity_terms(ontology)}
    assert not missing


@pytest.mark.skipif(not DESIGN.exists(), reason="the shared design is not checked out here")
def test_every_term_of_the_design_vocabulary_core_is_declared(ontology: Graph) -> None:
    named = design_terms()
    assert len(named) > 40  # the table was found and read
    declared = {term[len(str(COMITY)) :] for term in comity_terms(ontology)}
    assert named - declared == set()


def test_every_term_has_an_english_label_and_comment(ontology: Graph) -> None:
    terms = comity_terms(ontology)
    assert len(terms) >= len(EXPECTED_TERMS)
    for term in terms:
        for annotation in (RDFS.label, RDFS.comment):
            values = [v for v in ontology.objects(term, annotation) if isinstance(v, Literal)]
            assert any(value.language == "en" for value in values), f"{term} lacks {annotation}"


def test_ontology_metadata(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.created) == Literal("2026-11-29", datatype=XSD.date)


def test_design_alignments_are_declared(ontology: Graph) -> None:
    expected = [
        (COMITY.Organisation, RDFS.subClassOf, ORG.Organization),
        (COMITY.Organisation, RDFS.subClassOf, SCHEMA.Organization),
        (COMITY.Organisation, RDFS.subClassOf, FOAF.Organization),
        (COMITY.Organisation, RDFS.subClassOf, PROV.Agent),
        (COMITY.IntergovernmentalOrganisation, RDFS.subClassOf, ORG.FormalOrganization),
        (COMITY.Company, RDFS.subClassOf, SCHEMA.Corporation),
        (COMITY.State, RDFS.subClassOf, SCHEMA.Country),
        (COMITY.Person, RDFS.subClassOf, FOAF.Person),
        (COMITY.City, RDFS.subClassOf, SCHEMA.City),
        (COMITY.Treaty, RDFS.subClassOf, SCHEMA.Legislation),
        (COMITY.Ratification, RDFS.subClassOf, COMITY.TreatyAction),
        (COMITY.TreatyAction, RDFS.subClassOf, PROV.Activity),
        (COMITY.TreatyStatus, RDFS.subClassOf, PROV.Entity),
        (COMITY.Membership, RDFS.subClassOf, ORG.Membership),
        (COMITY.Partnership, RDFS.subClassOf, ORG.OrganizationalCollaboration),
        (COMITY.Conference, RDFS.subClassOf, COMITY.Event),
        (COMITY.Event, RDFS.subClassOf, SCHEMA.Event),
        (COMITY.Document, RDFS.subClassOf, FOAF.Document),
        (COMITY.Topic, RDFS.subClassOf, URIRef("http://www.w3.org/2004/02/skos/core#Concept")),
        (COMITY.memberOf, RDFS.subPropertyOf, ORG.memberOf),
        (COMITY.memberOf, RDFS.subPropertyOf, SCHEMA.memberOf),
        (COMITY.memberOf, OWL.inverseOf, COMITY.hasMember),
        (COMITY.hasMember, RDFS.subPropertyOf, ORG.hasMember),
        (COMITY.treatyNumber, RDFS.subPropertyOf, DCTERMS.identifier),
        (COMITY.affiliation, RDFS.subPropertyOf, SCHEMA.worksFor),
        (COMITY.role, RDFS.subPropertyOf, SCHEMA.jobTitle),
    ]
    assert [triple for triple in expected if triple not in ontology] == []


def test_wikidata_is_linked_by_annotation_only(ontology: Graph) -> None:
    annotated = {s for s, o in ontology.subject_objects() if str(o).startswith(str(WD))}
    assert annotated == {COMITY.signatory, COMITY.party}
    links = {p for _, p, o in ontology if str(o).startswith(str(WD))}
    assert not links & {OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf}
    assert all((link, RDF.type, OWL.AnnotationProperty) in ontology for link in links)


def profile_problems(graph: Graph) -> list[str]:
    """A practical OWL 2 RL check: no class expressions at all, named terms everywhere."""
    problems = [f"blank node in {t}" for t in graph if any(isinstance(n, BNode) for n in t)]
    problems += [f"class expression {p}" for p in graph.predicates() if p in CLASS_EXPRESSIONS]
    problems += [
        f"class expression {o}" for o in graph.objects(None, RDF.type) if o in CLASS_EXPRESSIONS
    ]

    classes = set(graph.subjects(RDF.type, OWL.Class))
    kinds = {kind: set(graph.subjects(RDF.type, kind)) for kind in TERM_KINDS[1:]}
    for term in set().union(*kinds.values()):
        if sum(term in members for members in kinds.values()) != 1:
            problems.append(f"{term} is declared as more than one kind of property")
    for subject, superclass in graph.subject_objects(RDFS.subClassOf):
        if subject not in classes or superclass not in classes:
            problems.append(f"{subject} sub-class of {superclass}: both must be named classes")
    for prop, superprop in graph.subject_objects(RDFS.subPropertyOf):
        if not any(prop in members and superprop in members for members in kinds.values()):
            problems.append(f"{prop} sub-property of {superprop}: not the same kind")
    for prop, domain in graph.subject_objects(RDFS.domain):
        if domain not in classes:
            problems.append(f"{prop} has domain {domain}, not a named class")
    for prop, range_ in graph.subject_objects(RDFS.range):
        allowed = RL_DATATYPES if prop in kinds[OWL.DatatypeProperty] else classes
        if range_ not in allowed:
            problems.append(f"{prop} has range {range_}, outside OWL 2 RL")
    for prop, inverse in graph.subject_objects(OWL.inverseOf):
        if not {prop, inverse} <= kinds[OWL.ObjectProperty]:
            problems.append(f"{prop} inverse of {inverse}: both must be object properties")
    return problems


def test_ontology_stays_in_owl2_rl(ontology: Graph) -> None:
    assert profile_problems(ontology) == []


def test_profile_check_catches_what_owl2_rl_forbids(ontology: Graph) -> None:
    """The check above would notice a union super-class or a range RL has no datatype for."""
    union, members = BNode(), BNode()
    broken = ontology + Graph()
    for triple in [
        (COMITY.Actor, RDF.type, OWL.Class),
        (COMITY.Actor, RDFS.subClassOf, union),
        (union, OWL.unionOf, members),
        (members, RDF.first, COMITY.State),
        (members, RDF.rest, RDF.nil),
        (COMITY.date, RDFS.range, XSD.date),
    ]:
        broken.add(triple)
    problems = profile_problems(broken)
    assert any("unionOf" in problem for problem in problems)
    assert any("sub-class of" in problem and "Actor" in problem for problem in problems)
    assert any("range http://www.w3.org/2001/XMLSchema#date" in problem for problem in problems)


def sample_facts() -> Graph:
    """A small, valid graph of the kind the loaders write."""
    graph = Graph()
    document = URIRef(document_iri("coe-press-2007-06-13-cybercrime"))
    france, coe = URIRef(state_iri("FRA")), URIRef(organisation_iri("Council of Europe"))
    convention = URIRef(treaty_iri("ETS 185"))
    ratification = URIRef(fact_iri("ratification", document, france, convention))
    span = URIRef(span_iri(document, 10, 60))
    person = URIRef(person_iri("Tim Cranton"))
    graph.add((france, RDF.type, COMITY.State))
    graph.add((france, COMITY.iso3166Alpha3, Literal("FRA")))
    graph.add((france, COMITY.memberOf, coe))
    graph.add((coe, RDF.type, COMITY.IntergovernmentalOrganisation))
    graph.add((convention, RDF.type, COMITY.Convention))
    graph.add((convention, COMITY.treatyNumber, Literal("ETS 185")))
    graph.add((ratification, RDF.type, COMITY.Ratification))
    graph.add((ratification, COMITY.actor, france))
    graph.add((ratification, COMITY.treaty, convention))
    graph.add((ratification, COMITY.date, Literal("2006-01-10", datatype=XSD.date)))
    graph.add((ratification, COMITY.evidence, span))
    graph.add((ratification, COMITY.reportedIn, document))
    graph.add((span, COMITY.inDocument, document))
    graph.add((span, COMITY.start, Literal(10, datatype=XSD.nonNegativeInteger)))
    graph.add((span, COMITY.end, Literal(60, datatype=XSD.nonNegativeInteger)))
    graph.add((person, COMITY.affiliation, URIRef(organisation_iri("Microsoft"))))
    graph.add((person, COMITY.role, Literal("attorney")))
    return graph


def closure(graph: Graph) -> Graph:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def inconsistencies(graph: Graph) -> list[Node]:
    return [*graph.subjects(RDF.type, OWL.Nothing), *graph.objects(None, ERROR_MESSAGE)]


@pytest.fixture(scope="module")
def entailed(ontology: Graph) -> Graph:
    return closure(ontology + sample_facts())


def test_owl_rl_closure_of_ontology_and_sample_is_consistent(entailed: Graph) -> None:
    assert inconsistencies(entailed) == []


def test_owl_rl_consistency_check_does_find_a_contradiction(ontology: Graph) -> None:
    graph = ontology + sample_facts()
    france, coe = URIRef(state_iri("FRA")), URIRef(organisation_iri("Council of Europe"))
    graph.add((france, OWL.sameAs, coe))
    graph.add((france, OWL.differentFrom, coe))
    assert inconsistencies(closure(graph)) != []


def test_owl_rl_closure_entails_the_alignments(entailed: Graph) -> None:
    france, coe = URIRef(state_iri("FRA")), URIRef(organisation_iri("Council of Europe"))
    convention = URIRef(treaty_iri("ETS 185"))
    person = URIRef(person_iri("Tim Cranton"))
    expected = [
        (convention, RDF.type, SCHEMA.Legislation),
        (convention, RDF.type, COMITY.Treaty),
        (convention, DCTERMS.identifier, Literal("ETS 185")),
        (france, ORG.memberOf, coe),
        (france, SCHEMA.memberOf, coe),
        (coe, COMITY.hasMember, france),
        (coe, ORG.hasMember, france),
        (coe, RDF.type, ORG.Organization),
        (coe, RDF.type, PROV.Agent),
        (france, RDF.type, PROV.Agent),
        (person, RDF.type, COMITY.Person),
        (person, SCHEMA.worksFor, URIRef(organisation_iri("Microsoft"))),
        (person, SCHEMA.jobTitle, Literal("attorney")),
    ]
    assert [triple for triple in expected if triple not in entailed] == []
    ratification = next(entailed.subjects(RDF.type, COMITY.Ratification))
    assert (ratification, RDF.type, PROV.Activity) in entailed
    assert (ratification, PROV.wasAssociatedWith, france) in entailed


def test_reasonable_entails_the_same_alignments(ontology: Graph, entailed: Graph) -> None:
    """The fast Rust reasoner reads the ontology as owlrl does, for the alignments that matter."""
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(ontology + sample_facts())
    inferred = set(reasoner.reason())
    france, coe = URIRef(state_iri("FRA")), URIRef(organisation_iri("Council of Europe"))
    expected = [
        (URIRef(treaty_iri("ETS 185")), RDF.type, SCHEMA.Legislation),
        (france, ORG.memberOf, coe),
        (coe, COMITY.hasMember, france),
        (coe, ORG.hasMember, france),
    ]
    assert [triple for triple in expected if triple not in inferred] == []
    assert all(triple in entailed for triple in expected)


def test_the_days_a_date_of_any_precision_covers():
    from datetime import date

    from ontology.days import day_range

    assert day_range("1949") == (date(1949, 1, 1), date(1949, 12, 31))
    assert day_range("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert day_range("2007-06-13") == (date(2007, 6, 13), date(2007, 6, 13))
    assert day_range("2007-02-30") is None
    assert day_range("2007-13") is None
    assert day_range("spring") is None
