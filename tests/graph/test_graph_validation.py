"""SHACL validation: seeded defects are each found, with their message and source document."""

import pyoxigraph
import pytest

from graph.validation import ValidationReport, Violation, validate_dataset
from ontology import (
    COMITY,
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    document_iri,
    fact_iri,
    source_graph_iri,
    span_iri,
    state_iri,
    treaty_iri,
)
from ontology.errors import ComityError
from ontology.vocabulary import read_ontology, read_shapes

PREFIXES = """
@prefix comity: <https://w3id.org/comity/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""

# Unit level: a few shapes of our own, one per kind of defect --------------------------------

SHAPES = (
    PREFIXES
    + """
@prefix test: <http://example.org/shapes#> .

test:Ratification a sh:NodeShape ;
    sh:targetClass comity:Ratification ;
    sh:property [ sh:path comity:actor ; sh:minCount 1 ; sh:message "needs an actor" ] ;
    sh:property [ sh:path comity:date ; sh:datatype xsd:date ;
        sh:message "date must be xsd:date" ] .
test:Status a sh:NodeShape ;
    sh:targetClass comity:TreatyStatus ;
    sh:property [ sh:path comity:partiesCount ; sh:minInclusive 0 ;
        sh:message "count below zero" ] .
test:Span a sh:NodeShape ;
    sh:targetClass comity:TextSpan ;
    sh:property [ sh:path comity:start ; sh:lessThan comity:end ;
        sh:message "span ends too early" ] .
test:State a sh:NodeShape ;
    sh:targetClass comity:State ;
    sh:property [ sh:path comity:iso3166Alpha3 ; sh:pattern "^[A-Z]{3}$" ;
        sh:message "bad ISO code" ] .
"""
)

FRANCE = state_iri("FRA")
BUDAPEST = treaty_iri("ETS 185")

REFERENCE = f"""
<{FRANCE}> a comity:State ; comity:iso3166Alpha3 "FRA" .
<{BUDAPEST}> a comity:Convention ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Convention on Cybercrime"@en .
"""

GOOD_FACTS = f"""
<{fact_iri("ratification", "good", "FRA")}> a comity:Ratification ;
    comity:actor <{FRANCE}> ; comity:treaty <{BUDAPEST}> ; comity:date "2006-01-10"^^xsd:date .
