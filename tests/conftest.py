"""Fixtures more than one layer's tests use: a real Oxigraph server, an empty store of every kind,
and real `comity serve` processes over known data. Each folder's conftest.py holds the fixtures
only its own tests use."""

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

# Imported here first, so its asserts must be registered for rewriting before the import.
pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import (  # noqa: E402 - after the rewrite registration
    TOKEN,
    ComityServer,
    on_a_free_port,
    preload,
    start_oxigraph,
    start_server,
    stop_process,
    stop_servers,
)


@dataclass(frozen=True)
class OxigraphServer:
    """A running `oxigraph serve`: its base URL and its SPARQL endpoints."""

    base_url: str

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/store"

    @property
    def store_locator(self) -> str:
        """The Comity store URL for this server."""
        return f"sparql+{self.query_url}"

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        """Empty every graph but those in `keep`, so that each test starts from nothing."""
        if keep:
            kept = ", ".join(f"<{graph}>" for graph in keep)
            update = (
                "DROP SILENT DEFAULT ; DELETE { GRAPH ?g { ?s ?p ?o } } "
                f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({kept})) }}"
            )
        else:
            update = "DROP SILENT ALL"
        response = requests.post(
            self.update_url,
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        )
        response.raise_for_status()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph server on a free local port, with an on-disk store, for the session."""
    location = tmp_path_factory.mktemp("oxigraph-server")
    process, port = on_a_free_port(lambda port: (start_oxigraph(location, port), port))
    try:
        yield OxigraphServer(f"http://127.0.0.1:{port}")
    finally:
        stop_process(process)


STORE_KINDS = ["memory", "oxigraph", "sparql"]


@pytest.fixture(params=STORE_KINDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store of each kind: in memory, on disk, behind a SPARQL server."""
    if request.param == "memory":
        return "memory:"
    if request.param == "oxigraph":
        return f"oxigraph:{tmp_path / 'store'}"
    from ontology import GRAPH_ONTOLOGY, GRAPH_REFERENCE

    server: OxigraphServer = request.getfixturevalue("oxigraph_server")
    # What a new store starts with may stay: opening checks it by content hash.
    server.clear(keep=(GRAPH_ONTOLOGY, GRAPH_REFERENCE))
    return server.store_locator


@pytest.fixture(scope="session")
def server_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., ComityServer]]:
    """Start servers over fresh preloaded stores; all are stopped at the end of the session."""
    started: list[ComityServer] = []

    def start(token: str | None = TOKEN, extra: list[str] | None = None) -> ComityServer:
        root = tmp_path_factory.mktemp("comity-server")
        preload(root / "store", root / "data")
        server = start_server(root / "store", root / "server.log", token, extra)
        started.append(server)
        return server

    yield start
    stop_servers(started)


@pytest.fixture(scope="session")
def comity_server(server_factory: Callable[..., ComityServer]) -> ComityServer:
    """One server shared by the protocol tests, with a token, over the known data.

    Tests that write use graphs of their own and never add ex:name, so that the known
    answers stay true whatever order the tests run in.
    """
    return server_factory()


class ConnectionRecorder:
    """A listening socket that records every connection made to it (and answers nothing)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._accepted: list[tuple[str, int]] = []
        self._probes: set[int] = set()
        self._changed = threading.Condition()

    def record(self, address: tuple[str, int]) -> None:
        with self._changed:
            self._accepted.append(address)
            self._changed.notify_all()

    def connections_so_far(self) -> list[tuple[str, int]]:
        """Every connection made to the recorder before this call, its own probes left out.

        Rather than wait a while for a late connection, the recorder connects to itself and
        waits until it has accepted that probe: the kernel hands connections over in the order
        they were made, so any made before the probe has been recorded by then."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as probe:
            address = probe.getsockname()
            with self._changed:
                assert self._changed.wait_for(lambda: address in self._accepted, 10)
                self._probes.add(len(self._accepted) - 1 - self._accepted[::-1].index(address))
                return [
                    accepted
                    for index, accepted in enumerate(self._accepted)
                    if index not in self._probes
                ]


@pytest.fixture
def connection_recorder() -> Iterator[ConnectionRecorder]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    recorder = ConnectionRecorder(listener.getsockname()[1])

    def accept() -> None:
        while True:
            try:
                connection, address = listener.accept()
            except OSError:  # the listener is shut down: the test is over
                return
            recorder.record(address)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield recorder
    listener.shutdown(socket.SHUT_RDWR)
    thread.join(timeout=10)
    listener.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly when tests that need a real Chromium or Virtuoso did not run, and why:
    a green run without them has not checked the query page in a browser or that backend."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = sorted(
        {
            str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
            for report in skipped
        }
    )
    missing = [
        reason for reason in reasons if "chromium" in reason.lower() or "virtuoso" in reason.lower()
    ]
    if missing:
        terminalreporter.write_sep("!", "tests of real parts were SKIPPED", red=True, bold=True)
        for reason in missing:
            terminalreporter.write_line(f"  {reason}", red=True)
        terminalreporter.write_line(
            "  .ci/run installs them (apt-get install chromium virtuoso-opensource)", red=True
        )
