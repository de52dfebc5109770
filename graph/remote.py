"""A remote store: any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso, QLever, GraphDB ...).

Store URL: ``sparql+http(s)://HOST/PATH?update=URL&store=URL``. The query URL is the URL
without ``sparql+`` and without these parameters. When ``update`` is not given, a query URL
ending in ``/query`` (as an Oxigraph server's does) gives ``/update`` next to it, and any
other query URL is taken to accept updates too (Virtuoso, GraphDB). ``store`` names the Graph
Store Protocol URL the same way (``/store`` next to ``/query``); graphs are read through it
when it is known, through CONSTRUCT queries otherwise.

Credentials come from the environment, never from the command line, and are never printed:
``COMITY_STORE_TOKEN`` (sent as a bearer token) or ``COMITY_STORE_USER`` with
``COMITY_STORE_PASSWORD`` (HTTP basic authentication).

A query whose default graph is the union of all graphs asks for it with the
``union-default-graph`` parameter, which an Oxigraph server understands; configure other
servers to use the union as their default graph (Fuseki: ``tdb2:unionDefaultGraph true``;
Virtuoso does by default).

A query given a `timeout` is abandoned at that deadline, the whole exchange (connecting,
waiting, reading the answer) counted: the connection is closed, which tells the endpoint
nobody waits any more (an Oxigraph server then stops evaluating), and `QueryTimeout` is raised.

Writes: a replacement is one SPARQL Update request (DROP SILENT GRAPH + INSERT DATA), atomic
on every server that runs an update request as a transaction. Above ``max_request_bytes``
(``COMITY_STORE_MAX_REQUEST_BYTES``, default 16 MiB) it is split into several requests, and
is then NOT atomic: a reader may see the graph half-filled, and a blank node shared by two
batches becomes two blank nodes.
"""

import contextlib
import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pyoxigraph
import requests
import urllib3

from graph.backend import (
    QueryResults,
    QueryTimeout,
    change_data,
    graph_quads,
    insert_data,
    replace_graphs_update,
)
from ontology.errors import ComityError

DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 600

RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


@dataclass(frozen=True)
class _Reply:
    """A successful answer of the endpoint, read completely."""

    media_type: str
    content: bytes


