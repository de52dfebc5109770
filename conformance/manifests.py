"""The W3C SPARQL 1.1 test manifests, read with rdflib into plain test records.

The manifests are parsed with the IRIs the W3C publishes them under, so that graph names and
relative IRIs in the tests mean what their expected results say; `local_path` maps such an IRI
back to the file in the local copy of the test data (never copied into this repository).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

W3C_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "w3c" / "sparql11"
"""The local copy of the test data: ../shared/w3c/sparql11 beside the repository."""

PUBLISHED_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
DAWGT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

SYNTAX_KINDS = {
    MF.PositiveSyntaxTest11: True,
    MF.PositiveUpdateSyntaxTest11: True,
    MF.NegativeSyntaxTest11: False,
    MF.NegativeUpdateSyntaxTest11: False,
}

# The status classes and codes the manifests name, as (lowest, highest) code ranges.
STATUS_RANGES = {
    HTS.StatusCode2xx: (200, 299),
    HTS.StatusCode3xx: (300, 399),
    HTS.StatusCode4xx: (400, 499),
    HTS.OK: (200, 200),
    HTS.Created: (201, 201),
    HTS.NoContent: (204, 204),
    HTS.NotFound: (404, 404),
}


def published_iri(path: Path) -> str:
    """The IRI under which the W3C publishes a file of the local copy."""
    return PUBLISHED_BASE + path.resolve().relative_to(W3C_DATA.resolve()).as_posix()


def local_path(iri: str) -> Path:
    """The local file behind a published test IRI."""
    if not iri.startswith(PUBLISHED_BASE):
        raise ValueError(f"{iri} is not a file of the W3C test data")
    return W3C_DATA / iri[len(PUBLISHED_BASE) :]


@dataclass(frozen=True)
class NamedGraphFile:
    """A file to be loaded into (or expected as) the graph `name`."""

    name: str
    path: Path


@dataclass(frozen=True)
class QueryTest:
    """A query evaluation test, or a syntax test (query or update) when `syntax_ok` is set."""

    iri: str
    name: str
    query: Path
    data: tuple[Path, ...] = ()
    graph_data: tuple[NamedGraphFile, ...] = ()
    result: Path | None = None
    syntax_ok: bool | None = None

    @property
    def is_update(self) -> bool:
        return self.query.suffix == ".ru"


@dataclass(frozen=True)
class UpdateTest:
    """An update evaluation test: a store before, an update, the store expected after."""

    iri: str
    name: str
    request: Path
    data: Path | None
    graph_data: tuple[NamedGraphFile, ...]
    expected_data: Path | None
    expected_graph_data: tuple[NamedGraphFile, ...]


@dataclass(frozen=True)
class Exchange:
    """One HTTP request of a protocol test and what its response must show."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: tuple[tuple[int, int], ...]
    boolean: bool | None = None
    result_format: str | None = None
    location_variable: str | None = None
    response_content_type: str | None = None
    response_body: str | None = None


@dataclass(frozen=True)
class HttpTest:
    """A protocol or graph store test: requests run in order on one connection."""

    iri: str
    name: str
    exchanges: tuple[Exchange, ...]
    graph_data: tuple[NamedGraphFile, ...] = ()
    requires: tuple[str, ...] = ()


@dataclass
class Suite:
    """A named list of tests."""

    name: str
    tests: list = field(default_factory=list)


