"""`comity load`, `comity extract` and `comity eval`, run as a user runs them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMITY = [str(Path(sys.executable).with_name("comity"))]
REPO = Path(__file__).resolve().parents[2]
RELEASE = """# Press Release

**Council of Europe Press Division**

## Norway ratifies

Strasbourg, 02.04.2008 – Norway ratified the Convention on Cybercrime today.
"""


def comity(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMITY, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "COMITY_STORE": "memory:"},
    )


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("sources")
    (directory / "norway.txt").write_text(RELEASE, encoding="utf-8")
    (directory / "empty.txt").write_text("", encoding="utf-8")
    (directory / "extra.nt").write_text(
        "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
    )
    return directory


def test_extract_prints_facts_with_evidence_as_json(sources):
    result = comity("extract", "--format", "json", str(sources / "norway.txt"), cwd=sources)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    [fact] = [fact for fact in document["facts"] if fact["type"] == "Ratification"]
    assert fact["actor"] == "NOR"
    assert fact["date"] == "2008-04-02"
    assert fact["evidence"]["text"] == RELEASE[fact["evidence"]["start"] : fact["evidence"]["end"]]


def test_extract_as_turtle_and_table(sources):
    turtle = comity("extract", "--format", "ttl", str(sources / "norway.txt"), cwd=sources)
    assert turtle.returncode == 0, turtle.stderr
    assert "comity:Ratification" in turtle.stdout and "comity:TextSpan" in turtle.stdout
    table = comity("extract", str(sources / "norway.txt"), cwd=sources)
    assert table.returncode == 0 and "Ratification" in table.stdout and "NOR" in table.stdout


def test_extract_bad_file_is_one_clear_line(sources):
    result = comity("extract", str(sources / "empty.txt"), cwd=sources)
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"error: {sources / 'empty.txt'}: the file is empty; there is nothing to load"
    )


def test_load_a_batch_reports_failures_and_loads_the_rest(sources, tmp_path):
    store = f"oxigraph:{tmp_path / 'store'}"
    result = comity("load", "--store", store, str(sources), cwd=tmp_path)
    assert result.returncode == 1
    assert "empty.txt" in result.stderr and "failed" in result.stderr
    assert "Ratification" in result.stdout
    query = comity(
        "query",
        "--store",
        store,
        "--format",
        "csv",
        "SELECT ?code WHERE { ?r a <https://w3id.org/comity/ontology#Ratification> ; "
        "<https://w3id.org/comity/ontology#actor>/<https://w3id.org/comity/ontology#iso3166Alpha3>"
        " ?code }",
        cwd=tmp_path,
    )
    assert query.returncode == 0, query.stderr
    assert "NOR" in query.stdout


def test_load_succeeds_with_exit_zero_on_good_input(sources, tmp_path):
    result = comity(
        "load",
        "--store",
        f"oxigraph:{tmp_path / 'store'}",
        "--jobs",
        "2",
        str(sources / "norway.txt"),
        str(sources / "extra.nt"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "documents" in result.stdout and "RDF files" in result.stdout


def test_load_names_a_missing_path(tmp_path):
    result = comity("load", "--store", "memory:", str(tmp_path / "absent.txt"), cwd=tmp_path)
    assert result.returncode == 1
    assert "absent.txt: no such file or directory" in result.stderr


def test_eval_prints_scores(tmp_path):
    (tmp_path / "norway.txt").write_text(RELEASE, encoding="utf-8")
    gold = {
        "document": "norway.txt",
        "facts": [
            {"type": "Ratification", "actor": "NOR", "treaty": "ets-185", "date": "2008-04-02"}
        ],
    }
    (tmp_path / "norway.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    result = comity("eval", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Ratification" in result.stdout and "micro overall" in result.stdout
    assert "1.000" in result.stdout


def test_extract_table_shows_list_fields_and_brackets_as_written(tmp_path):
    text = tmp_path / "partners.txt"
    text.write_text(
        "Strasbourg, 13.06.2019 – Opening words.\n\nA partnership between the Council of "
        "Europe, Microsoft and McAfee [with annexes] was signed.\n",
        encoding="utf-8",
    )
    table = comity("extract", str(text), cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "partners=[council-of-europe; mcafee; microsoft]" in table.stdout
    assert "[with annexes]" in " ".join(table.stdout.split())
