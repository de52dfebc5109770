"""No update reaches Comity's own graphs unnamed (graph/update_guard.py), against a real server.

The inferred graph is refused by any name, and spared when a template's `GRAPH ?g` would bind
it however ?g is made (BIND, FILTER over graph names, RDF 1.2 syntax around it); the ontology
and reference graphs are spared the same way; DROP ALL, CLEAR ALL and DROP NAMED leave all
three as they were (the inferred graph as reasoning over what remains makes it).
"""

from collections.abc import Callable, Iterator

import pyoxigraph
import pytest
import requests

import graph
from ontology import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import (  # noqa: E402 - after the rewrite registration
    EX,
    PEOPLE_GRAPH,
    ComityServer,
    start_server,
    stop_server,
)

COMITY_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_INFERRED)
NAMESPACE = GRAPH_INFERRED.rsplit("/", 1)[0] + "/"
MADE = f'BIND(IRI(CONCAT("{NAMESPACE}", "inferred")) AS ?g)'


def graph_triples(server: ComityServer, graph_iri: str) -> set[str]:
    response = requests.get(
        server.sparql,
        params={
            "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
        },
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return {
        str(quad.triple)
        for quad in pyoxigraph.parse(response.content, pyoxigraph.RdfFormat.N_TRIPLES)
    }


def comity_graphs(server: ComityServer) -> dict[str, set[str]]:
    return {iri: graph_triples(server, iri) for iri in COMITY_GRAPHS}


def update(server: ComityServer, sparql: str) -> requests.Response:
    return requests.post(
        server.sparql,
        data=sparql.encode(),
        headers={**server.auth(), "Content-Type": "application/sparql-update"},
        timeout=60,
    )


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ComityServer]) -> ComityServer:
    return server_factory()


BYPASSES = {
    "GRAPH ?g bound by BIND(IRI(CONCAT(...)))": (
        f"INSERT {{ GRAPH ?g {{ <{EX}x> <{EX}y> <{EX}z> }} }} WHERE {{ {MADE} }}"
    ),
    "GRAPH ?g bound by BIND to the reference graph": (
        f"INSERT {{ GRAPH ?g {{ <{EX}x> <{EX}y> <{EX}z> }} }} "
        f'WHERE {{ BIND(IRI(CONCAT("{NAMESPACE}", "reference")) AS ?g) }}'
    ),
    "GRAPH ?g chosen by a FILTER over graph names": (
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{NAMESPACE}") && !CONTAINS(STR(?g), "/source/")) }}'
    ),
    "DELETE WHERE over every graph": (
        "DELETE WHERE { GRAPH ?g { <https://w3id.org/comity/ontology#Organisation> ?p ?o } }"
    ),
    "an RDF 1.2 triple term": (
        f'VERSION "1.2" INSERT {{ GRAPH ?g {{ <{EX}x> <{EX}y> <<( <{EX}a> <{EX}b> <{EX}c> )>> }} }}'
        f" WHERE {{ {MADE} }}"
    ),
    "an RDF 1.2 annotation": (
        f"INSERT {{ GRAPH ?g {{ <{EX}x> <{EX}y> <{EX}z> {{| <{EX}by> <{EX}me> |}} }} }} "
        f"WHERE {{ {MADE} }}"
    ),
    "a template graph variable the WHERE clause never binds": (
        f"INSERT {{ GRAPH ?g {{ <{EX}x> <{EX}y> <{EX}z> }} }} WHERE {{ }}"
    ),
}


@pytest.mark.parametrize("bypass", BYPASSES)
def test_an_update_never_reaches_comity_graphs_unnamed(server: ComityServer, bypass: str) -> None:
    """Refused, or run with Comity's graphs left exactly as they were."""
    before = comity_graphs(server)
    response = update(server, BYPASSES[bypass])
    assert response.status_code in (204, 400), response.text
    assert comity_graphs(server) == before
    assert server.ask(f'ASK {{ <{EX}alice> <{EX}name> "Alice" }}')


