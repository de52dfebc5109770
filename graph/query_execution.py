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

Every query has its answer written completely before the server answers, so that the status
code is true (a query stopped half way is a 503, never a truncated 200) and the row limit is
checked on the real count. A small answer (up to `MEMORY_ANSWER_BYTES`) stays in memory and
comes back over the worker's pipe, which costs far less than a file; a larger one spills to a
temporary file that is streamed to the client and is already unlinked while it streams. Small
answers of the embedded stores are also kept in an `AnswerCache` until the next write. Rows
are counted without a Python loop over solutions:
solutions are first written as TSV and triples as N-Triples, one line per row, and the newline
count is checked chunk by chunk while Oxigraph writes (so an oversized result stops early);
other formats are then produced from that file.
"""

import collections
import concurrent.futures
import contextlib
import ctypes
import enum
import functools
import gc
import io
import itertools
import multiprocessing
import os
import queue
import resource
import select
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
from graph.generation_cache import DEFAULT_MAX_BYTES, GenerationCache
from graph.sparql_inspection import draws_fresh_values
from ontology import PREFIXES
from ontology.errors import ComityError

SOLUTIONS = "solutions"
BOOLEAN = "boolean"
GRAPH = "graph"

QueryFunction = Callable[[str, list[str] | None, list[str] | None, bool], Any]

MEMORY_ANSWER_BYTES = 1024 * 1024
"""An answer up to this size is passed back in memory; a larger one goes through a file."""

STREAM_CHUNK_BYTES = 64 * 1024
"""A response larger than this is streamed in chunks of this size."""


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
    """The file the answer is written to when it is too large to be passed back in memory."""
    client: str = ""
    """Who sent the query, for sharing the workers fairly (see WorkerQueue)."""
    memory_limit: int | None = None
    """Bytes the worker may allocate for this query (see limit_memory); None: no limit."""


@dataclass(frozen=True)
class QueryAnswer:
    """A finished query: what it returned and its serialised answer, in memory or in a file."""

    kind: str
    media_type: str
    rows: int | None
    body: BinaryIO | bytes

    def chunks(self, size: int = STREAM_CHUNK_BYTES) -> Iterator[bytes]:
        """The answer in pieces, for a streamed response; closes the file at the end."""
        if isinstance(self.body, bytes):
            for start in range(0, len(self.body), size):
                yield self.body[start : start + size]
            return
        with self.body:
            while chunk := self.body.read(size):
                yield chunk


class FailureReason(enum.StrEnum):
    """Why a query got no answer; the server maps each to one HTTP status."""

    SYNTAX = "syntax"
    REQUEST = "request"
    NOT_ACCEPTABLE = "not-acceptable"
    ROWS = "rows"
    SERVICE = "service"
    TIMEOUT = "timeout"
    BUSY = "busy"
    MEMORY = "memory"
    FAULT = "fault"


@dataclass(frozen=True)
class Answered:
    """A worker's reply when the answer is written: in `body`, or in the job's output file
    when `body` is None."""

    kind: str
    media_type: str
    rows: int | None
    body: bytes | None


@dataclass(frozen=True)
class Failed:
    """A worker's reply when the query could not be answered."""

    reason: FailureReason
    message: str


Reply = Answered | Failed
"""What goes back over a worker's pipe (or out of a thread) for one QueryJob."""


class QueryFailed(Exception):
    """The query could not be answered; `reason` says why."""

    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class QueryRunner(Protocol):
    """Runs a query job within a time limit; one implementation per kind of store."""

    def run(self, job: QueryJob, timeout: float) -> Reply: ...

    def store_changed(self) -> None: ...

    def close(self) -> None: ...