class RemoteStore:
    """A SPARQL 1.1 Query and Update endpoint reached over HTTP."""

    keeps_statistics_cache = False

    def __init__(
        self,
        url: str,
        max_request_bytes: int | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.query_url, self.update_url, self.store_url = endpoint_urls(url)
        self.location = _without_credentials(url)
        if max_request_bytes is None:
            max_request_bytes = int(
                os.environ.get("COMITY_STORE_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)
            )
        self.max_request_bytes = max_request_bytes
        self._session = session or requests.Session()
        token = os.environ.get("COMITY_STORE_TOKEN")
        user = os.environ.get("COMITY_STORE_USER")
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        elif user:
            self._session.auth = (user, os.environ.get("COMITY_STORE_PASSWORD", ""))

    def check_reachable(self) -> None:
        """Ask a tiny question first, so that a wrong URL fails here and says what was tried."""
        try:
            response = self._session.post(
                self.query_url,
                data={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=(CONNECT_TIMEOUT_SECONDS, 30),
            )
        except requests.RequestException as error:
            raise ComityError(
                f"{self.location}: cannot reach the SPARQL endpoint "
                f"(tried the query `ASK {{}}` at {_without_credentials(self.query_url)}: "
                f"{_reason(error)}); start the server or fix the --store URL"
            ) from error
        if response.status_code != 200:
            raise ComityError(
                f"{self.location}: {_without_credentials(self.query_url)} answered "
                f"HTTP {response.status_code} to the query `ASK {{}}`; "
                f"is this the SPARQL query URL of the endpoint?"
                + _credentials_hint(response.status_code)
            )

    def query(
        self,
        sparql: str,
        default_graph: list[str] | None,
        named_graphs: list[str] | None,
        union_default_graph: bool,
        timeout: float | None = None,
    ) -> QueryResults:
        """Forward a query; with `timeout`, the request is abandoned at that deadline."""
        fields: list[tuple[str, str]] = [("query", sparql)]
        if default_graph is not None:
            fields += [("default-graph-uri", graph) for graph in default_graph]
        elif union_default_graph and named_graphs is None:
            fields.append(("union-default-graph", ""))
        if named_graphs is not None:
            fields += [("named-graph-uri", graph) for graph in named_graphs]
        response = self._post(
            self.query_url,
            data=urlencode(fields).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": RESULTS_ACCEPT,
            },
            what="query",
            timeout=timeout,
        )
        media_type = response.media_type
        results_format = pyoxigraph.QueryResultsFormat.from_media_type(media_type)
        if results_format is not None:
            return pyoxigraph.parse_query_results(response.content, results_format)
        rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise ComityError(
                f"{self.location}: the endpoint answered a query with {media_type or 'no'} "
                f"content type, neither SPARQL results nor RDF"
            )
        # Callers get the same QueryTriples type as from the embedded store.
        scratch = pyoxigraph.Store()
        scratch.load(response.content, rdf_format)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def update(self, sparql: str, graphs: list[str | None] | None = None) -> None:
        self._post(
            self.update_url,
            data=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            what="update",
        )

    def change_triples(
        self, graph: str, removed: list[pyoxigraph.Triple], added: list[pyoxigraph.Triple]
    ) -> None:
        operations = change_data(graph, removed, added)
        if operations:
            self.update(" ;\n".join(operations))

    def replace_graphs(self, drop: list[str], contents: dict[str, bytes]) -> None:
        sparql = replace_graphs_update(drop, contents)
        if len(sparql.encode("utf-8")) <= self.max_request_bytes:
            if sparql:
                self.update(sparql)
            return
        self.update(replace_graphs_update(drop, {}))
        for graph, ntriples in contents.items():
            for batch in _batches(ntriples, self.max_request_bytes):
                self.update(insert_data(graph, batch))

    def construct_ntriples(self, sparql: str) -> bytes:
        response = self._post(
            self.query_url,
            data=urlencode([("query", sparql)]).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/n-triples",
            },
            what="query",
        )
        return response.content

    def graph_names(self) -> list[str]:
        results = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", None, None, False
        )
        return [
            solution["g"].value
            for solution in results
            if isinstance(solution["g"], pyoxigraph.NamedNode)
        ]

    def quads(self, graph: str | None) -> Iterator[pyoxigraph.Quad]:
        if graph is None:
            ntriples = self.construct_ntriples("CONSTRUCT WHERE { ?s ?p ?o }")
            return pyoxigraph.parse(ntriples, pyoxigraph.RdfFormat.N_TRIPLES)
        if self.store_url is None:
            ntriples = self.construct_ntriples(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            )
        else:
            ntriples = self._graph_store_get(graph)
        return graph_quads(graph, ntriples)

    def _graph_store_get(self, graph: str) -> bytes:
        """One graph through the Graph Store Protocol; a graph the server lacks is empty."""
        url = self.store_url or ""
        try:
            response = self._session.get(
                url,
                params={"graph": graph},
                headers={"Accept": "application/n-triples"},
                timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            )
        except requests.RequestException as error:
            raise ComityError(
                f"{self.location}: reading graph <{graph}> from {_without_credentials(url)} "
                f"failed ({_reason(error)}); check that the server is running"
            ) from error
        if response.status_code == 404:
            return b""
        if response.status_code >= 400:
            raise ComityError(
                f"{self.location}: the Graph Store at {_without_credentials(url)} answered HTTP "
                f"{response.status_code} for graph <{graph}>; check the ?store= URL"
                + _credentials_hint(response.status_code)
            )
        return response.content

    def close(self) -> None:
        self._session.close()

    def _post(
        self,
        url: str,
        data: bytes,
        headers: dict[str, str],
        what: str,
        timeout: float | None = None,
    ) -> _Reply:
        """POST a request and read its whole answer, within `timeout` seconds when given."""
        if timeout is None:
            deadline = None
            limits = urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS)
        else:
            deadline = time.monotonic() + timeout
            # `total` makes the wait for the answer's head use what connecting left over.
            limits = urllib3.Timeout(
                connect=min(CONNECT_TIMEOUT_SECONDS, timeout), read=timeout, total=timeout
            )
        try:
            response = self._session.post(
                url, data=data, headers=headers, timeout=limits, stream=True
            )
        except requests.Timeout as error:
            raise self._timed_out(url, what, timeout, error) from error
        except requests.RequestException as error:
            raise self._failed(url, what, error) from error
        with response:
            try:
                content = _read_until(response, deadline)
            except requests.Timeout as error:
                raise self._timed_out(url, what, timeout, error) from error
            except requests.RequestException as error:
                raise self._failed(url, what, error) from error
        if response.status_code >= 400:
            detail = " ".join(content.decode("utf-8", "replace").split())
            detail = detail if len(detail) <= 300 else detail[:299] + "…"
            raise ComityError(
                f"{self.location}: the endpoint rejected the SPARQL {what} with HTTP "
                f"{response.status_code}: {detail}" + _credentials_hint(response.status_code)
            )
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        return _Reply(media_type, content)

    def _timed_out(
        self, url: str, what: str, timeout: float | None, error: requests.RequestException
    ) -> ComityError:
        """A timeout of its own past a deadline the caller set, a plain failure otherwise."""
        if timeout is None:
            return self._failed(url, what, error)
        return QueryTimeout(
            f"{self.location}: the endpoint gave no complete answer to the {what} within "
            f"{timeout:g} s, so the request was abandoned; make the query more selective "
            f"(or add a LIMIT), or allow it more time"
        )

    def _failed(self, url: str, what: str, error: requests.RequestException) -> ComityError:
        return ComityError(
            f"{self.location}: the {what} request to {_without_credentials(url)} failed "
            f"({_reason(error)}); check that the server is running"
        )