<{fact_iri("status", "good")}> a comity:TreatyStatus ; comity:partiesCount 46 .
<{span_iri("good", 0, 40)}> a comity:TextSpan ; comity:start 0 ; comity:end 40 .
"""


def nquads(graphs: dict[str, str]) -> bytes:
    """N-Quads of Turtle snippets, each put in the named graph given as its key."""
    quads = []
    for graph, turtle in graphs.items():
        triples = pyoxigraph.parse((PREFIXES + turtle).encode(), format=pyoxigraph.RdfFormat.TURTLE)
        name = pyoxigraph.NamedNode(graph)
        quads += [pyoxigraph.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    return pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS)


def ntriples(turtle: str) -> bytes:
    triples = pyoxigraph.parse(turtle.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)


def world(bad_facts: str = "") -> bytes:
    graphs = {GRAPH_REFERENCE: REFERENCE, source_graph_iri("good"): GOOD_FACTS}
    if bad_facts:
        graphs[source_graph_iri("bad")] = bad_facts
    return nquads(graphs)


def test_valid_data_conforms():
    report = validate_dataset(world(), ntriples(SHAPES))
    assert report == ValidationReport(conforms=True, violations=())


BAD = fact_iri("ratification", "bad", "x")

DEFECTS = {
    "missing-actor": (
        f"""<{BAD}> a comity:Ratification ; comity:treaty <{BUDAPEST}> .""",
        BAD,
        COMITY.actor,
        "needs an actor",
    ),
    "wrong-date-type": (
        f"""<{BAD}> a comity:Ratification ; comity:actor <{FRANCE}> ;
            comity:date "10 Jan 2006" .""",
        BAD,
        COMITY.date,
        "date must be xsd:date",
    ),
    "negative-count": (
        f"""<{BAD}> a comity:TreatyStatus ; comity:partiesCount -3 .""",
        BAD,
        COMITY.partiesCount,
        "count below zero",
    ),
    "span-end-before-start": (
        f"""<{span_iri("bad", 90, 10)}> a comity:TextSpan ; comity:start 90 ; comity:end 10 .""",
        span_iri("bad", 90, 10),
        COMITY.start,
        "span ends too early",
    ),
    "malformed-iso-code": (
        f"""<{state_iri("kosovo")}> a comity:State ; comity:iso3166Alpha3 "Fr4" .""",
        state_iri("kosovo"),
        COMITY.iso3166Alpha3,
        "bad ISO code",
    ),
}


@pytest.mark.parametrize("defect", DEFECTS, ids=list(DEFECTS))
def test_each_seeded_defect_is_found_with_its_source(defect):
    bad_facts, focus, path, message = DEFECTS[defect]
    report = validate_dataset(world(bad_facts), ntriples(SHAPES))
    assert not report.conforms
    assert report.violations == (
        Violation(
            focus_node=focus,
            path=str(path),
            message=message,
            severity="Violation",
            source_document=document_iri("bad"),
        ),
    )


def test_all_defects_at_once_are_all_reported():
    bad_facts = "\n".join(
        facts.replace(BAD, fact_iri("defect", "bad", name)) for name, (facts, *_) in DEFECTS.items()
    )
    report = validate_dataset(world(bad_facts), ntriples(SHAPES))
    assert sorted(v.message for v in report.violations) == sorted(d[3] for d in DEFECTS.values())
    assert {v.source_document for v in report.violations} == {document_iri("bad")}


def test_focus_node_outside_any_source_has_no_source_document():
    graphs = {GRAPH_REFERENCE: f'<{FRANCE}> a comity:State ; comity:iso3166Alpha3 "fra" .'}
    report = validate_dataset(nquads(graphs), ntriples(SHAPES))
    assert [(v.focus_node, v.source_document) for v in report.violations] == [(FRANCE, None)]


def test_text_report_names_message_focus_and_document():
    bad_facts, focus, _, message = DEFECTS["negative-count"]
    text = validate_dataset(world(bad_facts), ntriples(SHAPES)).to_text()
    assert "does not conform: 1 result" in text
    assert message in text and focus in text and document_iri("bad") in text
    assert validate_dataset(world(), ntriples(SHAPES)).to_text() == (
        "The data conforms to the shapes.\n"
    )


def test_warnings_are_reported_without_breaking_conformance():
    shapes = SHAPES.replace(
        'sh:message "bad ISO code"', 'sh:message "bad ISO code" ; sh:severity sh:Warning'
    )
    facts = f'<{state_iri("kosovo")}> a comity:State ; comity:iso3166Alpha3 "xk" .'
    report = validate_dataset(world(facts), ntriples(shapes))
    assert report.conforms
    assert [(v.severity, v.message) for v in report.violations] == [("Warning", "bad ISO code")]


def test_invalid_dataset_is_a_clear_error():
    with pytest.raises(ComityError, match="not valid N-Quads"):
        validate_dataset(b"<http://example.org/a> <http://example.org/b> .\n", ntriples(SHAPES))


def test_invalid_shapes_are_a_clear_error():
    with pytest.raises(ComityError, match="shapes are not valid N-Triples"):
        validate_dataset(world(), b"<http://example.org/a> oops .\n")


def test_shapes_that_are_not_shacl_are_a_clear_error():
    broken = SHAPES.replace("sh:minCount 1 ;", 'sh:minCount "one" ;')
    with pytest.raises(ComityError, match="cannot validate: .*SHACL"):
        validate_dataset(world(), ntriples(broken))


# With the real shapes and ontology ----------------------------------------------------------


def real_world(key: str, facts: str) -> bytes:
    """The ontology, a reference state and treaty, and one document's facts in its graph."""
    ontology = pyoxigraph.parse(read_ontology(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    ontology_quads = pyoxigraph.serialize(
        [
            pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.NamedNode(GRAPH_ONTOLOGY))
            for t in ontology
        ],
        format=pyoxigraph.RdfFormat.N_QUADS,
    )
    return ontology_quads + nquads({GRAPH_REFERENCE: REFERENCE, source_graph_iri(key): facts})


def ratification(key: str, *, actor: bool = True, date: str = '"2006-01-10"^^xsd:date') -> str:
    fact = fact_iri("ratification", key, "FRA", "ETS 185")
    span = span_iri(key, 12, 64)
    actor_line = f"comity:actor <{FRANCE}> ;" if actor else ""
    return f"""
    <{fact}> a comity:Ratification ; {actor_line}
        comity:treaty <{BUDAPEST}> ; comity:date {date} ;
        comity:evidence <{span}> ; comity:reportedIn <{document_iri(key)}> .
    <{span}> a comity:TextSpan ; comity:inDocument <{document_iri(key)}> ;
        comity:start 12 ; comity:end 64 ; comity:text "France ratified the Convention." .
    """


def test_real_shapes_accept_a_well_formed_ratification():
    report = validate_dataset(real_world("press-1", ratification("press-1")), read_shapes())
    assert report.conforms, report.to_text()


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        pytest.param(ratification("press-1", actor=False), "actor", id="missing-actor"),
        pytest.param(ratification("press-1", date='"January 2006"'), "xsd:date", id="date-type"),
        pytest.param(
            f"""<{fact_iri("status", "press-1")}> a comity:TreatyStatus ;
                comity:treaty <{BUDAPEST}> ; comity:asOf "2020"^^xsd:gYear ;
                comity:partiesCount -1 .""",
            "whole number of zero or more",
            id="negative-count",
        ),
        pytest.param(
            ratification("press-1").replace("comity:end 64", "comity:end 5"),
            "end after it starts",
            id="span-end-before-start",
        ),
        pytest.param(
            f"""<{state_iri("testland")}> a comity:State ; comity:iso3166Alpha3 "tst" .""",
            "three capital letters",
            id="malformed-iso-code",
        ),
        pytest.param(
            ratification("press-1")
            + f"""<{document_iri("press-1")}> comity:fullText "{"x" * 80}" .""",
            "between its start and end offsets",
            id="span-misquotes-its-document",
        ),
        pytest.param(
            ratification("press-1")
            + f"""<{document_iri("press-1")}> <http://purl.org/dc/terms/issued>
                "2005-01-01"^^xsd:date .""",
            "dated after every document",
            id="act-after-its-document",
        ),
    ],
)
def test_real_shapes_find_each_defect_in_its_document(facts, words):
    report = validate_dataset(real_world("press-1", facts), read_shapes())
    assert not report.conforms
    found = [v for v in report.violations if words in v.message]
    assert found, report.to_text()
    assert {v.source_document for v in found} == {document_iri("press-1")}


def test_generated_benchmark_world_conforms_to_the_real_shapes():
    from bench.generate import generate

    report = validate_dataset(generate(3000, seed=7), read_shapes())
    assert report.conforms, report.to_text()
