"""OWL 2 RL entailments: what they add, what they leave out, and agreement between reasoners."""

import pyoxigraph
import pytest

import graph
import ontology
from graph.reasoning import entailments, entailments_owlrl, without_wikidata_identity
from ontology import (
    COMITY,
    ORG,
    OWL,
    RDF,
    RDFS,
    SCHEMA,
    WD,
    organisation_iri,
    state_iri,
    treaty_iri,
)
from ontology.errors import ComityError
from ontology.vocabulary import read_ontology

EX = "http://example.org/"

SAMPLE = """
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:Convention a owl:Class ; rdfs:subClassOf ex:Treaty .
ex:Treaty a owl:Class ; rdfs:subClassOf ex:Legislation .
ex:State owl:equivalentClass ex:Country .
ex:memberOf a owl:ObjectProperty ;
    rdfs:subPropertyOf ex:orgMemberOf ;
    owl:inverseOf ex:hasMember ;
    rdfs:domain ex:Agent ;
    rdfs:range ex:Organisation .
ex:date a owl:DatatypeProperty ; rdfs:range xsd:date .
ex:title rdfs:subPropertyOf ex:name .
ex:count rdfs:subPropertyOf ex:number .
_:restriction a owl:Restriction ;
    owl:onProperty ex:memberOf ;
    owl:someValuesFrom ex:Organisation .

ex:budapest a ex:Convention ;
    ex:date "2001-11-23"^^xsd:date ;
    ex:title "Convention on \\"Cybercrime\\"\\nBudapest, 23.XI.2001 é"@en ;
    ex:count 46 .
ex:france a ex:State ;
    ex:memberOf ex:coe ;
    owl:sameAs <http://www.wikidata.org/entity/Q142> .
<http://www.wikidata.org/entity/Q142> owl:sameAs ex:france .
ex:coe owl:sameAs ex:council-of-europe .
ex:council-of-europe ex:headquarters ex:strasbourg .
"""


def ntriples(turtle: str) -> bytes:
    triples = pyoxigraph.parse(turtle.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)


def parsed(data: bytes) -> set[tuple[str, str, str]]:
    """The N-Triples as (subject, predicate, object) in N-Triples syntax, parsed strictly."""
    return {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    }


def iri(value: str) -> str:
    return f"<{value}>"


@pytest.fixture(scope="module")
def sample_entailments() -> set[tuple[str, str, str]]:
    return parsed(entailments(ntriples(SAMPLE)))


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param((EX + "budapest", RDF.type, EX + "Treaty"), id="subclass"),
        pytest.param((EX + "budapest", RDF.type, EX + "Legislation"), id="subclass-chain"),
        pytest.param(
            (EX + "Convention", RDFS.subClassOf, EX + "Legislation"), id="subclass-closure"
        ),
        pytest.param((EX + "france", EX + "orgMemberOf", EX + "coe"), id="subproperty"),
        pytest.param((EX + "coe", EX + "hasMember", EX + "france"), id="inverse"),
        pytest.param((EX + "france", RDF.type, EX + "Agent"), id="domain"),
        pytest.param((EX + "coe", RDF.type, EX + "Organisation"), id="range"),
        pytest.param((EX + "france", RDF.type, EX + "Country"), id="equivalent-class"),
        pytest.param((EX + "council-of-europe", OWL.sameAs, EX + "coe"), id="same-as-symmetric"),
        pytest.param((EX + "coe", EX + "headquarters", EX + "strasbourg"), id="same-as-copy"),
        pytest.param(
            (EX + "france", EX + "memberOf", EX + "council-of-europe"), id="same-as-object"
        ),
    ],
)
def test_entailment_is_found(sample_entailments, expected):
    assert tuple(iri(term) for term in expected) in sample_entailments


@pytest.mark.parametrize(
    ("predicate", "value"),
    [
        pytest.param(
            "name",
            pyoxigraph.Literal('Convention on "Cybercrime"\nBudapest, 23.XI.2001 é', language="en"),
            id="escaped-language-literal",
        ),
        pytest.param(
            "number",
            pyoxigraph.Literal("46", datatype=pyoxigraph.NamedNode(ontology.XSD.integer)),
            id="typed-literal",
        ),
    ],
)
def test_literal_values_survive_reasoning(sample_entailments, predicate, value):
    assert (iri(EX + "budapest"), iri(EX + predicate), str(value)) in sample_entailments


def test_asserted_triples_are_not_repeated(sample_entailments):
    assert not sample_entailments & parsed(ntriples(SAMPLE))