def _parse(manifest: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(manifest, format="turtle", publicID=published_iri(manifest))


def _manifest_files(top: Path) -> Iterator[Path]:
    """A manifest and those it includes, depth first."""
    graph = _parse(top)
    included = list(graph.objects(None, MF.include))
    yield top
    for collection in included:
        for item in Collection(graph, collection):
            yield from _manifest_files(local_path(str(item)))


def _entries(graph: rdflib.Graph) -> Iterator[rdflib.term.Node]:
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        for entries in graph.objects(manifest, MF.entries):
            yield from Collection(graph, entries)


def _paths(graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef) -> list:
    return sorted(local_path(str(o)) for o in graph.objects(subject, predicate))


def _named_files(
    graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef
) -> tuple[NamedGraphFile, ...]:
    """ut:graphData nodes ([ ut:graph <file> ; rdfs:label "name" ]) as NamedGraphFiles."""
    found = []
    for node in graph.objects(subject, predicate):
        file = graph.value(node, UT.graph)
        label = graph.value(node, RDFS.label)
        found.append(NamedGraphFile(str(label or file), local_path(str(file))))
    return tuple(found)


def _manifest_entries(top: Path):
    """(manifest graph, test, its type, its name, its action) for every test of a manifest
    and of the manifests it includes."""
    for manifest in _manifest_files(top):
        graph = _parse(manifest)
        for test in _entries(graph):
            name = str(graph.value(test, MF.name) or test)
            yield graph, test, graph.value(test, RDF.type), name, graph.value(test, MF.action)


def _syntax_test(test, name: str, action, kind) -> QueryTest:
    """A positive or negative syntax test: its text must be accepted, or refused with 400."""
    return QueryTest(str(test), name, local_path(str(action)), syntax_ok=SYNTAX_KINDS[kind])


def query_suite(top: Path) -> Suite:
    """Query evaluation and syntax tests of a manifest and its includes."""
    suite = Suite("query")
    for graph, test, kind, name, action in _manifest_entries(top):
        if kind in SYNTAX_KINDS:
            suite.tests.append(_syntax_test(test, name, action, kind))
        elif kind in (MF.QueryEvaluationTest, MF.CSVResultFormatTest):
            graph_data = tuple(
                NamedGraphFile(published_iri(path), path)
                for path in _paths(graph, action, QT.graphData)
            )
            result = graph.value(test, MF.result)
            suite.tests.append(
                QueryTest(
                    str(test),
                    name,
                    local_path(str(graph.value(action, QT.query))),
                    tuple(_paths(graph, action, QT.data)),
                    graph_data,
                    local_path(str(result)) if result is not None else None,
                )
            )
    return suite


def update_suite(top: Path) -> tuple[Suite, Suite]:
    """Update evaluation tests, and the update syntax tests, of a manifest and its includes."""
    evaluation, syntax = Suite("update"), Suite("update syntax")
    for graph, test, kind, name, action in _manifest_entries(top):
        if kind in SYNTAX_KINDS:
            syntax.tests.append(_syntax_test(test, name, action, kind))
        elif kind == MF.UpdateEvaluationTest:
            result = graph.value(test, MF.result)
            data = graph.value(action, UT.data)
            expected = graph.value(result, UT.data)
            evaluation.tests.append(
                UpdateTest(
                    str(test),
                    name,
                    local_path(str(graph.value(action, UT.request))),
                    local_path(str(data)) if data is not None else None,
                    _named_files(graph, action, UT.graphData),
                    local_path(str(expected)) if expected is not None else None,
                    _named_files(graph, result, UT.graphData),
                )
            )
    return evaluation, syntax


def _headers(graph: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    headers = {}
    for collection in graph.objects(node, HT.headers):
        for header in Collection(graph, collection):
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                graph.value(header, HT.fieldValue)
            )
    return headers


def _body(graph: rdflib.Graph, node: rdflib.term.Node) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def _exchange(graph: rdflib.Graph, request: rdflib.term.Node) -> Exchange:
    response = graph.value(request, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    result_format = graph.value(response, MF.expectedFormat)
    location = graph.value(response, MF.expectedLocation)
    return Exchange(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=_body(graph, request),
        statuses=tuple(
            sorted(STATUS_RANGES[s] for s in graph.objects(response, MF.expectedStatus))
        ),
        boolean=None if boolean is None else bool(boolean.toPython()),
        result_format=None if result_format is None else str(result_format),
        location_variable=None if location is None else str(location),
        response_content_type=_headers(graph, response).get("content-type"),
        response_body=_body(graph, response),
    )


def http_suite(name: str, manifests: list[Path], kind: rdflib.URIRef) -> Suite:
    """Tests written as ht:Request lists: every test of `kind` in the manifests, listed
    entries first (a few tests are defined but missing from their manifest's list)."""
    suite = Suite(name)
    for manifest in manifests:
        graph = _parse(manifest)
        listed = list(_entries(graph))
        defined = sorted(set(graph.subjects(RDF.type, kind)) - set(listed), key=str)
        for test in listed + defined:
            if graph.value(test, RDF.type) != kind:
                continue
            action = graph.value(test, MF.action)
            requests = graph.value(action, HT.requests)
            if requests is None:
                continue
            suite.tests.append(
                HttpTest(
                    str(test),
                    str(graph.value(test, MF.name) or test),
                    tuple(_exchange(graph, r) for r in Collection(graph, requests)),
                    _named_files(graph, test, UT.graphData),
                    tuple(str(r).rsplit("#", 1)[-1] for r in graph.objects(test, MF.requires)),
                )
            )
    return suite


_PROSE_REQUEST = re.compile(
    r"#### Request\s*\n(?P<request>.*?)#### Response\s*\n(?P<response>.*)", re.S
)


def _unindent(block: str) -> list[str]:
    return [line[4:] if line.startswith("    ") else line.strip() for line in block.splitlines()]


def _prose_exchange(comment: str) -> Exchange | None:
    """An exchange written out as an HTTP message in a test's comment (the deprecated
    http-rdf-update manifest describes its tests this way)."""
    match = _PROSE_REQUEST.search(comment)
    if match is None:
        return None
    lines = _unindent(match["request"].strip("\n"))
    method, path, _version = lines[0].split()
    headers: dict[str, str] = {}
    position = 1
    while position < len(lines) and lines[position].strip():
        field_name, _, value = lines[position].partition(":")
        headers[field_name.strip().lower()] = value.strip()
        position += 1
    body = "\n".join(lines[position + 1 :]).strip("\n") or None
    response = _unindent(match["response"].strip("\n"))
    status = int(response[0].split()[0])
    response_headers: dict[str, str] = {}
    position = 1
    while position < len(response) and response[position].strip():
        field_name, _, value = response[position].partition(":")
        response_headers[field_name.strip().lower()] = value.strip()
        position += 1
    response_body = "\n".join(response[position + 1 :]).strip() or None
    if body is not None and "multipart/form-data" in headers.get("content-type", ""):
        body = body.replace("\n", "\r\n")
    return Exchange(
        method=method,
        path=path,
        headers={k: v for k, v in headers.items() if k not in ("host", "content-length")},
        body=body,
        # 200 and 204 both say "done"; the graph-store-protocol tests that replace these
        # accept either, so only 201 (created) is held to exactly.
        statuses=((200, 200), (204, 204)) if status in (200, 204) else ((status, status),),
        location_variable="$NEWPATH$" if status == 201 and method == "POST" else None,
        response_content_type=response_headers.get("content-type"),
        response_body=response_body,
    )


def prose_suite(name: str, manifest: Path) -> Suite:
    """The deprecated http-rdf-update tests, each a request and response in Markdown prose;
    they build on each other, so the suite is one test per manifest entry run in order."""
    graph = _parse(manifest)
    suite = Suite(name)
    for test in _entries(graph):
        exchanges = [
            exchange
            for comment in graph.objects(test, RDFS.comment)
            if (exchange := _prose_exchange(str(comment))) is not None
        ]
        suite.tests.append(
            HttpTest(str(test), str(graph.value(test, MF.name) or test), tuple(exchanges))
        )
    return suite
