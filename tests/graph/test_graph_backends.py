"""One behaviour for every store: in memory, on disk, and a real Oxigraph server over HTTP."""

import io
from datetime import datetime
from pathlib import Path

import pyoxigraph
import pytest

import graph
from graph import SourceMetadata
from ontology import (
    COMITY,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    OWL,
    RDF,
    WD,
    document_iri,
    source_graph_iri,
)
from ontology.errors import ComityError

EX = "http://example.org/"


def node(name: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(EX + name)


def triple(subject: str, predicate: str, value: object) -> pyoxigraph.Triple:
    target = value if isinstance(value, pyoxigraph.NamedNode) else pyoxigraph.Literal(str(value))
    return pyoxigraph.Triple(node(subject), node(predicate), target)


def metadata(content_hash: str = "hash-1", title: str = "A notice") -> SourceMetadata:
    return SourceMetadata(
        title=title,
        issued="2024-05-03",
        content_hash=content_hash,
        kind="PressRelease",
        path="notice.txt",
    )


def canonical(store: graph.KnowledgeGraph, graphs: list[str] | None = None) -> set[str]:
    """The store's quads with blank nodes canonically named, as comparable strings."""
    output = io.BytesIO()
    store.export("nq", output, graphs)
    return canonical_nquads(output.getvalue())


def canonical_nquads(data: bytes, format=pyoxigraph.RdfFormat.N_QUADS) -> set[str]:
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(data, format))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def moment(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def ask(store: graph.KnowledgeGraph, sparql: str, **options) -> bool:
    return bool(store.query(sparql, **options))


def values(store: graph.KnowledgeGraph, sparql: str, **options) -> set[str]:
    return {solution[0].value for solution in store.query(sparql, **options)}


DOC = document_iri("press-release-one")
DOC_GRAPH = source_graph_iri(DOC)
DOC2 = document_iri("press-release-two")
DOC2_GRAPH = source_graph_iri(DOC2)


def test_new_store_holds_ontology_and_reference(fresh_store):
    for name in (GRAPH_ONTOLOGY, GRAPH_REFERENCE):
        assert ask(fresh_store, f"ASK {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"), name
        assert ask(
            fresh_store, f"ASK {{ GRAPH <{name}> {{ <{name}> <{COMITY.contentHash}> ?h }} }}"
        )
    assert ask(fresh_store, f"ASK {{ <{COMITY.Treaty}> a <{OWL.Class}> }}")
    assert fresh_store.sources() == []


def test_replace_source_then_remove(fresh_store):
    info = fresh_store.replace_source(DOC, [triple("a", "p", 1), triple("a", "p", 2)], metadata())
    assert info.graph == DOC_GRAPH
    assert info.content_hash == "hash-1"
    [listed] = fresh_store.sources()
    assert listed == info
    assert listed.title == "A notice" and listed.issued == "2024-05-03"
    stored = values(fresh_store, f"SELECT ?o WHERE {{ GRAPH <{DOC_GRAPH}> {{ <{EX}a> ?p ?o }} }}")
    assert stored == {"1", "2"}
    count = next(
        iter(fresh_store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{DOC_GRAPH}> {{ ?s ?p ?o }} }}"))
    )
    assert int(count["n"].value) == info.triple_count
    assert fresh_store.remove_source(DOC) is True
    assert fresh_store.sources() == []
    assert not ask(fresh_store, f"ASK {{ GRAPH <{DOC_GRAPH}> {{ ?s ?p ?o }} }}")
    assert fresh_store.remove_source(DOC) is False


def test_reloading_the_same_source_leaves_the_store_unchanged(fresh_store):
    content = [triple("a", "p", 1), pyoxigraph.Triple(pyoxigraph.BlankNode(), node("p"), node("a"))]
    first = fresh_store.replace_source(DOC, content, metadata())
    before = canonical(fresh_store)
    second = fresh_store.replace_source(DOC, content, metadata())
    assert second.loaded_at == first.loaded_at
    assert canonical(fresh_store) == before


