"""Linked-data pages: every resource under the ID base dereferences, and so does the ontology.

`/id/<rest>` names the resource `<base><rest>`. People get an HTML page (label, types, every
statement with the ontology's label for its property, incoming links, the evidence sentences
of a fact, links to Wikidata); linked-data clients get any RDF format of graph/formats.py by
`Accept`, by `?format=`, or by its file extension as a suffix (`.ttl`, `.jsonld`). The RDF
holds the triples whose subject is the resource, from every graph (inferred ones included);
incoming triples are left out because a much-cited resource (a state) would drag thousands of
facts along.

Everything is read through SPARQL, a handful of queries per page, so the same code serves an
embedded store and a remote endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import pyoxigraph
from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from ontology import (
    COMITY,
    DCTERMS,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    GRAPH_SOURCE_PREFIX,
    ONTOLOGY_FILE,
    ORG,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    WD,
    XSD,
    document_iri,
)
from ontology.context import jsonld_context
from ontology.docs import render_documentation
from server.evidence import FactLink, Piece, Span, mark_evidence
from server.negotiation import HTML_FORMAT, RDF_FORMATS, Format, media_types, negotiate
from server.pictures import Picture, members_over_time, treaty_pictures
from server.state import state

# The page assets (style sheet, editor script) are served by this blueprint at /assets, so the
# pages look the same whatever static folder the application itself has.
blueprint = Blueprint(
    "resources",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

HTML = HTML_FORMAT.media_type
PAGE_FORMATS = (HTML_FORMAT, *RDF_FORMATS)
"""A page for `*/*` (browsers, curl), then RDF."""
SUFFIXES: dict[str, Format] = {f".{rdf.names[0]}": rdf for rdf in RDF_FORMATS}
"""A path's suffix that asks for a format, as the format's file extension: `.ttl`, `.jsonld`."""

# Properties that name a thing, most preferred first.
LABEL_PROPERTIES: list[str] = [
    str(RDFS.label),
    str(SKOS.prefLabel),
    str(DCTERMS.title),
    str(SCHEMA.name),
]
PREFERRED_LANGUAGES: list[str] = ["en", ""]
INCOMING_LIMIT = 500
QUOTE_CHARACTERS = 80
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"
# Resources of these types get pictures on their pages.
TREATY_TYPES = {str(COMITY.Treaty), str(COMITY.Convention), str(COMITY.Protocol)}
ORGANISATION_TYPES = {
    str(COMITY.Organisation),
    str(COMITY.IntergovernmentalOrganisation),
    str(ORG.Organization),
    str(ORG.FormalOrganization),
}


@dataclass(frozen=True)
class Term:
    """An RDF term ready for a template: what to show, where it links, what qualifies it."""

    kind: str  # "iri", "literal" or "bnode"
    value: str
    text: str
    href: str | None = None
    external: bool = False
    curie: str | None = None
    language: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class Statement:
    """One property and value of the resource (or, for incoming links, the linking subject),
    with the graphs that assert it; `inferred` when only the reasoner's graph holds it."""

    predicate: Term
    value: Term
    sources: list[Term]
    inferred: bool


@dataclass(frozen=True)
class Evidence:
    """A sentence that states a fact, where it sits in its document, and that document."""

    span: Term
    text: str
    start: int | None
    end: int | None
    document: Term | None


@dataclass
class Description:
    """All that one resource page shows."""

    iri: str
    title: str
    """The resource's label, or for a fact without one, its kind and key."""
    types: list[Term] = field(default_factory=list)
    same_as: list[Term] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    incoming: list[Statement] = field(default_factory=list)
    incoming_truncated: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    text: DocumentText | None = None
    """A document's full text with its evidence marked; None for anything else."""
    pictures: list[Picture] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentText:
    """A document's text cut into highlighted and plain pieces, and the facts read in it."""

    pieces: list[Piece]
    facts: list[FactLink]
    quotes: dict[str, str]
    """The first evidence sentence of each fact, by the fact's link."""


def _base() -> str:
    return str(state().config.base)


def _query(sparql: str) -> Any:
    """Run by the query workers within the server's time limit; a query past it is a 503."""
    return state().query(sparql)


def _iri(value: str) -> str:
    """A SPARQL IRI reference; the route only lets through characters that are legal in one."""
    return f"<{value}>"


