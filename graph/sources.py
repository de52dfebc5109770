"""What the graph layer records about each source it holds, and the records it returns."""

import re
from dataclasses import dataclass

import pyoxigraph

from ontology import COMITY, DCTERMS, GRAPH_SOURCE_PREFIX, RDF, XSD

_DATE_TYPES = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear),
    (
        re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"),
        XSD.dateTime,
    ),
)

# The metadata predicates the graph layer itself writes about a source document.
TITLE = pyoxigraph.NamedNode(DCTERMS.title)
ISSUED = pyoxigraph.NamedNode(DCTERMS.issued)
SOURCE_FILE = pyoxigraph.NamedNode(DCTERMS.source)
PART_GRAPH = pyoxigraph.NamedNode(DCTERMS.hasPart)
CONTENT_HASH = pyoxigraph.NamedNode(COMITY.contentHash)
LOADED_AT = pyoxigraph.NamedNode(COMITY.loadedAt)
TRIPLE_COUNT = pyoxigraph.NamedNode(COMITY.tripleCount)
TYPE = pyoxigraph.NamedNode(RDF.type)


INCOMPLETE = "incomplete: "
"""How the content hash of a source begins while its load has not finished."""


@dataclass(frozen=True)
class SourceMetadata:
    """What a loader knows about a source besides the triples it derived from it."""

    title: str | None
    issued: str | None
    """An ISO date at the precision the source gives: "2024-05-03", "2024-05" or "2024"."""
    content_hash: str
    """sha256 of the source's bytes; with the triples, it tells if a reload changes anything."""
    kind: str
    """The Comity class of the source, such as "PressRelease" or "RdfFile"."""
    path: str | None
    """The original file name (not an absolute path)."""


@dataclass(frozen=True)
class SourceInfo:
    """A source as the store holds it."""

    iri: str
    graph: str
    title: str | None
    issued: str | None
    loaded_at: str
    triple_count: int
    content_hash: str
    path: str | None = None

    @property
    def complete(self) -> bool:
        """False for a source whose load did not finish (a killed bulk load): the store holds
        part of it, and loading the file again replaces that part."""
        return not self.content_hash.startswith(INCOMPLETE)


def issued_literal(issued: str) -> pyoxigraph.Literal:
    """The issue date with the XSD type of its precision, or a ValueError for anything else."""
    for pattern, datatype in _DATE_TYPES:
        if pattern.match(issued):
            return pyoxigraph.Literal(issued, datatype=pyoxigraph.NamedNode(datatype))
    raise ValueError(f"issued date {issued!r} is not YYYY-MM-DD, YYYY-MM, YYYY or an xsd:dateTime")


def metadata_triples(
    document: str, metadata: SourceMetadata, loaded_at: str, part_graphs: list[str]
) -> list[pyoxigraph.Triple]:
    """The triples the graph layer adds about a source document in its graph, all but its
    comity:tripleCount (`triple_count`), which can only be known once these are counted."""
    subject = pyoxigraph.NamedNode(document)
    triples = [
        pyoxigraph.Triple(subject, TYPE, pyoxigraph.NamedNode(COMITY[metadata.kind])),
        pyoxigraph.Triple(subject, CONTENT_HASH, pyoxigraph.Literal(metadata.content_hash)),
        pyoxigraph.Triple(
            subject,
            LOADED_AT,
            pyoxigraph.Literal(loaded_at, datatype=pyoxigraph.NamedNode(XSD.dateTime)),
        ),
    ]
    if metadata.title:
        triples.append(pyoxigraph.Triple(subject, TITLE, pyoxigraph.Literal(metadata.title)))
    if metadata.issued:
        triples.append(pyoxigraph.Triple(subject, ISSUED, issued_literal(metadata.issued)))
    if metadata.path:
        triples.append(pyoxigraph.Triple(subject, SOURCE_FILE, pyoxigraph.Literal(metadata.path)))
    triples += [
        pyoxigraph.Triple(subject, PART_GRAPH, pyoxigraph.NamedNode(graph)) for graph in part_graphs
    ]
    return triples


def triple_count(document: str, count: int) -> pyoxigraph.Triple:
    """The comity:tripleCount of a source: the triples its graphs hold in the store (its own
    graph's and those of the graphs it declares), this one and the other metadata included."""
    literal = pyoxigraph.Literal(str(count), datatype=pyoxigraph.NamedNode(XSD.nonNegativeInteger))
    return pyoxigraph.Triple(pyoxigraph.NamedNode(document), TRIPLE_COUNT, literal)


def stored_count(contents: dict[str, list[pyoxigraph.Triple]]) -> int:
    """How many triples these graphs will hold once stored, which is fewer than the lists
    hold when they repeat a triple (a text states its title, which the metadata states too) or
    write one literal two ways ("01" and "1" as xsd:integer): counted in a scratch store,
    which keeps them as the store will."""
    scratch = pyoxigraph.Store()
    scratch.extend(
        pyoxigraph.Quad(triple.subject, triple.predicate, triple.object, pyoxigraph.NamedNode(g))
        for g, triples in contents.items()
        for triple in triples
    )
    return len(scratch)


def sources_query(graph: str | None = None) -> str:
    """The query listing every source, or only the source whose named graph is `graph`.

    Naming the graph keeps a single-source look-up (done after every load) independent of
    how many sources the store holds.
    """
    if graph is None:
        return _SOURCES_QUERY.replace("#ONLY", "")
    # The graph is written into the pattern: Oxigraph would otherwise scan every graph and
    # join the VALUES afterwards, making each load slower as the store grows.
    return _SOURCES_QUERY.replace("#ONLY", f"BIND(<{graph}> AS ?g)").replace(
        "GRAPH ?g {", f"GRAPH <{graph}> {{"
    )


_SOURCES_QUERY = f"""
SELECT ?doc ?g (SAMPLE(?title_) AS ?title) (SAMPLE(?issued_) AS ?issued)
       (SAMPLE(?loaded_) AS ?loaded) (SAMPLE(?count_) AS ?count) (SAMPLE(?hash_) AS ?hash)
       (SAMPLE(?path_) AS ?path)
WHERE {{
  #ONLY
  GRAPH ?g {{
    ?doc <{CONTENT_HASH.value}> ?hash_ ; <{LOADED_AT.value}> ?loaded_ .
    OPTIONAL {{ ?doc <{TITLE.value}> ?title_ }}
    OPTIONAL {{ ?doc <{ISSUED.value}> ?issued_ }}
    OPTIONAL {{ ?doc <{TRIPLE_COUNT.value}> ?count_ }}
    OPTIONAL {{ ?doc <{SOURCE_FILE.value}> ?path_ }}
  }}
  FILTER(STRSTARTS(STR(?g), "{GRAPH_SOURCE_PREFIX}"))
}}
GROUP BY ?doc ?g
ORDER BY ?g
"""
