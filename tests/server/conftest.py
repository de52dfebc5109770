"""Fixtures only the server's tests use: a headless Chromium, and `comity serve` over the sample
texts, each started once per test module that asks for it."""

import subprocess
import time
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


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    """A headless Chromium with its own profile, and a DevTools connection to its one page."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Chromium writes the port it picked into the profile once DevTools listens.
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not start its DevTools server")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
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