class ResultsDirectory:
    """Where answers are written before they stream; removed when the server stops."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="comity-answers-"))
        self._prefix = str(self.path / "answer-")
        self._numbers = itertools.count(1)  # next() on it is atomic: no lock needed

    def new_file(self) -> str:
        return f"{self._prefix}{next(self._numbers)}"

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def answer(runner: QueryRunner, job: QueryJob, timeout: float) -> QueryAnswer:
    """Run a job and get its answer; a file answer is unlinked at once and lives while open."""
    try:
        reply = runner.run(job, timeout)
    except BaseException:
        _remove_answer_files(job.output)  # what a killed worker may have left
        raise
    if isinstance(reply, Failed):
        _remove_answer_files(job.output)
        raise QueryFailed(reply.reason, reply.message)
    body: BinaryIO | bytes | None = reply.body
    if body is None:
        try:
            body = open(job.output, "rb")  # noqa: SIM115 - closed by QueryAnswer.chunks
        finally:
            _remove_answer_files(job.output)
    return QueryAnswer(reply.kind, reply.media_type, reply.rows, body)


QueryResults = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | list[pyoxigraph.Triple]

_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"


def query_within(
    runner: QueryRunner,
    sparql: str,
    timeout: float,
    output: str,
    client: str = "",
    memory_limit: int | None = None,
) -> QueryResults:
    """A query run like any other (in isolation, stopped at its deadline) and read back as
    results, for a caller that uses the rows itself: a page of the server, `comity query`.

    Raises QueryFailed, as `answer` does.
    """
    job = QueryJob(
        sparql, None, None, True, _RESULTS_JSON, _N_TRIPLES, None, output, client, memory_limit
    )
    finished = answer(runner, job, timeout)
    data = b"".join(finished.chunks())
    if finished.kind == GRAPH:
        return [quad.triple for quad in pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_TRIPLES)]
    return pyoxigraph.parse_query_results(data, pyoxigraph.QueryResultsFormat.JSON)


def _remove_answer_files(output: str) -> None:
    """The answer and the line-per-row file it may be made from."""
    for suffix in ("", ".tsv", ".nt"):
        Path(output + suffix).unlink(missing_ok=True)


# -- answers kept until the next write ---------------------------------------------------------


class AnswerCache(GenerationCache[tuple[Any, ...], "Answered"]):
    """Small answers of an embedded store, kept until the next write.

    Exact, not approximate: an answer is a function of the query job and the store's contents,
    and every write through the server bumps the generation and empties the cache. No other
    process can write the store meanwhile: the server holds it open read-write, which locks
    the directory against every other writer. Answers from elsewhere (SERVICE) or that differ
    per evaluation (RAND, NOW, UUID, BNODE) are never kept, nor answers too large to be held
    in memory.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__(_answer_size, max_bytes)

    @staticmethod
    def key(job: QueryJob) -> tuple[Any, ...] | None:
        """What the answer depends on besides the data, or None when it must not be cached."""
        if draws_fresh_values(job.sparql):  # a new answer each time: not kept
            return None
        return (
            job.sparql,
            tuple(job.default_graph) if job.default_graph is not None else None,
            tuple(job.named_graphs) if job.named_graphs is not None else None,
            job.union_default_graph,
            job.solutions_media_type,
            job.graph_media_type,
            job.max_rows,
        )


def _answer_size(key: tuple[Any, ...], reply: "Answered") -> int:
    """The answer and the query text; an answer kept in a file is never kept here."""
    body = reply.body
    return len(body) + len(key[0]) if isinstance(body, bytes) else sys.maxsize


class CachedRunner:
    """A runner whose small answers are served from an `AnswerCache` until the next write."""

    def __init__(self, runner: QueryRunner, cache: AnswerCache | None = None) -> None:
        self._runner = runner
        self.cache = cache if cache is not None else AnswerCache()

    def run(self, job: QueryJob, timeout: float) -> Reply:
        key = self.cache.key(job)
        if key is None:
            return self._runner.run(job, timeout)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        generation = self.cache.generation
        reply = self._runner.run(job, timeout)
        if isinstance(reply, Answered):
            self.cache.put(key, generation, reply)
        return reply

    def store_changed(self) -> None:
        # The runner first: once the cache's generation moves on, every query that misses must
        # already reach the new snapshot. An answer begun before the write was keyed to the
        # old generation, so it is dropped, whether it arrives before or after the clearing.
        self._runner.store_changed()
        self.cache.invalidate()

    def close(self) -> None:
        self._runner.close()


# -- evaluation (runs inside a worker) ---------------------------------------------------------


class RowLimitExceeded(Exception):
    """Raised from inside Oxigraph's serialiser to stop an oversized result early."""


class _LineCountingFile:
    """A binary file that counts the lines written to it and stops past a limit.

    pyoxigraph's serializers only call `write` and `flush` on their output, which is all this
    class and _SpillingOutput have; its stubs ask for a whole typing.IO, hence the
    `type: ignore[arg-type]` where one is handed to them."""

    def __init__(self, target: "_SpillingOutput", limit: int | None) -> None:
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


