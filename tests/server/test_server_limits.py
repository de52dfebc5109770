"""Limits: a slow query or update is really stopped at its deadline, results past --max-rows
are an error, bodies past --max-body are 413, and the server keeps serving through all of it."""

import gzip
import http.client
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests

from graph.query_execution import (
    YIELDING_NICENESS,
    ProcessStarter,
    WorkerQueue,
    die_with_server,
)
from server.app import create_app
from server.config import ServerConfig

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import (  # noqa: E402 - after the rewrite registration
    EX,
    TOKEN,
    wait_until_dead,
)


@pytest.fixture(scope="module")
def limited(server_factory):
    """One server with small limits for every test here, answering queries from disk with its
    pool of worker processes (tests/server/test_server_memory_copy.py covers the in-memory copy)."""
    return server_factory(
        extra=["--timeout", "3", "--max-rows", "5", "--max-body", "2000", "--serve-from", "disk"]
    )


# Three copies of every triple of the store joined with each other: billions of rows.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def cpu_ticks(pid: int) -> int | None:
    """User + system CPU ticks of a process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def lowered_worker(pids: list[int], seconds: float = 10) -> int | None:
    """The process among `pids` evaluating a long query: the one with a thread at the lowest
    CPU priority, to which a query drops after its first moments (graph/query_execution.py)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in pids:
            try:
                tasks = list(Path(f"/proc/{pid}/task").iterdir())
                for task in tasks:
                    fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                    if int(fields[16]) == YIELDING_NICENESS:
                        return pid
            except OSError:
                continue  # the process or thread ended while being read
        # Polling /proc: the kernel signals no change of a thread's priority.
        time.sleep(0.02)
    return None


def busiest(pids: list[int], interval: float = 0.5) -> tuple[int, int]:
    """The process using the most CPU over an interval, and its ticks in it."""
    before = {pid: cpu_ticks(pid) or 0 for pid in pids}
    time.sleep(interval)  # CPU use is only seen over an interval
    used = {pid: (cpu_ticks(pid) or 0) - before[pid] for pid in pids}
    pid = max(used, key=used.get)
    return pid, used[pid]


def in_background(
    send: Callable[[], requests.Response],
) -> tuple[threading.Thread, dict[str, object]]:
    """Send a request from another thread; its status, text and seconds land in the dict."""
    outcome: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        response = send()
        outcome.update(
            status=response.status_code,
            text=response.text,
            seconds=time.monotonic() - started,
        )

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_slow_query_is_stopped_at_its_deadline(limited):
    """timeout=1: the query is answered 503 after about a second, its worker is killed (its
    CPU freed), and another client's query meanwhile is answered promptly."""
    workers = limited.children()
    thread, outcome = in_background(
        lambda: requests.get(limited.sparql, params={"query": ENDLESS, "timeout": "1"}, timeout=60)
    )
    worker = lowered_worker(workers)
    assert worker is not None, "no worker was evaluating the slow query"
    started = time.monotonic()
    quick = limited.select(f"SELECT ?n WHERE {{ <{EX}bob> <{EX}name> ?n }}")
    assert [row["n"]["value"] for row in quick] == ["Bob"]
    assert time.monotonic() - started < 2.5, "a simple query waited for the slow one"
    thread.join(timeout=30)
    assert outcome["status"] == 503
    assert "time limit" in str(outcome["text"])
    assert float(outcome["seconds"]) < 5
    assert cpu_ticks(worker) is None, "the worker that ran the slow query is still alive"
    survivors = limited.children()
    assert worker not in survivors and len(survivors) == len(workers)
    # The replacement worker spends some CPU starting up; the older ones must be idle.
    _, used = busiest([pid for pid in survivors if pid in workers], 0.5)
    assert used <= 5, "a worker still burns CPU after the deadline"
    assert limited.ask("ASK { ?s ?p ?o }")


