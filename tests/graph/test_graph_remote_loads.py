"""`comity load` into a remote store that refuses a batch, times out, or dies part way: the
command names the source and the request, exits non-zero, and a rerun completes the load,
the source replaced whole. Against a real `oxigraph serve`, directly or behind a small proxy
that makes it a single-endpoint SPARQL server (so that writes go in batches of updates)."""

import http.server
import select
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

import graph
from graph.sources import LOADED_AT
from tests.conftest import OxigraphServer
from tests.server_fixtures import (
    comity_command,
    on_a_free_port,
    serving_in_thread,
    start_oxigraph,
    stop_process,
)

EX = "http://example.org/"
MARKER = "the request carrying this literal is refused"
STATEMENTS = 2400
BATCH = 500


class Proxy(http.server.ThreadingHTTPServer):
    """One `/sparql` URL for queries and updates, in front of an Oxigraph server; an update
    holding `misbehave_on` is refused (HTTP 500), never answered (`how` "stall"), or kills the
    server and cuts the connection (`how` "die")."""

    daemon_threads = True

    def __init__(self, upstream: OxigraphServer, kill: Callable[[], None] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream = upstream
        self.kill = kill
        self.misbehave_on: bytes | None = None
        self.how = "refuse"

    @property
    def store_locator(self) -> str:
        return f"sparql+http://127.0.0.1:{self.server_address[1]}/sparql?batch={BATCH}"


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: Proxy

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        is_update = self.headers.get("Content-Type", "").startswith("application/sparql-update")
        if is_update and self.server.misbehave_on and self.server.misbehave_on in body:
            if self.server.how == "refuse":
                self.send_error(500, "refused by the test")
                return
            if self.server.how == "stall":
                # Never answered: held until the client gives up and hangs up.
                hang_up = select.poll()
                hang_up.register(self.connection, select.POLLRDHUP | select.POLLHUP)
                hang_up.poll(30_000)
            elif self.server.kill is not None:
                self.server.kill()
            self.close_connection = True
            return
        upstream = self.server.upstream
        try:
            response = requests.post(
                upstream.update_url if is_update else upstream.query_url,
                data=body,
                headers={
                    key: value
                    for key, value in self.headers.items()
                    if key in ("Content-Type", "Accept")
                },
                timeout=60,
            )
        except requests.ConnectionError:  # the server is dead: so is the connection
            self.close_connection = True
            return
        self.send_response(response.status_code)
        self.send_header("Content-Type", response.headers.get("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        self.wfile.write(response.content)

    def log_message(self, format: str, *args: object) -> None:
        pass


def write_source(path: Path, statements: int = STATEMENTS, marked: int | None = None) -> Path:
    lines = [
        f'<{EX}s{number}> <{EX}p> "{MARKER if number == marked else number}" .'
        for number in range(statements)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def comity_load(store_url: str, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*comity_command(), "load", "--store", store_url, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=240,
    )


def content(store_url: str) -> dict[str, set[str]]:
    """Each source graph's statements (but the loading time), as strings."""
    with graph.open(store_url, read_only=True) as store:
        rows = store.query(
            "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            'FILTER(STRSTARTS(STR(?g), "https://w3id.org/comity/graph/source/")) }'
        )
        found: dict[str, set[str]] = {}
        for row in rows:
            if row["p"] != LOADED_AT:
                found.setdefault(row["g"].value, set()).add(f"{row['s']} {row['p']} {row['o']}")
        return found


def expected_content(tmp_path: Path, *paths: Path) -> dict[str, set[str]]:
    embedded = f"oxigraph:{tmp_path / 'embedded'}"
    assert comity_load(embedded, *paths).returncode == 0
    return content(embedded)


@pytest.mark.parametrize("how", ["refuse", "stall", "die"])
def test_a_refused_unanswered_or_dying_batch_is_named_and_a_rerun_completes(
    request: pytest.FixtureRequest, tmp_path: Path, how: str
):
    if how == "die":
        own = request.getfixturevalue("own_oxigraph")
        proxy = Proxy(own.server, own.kill)
    else:
        from ontology import GRAPH_ONTOLOGY, GRAPH_REFERENCE

        upstream = request.getfixturevalue("oxigraph_server")
        upstream.clear(keep=(GRAPH_ONTOLOGY, GRAPH_REFERENCE))
        proxy = Proxy(upstream)
    with serving_in_thread(proxy):
        check_failure_then_rerun(proxy, tmp_path, how)
        if how == "die":
            own.start()
        proxy.misbehave_on = None
        source = tmp_path / "big-source.nt"
        rerun = comity_load(proxy.store_locator, source)
        assert rerun.returncode == 0, rerun.stderr
        assert content(proxy.upstream.store_locator) == expected_content(tmp_path, source)


def check_failure_then_rerun(proxy: Proxy, tmp_path: Path, how: str) -> None:
    source = write_source(tmp_path / "big-source.nt", marked=1700)
    proxy.misbehave_on, proxy.how = MARKER.encode(), how
    store_url = proxy.store_locator + ("&timeout=1" if how == "stall" else "")
    failed = comity_load(store_url, source)
    assert failed.returncode != 0
    # 2,400 statements and 7 of metadata: a DROP, then 5 batches; the fifth holds the marker.
    assert "request 1 of 6 done" in failed.stderr
    [failure] = [line for line in failed.stderr.splitlines() if line.startswith("failed:")]
    assert "big-source.nt" in failure and "request 5 of 6" in failure
    assert "statements 1501-2000" in failure and "load again" in failure
    if how == "stall":
        assert "no answer within 1 s" in failure
    elif how == "refuse":
        assert "HTTP 500" in failure
    else:
        assert "connection refused, cut" in failure
        return
    held = content(proxy.upstream.store_locator)
    assert 0 < sum(map(len, held.values())) < STATEMENTS
    # The part that was written says it is part: its source is listed as incomplete.
    with graph.open(proxy.upstream.store_locator, read_only=True) as store:
        [listed] = store.sources()
        assert listed.path == "big-source.nt" and not listed.complete
        assert not store.inferred_current()


class OwnOxigraph:
    """An Oxigraph server of one test alone, which the test may kill and start again on the
    same port (the port it first got)."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.process, self.port = on_a_free_port(
            lambda port: (start_oxigraph(location, port), port)
        )
        self.server = OxigraphServer(f"http://127.0.0.1:{self.port}")

    def start(self) -> None:
        """Start again after a kill."""
        self.process = start_oxigraph(self.location, self.port)

    def kill(self) -> None:
        """Die at once, as a crashed server does."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@pytest.fixture
def own_oxigraph(tmp_path: Path) -> Iterator[OwnOxigraph]:
    own = OwnOxigraph(tmp_path / "server-data")
    yield own
    if own.process is not None:
        stop_process(own.process)


def test_a_store_dying_part_way_fails_the_load_and_a_rerun_completes(
    own_oxigraph: OwnOxigraph, tmp_path: Path
):
    sources = [
        write_source(tmp_path / f"part-{number}.nt", statements=1200) for number in range(12)
    ]
    store_url = f"{own_oxigraph.server.store_locator}?batch=300"
    load = subprocess.Popen(
        [*comity_command(), "load", "--store", store_url, *map(str, sources)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert load.stderr is not None
    seen = []
    for line in load.stderr:
        seen.append(line)
        if "done" in line:  # a first source is written: the server dies
            own_oxigraph.kill()
            break
    seen += load.stderr.readlines()
    output = "".join(seen)
    assert load.wait(timeout=120) != 0, output
    failures = [line for line in seen if line.startswith("failed:")]
    assert failures and all("part-" in line for line in failures), output
    assert "check that the server is running" in output

    own_oxigraph.start()
    expected = expected_content(tmp_path, *sources)
    # What the dead server kept: each source whole, or listed as incomplete; no graph that no
    # source claims.
    held = content(own_oxigraph.server.store_locator)
    with graph.open(own_oxigraph.server.store_locator, read_only=True) as store:
        listed = {source.graph: source for source in store.sources()}
    assert set(held) <= set(listed)
    whole = [iri for iri, source in listed.items() if source.complete]
    assert all(held[iri] == expected[iri] for iri in whole), (
        listed,
        {k: len(v) for k, v in held.items()},
    )
    assert listed, "the first request was written"
    rerun = comity_load(store_url, *sources)
    assert rerun.returncode == 0, rerun.stderr
    assert content(own_oxigraph.server.store_locator) == expected
