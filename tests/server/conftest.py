"""Fixtures only the server's tests use: a headless Chromium, and `comity serve` over the sample
texts, each started once per test module that asks for it."""

import queue
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import graph
from loaders import load_paths
from tests.server.chromium import CHROMIUM, CHROMIUM_FLAGS, DevTools
from tests.server_fixtures import start_server, stop_process, stop_server

SAMPLES = sorted(
    path
    for path in (Path(__file__).parents[2] / "loaders" / "samples").iterdir()
    if path.suffix in (".txt", ".md", ".csv")
)


def devtools_port(process: subprocess.Popen) -> int:
    """The port Chromium's DevTools server listens on, from the line Chromium writes once it
    listens. The rest of Chromium's output is read and dropped, so that its pipe never fills."""
    found: queue.Queue[int | None] = queue.Queue()

    def read() -> None:
        for line in process.stderr:
            if match := re.search(r"DevTools listening on ws://[^/]+:(\d+)/", line):
                found.put(int(match.group(1)))
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        port = found.get(timeout=30)
    except queue.Empty:
        raise RuntimeError("chromium did not start its DevTools server in 30 s") from None
    if port is None:
        raise RuntimeError("chromium stopped before its DevTools server listened")
    return port


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    """A headless Chromium with its own profile, and a DevTools connection to its one page."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    try:
        port = devtools_port(process)
        targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(target for target in targets if target["type"] == "page")
        devtools = DevTools(page["webSocketDebuggerUrl"])
        devtools.call("Page.enable")
        devtools.call("Runtime.enable")
        yield devtools
        devtools.close()
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def sample_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, graph.KnowledgeGraph]]:
    """`comity serve` over the sample texts, and an in-memory copy of the same graph to count
    what the pages should show."""
    root = tmp_path_factory.mktemp("pages")
    with graph.open(f"oxigraph:{root / 'store'}") as knowledge_graph:
        assert load_paths(knowledge_graph, SAMPLES).ok
    counting = graph.open("memory:")
    assert load_paths(counting, SAMPLES).ok
    server = start_server(root / "store", root / "server.log", token=None)
    yield server.url, counting
    stop_server(server)
    counting.close()