def test_idle_workers_go_most_recent_first_and_a_new_one_last():
    """The worker that answered last is reused (its caches are warm); a worker started to
    replace a killed one is taken only when no ready worker is idle, so the query after a kill
    does not wait for its start."""
    idle = WorkerQueue(shared=3)
    for started in ("first", "second"):
        idle.put_fresh(started)
    answering = idle.take("a", 1)
    idle.put_recent(answering)
    idle.done("a")
    assert idle.take("a", 1) == answering
    idle.put_recent(answering)
    idle.done("a")
    idle.put_fresh("replacement")
    taken = [idle.take("a", 1), idle.take("a", 1), idle.take("a", 1)]
    assert taken[0] == answering and taken[2] == "replacement"
    assert sorted(taken[:2]) == ["first", "second"]
    started = time.monotonic()
    assert idle.take("a", 0.2) is None
    assert 0.15 < time.monotonic() - started < 5


def test_worker_queue_keeps_the_reserve_for_clients_with_nothing_running():
    """Two shared workers and one in reserve: a client alone takes both shared ones but not
    the reserve, which goes to another client with nothing running."""
    idle = WorkerQueue(shared=2)
    for worker in ("w1", "w2", "w3"):
        idle.put_fresh(worker)
    assert idle.take("bomber", 1) and idle.take("bomber", 1)
    assert idle.take("bomber", 0.1) is None, "one client took the reserve"
    assert idle.take("other", 0.1) is not None
    assert idle.take("third", 0.1) is None, "nothing is left"


def test_worker_queue_serves_the_client_running_fewest_first():
    """When a worker comes back, a waiting query of a client with nothing running goes before
    an earlier query of a client that already runs one."""
    idle = WorkerQueue(shared=1)
    idle.put_fresh("w1")
    idle.put_fresh("w2")
    assert idle.take("a", 1) == "w1"
    assert idle.take("b", 1) is not None  # the reserve: b had nothing running
    order: list[str] = []
    idle._waiting = queued = QueuedTickets()
    waiting_a = threading.Thread(target=lambda: order.append(f"a:{idle.take('a', 10)}"))
    waiting_a.start()
    assert queued.added.acquire(timeout=10), "a's query never queued"
    waiting_c = threading.Thread(target=lambda: order.append(f"c:{idle.take('c', 10)}"))
    waiting_c.start()
    assert queued.added.acquire(timeout=10), "c's query never queued"
    idle.put_recent("back")
    idle.done("b")
    waiting_c.join(timeout=10)
    assert order == ["c:back"], "the query of the client with nothing running went second"
    idle.put_recent("again")
    idle.done("c")
    idle.done("a")  # a's first query ends: a may take a worker again
    waiting_a.join(timeout=10)
    assert order == ["c:back", "a:again"]


class QueuedTickets(list):
    """The queue's list of waiting queries, releasing `added` for each that joins it. A query
    joins under the queue's lock and waits there, so once `added` is acquired nothing else gets
    the lock before that query is waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.added = threading.Semaphore(0)

    def append(self, ticket: tuple[int, str]) -> None:
        super().append(ticket)
        self.added.release()


def query_from(
    server_url: str, address: str, query: str
) -> tuple[threading.Thread, dict[str, object]]:
    """Send a query from a loopback address of its own (any of 127.0.0.0/8 reaches the server),
    so that the server sees a client of its own, in another thread."""
    outcome: dict[str, object] = {}
    parts = urlsplit(server_url)

    def run() -> None:
        started = time.monotonic()
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=60, source_address=(address, 0)
        )
        connection.request(
            "GET",
            f"/sparql?query={quote(query)}",
            headers={"Accept": "application/sparql-results+json"},
        )
        response = connection.getresponse()
        outcome.update(
            status=response.status,
            text=response.read().decode(),
            seconds=time.monotonic() - started,
        )
        connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def wait_until_busy(server, workers: int) -> None:
    """Until `workers` query workers burn CPU (the slow queries have reached them)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pids = server.children()
        before = {pid: cpu_ticks(pid) or 0 for pid in pids}
        time.sleep(0.2)  # CPU use is only seen over an interval
        if sum((cpu_ticks(pid) or 0) > before[pid] for pid in pids) >= workers:
            return
    raise AssertionError(f"{workers} workers never got busy")


