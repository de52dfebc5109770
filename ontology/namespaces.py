"""Namespaces of the Comity vocabulary and of the vocabularies it aligns to.

Terms are `rdflib.URIRef` values, which are plain `str` too, so every layer can hand them
to pyoxigraph (`NamedNode(COMITY.Treaty)`) or rdflib alike.
"""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

COMITY = Namespace("https://w3id.org/comity/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("http://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
WD = Namespace("http://www.wikidata.org/entity/")

GRAPH_BASE = "https://w3id.org/comity/graph/"
GRAPH_ONTOLOGY = GRAPH_BASE + "ontology"
GRAPH_REFERENCE = GRAPH_BASE + "reference"
GRAPH_INFERRED = GRAPH_BASE + "inferred"
GRAPH_SOURCE_PREFIX = GRAPH_BASE + "source/"
# The embedded store keeps the union of all graphs here, as a set; no query names it.
GRAPH_UNION = GRAPH_BASE + "union"

PREFIXES: dict[str, str] = {
    "comity": str(COMITY),
    "org": str(ORG),
    "oa": str(OA),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "time": str(TIME),
    "wd": str(WD),
}

__all__ = [
    "COMITY",
    "DCTERMS",
    "FOAF",
    "GRAPH_BASE",
    "GRAPH_INFERRED",
    "GRAPH_ONTOLOGY",
    "GRAPH_REFERENCE",
    "GRAPH_SOURCE_PREFIX",
    "GRAPH_UNION",
    "OA",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SH",
    "SKOS",
    "TIME",
    "WD",
    "XSD",
]
