"""Reading the vocabulary's own files, with errors that name the file, line and reason."""

import hashlib
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph

from ontology.errors import ComityError
from ontology.paths import ONTOLOGY_FILE, PACKAGE_DIR, REFERENCE_DIR, SHAPES_FILE


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


def ontology_digest(path: Path = ONTOLOGY_FILE) -> str:
    """The digest the ontology graph is stamped with: that of the files it is made from."""
    return sources_digest([path])


def sources_digest(files: Iterable[Path]) -> str:
    """A digest of a vocabulary graph's sources: the given files and the package's own code,
    by name and content. A store whose graph carries it was made from these very files, so
    opening the store need not build the graph again (the reference graph takes most of a
    second to build, and every process that opens a store would pay it)."""
    code = sorted(PACKAGE_DIR.glob("*.py")) + sorted(REFERENCE_DIR.glob("*.py"))
    digest = hashlib.sha256()
    for path in [*files, *code]:
        try:
            content = path.read_bytes()
        except OSError as error:
            raise ComityError(f"{path}: cannot read the file ({error.strerror})") from error
        digest.update(f"{path.name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def read_shapes(path: Path = SHAPES_FILE) -> bytes:
    """The SHACL shapes (shapes.ttl) as N-Triples."""
    return turtle_to_ntriples(path)
