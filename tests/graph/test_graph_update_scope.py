"""Which graphs an update writes, read before it runs, and the union kept in step with them.

The union graph must equal the set union of the stored graphs after any update, whether the
written graphs were read from the text (the union is then patched at their cost) or not (the
union is rebuilt). Updates that name the inferred graph, or write the union, are refused even
when too long to be parsed.
"""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import graph
from graph.update_scope import read_update
from ontology import GRAPH_INFERRED, GRAPH_UNION
from ontology.errors import ComityError


@pytest.mark.parametrize(
    ("update", "graphs"),
    [
        (
            "INSERT DATA { <urn:a> <urn:b> <urn:c> . GRAPH <urn:g> { <urn:a> <urn:b> 1 } }",
            (None, "urn:g"),
        ),
        (
            "DROP SILENT DEFAULT ; DROP GRAPH <urn:x> ; CREATE GRAPH <urn:c>",
            (None, "urn:x", "urn:c"),
        ),
        (
            "WITH <urn:w> DELETE { ?s ?p ?o } INSERT { GRAPH <urn:i> { ?s ?p ?o } } "
            "WHERE { ?s ?p ?o }",
            ("urn:w", "urn:i"),
        ),
        ("DELETE { ?s ?p ?o } USING <urn:u> WHERE { ?s ?p ?o }", (None,)),
        ("DELETE WHERE { GRAPH <urn:q> { ?s ?p ?o } }", ("urn:q",)),
        (
            "MOVE <urn:a> TO DEFAULT ; ADD DEFAULT TO <urn:b> ; COPY SILENT <urn:c> TO <urn:d>",
            ("urn:a", None, "urn:b", "urn:d"),
        ),
        ("LOAD <http://example.org/data> INTO GRAPH <urn:l>", ("urn:l",)),
        (
            "BASE <http://example.org/> INSERT DATA { GRAPH <g> { <a> <b> <c> } }",
            ("http://example.org/g",),
        ),
        ("INSERT { GRAPH ?g { <urn:a> <urn:b> <urn:c> } } WHERE { GRAPH ?g {} }", None),
        # Read from tokens: strings and comments say nothing, escapes and prefixes resolve.
        (
            'PREFIX x: <urn:x:> INSERT DATA { GRAPH x:g { [ x:p ( 1 2 ) ] x:q "GRAPH <urn:no>" } '
            "# GRAPH <urn:no> {\n GRAPH <urn:\\u0067> { <urn:a> <urn:b> <urn:c> } }",
            ("urn:x:g", "urn:g"),
        ),
        ("INSERT { <urn:a> <urn:b> ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", (None,)),
        ("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } } ;", ("urn:g",)),
        ("INSERT DATA { GRAPH undeclared:g { <urn:a> <urn:b> <urn:c> } }", None),
        ("CLEAR ALL", None),
        ("DROP NAMED", None),
        ("not an update at all", None),
    ],
)
def test_the_graphs_an_update_writes(update: str, graphs: tuple | None) -> None:
    assert read_update(update).graphs == graphs


def long_insert(graph_iri: str, prefix: str = "") -> str:
    lines = " ".join(f'<urn:s{i}> <urn:p> "v{i}" .' for i in range(1000))
    return f"{prefix}INSERT DATA {{ GRAPH {graph_iri} {{ {lines} }} }}"


def test_a_long_update_is_read_too() -> None:
    assert read_update(long_insert("<urn:g>")).graphs == ("urn:g",)


def test_writes_to_graphs_the_store_keeps_are_refused() -> None:
    namespace = GRAPH_INFERRED.rsplit("/", 1)[0] + "/"
    with graph.open("memory:") as knowledge_graph:
        for update in (
            f"INSERT DATA {{ GRAPH <{GRAPH_UNION}> {{ <urn:a> <urn:b> <urn:c> }} }}",
            f"DROP GRAPH <{GRAPH_UNION}>",
            f"PREFIX g: <{namespace}> DROP GRAPH g:inferred",
            long_insert("g:inferred", f"PREFIX g: <{namespace}> "),
            long_insert("<inferred>", f"BASE <{namespace}> "),
            long_insert("<../inferred>", f"BASE <{namespace}x/> "),
            long_insert("g:in\\u0066erred", f"PREFIX g: <{namespace}> "),
        ):
            with pytest.raises(ComityError):
                knowledge_graph.update(update)
        # the same prefix, naming another graph: written
        knowledge_graph.update(long_insert("g:mine", f"PREFIX g: <{namespace}> "))


