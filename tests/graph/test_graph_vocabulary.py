"""A store installs the vocabulary all or nothing: broken vocabulary files change nothing; files
it was made from are not read again."""

import functools
import io
import shutil
from pathlib import Path

import pytest

import graph
import ontology.reference
import ontology.vocabulary
from ontology import COMITY, GRAPH_REFERENCE, ONTOLOGY_FILE, REFERENCE_DIR
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
    for name in ("reference_ntriples", "reference_digest"):
        made_from_broken = functools.partial(getattr(ontology.reference, name), broken)
        monkeypatch.setattr(ontology.reference, name, made_from_broken)
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
    for name in ("read_ontology", "ontology_digest"):
        made_from_broken = functools.partial(getattr(ontology.vocabulary, name), broken)
        monkeypatch.setattr(ontology.vocabulary, name, made_from_broken)
    with pytest.raises(ComityError, match=r"comity\.ttl.*line \d+"):
        graph.open(store_url)
    monkeypatch.undo()
    assert _dump(store_url) == before


def test_a_store_made_from_the_same_files_is_opened_without_building_the_vocabulary(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _dump(store_url)

    def refuse() -> bytes:
        raise AssertionError("the vocabulary was built again")

    monkeypatch.setattr(ontology.reference, "reference_ntriples", refuse)
    monkeypatch.setattr(ontology.vocabulary, "read_ontology", refuse)
    assert _dump(store_url) == before


def test_an_edited_table_is_a_new_digest_and_the_store_takes_it(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dump(store_url)
    edited = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, edited)
    topics = edited / "topics.csv"
    table = topics.read_text(encoding="utf-8")
    topics.write_text(
        table.replace(",cybercrime,cybercriminalité,", ",cyber offences,cybercriminalité,")
    )
    assert ontology.reference.reference_digest(edited) != ontology.reference.reference_digest()
    for name in ("reference_ntriples", "reference_digest"):
        monkeypatch.setattr(
            ontology.reference, name, functools.partial(getattr(ontology.reference, name), edited)
        )
    assert b'"cyber offences"@en' in _dump(store_url)


def test_a_vocabulary_graph_cut_short_without_its_stamp_is_loaded_whole_at_the_next_open(
    store_url: str,
) -> None:
    """A new store's vocabulary is bulk-loaded and stamped after: a kill between the two
    leaves part of a graph and no stamp, which the next open must not take for whole."""
    whole = _dump(store_url)
    with graph.open(store_url) as knowledge_graph:
        reference = GRAPH_REFERENCE
        knowledge_graph.update(
            f"DELETE WHERE {{ GRAPH <{reference}> {{ <{reference}> ?stamp ?digest }} }} ;"
            f"DELETE WHERE {{ GRAPH <{reference}> {{ ?treaty a <{COMITY.Treaty}> }} }}"
        )
        cut = knowledge_graph.query(
            f"ASK {{ GRAPH <{GRAPH_REFERENCE}> {{ ?treaty a <{COMITY.Treaty}> }} }}"
        )
        assert not bool(cut)
    assert _dump(store_url) == whole
