"""Remote stores that are other engines: `comity load` of the sample corpus into a real
Virtuoso 7 and a real `oxigraph serve` answers as the embedded store does, and Virtuoso's
limits on one update request are what the default batch stays below.

Virtuoso comes from the Debian package `virtuoso-opensource` (.ci/run installs it); without
it these tests are skipped. Each session starts its own Virtuoso in a temporary directory, on
free ports, and stops it at the end.
"""

import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph
import pytest
import requests

import graph
from graph.remote import DEFAULT_BATCH_STATEMENTS, RemoteStore
from ontology import GRAPH_INFERRED
from ontology.errors import ComityError
from tests.conftest import OxigraphServer
from tests.server_fixtures import (
    PortTaken,
    comity_command,
    free_port,
    on_a_free_port,
    stop_process,
    stop_with_parent,
)

SAMPLES = Path(__file__).resolve().parents[2] / "loaders" / "samples"
EX = "http://example.org/"

VIRTUOSO_INI = """\
[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .

[HTTPServer]
ServerPort = {http_port}
ServerRoot = .
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
; The default (10000) silently cuts longer answers, such as the reasoner's whole-store read.
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its SPARQL endpoint, which anyone may update."""

    sparql_url: str

    @property
    def store_locator(self) -> str:
        return f"sparql+{self.sparql_url}"


def start_virtuoso(
    program: str, directory: Path, log: BinaryIO, http_port: int
) -> tuple[subprocess.Popen, int, Virtuoso]:
    """Virtuoso over the database in `directory`, answering on `http_port` when this returns,
    and the SQL port it listens on; PortTaken when another process holds either port."""
    sql_port = free_port()
    (directory / "virtuoso.ini").write_text(
        VIRTUOSO_INI.format(sql_port=sql_port, http_port=http_port)
    )
    process = subprocess.Popen(
        [program, "+foreground", "+configfile", "virtuoso.ini"],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=stop_with_parent,
    )
    server = Virtuoso(f"http://127.0.0.1:{http_port}/sparql")
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            said = (directory / "console.log").read_text(errors="replace")[-2000:]
            # Virtuoso says "Failed HTTP listen at PORT." (or the same of its SQL port).
            if any(
                "fail" in line.lower() and "listen" in line.lower() for line in said.splitlines()
            ):
                raise PortTaken(said)
            raise RuntimeError(f"virtuoso-t stopped: {said}")
        try:
            if requests.get(server.sparql_url, params={"query": "ASK {}"}, timeout=2).ok:
                return process, sql_port, server
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError("Virtuoso did not answer within 60 s")
        # Polling the port: Virtuoso's log has no line saying its web endpoint listens.
        time.sleep(0.2)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A fresh Virtuoso for the session, its SPARQL user allowed to update."""
    program, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if program is None or isql is None:
        pytest.skip(
            "Virtuoso is not installed (apt-get install virtuoso-opensource gives virtuoso-t "
            "and isql-vt; .ci/run installs it)"
        )
    directory = tmp_path_factory.mktemp("virtuoso")
    log = (directory / "console.log").open("wb")
    process, sql_port, server = on_a_free_port(
        lambda http_port: start_virtuoso(program, directory, log, http_port)
    )
    try:
        # A new database's administrator is dba/dba; the web endpoint runs as user SPARQL.
        subprocess.run(
            [isql, str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield server
    finally:
        stop_process(process, grace=30)
        log.close()


QUERIES = {
    "ratifications per treaty": """
        SELECT ?treaty (COUNT(DISTINCT ?act) AS ?n) WHERE {
          GRAPH ?g { ?act a c:Ratification ; c:treaty ?treaty }
        } GROUP BY ?treaty""",
    "ratifications": """
        SELECT ?act ?treaty ?state ?date WHERE {
          GRAPH ?g { ?act a c:Ratification ; c:treaty ?treaty ; c:actor ?state ; c:date ?date }
        }""",
    "members": """
        SELECT ?organisation ?member ?since ?until WHERE {
          GRAPH ?g {
            ?m a c:Membership ; org:organization ?organisation ; org:member ?member
            OPTIONAL { ?m c:since ?since } OPTIONAL { ?m c:until ?until }
          }
        }""",
    "sources": """
        SELECT ?g ?doc ?hash ?count WHERE {
          GRAPH ?g { ?doc c:contentHash ?hash ; c:tripleCount ?count }
          FILTER(STRSTARTS(STR(?g), "https://w3id.org/comity/graph/source/"))
        }""",
    "statements per graph": """
        SELECT ?g (COUNT(*) AS ?n) WHERE {
          GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/comity/graph/"))
        } GROUP BY ?g""",
    "inferred treaty actions": f"""
        SELECT ?act WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?act a c:TreatyAction }} }}""",
    "inferred members": f"""
        SELECT ?organisation ?member WHERE {{
          GRAPH <{GRAPH_INFERRED}> {{ ?organisation c:hasMember ?member }}
        }}""",
}
PREFIXES = (
    "PREFIX c: <https://w3id.org/comity/ontology#>\nPREFIX org: <http://www.w3.org/ns/org#>\n"
)


def normal(term: object) -> str | None:
    """A term as the embedded store would write it: remote engines keep literal datatypes
    Oxigraph normalises (Virtuoso answers "3"^^xsd:nonNegativeInteger where Oxigraph says
    "3"^^xsd:integer), so literals go through a scratch Oxigraph store."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        scratch = pyoxigraph.Store()
        scratch.add(pyoxigraph.Quad(pyoxigraph.NamedNode(EX), pyoxigraph.NamedNode(EX), term))
        return str(next(iter(scratch)).object)
    return str(term)


