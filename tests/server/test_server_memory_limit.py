"""--memory-limit: a query or update that needs more memory than allowed is stopped and answered
503 with the reason, writes nothing, and the server goes on serving (#14, item 6)."""

import pytest
import requests

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX  # noqa: E402 - after the rewrite registration

# Every pair of the store's triples (its reference data: hundreds of millions of pairs), sorted:
# the sort holds every row, so memory grows by hundreds of MB a second.
GREEDY_QUERY = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"

# The same pairs as quads to insert (an update's default graph is the store's own, empty here,
# so the pairs are taken across the named graphs): the engine gathers them all before writing.
GREEDY_UPDATE = (
    f"INSERT {{ GRAPH <{EX}greedy> {{ ?a <{EX}near> ?d }} }} "
    "WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } }"
)

LIMITS = ["--memory-limit", "256", "--timeout", "60"]


@pytest.fixture(scope="module", params=["disk", "memory"])
def capped(request, server_factory):
    """A server whose queries may take 256 MiB each, answering from disk (a pool of worker
    processes) and from an in-memory copy (workers forked from it)."""
    return server_factory(extra=[*LIMITS, "--serve-from", request.param])


def test_a_query_past_the_memory_limit_is_answered_503(capped):
    response = requests.get(capped.sparql, params={"query": GREEDY_QUERY}, timeout=120)
    assert response.status_code == 503, response.text[:300]
    assert "256 MiB" in response.text and "--memory-limit" in response.text
    assert "Retry-After" not in response.headers
    assert capped.ask(f"ASK {{ <{EX}bob> <{EX}name> ?n }}"), "the server stopped serving"


def test_an_update_past_the_memory_limit_writes_nothing(capped):
    response = capped.update(GREEDY_UPDATE)
    assert response.status_code == 503, response.text[:300]
    assert "update needed more than 256 MiB" in response.text
    assert not capped.ask(f"ASK {{ GRAPH <{EX}greedy> {{ ?s ?p ?o }} }}")
    written = capped.update(
        f"INSERT DATA {{ GRAPH <{EX}greedy> {{ <{EX}a> <{EX}near> <{EX}b> }} }}"
    )
    assert written.status_code == 204, written.text
    assert capped.ask(f"ASK {{ GRAPH <{EX}greedy> {{ <{EX}a> <{EX}near> <{EX}b> }} }}")
