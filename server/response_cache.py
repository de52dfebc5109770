"""Whole responses to repeated GET queries, replayed without entering Flask.

A GET query's response is a function of its URL, its Accept header and the store's contents:
the view marks a response it may be kept (`mark_cacheable`), and this WSGI layer keeps the
status, headers and body, keyed on path, query string and Accept, until the next write. A hit
costs a dictionary look-up, where the framework's own request handling costs several times the
whole of that (bench/SERVE.md).

Exact, like the answer cache it sits in front of: every write through the server calls
`invalidate`, and a response computed before a write is never kept after it.
"""

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

MARK = "comity.cacheable"
"""The environ key the view sets on a response that may be kept: (generation, body)."""
ROWS = "comity.rows"
"""The environ key holding the number of rows of a query's answer, for the request log."""

StartResponse = Callable[..., Any]
WsgiApplication = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class _Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    rows: int | None
    generation: int


class ResponseCache:
    """WSGI middleware: replays kept responses to GET requests, bounded in bytes."""

    def __init__(self, application: WsgiApplication, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._application = application
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: dict[tuple[str, str, str], _Entry] = {}
        self._lock = threading.Lock()
        self.generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] != "GET":
            return self._application(environ, start_response)
        key = (
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
        )
        entry = self._entries.get(key)  # a single dict read: no lock needed
        if entry is not None and entry.generation == self.generation:
            environ[ROWS] = entry.rows
            start_response(entry.status, entry.headers)
            return [entry.body]
        sent: list[Any] = []

        def keep_status(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, *rest)

        result = self._application(environ, keep_status)
        mark = environ.get(MARK)
        if mark is not None and sent and sent[0].startswith("200"):
            generation, body = mark
            self._keep(key, _Entry(sent[0], list(sent[1]), body, environ.get(ROWS), generation))
        return result

    def _keep(self, key: tuple[str, str, str], entry: _Entry) -> None:
        size = _footprint(key, entry)
        if size > self._max_bytes // 16:
            return
        with self._lock:
            if entry.generation != self.generation or key in self._entries:
                return
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self._max_bytes:  # the oldest go first
                oldest = next(iter(self._entries))
                dropped = self._entries.pop(oldest)
                self._bytes -= _footprint(oldest, dropped)

    def invalidate(self) -> None:
        """The store changed: forget every response."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._bytes = 0


def _footprint(key: tuple[str, str, str], entry: _Entry) -> int:
    """What an entry counts against the cache's bound: its body and its key."""
    return len(entry.body) + sum(len(part) for part in key)


def mark_cacheable(environ: dict[str, Any], generation: int, body: bytes) -> None:
    """Tell the cache that this request's 200 response, with this body, may be kept; the
    generation is the cache's, read before the answer was computed."""
    environ[MARK] = (generation, body)