class _SpillingOutput:
    """Collects an answer in memory and moves it to `path` once it outgrows
    MEMORY_ANSWER_BYTES, so that small answers never touch the file system."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: BinaryIO | None = None

    def write(self, data: bytes) -> int:
        if self._memory is not None:
            if self._memory.tell() + len(data) <= MEMORY_ANSWER_BYTES:
                return self._memory.write(data)
            self._file = open(self._path, "wb")  # noqa: SIM115 - closed by finish / close
            self._file.write(self._memory.getvalue())
            self._memory = None
        assert self._file is not None
        return self._file.write(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def finish(self) -> bytes | None:
        """The answer when it stayed in memory; None when it is complete in the file."""
        if self._memory is not None:
            return self._memory.getvalue()
        self.close()
        return None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> "_SpillingOutput":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def evaluate(query: QueryFunction, job: QueryJob) -> Reply:
    """Evaluate a job and write its answer (to job.output when large); the reply says what
    happened."""
    try:
        results = query(job.sparql, job.default_graph, job.named_graphs, job.union_default_graph)
        if isinstance(results, pyoxigraph.QueryBoolean):
            return _write_boolean(results, job)
        if isinstance(results, pyoxigraph.QuerySolutions):
            return _write_solutions(results, job)
        return _write_triples(results, job)
    except QueryTimeout as error:
        return Failed(FailureReason.TIMEOUT, str(error))
    except RowLimitExceeded:
        return Failed(
            FailureReason.ROWS,
            f"the result has more than {job.max_rows} rows, the server's limit; add a LIMIT "
            "to the query (with OFFSET to page through it), or start the server with a larger "
            "--max-rows",
        )
    except ComityError as error:  # the graph names the text's syntax errors in its own words
        syntax = isinstance(error.__cause__, SyntaxError)
        return Failed(FailureReason.SYNTAX if syntax else FailureReason.REQUEST, str(error))
    except SyntaxError as error:
        return Failed(FailureReason.SYNTAX, f"invalid SPARQL query: {' '.join(str(error).split())}")
    except ConnectionError as error:
        return Failed(FailureReason.SERVICE, f"a SERVICE endpoint could not be queried: {error}")
    except ValueError as error:
        return Failed(FailureReason.REQUEST, f"invalid query request: {error}")
    except MemoryError:
        return Failed(FailureReason.MEMORY, memory_message("query", job.memory_limit))
    except Exception as error:  # noqa: BLE001 - reported to the server, which logs it
        return Failed(FailureReason.FAULT, f"{type(error).__name__}: {error}")


def _not_acceptable(kind: str) -> Failed:
    what = "solutions" if kind in (SOLUTIONS, BOOLEAN) else "an RDF graph"
    return Failed(
        FailureReason.NOT_ACCEPTABLE, f"the query returns {what}, in no format the client accepts"
    )


def _write_boolean(results: pyoxigraph.QueryBoolean, job: QueryJob) -> Reply:
    if job.solutions_media_type is None:
        return _not_acceptable(BOOLEAN)
    target = pyoxigraph.QueryResultsFormat.from_media_type(job.solutions_media_type)
    body = results.serialize(format=target)
    return Answered(BOOLEAN, job.solutions_media_type, None, body)


def _write_solutions(results: pyoxigraph.QuerySolutions, job: QueryJob) -> Reply:
    if job.solutions_media_type is None:
        return _not_acceptable(SOLUTIONS)
    target = pyoxigraph.QueryResultsFormat.from_media_type(job.solutions_media_type)
    tsv = pyoxigraph.QueryResultsFormat.TSV
    lines_path = job.output if target == tsv else job.output + ".tsv"
    limit = None if job.max_rows is None else job.max_rows + 1  # the header line
    with _SpillingOutput(lines_path) as lines:
        counter = _LineCountingFile(lines, limit)
        results.serialize(counter, tsv)  # type: ignore[arg-type]  # a writer is enough
        body = lines.finish()
    rows = max(counter.lines - 1, 0)
    if target != tsv:
        spilled = body is None
        try:
            if spilled:
                parsed = pyoxigraph.parse_query_results(path=lines_path, format=tsv)
            else:
                parsed = pyoxigraph.parse_query_results(body, format=tsv)
            with _SpillingOutput(job.output) as output:
                parsed.serialize(output, target)  # type: ignore[arg-type]  # a writer is enough
                body = output.finish()
        finally:
            if spilled:
                os.unlink(lines_path)
    return Answered(SOLUTIONS, job.solutions_media_type, rows, body)


def _write_triples(results: pyoxigraph.QueryTriples, job: QueryJob) -> Reply:
    if job.graph_media_type is None:
        return _not_acceptable(GRAPH)
    target = pyoxigraph.RdfFormat.from_media_type(job.graph_media_type)
    ntriples = pyoxigraph.RdfFormat.N_TRIPLES
    lines_path = job.output if target == ntriples else job.output + ".nt"
    with _SpillingOutput(lines_path) as lines:
        counter = _LineCountingFile(lines, job.max_rows)
        results.serialize(counter, ntriples)  # type: ignore[arg-type]  # a writer is enough
        body = lines.finish()
    if target != ntriples:
        spilled = body is None
        try:
            if spilled:
                triples = pyoxigraph.parse(path=lines_path, format=ntriples)
            else:
                triples = pyoxigraph.parse(body, format=ntriples)
            prefixes = {name: str(iri) for name, iri in PREFIXES.items()}
            with _SpillingOutput(job.output) as output:
                # A writer is enough for pyoxigraph; its stubs ask for a typing.IO.
                if target in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.TRIG):
                    pyoxigraph.serialize(triples, output, target, prefixes=prefixes)  # type: ignore[arg-type]
                else:
                    pyoxigraph.serialize(triples, output, target)  # type: ignore[arg-type]
                body = output.finish()
        finally:
            if spilled:
                os.unlink(lines_path)
    return Answered(GRAPH, job.graph_media_type, counter.lines, body)


# -- memory: a limit per query and per write --------------------------------------------------


@contextlib.contextmanager
def memory_allowance(extra: int | None) -> Iterator[None]:
    """While inside, let this process's address space grow by at most `extra` bytes (None: no
    limit of ours). Past it an allocation fails: the engine then aborts the process (SIGABRT),
    Python raises MemoryError, and either way the request is answered 503 instead of the
    machine running out. Only the soft limit moves, and it is put back on the way out."""
    if extra is None or sys.platform != "linux":
        yield
        return
    before = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm", encoding="ascii") as statm:
        held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    soft, hard = before
    limit = held + extra if soft == resource.RLIM_INFINITY else min(held + extra, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, before)


def ran_out_of_memory(process: multiprocessing.process.BaseProcess) -> bool:
    """Whether a dead worker was aborted, which is how the engine ends on a failed allocation."""
    return process.exitcode == -signal.SIGABRT


def memory_message(what: str, limit: int | None) -> str:
    """Why a query or write that ran out of its memory got no answer."""
    size = f"{limit / 2**20:g} MiB" if limit else "the memory the server allows it"
    return (
        f"the {what} needed more than {size} of memory, the server's limit, and was stopped; "
        "make it more selective, or ask the server operator for a larger --memory-limit"
    )


# -- on-disk store: a pool of read-only worker processes --------------------------------------


def die_with_server() -> None:
    """On Linux, have the kernel kill this process when the process that started it dies,
    whatever killed that one, so that an orphan never goes on answering, writing or holding
    the store's lock.

    The kernel sends nothing for a parent that died before the request: a process whose
    parent is no longer the one that started it (it was adopted) ends here instead.
    """
    if sys.platform == "linux":
        set_parent_death_signal = 1  # PR_SET_PDEATHSIG
        ctypes.CDLL(None, use_errno=True).prctl(set_parent_death_signal, signal.SIGKILL)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)


_CHILD_PIPES = threading.Lock()
"""Held from the making of a child's pipe until this process has closed the child's end, and
by every fork of this process (`ForkedPool`). It is one lock for the whole process because a
fork copies every open file of the whole process: a worker forked while another child's end is
still open here would keep that end open for its life, and this process would then never see
that child die (its read would wait for an end of file that never comes)."""


@contextlib.contextmanager
def child_pipe(
    context: multiprocessing.context.BaseContext,
) -> Iterator[tuple[Connection, Connection]]:
    """A pipe to a child process started inside the `with`: (ours, theirs). Theirs is closed
    here on leaving, so that only the child holds it, and no fork of this process in the
    meantime can take a copy of it."""
    with _CHILD_PIPES:
        ours, theirs = context.Pipe()
        try:
            yield ours, theirs
        finally:
            theirs.close()


class ProcessStarter:
    """Starts child processes from one thread that lives as long as their owner.

    The parent-death signal of `die_with_server` is sent when the thread that started the
    child ends, not the process: a child started from a request thread would be killed when
    the HTTP server retires that thread after a while idle. So children start from here.
    """

    def __init__(self) -> None:
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="comity-start")

    def start(self, process: multiprocessing.process.BaseProcess) -> None:
        self._thread.submit(process.start).result()

    def close(self) -> None:
        self._thread.shutdown(wait=False)


def _serve_jobs(url: str, jobs: Connection) -> None:
    """A worker's life: (re)open the store when told, answer jobs, until the server goes away."""
    die_with_server()
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
            jobs.send(Failed(FailureReason.FAULT, "the worker has no store open"))
        else:
            jobs.send(_evaluate_yielding(snapshot.query, message))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    jobs: Connection
    ready: bool = False
    generation: int = -1
    """The write generation of the store snapshot this worker has open."""
    answered_since_check: bool = False
    """Whether it has answered a query since its memory was last looked at."""

    def __post_init__(self) -> None:
        # Connection.poll builds and tears down a selector on every call; one poll object
        # per worker waits for the reply in a single system call.
        self._replies = select.poll()
        self._replies.register(self.jobs.fileno(), select.POLLIN)

    def reply_within(self, seconds: float) -> bool:
        """Whether the worker answers (or dies, which recv then reports) within `seconds`."""
        return bool(self._replies.poll(max(seconds, 0) * 1000))

    def stop(self) -> None:
        """Kill the worker (its query stops, its CPU is freed at once) and close its pipe."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.jobs.close()

    def wait_until_ready(self, seconds: float = 60) -> None:
        """A new worker's start (imports) must not count against the first query's time."""
        if not self.ready and self.jobs.poll(seconds) and self.jobs.recv() == "ready":
            self.ready = True


def private_bytes(pid: int | None) -> int | None:
    """Memory a process holds that no other process shares (Linux; else None).

    A forked worker shares the pages of the process it was forked from until it writes to
    one, which then becomes a copy of its own (the engine writes to much of what a large
    query reads). Its resident size does not show that, since the copy replaces the shared
    page; the kernel's private counts do. Reading them walks the process's page tables (about
    20 ms for a million-triple copy), so it is done in the background, not per query.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            return 1024 * sum(
                int(line.split()[1]) for line in rollup if line.startswith("Private_")
            )
    except (OSError, ValueError, IndexError):
        return None


