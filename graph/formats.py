"""The RDF formats Comity reads and writes, by the short names the command line uses."""

from pathlib import Path

import pyoxigraph

from ontology.errors import ComityError

RDF_FORMATS: dict[str, pyoxigraph.RdfFormat] = {
    "nq": pyoxigraph.RdfFormat.N_QUADS,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "rdf": pyoxigraph.RdfFormat.RDF_XML,
}

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