def _read_until(response: requests.Response, deadline: float | None) -> bytes:
    """The whole body of a streamed response, read by the deadline or given up with a Timeout.

    A socket timeout bounds each wait, not the sum of them, so an endpoint sending its answer
    slowly could hold the reader far past the deadline; instead a timer shuts the connection
    down at the deadline, which ends any read in progress at once.
    """
    connection = response.raw.connection
    sock = connection.sock if connection is not None else None
    if deadline is None or sock is None:
        return response.content
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(deadline - time.monotonic(), 0), expire)
    timer.daemon = True
    timer.start()
    try:
        content = response.content
    except requests.RequestException as error:
        if expired.is_set():
            raise requests.Timeout("the answer was not read completely by the deadline") from error
        raise
    finally:
        timer.cancel()
    # Past a shutdown, an answer without a length would look complete when it is not.
    if expired.is_set():
        raise requests.Timeout("the answer was not read completely by the deadline")
    return content


def endpoint_urls(url: str) -> tuple[str, str, str | None]:
    """The query, update and Graph Store URLs named by a sparql+http(s) store URL."""
    if not url.startswith(("sparql+http://", "sparql+https://")):
        raise ComityError(
            f"{url}: a remote store URL starts with sparql+http:// or sparql+https://"
        )
    parts = urlsplit(url[len("sparql+") :])
    if not parts.hostname:
        raise ComityError(f"{_without_credentials(url)}: the URL names no host")
    parameters = parse_qs(parts.query)
    rest = [(key, value) for key, values in parameters.items() for value in values]
    rest = [(key, value) for key, value in rest if key not in ("update", "store")]
    query_url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest), ""))
    sibling = parts.path.endswith("/query")

    def next_to_query(name: str) -> str:
        path = parts.path[: -len("query")] + name
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    update_url = parameters.get("update", [None])[0] or (
        next_to_query("update") if sibling else query_url
    )
    store_url = parameters.get("store", [None])[0] or (next_to_query("store") if sibling else None)
    return query_url, update_url, store_url


def _batches(ntriples: bytes, limit: int) -> Iterator[bytes]:
    """Whole N-Triples lines, grouped into pieces of at most about `limit` bytes."""
    buffer = io.BytesIO()
    for line in ntriples.splitlines(keepends=True):
        if buffer.tell() and buffer.tell() + len(line) > limit:
            yield buffer.getvalue()
            buffer = io.BytesIO()
        buffer.write(line)
    if buffer.tell():
        yield buffer.getvalue()


def _without_credentials(url: str) -> str:
    """A URL fit for a message: any user:password@ part is removed."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"


def _reason(error: requests.RequestException) -> str:
    if isinstance(error, requests.ConnectionError):
        return "connection refused or host unknown"
    if isinstance(error, requests.Timeout):
        return "no answer in time"
    return type(error).__name__


def _credentials_hint(status: int) -> str:
    if status in (401, 403):
        return (
            "; set COMITY_STORE_TOKEN, or COMITY_STORE_USER and COMITY_STORE_PASSWORD, "
            "to credentials that may do this"
        )
    return ""
