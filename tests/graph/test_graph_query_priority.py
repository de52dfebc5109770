"""A query that runs long yields the CPU: its evaluation drops to the lowest priority, so that
short queries and the server itself keep theirs while it runs (graph/query_execution.py)."""

import os
import threading
import time
from pathlib import Path

import pyoxigraph

from graph.query_execution import YIELDING_NICENESS, ForkedPool, query_within

EX = "http://example.org/"
# A product of sets of 300, 300 and 20: 1.8 million rows to count, about a second's work.
LONG = "SELECT (COUNT(*) AS ?n) { ?a <urn:p> ?x . ?b <urn:p> ?y . ?c <urn:q> ?z }"


def _store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for predicate, count in (("urn:p", 300), ("urn:q", 20)):
        store.extend(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode(f"{EX}{i}"),
                pyoxigraph.NamedNode(predicate),
                pyoxigraph.Literal(str(i)),
            )
            for i in range(count)
        )
    return store


def _children() -> set[int]:
    """The process ids of this process's children."""
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue  # it ended while being read
            if int(fields[1]) == os.getpid():
                children.add(int(entry.name))
    return children


def _threads_niceness(processes: set[int]) -> dict[int, int]:
    """Every thread of these processes, by thread id, with its niceness."""
    found: dict[int, int] = {}
    for process in processes:
        try:
            for task in Path(f"/proc/{process}/task").iterdir():
                stat = (task / "stat").read_text().rpartition(")")[2].split()
                found[int(task.name)] = int(stat[16])  # field 19 of proc(5): nice
        except OSError:
            continue  # it ended while being read
    return found


def test_a_long_query_drops_to_the_lowest_priority_and_a_short_one_does_not(tmp_path) -> None:
    store = _store()
    # Servers that other tests of this process started are children too: only the pool's
    # own workers are looked at.
    others = _children()

    def query(sparql, default_graph, named_graphs, union):
        return store.query(sparql)

    pool = ForkedPool(query, 2, threading.Lock())
    try:
        counted: list[object] = []

        def long_query() -> None:
            counted.extend(query_within(pool, LONG, 30, str(tmp_path / "long"), client="long"))

        running = threading.Thread(target=long_query)
        running.start()
        deadline = time.monotonic() + 10
        lowered: list[int] = []
        while not lowered and time.monotonic() < deadline and running.is_alive():
            lowered = [
                tid
                for tid, nice in _threads_niceness(_children() - others).items()
                if nice == YIELDING_NICENESS
            ]
            # Polling /proc: the kernel signals no change of a thread's priority.
            time.sleep(0.01)
        assert lowered, "the long query kept the server's priority"
        # Meanwhile a short query is answered.
        answered = query_within(pool, "ASK { ?s <urn:p> ?o }", 10, str(tmp_path / "ask"), "other")
        assert bool(answered)
        running.join()
        assert counted[0]["n"].value == str(300 * 300 * 20), "the lowered query still finished"
        # Only the query's own thread was lowered: the workers' next jobs start at the
        # server's priority.
        # The query's thread has returned, but the kernel may list it a moment longer.
        deadline = time.monotonic() + 5
        workers = _threads_niceness(_children() - others)
        while any(workers.values()) and time.monotonic() < deadline:
            # Polling /proc: the kernel signals no thread's end to another process.
            time.sleep(0.01)
            workers = _threads_niceness(_children() - others)
        assert workers and all(nice == 0 for nice in workers.values())
    finally:
        pool.close()
