"""OWL 2 RL entailments of the whole graph, as the triples to put in the inferred graph.

The Rust reasoner `reasonable` does the work: on this domain it is about twenty times faster
than owlrl (see bench/README.md). owlrl stays as an independent cross-check with the same input
preparation and the same output filter, so that the two can be compared set for set.

What goes in is everything the store holds (ontology + reference + sources) as N-Triples; what
comes out is only what OWL 2 RL adds to it and what a user of the graph can use:

* no axiomatic or meta-level triples (`owl:Thing a owl:Class`, `x a owl:Thing`,
  `p a owl:ObjectProperty`, anything about a term of the RDF, RDFS, OWL or XSD vocabularies);
* no datatype triples (`"3"^^xsd:integer a xsd:integer`) and nothing with a literal or blank
  subject, nor a blank object: blank node labels are local to one document, so a triple about
  one would name nothing in the store;
* no reflexive `owl:sameAs`, `rdfs:subClassOf` or `rdfs:subPropertyOf`;
* no entailed `owl:equivalentClass` or `owl:equivalentProperty`: the two entailed
  `rdfs:subClassOf` (`rdfs:subPropertyOf`) triples say the same, and reasoners differ in
  whether they restate it (owlrl does, `reasonable` does not);
* no entailed `rdfs:domain` or `rdfs:range` (a property's domain widened to every superclass):
  the instance typing they imply is already there, and only owlrl derives them.

So the schema-level part of the output is the `rdfs:subClassOf` / `rdfs:subPropertyOf`
closure; the rest is about the entities themselves (types, aligned and inverse properties,
`owl:sameAs` between Comity IRIs).

`owl:sameAs` links to Wikidata items are links out, not identities for the reasoner to act on:
they are withheld from it. Acting on them would copy every statement about a state or an
organisation onto its Wikidata IRI (and back), doubling the inferred graph with triples that no
query needs, since a client that wants the Wikidata view follows the asserted link.
"""

import ctypes
import gc
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph
import rdflib
import reasonable

from ontology import OWL, RDF, RDFS, WD, XSD
from ontology.errors import ComityError

BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))

_REFLEXIVE_NOISE = frozenset({OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf})
_RESTATEMENTS = frozenset({OWL.equivalentClass, OWL.equivalentProperty, RDFS.domain, RDFS.range})

_SAME_AS = str(OWL.sameAs).encode()
_WIKIDATA_SAME_AS = re.compile(
    rb"[ \t]*(?:<[^>]*>|_:\S+)[ \t]*<"
    + re.escape(_SAME_AS)
    + rb">[ \t]*<"
    + re.escape(str(WD).encode())
    + rb"[^>]*>"
    + rb"|[ \t]*<"
    + re.escape(str(WD).encode())
    + rb"[^>]*>[ \t]*<"
    + re.escape(_SAME_AS)
    + rb">"
)

Triple = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]


def entailments(asserted: bytes) -> bytes:
    """The OWL 2 RL entailments of `asserted` (N-Triples) that it does not already state.

    Returns sorted N-Triples, so that the same input always gives the same bytes.
    """
    withheld = without_wikidata_identity(beyond_rdf_1_1(asserted)[0])
    reasoner = _load_reasonable(withheld)
    with _collector_paused():
        # `reason()` answers with the whole closure, asserted triples included, as rdflib
        # terms. They are told apart by their N-Triples lines: hashing strings is much cheaper
        # than hashing rdflib terms, and the lines are needed for the answer anyway.
        closure = useful(reasoner.reason())
        stated = _stated_lines(withheld)
        lines = (_ntriples_line(triple) for triple in closure)
        return _joined(line for line in lines if line not in stated)


def entailments_owlrl(asserted: bytes) -> bytes:
    """The same as `entailments`, computed by owlrl: slow, but an independent implementation."""
    import owlrl

    graph = rdflib.Graph()
    try:
        graph.parse(data=without_wikidata_identity(beyond_rdf_1_1(asserted)[0]), format="nt")
    except Exception as error:  # rdflib raises several unrelated types for bad syntax
        raise ComityError(
            f"cannot reason over the graph: it is not valid N-Triples: {error}"
        ) from error
    with _collector_paused():
        before = set(graph)
        owlrl.DeductiveClosure(
            owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
        ).expand(graph)
        return _to_ntriples(useful(t for t in graph if t not in before))


_RDF_1_2 = re.compile(rb"<<\(|\"@[A-Za-z]+(?:-[A-Za-z0-9]+)*--(?:ltr|rtl)\b")
"""What RDF 1.2 adds to N-Triples and the reasoners cannot read: a triple term `<<( s p o )>>`,
a language tag with a direction (`"x"@ar--rtl`)."""


def release_freed_memory() -> None:
    """Give the system back the heap pages that reasoning took and freed.

    The C allocator keeps freed memory for the process to reuse, so a process that lives on
    after reasoning (the server's writer) would hold the peak of its largest reasoning for
    good: about 350 MB after one write to a store of 300,000 triples, which this returns.
    Only glibc has the call; elsewhere nothing is asked."""
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def beyond_rdf_1_1(ntriples: bytes) -> tuple[bytes, list[bytes]]:
    """The N-Triples without the lines that use RDF 1.2 terms, and those lines.

    The stores keep such triples and queries see them; OWL 2 RL says nothing about them, and
    the reasoners (rdflib's parser under both) refuse the whole input for one of them, so they
    are left out of reasoning rather than letting one triple stop it for good.
    """
    if _RDF_1_2.search(ntriples) is None:
        return ntriples, []
    kept: list[bytes] = []
    left_out: list[bytes] = []
    for line in ntriples.splitlines(keepends=True):
        (left_out if _RDF_1_2.search(line) else kept).append(line)
    return b"".join(kept), left_out