def test_a_corrected_version_replaces_the_old_one(fresh_store):
    first = fresh_store.replace_source(
        DOC, [triple("a", "p", "old"), triple("b", "p", 1)], metadata()
    )
    fresh_store.replace_source(DOC2, [triple("c", "p", "other")], metadata("hash-2"))
    second = fresh_store.replace_source(
        DOC, [triple("a", "p", "new"), triple("b", "p", 1)], metadata("hash-3", "Corrected")
    )
    assert moment(second.loaded_at) >= moment(first.loaded_at)
    assert values(fresh_store, f"SELECT ?o {{ GRAPH <{DOC_GRAPH}> {{ <{EX}a> ?p ?o }} }}") == {
        "new"
    }
    assert {source.title for source in fresh_store.sources()} == {"Corrected", "A notice"}
    assert values(fresh_store, f"SELECT ?o {{ <{EX}c> ?p ?o }}") == {"other"}


def test_same_hash_with_other_triples_is_still_written(fresh_store):
    fresh_store.replace_source(DOC, [triple("a", "p", 1)], metadata())
    fresh_store.replace_source(DOC, [triple("a", "p", 2)], metadata())
    assert values(fresh_store, f"SELECT ?o {{ <{EX}a> ?p ?o }}") == {"2"}


def test_query_default_and_named_graphs(fresh_store):
    fresh_store.replace_source(DOC, [triple("a", "p", "one")], metadata())
    fresh_store.replace_source(DOC2, [triple("a", "p", "two")], metadata("hash-2"))
    select = f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}"
    assert values(fresh_store, select) == {"one", "two"}
    assert values(fresh_store, select, default_graph=[DOC_GRAPH]) == {"one"}
    assert values(fresh_store, select, union_default_graph=False) == set()
    by_graph = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}a> <{EX}p> ?o }} }}"
    assert values(fresh_store, by_graph) == {DOC_GRAPH, DOC2_GRAPH}
    assert values(fresh_store, by_graph, named_graphs=[DOC2_GRAPH]) == {DOC2_GRAPH}
    constructed = fresh_store.query(f"CONSTRUCT WHERE {{ <{EX}a> <{EX}p> ?o }}")
    assert isinstance(constructed, pyoxigraph.QueryTriples)
    assert {t.object.value for t in constructed} == {"one", "two"}
    assert isinstance(fresh_store.query("ASK {}"), pyoxigraph.QueryBoolean)


def test_query_syntax_error_names_the_position(fresh_store):
    with pytest.raises(ComityError, match=r"1:\d+"):
        fresh_store.query("SELECT ?s WHERE { ?s ?p }")


def test_update_writes_and_protects_the_inferred_graph(fresh_store):
    fresh_store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}x> <{EX}p> 'v' }} }}")
    assert values(fresh_store, f"SELECT ?o {{ <{EX}x> <{EX}p> ?o }}") == {"v"}
    before = canonical(fresh_store)
    for update in (
        f"INSERT DATA {{ GRAPH <{GRAPH_INFERRED}> {{ <{EX}x> <{EX}p> 'w' }} }}",
        "PREFIX g: <https://w3id.org/comity/graph/> CLEAR GRAPH g:inferred",
    ):
        with pytest.raises(ComityError, match="inferred graph"):
            fresh_store.update(update)
    with pytest.raises(ComityError, match="SPARQL"):
        fresh_store.update("INSERT DATA { <x:a> <x:b> }")
    assert canonical(fresh_store) == before


@pytest.mark.parametrize("name", ["nq", "trig", "jsonld"])
def test_export_and_reimport_is_isomorphic(fresh_store, name):
    blank = pyoxigraph.BlankNode()
    fresh_store.replace_source(
        DOC,
        [
            triple("a", "p", 'é "quoted"\nline'),
            pyoxigraph.Triple(node("a"), node("q"), blank),
            pyoxigraph.Triple(blank, node("p"), pyoxigraph.Literal("bonjour", language="fr")),
        ],
        metadata(),
    )
    output = io.BytesIO()
    fresh_store.export(name, output)
    reimported = canonical_nquads(output.getvalue(), graph.formats.rdf_format(name))
    assert reimported == canonical(fresh_store)
    assert any(DOC_GRAPH in quad for quad in reimported)


@pytest.mark.parametrize("name", ["nt", "ttl", "rdf"])
def test_export_of_one_graph_in_a_triple_format(fresh_store, name):
    fresh_store.replace_source(DOC, [triple("a", "p", 1), triple("b", "p", 2)], metadata())
    output = io.BytesIO()
    fresh_store.export(name, output, graphs=[DOC_GRAPH])
    reparsed = pyoxigraph.Store()
    reparsed.load(
        output.getvalue(), graph.formats.rdf_format(name), to_graph=pyoxigraph.NamedNode(DOC_GRAPH)
    )
    assert canonical_nquads(reparsed.dump(format=pyoxigraph.RdfFormat.N_QUADS)) == canonical(
        fresh_store, [DOC_GRAPH]
    )


