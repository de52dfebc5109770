"""SERVICE: allowed endpoints are called, every other one is refused before any connection,
and an allowed endpoint's redirect is never followed."""

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pyoxigraph
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.query_execution import FailureReason, QueryFailed
from graph.sparql_inspection import load_calls, service_calls
from ontology.errors import ComityError
from server.federation import ServiceRefused, check_loads, check_services
from server.service_relay import ServiceRelay

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import (  # noqa: E402 - after the rewrite registration
    EX,
    TOKEN,
    on_a_free_port,
    serving_in_thread,
    start_oxigraph,
    stop_process,
)

ALLOW = ("https://query.wikidata.org/sparql",)


def never_resolve(host: str) -> list[str]:
    raise AssertionError(f"{host} was resolved although the endpoint is not allowed")


def refused(sparql: str, allow=ALLOW, resolver=never_resolve) -> str:
    with pytest.raises(ServiceRefused) as error:
        check_services(sparql, allow, resolver)
    assert isinstance(error.value, ComityError)
    return str(error.value)


def test_allowed_prefix_passes_and_is_resolved():
    resolved: list[str] = []
    query = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    check_services(query, ALLOW, lambda host: resolved.append(host) or ["198.35.26.96"])
    assert resolved == ["query.wikidata.org"]


def test_lookalike_of_an_allowed_prefix_is_refused():
    message = refused("SELECT * { SERVICE <https://query.wikidata.org/sparql.evil.example/> {} }")
    assert "not in the list" in message


def test_allowed_name_resolving_to_loopback_is_refused():
    query = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    message = refused(query, resolver=lambda host: ["127.0.0.1"])
    assert "127.0.0.1" in message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE SILENT <http://127.0.0.1:8080/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <http://localhost/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <http://[::1]:80/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <http://10.1.2.3/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <http://192.168.0.1/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        "PREFIX x: <http://127.0.0.1:9/> SELECT * { SERVICE x:sparql { ?s ?p ?o } }",
        "BASE <http://127.0.0.1:9/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "select * { service\n<http://example.net/sparql> { ?s ?p ?o } }",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.net/sparql> { ?s ?p ?o } }",
    ],
)
def test_refused_endpoints(query):
    assert "is refused" in refused(query)


def test_service_with_a_variable_is_refused():
    message = refused(
        "SELECT * { VALUES ?e { <https://query.wikidata.org/sparql> } SERVICE ?e { ?s ?p ?o } }"
    )
    assert "?e" in message and "variable" in message


def test_service_inside_strings_and_comments_is_not_a_call():
    query = (
        'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1/x>" }  # SERVICE <file:///etc/passwd>'
    )
    check_services(query, ALLOW, never_resolve)


def test_refused_endpoints_are_never_contacted(federated, connection_recorder):
    """Non-allowlisted, loopback and file: endpoints: 400 with a message, no connection made;
    with SILENT, the refused SERVICE is one empty solution, as a failed SILENT call is."""
    targets = [
        f"http://127.0.0.1:{connection_recorder.port}/sparql",
        f"http://localhost:{connection_recorder.port}/sparql",
        "file:///etc/passwd",
        "http://example.invalid/sparql",
    ]
    for target in targets:
        query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        response = requests.get(federated.sparql, params={"query": query}, timeout=30)
        assert response.status_code == 400, target
        assert target in response.text and "--service-allow" in response.text
        assert federated.select(
            f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}"
        ) == [{}]
    assert connection_recorder.connections_so_far() == []


@pytest.fixture(scope="module")
def remote_endpoint(tmp_path_factory):
    """An `oxigraph serve` holding one known triple, to be called through SERVICE."""
    location = tmp_path_factory.mktemp("remote")
    process, port = on_a_free_port(lambda port: (start_oxigraph(location, port), port))
    url = f"http://127.0.0.1:{port}"
    requests.post(
        f"{url}/store?default",
        data=f'<{EX}remote> <{EX}name> "Remote" .',
        headers={"Content-Type": "application/n-triples"},
        timeout=5,
    ).raise_for_status()
    yield f"{url}/query"
    stop_process(process)


