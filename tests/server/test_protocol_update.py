"""The SPARQL 1.1 Protocol's update operation (section 2.2), clause by clause, on a real server."""

import pytest
import requests

from graph.sparql_inspection import add_using, hoist_declarations
from ontology import COMITY, GRAPH_INFERRED
from server.app import create_app
from server.config import ServerConfig

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX, PEOPLE_GRAPH, TOKEN  # noqa: E402 - after the rewrite registration


def count(server, graph: str) -> int:
    rows = server.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def test_update_via_post_urlencoded(comity_server):
    """2.2.1 update via URL-encoded POST: update= in the form body; 2.2.4 success is 2xx."""
    graph = EX + "form-update"
    response = requests.post(
        comity_server.sparql,
        data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}x> <{EX}p> 1 }} }}"},
        headers=comity_server.auth(),
        timeout=60,
    )
    assert response.status_code == 204
    assert count(comity_server, graph) == 1


def test_update_via_post_directly(comity_server):
    """2.2.2 update via POST directly: an application/sparql-update body."""
    graph = EX + "direct-update"
    response = requests.post(
        comity_server.sparql,
        data=f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}x> <{EX}p> 1, 2 }} }}".encode(),
        headers={"Content-Type": "application/sparql-update", **comity_server.auth()},
        timeout=60,
    )
    assert response.status_code == 204
    assert count(comity_server, graph) == 2


def test_using_graph_uri_sets_the_where_dataset(comity_server):
    """2.2.3 using-graph-uri: the WHERE clause reads only the graphs given."""
    target = EX + "copied-names"
    update = f"INSERT {{ GRAPH <{target}> {{ ?s <{EX}copied> ?n }} }} WHERE {{ ?s <{EX}name> ?n }}"
    response = requests.post(
        comity_server.sparql,
        data={"update": update, "using-graph-uri": PEOPLE_GRAPH},
        headers=comity_server.auth(),
        timeout=60,
    )
    assert response.status_code == 204
    rows = comity_server.select(f"SELECT ?n WHERE {{ GRAPH <{target}> {{ ?s ?p ?n }} }}")
    assert [row["n"]["value"] for row in rows] == ["Carol"]


def test_using_named_graph_uri(comity_server):
    """2.2.3 using-named-graph-uri: GRAPH ?g in WHERE ranges over the graphs given."""
    target = EX + "copied-graphs"
    update = (
        f"INSERT {{ GRAPH <{target}> {{ ?s <{EX}from> ?g }} }} "
        f"WHERE {{ GRAPH ?g {{ ?s <{EX}name> ?n }} }}"
    )
    response = requests.post(
        comity_server.sparql,
        data=f"{update}".encode(),
        params={"using-named-graph-uri": PEOPLE_GRAPH},
        headers={"Content-Type": "application/sparql-update", **comity_server.auth()},
        timeout=60,
    )
    assert response.status_code == 204
    rows = comity_server.select(f"SELECT ?g WHERE {{ GRAPH <{target}> {{ ?s ?p ?g }} }}")
    assert [row["g"]["value"] for row in rows] == [PEOPLE_GRAPH]


def test_using_graph_uri_with_using_in_update_is_400(comity_server):
    """2.2.3: using-graph-uri together with USING or WITH in the update is an error."""
    update = f"WITH <{PEOPLE_GRAPH}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    response = requests.post(
        comity_server.sparql,
        data={"update": update, "using-graph-uri": PEOPLE_GRAPH},
        headers=comity_server.auth(),
        timeout=60,
    )
    assert response.status_code == 400
    assert "WITH" in response.text
    assert count(comity_server, PEOPLE_GRAPH) > 0


def test_update_without_token_is_401(comity_server):
    """2.2.5 failure: without credentials the answer is 401 with a Bearer challenge."""
    graph = EX + "no-token"
    response = requests.post(
        comity_server.sparql,
        data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}x> <{EX}p> 1 }} }}"},
        timeout=30,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert count(comity_server, graph) == 0


def test_update_with_wrong_token_is_403(comity_server):
    """2.2.5 failure: a wrong token is 403 and nothing is written."""
    graph = EX + "wrong-token"
    response = requests.post(
        comity_server.sparql,
        data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}x> <{EX}p> 1 }} }}"},
        headers={"Authorization": "Bearer not-the-token"},
        timeout=30,
    )
    assert response.status_code == 403
    assert count(comity_server, graph) == 0


