"""The relay through which an embedded store calls SERVICE endpoints and fetches LOAD documents.

Oxigraph makes SERVICE calls and LOAD requests itself and follows HTTP redirects, and
pyoxigraph offers no hook to stop it: an allowed endpoint answering 3xx could send the server
on to a host the allowlist never admitted, such as this machine's own services or the private
network behind it. So, once check_services and check_loads have accepted a request, every
SERVICE endpoint and LOAD document in it is rewritten to an IRI of this relay, a small HTTP
server on the loopback interface inside the server process. The relay checks the IRI again,
resolves its host once and connects only to the address it checked (TLS still verifies the
endpoint's own name), and answers a redirect with an error instead of following it. A random
path segment keeps other programs on the machine from using the relay as a proxy.

A LOAD document is parsed by the relay, with its own IRI as base, and handed to the engine as
N-Triples, which hold no relative IRI: the engine would otherwise resolve them against the
relay's IRI. A document that cannot be read is an error of the relay (502) before the engine
sees any of it.
"""

import base64
import binascii
import hmac
import logging
import re
import secrets
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any, cast
from urllib.parse import urlsplit

import pyoxigraph
import requests
import urllib3
from requests.adapters import HTTPAdapter

from graph.query_execution import FailureReason, QueryFailed
from graph.sparql_inspection import load_calls, service_calls
from server.federation import Resolver, ServiceRefused, endpoint_addresses, resolve

log = logging.getLogger("comity.server")

CHUNK_BYTES = 64 * 1024
PAYLOAD_EXCERPT_BYTES = 1000

# The path segment, after the secret, of a relay IRI standing for a LOAD document.
_LOAD_SEGMENT = "load/"
# How Oxigraph's parser locates a syntax error: line and column, both counted from 1.
_POSITION = re.compile(r"error at (\d+):(\d+)")
# Headers of Oxigraph's request that the endpoint needs; the rest is the relay's business.
_FORWARDED_HEADERS = ("Accept", "Content-Type", "User-Agent")


@dataclass(frozen=True)
class RoutedText:
    """A request as it goes to the engine, with its SERVICE endpoints pointing at the relay,
    and what it takes to talk about it in the client's own words again."""

    original: str
    sparql: str
    edits: tuple[tuple[int, int, int], ...] = ()
    """(start, end) of each rewritten endpoint in `original`, and its replacement's length."""
    relay_url: str = ""

    def message(self, text: str) -> str:
        """An error message about `sparql` made about `original`: positions mapped back and
        relay IRIs replaced by the endpoints they stand for."""
        if not self.edits:
            return text
        text = _POSITION.sub(lambda match: self._original_position(match), text)
        return self._endpoints_named(text)

    def service_failure(self, text: str) -> str | None:
        """The client's message when `text` reports a SERVICE call that failed through the
        relay, or None when it reports something else."""
        if not self.relay_url or self.relay_url not in text:
            return None
        answer = re.search(
            rf"returned by {self._relay_iri()} with payload:\s*(?P<payload>.+)", text, re.DOTALL
        )
        if answer is not None:  # the relay's own explanation
            return self._endpoints_named(answer.group("payload").strip())
        return f"another server could not be reached: {self._endpoints_named(text)}"

    def failure(self, failure: QueryFailed) -> QueryFailed:
        """A query failure as the client should read it."""
        explained = self.service_failure(failure.message)
        if explained is not None:
            return QueryFailed(FailureReason.SERVICE, explained)
        if self.edits:  # a syntax error's position, whatever layer reported it
            return QueryFailed(failure.reason, self.message(failure.message))
        return failure

    def _original_position(self, match: re.Match[str]) -> str:
        line, column = int(match.group(1)), int(match.group(2))
        lines = self.sparql.split("\n")
        offset = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
        shift = 0
        for start, end, length in self.edits:
            if offset < start + shift:
                break
            if offset < start + shift + length:  # inside a relay IRI: its endpoint's start
                shift = offset - start
                break
            shift += length - (end - start)
        original = offset - shift
        line = self.original.count("\n", 0, original) + 1
        column = original - (self.original.rfind("\n", 0, original) + 1) + 1
        return f"error at {line}:{column}"

    def _endpoints_named(self, text: str) -> str:
        return re.sub(
            self._relay_iri(), lambda match: _decoded(match.group(1)) or "(the relay)", text
        )

    def _relay_iri(self) -> str:
        """A pattern of this relay's IRIs, SERVICE's and LOAD's, the encoded IRI its group."""
        return re.escape(self.relay_url) + f"(?:{re.escape(_LOAD_SEGMENT)})?" + r"([\w-]*)"