@dataclass
class Redirector:
    """An endpoint that answers every request with a redirect: `/STATUS/PORT` sends the
    client to http://127.0.0.1:PORT/sparql with that status."""

    url: str
    paths: list[str] = field(default_factory=list)

    def endpoint(self, status: int, port: int) -> str:
        return f"{self.url}/{status}/{port}"


@pytest.fixture(scope="module")
def redirector() -> Iterator[Redirector]:
    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            recorder.paths.append(self.path)
            status, port = self.path.strip("/").split("/")[-2:]
            self.send_response(int(status))
            self.send_header("Location", f"http://127.0.0.1:{port.split('?')[0]}/sparql")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    recorder = Redirector(f"http://127.0.0.1:{server.server_address[1]}/redirect")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


# What the stand-in document server answers, by path: status, Content-Type, body. The Turtle
# writes relative IRIs, which must resolve against the document's own IRI.
DOCUMENTS = {
    "/people.ttl": (200, "text/turtle", b'<#dave> <http://example.org/label> "Dave" .'),
    "/broken.ttl": (500, "text/plain", b"the disk is on fire"),
    "/invalid.ttl": (200, "text/turtle", b"<#dave> <http://example.org/label> "),
    "/page.html": (200, "text/html", b"<html>not RDF</html>"),
}


@dataclass
class Documents:
    """A plain HTTP server of RDF documents (and failures), for LOAD."""

    url: str
    paths: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def documents() -> Iterator[Documents]:
    class Serving(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            served.paths.append(self.path)
            status, content_type, body = DOCUMENTS.get(self.path, (404, "text/plain", b"no"))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Serving)
    served = Documents(f"http://127.0.0.1:{server.server_address[1]}")
    with serving_in_thread(server):
        yield served


@pytest.fixture(scope="module")
def federated(server_factory, remote_endpoint, redirector, documents):
    """A server whose allowed SERVICE endpoints (and LOAD sources) are the local Oxigraph
    server, an endpoint that answers with redirects, and a server of documents."""
    return server_factory(extra=_allowing(remote_endpoint, redirector.url, f"{documents.url}/"))


def _allowing(*addresses: str) -> list[str]:
    return [option for address in addresses for option in ("--service-allow", address)]


def test_allowlisted_local_endpoint_is_called(federated, remote_endpoint):
    """SERVICE to an endpoint listed with --service-allow is evaluated and joined."""
    server = federated
    query = (
        f"SELECT ?n ?local WHERE {{ SERVICE <{remote_endpoint}> {{ ?s <{EX}name> ?n }} "
        f"<{EX}bob> <{EX}name> ?local }}"
    )
    rows = server.select(query)
    assert [(row["n"]["value"], row["local"]["value"]) for row in rows] == [("Remote", "Bob")]
    description = requests.get(server.sparql, timeout=30).text
    assert "BasicFederatedQuery" in description


