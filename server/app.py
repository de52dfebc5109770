"""The Flask application factory: one blueprint per concern, configuration passed in, no globals.

Everything an app needs lives in `app.extensions["comity"]` (a `ComityState`), so two apps in
one process (tests) never share a store, a worker pool or a token.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, InternalServerError

import graph as graph_layer
from graph import KnowledgeGraph
from ontology.errors import ComityError
from server import description, graph_store, query_page, resources, sparql
from server.config import ServerConfig
from server.query_workers import (
    CachedRunner,
    ForkPerQuery,
    InProcess,
    QueryRunner,
    ResultsDirectory,
    WorkerPool,
)

log = logging.getLogger("comity.server")


@dataclass
class ComityState:
    """Per-application state: the graph, the settings, and the machinery for queries."""

    graph: KnowledgeGraph
    config: ServerConfig
    runner: QueryRunner
    answers: ResultsDirectory
    write_lock: threading.Lock

    def write(self, change: Callable[[KnowledgeGraph], object]) -> None:
        """Apply one write, refresh the inferred graph, and let query workers see the result.

        Writes are serialised: the graph layer's transactions are per call, and reasoning
        after one write must not interleave with the next.
        """
        with self.write_lock:
            try:
                change(self.graph)
                self.graph.reason()
            finally:
                self.runner.store_changed()

    def close(self) -> None:
        """Stop the query workers, remove pending answers and release the store."""
        self.runner.close()
        self.answers.close()
        self.graph.close()


def create_app(config: ServerConfig, knowledge_graph: KnowledgeGraph | None = None) -> Flask:
    """A Comity server for one store: opened from `config.store` unless a graph is passed in."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body
    opened = knowledge_graph if knowledge_graph is not None else graph_layer.open(config.store)
    write_lock = threading.Lock()
    app.extensions["comity"] = ComityState(
        graph=opened,
        config=config,
        runner=_query_runner(config, opened, write_lock, cache=knowledge_graph is None),
        answers=ResultsDirectory(),
        write_lock=write_lock,
    )
    for module in (sparql, graph_store, description, resources, query_page):
        app.register_blueprint(module.blueprint)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ComityError, _user_error)
    app.register_error_handler(Exception, _fault)
    app.before_request(_start_clock)
    app.after_request(_cross_origin)
    app.after_request(_log_request)
    return app


def _query_runner(
    config: ServerConfig, knowledge_graph: KnowledgeGraph, write_lock: threading.Lock, cache: bool
) -> QueryRunner:
    """Queries on an on-disk store go to a worker pool, on memory to forks, remote in-process.

    Answers are cached only for an embedded store the application opened itself: then every
    write goes through it. A remote endpoint's data, or a graph the caller passed in and may
    still change directly, changes without the server knowing.
    """
    runner: QueryRunner
    if config.store.startswith("oxigraph:"):
        path = Path(config.store[len("oxigraph:") :])
        runner = WorkerPool(path, config.workers, write_lock)
    elif config.store == "memory:":
        runner = ForkPerQuery(knowledge_graph.query, config.workers, write_lock)
    else:
        return InProcess(knowledge_graph.query)
    return CachedRunner(runner) if cache else runner


def _text(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        message.rstrip() + "\n",
        status=status,
        headers=headers,
        content_type="text/plain; charset=utf-8",
    )


def _http_error(error: HTTPException) -> Response:
    """Protocol errors as one plain-text line a SPARQL client can show as it is."""
    response = error.get_response()
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    headers.pop("Content-Length", None)
    return _text(error.description or error.name, error.code or 500, headers)


def _user_error(error: ComityError) -> Response:
    return _text(str(error), 400)


def _fault(error: Exception) -> Response:
    """A real fault: the log gets the traceback, the client one line without it."""
    log.exception("internal error on %s %s", request.method, request.path)
    return _http_error(InternalServerError("internal server error; the server log says why"))


def _start_clock() -> None:
    g.started = time.perf_counter()


def _cross_origin(response: Response) -> Response:
    """Reads are open to every origin; writes only when the operator says so."""
    config: ServerConfig = current_app.extensions["comity"].config
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


def _log_request(response: Response) -> Response:
    """One line per request: method, path, status, milliseconds, rows (when a query ran)."""
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    rows = g.get("rows")
    log.info(
        "%s %s %d %.1f ms%s",
        request.method,
        request.path,
        response.status_code,
        elapsed,
        f" {rows} rows" if rows is not None else "",
    )
    return response
