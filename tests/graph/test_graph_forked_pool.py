"""The pool of workers forked from an in-memory store (graph/query_execution.py): after a
write, the idle workers are forked anew in the background, so the next query neither waits
for a fork nor sees the store as it was before the write; so is a worker that has come to
hold memory of its own past a limit, so the workers' memory stays that of the shared copy."""

import multiprocessing
import os
import threading
import time
from collections.abc import Callable

import pyoxigraph

from graph import query_execution
from graph.query_execution import ForkedPool, child_pipe, query_within, reserve_workers
from tests.graph.test_graph_query_priority import _children

WRITTEN = pyoxigraph.Quad(
    pyoxigraph.NamedNode("urn:written"),
    pyoxigraph.NamedNode("urn:p"),
    pyoxigraph.Literal("after the fork"),
)


def _workers_once(others: set[int], settled: Callable[[set[int]], bool]) -> set[int]:
    """This process's children but `others`, once `settled` holds for them (or after 20 s)."""
    deadline = time.monotonic() + 20
    after = _children() - others
    while not settled(after) and time.monotonic() < deadline:
        time.sleep(0.01)  # polling /proc: the kernel tells no process of another's children
        after = _children() - others
    return after


def _pool_of_one(store: pyoxigraph.Store) -> tuple[ForkedPool, set[int], set[int]]:
    """A pool with one shared worker over `store`; this process's other children; the pool's."""
    others = _children()
    pool = ForkedPool(lambda sparql, *_: store.query(sparql), 1, threading.Lock())
    return pool, others, _children() - others


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
        after = _workers_once(
            others, lambda after: not after & before and len(after) >= len(before)
        )
        assert not after & before, "a worker forked before the write is still there"
        assert len(after) == len(before), "the pool has fewer workers than before the write"
        asked = query_within(pool, "ASK { <urn:written> ?p ?o }", 10, str(tmp_path / "a"), "c")
        assert bool(asked), "the query was answered from the store as it was before the write"
        assert _children() - others == after, "the query had a worker forked for it"
    finally:
        pool.close()


def test_a_worker_holding_memory_of_its_own_is_forked_anew(tmp_path, monkeypatch) -> None:
    """With a limit every worker passes, the worker that answered (and only it) is replaced
    in the background: the next query is answered by another process, from the same store."""
    monkeypatch.setattr(query_execution, "RETIRE_AFTER_OWN_BYTES", -1)
    monkeypatch.setattr(query_execution, "MEMORY_CHECK_SECONDS", 0.05)
    store = pyoxigraph.Store()
    store.add(WRITTEN)
    pool, others, before = _pool_of_one(store)
    try:
        assert bool(query_within(pool, "ASK { ?s ?p ?o }", 10, str(tmp_path / "a"), "c"))
        after = _workers_once(
            others, lambda after: not after >= before and len(after) >= len(before)
        )
        assert len(before - after) == 1, "the worker that answered was not forked anew"
        assert len(after) == len(before)
        assert bool(query_within(pool, "ASK { ?s ?p ?o }", 10, str(tmp_path / "b"), "c"))
    finally:
        pool.close()


def test_a_worker_forked_while_another_child_starts_keeps_none_of_its_pipe() -> None:
    """A fork copies every open file: a worker forked while another child's end of its pipe
    is still open here would hold that end for its life, and the server would never see that
    child (the store's writer, say) die. Forks wait until the starting child's end is closed."""
    pool, others, before = _pool_of_one(pyoxigraph.Store())
    try:
        with child_pipe(multiprocessing.get_context("spawn")) as (ours, theirs):
            far_end = f"socket:[{os.fstat(theirs.fileno()).st_ino}]"
            pool.store_changed()  # every worker is forked anew, in the background
            time.sleep(0.5)  # a fork that did not wait would happen now: nothing signals it
        after = _workers_once(
            others, lambda after: not after & before and len(after) >= len(before)
        )
        assert not after & before, "the workers were not forked anew"
        for pid in after:
            files = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            assert far_end not in files, "a worker holds the far end of another child's pipe"
        ours.close()
    finally:
        pool.close()


def test_private_memory_counts_the_pages_a_fork_writes_to() -> None:
    """Pages a fork writes to stop being shared: they are counted as its own."""
    page = os.sysconf("SC_PAGE_SIZE")
    held = bytearray(b"x" * (64 * 2**20))  # written, so resident and shared with the fork
    pid = os.fork()
    if pid == 0:
        held[::page] = b"y" * len(held[::page])
        time.sleep(30)  # stays alive to be measured: the test kills it when done
        os._exit(0)
    try:
        deadline = time.monotonic() + 20
        owned = query_execution.private_bytes(pid) or 0
        while owned < 64 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.01)  # polling /proc: the kernel tells no process of another's pages
            owned = query_execution.private_bytes(pid) or 0
        assert owned >= 64 * 2**20
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert query_execution.private_bytes(2**22 + 1) is None, "no process can have that number"
