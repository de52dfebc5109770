"""`comity serve` logs one line per request: method, path, status, milliseconds and, for a query,
the number of rows; replayed answers and errors included."""

import re
from pathlib import Path

import requests

from tests.server_fixtures import PEOPLE_GRAPH, preload, start_server, stop_server

LINE = re.compile(r"comity\.requests (\S+) (\S+) (\d{3}) (\d+\.\d) ms(?: (\d+) rows)?$")


def request_lines(lines: list[str]) -> list[tuple[str, ...]]:
    return [match.groups() for line in lines if (match := LINE.search(line))]


def test_each_request_is_one_line_with_status_time_and_rows(tmp_path: Path):
    preload(tmp_path / "store", tmp_path / "data")
    server = start_server(tmp_path / "store", tmp_path / "server.log", follow_output=True)
    assert server.output
    try:
        send_requests(server)
        # The requests' lines come in order, after those of the start-up probes: all four are
        # written once the line of the last one is.
        output = server.output.wait_for(
            lambda lines: any(line[1] == "/store" for line in request_lines(lines)), timeout=30
        )
    finally:
        stop_server(server)
    lines = request_lines(output)[-4:]
    assert [(method, path, status) for method, path, status, _, _ in lines] == [
        ("GET", "/sparql", "200"),
        ("GET", "/sparql", "200"),
        ("GET", "/sparql", "400"),
        ("GET", "/store", "200"),
    ]
    assert [rows for *_, rows in lines] == ["3", "3", None, "2"]
    assert all(float(milliseconds) >= 0 for _, _, _, milliseconds, _ in lines)


def send_requests(server) -> None:
    query = "SELECT ?n WHERE { ?s <http://example.org/name> ?n }"
    for _ in range(2):  # the second is replayed from the response cache
        assert len(server.select(query)) == 3
    bad = requests.get(server.sparql, params={"query": "SELECT ?n WHERE {"}, timeout=10)
    assert bad.status_code == 400
    people = requests.get(server.store, params={"graph": PEOPLE_GRAPH}, timeout=10)
    assert people.status_code == 200