def reserve_workers(shared: int) -> int:
    """Workers started beyond the pool's `shared` ones, for clients with no query running (see
    WorkerQueue): one more than the shared ones, so that while long queries hold every shared
    worker the other clients' queries still run side by side, more of them than there are
    cores, and a short one shares the CPU with the rest instead of queueing behind them."""
    return shared + 1


class WorkerQueue:
    """Hands idle workers to waiting queries, fairly between the clients that sent them.

    A pool has `shared` workers that any query may take, and `reserve_workers` more that only
    a client with no query running may take: while the long queries of one or two clients
    hold every shared worker, another client's short query still gets a worker at once, and
    a client alone can still use every shared worker. When several queries wait, the one
    whose client runs the fewest queries goes first, then the one that came first.

    Among idle workers the one that answered last is handed out first: at low load the same
    worker answers query after query, with its caches (the CPU's, the store's block cache,
    Python's) still warm. A newly started worker waits behind the others, so that the query
    after a kill is not held up by the new worker's start while another one is ready.
    """

    def __init__(self, shared: int) -> None:
        self._shared = shared
        self._workers: collections.deque[_Worker] = collections.deque()
        self._running: collections.Counter[str] = collections.Counter()
        self._waiting: list[tuple[int, str]] = []
        self._tickets = itertools.count()
        self._changed = threading.Condition(threading.Lock())

    def put_recent(self, worker: _Worker) -> None:
        with self._changed:
            self._workers.append(worker)
            self._changed.notify_all()

    def put_fresh(self, worker: _Worker) -> None:
        with self._changed:
            self._workers.appendleft(worker)
            self._changed.notify_all()

    def take(self, client: str, timeout: float) -> _Worker | None:
        """A worker for one of `client`'s queries, or None if its turn does not come within
        `timeout`; every worker taken is followed by `done(client)`."""
        with self._changed:
            ticket = (next(self._tickets), client)
            self._waiting.append(ticket)
            try:
                if not self._changed.wait_for(lambda: self._turn_of(ticket), timeout):
                    return None
                self._running[client] += 1
                return self._workers.pop()
            finally:
                self._waiting.remove(ticket)
                self._changed.notify_all()

    def done(self, client: str) -> None:
        """One of `client`'s queries has ended (its worker is back or replaced)."""
        with self._changed:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            self._changed.notify_all()

    def idle(self) -> _Worker | None:
        """An idle worker taken out for good (when the pool closes), or None."""
        with self._changed:
            return self._workers.pop() if self._workers else None

    def idle_workers(self) -> list[_Worker]:
        """The workers idle at this moment (they stay in the queue)."""
        with self._changed:
            return list(self._workers)

    def take_idle(self, worker: _Worker) -> bool:
        """Take `worker` out if it is still idle; whether it was."""
        with self._changed:
            if worker in self._workers:
                self._workers.remove(worker)
                return True
            return False

    def _turn_of(self, ticket: tuple[int, str]) -> bool:
        if not self._workers:
            return False
        busy = self._running.total()
        allowed = [
            waiting
            for waiting in self._waiting
            if busy < self._shared or not self._running[waiting[1]]
        ]
        return bool(allowed) and min(allowed, key=self._order) == ticket

    def _order(self, ticket: tuple[int, str]) -> tuple[int, int]:
        number, client = ticket
        return self._running[client], number


