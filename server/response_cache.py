"""Whole responses to repeated GET queries, replayed without entering Flask.

A GET query's response is a function of its URL, its Accept header and the store's contents:
the view marks a response it may be kept (`mark_cacheable`), and this WSGI layer keeps the
status, headers and body, keyed on path, query string and Accept, until the next write. A hit
costs a dictionary look-up, where the framework's own request handling costs several times the
whole of that (bench/SERVE.md).

Exact, like the answer cache it sits in front of: every write through the server calls
`invalidate`, and a response computed before a write is never kept after it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from graph.generation_cache import DEFAULT_MAX_BYTES, GenerationCache

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


class ResponseCache:
    """WSGI middleware: replays kept responses to GET requests, bounded in bytes."""

    def __init__(self, application: WsgiApplication, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._application = application
        self._entries: GenerationCache[tuple[str, str, str], _Entry] = GenerationCache(
            _footprint, max_bytes
        )

    @property
    def generation(self) -> int:
        """Read before a response is computed: see `mark_cacheable`."""
        return self._entries.generation

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
        entry = self._entries.get(key)
        if entry is not None:
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
            entry = _Entry(sent[0], list(sent[1]), body, environ.get(ROWS))
            self._entries.put(key, generation, entry)
        return result

    def invalidate(self) -> None:
        """The store changed: forget every response."""
        self._entries.invalidate()


def _footprint(key: tuple[str, str, str], entry: _Entry) -> int:
    """What an entry counts against the cache's bound: its body and its key."""
    return len(entry.body) + sum(len(part) for part in key)


def mark_cacheable(environ: dict[str, Any], generation: int, body: bytes) -> None:
    """Tell the cache that this request's 200 response, with this body, may be kept; the
    generation is the cache's, read before the answer was computed."""
    environ[MARK] = (generation, body)