def test_updates_are_off_without_a_configured_token(server_factory):
    """2.2.5 failure: a server started without --token refuses every update with 403."""
    server = server_factory(token=None)
    response = requests.post(
        server.sparql,
        data={"update": f"INSERT DATA {{ <{EX}x> <{EX}p> 1 }}"},
        headers={"Authorization": "Bearer anything"},
        timeout=30,
    )
    assert response.status_code == 403
    assert "--token" in response.text


def test_malformed_update_is_400(comity_server):
    """2.2.5 failure: a malformed update is 400 with the parser's message."""
    response = requests.post(
        comity_server.sparql,
        data={"update": "INSERT DATA { <http://example.org/a> }"},
        headers=comity_server.auth(),
        timeout=30,
    )
    assert response.status_code == 400
    assert "invalid SPARQL update" in response.text


def test_update_cannot_write_the_inferred_graph(comity_server):
    """Comity rule: the inferred graph is only written by reasoning; an update naming it is 400."""
    before = count(comity_server, GRAPH_INFERRED)
    response = requests.post(
        comity_server.sparql,
        data={"update": f"DROP GRAPH <{GRAPH_INFERRED}>"},
        headers=comity_server.auth(),
        timeout=30,
    )
    assert response.status_code == 400
    assert count(comity_server, GRAPH_INFERRED) == before


def test_reasoning_runs_after_an_update(comity_server):
    """Comity rule: after an update the inferred graph holds its entailments."""
    update = (
        f"INSERT DATA {{ GRAPH <{EX}reasoning> {{ "
        f"<{EX}club> a <{COMITY.IntergovernmentalOrganisation}> }} }}"
    )
    response = requests.post(
        comity_server.sparql, data={"update": update}, headers=comity_server.auth(), timeout=60
    )
    assert response.status_code == 204
    assert comity_server.ask(
        f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ <{EX}club> a <{COMITY.Organisation}> }} }}"
    ), "reasoning did not type the new organisation"


@pytest.mark.parametrize("method", ["GET"])
def test_update_via_get_is_refused(comity_server, method):
    """2.2: updates are only sent by POST; update= in a GET is 400."""
    response = requests.request(
        method, comity_server.sparql, params={"update": "CLEAR ALL"}, timeout=30
    )
    assert response.status_code == 400
    assert count(comity_server, PEOPLE_GRAPH) > 0


def test_using_clauses_go_before_each_operations_where():
    """2.2.3: USING goes into every DELETE/INSERT ... WHERE, never into a subquery's WHERE,
    and not into the DELETE WHERE shorthand, which takes none."""
    update = (
        "INSERT { ?s <http://e/p> ?n } WHERE { { SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } "
        "GROUP BY ?s } } ; DELETE WHERE { ?s <http://e/q> ?o } ; "
        "DELETE { ?s ?p 'where' } WHERE { ?s ?p 'where' }"
    )
    rewritten = add_using(update, ["http://e/g"], ["http://e/n"])
    clauses = "USING <http://e/g> USING NAMED <http://e/n> WHERE"
    assert rewritten.count(clauses) == 2
    assert "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o }" in rewritten
    assert "DELETE WHERE { ?s <http://e/q> ?o }" in rewritten
    with pytest.raises(ValueError, match="USING"):
        add_using("DELETE { ?s ?p ?o } USING <http://e/g> WHERE { ?s ?p ?o }", ["http://e/x"], [])


def test_cors_for_writes_only_when_configured():
    """CORS: an update's answer carries Access-Control-Allow-Origin only with cors_writes."""
    for cors_writes in (False, True):
        app = create_app(ServerConfig(store="memory:", token=TOKEN, cors_writes=cors_writes))
        try:
            response = app.test_client().post(
                "/sparql",
                data={"update": f"INSERT DATA {{ GRAPH <{EX}cors> {{ <{EX}a> <{EX}p> 1 }} }}"},
                headers={"Authorization": f"Bearer {TOKEN}", "Origin": "https://example.net"},
            )
            assert response.status_code == 204
            assert ("Access-Control-Allow-Origin" in response.headers) is cors_writes
        finally:
            app.extensions["comity"].close()


