"""Real `comity serve` processes on free ports, over a store preloaded with known data, and the
helpers that start and stop them; tests/conftest.py makes fixtures of them for every layer.
"""

import collections
import contextlib
import ctypes
import os
import select
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

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
    """A local port free a moment ago: for a client that must find nothing listening, or a
    server started through `on_a_free_port`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PortTaken(RuntimeError):
    """A server could not listen on the port chosen for it: another process took it first."""


_Started = TypeVar("_Started")
IN_USE = "Address already in use"
"""How `oxigraph serve`, `comity serve` and Virtuoso say that a port is taken."""


def on_a_free_port(start: Callable[[int], _Started], attempts: int = 5) -> _Started:
    """What `start` gives for a port free a moment ago, asked again with another port when it
    raises PortTaken. For servers that cannot listen on port 0 and report the port they got
    (`oxigraph serve`, granian, Virtuoso): a port taken between the choice and the bind costs
    a retry, not a failed test."""
    for _ in range(attempts - 1):
        with contextlib.suppress(PortTaken):
            return start(free_port())
    return start(free_port())


def start_oxigraph(location: Path, port: int) -> subprocess.Popen:
    """`oxigraph serve` over the store at `location`, listening on `port` when this returns;
    PortTaken when another process holds the port. It dies with the test process."""
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        preexec_fn=stop_with_parent,
    )
    wait_for_oxigraph(process, port)
    return process


def oxigraph_binary() -> str:
    """The `oxigraph` server program installed next to this Python, or on the PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the `oxigraph` program is missing: pip install -e '.[test]'")
    return found


def wait_for_oxigraph(process: subprocess.Popen, port: int, timeout: float = 30) -> None:
    """Until `oxigraph serve` (started with `stderr=PIPE, text=True`) answers on `port`.

    Its line "Listening for requests at" comes before it binds the port, so the port is then
    asked until the server answers or stops; a socket another process holds accepts but does
    not answer as Oxigraph does. Its output is read to the end in a thread, so that the pipe
    never fills; what it said ends up in the error when it stops or stays silent.
    """
    assert process.stderr is not None
    said: collections.deque[str] = collections.deque(maxlen=50)
    announced = threading.Event()

    def read() -> None:
        for line in process.stderr:
            said.append(line)
            if "Listening for requests at" in line:
                announced.set()
        announced.set()  # the output has ended: no line will come

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    announced.wait(timeout)
    while process.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            answer = requests.get(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1)
            if answer.ok and "true" in answer.text:
                return
        # Polling the port: no line says the socket is bound.
        time.sleep(0.05)
    process.kill()
    process.wait()
    if any(IN_USE in line for line in said):
        raise PortTaken("".join(said))
    raise RuntimeError(f"oxigraph serve did not start: {''.join(said)}")


def stop_with_parent() -> None:
    """In the child, before exec: die with the test process, even when pytest is killed."""
    parent_death_signal = 1  # PR_SET_PDEATHSIG
    ctypes.CDLL(None, use_errno=True).prctl(parent_death_signal, signal.SIGTERM)


def comity_command() -> list[str]:
    return [str(Path(sys.executable).with_name("comity"))]


class ServerOutput:
    """What a server writes (stdout and stderr), copied line by line into its log file as it
    comes, so that a test can wait for a line rather than poll the file."""

    def __init__(self, stream: IO[bytes], log_path: Path) -> None:
        self._lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self._copier = threading.Thread(target=self._copy, args=(stream, log_path), daemon=True)
        self._copier.start()

    def _copy(self, stream: IO[bytes], log_path: Path) -> None:
        with stream, log_path.open("wb") as log:
            for line in stream:
                log.write(line)
                log.flush()
                with self._changed:
                    self._lines.append(line.decode(errors="replace").rstrip("\n"))
                    self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, done: Callable[[list[str]], bool], timeout: float) -> list[str]:
        """The lines written so far, once `done` holds of them, the output has ended (the
        server and its children are gone) or `timeout` has passed, whichever comes first."""
        with self._changed:
            self._changed.wait_for(lambda: self._ended or done(self._lines), timeout)
            return list(self._lines)

    def join(self, timeout: float) -> None:
        """Until the last line is in the log file (the server has ended)."""
        self._copier.join(timeout)


@dataclass
class ComityServer:
    """A running `comity serve`: where it listens and how to reach its protocols, and its
    output as it comes when it was started with `follow_output`."""

    url: str
    process: subprocess.Popen
    store_path: Path
    token: str | None
    log_path: Path
    output: ServerOutput | None = None

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


def wait_until_dead(pids: list[int], timeout: float) -> None:
    """Until every process of `pids` has ended or `timeout` has passed, woken by the kernel as
    each one ends: a process's pidfd turns readable once all its threads have exited."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        try:
            descriptor = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(descriptor)


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
    follow_output: bool = False,
) -> ComityServer:
    """Start `comity serve` on a free port and wait until it answers; over the on-disk store
    at `store_path` unless `store` names another (`memory:`). Its output goes to `log_path`,
    through a pipe the test reads as it comes when `follow_output` is set."""
    return on_a_free_port(
        lambda port: _start_server_on(
            port, store_path, log_path, token, extra, store, follow_output
        )
    )


def _start_server_on(
    port: int,
    store_path: Path,
    log_path: Path,
    token: str | None,
    extra: list[str] | None,
    store: str | None,
    follow_output: bool,
) -> ComityServer:
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
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE if follow_output else log_path.open("wb"),
        stderr=subprocess.STDOUT,
        env=environment,
        preexec_fn=stop_with_parent,
    )
    output = ServerOutput(process.stdout, log_path) if process.stdout else None
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if output:
                output.join(timeout=10)
            said = log_path.read_text()
            raise (PortTaken if IN_USE in said else RuntimeError)(f"comity serve exited: {said}")
        try:
            requests.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=30)
            return ComityServer(url, process, store_path, token, log_path, output)
        except (requests.ConnectionError, requests.Timeout):
            # Polling the port: the server's last start-up line comes before its worker
            # listens (granian binds there), so no line says it has started listening.
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
    stop_servers([server])


def stop_servers(servers: list[ComityServer]) -> None:
    """Ask every server to stop at once, then wait for each: they stop side by side."""
    for server in servers:
        server.process.terminate()
    for server in servers:
        stop_process(server.process, grace=15)
        if server.output:
            server.output.join(timeout=10)
