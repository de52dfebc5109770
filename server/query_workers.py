"""Query evaluation that can be stopped: a query past its time limit is killed, not abandoned.

Oxigraph has no query timeout, and a thread cannot be stopped from outside, so queries run in
other processes that the server kills at the deadline:

* `oxigraph:PATH` — a pool of worker processes, each with the store opened read-only. A
  read-only handle is a snapshot taken when it is opened, so the server counts its writes
  (`store_changed`) and a worker reopens the store before the first query after a write.
* `memory:` — another process cannot open an in-memory store, so each query runs in a forked
  child, which sees a copy-on-write snapshot of the store as it is at that moment.
* `sparql+http(s)://` — the remote endpoint evaluates; the query runs in a thread of this
  process with the deadline passed to the graph layer, which abandons the remote request at
  that moment (closing its connection) and the client gets 503.

Every query writes its answer completely to a temporary file before the server answers, so
that the status code is true (a query stopped half way is a 503, never a truncated 200) and
the row limit is checked on the real count. The file is then streamed to the client and is
already unlinked while it streams. Rows are counted without a Python loop over solutions:
solutions are first written as TSV and triples as N-Triples, one line per row, and the newline
count is checked chunk by chunk while Oxigraph writes (so an oversized result stops early);
other formats are then produced from that file.
"""

import ctypes
import functools
import multiprocessing
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyoxigraph

import graph
from graph import KnowledgeGraph, QueryTimeout
from ontology import PREFIXES
from ontology.errors import ComityError

SOLUTIONS = "solutions"
BOOLEAN = "boolean"
GRAPH = "graph"

QueryFunction = Callable[[str, list[str] | None, list[str] | None, bool], Any]


@dataclass(frozen=True)
class QueryJob:
    """Everything a worker needs to answer one query, as plain picklable values."""

    sparql: str
    default_graph: list[str] | None
    named_graphs: list[str] | None
    union_default_graph: bool
    solutions_media_type: str | None
    """The format for SELECT / ASK results, None when the client accepts none."""
    graph_media_type: str | None
    """The format for CONSTRUCT / DESCRIBE results, None when the client accepts none."""
    max_rows: int | None
    output: str
    """The file the answer is written to."""


@dataclass(frozen=True)
class QueryAnswer:
    """A finished query: what it returned and the open file holding the serialised answer."""

    kind: str
    media_type: str
    rows: int | None
    body: BinaryIO

    def chunks(self, size: int = 64 * 1024) -> Iterator[bytes]:
        """The answer in pieces, for a streamed response; closes the file at the end."""
        with self.body:
            while chunk := self.body.read(size):
                yield chunk


class QueryFailed(Exception):
    """The query could not be answered; `reason` says why, for the HTTP status."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class QueryRunner(Protocol):
    """Runs a query job within a time limit; one implementation per kind of store."""

    def run(self, job: QueryJob, timeout: float) -> dict[str, Any]: ...

    def store_changed(self) -> None: ...

    def close(self) -> None: ...


class ResultsDirectory:
    """Where answers are written before they stream; removed when the server stops."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="comity-answers-"))
        self._counter = 0
        self._lock = threading.Lock()

    def new_file(self) -> str:
        with self._lock:
            self._counter += 1
            return str(self.path / f"answer-{self._counter}")

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def answer(runner: QueryRunner, job: QueryJob, timeout: float) -> QueryAnswer:
    """Run a job and open its answer; the file is unlinked at once and lives while it is open."""
    try:
        reply = runner.run(job, timeout)
        if "error" in reply:
            raise QueryFailed(reply["error"], reply["message"])
        body = open(job.output, "rb")  # noqa: SIM115 - closed by QueryAnswer.chunks
    finally:
        # The answer and the line-per-row file it may be made from (left by a killed worker).
        for suffix in ("", ".tsv", ".nt"):
            Path(job.output + suffix).unlink(missing_ok=True)
    return QueryAnswer(reply["kind"], reply["media_type"], reply["rows"], body)


