"""The ontology's HTML documentation, generated from comity.ttl so that it never drifts from it.

The page is self-contained (no external CSS, fonts or scripts) because the server hands it out
at /ontology, also on machines without network access. Every term has an anchor named after
its local name, so `/ontology#Treaty` lands on the class it names.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ontology.errors import ComityError
from ontology.namespaces import COMITY, DCTERMS, OWL, PREFIXES, RDF, RDFS, SH, SKOS
from ontology.paths import ONTOLOGY_FILE, PACKAGE_DIR, SHAPES_FILE
from ontology.vocabulary import read_ontology, read_shapes

TEMPLATE = "docs_template.html"
VANN = "http://purl.org/vocab/vann/"
ONTOLOGY_PREFIXES = {**PREFIXES, "vann": VANN}

# The kinds of term, in the order the page lists them: section heading and singular name.
KINDS = {
    OWL.Class: ("Classes", "class"),
    OWL.ObjectProperty: ("Object properties", "object property"),
    OWL.DatatypeProperty: ("Datatype properties", "datatype property"),
    OWL.AnnotationProperty: ("Annotation properties", "annotation property"),
}


@dataclass(frozen=True)
class Link:
    """A term as the page shows it: a compact name, and where it points."""

    text: str
    href: str
    internal: bool


@dataclass
class Term:
    """Everything the page says about one class or property of the ontology."""

    iri: str
    name: str
    kind: str
    labels: list[Literal]
    comments: list[Literal]
    parents: list[Link] = field(default_factory=list)
    children: list[Link] = field(default_factory=list)
    alignments: list[Link] = field(default_factory=list)
    matches: list[Link] = field(default_factory=list)
    domains: list[Link] = field(default_factory=list)
    ranges: list[Link] = field(default_factory=list)
    inverses: list[Link] = field(default_factory=list)
    used_as_domain: list[Link] = field(default_factory=list)
    used_as_range: list[Link] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        english = [label for label in self.labels if label.language == "en"]
        labels = english or self.labels
        return str(labels[0]) if labels else self.name


def compact(iri: str) -> str:
    """Shorten an IRI by its namespace prefix, e.g. to org:Organization; unknown IRIs stay whole."""
    matches = [(ns, prefix) for prefix, ns in ONTOLOGY_PREFIXES.items() if iri.startswith(ns)]
    if not matches:
        return iri
    namespace, prefix = max(matches, key=lambda match: len(match[0]))
    return f"{prefix}:{iri[len(namespace) :]}"


def local_name(iri: str) -> str:
    return iri[len(str(COMITY)) :]


def link(node: Node) -> Link:
    iri = str(node)
    if iri.startswith(str(COMITY)):
        return Link(compact(iri), f"#{local_name(iri)}", internal=True)
    return Link(compact(iri), iri, internal=False)


def links(nodes: Iterable[Node]) -> list[Link]:
    return sorted((link(node) for node in nodes if isinstance(node, URIRef)), key=sort_key)


def sort_key(item: Link) -> tuple[bool, str]:
    return (not item.internal, item.text.lower())


def literals(graph: Graph, subject: Node, predicate: URIRef) -> list[Literal]:
    """Literal values, English first, so the page reads in English and shows translations."""
    values = [value for value in graph.objects(subject, predicate) if isinstance(value, Literal)]
    return sorted(values, key=lambda value: (value.language != "en", value.language or "", value))


def rules_by_class(shapes: Graph) -> dict[URIRef, list[str]]:
    """The English messages of the SHACL shapes, grouped by the class each shape targets."""
    rules: dict[URIRef, set[str]] = defaultdict(set)
    for shape, target in shapes.subject_objects(SH.targetClass):
        if not isinstance(target, URIRef):
            continue  # only classes named by an IRI are documented
        for node in (shape, *shapes.objects(shape, SH.property)):
            messages = literals(shapes, node, SH.message)
            rules[target].update(str(m) for m in messages if m.language in ("en", None))
    return {target: sorted(messages) for target, messages in rules.items()}


def describe(graph: Graph, iri: URIRef, kind: URIRef, rules: dict[URIRef, list[str]]) -> Term:
    is_class = kind == OWL.Class
    parent = RDFS.subClassOf if is_class else RDFS.subPropertyOf
    parents = links(graph.objects(iri, parent))
    term = Term(
        iri=str(iri),
        name=local_name(iri),
        kind=KINDS[kind][1],
        labels=literals(graph, iri, RDFS.label),
        comments=literals(graph, iri, RDFS.comment),
        parents=[item for item in parents if item.internal],
        alignments=[item for item in parents if not item.internal],
        children=links(graph.subjects(parent, iri)),
        matches=links([*graph.objects(iri, SKOS.closeMatch), *graph.objects(iri, RDFS.seeAlso)]),
        domains=links(graph.objects(iri, RDFS.domain)),
        ranges=links(graph.objects(iri, RDFS.range)),
        inverses=links({*graph.objects(iri, OWL.inverseOf), *graph.subjects(OWL.inverseOf, iri)}),
        rules=rules.get(iri, []),
    )
    if is_class:
        term.used_as_domain = links(graph.subjects(RDFS.domain, iri))
        term.used_as_range = links(graph.subjects(RDFS.range, iri))
    return term


def ontology_metadata(graph: Graph, path: Path) -> dict[str, object]:
    ontology = next(graph.subjects(RDF.type, OWL.Ontology), None)
    if ontology is None:
        raise ComityError(f"{path}: no owl:Ontology header; declare the ontology IRI as one")

    def value(predicate: URIRef) -> str | None:
        found = graph.value(ontology, predicate)
        return None if found is None else str(found)

    return {
        "iri": str(ontology),
        "title": value(DCTERMS.title) or value(RDFS.label) or str(ontology),
        "description": value(DCTERMS.description),
        "version": value(OWL.versionInfo),
        "version_iri": value(OWL.versionIRI),
        "license": value(DCTERMS.license),
        "created": value(DCTERMS.created),
        "prefix": value(URIRef(VANN + "preferredNamespacePrefix")) or "comity",
        "namespace": value(URIRef(VANN + "preferredNamespaceUri")) or str(COMITY),
    }


def render_documentation(
    ontology_path: Path = ONTOLOGY_FILE, shapes_path: Path = SHAPES_FILE
) -> str:
    """The HTML documentation page of the ontology, with the validation rules of each class."""
    graph = Graph().parse(data=read_ontology(ontology_path), format="nt")
    shapes = Graph().parse(data=read_shapes(shapes_path), format="nt")
    rules = rules_by_class(shapes)
    sections = []
    for kind, (heading, _) in KINDS.items():
        iris = [
            subject
            for subject in graph.subjects(RDF.type, kind)
            if isinstance(subject, URIRef) and subject.startswith(str(COMITY))
        ]
        terms = [describe(graph, iri, kind, rules) for iri in iris]
        terms.sort(key=lambda term: term.name.lower())
        sections.append(
            {"heading": heading, "id": heading.lower().replace(" ", "-"), "terms": terms}
        )
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template(TEMPLATE)
    return template.render(
        metadata=ontology_metadata(graph, ontology_path),
        sections=sections,
        prefixes=sorted(ONTOLOGY_PREFIXES.items()),
    )