def wait_until_idle(server) -> None:
    """Until the workers started in place of killed ones are ready (none burns CPU), so the
    next test's timings do not include their start."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if busiest(server.children(), 0.3)[1] == 0:
            return
    raise AssertionError("the query workers never went idle")


def test_two_clients_bombs_leave_a_worker_for_a_third(limited):
    """Two clients' endless queries hold both shared workers; a third client's trivial query
    is answered at once from the reserve while they still run, and each endless query is
    stopped by the time limit, not refused as busy."""
    bombs = [query_from(limited.url, address, ENDLESS) for address in ("127.0.0.2", "127.0.0.3")]
    wait_until_busy(limited, 2)
    quick = [query_from(limited.url, "127.0.0.4", "ASK { ?s ?p ?o }") for _ in range(5)]
    for thread, outcome in quick:
        thread.join(timeout=30)
        assert outcome["status"] == 200, outcome
    assert all(thread.is_alive() for thread, _ in bombs), "the trivial queries waited for a bomb"
    for thread, outcome in bombs:
        thread.join(timeout=60)
        assert outcome["status"] == 503 and "time limit" in str(outcome["text"]), outcome
    wait_until_idle(limited)


def test_one_client_uses_every_worker_and_waits_within_one_deadline(limited):
    """A client alone runs as many queries at once as there are shared workers; its next
    query waits for one, and waiting counts against its time limit: it is answered 503 when
    the time limit (3 s) is up, not after waiting and then running for 3 s more."""
    bombs = [query_from(limited.url, "127.0.0.5", ENDLESS) for _ in range(2)]
    wait_until_busy(limited, 2)
    third_thread, third = query_from(limited.url, "127.0.0.5", ENDLESS)
    for thread, outcome in bombs:
        thread.join(timeout=60)
        assert outcome["status"] == 503 and "time limit" in str(outcome["text"]), outcome
    third_thread.join(timeout=60)
    assert third["status"] == 503, third
    assert float(third["seconds"]) < 4.5, "waiting and running were timed separately"
    wait_until_idle(limited)


# The same product of every graph's triples, counted inside an update (whose default graph is
# the store's own, empty here): CPU-bound for minutes, with no memory growth.
ENDLESS_UPDATE = (
    f"INSERT {{ GRAPH <{EX}endless> {{ <{EX}product> <{EX}size> ?n }} }} WHERE {{ "
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } "
    "GRAPH ?z { ?g ?h ?i } } }"
)


def test_slow_update_is_stopped_and_writes_nothing(limited):
    """--timeout 3 holds for updates too: 503, the process evaluating it is killed, nothing of
    it is written, queries go on meanwhile, and the next update is applied."""
    authorised = {"Authorization": f"Bearer {TOKEN}"}
    children = limited.children()
    thread, outcome = in_background(
        lambda: requests.post(
            limited.sparql, data={"update": ENDLESS_UPDATE}, headers=authorised, timeout=60
        )
    )
    # No event says a process has taken the update: the busiest is measured once it has had time
    # to land, so that the query workers' own start does not count.
    time.sleep(0.5)
    writer, ticks = busiest(children, 0.3)
    assert ticks > 0, "no process was evaluating the update"
    started = time.monotonic()
    assert [
        row["n"]["value"] for row in limited.select(f"SELECT ?n {{ <{EX}bob> <{EX}name> ?n }}")
    ] == ["Bob"]
    assert time.monotonic() - started < 2.5, "a query waited for the slow update"
    thread.join(timeout=30)
    assert outcome["status"] == 503, outcome
    assert "time limit" in str(outcome["text"]) and "nothing" in str(outcome["text"])
    assert float(outcome["seconds"]) < 8
    assert cpu_ticks(writer) is None, "the process evaluating the update is still alive"
    assert not limited.ask(f"ASK {{ GRAPH <{EX}endless> {{ ?s ?p ?o }} }}")

    small = f'INSERT DATA {{ GRAPH <{EX}after> {{ <{EX}x> <{EX}name> "after" }} }}'
    response = requests.post(limited.sparql, data={"update": small}, headers=authorised, timeout=60)
    assert response.status_code == 204, response.text
    assert limited.ask(f'ASK {{ GRAPH <{EX}after> {{ <{EX}x> <{EX}name> "after" }} }}')
    drop = requests.post(
        limited.sparql, data={"update": f"DROP GRAPH <{EX}after>"}, headers=authorised, timeout=60
    )
    assert drop.status_code == 204


def store_writer(server) -> int:
    """The server's writer process: the one child holding the store's lock file open."""
    lock = str(server.store_path / "LOCK")
    for pid in server.children():
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(descriptor) == lock:
                    return pid
            except OSError:
                continue
    raise AssertionError("no child process holds the store's lock")


def test_a_writer_that_dies_is_replaced_and_nothing_is_lost(limited):
    """The writer killed from outside between two updates: the next update starts a new one
    and is applied; what was written before is still there."""
    authorised = {"Authorization": f"Bearer {TOKEN}"}

    def insert(name: str) -> None:
        update = f'INSERT DATA {{ GRAPH <{EX}survivors> {{ <{EX}{name}> <{EX}name> "{name}" }} }}'
        response = requests.post(
            limited.sparql, data={"update": update}, headers=authorised, timeout=60
        )
        assert response.status_code == 204, response.text

    insert("before")
    writer = store_writer(limited)
    os.kill(writer, signal.SIGKILL)
    wait_until_dead([writer], timeout=10)
    insert("after")
    assert store_writer(limited) != writer
    names = limited.select(f"SELECT ?n {{ GRAPH <{EX}survivors> {{ ?s <{EX}name> ?n }} }}")
    assert sorted(row["n"]["value"] for row in names) == ["after", "before"]
    drop = requests.post(
        limited.sparql,
        data={"update": f"DROP GRAPH <{EX}survivors>"},
        headers=authorised,
        timeout=60,
    )
    assert drop.status_code == 204


def test_result_past_max_rows_is_an_error(limited):
    """--max-rows: a larger result is 422 naming the limit, never a truncated 200."""

    response = requests.get(
        limited.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30
    )
    assert response.status_code == 422
    assert "5 rows" in response.text and "--max-rows" in response.text and "LIMIT" in response.text
    graph = requests.get(
        limited.sparql,
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "text/turtle"},
        timeout=30,
    )
    assert graph.status_code == 422
    exact = requests.get(
        limited.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}, timeout=30
    )
    assert exact.status_code == 200
    assert len(exact.json()["results"]["bindings"]) == 5


def test_oversized_body_is_413(limited):
    """--max-body: a request body past the limit is 413 and the server goes on serving."""

    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 3000
    response = requests.post(
        limited.sparql,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert response.status_code == 413
    form = requests.post(limited.sparql, data={"query": query}, timeout=30)
    assert form.status_code == 413
    assert limited.ask("ASK { ?s ?p ?o }")


def send_chunked(
    server, method: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    """Send a body with `Transfer-Encoding: chunked` and no Content-Length, in pieces of 500
    bytes as a streaming client would; the status and text of the answer."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        pieces = (body[start : start + 500] for start in range(0, len(body), 500))
        connection.request(method, path, body=pieces, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def graph_names(server, graph: str) -> set[str]:
    rows = server.select(f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?s <{EX}label> ?n }} }}")
    return {row["n"]["value"] for row in rows}


