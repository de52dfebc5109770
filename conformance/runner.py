"""Running the W3C tests over HTTP against one server, test after test, on one store.

Every test starts from a store holding no test data: the graphs a test loads, and whatever its
updates create, are dropped before the next one (a server's own graphs stay and are never
compared). Data goes in through the Graph Store Protocol, queries and updates through the
SPARQL protocol, and what an update left in the stored default graph is read back with
`GET /store?default`, since a query's default graph may be the union of all graphs.
"""

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pyoxigraph
import requests

from conformance.manifests import (
    MF,
    W3C_DATA,
    Exchange,
    HttpTest,
    QueryTest,
    Suite,
    UpdateTest,
    http_suite,
    prose_suite,
    published_iri,
    query_suite,
    update_suite,
)
from conformance.results import (
    GRAPH_MEDIA_TYPES,
    RESULT_MEDIA_TYPES,
    Answer,
    compare,
    parse_graph,
    parse_solutions,
    result_set,
)
from conformance.servers import Endpoint

EMPTY_GRAPH = "urn:x-conformance:empty"
"""A graph no test writes: the default graph of a test that has no default data."""

REQUEST_TIMEOUT = 60
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_FROM = re.compile(r"\bFROM\s+(NAMED\s+)?<", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_LOAD = re.compile(r"\bLOAD\b", re.IGNORECASE)
_EVALUATION_FAILED = "the SPARQL update failed:"
"""How Comity's answer begins when an update parsed but its evaluation was refused."""


class Failure(Exception):
    """A test's expectation not met; the message says which."""


@dataclass(frozen=True)
class Outcome:
    """What one test did: passed, failed (with why) or was skipped (with why)."""

    suite: str
    test: str
    name: str
    status: str
    message: str = ""


def test_key(iri: str) -> str:
    """A test's short name: its IRI without the W3C prefix (e.g. `exists/manifest#exists03`)."""
    return iri.split("data-sparql11/", 1)[-1]


def load_suites() -> list[Suite]:
    """Every suite the runner knows, in the order they run."""
    query = query_suite(W3C_DATA / "manifest-sparql11-query.ttl")
    results = query_suite(W3C_DATA / "manifest-sparql11-results.ttl")
    evaluation = Suite("query", [t for t in query.tests + results.tests if t.syntax_ok is None])
    query_syntax = Suite("query syntax", [t for t in query.tests if t.syntax_ok is not None])
    update, update_syntax = update_suite(W3C_DATA / "manifest-sparql11-update.ttl")
    protocol = http_suite("protocol", [W3C_DATA / "protocol" / "manifest.ttl"], MF.ProtocolTest)
    graph_store = http_suite(
        "graph store",
        [
            W3C_DATA / "graph-store-protocol" / "manifest-direct.ttl",
            W3C_DATA / "graph-store-protocol" / "manifest-indirect.ttl",
        ],
        MF.GraphStoreProtocolTest,
    )
    prose = prose_suite("http-rdf-update", W3C_DATA / "http-rdf-update" / "manifest.ttl")
    service = Suite(
        "service description",
        [
            f"{published_iri(W3C_DATA / 'service-description' / 'manifest.ttl')}#{name}"
            for name in ("returns-rdf", "has-endpoint-triple", "conforms-to-schema")
        ],
    )
    return [evaluation, query_syntax, update, update_syntax, protocol, service, graph_store, prose]


class Runner:
    """Runs tests against one endpoint through one HTTP session."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.http = requests.Session()

    # -- store housekeeping -----------------------------------------------------------------

    def _request(self, method: str, url: str, **options) -> requests.Response:
        options.setdefault("timeout", REQUEST_TIMEOUT)
        return self.http.request(method, url, **options)

    def _update(self, text: str) -> None:
        response = self._request(
            "POST",
            self.endpoint.update_url,
            data=text.encode("utf-8"),
            headers={
                "Content-Type": "application/sparql-update",
                **self.endpoint.write_headers(),
            },
        )
        if response.status_code >= 300:
            raise RuntimeError(
                f"housekeeping update failed ({response.status_code}): {response.text}"
            )

    def test_graphs(self) -> list[str]:
        """The named graphs holding data, but for the server's own."""
        response = self._request(
            "POST",
            self.endpoint.query_url,
            data=b"SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
        )
        response.raise_for_status()
        names = [row["g"]["value"] for row in response.json()["results"]["bindings"]]
        own = self.endpoint.own_graphs
        return sorted(name for name in names if not (own and name.startswith(own)))

    def clean(self) -> None:
        """Drop the stored default graph and every test graph."""
        drops = ["DROP SILENT DEFAULT"] + [f"DROP SILENT GRAPH <{g}>" for g in self.test_graphs()]
        self._update(" ;\n".join(drops))

    def put_graph(self, name: str | None, path: Path) -> None:
        """Store a file as one graph (None: the default graph), sent as N-Triples parsed with
        the file's published IRI as base, so that relative IRIs mean what the test says."""
        media_type = GRAPH_MEDIA_TYPES[path.suffix]
        rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type)
        triples = pyoxigraph.parse(
            path=path, format=rdf_format, base_iri=published_iri(path), without_named_graphs=True
        )
        body = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        response = self._request(
            "PUT",
            self.endpoint.store_url,
            params={"graph": name} if name is not None else {"default": ""},
            data=body,
            headers={"Content-Type": "application/n-triples", **self.endpoint.write_headers()},
        )
        if response.status_code >= 300:
            raise Failure(f"loading {path.name} failed ({response.status_code}): {response.text}")

    def get_graph(self, name: str | None) -> frozenset:
        """The triples of a stored graph (None: the stored default graph, not the union)."""
        url = self.endpoint.store_url + ("?default" if name is None else "")
        response = self._request(
            "GET",
            url,
            params={"graph": name} if name is not None else None,
            headers={"Accept": "application/n-triples"},
        )
        if response.status_code == 404:
            return frozenset()
        if response.status_code != 200:
            raise Failure(
                f"GET of graph {name or 'default'}: {response.status_code} {response.text}"
            )
        return parse_graph(response.content, "application/n-triples")

    # -- query evaluation -------------------------------------------------------------------

    def run_query(self, test: QueryTest) -> None:
        text = test.query.read_text(encoding="utf-8")
        for path in test.data:
            self.put_graph(published_iri(path), path)
        for graph in test.graph_data:
            self.put_graph(graph.name, graph.path)
        params: dict[str, list[str]] = {}
        if not _FROM.search(text):
            params["default-graph-uri"] = [published_iri(p) for p in test.data] or [EMPTY_GRAPH]
            if test.graph_data:
                params["named-graph-uri"] = [g.name for g in test.graph_data]
        assert test.result is not None
        suffix = test.result.suffix
        expected = _read_expected(test.result)
        accept = RESULT_MEDIA_TYPES.get(suffix) or (
            GRAPH_MEDIA_TYPES[suffix]
            if isinstance(expected, frozenset)
            else RESULT_MEDIA_TYPES[".srj"]
        )
        response = self._request(
            "POST",
            self.endpoint.query_url,
            params=params,
            data=_with_base(text, test.query).encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": accept},
        )
        if response.status_code != 200:
            raise Failure(f"HTTP {response.status_code}: {response.text.strip()[:300]}")
        actual = _parse_answer(response)
        difference = compare(expected, actual, ordered=bool(_ORDER_BY.search(text)))
        if difference:
            raise Failure(difference)

    def run_syntax(self, test: QueryTest) -> None:
        """Positive tests must be accepted (2xx), negative ones refused with 400."""
        text = test.query.read_text(encoding="utf-8")
        if test.is_update:
            if _LOAD.search(text):
                raise Skipped("uses LOAD, which would reach the network")
            response = self._request(
                "POST",
                self.endpoint.update_url,
                data=_with_base(text, test.query).encode("utf-8"),
                headers={
                    "Content-Type": "application/sparql-update",
                    **self.endpoint.write_headers(),
                },
            )
        else:
            response = self._request(
                "POST",
                self.endpoint.query_url,
                params={"default-graph-uri": EMPTY_GRAPH},
                data=_with_base(text, test.query).encode("utf-8"),
                headers={"Content-Type": "application/sparql-query"},
            )
        # A positive update test is about syntax alone, but the protocol can only run it: an
        # update the server read and then could not carry out (DROP of a graph the store does
        # not hold, which the Recommendation refuses without SILENT) was still accepted as
        # syntax. Comity says which of the two failed.
        accepted = response.status_code < 300 or (
            test.is_update and _EVALUATION_FAILED in response.text
        )
        if test.syntax_ok and not accepted:
            raise Failure(f"refused: HTTP {response.status_code}: {response.text.strip()[:300]}")
        if not test.syntax_ok and response.status_code != 400:
            raise Failure(f"expected 400, got HTTP {response.status_code}")

    # -- update evaluation ------------------------------------------------------------------

    def run_update(self, test: UpdateTest) -> None:
        text = test.request.read_text(encoding="utf-8")
        if _LOAD.search(text):
            raise Skipped("uses LOAD, which would reach the network")
        if test.data is not None:
            self.put_graph(None, test.data)
        for graph in test.graph_data:
            self.put_graph(graph.name, graph.path)
        response = self._request(
            "POST",
            self.endpoint.update_url,
            data=_with_base(text, test.request).encode("utf-8"),
            headers={"Content-Type": "application/sparql-update", **self.endpoint.write_headers()},
        )
        if response.status_code >= 300:
            raise Failure(f"HTTP {response.status_code}: {response.text.strip()[:300]}")
        problems = []
        expected_default = _file_graph(test.expected_data)
        difference = compare(expected_default, self.get_graph(None))
        if difference:
            problems.append(f"default graph: {difference}")
        expected_names = set()
        for graph in test.expected_graph_data:
            expected = _file_graph(graph.path)
            if expected:
                expected_names.add(graph.name)
            difference = compare(expected, self.get_graph(graph.name))
            if difference:
                problems.append(f"graph <{graph.name}>: {difference}")
        extra = set(self.test_graphs()) - expected_names
        if extra:
            problems.append(f"unexpected graphs {sorted(extra)}")
        if problems:
            raise Failure("; ".join(problems))

    # -- protocol, graph store --------------------------------------------------------------

    def run_http(self, test: HttpTest, variables: dict[str, str] | None = None) -> None:
        """Run a test's requests in order; Location headers fill the test's variables."""
        for graph in test.graph_data:
            self.put_graph(graph.name, graph.path)
        values = self._variables() if variables is None else variables
        for number, exchange in enumerate(test.exchanges, start=1):
            try:
                self._exchange(exchange, values)
            except Failure as failure:
                raise Failure(f"request {number} ({exchange.method}): {failure}") from None

    def _variables(self) -> dict[str, str]:
        store = urlsplit(self.endpoint.store_url)
        return {
            "http://$HOST$/$GRAPHSTORE$": self.endpoint.store_url,
            "$HOST$": store.netloc,
            "$GRAPHSTORE$": store.path,
        }

    def _url(self, path: str, exchange: Exchange) -> str:
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith("/sparql/"):
            rest = path[len("/sparql/") :]
            return (
                self.endpoint.update_url if _is_update(exchange) else self.endpoint.query_url
            ) + rest
        if path.startswith("/gsp"):
            return self.endpoint.store_url + path[len("/gsp") :]
        return urljoin(self.endpoint.base_url, path)

    def _exchange(self, exchange: Exchange, values: dict[str, str]) -> None:
        path, body = exchange.path, exchange.body
        for variable, value in values.items():
            path = path.replace(variable, value)
            body = body.replace(variable, value) if body is not None else None
        url = self._url(path, exchange)
        headers = dict(exchange.headers)
        headers.update(self.endpoint.write_headers())
        charset = re.search(r"charset=([\w-]+)", headers.get("content-type", ""), re.IGNORECASE)
        data = body.encode(charset.group(1) if charset else "utf-8") if body is not None else None
        response = self._request(exchange.method, url, data=data, headers=headers)
        status = response.status_code
        if not any(low <= status <= high for low, high in exchange.statuses):
            expected = " or ".join(
                str(low) if low == high else f"{low // 100}xx" for low, high in exchange.statuses
            )
            raise Failure(
                f"expected status {expected}, got {status}: {response.text.strip()[:200]}"
            )
        if exchange.location_variable:
            location = response.headers.get("Location")
            if not location:
                raise Failure("the response has no Location header")
            values[exchange.location_variable] = urljoin(url, location)
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if exchange.result_format:
            allowed = _FORMAT_MEDIA_TYPES[exchange.result_format]
            if media_type not in allowed:
                raise Failure(
                    f"a {exchange.result_format} answer came as {media_type or 'nothing'}"
                )
        if exchange.boolean is not None:
            answer = parse_solutions(response.content, media_type)
            if answer is not exchange.boolean:
                raise Failure(f"expected {str(exchange.boolean).lower()}, got {answer}")
        if exchange.response_content_type:
            wanted = exchange.response_content_type.split(";")[0].strip().lower()
            if media_type != wanted:
                raise Failure(f"expected Content-Type {wanted}, got {media_type or 'none'}")
        if exchange.response_body is not None and exchange.method != "HEAD":
            expected_body = exchange.response_body
            for variable, value in values.items():
                expected_body = expected_body.replace(variable, value)
            expected = parse_graph(expected_body.encode("utf-8"), "text/turtle", base_iri=url)
            difference = compare(expected, parse_graph(response.content, media_type, base_iri=url))
            if difference:
                raise Failure(difference)

    # -- service description ----------------------------------------------------------------

    def run_service_description(self, test: str) -> None:
        response = self._request("GET", self.endpoint.query_url, headers={"Accept": "text/turtle"})
        if response.status_code != 200:
            raise Failure(f"GET {self.endpoint.query_url}: HTTP {response.status_code}")
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        try:
            triples = parse_graph(response.content, media_type, base_iri=self.endpoint.query_url)
        except (ValueError, SyntaxError) as error:
            raise Failure(f"the description is not RDF: {error}") from None
        name = test.rsplit("#", 1)[-1]
        services = {
            t.subject
            for t in triples
            if t.predicate.value == RDF_TYPE and t.object == pyoxigraph.NamedNode(SD + "Service")
        }
        endpoints = {
            t.object
            for t in triples
            if t.subject in services and t.predicate.value == SD + "endpoint"
        }
        if (
            name == "has-endpoint-triple"
            and pyoxigraph.NamedNode(self.endpoint.query_url) not in endpoints
        ):
            raise Failure(f"no sd:Service has sd:endpoint <{self.endpoint.query_url}>")
        if name == "conforms-to-schema":
            _check_description_schema(triples, services)

    # -- driving ----------------------------------------------------------------------------

    def run_suite(
        self, suite: Suite, keep: Callable[[str], bool] = lambda _: True
    ) -> list[Outcome]:
        """Every test of a suite, each from a clean store (a prose suite's tests build on each
        other, so it is cleaned once, before its first test)."""
        outcomes = []
        chained = suite.name == "http-rdf-update"
        variables = self._variables() if chained else None
        if chained:
            self.clean()
        for test in suite.tests:
            iri = test if isinstance(test, str) else test.iri
            if not keep(test_key(iri)):
                continue
            name = iri if isinstance(test, str) else test.name
            if not chained:
                self.clean()
            try:
                if isinstance(test, str):
                    self.run_service_description(test)
                elif isinstance(test, QueryTest):
                    self.run_syntax(test) if test.syntax_ok is not None else self.run_query(test)
                elif isinstance(test, UpdateTest):
                    self.run_update(test)
                else:
                    self.run_http(test, variables)
            except Skipped as skipped:
                outcomes.append(Outcome(suite.name, test_key(iri), name, "skip", str(skipped)))
            except Failure as failure:
                outcomes.append(Outcome(suite.name, test_key(iri), name, "fail", str(failure)))
            except (requests.RequestException, ValueError, SyntaxError, OSError) as error:
                message = f"{type(error).__name__}: {error}"
                outcomes.append(Outcome(suite.name, test_key(iri), name, "fail", message))
            else:
                outcomes.append(Outcome(suite.name, test_key(iri), name, "pass"))
        self.clean()
        return outcomes