class ServiceRelay:
    """The loopback HTTP server through which the engine calls SERVICE endpoints and fetches
    LOAD documents.

    Requests are relayed one by one, each in its own thread; answers are streamed through (a
    LOAD document through a temporary file), never held whole in memory.
    """

    def __init__(self, allow: Iterable[str], timeout: float, resolver: Resolver = resolve) -> None:
        self.allow = tuple(allow)
        self.timeout = timeout
        self.resolver = resolver
        self._secret = secrets.token_urlsafe(24)
        self._server = _RelayServer(self)
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/{self._secret}/"
        """Every relay IRI starts with this; the rest names the endpoint."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="comity-service-relay", daemon=True
        )
        self._thread.start()

    def route(self, sparql: str) -> RoutedText:
        """The request with each SERVICE endpoint this server would call, and each document
        it would LOAD, replaced by a relay IRI. Call it only on text check_services and
        check_loads have accepted.

        SERVICE clauses nested in another SERVICE's group are left as written: the outer
        endpoint evaluates them, and the relay's address means nothing there.
        """
        targets = [
            (call.span, f"<{self.url}{_encoded(call.iri)}>")
            for call in service_calls(sparql)
            if not call.nested and call.iri is not None and call.span is not None
        ]
        targets += [
            (call.span, f"<{self.url}{_LOAD_SEGMENT}{_encoded(call.iri)}>")
            for call in load_calls(sparql)
            if call.iri is not None and call.span is not None
        ]
        pieces: list[str] = []
        edits: list[tuple[int, int, int]] = []
        position = 0
        for (start, end), replacement in sorted(targets):
            pieces += [sparql[position:start], replacement]
            edits.append((start, end, len(replacement)))
            position = end
        if not edits:
            return RoutedText(sparql, sparql)
        pieces.append(sparql[position:])
        return RoutedText(sparql, "".join(pieces), tuple(edits), self.url)

    def endpoint(self, path: str) -> str | None:
        """The endpoint (or LOAD document) IRI a request path stands for; None without the
        right secret."""
        secret, _, encoded = path.lstrip("/").partition("/")
        if not hmac.compare_digest(secret.encode(), self._secret.encode()):
            return None
        return _decoded(encoded.removeprefix(_LOAD_SEGMENT))

    def close(self) -> None:
        """Stop listening; calls still being relayed end with their query."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _encoded(iri: str) -> str:
    return base64.urlsafe_b64encode(iri.encode("utf-8")).decode("ascii").rstrip("=")


def _decoded(encoded: str) -> str | None:
    try:
        data = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_", validate=True)
        return data.decode("utf-8") or None
    except (binascii.Error, UnicodeDecodeError):
        return None


class _RelayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, relay: ServiceRelay) -> None:
        self.relay = relay
        super().__init__(("127.0.0.1", 0), _RelayHandler)