def test_federation_off_when_allowlist_is_empty(server_factory, remote_endpoint):
    server = server_factory(extra=["--service-allow", ""])
    query = f"SELECT * WHERE {{ SERVICE <{remote_endpoint}> {{ ?s ?p ?o }} }}"
    response = requests.get(server.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 400
    assert "federation is off" in response.text
    assert "BasicFederatedQuery" not in requests.get(server.sparql, timeout=30).text


@pytest.mark.parametrize("status", [302, 307])
def test_redirect_of_an_allowed_endpoint_is_refused(
    federated, redirector, connection_recorder, status
):
    """The endpoint is called, its redirect is not followed: 502, and its target sees nothing."""
    endpoint = redirector.endpoint(status, connection_recorder.port)
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    before = len(redirector.paths)
    response = requests.get(federated.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 502, response.text
    assert "redirect was refused" in response.text
    assert endpoint in response.text
    assert f"http://127.0.0.1:{connection_recorder.port}/sparql" in response.text
    # The relay's address (and its secret) stays inside the server.
    named = set(re.findall(r"127\.0\.0\.1:(\d+)", response.text))
    assert named == {str(urlsplit(redirector.url).port), str(connection_recorder.port)}
    assert len(redirector.paths) == before + 1
    assert connection_recorder.connections_so_far() == []


def test_endpoint_error_is_a_bad_gateway_naming_the_endpoint(federated, redirector):
    endpoint = redirector.endpoint(500, 9)
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    response = requests.get(federated.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 502
    assert f"SERVICE <{endpoint}> answered 500" in response.text


def test_silent_service_with_a_redirect_is_empty(federated, redirector, connection_recorder):
    """SERVICE SILENT: the refused redirect leaves one empty solution, the rest is answered."""
    endpoint = redirector.endpoint(302, connection_recorder.port)
    query = (
        f"SELECT ?s ?local WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} "
        f"<{EX}bob> <{EX}name> ?local }}"
    )
    rows = federated.select(query)
    assert rows == [{"local": {"type": "literal", "value": "Bob"}}]
    assert connection_recorder.connections_so_far() == []


def test_syntax_error_after_a_service_is_located_in_the_query_as_sent(federated, remote_endpoint):
    """The engine sees relay IRIs, the client its own text: positions are the client's."""
    query = f"PREFIX r: <{remote_endpoint}>\nSELECT * {{ SERVICE r: {{ ?s ?p ?o }} ?x }}"
    response = requests.get(federated.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 400
    assert "error at 2:40:" in response.text, response.text
    assert "127.0.0.1" not in response.text.replace(remote_endpoint, "")


@pytest.fixture(scope="module")
def memory_server(server_factory, remote_endpoint, redirector, documents):
    """A server over an empty memory store (one process forked per query), with a token."""
    return server_factory(
        extra=[
            "--store",
            "memory:",
            *_allowing(remote_endpoint, redirector.url, f"{documents.url}/"),
        ]
    )


def test_memory_store_queries_and_updates_through_the_relay(
    memory_server, remote_endpoint, redirector, connection_recorder
):
    query = f"SELECT ?n WHERE {{ SERVICE <{remote_endpoint}> {{ ?s <{EX}name> ?n }} }}"
    assert [row["n"]["value"] for row in memory_server.select(query)] == ["Remote"]
    update = (
        f"INSERT {{ ?s <{EX}copied> ?n }} "
        f"WHERE {{ SERVICE <{remote_endpoint}> {{ ?s <{EX}name> ?n }} }}"
    )
    response = requests.post(
        memory_server.sparql, data={"update": update}, headers=memory_server.auth(), timeout=30
    )
    assert response.status_code == 204, response.text
    copied = memory_server.select(f"SELECT ?s ?n WHERE {{ ?s <{EX}copied> ?n }}")
    assert [(row["s"]["value"], row["n"]["value"]) for row in copied] == [(f"{EX}remote", "Remote")]

    endpoint = redirector.endpoint(307, connection_recorder.port)
    refused = f"INSERT {{ ?s <{EX}moved> ?o }} WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    response = requests.post(
        memory_server.sparql, data={"update": refused}, headers=memory_server.auth(), timeout=30
    )
    assert response.status_code == 502
    assert "redirect was refused" in response.text and endpoint in response.text
    assert not memory_server.ask(f"ASK {{ ?s <{EX}moved> ?o }}")
    query = f"SELECT * {{ SERVICE <{endpoint}> {{}} }}"
    response = requests.get(memory_server.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 502 and "redirect was refused" in response.text
    assert connection_recorder.connections_so_far() == []


# -- LOAD ---------------------------------------------------------------------------------------


def write(server, update: str) -> requests.Response:
    return requests.post(
        server.sparql,
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )


def test_load_calls_are_read_with_their_declarations():
    update = (
        "PREFIX d: <http://127.0.0.1:9/docs/>\n"
        "INSERT DATA { <x:a> <x:b> 'LOAD <http://10.0.0.1/>' } ;\n"
        "LOAD d:one.ttl ; load silent <http://127.0.0.1:9/two> INTO GRAPH d:g ;\n"
        "BASE <http://127.0.0.1:9/> LOAD <three> INTO GRAPH <g>"
    )
    calls = load_calls(update)
    assert [(call.iri, call.silent) for call in calls] == [
        ("http://127.0.0.1:9/docs/one.ttl", False),
        ("http://127.0.0.1:9/two", True),
        ("http://127.0.0.1:9/three", False),
    ]
    assert [update[slice(*call.operation)] for call in calls] == [
        "LOAD d:one.ttl",
        "load silent <http://127.0.0.1:9/two> INTO GRAPH d:g",
        "LOAD <three> INTO GRAPH <g>",
    ]


def test_refused_load_silent_does_nothing_and_keeps_every_position():
    update = "LOAD SILENT <http://127.0.0.1:9/x>\n  INTO GRAPH <http://example.org/g> ;\nCLEAR ALL"
    checked = check_loads(update, ALLOW, never_resolve)
    assert checked.startswith("INSERT DATA {}")
    assert checked.index("CLEAR ALL") == update.index("CLEAR ALL")
    assert checked.count("\n") == update.count("\n")
    assert load_calls(checked) == []
    with pytest.raises(ServiceRefused, match="LOAD <file:///etc/passwd> is refused"):
        check_loads("LOAD <file:///etc/passwd>", ("file:///etc/",), never_resolve)


def test_load_from_loopback_or_file_is_refused_by_default(comity_server, connection_recorder):
    """With the default allowlist: 400 naming the IRI and the option, no connection made,
    nothing stored; LOAD SILENT does nothing (204), and contacts nothing either."""
    graph = f"{EX}loaded-by-default"
    for source in (
        f"http://127.0.0.1:{connection_recorder.port}/data.ttl",
        f"http://localhost:{connection_recorder.port}/data.ttl",
        f"http://[::1]:{connection_recorder.port}/data.ttl",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/hostname",
    ):
        response = write(comity_server, f"LOAD <{source}> INTO GRAPH <{graph}>")
        assert response.status_code == 400, (source, response.text)
        assert f"LOAD <{source}> is refused" in response.text
        assert "--service-allow" in response.text
        silent = write(comity_server, f"LOAD SILENT <{source}> INTO GRAPH <{graph}>")
        assert silent.status_code == 204, silent.text
    assert connection_recorder.connections_so_far() == []
    assert not comity_server.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def test_allowlisted_local_document_is_loaded(federated, documents):
    """An address listed with --service-allow is loaded, through the relay: its relative IRIs
    resolve against the document's own IRI."""
    graph = f"{EX}loaded"
    response = write(federated, f"LOAD <{documents.url}/people.ttl> INTO GRAPH <{graph}>")
    assert response.status_code == 204, response.text
    rows = federated.select(f"SELECT ?s ?n WHERE {{ GRAPH <{graph}> {{ ?s <{EX}label> ?n }} }}")
    assert [(row["s"]["value"], row["n"]["value"]) for row in rows] == [
        (f"{documents.url}/people.ttl#dave", "Dave")
    ]
    assert documents.paths[-1] == "/people.ttl"


@pytest.mark.parametrize("status", [302, 307])
def test_load_redirected_to_loopback_is_refused(federated, redirector, connection_recorder, status):
    """The listed source is asked, its redirect to loopback is not followed: 502, nothing
    stored, and the target sees nothing."""
    graph = f"{EX}redirected"
    source = redirector.endpoint(status, connection_recorder.port)
    response = write(federated, f"LOAD <{source}> INTO GRAPH <{graph}>")
    assert response.status_code == 502, response.text
    assert response.text.startswith(f"LOAD <{source}> answered {status}")
    assert "redirect was refused" in response.text
    assert connection_recorder.connections_so_far() == []
    assert not federated.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/broken.ttl", "answered 500 Internal Server Error: the disk is on fire"),
        ("/invalid.ttl", "the Turtle it answered is not valid"),
        ("/page.html", "text/html, which is not an RDF format"),
    ],
)
def test_failing_source_is_a_bad_gateway_and_the_update_writes_nothing(
    federated, documents, path, reason
):
    """The whole update fails with the source's reason: the INSERT before the LOAD is not
    kept either."""
    graph = f"{EX}failed-load"
    update = (
        f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}label> "before" }} }} ;\n'
        f"LOAD <{documents.url}{path}> INTO GRAPH <{graph}>"
    )
    response = write(federated, update)
    assert response.status_code == 502, response.text
    assert response.text.startswith(f"LOAD <{documents.url}{path}>") and reason in response.text
    assert "127.0.0.1" not in response.text.replace(documents.url, "")
    assert not federated.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def test_memory_store_loads_through_the_relay_too(
    memory_server, documents, redirector, connection_recorder
):
    graph = f"{EX}loaded-in-memory"
    response = write(memory_server, f"LOAD <{documents.url}/people.ttl> INTO GRAPH <{graph}>")
    assert response.status_code == 204, response.text
    assert memory_server.ask(f'ASK {{ GRAPH <{graph}> {{ ?s <{EX}label> "Dave" }} }}')
    for source in (
        f"http://127.0.0.1:{connection_recorder.port}/x",
        redirector.endpoint(302, connection_recorder.port),
    ):
        response = write(memory_server, f"LOAD <{source}> INTO GRAPH <{EX}not-loaded>")
        assert response.status_code in (400, 502), response.text
        assert source in response.text and "refused" in response.text
    assert connection_recorder.connections_so_far() == []
    assert not memory_server.ask(f"ASK {{ GRAPH <{EX}not-loaded> {{ ?s ?p ?o }} }}")


