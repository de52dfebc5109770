"""Loading into a real (in-memory) store: idempotent reloads, replacement, batches with failures."""

from pathlib import Path

import pytest

import graph
from loaders import load_paths, pipeline
from ontology import COMITY, source_graph_iri

RELEASE = """# Press Release

**Council of Europe Press Division**

## Two states act on the Cybercrime Convention

Strasbourg, 05.03.2008 – France ratified the Convention on Cybercrime on 4 March 2008. {second}
"""


def write(directory: Path, name: str, second: str) -> Path:
    path = directory / name
    path.write_text(RELEASE.format(second=second), encoding="utf-8")
    return path


def snapshot(kg) -> set[tuple[str, str, str, str]]:
    """Every quad except the load time, which is meant to change."""
    loaded_at = f"<{COMITY.loadedAt}>"
    return {
        (str(row["s"]), str(row["p"]), str(row["o"]), str(row["g"]))
        for row in kg.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        if str(row["p"]) != loaded_at
    }


def actions(kg) -> set[tuple[str, str]]:
    rows = kg.query(
        """
        PREFIX comity: <https://w3id.org/comity/ontology#>
        SELECT ?kind ?code WHERE {
          ?fact a ?kind ; comity:actor/comity:iso3166Alpha3 ?code .
          FILTER(?kind IN (comity:Ratification, comity:Signature))
        }
        """
    )
    return {(row["kind"].value.rsplit("#")[-1], row["code"].value) for row in rows}


def test_loading_twice_gives_the_same_store(kg, tmp_path):
    path = write(tmp_path, "release.txt", "Spain signed it on 1 March 2008.")
    assert load_paths(kg, [path], reason=False).ok
    first = snapshot(kg)
    assert load_paths(kg, [path], reason=False).ok
    assert snapshot(kg) == first
    assert actions(kg) == {("Ratification", "FRA"), ("Signature", "ESP")}


def test_a_corrected_version_replaces_the_old_facts(kg, tmp_path):
    path = write(tmp_path, "release.txt", "Spain signed it on 1 March 2008.")
    load_paths(kg, [path], reason=False)
    write(tmp_path, "release.txt", "Italy signed it on 1 March 2008.")
    report = load_paths(kg, [path], reason=False)
    assert report.ok and report.documents == 1
    assert actions(kg) == {("Ratification", "FRA"), ("Signature", "ITA")}


def test_bad_files_fail_alone_and_leave_no_triples(kg, tmp_path):
    good = write(tmp_path, "good.txt", "Spain signed it on 1 March 2008.")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    report = load_paths(kg, [empty, good, binary])
    assert report.documents == 1
    assert len(report.failures) == 2
    assert any("empty.txt" in failure and "empty" in failure for failure in report.failures)
    assert any("binary.md" in failure and "binary" in failure for failure in report.failures)
    graphs = {str(row["g"].value) for row in kg.query("SELECT DISTINCT ?g { GRAPH ?g {} }")}
    assert source_graph_iri("good") in graphs
    assert source_graph_iri("empty") not in graphs
    assert source_graph_iri("binary") not in graphs


def test_a_crash_in_extraction_is_reported_against_its_file(kg, tmp_path, monkeypatch):
    good = write(tmp_path, "good.txt", "Spain signed it on 1 March 2008.")
    cursed = write(tmp_path, "cursed.txt", "Italy signed it on 1 March 2008.")
    real = pipeline.extract_source

    def flaky(path: Path):
        if path.name == "cursed.txt":
            raise RuntimeError("simulated fault in a rule")
        return real(path)

    monkeypatch.setattr(pipeline, "extract_source", flaky)
    report = load_paths(kg, [good, cursed])
    assert report.documents == 1
    [failure] = report.failures
    assert "cursed.txt" in failure and "simulated fault" in failure
    assert actions(kg) == {("Ratification", "FRA"), ("Signature", "ESP")}


def test_a_failed_reload_keeps_the_previous_version(kg, tmp_path):
    path = write(tmp_path, "release.txt", "Spain signed it on 1 March 2008.")
    load_paths(kg, [path], reason=False)
    path.write_bytes(b"")
    report = load_paths(kg, [path], reason=False)
    assert not report.ok
    assert actions(kg) == {("Ratification", "FRA"), ("Signature", "ESP")}


def test_text_without_facts_is_loaded_with_a_warning(kg, tmp_path):
    path = tmp_path / "calm.txt"
    path.write_text("A quiet afternoon in which nothing of note happened.\n", encoding="utf-8")
    report = load_paths(kg, [path], reason=False)
    assert report.ok and report.documents == 1
    assert any("calm.txt" in warning and "no facts" in warning for warning in report.warnings)


def test_parallel_extraction_loads_the_same_facts(tmp_path):
    paths = [
        write(tmp_path, f"release-{n}.txt", f"Spain signed it on {n} March 2008.")
        for n in range(1, 5)
    ]
    serial, parallel = graph.open("memory:"), graph.open("memory:")
    try:
        load_paths(serial, paths, jobs=1, reason=False)
        report = load_paths(parallel, paths, jobs=2, reason=False)
        assert report.documents == 4
        assert snapshot(serial) == snapshot(parallel)
    finally:
        serial.close()
        parallel.close()


def test_strict_mode_refuses_a_source_that_violates_the_shapes(kg, tmp_path, monkeypatch):
    path = write(tmp_path, "release.txt", "Spain signed it on 1 March 2008.")
    real = pipeline.prepare

    def without_evidence(name: str):
        prepared = real(name)
        lines = prepared.ntriples.splitlines(keepends=True)
        prepared.ntriples = b"".join(line for line in lines if b"#evidence>" not in line)
        return prepared

    monkeypatch.setattr(pipeline, "prepare", without_evidence)
    report = load_paths(kg, [path], strict=True, reason=False)
    assert report.documents == 0
    [failure] = report.failures
    assert "release.txt" in failure and "--strict" in failure
    graphs = {str(row["g"].value) for row in kg.query("SELECT DISTINCT ?g { GRAPH ?g {} }")}
    assert source_graph_iri("release") not in graphs


def test_paths_globs_and_directories_expand_to_source_files(tmp_path):
    from loaders import expand_paths
    from ontology.errors import ComityError

    (tmp_path / "sub").mkdir()
    first = write(tmp_path, "a.txt", "")
    second = write(tmp_path / "sub", "b.md", "")
    (tmp_path / "sub" / "b.gold.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    assert expand_paths([str(tmp_path)]) == [first, second]
    assert expand_paths([str(tmp_path / "*.txt"), str(first)]) == [first]
    with pytest.raises(ComityError, match=r"\*\.csv: no file matches this pattern"):
        expand_paths([str(tmp_path / "*.csv")])


def test_every_suffix_the_loader_reads_as_rdf_is_a_format_the_graph_parses(kg, tmp_path):
    from graph.formats import format_of_file

    for suffix in pipeline.RDF_SUFFIXES:
        assert format_of_file(Path(f"source{suffix}")) is not None
    path = tmp_path / "notation.n3"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n", encoding="utf-8")
    assert load_paths(kg, [path], reason=False).ok
    assert kg.query("ASK { <http://example.org/a> <http://example.org/b> <http://example.org/c> }")
