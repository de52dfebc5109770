"""The servers under test: `comity serve`, or `oxigraph serve` for comparison, each started
over a fresh store in a temporary directory on a free local port."""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

TOKEN = "conformance-token"
COMITY_GRAPHS = "https://w3id.org/comity/graph/"
"""Graphs Comity keeps for itself (ontology, reference data, inferences): never test data."""


@dataclass
class Endpoint:
    """A running server: where its protocols are, and how to write to it."""

    kind: str
    base_url: str
    query_url: str
    update_url: str
    store_url: str
    process: subprocess.Popen
    log_path: Path
    token: str | None = None
    own_graphs: str | None = None
    """IRI prefix of the graphs the server manages itself, left out of every comparison."""

    def write_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after a grace period)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: a server left behind by a killed runner stops too."""
    parent_death_signal = 1  # PR_SET_PDEATHSIG
    ctypes.CDLL(None, use_errno=True).prctl(parent_death_signal, signal.SIGTERM)


def _program(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"the `{name}` program is missing: pip install -e '.[test]'")
    return found


def _start(command: list[str], log_path: Path, probe_url: str) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k != "COMITY_TOKEN"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            preexec_fn=_die_with_parent,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: {log_path.read_text(errors='replace')}")
        try:
            requests.get(probe_url, params={"query": "ASK {}"}, timeout=30)
            return process
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{command[0]} did not answer within 90 s")


def start_comity(directory: Path) -> Endpoint:
    """`comity serve` over a new on-disk store (which starts with Comity's own graphs)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = directory / "comity.log"
    command = [
        _program("comity"),
        "serve",
        "--store",
        f"oxigraph:{directory / 'store'}",
        "--port",
        str(port),
        "--token",
        TOKEN,
    ]
    process = _start(command, log_path, f"{url}/sparql")
    return Endpoint(
        "comity",
        url,
        f"{url}/sparql",
        f"{url}/sparql",
        f"{url}/store",
        process,
        log_path,
        TOKEN,
        COMITY_GRAPHS,
    )


def start_oxigraph(directory: Path) -> Endpoint:
    """`oxigraph serve` (the engine's own server) over a new store, for comparison."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = directory / "oxigraph.log"
    command = [
        _program("oxigraph"),
        "serve",
        "--location",
        str(directory / "store"),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    process = _start(command, log_path, f"{url}/query")
    return Endpoint(
        "oxigraph", url, f"{url}/query", f"{url}/update", f"{url}/store", process, log_path
    )