# -- evaluation (runs inside a worker) ---------------------------------------------------------


class RowLimitExceeded(Exception):
    """Raised from inside Oxigraph's serialiser to stop an oversized result early."""


class _LineCountingFile:
    """A binary file that counts the lines written to it and stops past a limit."""

    def __init__(self, target: BinaryIO, limit: int | None) -> None:
        self._target = target
        self._limit = limit
        self.lines = 0

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self._limit is not None and self.lines > self._limit:
            raise RowLimitExceeded
        return self._target.write(data)

    def flush(self) -> None:
        self._target.flush()


def evaluate(query: QueryFunction, job: QueryJob) -> dict[str, Any]:
    """Evaluate a job and write its answer to job.output; a plain dict says what happened."""
    try:
        results = query(job.sparql, job.default_graph, job.named_graphs, job.union_default_graph)
        if isinstance(results, pyoxigraph.QueryBoolean):
            return _write_boolean(results, job)
        if isinstance(results, pyoxigraph.QuerySolutions):
            return _write_solutions(results, job)
        return _write_triples(results, job)
    except QueryTimeout as error:
        return _failure("timeout", str(error))
    except RowLimitExceeded:
        return _failure(
            "rows",
            f"the result has more than {job.max_rows} rows, the server's limit; add a LIMIT "
            "to the query (with OFFSET to page through it), or start the server with a larger "
            "--max-rows",
        )
    except ComityError as error:
        return _failure("request", str(error))
    except SyntaxError as error:
        return _failure("syntax", f"invalid SPARQL query: {' '.join(str(error).split())}")
    except ConnectionError as error:
        return _failure("service", f"a SERVICE endpoint could not be queried: {error}")
    except ValueError as error:
        return _failure("request", f"invalid query request: {error}")
    except Exception as error:  # noqa: BLE001 - reported to the server, which logs it
        return _failure("fault", f"{type(error).__name__}: {error}")


def _failure(reason: str, message: str) -> dict[str, Any]:
    return {"error": reason, "message": message}


def _not_acceptable(kind: str) -> dict[str, Any]:
    what = "solutions" if kind in (SOLUTIONS, BOOLEAN) else "an RDF graph"
    return _failure("not-acceptable", f"the query returns {what}, in no format the client accepts")


def _write_boolean(results: pyoxigraph.QueryBoolean, job: QueryJob) -> dict[str, Any]:
    if job.solutions_media_type is None:
        return _not_acceptable(BOOLEAN)
    target = pyoxigraph.QueryResultsFormat.from_media_type(job.solutions_media_type)
    with open(job.output, "wb") as output:
        results.serialize(output, target)
    return {"kind": BOOLEAN, "media_type": job.solutions_media_type, "rows": None}


def _write_solutions(results: pyoxigraph.QuerySolutions, job: QueryJob) -> dict[str, Any]:
    if job.solutions_media_type is None:
        return _not_acceptable(SOLUTIONS)
    target = pyoxigraph.QueryResultsFormat.from_media_type(job.solutions_media_type)
    tsv = pyoxigraph.QueryResultsFormat.TSV
    lines_path = job.output if target == tsv else job.output + ".tsv"
    limit = None if job.max_rows is None else job.max_rows + 1  # the header line
    with open(lines_path, "wb") as output:
        counter = _LineCountingFile(output, limit)
        results.serialize(counter, tsv)
    rows = max(counter.lines - 1, 0)
    if target != tsv:
        try:
            parsed = pyoxigraph.parse_query_results(path=lines_path, format=tsv)
            with open(job.output, "wb") as output:
                parsed.serialize(output, target)
        finally:
            os.unlink(lines_path)
    return {"kind": SOLUTIONS, "media_type": job.solutions_media_type, "rows": rows}


