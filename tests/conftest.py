"""Fixtures more than one layer's tests use: a real Oxigraph server, an empty store of every kind,
and real `comity serve` processes over known data. Each folder's conftest.py holds the fixtures
only its own tests use."""

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

# Imported here first, so its asserts must be registered for rewriting before the import.
pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import (  # noqa: E402 - after the rewrite registration
    TOKEN,
    ComityServer,
    free_port,
    preload,
    start_server,
    stop_process,
    stop_server,
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


def oxigraph_binary() -> str:
    """The `oxigraph` server program installed next to this Python, or on the PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the `oxigraph` program is missing: pip install -e '.[test]'")
    return found


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph server on a free local port, with an on-disk store, for the session."""
    location = tmp_path_factory.mktemp("oxigraph-server")
    # The server's log goes to a file: a pipe nobody reads would fill up and stall the server.
    log_path = tmp_path_factory.mktemp("oxigraph-server-log") / "server.log"
    log = log_path.open("wb")
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = OxigraphServer(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            log.close()
            raise RuntimeError(f"oxigraph serve stopped: {log_path.read_text()}")
        try:
            requests.post(server.query_url, data={"query": "ASK {}"}, timeout=2)
            break
        except requests.RequestException:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("oxigraph serve did not answer within 30 s") from None
            time.sleep(0.1)
    try:
        yield server
    finally:
        stop_process(process)
        log.close()


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
    for server in started:
        stop_server(server)


@pytest.fixture(scope="session")
def comity_server(server_factory: Callable[..., ComityServer]) -> ComityServer:
    """One server shared by the protocol tests, with a token, over the known data.

    Tests that write use graphs of their own and never add ex:name, so that the known
    answers stay true whatever order the tests run in.
    """
    return server_factory()


@dataclass
class ConnectionRecorder:
    """A listening socket that records every connection made to it (and answers nothing)."""

    port: int
    connections: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def connection_recorder() -> Iterator[ConnectionRecorder]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    recorder = ConnectionRecorder(listener.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            recorder.connections.append(address)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield recorder
    stop.set()
    thread.join(timeout=2)
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
