"""A query on a sparql+http store given a timeout is abandoned at the deadline: QueryTimeout is
raised in time and the endpoint sees its connection closed, whether it is slow to start
answering or slow to send the answer; through the server, the client gets 503."""

import http.server
import queue
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs

import pytest

import graph
from graph import KnowledgeGraph, QueryTimeout
from ontology.errors import ComityError
from server.app import create_app
from server.config import ServerConfig
from tests.server_fixtures import serving_in_thread

TIMEOUT = 1.0
MARGIN = 1.0
"""Allowance for a loaded machine; far below the endpoint's own delay."""
DELAY = 8.0
"""How long the endpoint takes: much longer than the timeout."""

BOOLEAN_TRUE = b'{"head":{},"boolean":true}'


def wait_for_close(connection: socket.socket, limit: float) -> float | None:
    """The moment the client closes the connection, or None when it stays open for `limit`.
    Only the close wakes the wait (POLLRDHUP), not data the client may send meanwhile."""
    hang_up = select.poll()
    hang_up.register(connection, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
    if hang_up.poll(limit * 1000):
        return time.monotonic()
    return None


@dataclass(frozen=True)
class Request:
    """What the endpoint saw of one slow request: when it came and when its client left."""

    received: float
    closed: float | None


class SlowEndpoint(http.server.BaseHTTPRequestHandler):
    """Answers `ASK {}` at once; a query holding SLOW_HEAD only after DELAY seconds, and one
    holding SLOW_BODY with its head at once but its body a byte at a time."""

    protocol_version = "HTTP/1.1"
    seen: "queue.Queue[Request]"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads what happened from `seen`."""

    def do_POST(self) -> None:
        received = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        sparql = parse_qs(body.decode("utf-8")).get("query", [""])[0]
        if "SLOW_HEAD" in sparql:
            closed = wait_for_close(self.connection, DELAY)
            self.server.seen.put(Request(received, closed))
            if closed is None:
                self.answer(BOOLEAN_TRUE)
            return
        if "SLOW_BODY" in sparql:
            self.send_head(len(BOOLEAN_TRUE))
            try:
                for byte in BOOLEAN_TRUE:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    if wait_for_close(self.connection, DELAY / len(BOOLEAN_TRUE)) is not None:
                        raise ConnectionResetError
            except OSError:
                self.server.seen.put(Request(received, time.monotonic()))
                self.close_connection = True
                return
            self.server.seen.put(Request(received, None))
            return
        self.answer(BOOLEAN_TRUE)

    def send_head(self, length: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def answer(self, payload: bytes) -> None:
        self.send_head(len(payload))
        self.wfile.write(payload)


@pytest.fixture
def endpoint() -> Iterator[http.server.ThreadingHTTPServer]:
    """The slow endpoint on a free local port, in a thread."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowEndpoint)
    server.daemon_threads = True
    server.seen = queue.Queue()
    with serving_in_thread(server):
        yield server


def store_url(server: http.server.ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"sparql+http://{host}:{port}/sparql"


@pytest.fixture
def remote(endpoint) -> Iterator[KnowledgeGraph]:
    """The endpoint as a knowledge graph (read-only: it keeps no vocabulary to install)."""
    with graph.open(store_url(endpoint), read_only=True) as knowledge_graph:
        yield knowledge_graph


def assert_abandoned_in_time(endpoint, started: float) -> None:
    request = endpoint.seen.get(timeout=DELAY + 5)
    assert request.closed is not None, "the endpoint never saw the connection closed"
    assert request.closed - started < TIMEOUT + MARGIN
    assert request.closed - request.received < TIMEOUT + MARGIN


@pytest.mark.parametrize("slow", ["SLOW_HEAD", "SLOW_BODY"])
def test_query_past_its_timeout_is_abandoned(endpoint, remote, slow):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="within 1 s") as raised:
        remote.query(f"ASK {{ ?s ?p ?o }} # {slow}", timeout=TIMEOUT)
    elapsed = time.monotonic() - started
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + MARGIN
    assert isinstance(raised.value, ComityError)
    assert_abandoned_in_time(endpoint, started)


def test_query_within_its_timeout_is_answered(remote):
    assert bool(remote.query("ASK { ?s ?p ?o }", timeout=TIMEOUT))
    # And with no timeout at all, as before.
    assert bool(remote.query("ASK { ?s ?p ?o }"))


def test_server_answers_503_and_closes_the_remote_request(endpoint, remote):
    """The server passes its deadline to the store: the client's 503 comes in time, and the
    request to the endpoint does not outlive it."""
    app = create_app(ServerConfig(store=store_url(endpoint), timeout=TIMEOUT), remote)
    try:
        client = app.test_client()
        started = time.monotonic()
        response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o } # SLOW_HEAD"})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert "time limit of 1 s" in response.get_data(as_text=True)
        assert elapsed < TIMEOUT + MARGIN
        assert_abandoned_in_time(endpoint, started)
        quick = client.get(
            "/sparql",
            query_string={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert quick.status_code == 200
        assert quick.get_json()["boolean"] is True
    finally:
        app.extensions["comity"].close()