def without_wikidata_identity(ntriples: bytes) -> bytes:
    """The N-Triples without the `owl:sameAs` lines that link to or from a Wikidata item.

    Only the lines that mention owl:sameAs are looked at, found by a byte search, so that a
    large input is not split into lines.
    """
    kept: list[bytes] = []
    copied_up_to = 0
    found = ntriples.find(_SAME_AS)
    while found != -1:
        start = ntriples.rfind(b"\n", 0, found) + 1
        end = ntriples.find(b"\n", found)
        end = len(ntriples) if end == -1 else end + 1
        if _WIKIDATA_SAME_AS.match(ntriples, start, end):
            kept.append(ntriples[copied_up_to:start])
            copied_up_to = end
        found = ntriples.find(_SAME_AS, end)
    if not kept:
        return ntriples
    kept.append(ntriples[copied_up_to:])
    return b"".join(kept)


def useful(triples: Iterable[Triple]) -> list[Triple]:
    """Only the entailments worth storing (see the module docstring for what is dropped)."""
    return [triple for triple in triples if _is_useful(triple)]


def _is_useful(triple: Triple) -> bool:
    subject, predicate, obj = triple
    if not isinstance(subject, rdflib.URIRef) or isinstance(obj, rdflib.BNode):
        return False
    # str.startswith, because rdflib's own override of it ignores a tuple of prefixes
    if str.startswith(subject, BUILTIN_NAMESPACES):
        return False
    if isinstance(obj, rdflib.URIRef) and str.startswith(obj, BUILTIN_NAMESPACES):
        return False
    if predicate in _RESTATEMENTS:
        return False
    return not (subject == obj and predicate in _REFLEXIVE_NOISE)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while millions of term tuples are built.

    They hold no reference cycles, but each collection would scan all of them again (at a
    million triples that cost about a fifth of the run). Reference counting still frees
    everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_reasonable(ntriples: bytes) -> reasonable.PyReasoner:
    """A `reasonable` reasoner holding the triples, parsed by its own Rust N-Triples reader.

    Handing it a file keeps parsing out of Python. The reasoner picks its reader by the file
    name: .n3 gets the N-Triples one (.ttl would get the slower Turtle one), which accepts
    exactly what `_stated_lines` accepts.
    """
    reasoner = reasonable.PyReasoner()
    with tempfile.TemporaryDirectory(prefix="comity-reasoning-") as directory:
        path = Path(directory) / "asserted.n3"
        path.write_bytes(ntriples)
        try:
            reasoner.load_file(str(path))
        except OSError as error:
            raise ComityError(
                f"cannot reason over the graph: it is not valid N-Triples: {error}"
            ) from error
    return reasoner


def _stated_lines(ntriples: bytes) -> set[str]:
    """The asserted triples about an IRI, written as `_ntriples_line` writes the closure.

    Asking `reasonable` for its base triples instead would build three rdflib terms per
    asserted triple, which costs more than the reasoning itself; pyoxigraph parses the same
    bytes in Rust, and only the distinct typed literals are built with rdflib.
    """
    literals: dict[pyoxigraph.Literal, str] = {}
    lines: set[str] = set()
    try:
        for quad in pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES, lenient=True):
            subject, obj = quad.subject, quad.object
            if not isinstance(subject, pyoxigraph.NamedNode):
                continue
            if isinstance(obj, pyoxigraph.NamedNode):
                lines.add(f"<{subject.value}> <{quad.predicate.value}> <{obj.value}> .\n")
            elif isinstance(obj, pyoxigraph.Literal):
                text = literals.get(obj)
                if text is None:
                    text = literals[obj] = _literal_text(obj)
                lines.add(f"<{subject.value}> <{quad.predicate.value}> {text} .\n")
    except SyntaxError as error:
        raise ComityError(
            f"cannot reason over the graph: it is not valid N-Triples: {error}"
        ) from error
    return lines


def _literal_text(literal: pyoxigraph.Literal) -> str:
    """The literal as `_ntriples_object` writes what `reasonable` hands back for it.

    `reasonable` gives back typed literals as rdflib builds them, which rewrites some lexical
    forms ("01" as an xsd:integer becomes "1"), so those go through rdflib too. Strings and
    language-tagged strings are kept as they are; both sides write language tags in lower case.
    """
    if literal.language:
        return f'"{literal.value.translate(_ESCAPES)}"@{literal.language}'
    if literal.datatype == _XSD_STRING:
        return f'"{literal.value.translate(_ESCAPES)}"'
    return _ntriples_object(rdflib.Literal(literal.value, datatype=literal.datatype.value))


def _to_ntriples(triples: list[Triple]) -> bytes:
    return _joined(_ntriples_line(triple) for triple in triples)


def _joined(lines: Iterable[str]) -> bytes:
    """Sorted N-Triples, so that the same input always gives the same bytes."""
    return "".join(sorted(lines)).encode("utf-8")


def _ntriples_line(triple: Triple) -> str:
    """One N-Triples line, written directly rather than by an rdflib serialiser: the IRIs were
    checked when the input was parsed, so only literals need escaping."""
    subject, predicate, obj = triple
    return f"<{subject}> <{predicate}> {_ntriples_object(obj)} .\n"


_XSD_STRING = pyoxigraph.NamedNode(str(XSD.string))
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _ntriples_object(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.Literal):
        quoted = f'"{str(term).translate(_ESCAPES)}"'
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{quoted}^^<{term.datatype}>"
        return quoted
    return f"<{term}>"
