"""Reading the vocabulary's own files, with errors that name the file, line and reason."""

from pathlib import Path

import pyoxigraph

from ontology.errors import ComityError
from ontology.paths import ONTOLOGY_FILE, SHAPES_FILE


def turtle_to_ntriples(path: Path) -> bytes:
    """Parse a Turtle file completely and return it as N-Triples, or fail without partial output."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ComityError(f"{path}: cannot read the file ({error.strerror})") from error
    try:
        triples = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE, path=None))
    except SyntaxError as error:
        raise ComityError(f"{path}: not valid Turtle: {error}") from error
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""


def read_ontology(path: Path = ONTOLOGY_FILE) -> bytes:
    """The ontology (comity.ttl) as N-Triples."""
    return turtle_to_ntriples(path)


def read_shapes(path: Path = SHAPES_FILE) -> bytes:
    """The SHACL shapes (shapes.ttl) as N-Triples."""
    return turtle_to_ntriples(path)