def test_the_union_default_graph_counts_a_shared_triple_once(comity_server):
    """A triple written to the stored default graph and to two named graphs is one triple of
    the query's default graph (the union, an RDF merge), before and after one graph goes."""
    line = f"<{EX}shared-subject> <{EX}sharedBy> <{EX}three-graphs> ."
    update = f"INSERT DATA {{ {line} GRAPH <{EX}one> {{ {line} }} GRAPH <{EX}two> {{ {line} }} }}"
    headers = {"Content-Type": "application/sparql-update", **comity_server.auth()}
    response = requests.post(
        comity_server.sparql, data=update.encode(), headers=headers, timeout=60
    )
    assert response.status_code == 204
    counted = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}sharedBy> ?o }}"
    assert comity_server.select(counted)[0]["n"]["value"] == "1"
    drop = f"DROP GRAPH <{EX}one>".encode()
    assert requests.post(comity_server.sparql, data=drop, headers=headers, timeout=60).ok
    assert comity_server.select(counted)[0]["n"]["value"] == "1"
    named = f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{EX}sharedBy> ?o }} }}"
    assert [row["g"]["value"] for row in comity_server.select(named)] == [EX + "two"]


def test_declarations_may_open_every_operation_of_a_request(comity_server):
    """The grammar lets each operation of a request declare prefixes; they hold for the
    operations after them."""
    update = (
        f"PREFIX a: <{EX}> INSERT DATA {{ GRAPH <{EX}declared> {{ a:s a:p 1 }} }} ;\n"
        f"PREFIX b: <{EX}> INSERT DATA {{ GRAPH <{EX}declared> {{ b:s b:p 2 }} }} ;\n"
        f"PREFIX a: <{EX}> DELETE DATA {{ GRAPH <{EX}declared> {{ a:s a:p 1 }} }}"
    )
    headers = {"Content-Type": "application/sparql-update", **comity_server.auth()}
    response = requests.post(
        comity_server.sparql, data=update.encode(), headers=headers, timeout=60
    )
    assert response.status_code == 204, response.text
    rows = comity_server.select(f"SELECT ?o WHERE {{ GRAPH <{EX}declared> {{ ?s ?p ?o }} }}")
    assert [row["o"]["value"] for row in rows] == ["2"]
    conflicting = (
        f"PREFIX a: <{EX}> INSERT DATA {{ GRAPH <{EX}declared> {{ a:s a:p 3 }} }} ;\n"
        f"PREFIX a: <{EX}other/> INSERT DATA {{ GRAPH <{EX}declared> {{ a:s a:p 4 }} }}"
    )
    accepted = requests.post(
        comity_server.sparql, data=conflicting.encode(), headers=headers, timeout=60
    )
    # A prefix declared again with another IRI holds from there on: Oxigraph reads declarations
    # only at the start, so the server writes each prefixed name out in full first.
    assert accepted.status_code == 204, accepted.text
    rows = comity_server.select(
        f"SELECT ?s ?o WHERE {{ GRAPH <{EX}declared> {{ ?s ?p ?o }} }} ORDER BY ?o"
    )
    assert [(row["s"]["value"], row["o"]["value"]) for row in rows] == [
        (f"{EX}s", "2"),
        (f"{EX}s", "3"),
        (f"{EX}other/s", "4"),
    ]
    requests.post(
        comity_server.sparql,
        data=f"DROP SILENT GRAPH <{EX}declared>".encode(),
        headers=headers,
        timeout=60,
    )


@pytest.mark.parametrize(
    "update",
    [
        "CREATE GRAPH <urn:g> PREFIX x: <http://example.org/> INSERT DATA { x:a x:b x:c }",
        'INSERT DATA { <urn:a> <urn:b> "; PREFIX x: <http://example.org/>" }',
    ],
)
def test_misplaced_declarations_and_words_in_literals_are_left_as_written(update: str):
    """A declaration with no `;` before it (the engine reports it), or words inside a
    literal: the text goes to the engine as written."""
    assert hoist_declarations(update) == update


@pytest.mark.parametrize(
    ("update", "expanded"),
    [
        (
            "INSERT DATA { <urn:a> <urn:b> 1 } ; BASE <http://example.org/> "
            "INSERT DATA { <a> <b> 2 }",
            "INSERT DATA { <urn:a> <urn:b> 1 } ;   INSERT DATA { <http://example.org/a> "
            "<http://example.org/b> 2 }",
        ),
        (
            "BASE <http://example.org/> INSERT DATA { <a> <b> 1 } ; PREFIX x: <sub/> "
            'INSERT DATA { x:a\\.b x:c "x:d" }',
            "  INSERT DATA { <http://example.org/a> <http://example.org/b> 1 } ;   INSERT DATA "
            '{ <http://example.org/sub/a.b> <http://example.org/sub/c> "x:d" }',
        ),
    ],
)
def test_declarations_that_cannot_move_are_written_out_where_they_hold(update, expanded):
    """A later BASE, or a prefix relative to a base: each name is written as the full IRI
    the declarations in force give it, and no declaration is left for the engine to misread."""
    assert hoist_declarations(update) == expanded
