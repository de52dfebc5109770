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

Writes: a replacement of at most ``batch`` statements (``?batch=N`` in the store URL, default
1000) is one SPARQL Update request (DROP SILENT GRAPH + INSERT), atomic on every server that
runs an update request as a transaction. A larger one puts each graph whole through the Graph
Store Protocol (a PUT replaces one graph atomically) when the store offers it; otherwise it
drops the graphs and inserts ``batch`` statements per request, and is then NOT atomic: a
reader may see a graph half-filled. Either way a write cut short leaves graphs that differ
from what a source describes, so loading the source again replaces it whole. A batch keeps
the statements that share a blank node together, so that the node stays one node.

Virtuoso 7 refuses blank nodes in INSERT DATA and an update whose generated SQL passes 10,000
lines (about 1,500 statements of INSERT with a template, 5,000 of INSERT DATA); content with
blank nodes is inserted with ``INSERT { ... } WHERE {}``, and the default batch stays below
both limits. A Virtuoso endpoint is recognised by its Server header: its Graph Store
(``/sparql-graph-crud``) is then used without ``?store=``, and its own graphs (quad-map
metadata and the like) are left out of the store's graph names.

Long writes log a line per request on the ``graph.remote`` logger (the CLI shows them), and a
failing request is named: which request of how many, which graph, which statements.
``?timeout=SECONDS`` (default 600) bounds the wait for the answer to each write.
"""

import contextlib
import functools
import io
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pyoxigraph
import requests
import urllib3

from graph.backend import (
    QueryResults,
    QueryTimeout,
    change_data,
    graph_block,
    graph_quads,
    solutions_of,
)
from graph.update_scope import DataWrite
from ontology.errors import ComityError

DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024
DEFAULT_BATCH_STATEMENTS = 1000
"""Statements per update request: below Virtuoso 7's limits with a margin of a third."""
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 600
STORE_OPTIONS = ("update", "store", "batch", "timeout")
"""Parameters of a store URL that configure Comity, not the query URL."""

VIRTUOSO_GRAPH_STORE_PATH = "/sparql-graph-crud"
VIRTUOSO_OWN_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/",
)
"""Prefixes of the graphs a Virtuoso server keeps for itself."""
VIRTUOSO_ASK_VARIABLE = pyoxigraph.Variable("__ASK_RETVAL")
"""The one column of the table Virtuoso may send for a false ASK instead of a boolean."""
EMPTY_DEFAULT_GRAPH = "urn:comity:empty-default-graph"
"""A graph nobody writes: named as the default graph, it keeps a union of all graphs out."""

_BLANK_NODE = re.compile(rb"(?:^|\s)_:([^\s.]+(?:\.[^\s.]+)*)")

SERVICE_DESCRIPTION_REGIME = (
    "http://www.w3.org/ns/sparql-service-description#defaultEntailmentRegime"
)
OWL_ENTAILMENT = "http://www.w3.org/ns/entailment/OWL-RDF-Based"
"""The entailment regime of an endpoint that computes OWL entailments itself (OWL 2 RL on a
Comity server), as its service description names it."""