def test_axiomatic_datatype_and_meta_triples_are_left_out(sample_entailments):
    builtin = tuple(f"<{namespace}" for namespace in (RDF, RDFS, OWL, ontology.XSD))
    assert sample_entailments, "the sample must entail something for this check to mean anything"
    for subject, predicate, obj in sample_entailments:
        assert subject.startswith("<"), f"blank or literal subject: {subject} {predicate} {obj}"
        assert not subject.startswith(builtin), f"axiomatic: {subject} {predicate} {obj}"
        assert not obj.startswith(builtin), f"meta-level: {subject} {predicate} {obj}"
        assert not obj.startswith("_:"), f"blank object: {subject} {predicate} {obj}"
        assert subject != obj, f"reflexive: {subject} {predicate} {obj}"
        restatements = (OWL.equivalentClass, OWL.equivalentProperty, RDFS.domain, RDFS.range)
        assert predicate not in [iri(term) for term in restatements]


def test_wikidata_links_are_not_used_as_identity(sample_entailments):
    wikidata = iri(WD.Q142)
    assert not [t for t in sample_entailments if wikidata in t]
    # france's own statements are still reasoned over
    assert (iri(EX + "france"), iri(RDF.type), iri(EX + "Agent")) in sample_entailments


def test_withholding_wikidata_identity_keeps_every_other_line():
    data = ntriples(SAMPLE)
    kept = parsed(without_wikidata_identity(data))
    removed = parsed(data) - kept
    assert removed == {
        (iri(EX + "france"), iri(OWL.sameAs), iri(WD.Q142)),
        (iri(WD.Q142), iri(OWL.sameAs), iri(EX + "france")),
    }


def test_asserted_triples_spelt_differently_are_not_repeated():
    """A stated value is recognised in the closure even when written in another lexical form
    or with a language tag in other case, so it is not stated a second time as inferred."""
    integer = f"<{ontology.XSD.integer}>"
    data = f"""<{EX}part> <{RDFS.subPropertyOf}> <{EX}whole> .
<{EX}a> <{EX}part> "1"^^{integer} .
<{EX}a> <{EX}whole> "01"^^{integer} .
<{EX}a> <{EX}part> "Vienna"@en-GB .
<{EX}a> <{EX}whole> "Vienna"@EN-gb .
<{EX}a> <{EX}part> "Wien"@de-AT .
<{EX}a> <{EX}part> "007"^^{integer} .
""".encode()
    lines = entailments(data).splitlines()
    assert len(lines) == len(set(lines))
    whole = iri(EX + "whole")
    assert {t[2] for t in parsed(b"\n".join(lines) + b"\n") if t[1] == whole} == {
        '"Wien"@de-at',
        f'"7"^^{integer}',
    }


def test_output_is_sorted_and_repeatable():
    data = ntriples(SAMPLE)
    first = entailments(data)
    assert first == entailments(data)
    lines = first.splitlines()
    assert lines == sorted(lines)


def test_nothing_in_nothing_out():
    assert entailments(b"") == b""


@pytest.mark.parametrize("reason", [entailments, entailments_owlrl], ids=["reasonable", "owlrl"])
def test_invalid_ntriples_is_a_clear_error(reason):
    with pytest.raises(ComityError, match="not valid N-Triples"):
        reason(b"<http://example.org/a> <http://example.org/b> oops .\n")


def test_reasonable_and_owlrl_agree_on_the_sample():
    data = ntriples(SAMPLE)
    assert parsed(entailments(data)) == parsed(entailments_owlrl(data))


# With the real ontology ------------------------------------------------------------------


def comity_sample() -> bytes:
    budapest = treaty_iri("ETS 185")
    protocol = treaty_iri("ETS 189")
    france = state_iri("FRA")
    coe = organisation_iri("Council of Europe")
    data = f"""
    <{budapest}> a <{COMITY.Convention}> ; <{COMITY.signatory}> <{france}> .
    <{protocol}> a <{COMITY.Protocol}> ; <{COMITY.supplements}> <{budapest}> .
    <{france}> a <{COMITY.State}> ; <{COMITY.memberOf}> <{coe}> ;
        <{OWL.sameAs}> <{WD.Q142}> .
    <{coe}> a <{COMITY.IntergovernmentalOrganisation}> .
    """
    return read_ontology() + ntriples(data)


@pytest.fixture(scope="module")
def comity_entailments() -> set[tuple[str, str, str]]:
    return parsed(entailments(comity_sample()))


def test_real_ontology_types_conventions_as_legislation(comity_entailments):
    for treaty in (treaty_iri("ETS 185"), treaty_iri("ETS 189")):
        assert (iri(treaty), iri(RDF.type), iri(SCHEMA.Legislation)) in comity_entailments


