"""The W3C conformance runner on a small fixed part of the suites, and the protocol behaviours
the full run (`make conformance`) found missing, each checked on its own."""

import tomllib

import requests

from conformance.__main__ import EXPECTED_FAILURES, expected_failures
from conformance.runner import engine_difference, load_suites, run
from conformance.runner import test_key as key_of
from conformance.servers import start_comity
from tests.server_fixtures import EX

# Every service-description test, and a few of the others (`make conformance` runs them all).
QUICK_SUITES = ("service description",)
QUICK_TESTS = (
    "http-rdf-update/manifest#put_get_repeat_direct",
    "http-rdf-update/manifest#post_get_new_graph",
    "http-rdf-update/manifest#put_get_uri_pct_encoded_twice",
    "exists/manifest#exists03",
    "exists/manifest#exists-graph-variable",
    "csv-tsv-res/manifest#csv01",
    "json-res/manifest#jsonres01",
    "construct/manifest#constructwhere01",
    "basic-update/manifest#insert-data-spo1",
    "drop/manifest#dawg-drop-default-01",
    "syntax-query/manifest#test_1",
    "protocol/manifest#query_post_form",
)


def test_runner_on_a_fixed_subset(tmp_path):
    """Outcomes as the expected-failures list says, and the quick picks all really ran."""
    suites = load_suites()
    endpoint = start_comity(tmp_path)
    try:
        outcomes = run(endpoint, suites, lambda key: key in QUICK_TESTS)
        outcomes += run(endpoint, [s for s in suites if s.name in QUICK_SUITES], lambda _: True)
    finally:
        endpoint.stop()
    known = expected_failures("comity")
    unexpected = [
        f"{o.test}: {o.message}"
        for o in outcomes
        if (o.status == "fail") != (o.test in known) and o.status != "skip"
    ]
    assert unexpected == []
    assert {o.test for o in outcomes} >= set(QUICK_TESTS)
    assert sum(o.suite == "service description" for o in outcomes) == 3


def test_relative_iri_without_base_is_resolved_against_the_endpoint(comity_server):
    rows = comity_server.select("SELECT (<thing> AS ?t) WHERE {}")
    assert rows == [
        {"t": {"type": "uri", "value": f"{comity_server.sparql.rsplit('/', 1)[0]}/thing"}}
    ]


def test_a_graph_named_with_base_in_it_is_no_base_declaration(comity_server):
    graph_iri = "http://example.org/protocol-base-test/"
    update = (
        f"CLEAR SILENT GRAPH <{graph_iri}> ;\n"
        f"INSERT DATA {{ GRAPH <{graph_iri}> {{ <{EX}s> <{EX}p> <relative> }} }}"
    )
    response = comity_server.update(update)
    assert response.status_code == 204, response.text
    rows = comity_server.select(f"SELECT ?o WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    assert rows == [
        {"o": {"type": "uri", "value": f"{comity_server.sparql.rsplit('/', 1)[0]}/relative"}}
    ]


def test_undeclared_prefix_is_named_with_its_position(comity_server):
    response = requests.get(
        comity_server.sparql,
        params={"query": "SELECT * WHERE {\n  ?s ex:name ?o }"},
        timeout=30,
    )
    assert response.status_code == 400
    assert "'ex:'" in response.text and "line 2, column 6" in response.text, response.text
    update = comity_server.update("INSERT DATA { <http://example.org/a> ex:b 1 }")
    assert update.status_code == 400
    assert "'ex:'" in update.text and "line 1, column 38" in update.text, update.text


def test_silent_service_to_a_refused_endpoint_is_one_empty_solution(
    comity_server, connection_recorder
):
    for target in (
        "http://example.invalid/sparql",
        f"http://127.0.0.1:{connection_recorder.port}/",
    ):
        query = (
            f"SELECT ?s ?name WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} "
            f"<{EX}bob> <{EX}name> ?name }}"
        )
        rows = comity_server.select(query)
        assert rows == [{"name": {"type": "literal", "value": "Bob"}}]
    assert connection_recorder.connections_so_far() == []


def test_graph_store_head_direct_names_and_new_graphs(comity_server):
    """HEAD answers like GET without a body; /store/... names a graph by its own URL; a POST
    to /store creates a graph and says where; multipart bodies add every file."""
    graph_url = f"{comity_server.store}/conformance/notes"
    put = requests.put(
        graph_url,
        data=f"<{EX}n1> <{EX}says> 'hello' .",
        headers={"Content-Type": "text/turtle", **comity_server.auth()},
        timeout=30,
    )
    assert put.status_code == 201
    head = requests.head(graph_url, headers={"Accept": "text/turtle"}, timeout=30)
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("text/turtle")
    assert requests.head(graph_url + "-missing", timeout=30).status_code == 404
    indirect = requests.get(comity_server.store, params={"graph": graph_url}, timeout=30)
    assert indirect.status_code == 200 and "hello" in indirect.text
    created = requests.post(
        comity_server.store,
        data=f"<{EX}n2> <{EX}says> 'new' .",
        headers={"Content-Type": "text/turtle", **comity_server.auth()},
        timeout=30,
    )
    assert created.status_code == 201
    location = created.headers["Location"]
    assert location.startswith(comity_server.store + "/")
    assert "new" in requests.get(location, headers={"Accept": "text/turtle"}, timeout=30).text
    multipart = requests.post(
        graph_url,
        files={
            "a": ("a.ttl", f"<{EX}n1> <{EX}says> 'again' .", "text/turtle"),
            "b": ("b.nt", f'<{EX}n1> <{EX}says> "more" .\n', "application/n-triples"),
        },
        headers=comity_server.auth(),
        timeout=30,
    )
    assert multipart.status_code == 204, multipart.text
    text = requests.get(graph_url, headers={"Accept": "application/n-triples"}, timeout=30).text
    assert all(word in text for word in ("hello", "again", "more"))
    for url in (graph_url, location):
        requests.delete(url, headers=comity_server.auth(), timeout=30)


def test_every_query_failure_listed_as_the_engines_is_the_engines():
    """Each query test listed under [engine] fails the same way on a bare pyoxigraph Store,
    and no test listed for Comity alone is one the bare engine also fails."""
    listed = tomllib.loads(EXPECTED_FAILURES.read_text(encoding="utf-8"))
    query_tests = {
        key_of(test.iri): test
        for suite in load_suites()
        if suite.name == "query"
        for test in suite.tests
    }
    engine = [key for key in listed["engine"] if key in query_tests]
    assert engine, "the engine's list names query tests"
    for key in engine:
        assert engine_difference(query_tests[key]) is not None, f"{key} passes on the engine"
    for key in listed["comity"]:
        if key in query_tests:
            assert engine_difference(query_tests[key]) is None, f"{key} fails on the engine too"
