"""The SPARQL 1.1 Graph Store HTTP Protocol (section 5), clause by clause, on a real server."""

import pyoxigraph
import pytest
import requests

from ontology import GRAPH_INFERRED

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX, PEOPLE_GRAPH  # noqa: E402 - after the rewrite registration

TURTLE = "text/turtle"


def objects(body: bytes, rdf_format=pyoxigraph.RdfFormat.TURTLE) -> list[str]:
    return sorted(quad.object.value for quad in pyoxigraph.parse(body, rdf_format))


def put(server, graph: str, body: str, media_type: str = TURTLE, **headers: str):
    return requests.put(
        server.store,
        params={"graph": graph},
        data=body.encode(),
        headers={"Content-Type": media_type, **server.auth(), **headers},
        timeout=60,
    )


def test_get_a_named_graph(comity_server):
    """5.2 HTTP GET: 200 with the graph's triples, in the negotiated format."""
    response = requests.get(
        comity_server.store,
        params={"graph": PEOPLE_GRAPH},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/n-triples"
    assert objects(response.content, pyoxigraph.RdfFormat.N_TRIPLES) == sorted(
        [EX + "alice", "Carol"]
    )


def test_get_a_missing_graph_is_404(comity_server):
    """5.2 HTTP GET: a graph the store does not hold is 404 Not Found."""
    response = requests.get(comity_server.store, params={"graph": EX + "missing"}, timeout=30)
    assert response.status_code == 404
    assert EX + "missing" in response.text


def test_get_the_default_graph(comity_server):
    """5.2 with ?default: the store's own default graph (not the union), which always exists."""
    response = requests.get(comity_server.store, params={"default": ""}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(TURTLE)
    assert "Carol" not in response.text


def test_head_answers_headers_only(comity_server):
    """5.6 HTTP HEAD: the GET's status and headers, no body; 404 for a missing graph."""
    response = requests.head(comity_server.store, params={"graph": PEOPLE_GRAPH}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(TURTLE)
    assert response.content == b""
    missing = requests.head(comity_server.store, params={"graph": EX + "missing"}, timeout=30)
    assert missing.status_code == 404


def test_an_accepted_type_with_a_charset_is_that_type(comity_server):
    """Accept: text/turtle; charset=utf-8 (as the W3C GSP tests send it) asks for Turtle."""
    headers = {"Accept": "text/turtle; charset=utf-8"}
    found = requests.get(
        comity_server.store, params={"graph": PEOPLE_GRAPH}, headers=headers, timeout=30
    )
    assert found.status_code == 200 and found.headers["Content-Type"].startswith("text/turtle")
    missing = requests.head(
        comity_server.store, params={"graph": EX + "missing"}, headers=headers, timeout=30
    )
    assert missing.status_code == 404
    rows = requests.get(
        comity_server.sparql,
        params={"query": "ASK {}"},
        headers={"Accept": "application/sparql-results+json; charset=utf-8"},
        timeout=30,
    )
    assert rows.status_code == 200 and rows.json()["boolean"] is True


def test_put_creates_then_replaces(comity_server):
    """5.3 HTTP PUT: 201 Created for a new graph, 204 when it replaces an existing one."""
    graph = EX + "put-graph"
    created = put(comity_server, graph, f'<{EX}a> <{EX}p> "one", "two" .')
    assert created.status_code == 201
    replaced = put(comity_server, graph, f'<{EX}a> <{EX}p> "three" .')
    assert replaced.status_code == 204
    body = requests.get(comity_server.store, params={"graph": graph}, timeout=30).content
    assert objects(body) == ["three"]


def test_put_in_every_rdf_syntax(comity_server):
    """5.3 PUT with each RDF media type the store reads."""
    documents = {
        "application/n-triples": f'<{EX}s> <{EX}p> "nt" .',
        "application/ld+json": f'{{"@id": "{EX}s", "{EX}p": "jsonld"}}',
        "application/rdf+xml": (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}s"><ex:p>rdfxml</ex:p>'
            "</rdf:Description></rdf:RDF>"
        ),
        "application/n-quads": f'<{EX}s> <{EX}p> "nq" .',
        "application/trig": f'<{EX}s> <{EX}p> "trig" .',
    }
    for media_type, body in documents.items():
        graph = f"{EX}syntax/{media_type.split('/')[1]}"
        assert put(comity_server, graph, body, media_type).status_code == 201, media_type
        stored = requests.get(comity_server.store, params={"graph": graph}, timeout=30).content
        assert len(objects(stored)) == 1, media_type


def test_post_merges(comity_server):
    """5.5 HTTP POST: the payload is added to the graph; 201 when it created the graph."""
    graph = EX + "post-graph"
    first = requests.post(
        comity_server.store,
        params={"graph": graph},
        data=f'<{EX}a> <{EX}p> "one" .',
        headers={"Content-Type": TURTLE, **comity_server.auth()},
        timeout=60,
    )
    assert first.status_code == 201
    second = requests.post(
        comity_server.store,
        params={"graph": graph},
        data=f'<{EX}a> <{EX}p> "two" .',
        headers={"Content-Type": TURTLE, **comity_server.auth()},
        timeout=60,
    )
    assert second.status_code == 204
    body = requests.get(comity_server.store, params={"graph": graph}, timeout=30).content
    assert objects(body) == ["one", "two"]


def test_delete(comity_server):
    """5.4 HTTP DELETE: 204 and the graph is gone; deleting it again is 404."""
    graph = EX + "delete-graph"
    assert put(comity_server, graph, f"<{EX}a> <{EX}p> 1 .").status_code == 201
    deleted = requests.delete(
        comity_server.store, params={"graph": graph}, headers=comity_server.auth(), timeout=60
    )
    assert deleted.status_code == 204
    assert requests.get(comity_server.store, params={"graph": graph}, timeout=30).status_code == 404
    again = requests.delete(
        comity_server.store, params={"graph": graph}, headers=comity_server.auth(), timeout=60
    )
    assert again.status_code == 404


def test_graph_and_default_together_or_neither_is_400(comity_server):
    """4.2 graph identification: exactly one of ?graph= and ?default."""
    both = requests.get(
        comity_server.store, params={"graph": PEOPLE_GRAPH, "default": ""}, timeout=30
    )
    assert both.status_code == 400
    neither = requests.get(comity_server.store, timeout=30)
    assert neither.status_code == 400
    assert "?default" in neither.text


def test_unknown_media_type_is_415(comity_server):
    """5.3 / 5.5: a payload in a media type the store cannot read is 415, nothing written."""
    graph = EX + "unsupported"
    response = put(comity_server, graph, "a,b\n1,2\n", "text/csv")
    assert response.status_code == 415
    assert requests.get(comity_server.store, params={"graph": graph}, timeout=30).status_code == 404


def test_bad_payload_is_400_and_writes_nothing(comity_server):
    """5.3: a payload that does not parse is 400 with the parser's position; the graph stays."""
    response = put(comity_server, PEOPLE_GRAPH, f"<{EX}a> <{EX}p> .")
    assert response.status_code == 400
    assert "line 1" in response.text
    body = requests.get(comity_server.store, params={"graph": PEOPLE_GRAPH}, timeout=30).content
    assert "Carol" in objects(body)


def test_payload_with_named_graphs_is_400(comity_server):
    """5.3: a graph payload is one graph; TriG naming other graphs is refused."""
    graph = EX + "trig-named"
    response = put(comity_server, graph, f"<{EX}other> {{ <{EX}a> <{EX}p> 1 }}", "application/trig")
    assert response.status_code == 400


def test_writes_need_the_token(comity_server):
    """Writes are 401 without a token and 403 with a wrong one; reads need none."""
    graph = EX + "guarded"
    anonymous = requests.put(
        comity_server.store,
        params={"graph": graph},
        data=f"<{EX}a> <{EX}p> 1 .",
        headers={"Content-Type": TURTLE},
        timeout=30,
    )
    assert anonymous.status_code == 401
    assert "Bearer" in anonymous.headers["WWW-Authenticate"]
    wrong = put(comity_server, graph, f"<{EX}a> <{EX}p> 1 .", Authorization="Bearer nope")
    assert wrong.status_code == 403
    delete = requests.delete(comity_server.store, params={"graph": PEOPLE_GRAPH}, timeout=30)
    assert delete.status_code == 401
    assert requests.get(comity_server.store, params={"graph": graph}, timeout=30).status_code == 404


def test_the_inferred_graph_is_not_writable(comity_server):
    """Comity rule: PUT to the inferred graph is refused and the graph keeps its content."""
    response = put(comity_server, GRAPH_INFERRED, f"<{EX}a> <{EX}p> 1 .")
    assert response.status_code == 400
    assert (
        requests.get(comity_server.store, params={"graph": GRAPH_INFERRED}, timeout=30).status_code
        == 200
    )


def test_written_graph_is_visible_to_queries(comity_server):
    """A GSP write is seen by the next query (the query workers reopen the store)."""
    graph = EX + "visible"
    assert put(comity_server, graph, f'<{EX}v> <{EX}label> "Visible" .').status_code == 201
    rows = comity_server.select(f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?s ?p ?n }} }}")
    assert [row["n"]["value"] for row in rows] == ["Visible"]