# -- the relay itself ---------------------------------------------------------------------------

WIKIDATA = "https://query.wikidata.org/sparql"


@pytest.fixture(scope="module")
def relay() -> Iterator[ServiceRelay]:
    running = ServiceRelay((WIKIDATA, "http://127.0.0.1:9999/"), timeout=5)
    yield running
    running.close()


def relayed_endpoints(relay: ServiceRelay, sparql: str) -> list[str | None]:
    """The endpoints the relay IRIs of a routed text stand for, in order."""
    endpoints = []
    for call in service_calls(sparql):
        assert call.iri is not None and call.iri.startswith(relay.url), call
        endpoints.append(relay.endpoint(urlsplit(call.iri).path))
    return endpoints


def test_route_rewrites_each_service_endpoint_and_nothing_else(relay):
    query = (
        "PREFIX wd: <https://query.wikidata.org/>\n"
        "SELECT * WHERE {\n"
        '  ?s ?p "SERVICE <https://query.wikidata.org/sparql> { }" .  # SERVICE <https://x/>\n'
        "  service <https://query.wikidata.org/sparql> { ?s ?p ?o }\n"
        "  SERVICE SILENT wd:sparql { ?o ?q ?r }\n"
        "}"
    )
    routed = relay.route(query)
    assert relayed_endpoints(relay, routed.sparql) == [WIKIDATA, WIKIDATA]
    assert '"SERVICE <https://query.wikidata.org/sparql> { }"' in routed.sparql
    assert "# SERVICE <https://x/>\n" in routed.sparql
    assert "service <http://127.0.0.1:" in routed.sparql
    assert "SERVICE SILENT <http://127.0.0.1:" in routed.sparql
    # Named back, the text is the client's, the prefixed name written out in full.
    assert routed.message(routed.sparql) == query.replace("wd:sparql", f"<{WIKIDATA}>")