class Skipped(Exception):
    """A test this runner does not run, with the reason."""


_FORMAT_MEDIA_TYPES = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {
        "application/sparql-results+xml",
        "application/sparql-results+json",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {
        "application/rdf+xml",
        "text/turtle",
        "application/n-triples",
        "text/plain",
        "application/xhtml+xml",
    },
}


def _is_update(exchange: Exchange) -> bool:
    """Whether a protocol request is an update (an engine may answer them at another URL)."""
    content_type = exchange.headers.get("content-type", "")
    if content_type.startswith("application/sparql-update"):
        return True
    body = exchange.body or ""
    return (
        body.startswith("update=")
        or "update=" in exchange.path
        or "using-graph-uri" in exchange.path
        or "using-named-graph-uri" in exchange.path
        or (not content_type and exchange.method == "POST" and body.split()[:1] == ["CLEAR"])
    )


def _with_base(text: str, source: Path) -> str:
    """The text with its file's published IRI as base, as the manifests define it; a BASE in
    the text itself still applies after this one."""
    return f"BASE <{published_iri(source)}>\n{text}"


def _file_graph(path: Path | None) -> frozenset:
    if path is None:
        return frozenset()
    return parse_graph(path.read_bytes(), GRAPH_MEDIA_TYPES[path.suffix], published_iri(path))


