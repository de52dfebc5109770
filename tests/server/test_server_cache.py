"""The answer and response caches and in-memory answers: a write through the server is seen by
the very next query, answers that differ per evaluation are never reused, a repeated GET is
replayed without reaching the view, and a large answer still goes through a file and streams
whole."""

import json
from collections.abc import Iterator

import pyoxigraph
import pytest
from flask import Flask

import graph
from graph import generation_cache
from graph.query_execution import (
    MEMORY_ANSWER_BYTES,
    AnswerCache,
    Answered,
    CachedRunner,
    QueryJob,
)
from server import sparql
from server.app import create_app
from server.config import ServerConfig

EX = "http://example.org/"
TOKEN = "cache-test-token"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
LONG_TEXT = "x" * 400
BULK_TRIPLES = 3000  # with LONG_TEXT, a few MiB as JSON: past MEMORY_ANSWER_BYTES


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An on-disk store holding BULK_TRIPLES long literals, served with writes allowed."""
    location = f"oxigraph:{tmp_path_factory.mktemp('cache') / 'store'}"
    with graph.open(location) as knowledge_graph:
        rows = " ".join(f'<{EX}bulk{n}> <{EX}text> "{LONG_TEXT}{n}" .' for n in range(BULK_TRIPLES))
        knowledge_graph.update(f"INSERT DATA {{ GRAPH <{EX}bulk> {{ {rows} }} }}")
    application = create_app(
        ServerConfig(store=location, token=TOKEN, workers=1, max_rows=BULK_TRIPLES + 10)
    )
    yield application
    application.extensions["comity"].close()


def names(app: Flask, subject: str) -> list[str]:
    response = app.test_client().get(
        "/sparql",
        query_string={"query": f"SELECT ?n {{ <{EX}{subject}> <{EX}name> ?n }} ORDER BY ?n"},
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    return [row["n"]["value"] for row in response.json["results"]["bindings"]]


def cache_of(app: Flask) -> AnswerCache:
    runner = app.extensions["comity"].runner
    assert isinstance(runner, CachedRunner)
    return runner.cache


def test_every_kind_of_write_is_seen_by_the_next_query(app):
    client = app.test_client()
    insert = f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}w> <{EX}name> "first" }} }}'
    assert client.post("/sparql", data={"update": insert}, headers=WRITE).status_code == 204
    assert names(app, "w") == ["first"]
    assert names(app, "w") == ["first"]  # asked a second time: now kept
    assert len(cache_of(app)) >= 1, "a repeated query should be answered from the cache"
    assert names(app, "w") == ["first"]

    insert = f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}w> <{EX}name> "second" }} }}'
    assert client.post("/sparql", data={"update": insert}, headers=WRITE).status_code == 204
    assert names(app, "w") == ["first", "second"]

    replaced = client.put(
        "/store",
        query_string={"graph": f"{EX}g"},
        data=f'<{EX}w> <{EX}name> "third" .',
        headers={**WRITE, "Content-Type": "application/n-triples"},
    )
    assert replaced.status_code in (200, 204), replaced.text
    assert names(app, "w") == ["third"]

    deleted = client.delete("/store", query_string={"graph": f"{EX}g"}, headers=WRITE)
    assert deleted.status_code in (200, 204), deleted.text
    assert names(app, "w") == []


def test_a_repeated_get_is_replayed_without_reaching_the_view(app, monkeypatch):
    query = f'SELECT ?s WHERE {{ ?s <{EX}text> "{LONG_TEXT}7" }}'
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert first.status_code == 200
    assert client.get("/sparql", query_string={"query": query}, headers=JSON).data == first.data
    assert first.json["results"]["bindings"] == [{"s": {"type": "uri", "value": f"{EX}bulk7"}}]

    def unreachable(*_: object) -> None:
        raise AssertionError("a repeated GET reached the view")

    monkeypatch.setattr(sparql, "stream_answer", unreachable)
    again = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert again.status_code == 200
    assert again.data == first.data
    assert again.headers == first.headers
    # Another Accept header is another response: it goes to the view, here a failing one.
    xml = {"Accept": "application/sparql-results+xml"}
    assert client.get("/sparql", query_string={"query": query}, headers=xml).status_code == 500


def test_only_successful_answers_are_replayed(app):
    client = app.test_client()
    responses = app.extensions["comity"].responses
    before = len(responses)
    for _ in range(2):
        bad = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s"}, headers=JSON)
        assert bad.status_code == 400
    assert len(responses) == before


def test_a_write_empties_the_response_cache(app):
    names(app, "v")
    names(app, "v")
    responses = app.extensions["comity"].responses
    assert len(responses) >= 1
    insert = f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}v> <{EX}name> "new" }} }}'
    client = app.test_client()
    assert client.post("/sparql", data={"update": insert}, headers=WRITE).status_code == 204
    assert len(responses) == 0
    assert names(app, "v") == ["new"]
    deleted = client.delete("/store", query_string={"graph": f"{EX}g"}, headers=WRITE)
    assert deleted.status_code in (200, 204), deleted.text


def test_a_refused_write_keeps_the_cache(app):
    assert names(app, "nobody") == [] and names(app, "nobody") == []
    before = len(cache_of(app))
    assert before >= 1
    refused = app.test_client().post(
        "/sparql", data={"update": f'INSERT DATA {{ <{EX}a> <{EX}name> "x" }}'}
    )
    assert refused.status_code == 401
    assert len(cache_of(app)) == before


@pytest.mark.parametrize("expression", ["STRUUID()", "UUID()", "RAND()", "BNODE()", "str(now ( ))"])
def test_answers_that_differ_per_evaluation_are_not_reused(app, expression):
    query = f"SELECT ?v WHERE {{ BIND({expression} AS ?v) }}"
    client = app.test_client()
    before = len(cache_of(app))
    responses_before = len(app.extensions["comity"].responses)
    answers = [
        client.get("/sparql", query_string={"query": query}, headers=JSON).json for _ in range(3)
    ]
    assert all(len(a["results"]["bindings"]) == 1 for a in answers)
    assert len(cache_of(app)) == before
    assert len(app.extensions["comity"].responses) == responses_before
    if expression != "str(now ( ))":  # two NOW() calls may fall in the same clock tick
        assert answers[0] != answers[1]


def test_large_answer_goes_through_a_file_and_streams_whole(app):
    query = f"SELECT ?s ?t WHERE {{ ?s <{EX}text> ?t }}"
    response = app.test_client().get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 200
    assert response.is_streamed
    assert len(response.data) > MEMORY_ANSWER_BYTES
    bindings = json.loads(response.data)["results"]["bindings"]
    assert len(bindings) == BULK_TRIPLES
    assert {row["t"]["value"] for row in bindings} == {
        f"{LONG_TEXT}{n}" for n in range(BULK_TRIPLES)
    }
    construct = f"CONSTRUCT {{ ?s <{EX}text> ?t }} WHERE {{ ?s <{EX}text> ?t }}"
    turtle = app.test_client().get(
        "/sparql", query_string={"query": construct}, headers={"Accept": "text/turtle"}
    )
    assert turtle.status_code == 200
    parsed = list(pyoxigraph.parse(turtle.data, pyoxigraph.RdfFormat.TURTLE))
    assert len(parsed) == BULK_TRIPLES
    assert list(app.extensions["comity"].answers.path.iterdir()) == [], "files left behind"


def test_row_limit_holds_for_small_and_repeated_queries(app):
    query = f"SELECT * WHERE {{ ?a <{EX}text> ?t . ?b <{EX}text> ?u }} LIMIT {BULK_TRIPLES + 11}"
    client = app.test_client()
    for _ in range(2):
        response = client.get("/sparql", query_string={"query": query}, headers=JSON)
        assert response.status_code == 422
        assert "--max-rows" in response.text
    under = client.get(
        "/sparql", query_string={"query": query.replace("LIMIT", "LIMIT 3 #")}, headers=JSON
    )
    assert len(under.json["results"]["bindings"]) == 3


def job(sparql: str) -> QueryJob:
    return QueryJob(sparql, None, None, True, "text/csv", None, 10, "unused")


def reply(size: int) -> Answered:
    return Answered("solutions", "text/csv", 1, b"x" * size)


@pytest.mark.parametrize(
    ("sparql", "cacheable"),
    [
        ("SELECT ?v { BIND(RaNd() AS ?v) }", False),
        ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", False),
        ("SELECT ?v { BIND(STRUUID() AS ?v) }", False),
        ('SELECT ?v { BIND("\\U00000041" AS ?v) }', False),  # an escape may spell RAND
        # Python's upper() folds the long s onto S; the engine does not, and refuses the call.
        ("SELECT ?v { BIND(ſtruuid() AS ?v) }", True),
        ("SELECT ?s { ?s <http://example.org/known> <http://example.org/grand> }", True),
        ("SELECT ?s { ?s <http://example.org/name> 'Zoë' }", True),
    ],
)
def test_only_answers_that_cannot_differ_between_evaluations_have_a_key(sparql, cacheable):
    assert (AnswerCache.key(job(sparql)) is not None) is cacheable


def test_cache_keeps_within_its_byte_budget_dropping_the_least_recent():
    cache = AnswerCache(max_bytes=16_000)  # room for 17 entries of about 910 bytes
    keys = [cache.key(job(f"SELECT {n} {{}}")) for n in range(4)]
    for key in keys[:3]:
        offer_twice(cache, key, reply(900))
    assert cache.get(keys[0]) is not None  # now the most recently used
    for filler in range(15):
        offer_twice(cache, cache.key(job(f"ASK {{}} #{filler:02}")), reply(900))
    assert len(cache) == 17
    assert cache.get(keys[1]) is None, "the least recently used answer should go first"
    assert cache.get(keys[0]) is not None and cache.get(keys[2]) is not None
    offer_twice(cache, keys[3], reply(5_000))  # larger than a sixteenth: not kept
    assert cache.get(keys[3]) is None


def offer_twice(cache: AnswerCache, key: tuple, answer: Answered) -> None:
    cache.put(key, cache.generation, answer)
    cache.put(key, cache.generation, answer)


def test_an_answer_is_kept_from_the_second_time_it_is_asked():
    cache = AnswerCache()
    once, twice = cache.key(job("SELECT * {}")), cache.key(job("ASK {}"))
    cache.put(once, cache.generation, reply(10))
    offer_twice(cache, twice, reply(10))
    assert cache.get(once) is None, "an answer asked for once should take no room"
    assert cache.get(twice) is not None
    cache.put(once, cache.generation - 1, reply(10))  # seen again, but computed before a write
    assert cache.get(once) is None
    cache.invalidate()
    cache.put(once, cache.generation, reply(10))  # a write forgets what was seen once
    assert cache.get(once) is None and len(cache) == 0


def test_keys_seen_once_are_remembered_within_a_bound(monkeypatch):
    monkeypatch.setattr(generation_cache, "SEEN_ONCE_LIMIT", 8)
    cache = AnswerCache()
    keys = [cache.key(job(f"ASK {{}} #{n}")) for n in range(20)]
    for key in keys:
        cache.put(key, cache.generation, reply(10))
    assert len(cache._seen_once) <= 8
    for key in (keys[0], keys[-1]):  # the oldest was forgotten, the newest is remembered
        cache.put(key, cache.generation, reply(10))
    assert cache.get(keys[0]) is None and cache.get(keys[-1]) is not None


def test_an_answer_computed_before_a_write_is_not_kept():
    cache = AnswerCache()
    key = cache.key(job("SELECT * {}"))
    started_at = cache.generation
    cache.put(key, started_at, reply(10))
    cache.invalidate()
    cache.put(key, started_at, reply(10))
    assert cache.get(key) is None
    offer_twice(cache, key, reply(10))
    assert cache.get(key) is not None
    cache.invalidate()
    assert cache.get(key) is None and len(cache) == 0


def test_a_graph_passed_in_is_not_cached():
    """The caller may change a graph it passes in directly, without the server knowing."""
    knowledge_graph = graph.open("memory:")
    app = create_app(ServerConfig(store="memory:"), knowledge_graph=knowledge_graph)
    try:
        assert names(app, "direct") == []
        knowledge_graph.update(f'INSERT DATA {{ <{EX}direct> <{EX}name> "D" }}')
        assert names(app, "direct") == ["D"]
    finally:
        app.extensions["comity"].close()


class SnapshotRunner:
    """Answers from its snapshot, which moves on when told of a write, as a worker's does; a
    hook runs a query just before the snapshot moves, as a request arriving mid-write would."""

    def __init__(self) -> None:
        self.snapshot = b"before"
        self.just_before_moving: list[object] = []

    def run(self, job: QueryJob, timeout: float) -> Answered:
        return Answered("solutions", "text/csv", 1, self.snapshot)

    def store_changed(self) -> None:
        for hook in self.just_before_moving:
            hook()
        self.snapshot = b"after"

    def close(self) -> None:
        pass


def test_a_query_arriving_during_a_write_leaves_no_stale_answer():
    runner = SnapshotRunner()
    cached = CachedRunner(runner)
    asked = job("SELECT * {}")
    assert cached.run(asked, 1).body == b"before"
    assert cached.run(job("ASK {}"), 1).body == b"before"  # seen once: kept when seen again
    during = []
    runner.just_before_moving.append(lambda: during.append(cached.run(job("ASK {}"), 1)))
    cached.store_changed()
    assert during[0].body == b"before"  # the write was not finished yet
    assert cached.run(asked, 1).body == b"after"
    assert cached.run(job("ASK {}"), 1).body == b"after"