UPDATE_HEADERS = {
    "Content-Type": "application/sparql-update",
    "Authorization": f"Bearer {TOKEN}",
}


def test_chunked_update_past_the_limit_is_413_and_runs_nothing(limited):
    """A chunked DELETE DATA ; INSERT DATA longer than --max-body (2000) is refused whole: the
    DELETE before the cut does not run either."""
    graph = f"{EX}chunked-update"
    setup = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}label> "old" }} }}'
    assert send_chunked(limited, "POST", "/sparql", setup.encode(), UPDATE_HEADERS)[0] == 204
    # The cut at the limit falls inside the comment: what comes before it is a valid update.
    update = (
        f'DELETE DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}label> "old" }} }} ;\n'
        f"# {'x' * 2500}\n"
        f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}label> "new" }} }}'
    )
    status, text = send_chunked(limited, "POST", "/sparql", update.encode(), UPDATE_HEADERS)
    assert status == 413, text
    assert "limit of 2000 bytes" in text and "nothing was run" in text
    assert graph_names(limited, graph) == {"old"}


def test_chunked_graph_store_put_past_the_limit_is_413_and_changes_nothing(limited):
    """Two triples straddling the limit: the graph keeps what it held, not the first one."""
    graph = f"{EX}chunked-put"
    first = f'<{EX}a> <{EX}label> "before" .\n'.encode()
    headers = {"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"}
    path = f"/store?graph={quote(graph, safe='')}"
    assert send_chunked(limited, "PUT", path, first, headers)[0] == 201
    # The cut falls inside the comment between them, so the part before it parses.
    straddling = (
        f'<{EX}b> <{EX}label> "first" .\n# {"y" * 2500}\n<{EX}c> <{EX}label> "second" .\n'
    ).encode()
    status, text = send_chunked(limited, "PUT", path, straddling, headers)
    assert status == 413, text
    assert graph_names(limited, graph) == {"before"}