def test_real_ontology_membership_aligns_and_inverts(comity_entailments):
    france, coe = iri(state_iri("FRA")), iri(organisation_iri("Council of Europe"))
    assert (france, iri(ORG.memberOf), coe) in comity_entailments
    assert (coe, iri(COMITY.hasMember), france) in comity_entailments
    assert (coe, iri(ORG.hasMember), france) in comity_entailments


def test_real_ontology_reasoners_agree():
    data = comity_sample()
    assert parsed(entailments(data)) == parsed(entailments_owlrl(data))


def generated_world_triples(triples: int, seed: int) -> bytes:
    """Ontology, reference data and a small generated world, merged into one N-Triples."""
    from bench.generate import generate
    from ontology.reference import reference_ntriples

    store = pyoxigraph.Store()
    store.bulk_load(generate(triples, seed), pyoxigraph.RdfFormat.N_QUADS)
    world = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    world_ntriples = world.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
    return read_ontology() + reference_ntriples() + world_ntriples


def test_reasoners_agree_on_a_generated_world_with_reference_data():
    data = generated_world_triples(1500, seed=3)
    assert b"<http://www.wikidata.org/entity/" in data, "the reference data should link out"
    ours = parsed(entailments(data))
    assert ours == parsed(entailments_owlrl(data))
    assert not [t for t in ours if "wikidata.org" in t[0] + t[2]]
    memberships = [t for t in parsed(data) if t[1] == iri(COMITY.memberOf)]
    assert memberships
    for member, _, organisation in memberships:
        assert (member, iri(ORG.memberOf), organisation) in ours
        assert (organisation, iri(COMITY.hasMember), member) in ours


def test_reasoning_again_over_unchanged_assertions_keeps_the_inferred_graph_right():
    """Reasoning skips the reasoner when nothing asserted changed; any change is still seen,
    and so is an update that drops the graphs every entailment comes from."""
    import graph
    from ontology import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE

    action = "https://w3id.org/comity/ontology#TreatyAction"
    ask = f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ <urn:act> a <{action}> }} }}"
    with graph.open("memory:") as knowledge_graph:
        first = knowledge_graph.reason()
        assert knowledge_graph.reason().inferred_triples == first.inferred_triples
        knowledge_graph.update(
            "INSERT DATA { <urn:act> a <https://w3id.org/comity/ontology#Ratification> }"
        )
        knowledge_graph.reason()
        assert knowledge_graph.query(ask)
        # CLEAR ALL keeps Comity's own graphs; naming them drops them
        knowledge_graph.update(f"DROP GRAPH <{GRAPH_ONTOLOGY}> ; DROP GRAPH <{GRAPH_REFERENCE}>")
        knowledge_graph.update(
            "INSERT DATA { <urn:act> a <https://w3id.org/comity/ontology#Ratification> }"
        )
        knowledge_graph.reason()
        assert not knowledge_graph.query(ask), "no ontology any more: nothing to infer from"
        knowledge_graph.update(
            "DELETE DATA { <urn:act> a <https://w3id.org/comity/ontology#Ratification> }"
        )
        # Nothing is inferred from nothing: the inferred graph holds only the mark that says
        # it is current.
        assert knowledge_graph.reason().inferred_triples == 1
        assert knowledge_graph.inferred_current()


def test_a_body_with_a_seat_is_not_made_an_organisation_of_its_own():
    kg = graph.open("memory:")
    try:
        kg.reason()
        court = "https://w3id.org/comity/id/org/council-of-europe/european-court-of-human-rights"
        types = {row["t"].value for row in kg.query(f"SELECT ?t WHERE {{ <{court}> a ?t }}")}
        assert "http://www.w3.org/ns/org#Organization" in types
        assert "https://w3id.org/comity/ontology#OrganisationalUnit" in types
        assert "https://w3id.org/comity/ontology#Organisation" not in types
    finally:
        kg.close()


def test_rdf_1_2_terms_are_left_out_of_reasoning_and_reported():
    kg = graph.open("memory:")
    try:
        kg.update(
            'INSERT DATA { GRAPH <urn:g> { <urn:t> <urn:says> "x"@ar--rtl . '
            "<urn:t> <urn:cites> <<( <urn:s> <urn:p> <urn:o> )>> . "
            "<urn:t> a <https://w3id.org/comity/ontology#Convention> } }"
        )
        summary = kg.reason()
        assert kg.query("ASK { <urn:t> a <https://w3id.org/comity/ontology#Treaty> }")
        assert len(summary.left_out) == 2
        assert any("ar--rtl" in line for line in summary.left_out)
    finally:
        kg.close()
