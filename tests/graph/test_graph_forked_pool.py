"""The pool of workers forked from an in-memory store (graph/query_execution.py): after a
write, the idle workers are forked anew in the background, so the next query neither waits
for a fork nor sees the store as it was before the write."""

import threading
import time

import pyoxigraph

from graph.query_execution import ForkedPool, query_within, reserve_workers
from tests.graph.test_graph_query_priority import _children

WRITTEN = pyoxigraph.Quad(
    pyoxigraph.NamedNode("urn:written"),
    pyoxigraph.NamedNode("urn:p"),
    pyoxigraph.Literal("after the fork"),
)


def test_a_write_has_every_idle_worker_forked_again_before_the_next_query(tmp_path) -> None:
    store = pyoxigraph.Store()
    lock = threading.Lock()
    others = _children()  # servers other tests of this process started

    def query(sparql, default_graph, named_graphs, union):
        return store.query(sparql)

    pool = ForkedPool(query, 2, lock)
    try:
        before = _children() - others
        assert len(before) == 2 + reserve_workers(2)
        with lock:
            store.add(WRITTEN)
        pool.store_changed()
        deadline = time.monotonic() + 20
        after = _children() - others
        while (after & before or len(after) < len(before)) and time.monotonic() < deadline:
            # Polling /proc: the kernel tells no process of another's children.
            time.sleep(0.01)
            after = _children() - others
        assert not after & before, "a worker forked before the write is still there"
        assert len(after) == len(before), "the pool has fewer workers than before the write"
        asked = query_within(pool, "ASK { <urn:written> ?p ?o }", 10, str(tmp_path / "a"), "c")
        assert bool(asked), "the query was answered from the store as it was before the write"
        assert _children() - others == after, "the query had a worker forked for it"
    finally:
        pool.close()
