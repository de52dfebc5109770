"""The union default graph is a set: a triple several graphs hold is one solution.

The same membership stated by the reference graph and by two sources must count once, before
and after one source is removed and after reasoning, whatever the query form (SELECT, COUNT,
CONSTRUCT, property paths, EXISTS), on every embedded store and on a read-only snapshot.
"""

from pathlib import Path

import pyoxigraph
import pytest

import graph
from graph import SourceMetadata
from ontology import GRAPH_REFERENCE, GRAPH_UNION, document_iri, source_graph_iri

EX = "http://example.org/"
MEMBER = pyoxigraph.Triple(
    pyoxigraph.NamedNode(EX + "estonia"),
    pyoxigraph.NamedNode(EX + "memberOf"),
    pyoxigraph.NamedNode(EX + "union"),
)
PARTNER = pyoxigraph.Triple(
    pyoxigraph.NamedNode(EX + "union"),
    pyoxigraph.NamedNode(EX + "partnerOf"),
    pyoxigraph.NamedNode(EX + "league"),
)
FIRST = document_iri("first-notice")
SECOND = document_iri("second-notice")


def metadata(name: str) -> SourceMetadata:
    return SourceMetadata(
        title=name, issued="2024-05-03", content_hash=name, kind="PressRelease", path=name
    )


def count(knowledge_graph: graph.KnowledgeGraph, sparql: str, **options: object) -> int:
    return len(list(knowledge_graph.query(sparql, **options)))


def member_rows(knowledge_graph: graph.KnowledgeGraph) -> int:
    return count(knowledge_graph, f"SELECT ?s WHERE {{ ?s <{EX}memberOf> ?o }}")


@pytest.fixture(params=["memory", "oxigraph"])
def shared(request: pytest.FixtureRequest, tmp_path: Path):
    """A store where the reference graph, two sources and the stored default graph all hold
    the membership triple."""
    url = "memory:" if request.param == "memory" else f"oxigraph:{tmp_path / 'store'}"
    knowledge_graph = graph.open(url)
    line = f"<{EX}estonia> <{EX}memberOf> <{EX}union> ."
    knowledge_graph.update(f"INSERT DATA {{ {line} GRAPH <{GRAPH_REFERENCE}> {{ {line} }} }}")
    knowledge_graph.replace_source(FIRST, [MEMBER, PARTNER], metadata("first"))
    knowledge_graph.replace_source(SECOND, [MEMBER], metadata("second"))
    try:
        yield knowledge_graph
    finally:
        knowledge_graph.close()


def test_a_triple_held_by_several_graphs_is_one_solution(shared: graph.KnowledgeGraph) -> None:
    assert member_rows(shared) == 1
    total = next(iter(shared.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}memberOf> ?o }}")))
    assert int(total["n"].value) == 1


def test_construct_paths_and_exists_see_each_triple_once(shared: graph.KnowledgeGraph) -> None:
    construct = f"CONSTRUCT {{ ?s <{EX}memberOf> ?o }} WHERE {{ ?s <{EX}memberOf> ?o }}"
    constructed = list(shared.query(construct))
    assert constructed == [MEMBER]
    # A sequence path crosses two triples, each held by a different number of graphs.
    assert count(shared, f"SELECT ?x WHERE {{ ?x <{EX}memberOf>/<{EX}partnerOf> ?y }}") == 1
    assert count(shared, f"SELECT ?x WHERE {{ ?x (<{EX}memberOf>|<{EX}partnerOf>)+ ?y }}") == 3
    exists = f"SELECT ?s WHERE {{ ?s ?p ?o FILTER EXISTS {{ ?s <{EX}memberOf> ?o }} }}"
    assert count(shared, exists) == 1


