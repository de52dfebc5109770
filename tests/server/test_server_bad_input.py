"""Bad requests get a specific 4xx with a message, write nothing, and the server keeps serving."""

import pytest
import requests

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX, PEOPLE_GRAPH  # noqa: E402 - after the rewrite registration


@pytest.fixture(autouse=True)
def still_serving(comity_server):
    """After every bad request the server answers a good one and the data is untouched."""
    yield
    rows = comity_server.select(
        f"SELECT ?n WHERE {{ GRAPH <{PEOPLE_GRAPH}> {{ ?s <{EX}name> ?n }} }}"
    )
    assert [row["n"]["value"] for row in rows] == ["Carol"]


def post(server, data: bytes, content_type: str | None, **headers: str):
    sent = dict(headers)
    if content_type is not None:
        sent["Content-Type"] = content_type
    return requests.post(server.sparql, data=data, headers=sent, timeout=30)


def test_malformed_query(comity_server):
    response = requests.get(
        comity_server.sparql, params={"query": "SELEC * { ?s ?p ?o }"}, timeout=30
    )
    assert response.status_code == 400
    assert "invalid SPARQL query" in response.text and "1:" in response.text
    assert "Traceback" not in response.text


def test_malformed_update(comity_server):
    response = requests.post(
        comity_server.sparql,
        data={"update": f"DELETE DATA {{ GRAPH <{PEOPLE_GRAPH}> {{ ?s ?p ?o }} }}"},
        headers=comity_server.auth(),
        timeout=30,
    )
    assert response.status_code == 400
    assert "invalid SPARQL update" in response.text


def test_both_query_and_update(comity_server):
    response = requests.post(
        comity_server.sparql,
        data={"query": "ASK {}", "update": f"DROP GRAPH <{PEOPLE_GRAPH}>"},
        headers=comity_server.auth(),
        timeout=30,
    )
    assert response.status_code == 400
    assert "both" in response.text


def test_two_queries(comity_server):
    response = requests.get(
        comity_server.sparql, params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=30
    )
    assert response.status_code == 400
    assert "exactly one" in response.text


def test_form_without_operation(comity_server):
    response = requests.post(comity_server.sparql, data={"format": "json"}, timeout=30)
    assert response.status_code == 400
    assert "neither" in response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_wrong_media_type_is_415(comity_server, content_type):
    response = post(comity_server, b"ASK {}", content_type)
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


@pytest.mark.parametrize("content_type", ["application/sparql-query", "application/sparql-update"])
def test_empty_body(comity_server, content_type):
    response = post(comity_server, b"", content_type, **comity_server.auth())
    assert response.status_code == 400
    assert "empty" in response.text


def test_empty_query_parameter(comity_server):
    response = requests.get(comity_server.sparql, params={"query": "  "}, timeout=30)
    assert response.status_code == 400
    assert "empty" in response.text


def test_non_utf8_body(comity_server):
    response = post(comity_server, b'SELECT * { ?s ?p "\xff\xfe" }', "application/sparql-query")
    assert response.status_code == 400
    assert "UTF-8" in response.text


