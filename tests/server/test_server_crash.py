"""The server's process killed outright (`kill -9`): every process it started dies with it, and
a new server opens the same store at once."""

import os
import signal
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import (  # noqa: E402 - after the rewrite registration
    dead,
    descendants,
    preload,
    start_server,
    stop_server,
    wait_until_dead,
)


@pytest.mark.parametrize("serve_from", ["disk", "memory"])
def test_children_die_with_a_killed_server_and_a_restart_opens_the_store(
    tmp_path: Path, serve_from: str
) -> None:
    store = tmp_path / "store"
    preload(store, tmp_path / "data")
    first = start_server(store, tmp_path / "first.log", extra=["--serve-from", serve_from])
    children = descendants(first.process.pid)
    # the HTTP worker, the writer and the query workers at least
    assert len(children) >= 3, children
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait()
    wait_until_dead(children, timeout=5)
    assert [pid for pid in children if not dead(pid)] == []
    second = start_server(store, tmp_path / "second.log", extra=["--serve-from", serve_from])
    try:
        rows = second.select('SELECT ?s WHERE { ?s <http://example.org/name> "Alice" }')
        assert [row["s"]["value"] for row in rows] == ["http://example.org/alice"]
    finally:
        stop_server(second)