# Graphs, triples and update forms small enough that random sequences collide often.
GRAPHS = ["DEFAULT", "<urn:g1>", "<urn:g2>"]
TRIPLES = ["<urn:a> <urn:p> <urn:b>", "<urn:b> <urn:p> <urn:c>", '<urn:a> <urn:q> "x"']


WITH_G1 = "WITH <urn:g1> DELETE { ?s <urn:p> ?o } INSERT { ?o <urn:p> ?s } WHERE { ?s <urn:p> ?o }"


def _in(graph_ref: str, triple: str) -> str:
    return f"{triple} ." if graph_ref == "DEFAULT" else f"GRAPH {graph_ref} {{ {triple} }}"


updates = st.one_of(
    st.builds(
        lambda g, t: f"INSERT DATA {{ {_in(g, t)} }}",
        st.sampled_from(GRAPHS),
        st.sampled_from(TRIPLES),
    ),
    st.builds(
        lambda g, t: f"DELETE DATA {{ {_in(g, t)} }}",
        st.sampled_from(GRAPHS),
        st.sampled_from(TRIPLES),
    ),
    st.builds(
        lambda g: f"DROP SILENT {'DEFAULT' if g == 'DEFAULT' else 'GRAPH ' + g}",
        st.sampled_from(GRAPHS),
    ),
    st.builds(
        lambda a, b, verb: f"{verb} SILENT {a} TO {b}",
        st.sampled_from(GRAPHS),
        st.sampled_from(GRAPHS),
        st.sampled_from(["ADD", "MOVE", "COPY"]),
    ),
    st.builds(
        lambda g: (
            f"WITH {g} DELETE {{ ?s <urn:p> ?o }} INSERT {{ ?o <urn:p> ?s }} "
            "WHERE { ?s <urn:p> ?o }"
        ),
        st.sampled_from(GRAPHS[1:]),
    ),
    st.just("DELETE { ?s <urn:p> ?o } INSERT { ?o <urn:p> ?s } WHERE { ?s <urn:p> ?o }"),
    st.just("INSERT { GRAPH ?g { <urn:z> <urn:p> <urn:z> } } WHERE { GRAPH ?g { ?s ?p ?o } }"),
    st.just("CLEAR ALL"),
    # A Graph Store write's shape, which the store runs with its union upkeep inside it.
    st.builds(
        lambda verb, g, parts: f"{verb} SILENT GRAPH {g} ;\nINSERT DATA {{ {' '.join(parts)} }}",
        st.sampled_from(["DROP", "CLEAR"]),
        st.sampled_from(GRAPHS[1:]),
        st.lists(
            st.builds(
                _in, st.sampled_from(GRAPHS), st.sampled_from([*TRIPLES, "_:n <urn:p> <urn:a>"])
            ),
            min_size=1,
            max_size=3,
        ),
    ),
)