def _taken(idle: WorkerQueue, client: str, timeout: float) -> _Worker:
    """A worker for the client's query, or BUSY when none comes its way within `timeout`."""
    worker = idle.take(client, timeout)
    if worker is None:
        raise QueryFailed(
            FailureReason.BUSY,
            f"every query worker stayed busy for the time limit of {timeout:g} s; try again "
            "shortly",
        )
    return worker


def _ask(
    worker: _Worker,
    job: QueryJob,
    deadline: float,
    timeout: float,
    give_back: Callable[[_Worker], None],
    replace: Callable[[_Worker], None],
) -> Reply:
    """Send a job to a worker and wait for its reply until `deadline`; a worker that answers
    is given back, one that dies or outlives it is replaced (killing it stops the query and
    frees its CPU at once)."""
    try:
        worker.wait_until_ready()
        worker.jobs.send(job)
        if worker.reply_within(deadline - time.monotonic()):
            reply = worker.jobs.recv()
            give_back(worker)
            return reply
    except (EOFError, OSError) as error:
        replace(worker)
        if ran_out_of_memory(worker.process):
            raise QueryFailed(
                FailureReason.MEMORY, memory_message("query", job.memory_limit)
            ) from error
        raise QueryFailed(FailureReason.FAULT, f"a query worker died: {error}") from error
    replace(worker)
    raise QueryFailed(FailureReason.TIMEOUT, _timeout_message(timeout))


