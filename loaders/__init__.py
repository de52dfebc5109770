"""Loaders: source texts -> documents -> linked mentions -> facts -> RDF in the knowledge graph.

from loaders import read_document, extract, document_triples, load_paths
extraction = extract(read_document(Path("release.txt")))
for fact in extraction.facts:
    print(fact.kind, fact.to_gold(), fact.evidence.text)
"""

from loaders.documents import MAX_BYTES, Document, make_document, read_document
from loaders.extraction import Extraction, extract
from loaders.facts import FACT_TYPES, Entity, Evidence, Fact
from loaders.pipeline import LoadReport, expand_paths, extract_source, load_paths
from loaders.rdf import document_triples

__all__ = [
    "FACT_TYPES",
    "MAX_BYTES",
    "Document",
    "Entity",
    "Evidence",
    "Extraction",
    "Fact",
    "LoadReport",
    "document_triples",
    "expand_paths",
    "extract",
    "extract_source",
    "load_paths",
    "make_document",
    "read_document",
]