def test_named_graphs_are_still_apart(shared: graph.KnowledgeGraph) -> None:
    graphs = {
        row["g"].value
        for row in shared.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{EX}memberOf> ?o }} }}")
    }
    assert GRAPH_UNION not in graphs
    assert len(graphs) == 3  # the reference graph and the two source graphs
    hidden = f"ASK {{ GRAPH <{GRAPH_UNION}> {{ ?s ?p ?o }} }}"
    assert not bool(shared.query(hidden))
    assert GRAPH_UNION not in shared._backend.graph_names()
    base, name = GRAPH_UNION.rsplit("/", 1)
    escaped = GRAPH_UNION.replace("union", "\\u0075nion")
    for spelled in (
        f"BASE <{base}/> ASK {{ GRAPH <{name}> {{ ?s ?p ?o }} }}",
        f"PREFIX g: <{base}/> ASK {{ GRAPH g:{name} {{ ?s ?p ?o }} }}",
        f"ASK {{ GRAPH <{escaped}> {{ ?s ?p ?o }} }}",
    ):
        assert not bool(shared.query(spelled)), spelled
    # a graph named by its full IRI is read directly, without listing every graph first
    source = source_graph_iri(FIRST)
    assert bool(shared.query(f"ASK {{ GRAPH <{source}> {{ ?s <{EX}partnerOf> ?o }} }}"))


def test_removing_a_source_keeps_what_others_state(shared: graph.KnowledgeGraph) -> None:
    assert shared.remove_source(FIRST)
    assert member_rows(shared) == 1
    partner = f"ASK {{ <{EX}union> <{EX}partnerOf> ?o }}"
    assert not bool(shared.query(partner)), "only the removed source stated the partnership"
    assert shared.remove_source(SECOND)
    shared.update(f"DROP GRAPH <{GRAPH_REFERENCE}>")
    assert member_rows(shared) == 1, "the stored default graph still holds it"
    shared.update(f"DELETE DATA {{ <{EX}estonia> <{EX}memberOf> <{EX}union> }}")
    assert member_rows(shared) == 0


def test_reasoning_adds_no_repeats(shared: graph.KnowledgeGraph) -> None:
    shared.reason()
    shared.reason()
    assert member_rows(shared) == 1
    types = "SELECT ?c WHERE { <https://w3id.org/comity/ontology#Treaty> a ?c }"
    rows = [row["c"] for row in shared.query(types)]
    assert len(rows) == len(set(rows))


def test_several_default_graphs_merge_as_a_set(shared: graph.KnowledgeGraph) -> None:
    graphs = [GRAPH_REFERENCE, "https://w3id.org/comity/graph/source/" + "first-notice"]
    select = f"SELECT ?s WHERE {{ ?s <{EX}memberOf> ?o }}"
    assert count(shared, select, default_graph=graphs) == 1
    declared = " ".join(f"FROM <{name}>" for name in graphs)
    assert count(shared, f"SELECT ?s {declared} WHERE {{ ?s <{EX}memberOf> ?o }}") == 1
    # One FROM: that graph alone is the default graph, not the union.
    only = f"SELECT ?s FROM <{EX}nothing> WHERE {{ ?s <{EX}memberOf> ?o }}"
    assert count(shared, only) == 0


def test_a_read_only_snapshot_sees_the_set(tmp_path: Path) -> None:
    url = f"oxigraph:{tmp_path / 'store'}"
    with graph.open(url) as writer:
        writer.replace_source(FIRST, [MEMBER], metadata("first"))
        writer.replace_source(SECOND, [MEMBER], metadata("second"))
    with graph.open(url, read_only=True) as reader:
        assert member_rows(reader) == 1


def test_a_store_without_the_union_gets_it_when_opened(tmp_path: Path) -> None:
    """A store written before the union was kept is brought up to date by its next writer."""
    path = tmp_path / "store"
    store = pyoxigraph.Store(str(path))
    for name in ("urn:g:1", "urn:g:2"):
        store.add(pyoxigraph.Quad(*MEMBER, pyoxigraph.NamedNode(name)))
    store.flush()
    del store
    with graph.open(f"oxigraph:{path}") as knowledge_graph:
        assert member_rows(knowledge_graph) == 1


def test_blank_nodes_shared_by_two_graphs_stay_one_node(tmp_path: Path) -> None:
    with graph.open("memory:") as knowledge_graph:
        knowledge_graph.update(
            f"INSERT DATA {{ GRAPH <urn:g:1> {{ _:b <{EX}memberOf> <{EX}union> }} "
            f"GRAPH <urn:g:2> {{ _:b <{EX}memberOf> <{EX}union> }} }}"
        )
        assert member_rows(knowledge_graph) == 1
        knowledge_graph.update("DROP GRAPH <urn:g:1>")
        assert member_rows(knowledge_graph) == 1
        knowledge_graph.update("DROP GRAPH <urn:g:2>")
        assert member_rows(knowledge_graph) == 0