def _write_triples(results: pyoxigraph.QueryTriples, job: QueryJob) -> dict[str, Any]:
    if job.graph_media_type is None:
        return _not_acceptable(GRAPH)
    target = pyoxigraph.RdfFormat.from_media_type(job.graph_media_type)
    ntriples = pyoxigraph.RdfFormat.N_TRIPLES
    lines_path = job.output if target == ntriples else job.output + ".nt"
    with open(lines_path, "wb") as output:
        counter = _LineCountingFile(output, job.max_rows)
        results.serialize(counter, ntriples)
    if target != ntriples:
        try:
            triples = pyoxigraph.parse(path=lines_path, format=ntriples)
            prefixes = {name: str(iri) for name, iri in PREFIXES.items()}
            with open(job.output, "wb") as output:
                if target in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.TRIG):
                    pyoxigraph.serialize(triples, output, target, prefixes=prefixes)
                else:
                    pyoxigraph.serialize(triples, output, target)
        finally:
            os.unlink(lines_path)
    return {"kind": GRAPH, "media_type": job.graph_media_type, "rows": counter.lines}


# -- on-disk store: a pool of read-only worker processes --------------------------------------


def _die_with_server() -> None:
    """On Linux, have the kernel kill this worker when the server process dies, so that an
    orphaned worker never goes on computing a query nobody will read."""
    if sys.platform == "linux":
        set_parent_death_signal = 1  # PR_SET_PDEATHSIG
        ctypes.CDLL(None, use_errno=True).prctl(set_parent_death_signal, signal.SIGKILL)


def _serve_jobs(url: str, jobs: Connection) -> None:
    """A worker's life: (re)open the store when told, answer jobs, until the server goes away."""
    _die_with_server()
    graph.preload_query_parser()
    snapshot: KnowledgeGraph | None = None
    jobs.send("ready")
    while True:
        try:
            message = jobs.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message == "reopen":
            if snapshot is not None:
                snapshot.close()
                snapshot = None
            try:
                snapshot = graph.open(url, read_only=True)
                jobs.send("opened")
            except ComityError as error:
                jobs.send(str(error))
        elif snapshot is None:
            jobs.send(_failure("fault", "the worker has no store open"))
        else:
            jobs.send(evaluate(snapshot.query, message))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    jobs: Connection
    ready: bool = False
    generation: int = -1
    """The write generation of the store snapshot this worker has open."""

    def wait_until_ready(self, seconds: float = 60) -> None:
        """A new worker's start (imports) must not count against the first query's time."""
        if not self.ready and self.jobs.poll(seconds) and self.jobs.recv() == "ready":
            self.ready = True