def union_differences(store: graph.KnowledgeGraph) -> tuple[list, list]:
    """(triples of the union graph that no other graph holds, triples of another graph that
    the union lacks): both empty when the union is the set union. Asked of the engine itself
    (no Comity query names the union graph), as the reference data makes the sets large."""
    engine = store._backend._store
    others = f"{{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_UNION}>) }}"
    kept = f"GRAPH <{GRAPH_UNION}> {{ ?s ?p ?o }}"
    extra = engine.query(f"SELECT * WHERE {{ {kept} FILTER NOT EXISTS {{ {others} }} }} LIMIT 5")
    missing = engine.query(
        f"SELECT * WHERE {{ {{ {others} }} FILTER NOT EXISTS {{ {kept} }} }} LIMIT 5"
    )
    return [tuple(row) for row in extra], [tuple(row) for row in missing]


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_the_union_stays_the_set_union_after_any_updates(backend: str, tmp_path: Path) -> None:
    url = "memory:" if backend == "memory" else f"oxigraph:{tmp_path / 'store'}"
    with graph.open(url) as knowledge_graph:
        assert union_differences(knowledge_graph) == ([], [])

        @settings(
            max_examples=30,
            derandomize=True,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(st.lists(updates, min_size=1, max_size=6))
        @example([f"INSERT DATA {{ {_in('<urn:g1>', TRIPLES[0])} }}", WITH_G1])
        @example(
            [
                f"INSERT DATA {{ {_in('DEFAULT', TRIPLES[0])} {_in('<urn:g1>', TRIPLES[0])} }}",
                "DROP GRAPH <urn:g1>",
                "DROP DEFAULT",
            ]
        )
        @example(
            [
                f"INSERT DATA {{ {_in('<urn:g2>', TRIPLES[1])} }}",
                "MOVE <urn:g2> TO DEFAULT",
                "COPY DEFAULT TO <urn:g1>",
                "DROP DEFAULT",
            ]
        )
        def check(sequence: list[str]) -> None:
            for update in sequence:
                knowledge_graph.update(update)
                differences = union_differences(knowledge_graph)
                assert differences == ([], []), f"after {update!r} the union differs"
            knowledge_graph.update(
                "DROP SILENT GRAPH <urn:g1> ; DROP SILENT GRAPH <urn:g2> ; "
                "DROP SILENT GRAPH <urn:z>"
            )

        check()


def test_a_graph_store_write_is_read_as_data_to_add_to_the_union_in_place() -> None:
    update = (
        "PREFIX x: <urn:x:>\nDROP SILENT GRAPH x:g ;\nCLEAR GRAPH <urn:h> ;\n"
        'INSERT DATA { GRAPH x:g { x:a x:b _:n . } . x:c x:d "}" . GRAPH <urn:e> { } }'
    )
    data_write = read_update(update).data_write
    assert data_write is not None
    assert data_write.emptied == ("urn:x:g", "urn:h")
    [(offset, triples)] = data_write.inserted
    assert update[offset:] == "}"
    assert triples == 'x:a x:b _:n .\nx:c x:d "}"'
    # Both become a DELETE WHERE: x:g is filled again, and CLEAR keeps the graph anyway.
    assert [update[start:end] for start, end, _ in data_write.emptying] == [
        "DROP SILENT GRAPH x:g",
        "CLEAR GRAPH <urn:h>",
    ]


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } } ; DROP GRAPH <urn:g>",
        "DELETE DATA { <urn:a> <urn:b> <urn:c> } ; INSERT DATA { <urn:a> <urn:b> <urn:d> }",
        "DROP DEFAULT ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DROP GRAPH <urn:g>",
        "INSERT DATA { <urn:a> <urn:b> <urn:\\u0063> }",
    ],
)
def test_other_updates_are_not_read_as_data_writes(update: str) -> None:
    assert read_update(update).data_write is None


def test_a_dropped_graph_not_filled_again_is_dropped_not_emptied() -> None:
    update = "DROP GRAPH <urn:gone> ; INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
    data_write = read_update(update).data_write
    assert data_write is not None and data_write.emptying == ()


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_a_blank_node_written_by_a_data_write_is_one_node_in_its_graph_and_the_union(
    backend: str, tmp_path: Path
) -> None:
    url = "memory:" if backend == "memory" else f"oxigraph:{tmp_path / 'store'}"
    with graph.open(url) as knowledge_graph:
        knowledge_graph.update(
            "DROP SILENT GRAPH <urn:g> ; INSERT DATA { GRAPH <urn:g> { _:n <urn:p> <urn:o> } }",
            ["urn:g"],
        )
        joined = knowledge_graph.query(
            "SELECT ?n WHERE { ?n <urn:p> <urn:o> GRAPH <urn:g> { ?n <urn:p> <urn:o> } }"
        )
        assert len(list(joined)) == 1
        assert union_differences(knowledge_graph) == ([], [])


