"""What the endpoint says about itself: a SPARQL 1.1 Service Description and VoID.

Both are built from the store's live statistics (`ComityState.statistics()`), which the query
workers compute within the time limit and the server drops at every write, so they are current
after every load and update.
"""

from collections.abc import Iterator

import pyoxigraph
from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.exceptions import NotAcceptable

from graph import Statistics
from ontology import COMITY, OWL, PREFIXES, RDF
from server.config import ServerConfig
from server.negotiation import RDF_FORMATS, Format, media_types, negotiate

blueprint = Blueprint("description", __name__)

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
WIKIDATA = "http://www.wikidata.org/"

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
)
INPUT_FORMATS = ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG")

Triple = pyoxigraph.Triple
Node = pyoxigraph.NamedNode | pyoxigraph.BlankNode


def _iri(value: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(value)


def _count(value: int) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(str(value), datatype=_iri("http://www.w3.org/2001/XMLSchema#integer"))


def service_description(
    endpoint: str, dataset: str, config: ServerConfig, stats: Statistics
) -> Iterator[Triple]:
    """The sd:Service at `endpoint`, its features, formats and default dataset."""
    service = pyoxigraph.BlankNode()
    a = _iri(str(RDF.type))
    yield Triple(service, a, _iri(SD + "Service"))
    yield Triple(service, _iri(SD + "endpoint"), _iri(endpoint))
    yield Triple(service, _iri(SD + "supportedLanguage"), _iri(SD + "SPARQL11Query"))
    if config.token:
        yield Triple(service, _iri(SD + "supportedLanguage"), _iri(SD + "SPARQL11Update"))
    yield Triple(service, _iri(SD + "feature"), _iri(SD + "UnionDefaultGraph"))
    if config.service_allow:
        yield Triple(service, _iri(SD + "feature"), _iri(SD + "BasicFederatedQuery"))
    for name in RESULT_FORMATS:
        yield Triple(service, _iri(SD + "resultFormat"), _iri(FORMATS + name))
    for name in INPUT_FORMATS:
        yield Triple(service, _iri(SD + "inputFormat"), _iri(FORMATS + name))
    yield Triple(service, _iri(SD + "defaultDataset"), _iri(dataset))
    yield Triple(_iri(dataset), a, _iri(SD + "Dataset"))
    default_graph = pyoxigraph.BlankNode()
    yield Triple(_iri(dataset), _iri(SD + "defaultGraph"), default_graph)
    yield Triple(default_graph, a, _iri(SD + "Graph"))
    yield Triple(default_graph, _iri(VOID + "triples"), _count(stats.triples))
    for graph_name, triples in sorted(stats.graphs.items()):
        named = pyoxigraph.BlankNode()
        graph = pyoxigraph.BlankNode()
        yield Triple(_iri(dataset), _iri(SD + "namedGraph"), named)
        yield Triple(named, a, _iri(SD + "NamedGraph"))
        yield Triple(named, _iri(SD + "name"), _iri(graph_name))
        yield Triple(named, _iri(SD + "graph"), graph)
        yield Triple(graph, a, _iri(SD + "Graph"))
        yield Triple(graph, _iri(VOID + "triples"), _count(triples))
    yield from void_description(endpoint, dataset, config, stats)


def void_description(
    endpoint: str, dataset: str, config: ServerConfig, stats: Statistics
) -> Iterator[Triple]:
    """The VoID dataset: sizes, class and property partitions, and the Wikidata linkset."""
    subject = _iri(dataset)
    a = _iri(str(RDF.type))
    yield Triple(subject, a, _iri(VOID + "Dataset"))
    yield Triple(subject, _iri(VOID + "sparqlEndpoint"), _iri(endpoint))
    yield Triple(subject, _iri(VOID + "uriSpace"), pyoxigraph.Literal(config.base))
    yield Triple(subject, _iri(VOID + "vocabulary"), _iri(str(COMITY)))
    yield Triple(subject, _iri(VOID + "triples"), _count(stats.triples))
    yield Triple(subject, _iri(VOID + "distinctSubjects"), _count(stats.distinct_subjects))
    yield Triple(subject, _iri(VOID + "distinctObjects"), _count(stats.distinct_objects))
    yield Triple(subject, _iri(VOID + "classes"), _count(len(stats.classes)))
    yield Triple(subject, _iri(VOID + "properties"), _count(len(stats.properties)))
    for class_iri, entities in sorted(stats.classes.items()):
        partition = pyoxigraph.BlankNode()
        yield Triple(subject, _iri(VOID + "classPartition"), partition)
        yield Triple(partition, _iri(VOID + "class"), _iri(class_iri))
        yield Triple(partition, _iri(VOID + "entities"), _count(entities))
    for property_iri, triples in sorted(stats.properties.items()):
        partition = pyoxigraph.BlankNode()
        yield Triple(subject, _iri(VOID + "propertyPartition"), partition)
        yield Triple(partition, _iri(VOID + "property"), _iri(property_iri))
        yield Triple(partition, _iri(VOID + "triples"), _count(triples))
    linkset = pyoxigraph.BlankNode()
    yield Triple(subject, _iri(VOID + "subset"), linkset)
    yield Triple(linkset, a, _iri(VOID + "Linkset"))
    yield Triple(linkset, _iri(VOID + "linkPredicate"), _iri(str(OWL.sameAs)))
    yield Triple(linkset, _iri(VOID + "subjectsTarget"), subject)
    yield Triple(linkset, _iri(VOID + "objectsTarget"), _iri(WIKIDATA))
    yield Triple(linkset, _iri(VOID + "triples"), _count(stats.wikidata_links))


def rdf_response(triples: Iterator[Triple], chosen: Format) -> Response:
    """Serialise a small description graph in the negotiated format."""
    target = pyoxigraph.RdfFormat.from_media_type(chosen.media_type)
    prefixes = {name: str(iri) for name, iri in PREFIXES.items()}
    prefixes.update({"sd": SD, "void": VOID, "formats": FORMATS})
    if target in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.TRIG):
        body = pyoxigraph.serialize(triples, format=target, prefixes=prefixes)
    else:
        body = pyoxigraph.serialize(triples, format=target)
    return Response(body, content_type=chosen.content_type, headers={"Vary": "Accept"})


def negotiate_rdf() -> Format:
    """The RDF format for a description, or 406 naming the formats on offer."""
    chosen = negotiate(RDF_FORMATS, request.accept_mimetypes, request.args.get("format"))
    if chosen is None:
        raise NotAcceptable(
            f"no acceptable format; this resource is available as {media_types(RDF_FORMATS)}"
        )
    return chosen


def dataset_iri() -> str:
    return url_for("description.void", _external=True) + "#dataset"


@blueprint.get("/void")
def void() -> Response:
    """The VoID description of the whole store."""
    chosen = negotiate_rdf()
    state = current_app.extensions["comity"]
    endpoint = url_for("sparql.endpoint", _external=True)
    triples = void_description(endpoint, dataset_iri(), state.config, state.statistics())
    return rdf_response(triples, chosen)
