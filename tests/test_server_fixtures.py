"""The fixtures' own promise: a server that cannot listen on port 0 is started again on another
port when the one chosen for it was taken first, and is told apart from one that failed."""

import socket
from pathlib import Path

import pytest

from tests.server_fixtures import PortTaken, on_a_free_port, start_oxigraph, stop_process


def test_a_port_taken_first_costs_a_retry_not_a_failure(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with pytest.raises(PortTaken):
            start_oxigraph(tmp_path / "first", taken)
        tried: list[int] = []

        def start(port: int):
            tried.append(port)
            # The first attempt finds its port taken, as when another process wins the race.
            return start_oxigraph(tmp_path / "second", taken if len(tried) == 1 else port)

        process = on_a_free_port(start)
        try:
            assert len(tried) == 2 and process.poll() is None
        finally:
            stop_process(process)
