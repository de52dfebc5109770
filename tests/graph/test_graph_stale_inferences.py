"""A store says when its inferred graph is stale: after a write that no reasoning followed, as a
process killed between the two leaves it, `comity validate` fails and `comity serve` reasons
again before serving (issue #14, item 10)."""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import graph
from ontology.errors import ComityError
from server.cli import main
from tests.server_fixtures import start_server, stop_server

CURRENT = (
    "ASK { GRAPH <https://w3id.org/comity/graph/inferred> { "
    "<https://w3id.org/comity/graph/inferred> <https://w3id.org/comity/ontology#current> true } }"
)
WRITE = (
    "INSERT DATA { GRAPH <http://example.org/g> { "
    "<http://example.org/a> a <https://w3id.org/comity/ontology#Convention> ; "
    '<http://www.w3.org/2000/01/rdf-schema#label> "A convention"@en } }'
)
TREATY = "ASK { <http://example.org/a> a <https://w3id.org/comity/ontology#Treaty> }"


def test_every_write_to_the_asserted_graphs_is_stale_until_reasoned():
    kg = graph.open("memory:")
    try:
        assert not kg.inferred_current()  # a new store has no inferences yet
        kg.reason()
        assert kg.inferred_current() and kg.query(CURRENT)
        kg.update(WRITE)
        assert not kg.inferred_current()
        kg.reason()
        assert kg.inferred_current() and kg.query(TREATY)
        with pytest.raises(ComityError):
            kg.update("DROP GRAPH <http://example.org/missing>")
        assert kg.inferred_current()  # a failed write changed nothing
    finally:
        kg.close()


KILLED_AFTER_WRITE = """
import os, sys
import graph
kg = graph.open("oxigraph:" + sys.argv[1])
kg.reason()
kg.update(sys.argv[2])
kg.flush()
os._exit(0)  # killed before reasoning, as kill -9 would
"""


@pytest.fixture
def killed_store(tmp_path: Path) -> Path:
    """An on-disk store whose process died between a write and the reasoning after it."""
    store = tmp_path / "store"
    subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_WRITE, str(store), WRITE], check=True, timeout=120
    )
    return store


def test_a_write_cut_off_from_its_reasoning_is_found_and_validate_fails(killed_store: Path):
    with graph.open(f"oxigraph:{killed_store}", read_only=True) as kg:
        assert not kg.inferred_current()
        assert not kg.query(TREATY)
    result = CliRunner().invoke(main, ["validate", "--store", f"oxigraph:{killed_store}"])
    assert result.exit_code == 1
    assert "The inferred graph is stale" in result.output
    assert (
        CliRunner().invoke(main, ["reason", "--store", f"oxigraph:{killed_store}"]).exit_code == 0
    )
    result = CliRunner().invoke(main, ["validate", "--store", f"oxigraph:{killed_store}"])
    assert result.exit_code == 0, result.output


def test_serve_reasons_again_before_serving_a_stale_store(killed_store: Path, tmp_path: Path):
    server = start_server(killed_store, tmp_path / "server.log")
    try:
        assert server.ask(CURRENT)
        assert server.ask(TREATY)
    finally:
        stop_server(server)
    assert "the inferred graph is stale" in (tmp_path / "server.log").read_text()
