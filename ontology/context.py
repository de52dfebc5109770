"""The JSON-LD context of the Comity vocabulary, made from the ontology itself.

A client that writes or reads Comity data as compact JSON-LD ("actor", "treaty", "date"
instead of full IRIs) uses this context; it is published at `/ontology/context.jsonld`.
"""

import pyoxigraph

from ontology.namespaces import COMITY, OWL, PREFIXES, RDF, RDFS
from ontology.paths import ONTOLOGY_FILE

_KINDS = {
    str(OWL.ObjectProperty): "object",
    str(OWL.DatatypeProperty): "datatype",
    str(OWL.AnnotationProperty): "annotation",
    str(OWL.Class): "class",
}


def jsonld_context() -> dict[str, object]:
    """Prefixes, and a short name for every Comity term: links typed `@id`, literals by range."""
    store = pyoxigraph.Store()
    store.load(path=str(ONTOLOGY_FILE), format=pyoxigraph.RdfFormat.TURTLE)
    kinds: dict[str, str] = {}
    ranges: dict[str, str] = {}
    for subject, predicate, value in (
        (quad.subject.value, quad.predicate.value, quad.object.value)
        for quad in store
        if isinstance(quad.subject, pyoxigraph.NamedNode)
        and quad.subject.value.startswith(str(COMITY))
    ):
        if predicate == str(RDF.type) and value in _KINDS:
            kinds[subject] = _KINDS[value]
        elif predicate == str(RDFS.range):
            ranges[subject] = value
    context: dict[str, object] = dict(PREFIXES)
    for iri, kind in sorted(kinds.items()):
        term: dict[str, str] = {"@id": iri}
        if kind == "object":
            term["@type"] = "@id"
        elif kind == "datatype" and ranges.get(iri, "").startswith(PREFIXES["xsd"]):
            term["@type"] = ranges[iri]
        context[iri[len(str(COMITY)) :]] = term
    return {"@context": context}