def test_chunked_bodies_within_the_limit_work(limited):
    graph = f"{EX}chunked-small"
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}label> "{"w" * 1500}" }} }}'
    assert len(update) < 2000
    status, text = send_chunked(limited, "POST", "/sparql", update.encode(), UPDATE_HEADERS)
    assert status == 204, text
    assert graph_names(limited, graph) == {"w" * 1500}
    headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"}
    turtle = f'<{EX}b> <{EX}label> "put" .'.encode()
    path = f"/store?graph={quote(graph, safe='')}"
    assert send_chunked(limited, "PUT", path, turtle, headers)[0] == 204
    assert graph_names(limited, graph) == {"put"}
    query = {"Content-Type": "application/sparql-query", "Accept": "application/json"}
    status, text = send_chunked(limited, "POST", "/sparql", b"ASK { ?s ?p ?o }", query)
    assert (status, json.loads(text)["boolean"]) == (200, True)


def test_compressed_body_is_415_and_runs_nothing(limited):
    """The server decodes no content coding: a gzip body is refused, never read as SPARQL."""
    graph = f"{EX}compressed"
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}label> "packed" }} }}'
    response = requests.post(
        limited.sparql,
        data=gzip.compress(update.encode()),
        headers={**UPDATE_HEADERS, "Content-Encoding": "gzip"},
        timeout=30,
    )
    assert response.status_code == 415, response.text
    assert "Content-Encoding: gzip" in response.text
    assert response.headers["Accept-Encoding"] == "identity"
    assert graph_names(limited, graph) == set()


def test_declared_length_past_the_limit_names_the_limit(limited):
    update = f'INSERT DATA {{ <{EX}a> <{EX}label> "{"v" * 2500}" }}'
    response = requests.post(
        limited.sparql, data=update.encode(), headers=UPDATE_HEADERS, timeout=30
    )
    assert response.status_code == 413
    assert "limit of 2000 bytes" in response.text and "nothing was run" in response.text


