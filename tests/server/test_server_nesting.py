"""Deeply nested requests are refused (400) before anything parses them, on a `memory:` store
(whose data lives in the serving process) and on an `oxigraph:` store alike, and the server goes
on answering with its data intact."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from graph.sparql_inspection import nesting_error

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import (  # noqa: E402 - after the rewrite registration
    EX,
    ComityServer,
    preload,
    start_server,
    stop_server,
)

DEEP = 5000

QUERY_BOMBS = {
    "braces": "SELECT * WHERE " + "{" * DEEP + " ?s ?p ?o " + "}" * DEEP,
    "parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * DEEP + "?o" + ")" * DEEP + ") }",
    "nested OPTIONALs": "SELECT * WHERE { ?s ?p ?o "
    + "OPTIONAL { ?s ?p ?o " * DEEP
    + "}" * DEEP
    + " }",
    "chained OPTIONALs": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * DEEP + "}",
    "15,000-term ||": "SELECT * WHERE { ?s ?p ?o FILTER("
    + " || ".join(f"?o = {i}" for i in range(15_000))
    + ") }",
    "escaped braces": "SELECT * WHERE " + "\\u007B" * DEEP + " ?s ?p ?o " + "}" * DEEP,
}
UPDATE_BOMBS = {
    "braces": f"INSERT {{ <{EX}x> <{EX}y> <{EX}z> }} WHERE " + "{" * DEEP + "}" * DEEP,
    "15,000-term ||": "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER("
    + " || ".join(f"?o = {i}" for i in range(15_000))
    + ") }",
}
KNOWN = f'ASK {{ <{EX}alice> <{EX}name> "Alice" }}'


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ComityServer]:
    """A server over the known data: a `memory:` store filled by an update, or an on-disk store
    answering queries from disk (its worker processes parse them)."""
    root = tmp_path_factory.mktemp("nesting")
    if request.param == "memory":
        started = start_server(root / "unused", root / "server.log", store="memory:")
        insert = f'INSERT DATA {{ <{EX}alice> <{EX}name> "Alice" }}'
        written = requests.post(
            started.sparql, data={"update": insert}, headers=started.auth(), timeout=30
        )
        assert written.status_code == 204, written.text
    else:
        preload(root / "store", root / "data")
        started = start_server(root / "store", root / "server.log", extra=["--serve-from", "disk"])
    yield started
    stop_server(started)


def assert_refused_and_still_serving(server: ComityServer, response: requests.Response) -> None:
    assert response.status_code == 400, response.text
    assert "nests more than 200 levels" in response.text
    assert server.process.poll() is None
    assert server.ask(KNOWN)


@pytest.mark.parametrize("bomb", QUERY_BOMBS)
def test_a_deeply_nested_query_is_refused(server: ComityServer, bomb: str) -> None:
    response = requests.post(server.sparql, data={"query": QUERY_BOMBS[bomb]}, timeout=60)
    assert_refused_and_still_serving(server, response)


@pytest.mark.parametrize("bomb", UPDATE_BOMBS)
def test_a_deeply_nested_update_is_refused(server: ComityServer, bomb: str) -> None:
    response = requests.post(
        server.sparql,
        data=UPDATE_BOMBS[bomb].encode(),
        headers={**server.auth(), "Content-Type": "application/sparql-update"},
        timeout=60,
    )
    assert_refused_and_still_serving(server, response)


def test_nesting_within_the_limit_is_answered(server: ComityServer) -> None:
    """Just under the limit, and any amount of brackets inside strings, IRIs and comments."""
    within = "ASK WHERE " + "{" * 199 + f' <{EX}alice> <{EX}name> "Alice" ' + "}" * 199
    assert server.ask(within)
    quoted = f'ASK {{ <{EX}alice> <{EX}name> ?n FILTER(?n != "{"{" * DEEP}") }} # {"(" * DEEP}'
    assert server.ask(quoted)
    chained = (
        f"ASK {{ <{EX}alice> <{EX}name> ?n FILTER("
        + " || ".join(f'?n = "{i}"' for i in range(150))
        + ' || ?n = "Alice") }'
    )
    assert server.ask(chained)


def test_the_limit_is_the_servers_setting(tmp_path: Path) -> None:
    server = start_server(
        tmp_path, tmp_path / "server.log", store="memory:", extra=["--max-nesting", "10"]
    )
    try:
        response = requests.get(
            server.sparql, params={"query": "ASK " + "{" * 11 + "}" * 11}, timeout=30
        )
        assert response.status_code == 400
        assert "nests more than 10 levels" in response.text
        assert server.ask("ASK " + "{" * 10 + "}" * 10)
    finally:
        stop_server(server)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("SELECT * { " + "{" * 201 + "}" * 201 + " }", True),
        ("SELECT * { " + "{" * 199 + "}" * 199 + " }", False),
        ("SELECT * { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 201 + "}", True),
        ("SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * 150) + " }", False),
        ("SELECT * { ?s " + "/".join(["<urn:p>"] * 201) + " ?o }", True),
        ("SELECT * { ?s ?p ?o FILTER(" + "!" * 201 + "?o) }", True),
        ("INSERT DATA { " + " ".join(f"<urn:s> <urn:p> -{i} ." for i in range(5000)) + " }", False),
        ('SELECT * { ?s ?p "' + "{" * 500 + '" }', False),
        ("SELECT * { ?s ?p <urn:" + "(" * 500 + "> }", False),
    ],
)
def test_what_counts_as_nesting(text: str, refused: bool) -> None:
    assert (nesting_error(text, 200) is not None) == refused