def test_export_rejects_an_unknown_format(fresh_store):
    with pytest.raises(ComityError, match="unknown RDF format"):
        fresh_store.export("docx", io.BytesIO())


def test_statistics_count_what_the_store_holds(fresh_store):
    widget, gadget = node("Widget"), node("Gadget")
    same_as, a_type = pyoxigraph.NamedNode(OWL.sameAs), pyoxigraph.NamedNode(RDF.type)
    content = [
        pyoxigraph.Triple(node("w1"), a_type, widget),
        pyoxigraph.Triple(node("w2"), a_type, widget),
        pyoxigraph.Triple(node("w2"), a_type, gadget),
        triple("w1", "weight", 3),
        triple("w2", "weight", 4),
        triple("w2", "weight", 5),
        pyoxigraph.Triple(node("w1"), same_as, pyoxigraph.NamedNode(WD.Q42)),
        pyoxigraph.Triple(node("w2"), same_as, pyoxigraph.NamedNode(WD.Q64)),
        pyoxigraph.Triple(node("w2"), same_as, node("elsewhere")),
    ]
    before = fresh_store.stats()
    info = fresh_store.replace_source(DOC, content, metadata())
    stats = fresh_store.stats()
    assert stats.classes[EX + "Widget"] == 2
    assert stats.classes[EX + "Gadget"] == 1
    assert stats.properties[EX + "weight"] == 3
    assert stats.wikidata_links == before.wikidata_links + 2
    assert (
        stats.graphs[DOC_GRAPH] == info.triple_count == len(content) + 7
    )  # + type, hash, loadedAt, title, issued, file, count

    # Every number against an independent count over the exported quads.
    output = io.BytesIO()
    fresh_store.export("nq", output)
    quads = list(pyoxigraph.parse(output.getvalue(), pyoxigraph.RdfFormat.N_QUADS))
    triples = {quad.triple for quad in quads}
    assert stats.triples == len(triples)
    assert stats.distinct_subjects == len({t.subject for t in triples})
    assert stats.distinct_objects == len({t.object for t in triples})
    for name in {quad.graph_name.value for quad in quads}:
        assert stats.graphs[name] == sum(1 for quad in quads if quad.graph_name.value == name)
    assert stats.wikidata_links == sum(
        1 for t in triples if t.predicate == same_as and t.object.value.startswith(str(WD))
    )

    fresh_store.update(f"INSERT DATA {{ <{EX}w3> a <{EX}Widget> }}")
    assert fresh_store.stats().classes[EX + "Widget"] == 3
    fresh_store.remove_source(DOC)
    assert EX + "Gadget" not in fresh_store.stats().classes


SAMPLE_TRIPLES = [
    pyoxigraph.Triple(node("s"), node("p"), pyoxigraph.Literal("one")),
    pyoxigraph.Triple(node("s"), node("p"), node("o")),
]
SAMPLE_QUADS = [
    pyoxigraph.Quad(node("s"), node("p"), pyoxigraph.Literal("default")),
    pyoxigraph.Quad(node("s"), node("p"), pyoxigraph.Literal("named"), node("graph-1")),
]


@pytest.mark.parametrize("suffix", ["nt", "ttl", "jsonld", "rdf"])
def test_load_rdf_file_of_triples(fresh_store, tmp_path: Path, suffix):
    path = tmp_path / f"sample-data.{suffix}"
    path.write_bytes(pyoxigraph.serialize(SAMPLE_TRIPLES, format=graph.formats.rdf_format(suffix)))
    info = fresh_store.load_rdf(path)
    assert info.graph == source_graph_iri(document_iri("sample-data"))
    assert info.path == "sample-data." + suffix
    assert values(fresh_store, f"SELECT ?o {{ GRAPH <{info.graph}> {{ <{EX}s> ?p ?o }} }}") == {
        "one",
        EX + "o",
    }
    assert [source.iri for source in fresh_store.sources()] == [info.iri]