class _RelayHandler(BaseHTTPRequestHandler):
    """One SPARQL protocol request of the engine, passed on to the endpoint it stands for."""

    protocol_version = "HTTP/1.1"  # chunked answers: Oxigraph reads no close-delimited body
    server: _RelayServer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._relay()

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self._relay()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Quiet: the request log records the client's request, which is what matters."""

    def _relay(self) -> None:
        self.close_connection = True
        relay = self.server.relay
        path, _, query = self.path.partition("?")
        iri = relay.endpoint(path)
        if iri is None:
            self._answer(404, "not found")
            return
        operation = (
            "LOAD" if path.lstrip("/").partition("/")[2].startswith(_LOAD_SEGMENT) else "SERVICE"
        )
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._answer(400, "the Content-Length header is not a number")
            return
        body = self.rfile.read(length) if length > 0 else None
        try:
            addresses = endpoint_addresses(iri, relay.allow, relay.resolver, operation)
        except ServiceRefused as error:
            self._answer(403, str(error))
            return
        headers = {name: self.headers[name] for name in _FORWARDED_HEADERS if name in self.headers}
        call = _EndpointCall(iri, addresses, relay.timeout)
        try:
            with call.response(self.command, query, headers, body) as response:
                if self._refused(operation, iri, response):
                    return
                if operation == "LOAD":
                    self._pass_on_document(iri, response)
                else:
                    self._pass_on(iri, response)
        except requests.Timeout:
            self._answer(504, f"{operation} <{iri}> did not answer within {relay.timeout:g} s")
        except (requests.RequestException, ValueError) as error:  # ValueError: e.g. a bad port
            self._answer(502, f"{operation} <{iri}> could not be reached: {error}")

    def _refused(self, operation: str, iri: str, response: requests.Response) -> bool:
        """Answer 502 for a redirect or an error status, which are not passed on."""
        status = response.status_code
        if 300 <= status < 400:
            target = response.headers.get("Location", "nowhere")
            log.warning("%s <%s> answered %d to %s: not followed", operation, iri, status, target)
            self._answer(
                502,
                f"{operation} <{iri}> answered {status} {response.reason}, a redirect to "
                f"{target}; the redirect was refused: this server does not follow redirects of "
                "SERVICE endpoints or LOAD documents, since they could lead to a host the "
                "allowlist does not admit. Name the IRI that answers in the request, and list "
                "it with --service-allow if needed",
            )
            return True
        if not 200 <= status < 300:
            excerpt = next(response.iter_content(PAYLOAD_EXCERPT_BYTES), b"")
            said = " ".join(excerpt.decode("utf-8", "replace").split())
            reason = f"{operation} <{iri}> answered {status} {response.reason}"
            self._answer(502, f"{reason}: {said}" if said else reason)
            return True
        return False

    def _pass_on(self, iri: str, response: requests.Response) -> None:
        self.send_response(response.status_code)
        if "Content-Type" in response.headers:
            self.send_header("Content-Type", response.headers["Content-Type"])
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except (requests.RequestException, OSError) as error:
            # The status is sent: leaving the chunked body unfinished is how to say it failed.
            log.warning("SERVICE <%s>: the answer broke off (%s)", iri, error)

    def _pass_on_document(self, iri: str, response: requests.Response) -> None:
        """A LOAD document read whole, with its own IRI as base, and passed on as N-Triples;
        502 saying why when it is not RDF the engine could load."""
        media_type = response.headers.get("Content-Type", "").partition(";")[0].strip()
        rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type) if media_type else None
        if rdf_format is None:
            extension = urlsplit(iri).path.rpartition(".")[2]
            rdf_format = pyoxigraph.RdfFormat.from_extension(extension) if extension else None
        if rdf_format is None:
            self._answer(
                502,
                f"LOAD <{iri}> answered {media_type or 'without a Content-Type'}, which is not "
                "an RDF format this server reads",
            )
            return
        response.raw.decode_content = True
        with tempfile.TemporaryFile() as ntriples:
            try:
                # urllib3's response is a binary file, though typeshed does not derive it from IO.
                triples = pyoxigraph.parse(
                    cast(IO[bytes], response.raw),
                    rdf_format,
                    base_iri=iri,
                    without_named_graphs=True,
                )
                pyoxigraph.serialize(triples, ntriples, pyoxigraph.RdfFormat.N_TRIPLES)
            except (SyntaxError, ValueError) as error:
                reason = " ".join(str(error).split())
                self._answer(
                    502, f"LOAD <{iri}>: the {rdf_format.name} it answered is not valid: {reason}"
                )
                return
            except (OSError, urllib3.exceptions.HTTPError) as error:
                self._answer(502, f"LOAD <{iri}>: its answer broke off ({error})")
                return
            size = ntriples.tell()
            ntriples.seek(0)
            self.send_response(200)
            self.send_header("Content-Type", pyoxigraph.RdfFormat.N_TRIPLES.media_type)
            self.send_header("Content-Length", str(size))
            self.send_header("Connection", "close")
            self.end_headers()
            while chunk := ntriples.read(CHUNK_BYTES):
                self.wfile.write(chunk)

    def _answer(self, status: int, text: str) -> None:
        data = (text.rstrip() + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)


class _PinnedTLS(HTTPAdapter):
    """TLS to an address chosen beforehand that still verifies the endpoint's host name."""

    def __init__(self, host_name: str) -> None:
        self._host_name = host_name  # before the base, which builds the pool manager
        super().__init__(max_retries=0)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool: Any
    ) -> None:
        pool.update(server_hostname=self._host_name, assert_hostname=self._host_name)
        super().init_poolmanager(connections, maxsize, block, **pool)


@dataclass(frozen=True)
class _EndpointCall:
    """One call to an endpoint, at the addresses checked for it, without following redirects."""

    iri: str
    addresses: list[str]
    timeout: float

    @contextmanager
    def response(
        self, method: str, query: str, headers: dict[str, str], body: bytes | None
    ) -> Iterator[requests.Response]:
        parts = urlsplit(self.iri)
        target_query = "&".join(part for part in (parts.query, query) if part)
        path = (parts.path or "/") + (f"?{target_query}" if target_query else "")
        port = f":{parts.port}" if parts.port else ""
        headers = {**headers, "Host": parts.netloc.rpartition("@")[2]}
        with requests.Session() as session:
            session.trust_env = False  # no proxy from the environment: the address is pinned
            session.mount("https://", _PinnedTLS(parts.hostname or ""))
            failure: requests.RequestException | None = None
            for address in self.addresses:
                host = f"[{address}]" if ":" in address else address
                try:
                    response = session.request(
                        method,
                        f"{parts.scheme}://{host}{port}{path}",
                        headers=headers,
                        data=body,
                        timeout=self.timeout,
                        allow_redirects=False,
                        stream=True,
                    )
                except requests.ConnectionError as error:  # try the host's next address
                    failure = error
                    continue
                with response:
                    yield response
                return
            raise failure or requests.ConnectionError(f"{parts.hostname} has no address")
