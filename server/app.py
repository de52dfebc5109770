"""The Flask application factory: one blueprint per concern, configuration passed in, no globals.

What the application holds is a `ComityState` (server/state.py), which every view reaches
through `state()`; the views share the protocol's toolkit in server/protocol.py.
"""

import logging
import threading
import time
from pathlib import Path
from typing import TextIO

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, InternalServerError

import graph as graph_layer
from graph import KnowledgeGraph
from graph.query_execution import (
    CachedRunner,
    ForkedPool,
    InProcess,
    QueryFailed,
    QueryRunner,
    ResultsDirectory,
    WorkerPool,
)
from ontology.errors import ComityError
from server import description, dumps, graph_store, query_page, reconcile, resources
from server import sparql as sparql_views
from server.config import ServerConfig
from server.protocol import http_error
from server.request_body import check_request_body
from server.request_log import RequestLog
from server.response_cache import ResponseCache
from server.service_relay import ServiceRelay
from server.state import EXTENSION, ComityState, state
from server.store_writer import (
    InProcessWrites,
    MirroredWrites,
    UpdateOutOfMemory,
    UpdateTimeout,
    WriterProcess,
    Writes,
)

log = logging.getLogger("comity.server")


def create_app(
    config: ServerConfig,
    knowledge_graph: KnowledgeGraph | None = None,
    request_log: TextIO | None = None,
) -> Flask:
    """A Comity server for one store: opened from `config.store` unless a graph is passed in.

    With `request_log`, one line per request is written to that stream.
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body
    copy_lock = threading.Lock()  # held while the in-memory store queries fork from changes
    opened, writes = _open_store(config, knowledge_graph, copy_lock)
    write_lock = threading.Lock()
    keeps_answers = knowledge_graph is None and not config.store.startswith("sparql+")
    responses = ResponseCache(app.wsgi_app)
    logged = RequestLog(responses, request_log) if request_log is not None else None
    app.wsgi_app = logged or responses  # type: ignore[method-assign]
    app.extensions[EXTENSION] = ComityState(
        graph=opened,
        config=config,
        writes=writes,
        runner=_query_runner(config, opened, writes, write_lock, copy_lock, keeps_answers),
        answers=ResultsDirectory(),
        write_lock=write_lock,
        responses=responses,
        request_log=logged,
        keeps_answers=keeps_answers,
        relay=_service_relay(config),
    )
    for module in (sparql_views, graph_store, description, resources, query_page, reconcile, dumps):
        app.register_blueprint(module.blueprint)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QueryFailed, _query_failed)
    app.register_error_handler(ComityError, _user_error)
    app.register_error_handler(UpdateTimeout, _update_timeout)
    app.register_error_handler(UpdateOutOfMemory, _update_timeout)
    app.register_error_handler(Exception, _fault)
    app.before_request(check_request_body)
    app.after_request(_cross_origin)
    return app


def _open_store(
    config: ServerConfig, knowledge_graph: KnowledgeGraph | None, copy_lock: threading.Lock
) -> tuple[KnowledgeGraph, Writes]:
    """The graph the server reads, and where its writes run.

    An on-disk store is written by a writer process, which opens (and if need be creates) it
    first; the server reads a read-only snapshot of it, taken again after every write.
    """
    if knowledge_graph is not None:
        return knowledge_graph, InProcessWrites(knowledge_graph, copy_lock)
    if config.store.startswith("oxigraph:"):
        path = Path(config.store[len("oxigraph:") :]).expanduser()
        writes: Writes = WriterProcess(path, config.memory_limit)
        try:
            if _serves_from_memory(config):
                started = time.monotonic()
                writes = MirroredWrites(writes, config.store, copy_lock)
                log.info(
                    "queries are answered from an in-memory copy of %s (read in %.1f s)",
                    config.store,
                    time.monotonic() - started,
                )
            return graph_layer.open(config.store, read_only=True), writes
        except BaseException:
            writes.close()
            raise
    opened = graph_layer.open(config.store)
    if not opened.inferred_current():
        opened.reason()  # a new memory: store has reference data but no inferences yet
    return opened, InProcessWrites(opened, copy_lock)


def _query_runner(
    config: ServerConfig,
    knowledge_graph: KnowledgeGraph,
    writes: Writes,
    write_lock: threading.Lock,
    copy_lock: threading.Lock,
    cache: bool,
) -> QueryRunner:
    """Queries on memory (or an on-disk store's in-memory copy) go to forks, on an on-disk
    store read from disk to a worker pool, on a remote store in-process.

    Answers are cached only when `cache` says so (see ComityState.keeps_answers): a remote
    endpoint's data, or a graph the caller passed in, changes without the server knowing.
    """
    runner: QueryRunner
    if isinstance(writes, MirroredWrites):
        runner = ForkedPool(writes.query, config.workers, copy_lock)
    elif config.store.startswith("oxigraph:"):
        path = Path(config.store[len("oxigraph:") :])
        runner = WorkerPool(path, config.workers, write_lock)
    elif config.store == "memory:":
        # a graph passed in may change without the server knowing: fork afresh per query
        runner = ForkedPool(knowledge_graph.query, config.workers, copy_lock, per_query=not cache)
    else:
        return InProcess(knowledge_graph.query)
    return CachedRunner(runner) if cache else runner


BYTES_PER_QUAD = 340
"""Memory an in-memory copy takes per quad, the hidden union graph's included (measured about
320 between the 100k and 1M worlds; rounded up): bench/README.md, "Memory"."""


def _serves_from_memory(config: ServerConfig) -> bool:
    """Whether an on-disk store's queries are answered from a copy in memory: as asked, or
    (auto) when the copy would take at most half the memory the machine has free."""
    if config.serve_from != "auto":
        return config.serve_from == "memory"
    needed = graph_layer.store_size(config.store) * BYTES_PER_QUAD
    free = _available_memory()
    if free is not None and needed > free // 2:
        log.warning(
            "queries on %s are answered from disk: a copy in memory would take about %d MB, "
            "more than half of the %d MB free (--serve-from memory overrides)",
            config.store,
            needed // 2**20,
            free // 2**20,
        )
        return False
    return True


def _available_memory() -> int | None:
    """Bytes of memory the system can give without swapping (Linux), else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _service_relay(config: ServerConfig) -> ServiceRelay | None:
    """A relay when the engine runs here and federation is on: the engine then calls SERVICE
    endpoints through it, which never follows a redirect. A remote store calls them itself."""
    embedded = config.store.startswith("oxigraph:") or config.store == "memory:"
    if not embedded or not config.service_allow:
        return None
    return ServiceRelay(config.service_allow, config.timeout)