def test_client_timeout_cannot_exceed_the_server_limit(limited):
    """timeout= may only ask for less: a larger value is capped at --timeout."""

    started = time.monotonic()
    response = requests.get(limited.sparql, params={"query": ENDLESS, "timeout": "100"}, timeout=60)
    assert response.status_code == 503
    assert time.monotonic() - started < 10
    assert "3 s" in response.text


@pytest.fixture(scope="module")
def memory_app():
    """The application over an in-memory store, through Flask's test client."""
    app = create_app(ServerConfig(store="memory:", timeout=3, token=TOKEN))
    yield app
    app.extensions["comity"].close()


def test_memory_store_query_runs_in_a_forked_child(memory_app):
    """memory: queries run in a forked child, so they too are stopped at the deadline."""
    client = memory_app.test_client()
    update = client.post(
        "/sparql",
        data={"update": f"INSERT DATA {{ GRAPH <{EX}m> {{ <{EX}m> <{EX}name> 'M' }} }}"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert update.status_code == 204
    found = client.get("/sparql", query_string={"query": f"SELECT ?n {{ ?s <{EX}name> ?n }}"})
    assert found.status_code == 200
    assert [row["n"]["value"] for row in found.json["results"]["bindings"]] == ["M"]
    started = time.monotonic()
    slow = client.get("/sparql", query_string={"query": ENDLESS})
    assert slow.status_code == 503
    assert time.monotonic() - started < 8
    answers = memory_app.extensions["comity"].answers.path
    assert list(answers.iterdir()) == [], "answer files were left behind"


def test_remote_store_queries_run_in_process(oxigraph_server):
    """sparql+http stores: the remote endpoint evaluates and its answer is passed on.

    (Its deadline is not exercised here: the remote endpoint would go on computing an endless
    query after the 503, and that server is shared with other tests.)"""
    oxigraph_server.clear()
    app = create_app(ServerConfig(store=oxigraph_server.store_locator, timeout=10))
    try:
        client = app.test_client()
        found = client.get(
            "/sparql",
            query_string={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+xml"},
        )
        assert found.status_code == 200
        assert b"<boolean>true</boolean>" in found.data
        bad = client.get("/sparql", query_string={"query": "SELECT * {"})
        assert bad.status_code == 400
    finally:
        app.extensions["comity"].close()


def _live_until_orphaned(ready, questions) -> None:
    """Ask to die with the starting thread, then answer one question, then wait to be killed."""
    die_with_server()
    ready.set()
    questions.send(questions.recv())
    signal.pause()


def _started_from_a_thread_that_ends(
    start,
) -> tuple[multiprocessing.process.BaseProcess, multiprocessing.connection.Connection]:
    """A child that dies with its starting thread, started by `start` from a thread that
    ends once the child has asked for that, as a request thread of the HTTP server may; and
    a connection on which the child answers one question once that thread has ended."""
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    questions, child_end = context.Pipe()
    child = context.Process(target=_live_until_orphaned, args=(ready, child_end), daemon=True)

    def start_and_wait() -> None:
        start(child)
        assert ready.wait(10), "the child did not start"

    thread = threading.Thread(target=start_and_wait)
    thread.start()
    thread.join()
    return child, questions


def test_children_outlive_the_request_thread_that_asked_for_them():
    """Workers replaced from a request thread must not die when that thread is retired."""
    starter = ProcessStarter()
    try:
        kept, questions = _started_from_a_thread_that_ends(starter.start)
        bare, _ = _started_from_a_thread_that_ends(lambda child: child.start())
        bare.join(timeout=10)
        assert bare.exitcode == -signal.SIGKILL, "the kernel kept a child of an ended thread"
        # The signal that killed the bare child was sent when its thread ended, after the kept
        # child's thread had: an answer now shows the kept child was spared, not just slow.
        questions.send("alive?")
        assert questions.poll(10) and questions.recv() == "alive?"
        assert kept.is_alive()
    finally:
        kept.kill()
        kept.join()
        starter.close()
