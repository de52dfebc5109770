"""/dumps/ and the VoID that points to it, against a real `comity serve` over a store on disk.

The module runs its own server, so that the writes here (and nobody else's) change its store;
the last test reads a `memory:` store in process.
"""

import gzip
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pyoxigraph
import pytest
import requests

import graph
from ontology import (
    GRAPH_INFERRED,
    GRAPH_REFERENCE,
    GRAPH_UNION,
    ID,
    document_iri,
    source_graph_iri,
)
from server.app import create_app
from server.config import ServerConfig
from tests.server_fixtures import EX, PEOPLE_GRAPH, TOKEN

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PEOPLE_SOURCE_GRAPH = source_graph_iri(document_iri("people"))


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory()


def download(server, path: str, **headers: str) -> requests.Response:
    response = requests.get(f"{server.url}{path}", headers=headers, timeout=120)
    assert response.status_code == 200, response.text
    return response


def quads_of(response: requests.Response, rdf_format: pyoxigraph.RdfFormat) -> set:
    return set(pyoxigraph.parse(gzip.decompress(response.content), rdf_format))


def stored_quads(server) -> set:
    """What the store holds in the graphs clients see, read through the graph layer (a
    read-only snapshot, taken while nothing writes)."""
    snapshot = graph.open(f"oxigraph:{server.store_path}", read_only=True)
    try:
        named = {
            pyoxigraph.Quad(row["s"], row["p"], row["o"], row["g"])
            for row in snapshot.query(
                "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", union_default_graph=False
            )
        }
        default = {
            pyoxigraph.Quad(row["s"], row["p"], row["o"], pyoxigraph.DefaultGraph())
            for row in snapshot.query(
                "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", union_default_graph=False
            )
        }
    finally:
        snapshot.close()
    return named | default


def graph_names(quads: set) -> set[str]:
    return {q.graph_name.value for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode)}


def test_nquads_dump_holds_exactly_the_visible_quads(server):
    response = download(server, "/dumps/comity.nq.gz")
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers
    assert "filename=comity.nq.gz" in response.headers["Content-Disposition"]
    assert response.headers["ETag"].startswith('"')
    assert parsedate_to_datetime(response.headers["Last-Modified"]) <= datetime.now(UTC)
    assert int(response.headers["Content-Length"]) == len(response.content)
    dumped = quads_of(response, pyoxigraph.RdfFormat.N_QUADS)
    names = graph_names(dumped)
    assert GRAPH_UNION not in names
    assert {PEOPLE_GRAPH, PEOPLE_SOURCE_GRAPH, GRAPH_REFERENCE, GRAPH_INFERRED} <= names
    assert dumped == stored_quads(server)


def test_trig_dump_holds_the_same_quads(server):
    nquads = quads_of(download(server, "/dumps/comity.nq.gz"), pyoxigraph.RdfFormat.N_QUADS)
    response = download(server, "/dumps/comity.trig.gz")
    assert response.headers["Content-Type"] == "application/gzip"
    assert "filename=comity.trig.gz" in response.headers["Content-Disposition"]
    assert quads_of(response, pyoxigraph.RdfFormat.TRIG) == nquads


def test_a_dump_is_revalidated_and_resumed(server):
    first = download(server, "/dumps/comity.nq.gz")
    again = requests.get(
        f"{server.url}/dumps/comity.nq.gz",
        headers={"If-None-Match": first.headers["ETag"]},
        timeout=60,
    )
    assert again.status_code == 304
    part = requests.get(
        f"{server.url}/dumps/comity.nq.gz", headers={"Range": "bytes=10-19"}, timeout=60
    )
    assert part.status_code == 206
    assert part.content == first.content[10:20]


def test_one_graph_as_ntriples(server):
    response = download(server, "/dumps/graph?" + f"graph={PEOPLE_GRAPH}")
    assert response.headers["Content-Type"] == "application/gzip"
    assert "filename=people.nt.gz" in response.headers["Content-Disposition"]
    triples = {q.triple for q in quads_of(response, pyoxigraph.RdfFormat.N_TRIPLES)}
    expected = {
        pyoxigraph.Triple(row["s"], row["p"], row["o"])
        for row in _select(
            server, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{PEOPLE_GRAPH}> {{ ?s ?p ?o }} }}"
        )
    }
    assert triples == expected
    assert (
        pyoxigraph.Triple(
            pyoxigraph.NamedNode(EX + "carol"),
            pyoxigraph.NamedNode(EX + "name"),
            pyoxigraph.Literal("Carol"),
        )
        in triples
    )


