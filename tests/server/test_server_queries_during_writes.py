"""Queries go on while a write runs: a server answering from its in-memory copy forks a new
query worker without waiting for the writer process's commit and reasoning, which leave the
copy as the last write left it until they end."""

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.server_fixtures import EX, ComityServer, serving_in_thread

DOCUMENT = b'<http://example.org/held> <http://example.org/label> "loaded at last" .'


class HeldDocument(ThreadingHTTPServer):
    """One Turtle document, answered only once the test lets it go: a LOAD of it is a write
    that lasts as long as the test wants."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), HeldHandler)
        self.asked = threading.Event()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class HeldHandler(BaseHTTPRequestHandler):
    server: HeldDocument

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.server.asked.set()
        self.server.release.wait(timeout=60)
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(DOCUMENT)))
        self.end_headers()
        self.wfile.write(DOCUMENT)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def held_document() -> Iterator[HeldDocument]:
    with serving_in_thread(HeldDocument()) as server:
        yield server
        server.release.set()


def test_a_query_needing_a_new_worker_does_not_wait_for_a_running_write(
    server_factory: Callable[..., ComityServer], held_document: HeldDocument
):
    server = server_factory(
        extra=["--serve-from", "memory", "--service-allow", held_document.url, "--timeout", "20"]
    )
    # A first write: every query worker forked before it retires, so the next query forks.
    written = server.update(f"INSERT DATA {{ GRAPH <{EX}during> {{ <{EX}a> <{EX}b> <{EX}c> }} }}")
    assert written.status_code == 204, written.text
    loading: dict[str, requests.Response] = {}
    writer = threading.Thread(
        target=lambda: loading.update(
            answer=server.update(f"LOAD <{held_document.url}doc.ttl> INTO GRAPH <{EX}held>")
        )
    )
    writer.start()
    try:
        assert held_document.asked.wait(timeout=30), "the LOAD never asked for its document"
        # The write is running now, and stays so until the document is let go.
        answer = requests.get(
            server.sparql,
            params={"query": f"ASK {{ GRAPH <{EX}during> {{ <{EX}a> <{EX}b> <{EX}c> }} }}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["boolean"] is True
        still_loading = requests.get(
            server.sparql,
            params={"query": f"ASK {{ GRAPH <{EX}held> {{ ?s ?p ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        assert still_loading.json()["boolean"] is False, "a write half done must not be seen"
    finally:
        held_document.release.set()
        writer.join(timeout=60)
    assert loading["answer"].status_code == 204, loading["answer"].text
    done = requests.get(
        server.sparql,
        params={"query": f"ASK {{ GRAPH <{EX}held> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert done.json()["boolean"] is True