class WorkerPool:
    """Worker processes for an on-disk store; one past its deadline is killed and replaced.

    Opening a store read-only while another process writes it is undefined in RocksDB, so a
    worker reopens its snapshot only while holding the server's write lock.
    """

    def __init__(self, path: Path, size: int, write_lock: threading.Lock) -> None:
        self._url = f"oxigraph:{path}"
        self._write_lock = write_lock
        self._context = multiprocessing.get_context("spawn")
        self._idle = WorkerQueue(max(size, 1))
        self._generation = 0
        self._closed = False
        self._starter = ProcessStarter()
        for _ in range(max(size, 1) + reserve_workers(max(size, 1))):
            self._idle.put_fresh(self._spawn())

    def _spawn(self) -> _Worker:
        with child_pipe(self._context) as (ours, theirs):
            process = self._context.Process(
                target=_serve_jobs, args=(self._url, theirs), name="comity-query", daemon=True
            )
            self._starter.start(process)
        return _Worker(process, ours)

    def run(self, job: QueryJob, timeout: float) -> Reply:
        deadline = time.monotonic() + timeout  # one deadline for waiting and running
        worker = _taken(self._idle, job.client, timeout)
        try:
            try:
                worker.wait_until_ready()
                if worker.generation != self._generation:
                    self._reopen(worker)
            except (EOFError, OSError) as error:
                self._replace(worker)
                raise QueryFailed(FailureReason.FAULT, f"a query worker died: {error}") from error
            return _ask(worker, job, deadline, timeout, self._idle.put_recent, self._replace)
        finally:
            self._idle.done(job.client)

    def _reopen(self, worker: _Worker) -> None:
        """Give a worker a snapshot of the store as it is after the latest write."""
        with self._write_lock:
            generation = self._generation
            worker.jobs.send("reopen")
            reply = worker.jobs.recv() if worker.jobs.poll(60) else "no answer within 60 s"
        if reply != "opened":
            self._replace(worker)
            raise QueryFailed(
                FailureReason.FAULT, f"a query worker could not open the store: {reply}"
            )
        worker.generation = generation

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (its query stops at once, its CPU is freed) and start a fresh one."""
        worker.stop()
        if not self._closed:
            self._idle.put_fresh(self._spawn())

    def store_changed(self) -> None:
        self._generation += 1

    def close(self) -> None:
        self._closed = True
        while (worker := self._idle.idle()) is not None:
            worker.stop()
        self._starter.close()


# -- in-memory store: workers forked from the process that holds it --------------------------


RETIRE_AFTER_OWN_BYTES = 64 * 2**20
"""Memory of its own past which an idle forked worker is forked anew."""
MEMORY_CHECK_SECONDS = 5.0
"""How often the memory of forked workers that have answered is looked at."""


def _answer_forked_jobs(query: QueryFunction, jobs: Connection) -> None:
    """A forked worker's life: answer jobs from the store as it was at the fork, until the
    server goes away or retires it.

    Every object it inherited is frozen first, out of the garbage collector's sight: a
    collection writes to each object it looks at, which would copy every page of the
    server's objects into the worker instead of sharing them.
    """
    gc.freeze()
    die_with_server()
    jobs.send("ready")
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            os._exit(0)
        # In a thread of its own (as every job is): the engine's random generator is per
        # thread, and a fork copies the parent's, so RAND(), UUID() and BNODE() would repeat
        # between workers.
        jobs.send(_evaluate_yielding(query, job))


YIELD_AFTER_SECONDS = 0.05
"""How long a query runs at the server's priority; a longer one then yields the CPU."""
YIELDING_NICENESS = 19


