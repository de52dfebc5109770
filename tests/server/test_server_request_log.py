"""`comity serve` logs one line per request: method, path, status, milliseconds and, for a query,
the number of rows; replayed answers and errors included."""

import re
import time

import requests

from server.request_log import WRITE_INTERVAL
from tests.server_fixtures import PEOPLE_GRAPH

LINE = re.compile(r"comity\.requests (\S+) (\S+) (\d{3}) (\d+\.\d) ms(?: (\d+) rows)?$")


def logged_lines(server, count: int) -> list[tuple[str, ...]]:
    """The request lines of the server's log, once at least `count` have been written."""
    deadline = time.monotonic() + 10
    while True:
        lines = [
            match.groups()
            for line in server.log_path.read_text().splitlines()
            if (match := LINE.search(line))
        ]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_each_request_is_one_line_with_status_time_and_rows(server_factory):
    server = server_factory()
    time.sleep(3 * WRITE_INTERVAL)  # the lines of the start-up probes are written by now
    before = len(logged_lines(server, 0))
    query = "SELECT ?n WHERE { ?s <http://example.org/name> ?n }"
    for _ in range(2):  # the second is replayed from the response cache
        assert len(server.select(query)) == 3
    bad = requests.get(server.sparql, params={"query": "SELECT ?n WHERE {"}, timeout=10)
    assert bad.status_code == 400
    people = requests.get(server.store, params={"graph": PEOPLE_GRAPH}, timeout=10)
    assert people.status_code == 200
    lines = logged_lines(server, before + 4)[before:]
    assert [(method, path, status) for method, path, status, _, _ in lines] == [
        ("GET", "/sparql", "200"),
        ("GET", "/sparql", "200"),
        ("GET", "/sparql", "400"),
        ("GET", "/store", "200"),
    ]
    assert [rows for *_, rows in lines] == ["3", "3", None, "2"]
    assert all(float(milliseconds) >= 0 for _, _, _, milliseconds, _ in lines)