def test_graph_variables_still_write_every_other_graph(server: ComityServer) -> None:
    """The guard skips Comity's graphs, not the rest of what the template writes."""
    response = update(
        server,
        f"INSERT {{ GRAPH ?g {{ <{EX}tagged> <{EX}in> ?g }} }} WHERE {{ GRAPH ?g {{ }} }}",
    )
    assert response.status_code == 204, response.text
    tagged = server.select(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}tagged> <{EX}in> ?g }} }}")
    graphs = {row["g"]["value"] for row in tagged}
    assert PEOPLE_GRAPH in graphs
    assert not graphs & set(COMITY_GRAPHS)
    cleaned = update(server, f"DELETE WHERE {{ GRAPH ?g {{ <{EX}tagged> ?p ?o }} }}")
    assert cleaned.status_code == 204, cleaned.text
    assert not server.ask(f"ASK {{ GRAPH ?g {{ <{EX}tagged> ?p ?o }} }}")


@pytest.mark.parametrize(
    "named",
    [
        f"INSERT DATA {{ GRAPH <{GRAPH_INFERRED}> {{ <{EX}x> <{EX}y> <{EX}z> }} }}",
        f"PREFIX g: <{NAMESPACE}> DROP GRAPH g:inferred",
        f"BASE <{NAMESPACE}> CLEAR GRAPH <inferred>",
        f"DROP GRAPH <{NAMESPACE}\\u0069nferred>",
        f'VERSION "1.2" INSERT DATA {{ GRAPH <{GRAPH_INFERRED}> {{ <{EX}x> <{EX}y> '
        f"<<( <{EX}a> <{EX}b> <{EX}c> )>> }} }}",
        f"INSERT {{ GRAPH ?g {{ <{EX}x> <{EX}y> <{EX}z> }} WHERE {{ {MADE} }}",
    ],
)
def test_naming_the_inferred_graph_or_an_unreadable_update_is_refused(
    server: ComityServer, named: str
) -> None:
    before = comity_graphs(server)
    response = update(server, named)
    assert response.status_code == 400, response.text
    assert comity_graphs(server) == before


@pytest.fixture(scope="module")
def vocabulary_only() -> dict[str, set[str]]:
    """Comity's graphs in a store that holds nothing else, reasoned."""
    with graph.open("memory:") as knowledge_graph:
        knowledge_graph.reason()
        return {
            iri: {str(quad.triple) for quad in knowledge_graph._backend.quads(iri)}
            for iri in COMITY_GRAPHS
        }


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def emptied_server(
    request: pytest.FixtureRequest,
    server_factory: Callable[..., ComityServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ComityServer]:
    """A server of its own, on disk or in memory, that the wholesale updates may empty."""
    if request.param == "oxigraph":
        yield server_factory()
        return
    root = tmp_path_factory.mktemp("memory-server")
    started = start_server(root, root / "server.log", store="memory:")
    try:
        yield started
    finally:
        stop_server(started)


@pytest.fixture
def fresh_server(emptied_server: ComityServer) -> ComityServer:
    """That server holding a person again, whatever an earlier test dropped."""
    data = f'INSERT DATA {{ GRAPH <{PEOPLE_GRAPH}> {{ <{EX}alice> <{EX}name> "Alice" }} }}'
    assert update(emptied_server, data).status_code == 204
    return emptied_server


@pytest.mark.parametrize("wholesale", ["DROP ALL", "CLEAR ALL", "DROP SILENT NAMED", "CLEAR NAMED"])
def test_drop_and_clear_all_keep_comity_graphs(
    fresh_server: ComityServer, wholesale: str, vocabulary_only: dict[str, set[str]]
) -> None:
    assert fresh_server.ask(f"ASK {{ GRAPH <{PEOPLE_GRAPH}> {{ ?s ?p ?o }} }}")
    response = update(fresh_server, wholesale)
    assert response.status_code == 204, response.text
    assert not fresh_server.ask(f"ASK {{ GRAPH <{PEOPLE_GRAPH}> {{ ?s ?p ?o }} }}")
    if wholesale.startswith("DROP"):  # CLEAR leaves the graphs there, empty
        listed = fresh_server.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        assert {row["g"]["value"] for row in listed} <= set(COMITY_GRAPHS)
    # what is left is the vocabulary alone, and the inferred graph is what it entails
    assert comity_graphs(fresh_server) == vocabulary_only