def _negotiate() -> Format | None:
    """The format to answer with (`?format=` or Accept), or None when the client accepts
    nothing we make."""
    return negotiate(PAGE_FORMATS, request.accept_mimetypes, request.args.get("format"))


def _not_acceptable(what: str, hint: str = "") -> Response:
    return Response(
        f"406 Not Acceptable: {what} is available as {media_types(PAGE_FORMATS)}; "
        f"ask for one of them in the Accept header{hint}.\n",
        status=406,
        mimetype="text/plain",
        headers={"Vary": "Accept"},
    )


def _not_found(iri: str, wants_html: bool) -> Response:
    message = f"No resource {iri} in this knowledge graph: nothing is said about it or links to it."
    if wants_html:
        body = render_template("not_found.html", iri=iri, message=message)
        return Response(body, status=404, mimetype=HTML, headers={"Vary": "Accept"})
    return Response(message + "\n", status=404, mimetype="text/plain", headers={"Vary": "Accept"})


def _alternate_links(path: str) -> str:
    """A `Link` header listing the RDF variants of a page, so crawlers can find them."""
    return ", ".join(
        f'<{path}{suffix}>; rel="alternate"; type="{rdf.media_type}"'
        for suffix, rdf in SUFFIXES.items()
    )


def _rdf_response(triples: list[pyoxigraph.Triple], chosen: Format) -> Response:
    body = pyoxigraph.serialize(
        triples, format=_rdf_format(chosen), prefixes=_used_prefixes(triples)
    )
    return Response(body, content_type=chosen.content_type, headers={"Vary": "Accept"})


def _rdf_format(chosen: Format) -> pyoxigraph.RdfFormat:
    rdf = pyoxigraph.RdfFormat.from_media_type(chosen.media_type)
    assert rdf is not None, "every format but the page is an RDF format of pyoxigraph's"
    return rdf


