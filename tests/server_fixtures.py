"""Real `comity serve` processes on free ports, over a store preloaded with known data, and the
helpers that start and stop them; tests/conftest.py makes fixtures of them for every layer.
"""

import contextlib
import ctypes
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import requests

import graph

EX = "http://example.org/"
TOKEN = "test-token-1234"

# Known data: two people in the file's own source graph, one more in a named graph it declares.
KNOWN_DATA = """\
@prefix ex: <http://example.org/> .
ex:alice ex:name "Alice" ; ex:knows ex:bob ; ex:age 42 .
ex:bob ex:name "Bob" .
ex:people { ex:carol ex:name "Carol" ; ex:knows ex:alice . }
"""
PEOPLE_GRAPH = EX + "people"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_with_parent() -> None:
    """In the child, before exec: die with the test process, even when pytest is killed."""
    parent_death_signal = 1  # PR_SET_PDEATHSIG
    ctypes.CDLL(None, use_errno=True).prctl(parent_death_signal, signal.SIGTERM)


def comity_command() -> list[str]:
    return [str(Path(sys.executable).with_name("comity"))]


@dataclass
class ComityServer:
    """A running `comity serve`: where it listens and how to reach its protocols."""

    url: str
    process: subprocess.Popen
    store_path: Path
    token: str | None
    log_path: Path

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    @property
    def store(self) -> str:
        return f"{self.url}/store"

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def select(self, query: str, **params: str) -> list[dict]:
        """The bindings of a SELECT, as JSON objects."""
        response = requests.get(
            self.sparql,
            params={"query": query, **params},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]["bindings"]

    def update(self, sparql: str) -> requests.Response:
        """POST an update as an application/sparql-update body, with the server's token."""
        return requests.post(
            self.sparql,
            data=sparql.encode(),
            headers={"Content-Type": "application/sparql-update", **self.auth()},
            timeout=60,
        )

    def ask(self, query: str) -> bool:
        response = requests.get(self.sparql, params={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["boolean"]

    def children(self) -> list[int]:
        """The query worker processes: children of the process that runs the application
        (granian's worker, itself the one child of `comity serve`)."""
        application = _children_of([self.process.pid])
        return _children_of(application)


def descendants(pid: int) -> list[int]:
    """Every process below `pid`: its children, theirs, and so on."""
    found: list[int] = []
    generation = _children_of([pid])
    while generation:
        found += generation
        generation = _children_of(generation)
    return found


def dead(pid: int) -> bool:
    """Gone, or a zombie its parent has not reaped yet with every thread ended (the first
    thread of a process shows as a zombie while the others are still being torn down)."""
    try:
        zombie = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        return zombie and len(list(Path(f"/proc/{pid}/task").iterdir())) <= 1
    except OSError:
        return True


def _children_of(parents: list[int]) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) in parents:
            found.append(int(entry.name))
    return found


def preload(store_path: Path, data_dir: Path) -> None:
    """Put the known data into a new on-disk store through the graph layer."""
    data_dir.mkdir(parents=True, exist_ok=True)
    source = data_dir / "people.trig"
    source.write_text(KNOWN_DATA, encoding="utf-8")
    knowledge_graph = graph.open(f"oxigraph:{store_path}")
    try:
        knowledge_graph.load_rdf(source)
        knowledge_graph.reason()
    finally:
        knowledge_graph.close()


def start_server(
    store_path: Path,
    log_path: Path,
    token: str | None = TOKEN,
    extra: list[str] | None = None,
    store: str | None = None,
) -> ComityServer:
    """Start `comity serve` on a free port and wait until it answers; over the on-disk store
    at `store_path` unless `store` names another (`memory:`)."""
    port = free_port()
    command = [
        *comity_command(),
        "serve",
        "--store",
        store or f"oxigraph:{store_path}",
        "--port",
        str(port),
        *(["--token", token] if token else []),
        *(extra or []),
    ]
    environment = {k: v for k, v in os.environ.items() if k != "COMITY_TOKEN"}
    log = log_path.open("wb")
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        preexec_fn=stop_with_parent,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"comity serve exited: {log_path.read_text()}")
        try:
            requests.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=30)
            return ComityServer(url, process, store_path, token, log_path)
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"comity serve did not start: {log_path.read_text()}")


_Served = TypeVar("_Served", bound=socketserver.BaseServer)


@contextlib.contextmanager
def serving_in_thread(server: _Served) -> Iterator[_Served]:
    """A Python server (a stand-in endpoint, a proxy) answering from a thread until the block
    ends, then shut down and its socket closed."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def stop_process(process: subprocess.Popen, grace: float = 10) -> None:
    """Ask a child process to stop (SIGTERM), and kill it if it has not within `grace` s."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_server(server: ComityServer) -> None:
    stop_process(server.process, grace=15)