def _read_expected(path: Path) -> Answer:
    """The expected answer: a results file, or an RDF file holding a graph or a result set."""
    if path.suffix in RESULT_MEDIA_TYPES:
        return parse_solutions(path.read_bytes(), RESULT_MEDIA_TYPES[path.suffix])
    graph = _file_graph(path)
    written_as_rdf = result_set(graph)
    return graph if written_as_rdf is None else written_as_rdf


def _parse_answer(response: requests.Response) -> Answer:
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media_type in RESULT_MEDIA_TYPES.values():
        return parse_solutions(response.content, media_type)
    return parse_graph(response.content, media_type)


def _check_description_schema(triples: frozenset, services: set) -> None:
    """What the service description vocabulary requires of a service: an endpoint IRI, and
    languages, result formats and features that are IRIs (the languages from sd's own)."""
    if not services:
        raise Failure("no node is an sd:Service")
    languages = {SD + n for n in ("SPARQL10Query", "SPARQL11Query", "SPARQL11Update")}
    for service in services:
        about = [t for t in triples if t.subject == service]
        endpoints = [t.object for t in about if t.predicate.value == SD + "endpoint"]
        if not endpoints or not all(isinstance(e, pyoxigraph.NamedNode) for e in endpoints):
            raise Failure("an sd:Service without an sd:endpoint IRI")
        spoken = [t.object for t in about if t.predicate.value == SD + "supportedLanguage"]
        if not spoken or any(getattr(o, "value", None) not in languages for o in spoken):
            raise Failure(f"sd:supportedLanguage must be sd's languages, got {spoken}")
        for predicate in ("resultFormat", "inputFormat", "feature", "extensionFunction"):
            values = [t.object for t in about if t.predicate.value == SD + predicate]
            if not all(isinstance(v, pyoxigraph.NamedNode) for v in values):
                raise Failure(f"sd:{predicate} must be IRIs")