@pytest.mark.parametrize("suffix", ["nq", "trig"])
def test_load_rdf_file_of_quads_keeps_its_graphs(fresh_store, tmp_path: Path, suffix):
    path = tmp_path / f"sample-quads.{suffix}"
    path.write_bytes(pyoxigraph.serialize(SAMPLE_QUADS, format=graph.formats.rdf_format(suffix)))
    info = fresh_store.load_rdf(path)
    by_graph = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}s> <{EX}p> ?o }} }}"
    assert values(fresh_store, by_graph) == {info.graph, EX + "graph-1"}
    assert fresh_store.remove_source(info.iri)
    assert values(fresh_store, by_graph) == set()


@pytest.mark.parametrize(
    ("suffix", "text", "line"),
    [
        ("ttl", b'@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', 3),
        (
            "nt",
            b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n<a b c\n",
            2,
        ),
        ("nq", b'<http://example.org/a> <http://example.org/b> "x" <g> <h> .\n', 1),
    ],
)
def test_load_rdf_of_a_broken_file_loads_nothing(fresh_store, tmp_path: Path, suffix, text, line):
    before = canonical(fresh_store)
    path = tmp_path / f"broken.{suffix}"
    path.write_bytes(text)
    with pytest.raises(ComityError, match=rf"broken\.{suffix}:{line}:\d+: ") as caught:
        fresh_store.load_rdf(path)
    assert "nothing was loaded" in str(caught.value)
    assert canonical(fresh_store) == before


def test_load_rdf_refuses_graphs_comity_manages(fresh_store, tmp_path: Path):
    path = tmp_path / "sneaky.nq"
    path.write_bytes(f'<{EX}s> <{EX}p> "x" <{GRAPH_INFERRED}> .\n'.encode())
    before = canonical(fresh_store)
    with pytest.raises(ComityError, match="manages itself"):
        fresh_store.load_rdf(path)
    assert canonical(fresh_store) == before


def test_replace_source_refuses_a_bad_issued_date(fresh_store):
    bad = SourceMetadata("t", "3rd of May", "h", "PressRelease", None)
    with pytest.raises(ComityError, match="issued date"):
        fresh_store.replace_source(DOC, [triple("a", "p", 1)], bad)
    assert fresh_store.sources() == []


@pytest.mark.parametrize("kind", ["oxigraph", "sparql"])
def test_vocabulary_graphs_are_refreshed_when_their_files_change(request, tmp_path, kind):
    url = (
        f"oxigraph:{tmp_path / 'store'}"
        if kind == "oxigraph"
        else request.getfixturevalue("oxigraph_server").store_locator
    )
    if kind == "sparql":
        request.getfixturevalue("oxigraph_server").clear()
    with graph.open(url) as store:
        expected = canonical(store, [GRAPH_ONTOLOGY])
        stamp = f"<{GRAPH_ONTOLOGY}> <{COMITY.contentHash}>"
        store.update(
            f"DELETE WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ {stamp} ?h }} }} ;"
            f"INSERT DATA {{ GRAPH <{GRAPH_ONTOLOGY}> {{ {stamp} 'old' . <{EX}junk> <{EX}p> 1 }} }}"
        )
    with graph.open(url) as store:
        assert canonical(store, [GRAPH_ONTOLOGY]) == expected


def test_not_exists_queries_answer_correctly(fresh_store):
    signed = pyoxigraph.NamedNode(EX + "signed")
    ratified = pyoxigraph.NamedNode(EX + "ratified")
    treaty = node("treaty")
    content = [pyoxigraph.Triple(node(state), signed, treaty) for state in ("fr", "de", "it")]
    content.append(pyoxigraph.Triple(node("de"), ratified, treaty))
    fresh_store.replace_source(DOC, content, metadata())
    signed_only = (
        f"SELECT ?state WHERE {{ ?state <{signed.value}> ?t "
        f"FILTER NOT EXISTS {{ ?state <{ratified.value}> ?t }} }}"
    )
    assert values(fresh_store, signed_only) == {EX + "fr", EX + "it"}