def _evaluate_yielding(query: QueryFunction, job: QueryJob) -> Reply:
    """Evaluate a job in a thread of its own, which drops to the lowest CPU priority once it
    has run YIELD_AFTER_SECONDS.

    The queries people send answer within milliseconds; a few run for seconds. On a machine
    with as many busy processes as cores, the long ones would take the CPU from the short ones
    and from the server itself: lowered, they use what is left over and still finish. (Not
    updates: a large legitimate write, lowered, can miss its time limit on a busy machine.) A
    thread's priority is its own (Linux), and each job has a new thread, so the worker's next
    job starts at the server's priority again, with no privilege needed to raise it back.
    """
    answer: list[Reply] = []
    evaluation = threading.Thread(
        target=lambda: answer.append(_evaluate_within_memory(query, job)),
        name="comity-eval",
        daemon=True,
    )
    evaluation.start()
    evaluation.join(YIELD_AFTER_SECONDS)
    if evaluation.is_alive() and evaluation.native_id is not None:
        with contextlib.suppress(OSError):  # it has just ended
            os.setpriority(os.PRIO_PROCESS, evaluation.native_id, YIELDING_NICENESS)
        evaluation.join()
    return answer[0]


def _evaluate_within_memory(query: QueryFunction, job: QueryJob) -> Reply:
    """Evaluate a job with the process's memory limited to what it holds plus the job's
    allowance."""
    with memory_allowance(job.memory_limit):
        return evaluate(query, job)


