"""Treaty charts (CSV) to treaty actions, and scoring extraction against gold files."""

import json
from pathlib import Path

import pytest

from loaders import extract_source
from loaders.evaluation import evaluate_directory
from ontology.errors import ComityError

CHART = """Convention on Cybercrime (ETS No. 185)
Status as of: 13/06/2007
State,Signature,Ratification,Entry into Force,Notes
Albania,23/11/2001,20/06/2002,01/07/2004,
"Bosnia and Herzegovina",09/02/2005,19/05/2006,01/09/2006,
Canada,23/11/2001,,,
United States of America,23/11/2001,29/09/2006,01/01/2007,
Montenegro,,03/03/2010 a,01/07/2010,accession
"""


def test_chart_rows_become_signatures_ratifications_and_entries_into_force(tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(CHART, encoding="utf-8")
    extraction = extract_source(path)
    found = {(f.kind, f.actor.key, f.treaty.key, f.date.iso()) for f in extraction.facts}
    assert ("Signature", "ALB", "ets-185", "2001-11-23") in found
    assert ("Ratification", "ALB", "ets-185", "2002-06-20") in found
    assert ("EntryIntoForce", "ALB", "ets-185", "2004-07-01") in found
    assert ("Ratification", "BIH", "ets-185", "2006-05-19") in found
    assert ("Signature", "CAN", "ets-185", "2001-11-23") in found
    assert not any(kind != "Signature" and actor == "CAN" for kind, actor, _, _ in found)
    assert ("Accession", "MNE", "ets-185", "2010-03-03") in found
    assert not any(kind == "Ratification" and actor == "MNE" for kind, actor, _, _ in found)
    assert len(found) == 12
    for fact in extraction.facts:
        assert CHART[fact.evidence.start : fact.evidence.end] == fact.evidence.text
        assert fact.evidence.text.count("\n") == 0
    assert extraction.document.metadata.issued.iso() == "2007-06-13"


def test_treaty_from_the_file_name_when_the_chart_has_no_title(tmp_path):
    path = tmp_path / "chart-cets-224.csv"
    path.write_text("State,Signature,Ratification,Entry into Force,Notes\nJapan,12/05/2022,,,\n")
    [fact] = extract_source(path).facts
    assert (fact.kind, fact.actor.key, fact.treaty.key) == ("Signature", "JPN", "cets-224")


def test_chart_without_treaty_or_header_is_refused(tmp_path):
    nameless = tmp_path / "nameless.csv"
    nameless.write_text(
        "State,Signature,Ratification,Entry into Force,Notes\nJapan,12/05/2022,,,\n"
    )
    with pytest.raises(ComityError, match=r"nameless\.csv: cannot tell which treaty"):
        extract_source(nameless)
    headless = tmp_path / "ets-185.csv"
    headless.write_text("Japan,12/05/2022\n")
    with pytest.raises(ComityError, match=r"ets-185\.csv: no header row"):
        extract_source(headless)


SAMPLE = """Strasbourg, 02.04.2008 – Norway ratified the Convention on Cybercrime today, and
Sweden signed it. Microsoft attorney Tim Cranton welcomed the news.
"""


def test_evaluation_scores_per_type_and_overall(tmp_path):
    (tmp_path / "one.txt").write_text(SAMPLE, encoding="utf-8")
    gold = {
        "document": "one.txt",
        "issued": "2008-04-02",
        "facts": [
            {"type": "Ratification", "actor": "NOR", "treaty": "ets-185", "date": "2008-04-02"},
            {"type": "Signature", "actor": "SWE", "treaty": "ets-185", "date": None},
            {"type": "Signature", "actor": "FIN", "treaty": "ets-185", "date": None},
            {
                "type": "PersonRole",
                "person": "tim-cranton",
                "role": "attorney",
                "affiliation": "microsoft",
            },
        ],
    }
    (tmp_path / "one.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    evaluation = evaluate_directory(tmp_path)
    assert evaluation.documents == 1
    ratification = evaluation.by_type["Ratification"]
    assert (ratification.true_positives, ratification.false_positives) == (1, 0)
    signature = evaluation.by_type["Signature"]
    assert (signature.true_positives, signature.false_negatives) == (1, 1)
    assert signature.recall == 0.5
    overall = evaluation.overall
    assert overall.true_positives == 3 and overall.false_negatives == 1
    assert overall.precision == pytest.approx(3 / (3 + overall.false_positives))


def test_evaluation_refuses_broken_gold_files(tmp_path):
    (tmp_path / "one.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "one.gold.json").write_text('{"facts": [', encoding="utf-8")
    with pytest.raises(ComityError, match=r"one\.gold\.json: line 1, column \d+: not valid JSON"):
        evaluate_directory(tmp_path)


def test_gold_facts_without_a_known_type_are_reported_not_scored(tmp_path):
    (tmp_path / "one.txt").write_text(SAMPLE, encoding="utf-8")
    gold = {"document": "one.txt", "facts": [{"actor": "NOR", "treaty": "ets-185"}]}
    (tmp_path / "one.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    evaluation = evaluate_directory(tmp_path)
    [problem] = evaluation.problems
    assert "one.gold.json: fact 1 has no type" in problem
    assert evaluation.overall.false_negatives == 0


SAMPLES = Path(__file__).resolve().parents[2] / "loaders" / "samples"


def test_extraction_quality_on_the_sample_releases():
    evaluation = evaluate_directory(SAMPLES)
    assert not evaluation.problems
    assert evaluation.overall.f1 >= 0.95, (evaluation.spurious, evaluation.missed)
    weak = {kind: score.f1 for kind, score in evaluation.by_type.items() if score.f1 < 0.9}
    assert not weak, (weak, evaluation.spurious, evaluation.missed)
