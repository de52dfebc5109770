"""VoID numbers about the store, computed by SPARQL so that they are never out of date."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph

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


def compute_statistics(
    select: Callable[[str], Iterable[pyoxigraph.QuerySolution]],
) -> Statistics:
    """The statistics from four SELECT queries, run by whoever holds the store (the graph
    itself, or a server's query workers within their time limit)."""
    totals = next(iter(select(TOTALS_QUERY)))
    return Statistics(
        triples=_number(totals["triples"]),
        distinct_subjects=_number(totals["subjects"]),
        distinct_objects=_number(totals["objects"]),
        wikidata_links=_number(totals["wikidata"]),
        graphs=_counts(select(GRAPHS_QUERY), "g"),
        classes=_counts(select(CLASSES_QUERY), "class"),
        properties=_counts(select(PROPERTIES_QUERY), "p"),
    )


def _number(term: pyoxigraph.Literal | None) -> int:
    return 0 if term is None else int(term.value)


def _counts(solutions: Iterable[pyoxigraph.QuerySolution], key: str) -> dict[str, int]:
    return {
        solution[key].value: _number(solution["n"])
        for solution in solutions
        if solution[key] is not None
    }
