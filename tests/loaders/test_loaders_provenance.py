"""Provenance as PROV-O and ORG allow it, and what each source graph records of its text."""

from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib import RDFS

import graph
from graph.reasoning import entailments
from loaders import load_paths
from ontology import document_iri, document_key, source_graph_iri
from ontology.vocabulary import read_ontology

SAMPLES = Path(__file__).parents[2] / "loaders" / "samples"
SEED = Path(__file__).parents[3] / "shared" / "corpus" / "coe-press-2007-06-13-cybercrime.txt"
AXIOMS = Path(__file__).parent / "data" / "axioms"

PREFIXES = {"owl": "http://www.w3.org/2002/07/owl#", "prov": "http://www.w3.org/ns/prov#"}
DISJOINT_MEMBERS = """
SELECT DISTINCT ?x ?a ?b WHERE {
  ?a owl:disjointWith ?b . ?x a ?a , ?b .
}
"""


@pytest.fixture(scope="module")
def loaded():
    kg = graph.open("memory:")
    paths = sorted(path for path in SAMPLES.iterdir() if path.suffix in (".txt", ".md", ".csv"))
    assert load_paths(kg, [SEED, *paths], reason=False).ok
    yield kg
    kg.close()


def test_no_individual_is_in_two_classes_prov_o_or_org_declare_disjoint(loaded):
    triples = loaded.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    asserted = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    axioms = b"".join(path.read_bytes() for path in sorted(AXIOMS.glob("*.nt")))
    everything = asserted + axioms
    closure = pyoxigraph.Store()
    closure.load(everything + entailments(everything), format=pyoxigraph.RdfFormat.N_TRIPLES)
    # The check is not empty: PROV-O declares Activity and Entity disjoint, and the samples
    # hold both kinds (acts, and the documents and source graphs they were read from).
    assert closure.query(
        "ASK { prov:Activity owl:disjointWith prov:Entity . "
        "?act a prov:Activity . ?thing a prov:Entity }",
        prefixes=PREFIXES,
    )
    found = [
        (row["x"].value, row["a"].value, row["b"].value)
        for row in closure.query(DISJOINT_MEMBERS, prefixes=PREFIXES)
    ]
    assert found == []


def test_a_source_graph_names_its_text_address_and_extractor(loaded):
    key = document_key(SEED.stem)
    graph_iri, document = source_graph_iri(key), document_iri(key)
    text = SEED.read_text(encoding="utf-8")
    rows = loaded.query(
        f"""
        PREFIX comity: <https://w3id.org/comity/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?full ?version WHERE {{ GRAPH <{graph_iri}> {{
          <{graph_iri}> prov:wasDerivedFrom <{document}> ; comity:extractorVersion ?version .
          <{document}> comity:fullText ?full ; comity:contentHash ?hash .
        }} }}"""
    )
    [row] = list(rows)
    assert row["version"].value
    assert row["full"].value.strip() == text.strip()


def test_every_span_quotes_the_full_text_at_its_offsets(loaded):
    rows = loaded.query(
        """
        PREFIX comity: <https://w3id.org/comity/ontology#>
        SELECT ?text ?start ?end ?full WHERE {
          ?span a comity:TextSpan ; comity:text ?text ; comity:start ?start ; comity:end ?end ;
                comity:inDocument ?doc .
          ?doc comity:fullText ?full .
        }"""
    )
    checked = 0
    for row in rows:
        full = row["full"].value
        assert full[int(row["start"].value) : int(row["end"].value)] == row["text"].value
        checked += 1
    assert checked > 100


def test_the_sample_corpus_conforms_to_every_shape(loaded):
    loaded.reason()  # validation reads the inferred graph too, as `comity validate` does
    report = loaded.validate()
    assert report.conforms, report.to_text()


def test_every_term_the_samples_use_is_declared_in_both_languages(loaded):
    ontology = rdflib.Graph().parse(data=read_ontology(), format="nt")
    rows = loaded.query(
        """
        SELECT DISTINCT ?term WHERE {
          { GRAPH ?g { ?s ?term ?o } } UNION { GRAPH ?g { ?s a ?term } }
          FILTER(?g NOT IN (<https://w3id.org/comity/graph/ontology>,
                            <https://w3id.org/comity/graph/inferred>))
        }"""
    )
    builtin = (str(rdflib.RDF), str(rdflib.RDFS), str(rdflib.OWL))
    used = {row["term"].value for row in rows if not row["term"].value.startswith(builtin)}
    assert len(used) > 50
    for term in sorted(used):
        labels = {label.language for label in ontology.objects(rdflib.URIRef(term), RDFS.label)}
        assert {"en", "fr"} <= labels, f"{term} lacks a label in English or French"
        assert ontology.value(rdflib.URIRef(term), RDFS.comment), f"{term} lacks a definition"


def test_a_list_line_and_its_heading_are_both_evidence_in_the_graph(tmp_path):
    body = (
        "Strasbourg, 13.06.2019 – Signatures today.\n\n"
        "The following states signed the Convention on Cybercrime:\n- Andorra\n"
    )
    path = tmp_path / "list.txt"
    path.write_text(body, encoding="utf-8")
    kg = graph.open("memory:")
    try:
        assert load_paths(kg, [path]).ok
        rows = kg.query(
            "PREFIX comity: <https://w3id.org/comity/ontology#> SELECT ?text WHERE { "
            "?act a comity:Signature ; comity:actor/comity:iso3166Alpha3 'AND' ; "
            "comity:evidence/comity:text ?text }"
        )
        assert {row["text"].value for row in rows} == {
            "The following states signed the Convention on Cybercrime:",
            "- Andorra",
        }
    finally:
        kg.close()