def answers(store_url: str) -> dict[str, set[tuple[str | None, ...]]]:
    with graph.open(store_url, read_only=True) as store:
        return {
            name: {tuple(normal(value) for value in row) for row in store.query(PREFIXES + query)}
            for name, query in QUERIES.items()
        }


def comity_load(store_url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*comity_command(), "load", "--store", store_url, str(SAMPLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=240)
    assert process.returncode == 0, f"{' '.join(process.args)} failed:\n{out}\n{err}"
    return err


def test_sample_corpus_answers_alike_in_virtuoso_oxigraph_serve_and_embedded(
    virtuoso: Virtuoso, oxigraph_server: OxigraphServer, tmp_path: Path
):
    oxigraph_server.clear()
    embedded = f"oxigraph:{tmp_path / 'store'}"
    stores = [embedded, oxigraph_server.store_locator, virtuoso.store_locator]
    for process in [comity_load(url) for url in stores]:
        finish(process)
    expected = answers(embedded)
    assert all(expected.values()), {name: len(rows) for name, rows in expected.items()}
    for url in stores[1:]:
        found = answers(url)
        for name in QUERIES:
            assert found[name] == expected[name], (
                f"{url}, {name}: missing {sorted(expected[name] - found[name])[:5]}, "
                f"extra {sorted(found[name] - expected[name])[:5]}"
            )
    # A second load changes nothing, so it writes nothing: no request is logged.
    again = finish(comity_load(virtuoso.store_locator))
    assert "request" not in again


def big_content(statements: int, blank_every: int = 10) -> bytes:
    """N-Triples with a blank node every `blank_every` statements, shared by two lines."""
    lines = []
    for number in range(statements):
        if number % blank_every == 0:
            lines.append(f"_:b{number} <{EX}p> <{EX}s{number}> .")
        elif number % blank_every == 1:
            lines.append(f'_:b{number - 1} <{EX}q> "value {number}" .')
        else:
            lines.append(f'<{EX}s{number}> <{EX}p> "value {number}"@en .')
    return ("\n".join(lines) + "\n").encode()


def statement_count(store: RemoteStore, graph_iri: str) -> int:
    [row] = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}", None, None, False
    )
    return int(row["n"].value)


def test_virtuoso_takes_default_batches_with_blank_nodes_through_sparql_update(
    virtuoso: Virtuoso,
):
    """Without check_reachable, the Graph Store is not known: every write is SPARQL Update."""
    store = RemoteStore(virtuoso.store_locator)
    assert store.store_url is None and store.batch == DEFAULT_BATCH_STATEMENTS
    target = EX + "batched"
    statements = 3 * DEFAULT_BATCH_STATEMENTS + 500
    store.replace_graphs([target], {target: big_content(statements)})
    assert statement_count(store, target) == statements
    # Each blank node stayed one node: its two statements share their subject.
    [row] = store.query(
        f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH <{target}> {{ ?b <{EX}p> ?x ; "
        f"<{EX}q> ?y }} }}",
        None,
        None,
        False,
    )
    assert int(row["n"].value) == statements // 10


def test_virtuoso_refuses_a_batch_past_its_limit_and_the_error_names_it(virtuoso: Virtuoso):
    store = RemoteStore(virtuoso.store_locator + "?batch=6000")
    target = EX + "too-big"
    with pytest.raises(ComityError) as caught:
        store.replace_graphs([target], {target: big_content(7000)})
    message = str(caught.value)
    assert "request 2 of 3" in message and f"<{target}>" in message
    assert "statements 1-" in message and "load again" in message
    assert "HTTP 400" in message and "Virtuoso" in message


def test_virtuoso_graph_store_is_found_and_its_own_graphs_are_hidden(virtuoso: Virtuoso):
    store = RemoteStore(virtuoso.store_locator)
    store.check_reachable()
    assert store.store_url == virtuoso.sparql_url + "-graph-crud"
    target = EX + "put"
    statements = 2 * DEFAULT_BATCH_STATEMENTS
    store.replace_graphs([target], {target: big_content(statements)})
    assert statement_count(store, target) == statements
    assert len(list(store.quads(target))) == statements
    names = store.graph_names()
    assert target in names
    assert not any("openlinksw.com" in name for name in names)
