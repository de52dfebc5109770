"""Writes that cannot change what reasoning infers skip it (graph/isolated_writes.py), and the
inferred graph is then exactly what reasoning over the whole store gives."""

import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph
from graph.isolated_writes import AssertedTerms, line_digest
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
        copy._backend.replace_graphs([], {f"{EX}all": body})  # a bulk write, no update text
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


# Small enough that random updates collide: the same triple in two graphs, a triple removed
# from one graph and still asserted by another, a term the next write shares, and now and
# then vocabulary that reasoning reads.
FOLLOWED_TRIPLES = [
    f"<{EX}a> <{EX}p> <{EX}b>",
    f"<{EX}b> <{EX}p> <{EX}c>",
    f'<{EX}c> <{EX}q> "c"',
    f'<{EX}d> <{EX}q> "d \\" \\u00e9"@fr',
    f"<{EX}p> {SUB_PROPERTY} <https://w3id.org/comity/ontology#partner>",
]
FOLLOWED_GRAPHS = [f"<{EX}g1>", f"<{EX}g2>"]
followed_updates = st.one_of(
    st.builds(
        lambda verb, graph, triple: f"{verb} DATA {{ GRAPH {graph} {{ {triple} }} }}",
        st.sampled_from(["INSERT", "INSERT", "DELETE"]),
        st.sampled_from(FOLLOWED_GRAPHS),
        st.sampled_from(FOLLOWED_TRIPLES[:4]) | st.sampled_from(FOLLOWED_TRIPLES),
    ),
    st.builds("DROP SILENT GRAPH {}".format, st.sampled_from(FOLLOWED_GRAPHS)),
    st.builds(
        lambda a, b: f"COPY {a} TO {b}",
        st.sampled_from(FOLLOWED_GRAPHS),
        st.sampled_from(FOLLOWED_GRAPHS),
    ),
)


def asserted_lines(kg: graph.KnowledgeGraph) -> set[bytes]:
    """Every asserted triple, read afresh from the store, as reasoning reads them."""
    text = kg._backend.construct_ntriples(
        "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION "
        f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_INFERRED}>) }} }}"
    )
    return set(text.splitlines())


def test_updates_followed_line_by_line_leave_what_reading_everything_gives():
    """Between two reasonings, the asserted triples are followed through each update's
    graphs rather than read whole: what is followed must be what is there, always."""
    kg = graph.open("memory:")
    try:
        kg.reason()

        @settings(max_examples=25, derandomize=True, deadline=None)
        @given(st.lists(st.lists(followed_updates, min_size=1, max_size=3), max_size=4))
        def check(rounds: list[list[str]]) -> None:
            for updates in rounds:
                for update in updates:
                    kg.update(update)
                summary = kg.reason()
                held = asserted_lines(kg)
                assert kg._asserted is not None and kg._asserted.lines == held, updates
                assert kg._reasoned is not None and kg._reasoned[0] == line_digest(held)
                assert summary.asserted_triples == len(held)
            kg.update(" ; ".join(f"DROP SILENT GRAPH {name}" for name in FOLLOWED_GRAPHS))
            kg.reason()

        check()
    finally:
        kg.close()


def test_a_followed_update_that_reasoning_reads_is_reasoned_over():
    kg = graph.open("memory:")
    try:
        kg.reason()
        kg.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ {FOLLOWED_TRIPLES[0]} }} }}")
        kg.reason()
        kg.update(f"INSERT DATA {{ GRAPH <{EX}h> {{ {FOLLOWED_TRIPLES[4]} }} }}")
        kg.reason()
        assert inferred(kg) == reasoned_afresh(kg)
        assert any(str(s) == f"<{EX}a>" for s, _, _ in inferred(kg))
    finally:
        kg.close()


def test_a_new_handle_trusts_the_current_mark_and_follows_from_there(tmp_path, monkeypatch):
    """A handle that has not reasoned (a server's writer just started) reads the asserted
    triples once when the store says its inferred graph is current, instead of reasoning
    again; a write that reasoning reads is still reasoned over."""
    import graph.reasoning

    url = f"oxigraph:{tmp_path / 'store'}"
    with graph.open(url) as kg:
        kg.reason()
    reasoned: list[int] = []
    original = graph.reasoning.entailments

    def counted(*arguments, **options):
        reasoned.append(1)
        return original(*arguments, **options)

    monkeypatch.setattr(graph.reasoning, "entailments", counted)
    with graph.open(url) as kg:
        kg.follow_current_inferences()
        kg.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ {FOLLOWED_TRIPLES[0]} }} }}")
        kg.reason()
        assert reasoned == [], "an isolated write after the current mark was reasoned over"
        assert kg.inferred_current()
        kg.update(f"INSERT DATA {{ GRAPH <{EX}h> {{ {FOLLOWED_TRIPLES[4]} }} }}")
        kg.reason()
        assert reasoned == [1]
        assert inferred(kg) == reasoned_afresh(kg)