def test_a_triple_in_two_graphs_counts_once_in_the_default_graph(comity_server):
    """The default graph is the set union of the named graphs: a Graph Store write into one
    graph neither duplicates a triple another graph holds nor removes it when dropped."""
    triple = f'<{EX}shared> <{EX}p> "in both" .'
    count = f'SELECT (COUNT(*) AS ?n) WHERE {{ <{EX}shared> <{EX}p> "in both" }}'
    assert put(comity_server, EX + "union-a", triple).status_code == 201
    assert put(comity_server, EX + "union-b", triple).status_code == 201
    assert comity_server.select(count)[0]["n"]["value"] == "1"
    deleted = requests.delete(
        comity_server.store,
        params={"graph": EX + "union-a"},
        headers=comity_server.auth(),
        timeout=60,
    )
    assert deleted.status_code == 204
    assert comity_server.select(count)[0]["n"]["value"] == "1"
    requests.delete(
        comity_server.store,
        params={"graph": EX + "union-b"},
        headers=comity_server.auth(),
        timeout=60,
    )
    assert comity_server.select(count)[0]["n"]["value"] == "0"


def test_a_put_of_100000_triples_finishes_within_the_default_time_limit(server_factory):
    """The write guard and the reasoning after a write cost in proportion to the write: a
    large Graph Store PUT is not cut off at the default 30 s (issue #14, item 9)."""
    server = server_factory()
    graph_iri = "http://example.org/large-put"
    body = "".join(
        f'<http://example.org/s{i}> <http://example.org/p> "value {i}" .\n' for i in range(100_000)
    ).encode()
    response = requests.put(
        server.store,
        params={"graph": graph_iri},
        data=body,
        headers={"Content-Type": "application/n-triples", **server.auth()},
        timeout=120,
    )
    assert response.status_code in (201, 204), response.text
    rows = server.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    assert rows[0]["n"]["value"] == "100000"
