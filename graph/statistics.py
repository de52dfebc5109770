"""VoID numbers about the store, computed by SPARQL so that they are never out of date."""

from dataclasses import dataclass, field

from ontology import OWL, RDF, WD


@dataclass(frozen=True)
class Statistics:
    """The numbers a VoID description gives, for the whole store and per named graph.

    `triples` counts distinct triples of the union of all graphs (what a query sees);
    `graphs` counts the triples in each named graph, so their sum can be larger.
    """

    triples: int
    distinct_subjects: int
    distinct_objects: int
    wikidata_links: int
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    """Instances per class (void:classPartition)."""
    properties: dict[str, int] = field(default_factory=dict)
    """Triples per property (void:propertyPartition)."""


TOTALS_QUERY = f"""
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
       (SUM(IF(?p = <{OWL.sameAs}> && STRSTARTS(STR(?o), "{WD}"), 1, 0)) AS ?wikidata)
WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} }}
"""

GRAPHS_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

CLASSES_QUERY = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF.type}> ?class }} GROUP BY ?class
"""

PROPERTIES_QUERY = """
SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p
"""