class ForkedPool:
    """Workers forked from the process that holds an in-memory store, sharing its pages.

    A fork sees the store exactly as it was at that moment, so workers are forked under
    `store_lock`, which whoever changes the store holds while it changes (never in the middle
    of a write), and retired after each write: a worker of an older generation is replaced
    before it answers. So that queries after a write do not wait for those forks, a thread
    of the pool replaces the idle workers of older generations as soon as a write is made;
    it also replaces those that have come to hold much memory of their own. One past its
    deadline is killed, which frees its CPU at once, and replaced.
    """

    def __init__(
        self,
        query: QueryFunction,
        size: int,
        store_lock: threading.Lock,
        per_query: bool = False,
    ) -> None:
        """`per_query`: fork for every query, for a store that may change without a write
        the server sees (a graph its caller holds too)."""
        self._query = query
        self._store_lock = store_lock
        self._per_query = per_query
        graph.preload_query_parser()
        self._context = multiprocessing.get_context("fork")
        self._idle = WorkerQueue(max(size, 1))
        self._generation = 0
        self._closed = False
        self._starter = ProcessStarter()
        for _ in range(max(size, 1) + reserve_workers(max(size, 1))):
            self._idle.put_fresh(self._spawn())
        self._stale = threading.Event()
        self._refresher = threading.Thread(target=self._refresh, name="comity-refresh", daemon=True)
        if not per_query:  # forking for every query anyway: nothing to refresh
            self._refresher.start()

    def _spawn(self) -> _Worker:
        with child_pipe(self._context) as (ours, theirs):
            process = self._context.Process(
                target=_answer_forked_jobs,
                args=(self._query, theirs),
                name="comity-query",
                daemon=True,
            )
            with self._store_lock:
                self._starter.start(process)
                generation = self._generation
        return _Worker(process, ours, generation=generation)

    def run(self, job: QueryJob, timeout: float) -> Reply:
        deadline = time.monotonic() + timeout
        worker = _taken(self._idle, job.client, timeout)
        try:
            if self._per_query:
                self._generation += 1
            if worker.generation != self._generation:  # forked before the last write
                worker.stop()
                worker = self._spawn()
            return _ask(worker, job, deadline, timeout, self._give_back, self._replace)
        finally:
            self._idle.done(job.client)

    def _give_back(self, worker: _Worker) -> None:
        worker.answered_since_check = True
        self._idle.put_recent(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        if not self._closed:
            self._idle.put_fresh(self._spawn())

    def store_changed(self) -> None:
        """Called after a write: every worker forked before it retires."""
        self._generation += 1
        self._stale.set()

    def _refresh(self) -> None:
        """Fork idle workers anew: at once after a write, those forked before it; and every
        MEMORY_CHECK_SECONDS, those that have answered since and come to hold more than
        RETIRE_AFTER_OWN_BYTES of their own, so that the workers' memory stays that of the
        copy they share. One at a time, the fresh one before the old one goes, so the pool
        never has fewer workers idle."""
        while not self._closed:
            self._stale.wait(MEMORY_CHECK_SECONDS)
            self._stale.clear()
            for worker in self._idle.idle_workers():
                if self._closed:
                    return
                if self._retires(worker) and self._idle.take_idle(worker):
                    self._idle.put_recent(self._spawn())
                    worker.stop()

    def _retires(self, worker: _Worker) -> bool:
        if worker.generation != self._generation:
            return True
        if not worker.answered_since_check:
            return False
        worker.answered_since_check = False
        held = private_bytes(worker.process.pid)
        return held is not None and held > RETIRE_AFTER_OWN_BYTES

    def close(self) -> None:
        self._closed = True
        self._stale.set()
        if self._refresher.is_alive():
            self._refresher.join(timeout=10)  # a fork it is making joins the idle ones below
        while (worker := self._idle.idle()) is not None:
            worker.stop()
        self._starter.close()


# -- remote store: a thread per query ---------------------------------------------------------


class InProcess:
    """For a remote store: the endpoint does the work, and the graph layer abandons its request
    at the deadline, so no connection outlives the client's 503."""

    # How long past the deadline to wait for the graph layer to give up by itself.
    GRACE_SECONDS = 1.0

    def __init__(self, query: Callable[..., Any]) -> None:
        self._query = query
        graph.preload_query_parser()

    def run(self, job: QueryJob, timeout: float) -> Reply:
        query = functools.partial(self._query, timeout=timeout)
        replies: queue.Queue[Reply] = queue.Queue(maxsize=1)
        thread = threading.Thread(target=lambda: replies.put(evaluate(query, job)), daemon=True)
        thread.start()
        try:
            reply = replies.get(timeout=timeout + self.GRACE_SECONDS)
        except queue.Empty:
            raise QueryFailed(FailureReason.TIMEOUT, _timeout_message(timeout)) from None
        if isinstance(reply, Failed) and reply.reason is FailureReason.TIMEOUT:
            raise QueryFailed(FailureReason.TIMEOUT, _timeout_message(timeout))
        return reply

    def store_changed(self) -> None:
        """Nothing to do: the remote endpoint always answers from its current data."""

    def close(self) -> None:
        """Nothing to do: threads end with their request."""


def _timeout_message(timeout: float) -> str:
    return (
        f"the query ran past the time limit of {timeout:g} s and was stopped; make it more "
        "selective (or add a LIMIT), or ask the server operator for a larger --timeout"
    )
