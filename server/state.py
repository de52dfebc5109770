"""What one Comity application holds (the graph, the settings, the query machinery), and the
one way a view reaches it.

It lives in `app.extensions["comity"]`, so two applications in one process (tests) never
share a store, a worker pool or a token.
"""

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app, has_request_context, request

import graph as graph_layer
from graph import KnowledgeGraph
from graph.query_execution import QueryResults, QueryRunner, ResultsDirectory, query_within
from graph.statistics import Statistics, compute_statistics
from server.config import ServerConfig
from server.credentials import sharing_client
from server.request_log import RequestLog
from server.response_cache import ResponseCache
from server.service_relay import ServiceRelay
from server.store_writer import Writes

EXTENSION = "comity"
"""The key of the application's state in `app.extensions`."""


@dataclass
class ComityState:
    """Per-application state: the graph, the settings, and the machinery for queries."""

    graph: KnowledgeGraph
    """What the server reads in process; for an on-disk store a read-only snapshot."""
    config: ServerConfig
    writes: Writes
    runner: QueryRunner
    answers: ResultsDirectory
    write_lock: threading.Lock
    responses: ResponseCache
    request_log: RequestLog | None
    keeps_answers: bool
    """Whether answers may be kept until the next write: only for an embedded store the
    application opened itself, since then every write goes through it."""
    relay: ServiceRelay | None = None
    """Through which an embedded store calls SERVICE endpoints (None: no federation here)."""
    committed_at: datetime | None = None
    """When this server last committed a write (UTC), for VoID's and the dumps' dates."""
    _statistics: Statistics | None = field(default=None, init=False, repr=False)

    def query(self, sparql: str) -> QueryResults:
        """A query of the server's own pages, run by the query workers within the time limit
        like any client's (QueryFailed when it cannot be answered)."""
        client = requesting_client() if has_request_context() else ""
        output = self.answers.new_file()
        return query_within(
            self.runner, sparql, self.config.timeout, output, client, self.config.memory_limit
        )

    def statistics(self) -> Statistics:
        """The store's VoID numbers, computed by the query workers and kept until a write."""
        statistics = self._statistics
        if statistics is None:
            statistics = compute_statistics(self.query)  # type: ignore[arg-type]
            self._statistics = statistics
        return statistics

    def write(self, sparql: str, graphs: list[str | None] | None = None) -> None:
        """Apply one update within the time limit, refresh the inferred graph, and let every
        reader see the result.

        Writes are serialised: the graph layer's transactions are per call, and reasoning
        after one write must not interleave with the next.
        """
        with self.write_lock:
            try:
                self.writes.apply(sparql, self.config.timeout, graphs)
                self.committed_at = datetime.now(UTC).replace(microsecond=0)
            finally:
                if self.graph.read_only:
                    # A snapshot: take a new one. The old one is not closed here, since a
                    # request may still be reading it; it closes when the last reader drops it.
                    self.graph = graph_layer.open(self.graph.location, read_only=True)
                self.runner.store_changed()
                self.responses.invalidate()
                self._statistics = None

    def close(self) -> None:
        """Stop the query workers, remove pending answers and release the store."""
        self.runner.close()
        if self.relay is not None:
            self.relay.close()
        self.answers.close()
        self.writes.close()
        self.graph.close()
        if self.request_log is not None:
            self.request_log.close()


def state() -> ComityState:
    """The application's Comity state."""
    return current_app.extensions[EXTENSION]


def requesting_client() -> str:
    """Whom this request's queries count against when the workers are shared out: its valid
    credentials' name, else its address."""
    config = state().config
    authorization = request.headers.get("Authorization", "")
    address = request.remote_addr or ""
    return sharing_client(authorization, address, config.token, config.accounts)