log = logging.getLogger(__name__)

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
        self.batch, self.write_timeout = _write_options(url)
        self._store_named = self.store_url is not None
        self._own_graphs: tuple[str, ...] = ()
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
        if response.headers.get("Server", "").startswith("Virtuoso"):
            self._own_graphs = VIRTUOSO_OWN_GRAPHS
            if not self._store_named:
                self.store_url = urljoin(self.query_url, VIRTUOSO_GRAPH_STORE_PATH)

    @functools.cached_property
    def reasons_itself(self) -> bool:
        """Whether the endpoint's service description (its answer to a GET without a query)
        names OWL entailment as its default regime, as a Comity server's does: such a store
        recomputes its inferred graph after every write and refuses anyone else's. An endpoint
        that describes no such thing, or nothing, does not."""
        try:
            response = self._session.get(
                self.query_url,
                headers={"Accept": "application/n-triples, text/turtle;q=0.9"},
                timeout=(CONNECT_TIMEOUT_SECONDS, 30),
            )
        except requests.RequestException:
            return False
        media_type = response.headers.get("Content-Type", "").partition(";")[0].strip()
        rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type) if media_type else None
        if response.status_code != 200 or rdf_format is None:
            return False
        regime = pyoxigraph.NamedNode(SERVICE_DESCRIPTION_REGIME)
        try:
            return any(
                triple.predicate == regime and triple.object.value == OWL_ENTAILMENT
                for triple in pyoxigraph.parse(
                    response.content, rdf_format, base_iri=self.query_url
                )
            )
        except (SyntaxError, ValueError):
            return False

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
            results = pyoxigraph.parse_query_results(response.content, results_format)
            if isinstance(results, pyoxigraph.QuerySolutions) and results.variables == [
                VIRTUOSO_ASK_VARIABLE
            ]:
                return _virtuoso_ask(results)
            return results
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

    def update(
        self,
        sparql: str,
        graphs: list[str | None] | None = None,
        data_write: DataWrite | None = None,
    ) -> None:
        self._post(
            self.update_url,
            data=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            what="update",
        )

    def change_triples(
        self, graph: str, removed: list[pyoxigraph.Triple], added: list[pyoxigraph.Triple]
    ) -> None:
        """One request when the change fits a batch; removals first, then additions, else."""
        if len(removed) + len(added) <= self.batch:
            operations = change_data(graph, removed, added)
            if operations:
                self.update(" ;\n".join(operations))
            return
        requests_ = [
            (f"removing {len(part)} statements of <{graph}>", change_data(graph, part, []))
            for part in _chunks(removed, self.batch)
        ] + [
            (f"adding {len(part)} statements to <{graph}>", change_data(graph, [], part))
            for part in _chunks(added, self.batch)
        ]
        self._write_in_requests(
            len(removed) + len(added),
            [
                (what, functools.partial(self.update, " ;\n".join(operations)))
                for what, operations in requests_
            ],
        )

    def replaces_atomically(self, drop: list[str], contents: dict[str, bytes]) -> bool:
        """When the replacement fits one update request (a batch)."""
        return self._one_request(drop, contents, _filled(contents)) is not None

    def _one_request(
        self, drop: list[str], contents: dict[str, bytes], filled: dict[str, bytes]
    ) -> str | None:
        """The replacement as one update, when it fits a batch; None when it does not."""
        if sum(map(_statement_count, filled.values())) > self.batch:
            return None
        sparql = _replacement(list(dict.fromkeys([*drop, *contents])), filled)
        return sparql if len(sparql.encode("utf-8")) <= self.max_request_bytes else None

    def replace_graphs(self, drop: list[str], contents: dict[str, bytes]) -> None:
        """One update when it fits a batch; else a Graph Store PUT per graph, or batches."""
        filled = _filled(contents)
        sparql = self._one_request(drop, contents, filled)
        if sparql is not None:
            if sparql:
                self.update(sparql)
            return
        emptied = [graph for graph in dict.fromkeys([*drop, *contents]) if graph not in filled]
        statements = sum(map(_statement_count, filled.values()))
        steps: list[tuple[str, Callable[[], None]]] = []
        if self.store_url is not None:
            for graph, ntriples in filled.items():
                count = _statement_count(ntriples)
                steps.append(
                    (
                        f"graph <{graph}>, {count} statements (Graph Store PUT)",
                        functools.partial(self._graph_store_put, graph, ntriples),
                    )
                )
            if emptied:  # after the graphs that are filled, the first of which says what is done
                drops = _replacement(emptied, {})
                steps.append((f"dropping {len(emptied)} graph(s)", lambda: self.update(drops)))
        else:
            drops = _replacement(list(dict.fromkeys([*drop, *contents])), {})
            steps.append(("dropping the graphs it replaces", lambda: self.update(drops)))
            for graph, ntriples in filled.items():
                first = 1
                for batch in _batches(ntriples, self.batch, self.max_request_bytes):
                    count = batch.count(b"\n")
                    insert = _replacement([], {graph: batch})
                    steps.append(
                        (
                            f"statements {first}-{first + count - 1} of <{graph}>",
                            functools.partial(self.update, insert),
                        )
                    )
                    first += count
        self._write_in_requests(statements, steps)

    def restore_dataset(
        self, path: Path, format: pyoxigraph.RdfFormat, marker: pyoxigraph.Quad
    ) -> None:
        """Empty the store and write a dump's graphs into it, each graph whole.

        The dump is read and checked before the store is touched. A remote store cannot keep
        a blank node shared by two graphs (each graph goes in a request of its own, and a
        label means one node within one request only), nor a default graph apart from its
        named graphs (Virtuoso's is their union): such a dump is refused. While the graphs
        are written the store carries `marker`, so a restore cut short says so.
        """
        contents: dict[str, list[pyoxigraph.Triple]] = {}
        first_graph: dict[str, str] = {}
        for quad in pyoxigraph.parse(path=path, format=format):
            if not isinstance(quad.graph_name, pyoxigraph.NamedNode):
                raise ComityError(
                    f"{path}: the dump has triples in the default graph (or in a graph named "
                    f"by a blank node), which {self.location} cannot keep apart from its named "
                    f"graphs; nothing was restored"
                )
            graph = quad.graph_name.value
            contents.setdefault(graph, []).append(quad.triple)
            for term in (quad.subject, quad.object):
                if isinstance(term, pyoxigraph.BlankNode):
                    seen = first_graph.setdefault(term.value, graph)
                    if seen != graph:
                        raise ComityError(
                            f"{path}: blank node _:{term.value} is in graphs <{seen}> and "
                            f"<{graph}>; a remote store takes each graph in a request of its "
                            f"own and would make it two nodes; nothing was restored"
                        )
        marked = f"{marker.subject} {marker.predicate} {marker.object}"
        self.update(f"INSERT DATA {{ GRAPH {marker.graph_name} {{ {marked} }} }}")
        held = [graph for graph in self.graph_names() if graph not in contents]
        self.update("DROP SILENT DEFAULT")
        # The graph that carries the marker goes last: replacing it takes the marker away
        # only once everything else is written.
        marker_graph = marker.graph_name
        assert isinstance(marker_graph, pyoxigraph.NamedNode), "the marker is in a named graph"
        order = sorted(contents, key=lambda graph: graph == marker_graph.value)
        serialised = {
            graph: pyoxigraph.serialize(contents[graph], format=pyoxigraph.RdfFormat.N_TRIPLES)
            or b""
            for graph in order
        }
        self.replace_graphs(held, serialised)
        self.update(f"DELETE DATA {{ GRAPH {marker.graph_name} {{ {marked} }} }}")

    def _write_in_requests(
        self, statements: int, steps: list[tuple[str, Callable[[], None]]]
    ) -> None:
        """Run the requests of one write in order, logging each; a failure names its request."""
        if len(steps) > 1:
            log.info(f"{self.location}: writing {statements} statements in {len(steps)} requests")
        for number, (what, step) in enumerate(steps, start=1):
            try:
                step()
            except ComityError as error:
                detail = str(error).removeprefix(f"{self.location}: ")
                raise ComityError(
                    f"{self.location}: request {number} of {len(steps)} ({what}) failed: "
                    f"{detail}; "
                    f"requests before it were written, so the store may hold part of this "
                    f"write: load again to replace it whole"
                ) from error
            log.info(f"{self.location}: request {number} of {len(steps)} done: {what}")

    def construct_ntriples(self, sparql: str) -> bytes:
        """On a server with graphs of its own (Virtuoso), whose default graph is the union of
        all graphs, the dataset is spelled out: an empty default graph and the named graphs
        but the server's own, so that reasoning and validation read Comity's data alone."""
        fields = [("query", sparql)]
        if self._own_graphs:
            fields.append(("default-graph-uri", EMPTY_DEFAULT_GRAPH))
            fields += [("named-graph-uri", name) for name in self.graph_names()]
        response = self._post(
            self.query_url,
            data=urlencode(fields).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/n-triples",
            },
            what="query",
        )
        return response.content

    def graph_names(self) -> list[str]:
        """The non-empty named graphs, without those the server keeps for itself.

        GROUP BY rather than DISTINCT: Virtuoso answers it a thousand times faster.
        """
        results = solutions_of(
            self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", None, None, False)
        )
        return [
            solution["g"].value
            for solution in results
            if isinstance(solution["g"], pyoxigraph.NamedNode)
            and not solution["g"].value.startswith(self._own_graphs)
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

    def _graph_store_put(self, graph: str, ntriples: bytes) -> None:
        """Replace one graph whole through the Graph Store Protocol."""
        self._post(
            self.store_url or "",
            data=ntriples,
            headers={"Content-Type": "application/n-triples"},
            what="Graph Store PUT",
            method="PUT",
            params={"graph": graph},
        )

    def flush(self) -> None:
        """Nothing to do: the remote store keeps its own files."""

    def close(self) -> None:
        self._session.close()

    def _post(
        self,
        url: str,
        data: bytes,
        headers: dict[str, str],
        what: str,
        timeout: float | None = None,
        method: str = "POST",
        params: dict[str, str] | None = None,
    ) -> _Reply:
        """Send a request and read its whole answer, within `timeout` seconds when given."""
        if timeout is None:
            deadline = None
            limits = urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=self.write_timeout)
        else:
            deadline = time.monotonic() + timeout
            # `total` makes the wait for the answer's head use what connecting left over.
            limits = urllib3.Timeout(
                connect=min(CONNECT_TIMEOUT_SECONDS, timeout), read=timeout, total=timeout
            )
        try:
            # requests hands a urllib3 Timeout on to urllib3 as it is; types-requests omits it.
            response = self._session.request(
                method,
                url,
                data=data,
                headers=headers,
                params=params,
                timeout=limits,  # type: ignore[arg-type]
                stream=True,
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
            kind = what if what.startswith("Graph Store") else f"SPARQL {what}"
            raise ComityError(
                f"{self.location}: the endpoint rejected the {kind} with HTTP "
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
        if isinstance(error, requests.Timeout):
            return ComityError(
                f"{self.location}: the {what} request to {_without_credentials(url)} got no "
                f"answer within {self.write_timeout:g} s; allow the server more time with "
                f"?timeout=SECONDS in the store URL"
            )
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
    rest = [(key, value) for key, value in rest if key not in STORE_OPTIONS]
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


def _virtuoso_ask(results: pyoxigraph.QuerySolutions) -> pyoxigraph.QueryBoolean:
    """The boolean of an ASK that Virtuoso answered as a table: a row holding 1 when true,
    no row at all when false."""
    answer = any(
        isinstance(row[0], pyoxigraph.Literal) and row[0].value in ("1", "true") for row in results
    )
    text = b'{"head":{},"boolean":true}' if answer else b'{"head":{},"boolean":false}'
    boolean = pyoxigraph.parse_query_results(text, pyoxigraph.QueryResultsFormat.JSON)
    assert isinstance(boolean, pyoxigraph.QueryBoolean), "the JSON holds a boolean"
    return boolean


def _write_options(url: str) -> tuple[int, float]:
    """The statements per update request and the seconds to wait for a write's answer."""
    parameters = parse_qs(urlsplit(url).query)
    location = _without_credentials(url)
    batch = parameters.get("batch", [str(DEFAULT_BATCH_STATEMENTS)])[0]
    timeout = parameters.get("timeout", [str(READ_TIMEOUT_SECONDS)])[0]
    if not batch.isdigit() or int(batch) < 1:
        raise ComityError(f"{location}: batch={batch} is not a number of statements (1 or more)")
    try:
        seconds = float(timeout)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ComityError(f"{location}: timeout={timeout} is not a number of seconds above 0")
    return int(batch), seconds


def _replacement(drop: list[str], contents: dict[str, bytes]) -> str:
    """One SPARQL Update dropping graphs and inserting N-Triples into graphs.

    All graphs share one INSERT, since a blank node label belongs to one operation. Content
    with blank nodes uses INSERT with a template (fresh nodes, as INSERT DATA would make),
    which Virtuoso accepts where it refuses blank nodes in INSERT DATA.
    """
    operations = [f"DROP SILENT GRAPH <{graph}>" for graph in drop]
    if contents:
        blocks = "\n".join(graph_block(graph, ntriples) for graph, ntriples in contents.items())
        if any(_BLANK_NODE.search(ntriples) for ntriples in contents.values()):
            operations.append(f"INSERT {{\n{blocks}\n}} WHERE {{}}")
        else:
            operations.append(f"INSERT DATA {{\n{blocks}\n}}")
    return " ;\n".join(operations)


def _batches(ntriples: bytes, statements: int, size: int) -> Iterator[bytes]:
    """Whole N-Triples lines in pieces of at most `statements` lines and about `size` bytes.

    Lines sharing a blank node stay in one piece (which may then pass the limits), so that
    the node is not split in two; a literal that only looks like a blank node merely groups
    more lines together.
    """
    lines = ntriples.splitlines(keepends=True)
    parent = list(range(len(lines)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    first_with: dict[bytes, int] = {}
    for index, line in enumerate(lines):
        for label in _BLANK_NODE.findall(line):
            other = first_with.setdefault(label, index)
            parent[root(index)] = root(other)
    groups: dict[int, list[bytes]] = {}
    for index, line in enumerate(lines):
        if line.strip():
            groups.setdefault(root(index), []).append(line)
    buffer, count = io.BytesIO(), 0
    for group in groups.values():
        length = sum(map(len, group))
        if count and (count + len(group) > statements or buffer.tell() + length > size):
            yield buffer.getvalue()
            buffer, count = io.BytesIO(), 0
        for line in group:
            buffer.write(line if line.endswith(b"\n") else line + b"\n")
        count += len(group)
    if count:
        yield buffer.getvalue()


def _filled(contents: dict[str, bytes]) -> dict[str, bytes]:
    """The graphs a replacement writes statements to, leaving out those it only empties."""
    return {graph: ntriples for graph, ntriples in contents.items() if ntriples.strip()}


def _statement_count(ntriples: bytes) -> int:
    return sum(1 for line in ntriples.splitlines() if line.strip())


def _chunks(items: list[pyoxigraph.Triple], size: int) -> Iterator[list[pyoxigraph.Triple]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _without_credentials(url: str) -> str:
    """A URL fit for a message: any user:password@ part is removed."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"


def _reason(error: requests.RequestException) -> str:
    if isinstance(error, requests.ConnectionError):
        return "connection refused, cut, or host unknown"
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
