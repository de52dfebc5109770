"""The RDF formats Comity reads and writes, by the short names the command line uses."""

from pathlib import Path

import pyoxigraph

from ontology.errors import ComityError

RDF_FORMATS: dict[str, pyoxigraph.RdfFormat] = {
    rdf.file_extension: rdf
    for rdf in (
        pyoxigraph.RdfFormat.TURTLE,
        pyoxigraph.RdfFormat.N_TRIPLES,
        pyoxigraph.RdfFormat.JSON_LD,
        pyoxigraph.RdfFormat.RDF_XML,
        pyoxigraph.RdfFormat.N_QUADS,
        pyoxigraph.RdfFormat.TRIG,
        pyoxigraph.RdfFormat.N3,
    )
}
"""The one table of RDF formats, for reading files, export, the graph store and content
negotiation: by the file extension pyoxigraph gives each ("ttl", "nt", "jsonld", "rdf", "nq",
"trig", "n3"), in the order a server prefers them when a client accepts several."""

# Other spellings people type or find on files, mapped to the names above.
ALIASES: dict[str, str] = {
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "json": "jsonld",
    "rdfxml": "rdf",
    "rdf+xml": "rdf",
    "xml": "rdf",
    "owl": "rdf",
    "nquads": "nq",
    "n-quads": "nq",
}

# Media types clients send besides each format's own, mapped to the names above.
MEDIA_TYPE_ALIASES: dict[str, str] = {
    "application/x-turtle": "ttl",
    "text/plain": "nt",
    "application/json": "jsonld",
    "application/xml": "rdf",
    "text/xml": "rdf",
}


def format_names(rdf: pyoxigraph.RdfFormat) -> tuple[str, ...]:
    """The names a format is asked for by: its extension first, then its aliases."""
    extension = rdf.file_extension
    return (extension, *(alias for alias, name in ALIASES.items() if name == extension))


def other_media_types(rdf: pyoxigraph.RdfFormat) -> tuple[str, ...]:
    """The media types besides its own that mean a format."""
    return tuple(media for media, name in MEDIA_TYPE_ALIASES.items() if name == rdf.file_extension)


def format_of_media_type(media_type: str) -> pyoxigraph.RdfFormat | None:
    """The format a media type names, its own or an alias; None for anything else."""
    alias = MEDIA_TYPE_ALIASES.get(media_type)
    return RDF_FORMATS[alias] if alias else pyoxigraph.RdfFormat.from_media_type(media_type)


RDF_FILE_SUFFIXES: tuple[str, ...] = (
    *(f".{extension}" for extension in RDF_FORMATS),
    *(f".{alias}" for alias in ("owl", "xml")),
)
"""The file suffixes read as RDF: every format's own, and the RDF/XML spellings ontologies
often carry. (".json" is not among them: JSON files are more often something else.)"""


def rdf_format(name: str) -> pyoxigraph.RdfFormat:
    """The pyoxigraph format for a short name such as "ttl"; a ComityError lists the choices."""
    key = name.lower().lstrip(".")
    key = ALIASES.get(key, key)
    try:
        return RDF_FORMATS[key]
    except KeyError:
        choices = ", ".join(RDF_FORMATS)
        raise ComityError(f"unknown RDF format {name!r}: use one of {choices}") from None


def format_of_file(path: Path, name: str | None = None) -> pyoxigraph.RdfFormat:
    """The format of an RDF file: the one asked for, else the one its extension says."""
    if name:
        return rdf_format(name)
    if not path.suffix:
        raise ComityError(
            f"{path}: cannot tell the RDF format without a file extension; "
            f"name it .nq, .nt, .ttl, .trig, .jsonld or .rdf, or pass the format"
        )
    return rdf_format(path.suffix)