@pytest.mark.parametrize(
    "update",
    [
        "PREFIX x: <http://example.org/> INSERT DATA { GRAPH x:g { x:a x:b x:c } }",
        "# a comment\nBASE <http://example.org/>\nPREFIX x: <http://example.org/>\n"
        "INSERT DATA { GRAPH <g> { x:a x:b <c> } } ;",
        "PREFIX x: <http://example.org/>",
    ],
)
def test_an_update_with_declarations_keeps_the_union(update: str) -> None:
    with graph.open("memory:") as knowledge_graph:
        knowledge_graph.update(update)
        assert union_differences(knowledge_graph) == ([], [])


def test_an_unknown_function_is_an_error_of_its_expression_not_of_the_query() -> None:
    """SPARQL 1.1, 17.3: the FILTER drops its row, the BIND leaves its variable unbound."""
    with graph.open("memory:") as knowledge_graph:
        rows = list(
            knowledge_graph.query(
                "PREFIX x: <http://example.org/> SELECT ?n ?f WHERE { VALUES ?n { 1 2 } "
                "BIND(x:unknown(?n) AS ?f) FILTER(x:other(?n) || ?n = 2) }"
            )
        )
        assert [(row["n"].value, row["f"]) for row in rows] == [("2", None)]
        knowledge_graph.update(
            "PREFIX x: <http://example.org/> INSERT { x:a x:b ?n } "
            "WHERE { VALUES ?n { 1 } FILTER(BOUND(?n) || x:unknown(?n)) }"
        )
        assert knowledge_graph.query("ASK { <http://example.org/a> ?p 1 }")


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_several_using_graphs_are_merged_as_a_set(backend: str, tmp_path: Path) -> None:
    url = "memory:" if backend == "memory" else f"oxigraph:{tmp_path / 'store'}"
    with graph.open(url) as knowledge_graph:
        knowledge_graph.update(
            "INSERT DATA { GRAPH <urn:a> { <urn:s> <urn:p> <urn:o> } "
            "GRAPH <urn:b> { <urn:s> <urn:p> <urn:o> . <urn:t> <urn:p> <urn:o> } }"
        )
        # a triple both graphs hold is one triple of their merge, as with FROM
        knowledge_graph.update(
            "PREFIX u: <urn:> INSERT { GRAPH <urn:c> { <urn:r> <urn:n> ?n } } "
            "USING u:a USING <urn:b> WHERE { { SELECT (COUNT(*) AS ?n) { ?s ?p ?o } } }"
        )
        [row] = knowledge_graph.query("SELECT ?n { GRAPH <urn:c> { <urn:r> <urn:n> ?n } }")
        assert row["n"].value == "2"
        [row] = knowledge_graph.query(
            "SELECT (COUNT(*) AS ?n) FROM <urn:a> FROM <urn:b> { ?s ?p ?o }"
        )
        assert row["n"].value == "2"
        # the scratch graph of the merge is gone, and the union still the set union
        graphs = {
            row["g"].value for row in knowledge_graph.query("SELECT DISTINCT ?g { GRAPH ?g {} }")
        }
        assert graphs >= {"urn:a", "urn:b", "urn:c"}
        assert not [g for g in graphs if g.startswith("urn:comity:merged-using:")]
        assert union_differences(knowledge_graph) == ([], [])


def test_drop_all_spreads_over_graphs_an_earlier_operation_may_create_not_every_iri():
    """DROP ALL becomes one DROP per graph: those stored, and those the request itself may
    create before it (after GRAPH, WITH or TO), not every IRI its data names."""
    from graph.update_guard import guarded_update

    update = (
        "INSERT DATA { GRAPH <urn:made> { <urn:s> <urn:p> <urn:o> } } ; "
        "COPY <urn:made> TO <urn:copied> ; DROP ALL ; "
        "INSERT DATA { GRAPH <urn:later> { <urn:x> <urn:p> <urn:y> } }"
    )
    rewritten = guarded_update(update, lambda: ["urn:stored"])
    dropped = set(re.findall(r"DROP SILENT GRAPH <([^>]*)>", rewritten))
    assert dropped == {"urn:stored", "urn:made", "urn:copied", "urn:later"}
    with graph.open("memory:") as knowledge_graph:
        knowledge_graph.update(update)
        held = knowledge_graph.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")
        assert "urn:made" not in {row["g"].value for row in held}
