"""An on-disk store served from an in-memory copy (`--serve-from memory`): the copy answers
as the disk does after every kind of write, a write that fails reaches neither, an update that
would not repeat the same is read afresh from the disk, and a slow query is still stopped."""

import time
from pathlib import Path

import pyoxigraph
import pytest
import requests

import graph
from server.app import _serves_from_memory
from server.config import ServerConfig
from tests.server_fixtures import EX, stop_server


@pytest.fixture(scope="module")
def copied(server_factory):
    return server_factory(extra=["--serve-from", "memory", "--timeout", "3"])


def update(server, sparql: str) -> requests.Response:
    return requests.post(server.sparql, data={"update": sparql}, headers=server.auth(), timeout=60)


def disk_quads(server) -> set[pyoxigraph.Quad]:
    snapshot = graph.open(f"oxigraph:{server.store_path}", read_only=True)
    try:
        return set(snapshot._backend._store.quads_for_pattern(None, None, None, None))
    finally:
        snapshot.close()


def served_quads(server) -> set[tuple[str, str, str, str]]:
    rows = server.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {tuple(row[k]["value"] for k in "gspo") for row in rows}


def as_rows(quads: set[pyoxigraph.Quad]) -> set[tuple[str, str, str, str]]:
    """Named-graph quads as the endpoint lists them (the hidden union graph aside)."""
    return {
        (q.graph_name.value, q.subject.value, q.predicate.value, q.object.value)
        for q in quads
        if isinstance(q.graph_name, pyoxigraph.NamedNode)
        and not q.graph_name.value.endswith("/union")
        and not isinstance(q.subject, pyoxigraph.BlankNode)
        and not isinstance(q.object, pyoxigraph.BlankNode)
    }


def without_blank_nodes(rows: set[tuple[str, str, str, str]], quads) -> set:
    blank = {q.subject.value for q in quads if isinstance(q.subject, pyoxigraph.BlankNode)}
    blank |= {q.object.value for q in quads if isinstance(q.object, pyoxigraph.BlankNode)}
    return {row for row in rows if row[1] not in blank and row[3] not in blank}


def test_every_kind_of_write_reaches_the_copy_as_it_reaches_the_disk(copied):
    assert update(copied, f'INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}x> <{EX}name> "Xena" }} }}').ok
    assert update(copied, f"DELETE WHERE {{ GRAPH <{EX}g1> {{ <{EX}x> ?p ?o }} }}").ok
    put = requests.put(
        copied.store,
        params={"graph": f"{EX}g2"},
        data=f'<{EX}y> <{EX}name> "Yan" .',
        headers={**copied.auth(), "Content-Type": "application/n-triples"},
        timeout=60,
    )
    assert put.status_code in (200, 201, 204), put.text
    assert update(copied, f"COPY <{EX}g2> TO <{EX}g3>").ok
    names = {row["n"]["value"] for row in copied.select(f"SELECT ?n {{ ?s <{EX}name> ?n }}")}
    assert names == {"Alice", "Bob", "Carol", "Yan"}
    quads = disk_quads(copied)
    served = served_quads(copied)
    assert without_blank_nodes(served, quads) == as_rows(quads)


def test_a_failed_write_reaches_neither(copied):
    before = served_quads(copied)
    assert update(copied, "INSERT DATA { this is not sparql }").status_code == 400
    assert update(copied, f"INSERT DATA {{ GRAPH <{EX}union-probe> {{ <{EX}a> <{EX}b> 1 }} }}").ok
    assert served_quads(copied) - before == {(f"{EX}union-probe", f"{EX}a", f"{EX}b", "1")}


def test_an_update_that_would_not_repeat_is_read_again_from_the_disk(copied):
    stamp = (
        f"INSERT {{ GRAPH <{EX}g4> {{ <{EX}z> <{EX}id> ?u }} }} WHERE {{ BIND(STRUUID() AS ?u) }}"
    )
    assert update(copied, stamp).ok
    [row] = copied.select(f"SELECT ?u {{ GRAPH <{EX}g4> {{ <{EX}z> <{EX}id> ?u }} }}")
    on_disk = [
        q.object.value
        for q in disk_quads(copied)
        if q.predicate.value == f"{EX}id" and q.graph_name == pyoxigraph.NamedNode(f"{EX}g4")
    ]
    assert on_disk == [row["u"]["value"]]
    assert "read again" in copied.log_path.read_text()


def test_a_slow_query_on_the_copy_is_stopped_at_its_deadline(copied):
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    response = requests.get(copied.sparql, params={"query": endless}, timeout=60)
    assert response.status_code == 503 and "time limit" in response.text
    assert time.monotonic() - started < 10
    assert copied.ask("ASK { ?s ?p ?o }")


def test_a_restarted_server_reads_its_copy_from_the_disk(server_factory, tmp_path: Path):
    server = server_factory(extra=["--serve-from", "memory"])
    assert update(server, f'INSERT DATA {{ GRAPH <{EX}kept> {{ <{EX}k> <{EX}name> "Kim" }} }}').ok
    stop_server(server)
    from tests.server_fixtures import start_server

    again = start_server(
        server.store_path, tmp_path / "again.log", extra=["--serve-from", "memory"]
    )
    try:
        assert again.ask(f'ASK {{ <{EX}k> <{EX}name> "Kim" }}')
    finally:
        stop_server(again)


def test_auto_serves_from_disk_when_the_copy_would_not_fit(tmp_path: Path, monkeypatch):
    store = f"oxigraph:{tmp_path / 'store'}"
    graph.open(store).close()
    monkeypatch.setattr("server.app._available_memory", lambda: 1024)
    assert not _serves_from_memory(ServerConfig(store=store, serve_from="auto"))
    monkeypatch.setattr("server.app._available_memory", lambda: 2**34)
    assert _serves_from_memory(ServerConfig(store=store, serve_from="auto"))
    assert not _serves_from_memory(ServerConfig(store=store, serve_from="disk"))