def test_reloading_an_rdf_file_is_idempotent_and_a_new_version_drops_old_graphs(
    fresh_store, tmp_path: Path
):
    path = tmp_path / "dump.trig"
    path.write_text(
        f"@prefix ex: <{EX}> .\n"
        "ex:s ex:p [ ex:q 'nested' ] .\n"
        "ex:graph-1 { ex:s ex:p 'one' }\n"
        "ex:graph-2 { ex:s ex:p 'two' }\n"
    )
    first = fresh_store.load_rdf(path)
    before = canonical(fresh_store)
    assert fresh_store.load_rdf(path).loaded_at == first.loaded_at
    assert canonical(fresh_store) == before

    path.write_text(f"@prefix ex: <{EX}> .\nex:graph-1 {{ ex:s ex:p 'one, corrected' }}\n")
    fresh_store.load_rdf(path)
    by_graph = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}s> <{EX}p> ?o }} }}"
    assert values(fresh_store, by_graph) == {EX + "graph-1"}
    assert values(fresh_store, f"SELECT ?o {{ <{EX}s> <{EX}p> ?o }}") == {"one, corrected"}


def test_remote_endpoint_urls():
    from graph.remote import endpoint_urls

    assert endpoint_urls("sparql+http://host:7878/query") == (
        "http://host:7878/query",
        "http://host:7878/update",
        "http://host:7878/store",
    )
    assert endpoint_urls(
        "sparql+https://host/ds/sparql?update=https://host/ds/update&store=https://host/ds/data"
    ) == ("https://host/ds/sparql", "https://host/ds/update", "https://host/ds/data")
    assert endpoint_urls("sparql+https://host/sparql") == (
        "https://host/sparql",
        "https://host/sparql",
        None,
    )


def test_reason_fills_the_inferred_graph_and_validate_reports(fresh_store):
    convention = node("a-convention")
    fresh_store.replace_source(
        DOC,
        [
            pyoxigraph.Triple(
                convention, pyoxigraph.NamedNode(RDF.type), pyoxigraph.NamedNode(COMITY.Convention)
            )
        ],
        metadata(),
    )
    summary = fresh_store.reason()
    inferred = f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ <{convention.value}> a <{COMITY.Treaty}> }} }}"
    assert ask(fresh_store, inferred)
    count = next(
        iter(
            fresh_store.query(
                f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}"
            )
        )
    )
    assert int(count["n"].value) == summary.inferred_triples > 0
    fresh_store.remove_source(DOC)
    fresh_store.reason()
    assert not ask(fresh_store, inferred)

    fact = node("ratification-with-nothing")
    fresh_store.update(
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{fact.value}> a <{COMITY.Ratification}> }} }}"
    )
    report = fresh_store.validate()
    assert not report.conforms
    assert any(violation.focus_node == fact.value for violation in report.violations)


def inferred_triples(store: graph.KnowledgeGraph) -> set[tuple[str, str, str]]:
    rows = store.query(f"SELECT ?s ?p ?o {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}")
    return {(str(row["s"]), str(row["p"]), str(row["o"])) for row in rows}


def test_reasoning_after_small_changes_equals_reasoning_from_scratch(fresh_store):
    """Only the entailments a write changes are rewritten; the result must be the same as
    computing the whole inferred graph anew over the same data."""
    convention = pyoxigraph.Triple(
        node("kept"), pyoxigraph.NamedNode(RDF.type), pyoxigraph.NamedNode(COMITY.Convention)
    )
    dropped = pyoxigraph.Triple(
        node("dropped"), pyoxigraph.NamedNode(RDF.type), pyoxigraph.NamedNode(COMITY.Protocol)
    )
    fresh_store.reason()
    fresh_store.replace_source(DOC, [convention], metadata())
    fresh_store.replace_source(DOC2, [dropped], metadata("hash-2", "Another notice"))
    fresh_store.reason()
    fresh_store.remove_source(DOC2)
    fresh_store.reason()
    incremental = inferred_triples(fresh_store)
    assert (node("kept").value, str(RDF.type), str(COMITY.Treaty)) in {
        (s.strip("<>"), p.strip("<>"), o.strip("<>")) for s, p, o in incremental
    }
    assert not any(node("dropped").value in s for s, _, _ in incremental)

    scratch = graph.open("memory:")
    scratch.replace_source(DOC, [convention], metadata())
    scratch.reason()
    assert incremental == inferred_triples(scratch)


def test_a_document_iri_must_be_an_iri(fresh_store):
    for action in (
        lambda: fresh_store.replace_source("not an iri", [triple("a", "p", 1)], metadata()),
        lambda: fresh_store.remove_source("not an iri"),
    ):
        with pytest.raises(ComityError, match="not a valid document IRI"):
            action()
    assert fresh_store.sources() == []
