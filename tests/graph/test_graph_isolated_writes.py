"""Writes that cannot change what reasoning infers skip it (graph/isolated_writes.py), and the
inferred graph is then exactly what reasoning over the whole store gives."""

import pyoxigraph
import pytest

import graph
from graph.isolated_writes import AssertedTerms
from ontology import GRAPH_INFERRED

EX = "http://example.org/"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUB_PROPERTY = "<http://www.w3.org/2000/01/rdf-schema#subPropertyOf>"


def lines(*texts: str) -> set[bytes]:
    return {text.encode() for text in texts}


BASE = lines(
    '<urn:treaty> <https://w3id.org/comity/ontology#date> "2001" .',
    "<urn:treaty> " + TYPE + " <https://w3id.org/comity/ontology#Convention> .",
    '<urn:state> <http://www.w3.org/2000/01/rdf-schema#label> "Ruritania"@en .',
)


@pytest.mark.parametrize(
    ("added", "isolated"),
    [
        (["<urn:a> <urn:p> <urn:b> ."], True),
        (["<urn:a> " + TYPE + " <urn:Class> ."], True),
        (['<urn:a> <urn:p> "<urn:treaty> in a literal" .'], True),
        (["_:b1 <urn:p> <urn:b> ."], True),
        # Shares an IRI with a triple the write leaves alone.
        (["<urn:a> <urn:p> <urn:state> ."], False),
        (["<urn:treaty> <urn:p> <urn:b> ."], False),
        # Uses the vocabulary reasoning reads.
        (["<urn:p> " + SUB_PROPERTY + " <urn:q> ."], False),
        (["<urn:a> " + TYPE + " <http://www.w3.org/2002/07/owl#Thing> ."], False),
        (['<urn:a> <https://w3id.org/comity/ontology#date> "1999" .'], False),
        (["<urn:a> <http://www.w3.org/ns/org#member> <urn:b> ."], False),
    ],
)
def test_a_write_is_isolated_only_without_shared_terms_or_vocabulary(added, isolated):
    terms = AssertedTerms(set(BASE))
    assert terms.isolated(BASE | lines(*added)) is isolated


def test_a_property_that_nothing_describes_may_be_shared():
    data = BASE | lines("<urn:x> <urn:p> <urn:y> .")
    assert AssertedTerms(set(data)).isolated(data | lines("<urn:a> <urn:p> <urn:b> ."))
    # Once a triple has the property as its subject (or object), sharing it is not isolated,
    described = data | lines("<urn:p> <urn:note> <urn:q> .")
    assert not AssertedTerms(set(described)).isolated(
        described | lines("<urn:a> <urn:p> <urn:b> .")
    )
    # nor is a write that describes a property the data uses.
    assert not AssertedTerms(set(data)).isolated(data | lines("<urn:p> <urn:note> <urn:q> ."))


def test_removing_what_an_isolated_write_added_is_isolated_too():
    terms = AssertedTerms(set(BASE))
    written = BASE | lines("<urn:a> <urn:p> <urn:b> .", "<urn:b> <urn:p> <urn:c> .")
    assert terms.isolated(written)
    assert terms.isolated(set(BASE))
    # Once the triples that used <urn:a> are gone, a new one may use it and stay isolated...
    assert terms.isolated(BASE | lines("<urn:a> <urn:q> <urn:d> ."))
    # ...but a second triple on a term the first left in place is not.
    assert not terms.isolated(
        BASE | lines("<urn:a> <urn:q> <urn:d> .", "<urn:d> <urn:r> <urn:e> .")
    )


def inferred(kg: graph.KnowledgeGraph) -> set:
    rows = kg.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}")
    return {(row["s"], row["p"], row["o"]) for row in rows}


def reasoned_afresh(kg: graph.KnowledgeGraph) -> set:
    """What reasoning over the whole of `kg`'s asserted triples infers, in a store of its own."""
    copy = graph.open("memory:")
    try:
        dump = kg.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(?g != <{GRAPH_INFERRED}>) }}"
        )
        body = pyoxigraph.serialize(dump, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        copy.update(f"DROP ALL ; INSERT DATA {{ GRAPH <{EX}all> {{ {body.decode()} }} }}")
        copy.reason()
        return inferred(copy)
    finally:
        copy.close()


WRITES = [
    # isolated: new terms only
    f"INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> <{EX}b> . <{EX}a> a <{EX}C> }} }}",
    # vocabulary: makes the first write's property a sub-property of a Comity one
    f"INSERT DATA {{ GRAPH <{EX}g2> {{ <{EX}p> <http://www.w3.org/2000/01/rdf-schema#"
    f"subPropertyOf> <https://w3id.org/comity/ontology#partner> }} }}",
    # isolated again
    f"INSERT DATA {{ GRAPH <{EX}g3> {{ <{EX}x> <{EX}y> <{EX}z> }} }}",
    # shares only a property nothing describes: isolated
    f"INSERT DATA {{ GRAPH <{EX}g4> {{ <{EX}c> <{EX}y> <{EX}d> }} }}",
    # shares a property the sub-property axiom describes: reasoned, <e> becomes a partner
    f"INSERT DATA {{ GRAPH <{EX}g4> {{ <{EX}e> <{EX}p> <{EX}f> }} }}",
    # shares a term with earlier data: reasoned
    f"INSERT DATA {{ GRAPH <{EX}g3> {{ <{EX}b> <{EX}p> <{EX}z> }} }}",
    # removals, isolated and not
    f"DROP GRAPH <{EX}g2>",
    f"DROP GRAPH <{EX}g3>",
    f"DROP GRAPH <{EX}g1>",
    f"DROP GRAPH <{EX}g4>",
]


def test_after_each_write_the_inferred_graph_is_what_reasoning_afresh_gives():
    kg = graph.open("memory:")
    try:
        kg.reason()
        for index, write in enumerate(WRITES):
            kg.update(write)
            kg.reason()
            now = inferred(kg)
            assert now == reasoned_afresh(kg), write
            if index in (1, 4):  # the sub-property was reasoned over, not skipped
                subject = f"<{EX}a>" if index == 1 else f"<{EX}e>"
                assert any(
                    (str(s), str(p)) == (subject, "<https://w3id.org/comity/ontology#partner>")
                    for s, p, _ in now
                )
        # The sub-property made <a> a partner of <b> while it lasted; nothing of it is left.
        assert not any(str(s) == f"<{EX}a>" for s, _, _ in inferred(kg))
    finally:
        kg.close()


def test_lines_written_another_way_are_read_or_make_nothing_isolated():
    spaced = lines('<urn:a>\t<urn:p>   "x y" .  ', "", "_:b <urn:p> <urn:c>.")
    terms = AssertedTerms(spaced)
    assert terms.isolated(spaced | lines("<urn:d> <urn:q> <urn:e> ."))
    unreadable = AssertedTerms(lines("this is not N-Triples"))
    assert not unreadable.isolated(lines("this is not N-Triples", "<urn:d> <urn:q> <urn:e> ."))