def run(endpoint: Endpoint, suites: Iterable[Suite], keep: Callable[[str], bool]) -> list[Outcome]:
    """Every test of the suites against one endpoint."""
    runner = Runner(endpoint)
    outcomes = []
    for suite in suites:
        started = time.monotonic()
        outcomes.extend(runner.run_suite(suite, keep))
        suite_seconds = time.monotonic() - started
        print(f"  {endpoint.kind}: {suite.name} done in {suite_seconds:.0f} s", flush=True)
    return outcomes


def engine_difference(test: QueryTest) -> str | None:
    """How Oxigraph's own answer, in this process and without any server, differs from a
    query test's expected results (None: it agrees). A listed failure the engine shares is
    the engine's; one it does not share is the server's to fix."""
    store = pyoxigraph.Store()
    named = [(published_iri(path), path) for path in test.data] + [
        (graph.name, graph.path) for graph in test.graph_data
    ]
    for name, path in named:
        store.load(
            path=path,
            format=pyoxigraph.RdfFormat.from_media_type(GRAPH_MEDIA_TYPES[path.suffix]),
            base_iri=published_iri(path),
            to_graph=pyoxigraph.NamedNode(name),
        )
    text = test.query.read_text(encoding="utf-8")
    options: dict[str, object] = {"base_iri": published_iri(test.query)}
    if not _FROM.search(text):
        options["default_graph"] = [
            pyoxigraph.NamedNode(published_iri(path)) for path in test.data
        ] or [pyoxigraph.NamedNode(EMPTY_GRAPH)]
        if test.graph_data:
            options["named_graphs"] = [pyoxigraph.NamedNode(g.name) for g in test.graph_data]
    results = store.query(text, **options)
    if isinstance(results, pyoxigraph.QueryTriples):
        data = results.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        actual: Answer = parse_graph(data, "application/n-triples")
    else:
        data = results.serialize(format=pyoxigraph.QueryResultsFormat.JSON) or b""
        actual = parse_solutions(data, RESULT_MEDIA_TYPES[".srj"])
    assert test.result is not None
    return compare(_read_expected(test.result), actual, ordered=bool(_ORDER_BY.search(text)))
