"""Every request body is held to --max-body, however it arrives, before anything reads it.

Werkzeug checks a declared Content-Length against the limit, but a body sent with
`Transfer-Encoding: chunked` has no declared length: its limited stream stops reading at the
limit and hands over what came before the cut, so an update or a Graph Store write longer than
the limit would run cut short. So a chunked body is read here first, up to one byte past the
limit: past it the request is 413 and nothing runs; within it the body is put back with its
length declared, and whatever reads it later (the SPARQL endpoint, the Graph Store, a
multipart form) sees a whole body of known length.

Compressed bodies (`Content-Encoding: gzip`, `deflate`, ...) are not decoded: such a body is
415, saying to send it uncompressed, so that no limit can be passed by a body that grows when
it is decoded, and no compressed bytes are ever read as SPARQL or RDF.
"""

import io
from typing import Any

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

READ_BYTES = 64 * 1024
"""How much of a chunked body is read at a time."""


def check_request_body() -> None:
    """Refuse a body past the limit (413) or in a content coding (415), before the view runs;
    a chunked body within the limit is kept whole, with its length declared."""
    environ = request.environ
    declared = request.content_length
    chunked = declared is None and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not declared and not chunked:
        return
    coding = environ.get("HTTP_CONTENT_ENCODING", "").strip().lower()
    if coding not in ("", "identity"):
        raise _UnsupportedCoding(
            f"the body is sent with Content-Encoding: {coding}, which this server does not "
            "decode; send it uncompressed"
        )
    limit: int = current_app.config["MAX_CONTENT_LENGTH"]
    if declared is not None and declared > limit:
        raise _too_large(limit, f"its Content-Length says {declared} bytes")
    if chunked:
        body = _read_at_most(environ["wsgi.input"], limit + 1)
        if len(body) > limit:
            raise _too_large(limit, "its chunks add up to more")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))


class _UnsupportedCoding(UnsupportedMediaType):
    """415 for a content coding, naming the one coding accepted, as RFC 9110 (15.5.16) asks."""

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), ("Accept-Encoding", "identity")]


def _read_at_most(stream: io.RawIOBase, size: int) -> bytes:
    """The stream's bytes up to `size` (fewer when it ends first)."""
    body = bytearray()
    while len(body) < size:
        chunk = stream.read(min(READ_BYTES, size - len(body)))
        if not chunk:
            break
        body += chunk
    return bytes(body)


def _too_large(limit: int, how: str) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(
        f"the request body is larger than this server's limit of {limit} bytes ({how}); "
        "nothing was run. Send a smaller body, or split the work into several requests "
        "(the operator sets the limit with --max-body)"
    )