class WorkerPool:
    """Worker processes for an on-disk store; one past its deadline is killed and replaced.

    Opening a store read-only while another process writes it is undefined in RocksDB, so a
    worker reopens its snapshot only while holding the server's write lock.
    """

    def __init__(self, path: Path, size: int, write_lock: threading.Lock) -> None:
        self._url = f"oxigraph:{path}"
        self._write_lock = write_lock
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._generation = 0
        self._closed = False
        for _ in range(max(size, 1)):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve_jobs, args=(self._url, theirs), name="comity-query", daemon=True
        )
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def run(self, job: QueryJob, timeout: float) -> dict[str, Any]:
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryFailed(
                "busy",
                f"every query worker stayed busy for {timeout:g} s; try again shortly",
            ) from None
        try:
            worker.wait_until_ready()
            if worker.generation != self._generation:
                self._reopen(worker)
            deadline = time.monotonic() + timeout
            worker.jobs.send(job)
            if worker.jobs.poll(max(deadline - time.monotonic(), 0)):
                reply = worker.jobs.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError) as error:
            self._replace(worker)
            raise QueryFailed("fault", f"a query worker died: {error}") from error
        self._replace(worker)
        raise QueryFailed("timeout", _timeout_message(timeout))

    def _reopen(self, worker: _Worker) -> None:
        """Give a worker a snapshot of the store as it is after the latest write."""
        with self._write_lock:
            generation = self._generation
            worker.jobs.send("reopen")
            reply = worker.jobs.recv() if worker.jobs.poll(60) else "no answer within 60 s"
        if reply != "opened":
            self._replace(worker)
            raise QueryFailed("fault", f"a query worker could not open the store: {reply}")
        worker.generation = generation

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (its query stops at once, its CPU is freed) and start a fresh one."""
        _kill(worker.process)
        worker.jobs.close()
        if not self._closed:
            self._idle.put(self._spawn())

    def store_changed(self) -> None:
        self._generation += 1

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            _kill(worker.process)
            worker.jobs.close()


# -- in-memory store: one forked child per query ----------------------------------------------


def _evaluate_and_send(query: QueryFunction, job: QueryJob, replies: Connection) -> None:
    replies.send(evaluate(query, job))
    replies.close()
    # Leave at once: tearing down the copied interpreter and store would only cost time.
    os._exit(0)


class ForkPerQuery:
    """Each query in a child forked from the server, holding a snapshot of the memory store.

    The fork happens under the write lock, so that no write is half done in the snapshot.
    """

    def __init__(self, query: QueryFunction, size: int, write_lock: threading.Lock) -> None:
        self._query = query
        self._write_lock = write_lock
        graph.preload_query_parser()
        self._context = multiprocessing.get_context("fork")
        self._slots = threading.BoundedSemaphore(max(size, 1))

    def run(self, job: QueryJob, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        if not self._slots.acquire(timeout=timeout):
            raise QueryFailed(
                "busy", f"every query slot stayed busy for {timeout:g} s; try again shortly"
            )
        try:
            ours, theirs = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=_evaluate_and_send, args=(self._query, job, theirs), daemon=True
            )
            with self._write_lock:
                process.start()
            theirs.close()
            try:
                if ours.poll(max(deadline - time.monotonic(), 0)):
                    reply = ours.recv()
                    process.join()
                    return reply
            except EOFError as error:
                raise QueryFailed("fault", "the query process died without answering") from error
            finally:
                ours.close()
            _kill(process)
            raise QueryFailed("timeout", _timeout_message(timeout))
        finally:
            self._slots.release()

    def store_changed(self) -> None:
        """Nothing to do: every query forks from the current store."""

    def close(self) -> None:
        """Nothing to do: children end with their query."""


# -- remote store: a thread per query ---------------------------------------------------------


class InProcess:
    """For a remote store: the endpoint does the work, and the graph layer abandons its request
    at the deadline, so no connection outlives the client's 503."""

    # How long past the deadline to wait for the graph layer to give up by itself.
    GRACE_SECONDS = 1.0

    def __init__(self, query: Callable[..., Any]) -> None:
        self._query = query
        graph.preload_query_parser()

    def run(self, job: QueryJob, timeout: float) -> dict[str, Any]:
        query = functools.partial(self._query, timeout=timeout)
        replies: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1)
        thread = threading.Thread(target=lambda: replies.put(evaluate(query, job)), daemon=True)
        thread.start()
        try:
            reply = replies.get(timeout=timeout + self.GRACE_SECONDS)
        except queue.Empty:
            raise QueryFailed("timeout", _timeout_message(timeout)) from None
        if reply.get("error") == "timeout":
            raise QueryFailed("timeout", _timeout_message(timeout))
        return reply

    def store_changed(self) -> None:
        """Nothing to do: the remote endpoint always answers from its current data."""

    def close(self) -> None:
        """Nothing to do: threads end with their request."""


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive():
        process.kill()
    process.join(timeout=5)


def _timeout_message(timeout: float) -> str:
    return (
        f"the query ran past the time limit of {timeout:g} s and was stopped; make it more "
        "selective (or add a LIMIT), or ask the server operator for a larger --timeout"
    )
