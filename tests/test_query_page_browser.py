"""The query page in a real headless Chromium, against a real server on a socket.

Chromium is driven over the DevTools protocol with a small websocket client, so nothing is
downloaded: the browser is the system's `chromium`, and the test is skipped when it is absent.
"""

import base64
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket

import graph
from tests.server_fixtures import start_server, stop_process, stop_server
from tests.test_server_pages import SENTENCE, load_sample

CHROMIUM = shutil.which("chromium")
BAD_QUERY = "SELECT ?s WHERE { ?s ?p }"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1280,1000",
]


class DevTools:
    """Just enough of the Chrome DevTools Protocol to drive one page: call, evaluate, click."""

    def __init__(self, websocket_url: str) -> None:
        # Without an Origin header: Chromium refuses DevTools sockets from origins it was not
        # told to allow, and a local client has no origin to claim.
        self.connection = websocket.create_connection(
            websocket_url, timeout=30, suppress_origin=True
        )
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        self.connection.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.connection.recv())
            if message.get("id") != message_id:
                continue  # an event we did not subscribe to on purpose
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            return message["result"]

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """Poll a JavaScript expression until it is truthy; its value, or a clear failure."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout} s: {expression}")
            time.sleep(0.1)

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element, as a person would make it."""
        box = self.wait_for(
            f"""(() => {{
              const element = document.querySelector({json.dumps(selector)});
              if (!element) return null;
              element.scrollIntoView({{block: "center"}});
              // The first box of the element: a link that wraps has no text at its centre.
              const rect = element.getClientRects()[0];
              return {{x: rect.left + rect.width / 2, y: rect.top + rect.height / 2}};
            }})()"""
        )
        for event in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                type=event,
                x=box["x"],
                y=box["y"],
                button="left",
                clickCount=1,
            )

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot")["data"]))

    def close(self) -> None:
        self.connection.close()


def replace_query(browser: DevTools, text: str) -> None:
    """Put a query into the editor the way typing would: the value changes, `input` fires."""
    browser.evaluate(
        f"""(() => {{
          const editor = document.getElementById('query');
          editor.value = {json.dumps(text)};
          editor.dispatchEvent(new Event('input'));
        }})()"""
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
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `comity serve` (query page, /sparql, /id pages) over the sample press release."""
    root = tmp_path_factory.mktemp("browser")
    knowledge_graph = graph.open(f"oxigraph:{root / 'store'}")
    try:
        load_sample(knowledge_graph)
    finally:
        knowledge_graph.close()
    server = start_server(root / "store", root / "server.log", token=None)
    yield server.url
    stop_server(server)


def test_run_an_example_and_follow_a_result_to_its_page(browser: DevTools, server_url: str) -> None:
    browser.navigate(f"{server_url}/")
    assert browser.evaluate("document.getElementById('query').value.startsWith('PREFIX comity:')")

    # Pick the evidence example from the list and run it with the button.
    browser.evaluate(
        """(() => {
          const select = document.getElementById('example');
          select.value = 'evidence';
          select.dispatchEvent(new Event('change'));
        })()"""
    )
    assert browser.evaluate("document.getElementById('query').value.includes('comity:evidence')")
    browser.click("#run")
    rows = browser.wait_for("document.querySelectorAll('#results tbody tr').length")
    assert rows == 1
    headers = browser.evaluate(
        "[...document.querySelectorAll('#results thead th')].map(th => th.textContent)"
    )
    assert headers == ["#", "ratification", "state", "sentence", "document", "title"]
    status = browser.evaluate("document.getElementById('status').textContent")
    assert status.startswith("1 row in ") and status.endswith(" ms")
    downloads = browser.evaluate(
        "[...document.querySelectorAll('#downloads a')].map(a => a.dataset.format)"
    )
    assert downloads == ["json", "xml", "csv", "tsv"]
    status_code, content_type, csv = browser.evaluate(
        """fetch(document.querySelector('#downloads a[data-format=csv]').href)
             .then(async r => [r.status, r.headers.get('Content-Type'), await r.text()])"""
    )
    assert status_code == 200
    assert content_type.startswith("text/csv")
    assert SENTENCE in csv

    # Resources under the base are relative links to their pages on this server.
    href = browser.evaluate(
        "document.querySelector('#results tbody td:nth-child(3) a').getAttribute('href')"
    )
    assert href == "/id/state/FRA"
    browser.click("#results tbody td:nth-child(5) a")
    browser.wait_for("location.pathname.startsWith('/id/document/')")
    browser.wait_for("document.readyState === 'complete' && !!document.querySelector('h1')")
    assert "Cybercrime" in browser.evaluate("document.querySelector('h1').textContent")


def test_a_bad_query_shows_the_servers_message(browser: DevTools, server_url: str) -> None:
    browser.navigate(f"{server_url}/")
    replace_query(browser, BAD_QUERY)
    browser.click("#run")
    message = browser.wait_for("document.querySelector('#error .error-box')?.textContent")
    # The page shows the server's own explanation, as the endpoint gives it to any client.
    direct = requests.post(f"{server_url}/sparql", data={"query": BAD_QUERY}, timeout=10)
    assert direct.status_code == 400
    assert message.startswith("400")
    assert direct.text.strip() in message
    assert browser.evaluate("document.querySelectorAll('#results tr').length") == 0


def test_describe_shows_triples_and_offers_rdf_downloads(
    browser: DevTools, server_url: str
) -> None:
    browser.navigate(f"{server_url}/")
    browser.click("[data-example='describe']")
    browser.wait_for("document.getElementById('query').value.includes('DESCRIBE')")
    browser.click("#run")
    rows = browser.wait_for("document.querySelectorAll('#results tbody tr').length")
    assert rows > 1
    headers = browser.evaluate(
        "[...document.querySelectorAll('#results thead th')].map(th => th.textContent)"
    )
    assert headers == ["#", "subject", "predicate", "object"]
    status = browser.evaluate("document.getElementById('status').textContent")
    assert status.startswith(f"{rows} triples in ")
    # Literals carry their language tag, and the subject links to the treaty's page.
    assert browser.evaluate(
        "[...document.querySelectorAll('#results .tag')].some(t => t.textContent === '@en')"
    )
    assert (
        browser.evaluate(
            "document.querySelector('#results tbody td:nth-child(2) a').getAttribute('href')"
        )
        == "/id/treaty/ets-185"
    )
    # Comity's own properties link to their entry on the ontology page.
    assert browser.evaluate(
        """[...document.querySelectorAll('#results tbody td:nth-child(3) a')]
             .some(a => a.getAttribute('href') === '/ontology#treatyNumber')"""
    )
    downloads = browser.evaluate(
        "[...document.querySelectorAll('#downloads a')].map(a => a.dataset.format)"
    )
    assert downloads == ["ttl", "nt", "jsonld", "rdfxml"]
