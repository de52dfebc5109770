"""Where writes run: in a process of their own for an on-disk store, so that a time limit holds.

Oxigraph cannot stop an update once it has started, and the process evaluating it cannot be
stopped without stopping everything it holds. So for an `oxigraph:` store one writer process
holds the store read-write and applies every update (SPARQL Update and Graph Store writes
alike), then refreshes the inferred graph. An update still running at its deadline has its
process killed: its transaction was never committed, so the store is exactly as before, and a
new writer takes over. Reasoning, which follows a committed update, is never cut short: the
inferred graph must match what was written. It runs outside the server process, so a long
closure never holds the server's interpreter.

A `memory:` store lives in the server process and cannot be shared, and a remote store
evaluates its updates itself: both are written in process, with no time limit of ours.
"""

import logging
import multiprocessing
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

import pyoxigraph

import graph
from graph import KnowledgeGraph
from graph.query_execution import (
    ProcessStarter,
    child_pipe,
    die_with_server,
    memory_allowance,
    memory_message,
    ran_out_of_memory,
)
from graph.sparql_inspection import draws_fresh_values
from ontology.errors import ComityError


class UpdateTimeout(Exception):
    """An update ran past its time limit and was stopped; nothing of it was written."""


class UpdateOutOfMemory(Exception):
    """An update needed more memory than the server allows one and was stopped."""


class ServiceFailure(OSError):
    """The update's SERVICE call failed (Oxigraph reports it as an OSError)."""


class Writes(Protocol):
    """Applies one update and refreshes the inferred graph, within a time limit if it can."""

    def apply(self, sparql: str, timeout: float, graphs: list[str | None] | None = None) -> None:
        """`graphs`: the only graphs the update writes, when known (see KnowledgeGraph.update)."""

    def close(self) -> None: ...


class InProcessWrites:
    """Updates on the graph the server holds itself (memory, remote, or passed in).

    Query workers fork from that graph, only under `copy_lock`, which every write holds from
    its update to the end of its reasoning: no fork sees a write half applied."""

    def __init__(self, knowledge_graph: KnowledgeGraph, copy_lock: threading.Lock) -> None:
        self._graph = knowledge_graph
        self._copy_lock = copy_lock

    def apply(self, sparql: str, timeout: float, graphs: list[str | None] | None = None) -> None:
        with self._copy_lock:
            self._graph.update(sparql, graphs)
            self._graph.reason()

    def close(self) -> None:
        """Nothing to do: the graph is the server's."""


def _serve_writes(url: str, requests: Connection, memory_limit: int | None) -> None:
    """A writer's life: open the store read-write, then apply updates until told to stop.

    Each update may allocate `memory_limit` bytes; reasoning, which must finish once an
    update is committed, has no limit of ours."""
    die_with_server()
    try:
        knowledge_graph = graph.open(url)
    except ComityError as error:
        requests.send(("error", "store", str(error)))
        return
    requests.send(("ready",))
    with knowledge_graph:
        while True:
            try:
                sparql, graphs = requests.recv()
            except (EOFError, OSError, KeyboardInterrupt):
                return
            # Once, before the first update: the writes after it are then followed.
            knowledge_graph.follow_current_inferences()
            try:
                with memory_allowance(memory_limit):
                    knowledge_graph.update(sparql, graphs)
            except MemoryError:
                requests.send(("error", "memory", memory_message("update", memory_limit)))
                continue
            except ComityError as error:
                requests.send(("error", "update", str(error)))
                continue
            except OSError as error:
                requests.send(("error", "service", str(error)))
                continue
            requests.send(("updated",))
            try:
                summary = knowledge_graph.reason()
            except Exception as error:  # noqa: BLE001 - the server logs and reports it
                requests.send(("error", "reasoning", f"{type(error).__name__}: {error}"))
                continue
            knowledge_graph.flush()  # the server's next snapshot opens without replaying
            requests.send(("reasoned", _as_ntriples(summary.change)))


def _as_ntriples(
    change: tuple[list[pyoxigraph.Triple], list[pyoxigraph.Triple]] | None,
) -> tuple[bytes, bytes] | None:
    """A reasoning change as N-Triples, to cross the pipe to the server."""
    if change is None:
        return None
    return tuple(  # type: ignore[return-value]
        pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        for triples in change
    )