def _text(message: str, status: int, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(
        message.rstrip() + "\n",
        status=status,
        headers=headers,
        content_type="text/plain; charset=utf-8",
    )


def _http_error(error: HTTPException) -> Response:
    """Protocol errors as one plain-text line a SPARQL client can show as it is."""
    response = error.get_response()
    # A list, not a dict: a header may repeat (one WWW-Authenticate per challenge).
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in ("content-type", "content-length")
    ]
    return _text(error.description or error.name, error.code or 500, headers)


def _query_failed(failure: QueryFailed) -> Response:
    return _http_error(http_error(failure))


def _user_error(error: ComityError) -> Response:
    return _text(str(error), 400)


def _update_timeout(error: UpdateTimeout | UpdateOutOfMemory) -> Response:
    return _text(str(error), 503)


def _fault(error: Exception) -> Response:
    """A real fault: the log gets the traceback, the client one line without it."""
    log.exception("internal error on %s %s", request.method, request.path)
    return _http_error(InternalServerError("internal server error; the server log says why"))


def _cross_origin(response: Response) -> Response:
    """Reads are open to every origin; writes only when the operator says so."""
    config = state().config
    if g.get("write") and not config.cors_writes:
        return response
    if request.method == "OPTIONS" and not config.cors_writes:
        requested = request.headers.get("Access-Control-Request-Method", "")
        if requested in ("PUT", "DELETE"):
            return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        methods = "GET, HEAD, POST, OPTIONS" + (", PUT, DELETE" if config.cors_writes else "")
        allowed_headers = "Accept, Content-Type" + (", Authorization" if config.cors_writes else "")
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = allowed_headers
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
