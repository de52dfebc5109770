"""What the graph layer reads from a request's tokens before the engine runs it: the answers
must be the engine's, also where strings, comments, escapes and prefixes hide a keyword."""

import pyoxigraph
import pytest

from graph.sparql_inspection import (
    declared_dataset,
    draws_fresh_values,
    may_name_graphs,
    prologue_end,
    writes_relative_iri,
)
from graph.sparql_tokens import tokens

HIDDEN = "urn:example:hidden"


@pytest.mark.parametrize(
    ("sparql", "fresh"),
    [
        ("SELECT * { ?s ?p ?o }", False),
        ("SELECT (RAND() AS ?r) {}", True),
        ("SELECT (now() AS ?t) {}", True),
        ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", True),
        ("INSERT { ?s ?p ?o } WHERE { BIND(BNODE() AS ?s) }", True),
        ("LOAD <http://example.org/data.ttl>", True),
        # The words as data, a variable or a prefixed name draw nothing.
        ('SELECT * { ?s ?p "rand now uuid" }', False),
        ("SELECT ?now { ?now ?service ?load }", False),
        ("PREFIX ex: <http://example.org/> SELECT * { ?s ex:bnode ?o }", False),
        ("SELECT * { ?s ?p ?o } # SERVICE in a comment", False),
        # The long s is an S to Python's upper(), never to the engine.
        ("SELECT (\u017fTRUUID() AS ?x) {}", False),
        # Escapes are decoded inside strings and IRIs: not worth judging.
        ('SELECT * { ?s ?p "\\u0041" }', True),
    ],
)
def test_a_request_draws_fresh_values_only_by_its_keywords(sparql: str, fresh: bool) -> None:
    assert draws_fresh_values(sparql) is fresh


@pytest.mark.parametrize(
    ("sparql", "dataset"),
    [
        ("SELECT * { ?s ?p ?o }", None),
        ('SELECT * { ?s ?p "from" }', None),
        ("SELECT * FROM <http://a/g> { ?s ?p ?o }", (["http://a/g"], [])),
        (
            "PREFIX g: <http://a/> SELECT * FROM g:one FROM NAMED g:two { ?s ?p ?o }",
            (["http://a/one"], ["http://a/two"]),
        ),
        ("BASE <http://a/b/> SELECT * FROM <c> { ?s ?p ?o }", (["http://a/b/c"], [])),
        ("SELECT * FROM NAMED <http://a/n> { ?s ?p ?o }", ([], ["http://a/n"])),
        # Decoded inside the IRI, as the engine decodes it.
        ("SELECT * FROM <http://a/\\u0067> { ?s ?p ?o }", (["http://a/g"], [])),
    ],
)
def test_the_declared_dataset_is_the_one_the_grammar_gives(sparql, dataset) -> None:
    assert declared_dataset(sparql) == dataset


def test_the_declared_dataset_matches_what_the_engine_reads() -> None:
    store = pyoxigraph.Store()
    for name in ("http://a/g", "http://a/h"):
        node = pyoxigraph.NamedNode(name)
        store.add(pyoxigraph.Quad(node, node, node, node))
    sparql = "PREFIX a: <http://a/> SELECT ?s FROM a:g FROM <http://a/\\u0068> { ?s ?p ?o }"
    engine = sorted(solution["s"].value for solution in store.query(sparql))
    default, named = declared_dataset(sparql) or ([], [])
    assert engine == sorted(default) == ["http://a/g", "http://a/h"]
    assert named == []


@pytest.mark.parametrize(
    ("sparql", "may"),
    [
        ("SELECT * { ?s ?p ?o }", False),
        ("SELECT * { GRAPH <http://a/g> { ?s ?p ?o } }", False),
        ('SELECT * { ?s ?p "GRAPH ?g" }', False),
        ("SELECT * { GRAPH ?g { ?s ?p ?o } }", True),
        ("PREFIX a: <http://a/> SELECT * { GRAPH a:g { ?s ?p ?o } }", True),
        ("SELECT * { GRAPH <g> { ?s ?p ?o } }", True),
        (f"SELECT * {{ GRAPH <{HIDDEN}> {{ ?s ?p ?o }} }}", True),
        # The hidden graph's IRI spelled with an escape is still that IRI.
        ("SELECT * { GRAPH <urn:example:\\u0068idden> { ?s ?p ?o } }", True),
    ],
)
def test_a_query_may_name_a_hidden_graph_only_through_graph(sparql: str, may: bool) -> None:
    assert may_name_graphs(sparql, HIDDEN) is may


@pytest.mark.parametrize(
    ("sparql", "opening"),
    [
        ("INSERT DATA {}", ""),
        ("PREFIX a: <http://a/>\nINSERT DATA {}", "PREFIX a: <http://a/>"),
        (
            "BASE <http://b/> # the base\nPREFIX a:<x> PREFIX : <y> DELETE WHERE {}",
            "BASE <http://b/> # the base\nPREFIX a:<x> PREFIX : <y>",
        ),
        ("PREFIX a: <http://a/> ; INSERT DATA {}", "PREFIX a: <http://a/>"),
    ],
)
def test_the_prologue_ends_after_the_last_opening_declaration(sparql: str, opening: str) -> None:
    assert sparql[: prologue_end(sparql)] == opening


@pytest.mark.parametrize(
    ("sparql", "relative"),
    [
        ("SELECT * { <http://a/> ?p ?o }", False),
        ("SELECT * { <a> ?p ?o }", True),
        ('SELECT * { ?s ?p "<a>" }', False),
        ("SELECT * { <\\u0068ttp://a/> ?p ?o }", False),
    ],
)
def test_a_relative_iri_is_one_written_without_a_scheme(sparql: str, relative: bool) -> None:
    assert writes_relative_iri(sparql) is relative


def test_only_the_four_white_space_characters_of_sparql_separate_tokens() -> None:
    for space in " \t\r\n":
        assert [token.text for token in tokens(f"ASK{space}{{}}")] == ["ASK", "{", "}"]
    for other in "\x0b\x0c\xa0\u2003":
        assert other in [token.text for token in tokens(f"ASK{other}{{}}")]