class WriterProcess:
    """The one process holding an on-disk store read-write; killed and replaced at a deadline.

    Calls are serialised by the server's write lock, so one update at a time reaches it.
    """

    START_SECONDS = 120.0
    """Longest wait for a writer to open the store (a large store takes a while)."""

    def __init__(self, path: Path, memory_limit: int | None = None) -> None:
        self._url = f"oxigraph:{path}"
        self._memory_limit = memory_limit
        self.inferred_change: tuple[bytes, bytes] | None = None
        """The inferred triples the last write's reasoning removed and added, as N-Triples
        (None when it wrote the inferred graph anew)."""
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._starter = ProcessStarter()
        self._start()

    def _start(self) -> None:
        """Start a writer and wait until it has the store open."""
        with child_pipe(self._context) as (ours, theirs):
            self._process = self._context.Process(
                target=_serve_writes,
                args=(self._url, theirs, self._memory_limit),
                name="comity-writer",
                daemon=True,
            )
            self._starter.start(self._process)
        self._requests = ours
        try:
            reply = self._requests.recv() if self._requests.poll(self.START_SECONDS) else None
        except EOFError:  # it died before it could say why
            reply = None
        if reply is None or reply[0] != "ready":
            self._stop()
            reason = reply[2] if reply else "the writer process gave no answer"
            raise ComityError(f"{self._url}: the store could not be opened for writing: {reason}")

    def apply(self, sparql: str, timeout: float, graphs: list[str | None] | None = None) -> None:
        if self._process is not None and not self._process.is_alive():
            self._stop()  # it died between two updates (killed from outside, out of memory)
        if self._process is None:  # the last one was stopped: its successor starts now
            self._start()
        deadline = time.monotonic() + timeout
        self.inferred_change = None
        try:
            self._requests.send((sparql, graphs))
            if not self._requests.poll(max(deadline - time.monotonic(), 0)):
                self._stop()
                raise UpdateTimeout(
                    f"the update ran past the time limit of {timeout:g} s and was stopped; "
                    "nothing of it was written. Split it into smaller updates, or ask the "
                    "server operator for a larger --timeout"
                )
            reply = self._requests.recv()
            if reply[0] == "updated":
                reply = self._requests.recv()  # reasoning: never cut short
                if reply[0] == "reasoned":
                    self.inferred_change = reply[1]
        except (EOFError, OSError) as error:
            process = self._process
            self._stop()
            if process is not None and ran_out_of_memory(process):
                raise UpdateOutOfMemory(memory_message("update", self._memory_limit)) from error
            raise RuntimeError(f"the writer process died: {error}") from error
        if reply[0] == "error":
            _, kind, message = reply
            if kind == "update":
                raise ComityError(message)
            if kind == "memory":
                raise UpdateOutOfMemory(message)
            if kind == "service":
                raise ServiceFailure(message)
            raise RuntimeError(message)

    def _stop(self) -> None:
        """Kill the writer at once: an uncommitted transaction dies with it."""
        if self._process is None:
            return
        self._process.kill()
        self._process.join(timeout=10)
        self._requests.close()
        self._process = None

    def close(self) -> None:
        """Let the writer close the store cleanly, then make sure it is gone."""
        if self._process is not None:
            self._requests.close()  # the writer sees the end of its pipe, closes the store
            self._process.join(timeout=10)
            self._stop()
        self._starter.close()


log = logging.getLogger("comity.serve")


class MirroredWrites:
    """Writes to the on-disk store, then the same write to the in-memory copy queries read.

    The disk stays the record: a write that fails there never reaches the copy. The copy then
    repeats the update and takes the inferred graph the writer computed (cheaper than reasoning
    again); an update that could come out differently a second time (SERVICE, LOAD, NOW(),
    RAND(), UUID(), BNODE()), or one the copy fails to repeat, makes the copy read afresh from
    the disk instead. Queries fork from the copy only under `copy_lock`, which is held while
    the copy changes and only then: no query ever sees a write half applied, and none waits
    for the writer process's commit and reasoning, during which the copy still holds the last
    committed state.
    """

    def __init__(self, disk: Writes, url: str, copy_lock: threading.Lock) -> None:
        self._disk = disk
        self._url = url
        self._copy_lock = copy_lock
        self.copy = graph.memory_copy(url)

    def apply(self, sparql: str, timeout: float, graphs: list[str | None] | None = None) -> None:
        try:
            self._disk.apply(sparql, timeout, graphs)
        except (RuntimeError, UpdateOutOfMemory):
            # The writer died or its reasoning failed: the store may have changed all the same
            # (at least its mark that the inferred graph is stale).
            self._read_afresh("the write failed after the store may have changed")
            raise
        if draws_fresh_values(sparql):
            self._read_afresh("the update may not give the same result twice")
            return
        with self._copy_lock:
            self._repeat(sparql, graphs)

    def _repeat(self, sparql: str, graphs: list[str | None] | None) -> None:
        """The disk's write, made on the copy: the update again, and the writer's inferences."""
        try:
            self.copy.update(sparql, graphs)
            change = getattr(self._disk, "inferred_change", None)
            if change is not None:  # the writer's reasoning changed these: so does the copy
                removed, added = (
                    [quad.triple for quad in pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_TRIPLES)]
                    for data in change
                )
                self.copy.change_inferred(removed, added)
            else:
                snapshot = graph.open(self._url, read_only=True)
                try:  # the writer wrote its inferred graph anew: take it whole
                    self.copy.adopt_inferred(snapshot)
                finally:
                    snapshot.close()
        except Exception as error:  # the disk has it: the copy must too, whatever went wrong
            self._read_afresh(f"repeating the update failed ({error})")

    def query(self, *arguments: object, **options: object) -> object:
        """A query on the copy as it is now (the one the last write left)."""
        return self.copy.query(*arguments, **options)  # type: ignore[arg-type]

    def _read_afresh(self, why: str) -> None:
        """A new copy read from the disk; it takes the old one's place in one assignment, so a
        fork sees one copy or the other, each whole."""
        started = time.monotonic()
        self.copy = graph.memory_copy(self._url)
        log.warning(
            "the in-memory copy was read again from %s in %.1f s: %s",
            self._url,
            time.monotonic() - started,
            why,
        )

    def close(self) -> None:
        self._disk.close()