def _used_prefixes(triples: Iterable[pyoxigraph.Triple]) -> dict[str, str]:
    """The project prefixes these triples use, so a short description is not all preamble."""
    iris = set()
    for triple in triples:
        for term in triple:
            if isinstance(term, pyoxigraph.NamedNode):
                iris.add(term.value)
            elif isinstance(term, pyoxigraph.Literal):
                iris.add(term.datatype.value)
    return {
        prefix: namespace
        for prefix, namespace in PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


@blueprint.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    """Dereference `<base><rest>`: HTML or RDF by Accept, or RDF by a format suffix."""
    if rest == "dataset":
        # The dataset is described by its VoID document, in the format the client asks for
        # there: a 303, as for any thing whose description lives at another address.
        # In a request Flask makes it of its own Response class; its stub says werkzeug's.
        return cast(Response, redirect(url_for("description.void"), code=303))
    chosen: Format | None
    for suffix, suffix_format in SUFFIXES.items():
        if rest.endswith(suffix):
            rest, chosen = rest[: -len(suffix)], suffix_format
            break
    else:
        chosen = _negotiate()
        if chosen is None:
            return _not_acceptable(
                "this resource", hint=f", or add {', '.join(SUFFIXES)} to the path"
            )
    iri = _base() + rest
    if any(char in iri for char in '<>"{}|\\^` \n\t'):
        return _not_found(iri, chosen is HTML_FORMAT)

    if chosen is not HTML_FORMAT:
        triples = list(
            _query(
                f"CONSTRUCT {{ {_iri(iri)} ?p ?o }} "
                f"WHERE {{ SELECT DISTINCT ?p ?o WHERE {{ {_iri(iri)} ?p ?o }} }}"
            )
        )
        if not triples and not bool(_query(f"ASK {{ ?s ?p {_iri(iri)} }}")):
            return _not_found(iri, wants_html=False)
        return _rdf_response(triples, chosen)

    description = describe(iri, _base())
    if description is None:
        return _not_found(iri, wants_html=True)
    description.pictures = _pictures(description)
    page_path = url_for("resources.resource", rest=rest)
    body = render_template(
        "resource.html",
        d=description,
        page_path=page_path,
        formats=[
            (_rdf_format(variant).name, variant.media_type, page_path + suffix)
            for suffix, variant in SUFFIXES.items()
        ],
        incoming_limit=INCOMING_LIMIT,
        describe_query=f"DESCRIBE {_iri(iri)}",
    )
    return Response(
        body,
        mimetype=HTML,
        headers={"Vary": "Accept", "Link": _alternate_links(page_path)},
    )


def _pictures(description: Description) -> list[Picture]:
    """A treaty's timeline, counts and map; an organisation's members over time."""
    types = {
        statement.value.value
        for statement in description.statements
        if statement.predicate.value == str(RDF.type)
    }
    maker = _TermMaker(_base(), {})

    def href(iri: str) -> str:
        return maker.href(iri)[0]

    if types & TREATY_TYPES:
        return treaty_pictures(_query, description.iri, labels_of, href)
    if types & ORGANISATION_TYPES:
        members = members_over_time(_query, description.iri, labels_of, href)
        return [members] if members is not None else []
    return []


# --- building the page ----------------------------------------------------------------------


def describe(iri: str, base: str) -> Description | None:
    """Gather what the page shows about `iri` in four queries, or None if the graph lacks it."""
    outgoing = list(
        _query(
            f"""SELECT ?p ?o (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs)
            WHERE {{ {_iri(iri)} ?p ?o OPTIONAL {{ GRAPH ?g {{ {_iri(iri)} ?p ?o }} }} }}
            GROUP BY ?p ?o"""
        )
    )
    incoming = list(
        _query(
            f"""SELECT ?s ?p (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs)
            WHERE {{ ?s ?p {_iri(iri)} OPTIONAL {{ GRAPH ?g {{ ?s ?p {_iri(iri)} }} }} }}
            GROUP BY ?s ?p ORDER BY ?p ?s LIMIT {INCOMING_LIMIT + 1}"""
        )
    )
    if not outgoing and not incoming:
        return None
    evidence_rows = list(
        _query(
            f"""PREFIX comity: <{COMITY}>
            PREFIX dcterms: <{DCTERMS}>
            SELECT ?span ?text ?start ?end ?doc WHERE {{
              {_iri(iri)} comity:evidence ?span .
              OPTIONAL {{ ?span comity:text ?text }}
              OPTIONAL {{ ?span comity:start ?start }}
              OPTIONAL {{ ?span comity:end ?end }}
              OPTIONAL {{ ?span comity:inDocument ?doc }}
            }} ORDER BY ?doc ?start"""
        )
    )

    # Everything on the page that may have a label: predicates, linked resources, documents.
    nodes: list[Any] = [pyoxigraph.NamedNode(iri)]
    nodes += [node for row in outgoing for node in (row["p"], row["o"])]
    nodes += [node for row in incoming for node in (row["s"], row["p"])]
    nodes += [row["doc"] for row in evidence_rows]
    labels = labels_of({node.value for node in nodes if isinstance(node, pyoxigraph.NamedNode)})
    # Facts and spans have no label: the page and its "Linked from" rows name them in words.
    unnamed = {
        row["s"].value
        for row in incoming[:INCOMING_LIMIT]
        if isinstance(row["s"], pyoxigraph.NamedNode) and row["s"].value not in labels
    }
    worded = titles_in_words(unnamed | ({iri} - labels.keys()))
    label = labels.get(iri)
    terms = _TermMaker(base, {**worded, **labels})

    description = Description(iri=iri, title=label or worded.get(iri, ""))
    for row in outgoing:
        predicate, value = row["p"].value, row["o"]
        statement = terms.statement(row["p"], value, row["graphs"])
        if predicate == str(RDF.type) and not statement.inferred:
            description.types.append(statement.value)
        elif predicate == str(OWL.sameAs) and isinstance(value, pyoxigraph.NamedNode):
            description.same_as.append(terms.same_as(value.value))
        description.statements.append(statement)
    description.statements.sort(key=_statement_order)
    description.types.sort(key=lambda term: term.text.lower())
    if not description.title:
        kind = description.types[0].text if description.types else ""
        description.title = f"{kind[:1].upper()}{kind[1:]} {_local_name(iri)}".strip()

    description.incoming_truncated = len(incoming) > INCOMING_LIMIT
    description.incoming = [
        terms.statement(row["p"], row["s"], row["graphs"]) for row in incoming[:INCOMING_LIMIT]
    ]

    seen_spans: set[str] = set()
    for row in evidence_rows:
        span = row["span"].value
        if span in seen_spans:
            continue
        seen_spans.add(span)
        description.evidence.append(
            Evidence(
                span=terms.term(row["span"]),
                text=row["text"].value if row["text"] is not None else "",
                start=_integer(row["start"]),
                end=_integer(row["end"]),
                document=terms.term(row["doc"]) if row["doc"] is not None else None,
            )
        )

    full_text = next(
        (row["o"].value for row in outgoing if row["p"].value == str(COMITY.fullText)), None
    )
    if full_text is not None:
        # The text is shown whole above the statements, so the table need not repeat it.
        description.text = _document_text(iri, full_text, terms)
        description.statements = [
            statement
            for statement in description.statements
            if statement.predicate.value != str(COMITY.fullText)
        ]
    return description


def _document_text(iri: str, text: str, terms: _TermMaker) -> DocumentText:
    """The document's text with every evidence span in it marked and linked to its facts."""
    rows = list(
        _query(
            f"""PREFIX comity: <{COMITY}>
            SELECT DISTINCT ?span ?start ?end ?fact ?mention WHERE {{
              ?span comity:inDocument {_iri(iri)} ; comity:start ?start ; comity:end ?end .
              ?fact comity:evidence ?span .
              BIND(EXISTS {{ ?fact <{RDF.predicate}> comity:mentions }} AS ?mention)
            }}"""
        )
    )
    fact_iris = {row["fact"].value for row in rows if isinstance(row["fact"], pyoxigraph.NamedNode)}
    labels = labels_of(fact_iris)
    titles = {**titles_in_words(fact_iris - labels.keys()), **labels}

    # Facts are numbered in the order the text first gives evidence for them.
    placed: dict[str, tuple[int, int]] = {}
    spans: dict[tuple[int, int], list[str]] = {}
    for row in rows:
        start, end, fact = _integer(row["start"]), _integer(row["end"]), row["fact"].value
        if start is None or end is None or fact not in fact_iris:
            continue
        spans.setdefault((start, end), []).append(fact)
        placed[fact] = min(placed.get(fact, (start, end)), (start, end))
    mentions = {row["fact"].value for row in rows if row["mention"].value == "true"}
    order = sorted(placed, key=lambda fact: (placed[fact], fact))
    links = {
        fact: FactLink(
            href=terms.href(fact)[0],
            title=titles.get(fact) or terms.unlabelled(fact),
            number=number,
            mention=fact in mentions,
        )
        for number, fact in enumerate(order, start=1)
    }
    marked = [
        Span(start, end, tuple(sorted((links[f] for f in set(facts)), key=lambda f: f.number)))
        for (start, end), facts in sorted(spans.items())
    ]
    quotes = {
        links[fact].href: _quoted(text[start:end])
        for fact, (start, end) in placed.items()
        if 0 <= start < end <= len(text)
    }
    return DocumentText(
        pieces=mark_evidence(text, marked),
        facts=[links[fact] for fact in order],
        quotes=quotes,
    )


_TITLE_PARTS = (
    ("treaty", "of"),
    ("member", "of"),
    ("person", "of"),
    ("actor", "by"),
    ("organizer", "by"),
    ("organisation", "in"),
    ("role", "as"),
    ("affiliation", "for"),
    ("place", "in"),
    ("location", "in"),
)
_TITLE_DATES = ("date", "since", "asOf", "startDate")
# Where a fact's parts are said in other vocabularies, the name `fact_title` knows them by.
_SAID_NAMES: dict[str, str] = {
    str(ORG.member): "member",
    str(ORG.organization): "organisation",
    str(SCHEMA.location): "location",
    str(SCHEMA.organizer): "organizer",
    str(SCHEMA.startDate): "startDate",
}


def fact_title(kind: str, said: dict[str, str]) -> str:
    """ "Ratification of the Convention on Cybercrime by France, 2006-01-10": a fact's page
    title in words, from what it says; empty when it says none of these things."""
    words = [f"{part} {said[name]}" for name, part in _TITLE_PARTS if said.get(name)]
    if not words or not kind:
        return ""
    when = next((said[name] for name in _TITLE_DATES if said.get(name)), None)
    title = f"{kind[:1].upper()}{kind[1:]} {' '.join(words)}"
    return f"{title}, {when}" if when else title


def titles_in_words(iris: Iterable[str]) -> dict[str, str]:
    """Titles for resources without a label, from what their own graphs assert: a fact by
    `fact_title`, a statement about a statement as subject, property and object ("Convention
    on Cybercrime addresses fraud"), an evidence span by its quoted text. Two queries however
    many resources; those with nothing to say in words are left out."""
    values = " ".join(_iri(iri) for iri in sorted(iris))
    if not values:
        return {}
    rows = list(
        _query(
            f"""SELECT DISTINCT ?x ?p ?o WHERE {{ VALUES ?x {{ {values} }}
            GRAPH ?g {{ ?x ?p ?o }} FILTER(?g != {_iri(GRAPH_INFERRED)}) }}"""
        )
    )
    asserted: dict[str, list[tuple[str, Any]]] = {}
    for row in rows:
        asserted.setdefault(row["x"].value, []).append((row["p"].value, row["o"]))
    named = {
        node.value
        for row in rows
        for node in (row["p"], row["o"])
        if isinstance(node, pyoxigraph.NamedNode)
    }
    labels = labels_of(named)

    def words(node: Any) -> str:
        if isinstance(node, pyoxigraph.NamedNode):
            return labels.get(node.value) or curie(node.value) or _local_name(node.value)
        return str(node.value)

    titles = {}
    for iri, pairs in asserted.items():
        said = dict(pairs)
        types = sorted(
            (words(value) for predicate, value in pairs if predicate == str(RDF.type)),
            key=str.lower,
        )
        if str(RDF.subject) in said and str(RDF.predicate) in said and str(RDF.object) in said:
            parts = (said[str(RDF.subject)], said[str(RDF.predicate)], said[str(RDF.object)])
            title = " ".join(words(part) for part in parts)
        elif str(RDF.type) in said and str(COMITY.text) in said:
            title = _quoted(said[str(COMITY.text)].value)
        else:
            named_parts = {
                _SAID_NAMES.get(predicate, predicate[len(str(COMITY)) :]): words(value)
                for predicate, value in pairs
                if predicate.startswith(str(COMITY)) or predicate in _SAID_NAMES
            }
            title = fact_title(types[0] if types else "", named_parts)
        if title:
            titles[iri] = title
    return titles


def _quoted(text: str) -> str:
    """A sentence short enough for a table cell, in quotation marks."""
    text = " ".join(text.split())
    if len(text) > QUOTE_CHARACTERS:
        text = text[: QUOTE_CHARACTERS - 1].rstrip() + "…"
    return f"“{text}”"


def _statement_order(statement: Statement) -> tuple[int, str, str]:
    """Types first, then names, then everything else by property label."""
    predicate = statement.predicate.value
    if predicate == str(RDF.type):
        rank = 0
    elif predicate in LABEL_PROPERTIES:
        rank = 1
    else:
        rank = 2
    return (rank, statement.predicate.text.lower(), statement.value.text.lower())


def _integer(term: Any) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def labels_of(iris: Iterable[str]) -> dict[str, str]:
    """The best label of each IRI (English, else untagged, else any), in one query."""
    values = " ".join(_iri(iri) for iri in sorted(iris))
    if not values:
        return {}
    properties = " ".join(_iri(prop) for prop in LABEL_PROPERTIES)
    rows = _query(
        f"SELECT DISTINCT ?x ?p ?label WHERE {{ VALUES ?x {{ {values} }} "
        f"VALUES ?p {{ {properties} }} ?x ?p ?label }}"
    )
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for row in rows:
        label = row["label"]
        if not isinstance(label, pyoxigraph.Literal):
            continue
        language = label.language or ""
        rank = (
            PREFERRED_LANGUAGES.index(language)
            if language in PREFERRED_LANGUAGES
            else len(PREFERRED_LANGUAGES),
            LABEL_PROPERTIES.index(row["p"].value),
        )
        iri = row["x"].value
        if iri not in best or rank < best[iri][0]:
            best[iri] = (rank, label.value)
    return {iri: label for iri, (_, label) in best.items()}


def curie(iri: str) -> str | None:
    """`comity:Treaty` for a known namespace, else None."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if all(char.isalnum() or char in "-_." for char in local):
                return f"{prefix}:{local}"
    return None


class _TermMaker:
    """Turns pyoxigraph terms into `Term`s: labels, links under the base, link-outs elsewhere."""

    def __init__(self, base: str, labels: dict[str, str]) -> None:
        self.base = base
        self.labels = labels

    def href(self, iri: str) -> tuple[str, bool]:
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return url_for("resources.resource", rest=iri[len(self.base) :]), False
        if iri.startswith(str(COMITY)):
            return url_for("resources.ontology") + "#" + iri[len(str(COMITY)) :], False
        return iri, True

    def unlabelled(self, iri: str) -> str:
        """A name for an IRI without a label: its path under the base says what kind it is."""
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return iri[len(self.base) :]
        return _local_name(iri)

    def term(self, node: Any) -> Term:
        if isinstance(node, pyoxigraph.NamedNode):
            iri = node.value
            href, external = self.href(iri)
            short = curie(iri)
            text = self.labels.get(iri) or short or self.unlabelled(iri)
            return Term("iri", iri, text, href=href, external=external, curie=short or iri)
        if isinstance(node, pyoxigraph.Literal):
            datatype = node.datatype.value
            shown_type = None
            if not node.language and datatype != str(XSD.string):
                shown_type = curie(datatype) or datatype
            return Term(
                "literal", node.value, node.value, language=node.language, datatype=shown_type
            )
        return Term("bnode", str(node.value), f"_:{node.value}")

    def statement(self, predicate: Any, value: Any, graphs: Any) -> Statement:
        graph_iris = graphs.value.split() if graphs is not None and graphs.value else []
        return Statement(
            predicate=self.term(predicate),
            value=self.term(value),
            sources=[self.source(graph) for graph in graph_iris if graph != GRAPH_INFERRED],
            inferred=bool(graph_iris) and all(graph == GRAPH_INFERRED for graph in graph_iris),
        )

    def source(self, graph: str) -> Term:
        """Where a statement comes from: a source document's page, or the graph's name."""
        if graph.startswith(GRAPH_SOURCE_PREFIX):
            # The document key is short enough for a table column; its title shows on hover.
            key = graph[len(GRAPH_SOURCE_PREFIX) :]
            document = self.term(pyoxigraph.NamedNode(document_iri(key)))
            return Term("iri", document.text, key, href=document.href, curie=graph)
        names = {GRAPH_ONTOLOGY: "ontology", GRAPH_REFERENCE: "reference data"}
        return Term("iri", graph, names.get(graph, _local_name(graph)), curie=graph)

    def same_as(self, iri: str) -> Term:
        """A link to the other dataset's page about the same thing; Wikidata by its item id."""
        if iri.startswith(str(WD)):
            qid = iri[len(str(WD)) :]
            return Term("iri", iri, f"Wikidata {qid}", href=WIKIDATA_PAGE + qid, external=True)
        href, external = self.href(iri)
        return Term("iri", iri, iri, href=href, external=external)


def _local_name(iri: str) -> str:
    for separator in ("#", "/"):
        head, _, tail = iri.rstrip("/").rpartition(separator)
        if head and tail:
            return tail
    return iri


# --- the ontology ---------------------------------------------------------------------------


def _ontology_cache() -> dict[str, bytes | str]:
    """Per-app cache: the ontology file does not change while a server runs."""
    return current_app.extensions.setdefault("comity_ontology_pages", {})


@blueprint.get("/ontology")
def ontology() -> Response:
    """The ontology: its HTML documentation for people, the ontology itself as RDF for machines."""
    chosen = _negotiate()
    if chosen is None:
        return _not_acceptable("the ontology")
    cache = _ontology_cache()
    if chosen.media_type not in cache:
        if chosen is HTML_FORMAT:
            cache[chosen.media_type] = render_documentation()
        else:
            triples = pyoxigraph.parse(path=str(ONTOLOGY_FILE), format=pyoxigraph.RdfFormat.TURTLE)
            cache[chosen.media_type] = (
                pyoxigraph.serialize(triples, format=_rdf_format(chosen), prefixes=PREFIXES) or b""
            )
    return Response(
        cache[chosen.media_type], content_type=chosen.content_type, headers={"Vary": "Accept"}
    )


@blueprint.get("/ontology/context.jsonld")
def ontology_context() -> Response:
    """The JSON-LD context of the vocabulary, for clients that write compact JSON-LD."""
    cache = _ontology_cache()
    if "context" not in cache:
        cache["context"] = json.dumps(jsonld_context(), indent=1, sort_keys=True)
    return Response(cache["context"], mimetype="application/ld+json")
