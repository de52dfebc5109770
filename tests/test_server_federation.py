"""SERVICE: allowed endpoints are called, every other one is refused before any connection."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from ontology.errors import ComityError
from server.federation import ServiceRefused, check_services

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX, free_port, stop_process, stop_with_parent  # noqa: E402 - after the rewrite registration

pytest_plugins = ["tests.server_fixtures"]


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
    """Non-allowlisted, loopback and file: endpoints: 400 with a message, no connection made."""
    targets = [
        f"http://127.0.0.1:{connection_recorder.port}/sparql",
        f"http://localhost:{connection_recorder.port}/sparql",
        "file:///etc/passwd",
        "http://example.invalid/sparql",
    ]
    for target in targets:
        for silent in ("", "SILENT "):
            query = f"SELECT * WHERE {{ SERVICE {silent}<{target}> {{ ?s ?p ?o }} }}"
            response = requests.get(federated.sparql, params={"query": query}, timeout=30)
            assert response.status_code == 400, target
            assert target in response.text and "--service-allow" in response.text
    time.sleep(0.3)
    assert connection_recorder.connections == []


@pytest.fixture(scope="module")
def remote_endpoint(tmp_path_factory):
    """An `oxigraph serve` holding one known triple, to be called through SERVICE."""
    location = tmp_path_factory.mktemp("remote")
    port = free_port()
    binary = Path(sys.executable).with_name("oxigraph")
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=stop_with_parent,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.post(
                f"{url}/store?default",
                data=f'<{EX}remote> <{EX}name> "Remote" .',
                headers={"Content-Type": "application/n-triples"},
                timeout=5,
            ).raise_for_status()
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.2)
    yield f"{url}/query"
    stop_process(process)


@pytest.fixture(scope="module")
def federated(server_factory, remote_endpoint):
    """A server whose only allowed SERVICE endpoint is the local Oxigraph server."""
    return server_factory(extra=["--service-allow", remote_endpoint])


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
