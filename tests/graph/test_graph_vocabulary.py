"""A store installs the vocabulary all or nothing: broken vocabulary files change nothing."""

import functools
import io
import shutil
from pathlib import Path

import pytest

import graph
import ontology.reference
import ontology.vocabulary
from ontology import ONTOLOGY_FILE, REFERENCE_DIR
from ontology.errors import ComityError


def _dump(url: str) -> bytes:
    with graph.open(url) as knowledge_graph:
        output = io.BytesIO()
        knowledge_graph.export("nq", output)
    return b"\n".join(sorted(output.getvalue().splitlines()))


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"oxigraph:{tmp_path / 'store'}"


def test_a_malformed_reference_table_is_located_and_loads_nothing(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _dump(store_url)
    broken = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, broken)
    with (broken / "states.csv").open("a", encoding="utf-8") as table:
        table.write("XX,XXX\n")
    monkeypatch.setattr(
        ontology.reference,
        "reference_ntriples",
        functools.partial(ontology.reference.reference_ntriples, broken),
    )
    with pytest.raises(ComityError, match=r"states\.csv.*line \d+"):
        graph.open(store_url)
    monkeypatch.undo()
    assert _dump(store_url) == before


def test_a_malformed_ontology_file_is_located_and_loads_nothing(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _dump(store_url)
    broken = tmp_path / "comity.ttl"
    broken.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8") + "\ncomity:Oops a .\n")
    monkeypatch.setattr(
        ontology.vocabulary,
        "read_ontology",
        functools.partial(ontology.vocabulary.read_ontology, broken),
    )
    with pytest.raises(ComityError, match=r"comity\.ttl.*line \d+"):
        graph.open(store_url)
    monkeypatch.undo()
    assert _dump(store_url) == before
