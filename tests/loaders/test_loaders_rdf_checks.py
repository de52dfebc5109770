"""An RDF file with a fact that cannot be true is refused whole, with the reason."""

from pathlib import Path

import pytest

from loaders import load_paths
from ontology import treaty_iri

HEAD = """
@prefix comity: <https://w3id.org/comity/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .

ex:doc a comity:Document ; dcterms:issued "2007-06-13"^^xsd:date ;
    comity:fullText "Portugal ratified the Convention on Cybercrime in 2006." .
ex:span a comity:TextSpan ; comity:inDocument ex:doc ; comity:start 0 ; comity:end 17 ;
    comity:text "Portugal ratified" .
ex:act a comity:Ratification ; comity:evidence ex:span ;
    comity:treaty <TREATY> ; comity:date "2006"^^xsd:gYear .
ex:other ex:says "this triple must not reach the store" .
""".replace("TREATY", treaty_iri("ETS 185"))

DEFECTS = {
    "span that misquotes": (
        'ex:span comity:text "Spain ratified" .',
        "characters 0-17: the span's text is not the document's text",
    ),
    "membership that ends before it starts": (
        'ex:m a comity:Membership ; comity:since "2010-05-01"^^xsd:date ; '
        'comity:until "2009"^^xsd:gYear .',
        "the membership ends (2009) before it starts (2010-05-01)",
    ),
    "act after its document": (
        "ex:later a comity:Signature ; comity:evidence ex:span ; "
        'comity:date "2099-01-01"^^xsd:date .',
        "dated 2099-01-01, after https://example.org/doc that reports it was issued (2007-06-13)",
    ),
    "act before its treaty existed": (
        f"ex:early a comity:Signature ; comity:treaty <{treaty_iri('ETS 185')}> ; "
        'comity:date "1999-05"^^xsd:gYearMonth .',
        "dated 1999-05, before https://w3id.org/comity/id/treaty/ets-185 was opened for "
        "signature (2001-11-23)",
    ),
}


def held(kg) -> int:
    [row] = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s <https://example.org/says> ?o }")
    return int(row["n"].value)


def test_a_file_whose_facts_can_all_be_true_loads(kg, tmp_path: Path):
    path = tmp_path / "good.ttl"
    path.write_text(HEAD, encoding="utf-8")
    assert load_paths(kg, [path], reason=False).ok
    assert held(kg) == 1


@pytest.mark.parametrize("defect", DEFECTS, ids=list(DEFECTS))
def test_a_file_with_an_impossible_fact_is_refused_whole(kg, tmp_path: Path, defect: str):
    extra, reason = DEFECTS[defect]
    path = tmp_path / "bad.ttl"
    path.write_text(HEAD + extra + "\n", encoding="utf-8")
    report = load_paths(kg, [path], reason=False)
    [failure] = report.failures
    assert str(path) in failure and reason in failure and "nothing was loaded" in failure
    assert held(kg) == 0
    assert kg.sources() == []
