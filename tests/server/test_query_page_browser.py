"""The query page in a real headless Chromium (tests/server/chromium.py), against a real server
on a socket; skipped when the system has no `chromium`."""

import json
from collections.abc import Iterator

import pytest
import requests

import graph
from tests.server.chromium import CHROMIUM, DevTools
from tests.server.test_server_pages import SENTENCE, load_sample
from tests.server_fixtures import start_server, stop_server

BAD_QUERY = "SELECT ?s WHERE { ?s ?p }"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


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