def _select(server, query: str) -> list:
    """A SELECT over the HTTP endpoint, its solutions as pyoxigraph solutions."""
    response = requests.get(
        server.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return list(
        pyoxigraph.parse_query_results(response.content, pyoxigraph.QueryResultsFormat.JSON)
    )


@pytest.mark.parametrize(
    "query, status",
    [
        (f"graph={EX}no-such-graph", 404),
        (f"graph={GRAPH_UNION}", 404),
        ("", 400),
        ("graph=", 400),
        ("graph=not%20an%20iri", 400),
        ("graph=relative/path", 400),
        (f"graph={PEOPLE_GRAPH}&graph={GRAPH_REFERENCE}", 400),
    ],
)
def test_graph_dump_errors(server, query, status):
    response = requests.get(f"{server.url}/dumps/graph?{query}", timeout=30)
    assert response.status_code == status, response.text
    assert response.text.strip()


def test_an_unknown_dump_is_404(server):
    response = requests.get(f"{server.url}/dumps/comity.rdf.gz", timeout=30)
    assert response.status_code == 404
    assert "comity.nq.gz" in response.text


def test_the_listing_gives_sizes_and_the_state_time(server):
    listing = requests.get(
        f"{server.url}/dumps/", headers={"Accept": "application/json"}, timeout=120
    ).json()
    assert listing["license"] == CC_BY
    by_name = {item["name"]: item for item in listing["dumps"]}
    assert set(by_name) == {"comity.nq.gz", "comity.trig.gz"}
    for name, item in by_name.items():
        response = download(server, f"/dumps/{name}")
        assert item["bytes"] == len(response.content)
        assert item["url"] == f"{server.url}/dumps/{name}"
        assert response.headers["ETag"] == f'"{item["etag"]}"'
        stated = datetime.fromisoformat(listing["modified"])
        assert parsedate_to_datetime(response.headers["Last-Modified"]) == stated
    graphs = {item["graph"] for item in listing["graphs"]}
    assert {PEOPLE_GRAPH, GRAPH_REFERENCE} <= graphs
    assert GRAPH_UNION not in graphs
    page = requests.get(f"{server.url}/dumps/", headers={"Accept": "text/html"}, timeout=60)
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'href="' + f"{server.url}/dumps/comity.trig.gz" in page.text
    assert CC_BY in page.text


def test_a_dump_during_a_write_holds_all_of_it_or_none(server):
    """A large write (with its reasoning) runs in a thread while dumps are fetched: each dump
    holds every triple of it and every entailment of them, or none."""
    size = 20_000
    target = EX + "bulk"
    items = " ".join(f"<{EX}item-{number}> a <{EX}Thing> ." for number in range(size))
    update = (
        f"INSERT DATA {{ GRAPH <{target}> {{ <{EX}Thing> <{RDFS_SUBCLASS}> <{EX}Super> . "
        f"{items} }} }}"
    )
    before = download(server, "/dumps/comity.nq.gz")
    written: list[requests.Response] = []

    def write() -> None:
        written.append(
            requests.post(
                server.sparql, data={"update": update}, headers=server.auth(), timeout=120
            )
        )

    writer = threading.Thread(target=write)
    writer.start()
    seen = []
    while writer.is_alive() or not seen:
        seen.append(download(server, "/dumps/comity.nq.gz"))
        # Pacing, not waiting: the dumps are sampled all through the write, which says
        # nothing while it runs.
        time.sleep(0.01)
    writer.join()
    assert written[0].status_code == 204, written[0].text
    seen.append(download(server, "/dumps/comity.nq.gz"))
    thing, sup = pyoxigraph.NamedNode(EX + "Thing"), pyoxigraph.NamedNode(EX + "Super")
    rdf_type = pyoxigraph.NamedNode(RDF_TYPE)
    counts = []
    for response in seen:
        quads = quads_of(response, pyoxigraph.RdfFormat.N_QUADS)
        asserted = sum(
            1 for q in quads if q.graph_name == pyoxigraph.NamedNode(target) and q.object == thing
        )
        inferred = sum(
            1
            for q in quads
            if q.graph_name == pyoxigraph.NamedNode(GRAPH_INFERRED)
            and q.predicate == rdf_type
            and q.object == sup
        )
        counts.append((asserted, inferred))
    assert set(counts) <= {(0, 0), (size, size)}, counts
    assert counts[-1] == (size, size)
    assert seen[-1].headers["ETag"] != before.headers["ETag"]
    modified_before = parsedate_to_datetime(before.headers["Last-Modified"])
    assert parsedate_to_datetime(seen[-1].headers["Last-Modified"]) >= modified_before
    graph_dump = download(server, f"/dumps/graph?graph={target}")
    assert len(quads_of(graph_dump, pyoxigraph.RdfFormat.N_TRIPLES)) == size + 1
    assert quads_of(seen[-1], pyoxigraph.RdfFormat.N_QUADS) == stored_quads(server)


def _void(server) -> pyoxigraph.Store:
    response = requests.get(
        f"{server.url}/void", headers={"Accept": "application/n-triples"}, timeout=60
    )
    assert response.status_code == 200, response.text
    store = pyoxigraph.Store()
    store.load(response.content, pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def test_void_names_the_dataset_under_the_base_and_links_the_dumps(server):
    store = _void(server)
    dataset = pyoxigraph.NamedNode(ID + "dataset")
    assert store.query(f"ASK {{ {dataset} a <{VOID}Dataset> ; <{VOID}triples> ?n }}")
    assert store.query(f"ASK {{ {dataset} <{DCTERMS}license> <{CC_BY}> ; <{DCTERMS}title> ?t }}")
    dumps = {
        row["d"].value
        for row in store.query(f"SELECT ?d WHERE {{ {dataset} <{VOID}dataDump> ?d }}")
    }
    assert dumps == {f"{server.url}/dumps/comity.nq.gz", f"{server.url}/dumps/comity.trig.gz"}
    for url in dumps:
        assert requests.head(url, timeout=120).status_code == 200
    (row,) = store.query(f"SELECT ?m WHERE {{ {dataset} <{DCTERMS}modified> ?m }}")
    modified = row["m"]
    assert modified.datatype.value == "http://www.w3.org/2001/XMLSchema#dateTime"
    listing = requests.get(
        f"{server.url}/dumps/", headers={"Accept": "application/json"}, timeout=120
    ).json()
    assert datetime.fromisoformat(modified.value) == datetime.fromisoformat(listing["modified"])
    description = requests.get(server.sparql, headers={"Accept": "text/turtle"}, timeout=60)
    assert f"<{ID}dataset>" in description.text


def test_the_dataset_iri_dereferences_to_its_void_description(server):
    """`{base}dataset`, here served under /id/, answers 303 to the VoID document."""
    path = (ID + "dataset")[len("https://w3id.org/comity") :]
    moved = requests.get(f"{server.url}{path}", allow_redirects=False, timeout=60)
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith("/void")
    followed = requests.get(f"{server.url}{path}", headers={"Accept": "text/turtle"}, timeout=60)
    assert followed.status_code == 200
    described = pyoxigraph.Store()
    described.load(followed.content, pyoxigraph.RdfFormat.TURTLE)
    dataset = pyoxigraph.NamedNode(ID + "dataset")
    assert described.query(f"ASK {{ {dataset} a <{VOID}Dataset> }}")


def test_void_modified_follows_a_write(server):
    def modified() -> datetime:
        store = _void(server)
        (row,) = store.query(f"SELECT ?m WHERE {{ ?d <{DCTERMS}modified> ?m }}")
        return datetime.fromisoformat(row["m"].value)

    before = modified()
    # The clock must pass a whole second (dcterms:modified keeps seconds): nothing to wait on.
    time.sleep(1.1)
    response = requests.post(
        server.sparql,
        data={"update": f"INSERT DATA {{ GRAPH <{EX}later> {{ <{EX}x> <{EX}p> 1 }} }}"},
        headers=server.auth(),
        timeout=60,
    )
    assert response.status_code == 204
    after = modified()
    assert after > before
    dump = download(server, "/dumps/comity.nq.gz")
    assert parsedate_to_datetime(dump.headers["Last-Modified"]) == after


def test_dumps_of_a_store_in_memory_follow_its_writes():
    """A `memory:` store is read in place, under the write lock: each write shows in the next
    dump, and between writes the same file is served again."""
    app = create_app(ServerConfig(store="memory:", token=TOKEN, service_allow=()))
    try:
        client = app.test_client()
        first = client.get("/dumps/comity.nq.gz")
        assert first.status_code == 200
        assert client.get("/dumps/comity.nq.gz").headers["ETag"] == first.headers["ETag"]
        assert client.get(f"/dumps/graph?graph={EX}notes").status_code == 404
        written = client.post(
            "/sparql",
            data={"update": f"INSERT DATA {{ GRAPH <{EX}notes> {{ <{EX}a> <{EX}b> 'c' }} }}"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert written.status_code == 204
        second = client.get("/dumps/comity.nq.gz")
        assert second.headers["ETag"] != first.headers["ETag"]
        quads = set(pyoxigraph.parse(gzip.decompress(second.data), pyoxigraph.RdfFormat.N_QUADS))
        note = pyoxigraph.Quad(
            pyoxigraph.NamedNode(EX + "a"),
            pyoxigraph.NamedNode(EX + "b"),
            pyoxigraph.Literal("c"),
            pyoxigraph.NamedNode(EX + "notes"),
        )
        assert note in quads
        one = client.get(f"/dumps/graph?graph={EX}notes")
        assert one.status_code == 200
        assert gzip.decompress(one.data).decode().strip() == f'<{EX}a> <{EX}b> "c" .'
    finally:
        app.extensions["comity"].close()