def test_route_leaves_nested_and_absent_services_alone(relay):
    nested = (
        f"SELECT * {{ SERVICE <{WIKIDATA}> {{ SERVICE <{WIKIDATA}/inner> {{ ?s ?p ?o }} }} "
        f"SERVICE <{WIKIDATA}/next> {{ ?a ?b ?c }} }}"
    )
    routed = relay.route(nested)
    assert f"SERVICE <{WIKIDATA}/inner>" in routed.sparql
    assert [call.nested for call in service_calls(nested)] == [False, True, False]
    outer = [call.iri for call in service_calls(routed.sparql) if not call.nested]
    assert [relay.endpoint(urlsplit(iri or "").path) for iri in outer] == [
        WIKIDATA,
        f"{WIKIDATA}/next",
    ]
    plain = "SELECT * WHERE { ?s <http://example.org/service> ?o }"
    assert relay.route(plain).sparql == plain and relay.route(plain).edits == ()


def test_syntax_error_positions_are_mapped_back_to_the_client_text(relay):
    """The engine's own message on the routed text, located as on the client's text."""
    query = (
        "PREFIX wd: <https://query.wikidata.org/>\n"
        f"SELECT * {{ SERVICE wd:sparql {{ ?s ?p ?o }} SERVICE <{WIKIDATA}> {{ }} ?x }}"
    )
    routed = relay.route(query)
    for text in (query, routed.sparql):
        with pytest.raises(SyntaxError) as raised:
            pyoxigraph.Store().query(text)
        if text is query:
            expected = str(raised.value)
        else:
            relayed = str(raised.value)
    assert relayed != expected
    failure = routed.failure(QueryFailed(FailureReason.SYNTAX, relayed))
    assert (failure.reason, failure.message) == ("syntax", expected)
    # An error inside a relay IRI points at the start of the endpoint as the client wrote it.
    inside = QueryFailed(FailureReason.SYNTAX, f"error at 2:{len('SELECT * { SERVICE ') + 5}: x")
    assert routed.failure(inside).message == f"error at 2:{len('SELECT * { SERVICE ') + 1}: x"


