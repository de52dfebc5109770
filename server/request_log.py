"""One log line per request: method, path, status, milliseconds, and rows when a query ran.

A WSGI layer rather than a Flask hook, so that responses replayed by the response cache, which
never reach Flask, are logged like every other. It does not go through `logging`: a record
there costs some 40 µs of the request thread's time and the GIL's (record, formatting, handler
locks), more than a whole replayed response. A request only queues a tuple; one thread wakes
every WRITE_INTERVAL seconds, formats what has queued and writes it in one go (waking for every
line would cost a thread switch per request).
"""

import queue
import threading
import time
from collections.abc import Iterable
from typing import Any, TextIO

from server.response_cache import ROWS, StartResponse, WsgiApplication

_STOP = None
WRITE_INTERVAL = 0.1
"""Seconds between two writes of the queued lines."""


class RequestLog:
    """WSGI middleware writing one line per request to a text stream, from its own thread."""

    def __init__(self, application: WsgiApplication, stream: TextIO) -> None:
        self._application = application
        self._stream = stream
        self._lines: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write, name="comity-request-log", daemon=True)
        self._writer.start()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def keep_status(line: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            status[0] = line[:3]
            return start_response(line, headers, *rest)

        try:
            return self._application(environ, keep_status)
        finally:
            self._lines.put(
                (
                    time.time(),
                    environ["REQUEST_METHOD"],
                    environ.get("PATH_INFO", ""),
                    status[0],
                    (time.perf_counter() - started) * 1000,
                    environ.get(ROWS),
                )
            )

    def _write(self) -> None:
        second, stamp = -1, ""
        while True:
            batch = [self._lines.get()]
            time.sleep(WRITE_INTERVAL)
            while not self._lines.empty():
                batch.append(self._lines.get())
            text: list[str] = []
            for line in batch:
                if line is _STOP:
                    self._stream.write("".join(text))
                    self._stream.flush()
                    return
                at, method, path, status, milliseconds, rows = line
                if int(at) != second:
                    second = int(at)
                    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
                counted = "" if rows is None else f" {rows} rows"
                text.append(
                    f"{stamp},{int(at * 1000) % 1000:03d} comity.requests "
                    f"{method} {path} {status} {milliseconds:.1f} ms{counted}\n"
                )
            self._stream.write("".join(text))
            self._stream.flush()

    def close(self) -> None:
        """Write what is queued and stop the writer."""
        self._lines.put(_STOP)
        self._writer.join(timeout=5)