def test_non_utf8_form(comity_server):
    response = post(comity_server, b"query=ASK%20%7B%7D%FF", "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "UTF-8" in response.text


def test_non_utf8_update_writes_nothing(comity_server):
    update = f'INSERT DATA {{ GRAPH <{PEOPLE_GRAPH}> {{ <{EX}x> <{EX}name> "\xe9" }} }}'
    response = post(
        comity_server, update.encode("latin-1"), "application/sparql-update", **comity_server.auth()
    )
    assert response.status_code == 400


def test_bad_accept_is_406(comity_server):
    response = requests.get(
        comity_server.sparql,
        params={"query": "ASK {}"},
        headers={"Accept": "application/pdf, image/*"},
        timeout=30,
    )
    assert response.status_code == 406


def test_unknown_format_name(comity_server):
    response = requests.get(
        comity_server.sparql, params={"query": "ASK {}", "format": "docx"}, timeout=30
    )
    assert response.status_code == 400
    assert "docx" in response.text and "json" in response.text


def test_relative_default_graph_uri(comity_server):
    response = requests.get(
        comity_server.sparql,
        params={"query": "ASK {}", "default-graph-uri": "not an iri"},
        timeout=30,
    )
    assert response.status_code == 400
    assert "default-graph-uri" in response.text


@pytest.mark.parametrize("value", ["0", "-3", "soon", "nan"])
def test_bad_timeout(comity_server, value):
    response = requests.get(
        comity_server.sparql, params={"query": "ASK {}", "timeout": value}, timeout=30
    )
    assert response.status_code == 400
    assert "timeout" in response.text


def test_store_with_bad_graph_iri(comity_server):
    response = requests.get(comity_server.store, params={"graph": "no iri"}, timeout=30)
    assert response.status_code == 400


def test_store_put_with_non_utf8_turtle(comity_server):
    response = requests.put(
        comity_server.store,
        params={"graph": PEOPLE_GRAPH},
        data=f'<{EX}x> <{EX}name> "\xe9" .'.encode("latin-1"),
        headers={"Content-Type": "text/turtle", **comity_server.auth()},
        timeout=30,
    )
    assert response.status_code == 400


def test_rdf_1_2_terms_are_kept_and_do_not_stop_reasoning(comity_server):
    """A triple term or a directional language tag once stored must not make every later
    write fail: reasoning leaves them out and goes on."""
    graph_iri = f"{EX}rdf-1-2"
    treaty = f"{EX}rdf-1-2-treaty"
    for body in (
        f'INSERT DATA {{ GRAPH <{graph_iri}> {{ <{treaty}> <{EX}says> "x"@ar--rtl }} }}',
        f"INSERT DATA {{ GRAPH <{graph_iri}> {{ <{treaty}> <{EX}cites> "
        f"<<( <{EX}s> <{EX}p> <{EX}o> )>> }} }}",
        f"INSERT DATA {{ GRAPH <{graph_iri}> {{ <{treaty}> a "
        f"<https://w3id.org/comity/ontology#Convention> }} }}",
    ):
        response = comity_server.update(body)
        assert response.status_code == 204, response.text
    assert comity_server.ask(f"ASK {{ <{treaty}> a <https://w3id.org/comity/ontology#Treaty> }}")
    assert comity_server.ask(f'ASK {{ <{treaty}> <{EX}says> "x"@ar--rtl }}')
    comity_server.update(f"DROP GRAPH <{graph_iri}>")


def nested_entities(levels: int) -> bytes:
    """An RDF/XML document whose one literal is an entity nested `levels` deep, each level ten
    references to the one below: 55 bytes times 10**levels once expanded."""
    declarations = ['<!ENTITY l0 "' + "lol" * 18 + 'l">']
    declarations += [
        f'<!ENTITY l{level} "{f"&l{level - 1};" * 10}">' for level in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(declarations)
        + "\n]>\n"
        + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        + f'xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}laughing">'
        + f"<ex:says>&l{levels};</ex:says></rdf:Description></rdf:RDF>"
    ).encode()


def test_store_put_of_an_entity_bomb_is_413_before_parsing(comity_server):
    """Eight levels (5.5 GB expanded from some 800 bytes) are refused as a body past --max-body,
    before the parser sees them; nothing is written."""
    graph = f"{EX}laughter"
    response = requests.put(
        comity_server.store,
        params={"graph": graph},
        data=nested_entities(8),
        headers={"Content-Type": "application/rdf+xml", **comity_server.auth()},
        timeout=30,
    )
    assert response.status_code == 413, response.text
    assert "expands its own entities" in response.text
    assert not comity_server.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def test_store_put_with_entities_for_namespaces_is_read(comity_server):
    """Entities that stand for namespaces, as ontology editors write them, are read as usual."""
    graph = f"{EX}entity-namespaces"
    document = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "' + EX + '"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="&ex;dora"><rdf:type rdf:resource="&ex;Person"/>'
        "</rdf:Description></rdf:RDF>"
    )
    response = requests.put(
        comity_server.store,
        params={"graph": graph},
        data=document.encode(),
        headers={"Content-Type": "application/rdf+xml", **comity_server.auth()},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    assert comity_server.ask(f"ASK {{ GRAPH <{graph}> {{ <{EX}dora> a <{EX}Person> }} }}")
    requests.delete(
        comity_server.store, params={"graph": graph}, headers=comity_server.auth(), timeout=30
    )