def test_relay_answers_404_without_its_secret(relay):
    routed = relay.route(f"SELECT * {{ SERVICE <{WIKIDATA}> {{}} }}")
    relay_iri = service_calls(routed.sparql)[0].iri or ""
    encoded = relay_iri.rsplit("/", 1)[1]
    for path in ("/", f"/{encoded}", f"/not-the-secret/{encoded}", "/sparql?query=ASK%7B%7D"):
        response = requests.post(
            f"http://127.0.0.1:{relay.port}{path}",
            data="ASK {}",
            headers={"Content-Type": "application/sparql-query"},
            timeout=10,
        )
        assert response.status_code == 404, path
        assert "query.wikidata" not in response.text


def test_relay_checks_the_endpoint_again(relay, connection_recorder):
    """A relay IRI for an endpoint not on the allowlist is refused without a connection."""
    endpoint = f"http://127.0.0.1:{connection_recorder.port}/sparql"
    routed = relay.route(f"SELECT * {{ SERVICE <{endpoint}> {{}} }}")
    relay_iri = service_calls(routed.sparql)[0].iri or ""
    response = requests.post(relay_iri, data="ASK {}", timeout=10)
    assert response.status_code == 403
    assert endpoint in response.text and "refused" in response.text
    assert connection_recorder.connections_so_far() == []


# Token soup without PREFIX or BASE, so that every endpoint is named as it is written.
SOUP = st.lists(
    st.sampled_from(
        [
            "SERVICE",
            "service",
            "SILENT",
            f"<{WIKIDATA}>",
            "<sparql>",
            "?e",
            "e:x",
            "{",
            "}",
            '"',
            "'",
            "#",
            "\n",
            "\\",
            '"SERVICE <x>"',
        ]
    ),
    max_size=20,
).map(" ".join)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(SOUP)
def test_route_changes_nothing_but_endpoints(relay, text):
    """Named back, any routed text is the text as written: only endpoint IRIs were replaced,
    and each by a relay IRI that stands for that endpoint."""
    routed = relay.route(text)
    assert routed.message(routed.sparql) == text
    written = [call.iri for call in service_calls(text) if not call.nested and call.iri]
    relayed = [call.iri for call in service_calls(routed.sparql) if not call.nested and call.iri]
    assert [relay.endpoint(urlsplit(iri).path) for iri in relayed] == written


WD, WDT = "http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/"
# Paris Agreement: signed by France (Q142) and Germany (Q183), ratified by France.
WIKIDATA_SHAPED = "".join(
    f"<{WD}Q21707860> <{WDT}{prop}> <{WD}{item}> .\n"
    for prop, item in (("P1891", "Q142"), ("P1891", "Q183"), ("P6193", "Q142"))
)


def test_a_comity_treaty_joins_wikidata_through_its_same_as_link(federated, remote_endpoint):
    """The README's federation example, with the local endpoint standing in for Wikidata:
    the Paris Agreement's owl:sameAs item finds its signatories (P1891) and parties (P6193)."""
    store = remote_endpoint.rsplit("/", 1)[0] + "/store?default"
    response = requests.post(
        store,
        data=WIKIDATA_SHAPED.encode(),
        headers={"Content-Type": "application/n-triples"},
        timeout=30,
    )
    response.raise_for_status()
    query = f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?state ?ratified WHERE {{
  <https://w3id.org/comity/id/treaty/paris-agreement> owl:sameAs ?item .
  SERVICE <{remote_endpoint}> {{
    ?item wdt:P1891 ?signatory .
    OPTIONAL {{ ?item wdt:P6193 ?signatory . BIND(true AS ?ratified) }}
  }}
  ?state owl:sameAs ?signatory .
}}"""
    rows = federated.select(query)
    found = {(row["state"]["value"], "ratified" in row) for row in rows}
    assert found == {
        ("https://w3id.org/comity/id/state/FRA", True),
        ("https://w3id.org/comity/id/state/DEU", False),
    }
