"""What the endpoint says about itself: a SPARQL 1.1 Service Description and VoID.

Both are built from the store's live statistics (`ComityState.statistics()`), which the query
workers compute within the time limit and the server drops at every write, so they are current
after every load and update.

The dataset has a stable IRI under the configured ID base (`{base}dataset`), whatever address
the server answers at, and says what a reuser needs: its title, its licence (CC BY 4.0), when
its last committed write or load happened, and where its dumps are (`/dumps/`).

A browser following the page header's links gets each as an HTML page: a request whose Accept
prefers `text/html` to every RDF format, or that says `?format=html`. Anything else (`*/*`,
no Accept, an RDF media type, `?format=ttl`) gets RDF as before, so SPARQL and VoID clients
see no change.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph
from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.exceptions import NotAcceptable

from graph import Statistics
from graph.remote import OWL_ENTAILMENT
from ontology import COMITY, DCTERMS, OWL, PREFIXES, RDF, XSD
from server import dumps
from server.config import ServerConfig
from server.negotiation import (
    HTML_FORMAT,
    RDF_FORMATS,
    SOLUTION_FORMATS,
    Format,
    media_types,
    negotiate,
)
from server.resources import curie, labels_of
from server.state import state

blueprint = Blueprint("description", __name__, template_folder="templates")

HTML = HTML_FORMAT.media_type

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


@dataclass(frozen=True)
class Publication:
    """What the VoID dataset says of itself beyond its numbers."""

    title: str
    license: str
    modified: datetime
    """The time of the committed state the store is in (last write or load)."""
    data_dumps: Sequence[str]
    """Absolute URLs of the whole-graph dumps."""


def publication() -> Publication:
    """The request's application's dataset: its title, licence, modification time and dumps."""
    return Publication(
        title=dumps.DATASET_TITLE,
        license=dumps.DATA_LICENSE,
        modified=dumps.catalogue().modified(),
        data_dumps=dumps.dump_urls(),
    )


def service_description(
    endpoint: str,
    dataset: str,
    config: ServerConfig,
    stats: Statistics,
    published: Publication | None = None,
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
    # The union holds the OWL 2 RL entailments, which the server recomputes after every
    # write; a Comity loader reads this and leaves the inferred graph to the server.
    yield Triple(service, _iri(SD + "defaultEntailmentRegime"), _iri(OWL_ENTAILMENT))
    yield Triple(
        service,
        _iri(SD + "defaultSupportedEntailmentProfile"),
        _iri("http://www.w3.org/ns/owl-profile/RL"),
    )
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
    yield from void_description(endpoint, dataset, config, stats, published)


def void_description(
    endpoint: str,
    dataset: str,
    config: ServerConfig,
    stats: Statistics,
    published: Publication | None = None,
) -> Iterator[Triple]:
    """The VoID dataset: sizes, class and property partitions, the Wikidata linkset, and
    (given `published`) its title, licence, modification time and dumps."""
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
    if published is not None:
        yield from _publication(subject, published)


def _publication(subject: pyoxigraph.NamedNode, published: Publication) -> Iterator[Triple]:
    yield Triple(subject, _iri(str(DCTERMS.title)), pyoxigraph.Literal(published.title))
    yield Triple(subject, _iri(str(DCTERMS.license)), _iri(published.license))
    modified = published.modified.astimezone(UTC).isoformat().replace("+00:00", "Z")
    yield Triple(
        subject,
        _iri(str(DCTERMS.modified)),
        pyoxigraph.Literal(modified, datatype=_iri(str(XSD.dateTime))),
    )
    for url in published.data_dumps:
        yield Triple(subject, _iri(VOID + "dataDump"), _iri(url))


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
    """The dataset's IRI: under the configured ID base, so it does not change with the address
    the server answers at."""
    base = str(state().config.base)
    if not base.endswith(("/", "#")):
        base += "/"
    return base + "dataset"


def wants_html() -> bool:
    """Whether to answer a page: `?format=html`, or an Accept that ranks HTML above every RDF
    format. HTML is offered last, so that `*/*` and no Accept at all still pick Turtle."""
    offered = (*RDF_FORMATS, HTML_FORMAT)
    return negotiate(offered, request.accept_mimetypes, request.args.get("format")) is HTML_FORMAT


@dataclass(frozen=True)
class Partition:
    """A class or property of the dataset with its count, named for a reader."""

    iri: str
    name: str
    curie: str
    count: int


def _partitions(counts: dict[str, int]) -> list[Partition]:
    names = labels_of(counts)
    return sorted(
        (
            Partition(iri, names.get(iri, ""), curie(iri) or iri, count)
            for iri, count in counts.items()
        ),
        key=lambda partition: (-partition.count, partition.curie),
    )


def _rdf_variants() -> list[tuple[str, str, str]]:
    """(name, media type, link) of each RDF form of the page being answered."""
    return [
        (f.names[0], f.media_type, f"{request.base_url}?format={f.names[0]}")
        for f in RDF_FORMATS
        if f.media_type not in ("application/n-quads", "application/trig")
    ]


def _page(template: str, **context: object) -> Response:
    body = render_template(template, rdf_variants=_rdf_variants(), **context)
    return Response(body, mimetype=HTML, headers={"Vary": "Accept"})


def service_page() -> Response:
    """The service description as a page: how to reach the endpoint and what it offers."""
    comity = state()
    stats = comity.statistics()
    return _page(
        "service.html",
        endpoint=url_for("sparql.endpoint", _external=True),
        updates=bool(comity.config.token),
        federation=comity.config.service_allow,
        solution_formats=SOLUTION_FORMATS,
        rdf_formats=RDF_FORMATS,
        graphs=sorted(stats.graphs.items()),
        triples=stats.triples,
    )


@blueprint.get("/void")
def void() -> Response:
    """The VoID description of the whole store, as RDF or, for a browser, as a page."""
    comity = state()
    endpoint = url_for("sparql.endpoint", _external=True)
    if wants_html():
        stats = comity.statistics()
        return _page(
            "void.html",
            dataset=dataset_iri(),
            endpoint=endpoint,
            stats=stats,
            published=publication(),
            classes=_partitions(stats.classes),
            properties=_partitions(stats.properties),
        )
    chosen = negotiate_rdf()
    triples = void_description(
        endpoint, dataset_iri(), comity.config, comity.statistics(), publication()
    )
    return rdf_response(triples, chosen)
