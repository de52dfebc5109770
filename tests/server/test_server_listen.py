"""`comity serve` on an address it cannot listen on says so in one line, before it opens or
reasons over the store."""

import socket
import subprocess
from pathlib import Path

from tests.server_fixtures import comity_command


def test_a_port_in_use_is_one_clear_error(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        store = tmp_path / "store"
        result = subprocess.run(
            [*comity_command(), "serve", "--store", f"oxigraph:{store}", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert (
        result.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
    assert not store.exists()
