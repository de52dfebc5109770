"""The dataset a query declares for itself (FROM, FROM NAMED), read from its text.

A store that chooses the default graph itself (the union, kept as a set) must leave a query
that names its own dataset to that dataset; the engine's options would override it.
"""

import re

_FROM = re.compile(r"\bfrom\b", re.IGNORECASE)


def declared_dataset(sparql: str) -> tuple[list[str], list[str]] | None:
    """The query's FROM and FROM NAMED graphs, or None when it declares none.

    Most queries have no FROM anywhere in their text and cost one regular-expression scan;
    the others are parsed with rdflib, which resolves prefixes and BASE. A query rdflib cannot
    parse is left to the engine as if it declared nothing; the engine reports its errors.
    """
    if _FROM.search(sparql) is None:
        return None
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        clauses = translateQuery(parseQuery(sparql)).algebra.get("datasetClause") or []
    except Exception:  # noqa: BLE001 - any parse failure means "no dataset known"
        return None
    if not clauses:
        return None
    default = [str(clause["default"]) for clause in clauses if "default" in clause]
    named = [str(clause["named"]) for clause in clauses if "named" in clause]
    return default, named
