"""The RDF formats Comity reads and writes, by the short names the command line uses."""

from pathlib import Path

import pyoxigraph

from ontology.errors import ComityError

RDF_FORMATS: dict[str, pyoxigraph.RdfFormat] = {
    rdf.file_extension: rdf
    for rdf in (
        pyoxigraph.RdfFormat.N_QUADS,
        pyoxigraph.RdfFormat.N_TRIPLES,
        pyoxigraph.RdfFormat.TURTLE,
        pyoxigraph.RdfFormat.TRIG,
        pyoxigraph.RdfFormat.JSON_LD,
        pyoxigraph.RdfFormat.RDF_XML,
        pyoxigraph.RdfFormat.N3,
    )
}
"""The formats by the file extension pyoxigraph gives each: "nq", "nt", "ttl", "trig",
"jsonld", "rdf", "n3"."""

# Other spellings people type or find on files, mapped to the names above.
ALIASES: dict[str, str] = {
    "nquads": "nq",
    "ntriples": "nt",
    "turtle": "ttl",
    "json-ld": "jsonld",
    "json": "jsonld",
    "owl": "rdf",
    "xml": "rdf",
    "rdfxml": "rdf",
}


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
