"""The Comity vocabulary: namespaces, the files that define it, and IRI minting.

Every other layer takes its IRIs from here, so that the same entity or fact gets the same
IRI in every load, process and machine.
"""

from ontology.iris import (
    ID,
    act_iri,
    company_iri,
    document_iri,
    document_key,
    fact_iri,
    organisation_iri,
    person_iri,
    place_iri,
    slug,
    source_graph_iri,
    span_iri,
    state_iri,
    topic_iri,
    treaty_iri,
    treaty_slug,
    unit_iri,
)
from ontology.namespaces import (
    COMITY,
    DCTERMS,
    FOAF,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    GRAPH_SOURCE_PREFIX,
    GRAPH_UNION,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SKOS,
    TIME,
    WD,
    XSD,
)
from ontology.paths import ONTOLOGY_FILE, REFERENCE_DIR, SHAPES_FILE

PARTY_ACTS = ("Ratification", "Accession", "Acceptance", "Approval")
"""The treaty actions (local names of their classes) by which a state becomes a party; a
comity:Denunciation undoes them. The loaders number their rounds and the inferred graph derives
comity:party from them, by this one list."""

__all__ = [
    "COMITY",
    "DCTERMS",
    "FOAF",
    "GRAPH_INFERRED",
    "GRAPH_ONTOLOGY",
    "GRAPH_REFERENCE",
    "GRAPH_SOURCE_PREFIX",
    "GRAPH_UNION",
    "ID",
    "ONTOLOGY_FILE",
    "ORG",
    "OWL",
    "PARTY_ACTS",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "REFERENCE_DIR",
    "SCHEMA",
    "SH",
    "SHAPES_FILE",
    "SKOS",
    "TIME",
    "WD",
    "XSD",
    "company_iri",
    "document_iri",
    "document_key",
    "act_iri",
    "fact_iri",
    "organisation_iri",
    "person_iri",
    "place_iri",
    "slug",
    "source_graph_iri",
    "span_iri",
    "state_iri",
    "topic_iri",
    "treaty_iri",
    "treaty_slug",
    "unit_iri",
]
