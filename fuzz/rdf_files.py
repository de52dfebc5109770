"""Targets for loading RDF files into the knowledge graph (graph.KnowledgeGraph.load_rdf).

An RDF file is loaded as one source in one replacement, so the promise to check is all or
nothing: a file is either loaded whole or refused with a ComityError, and a refused file leaves
every graph of the store exactly as it was. Files are generated valid, then often broken.
"""

from __future__ import annotations

import io
import tempfile
from functools import cache
from pathlib import Path

import pyoxigraph
from hypothesis import event
from hypothesis import strategies as st

from fuzz import target
from ontology import GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_SOURCE_PREFIX
from ontology.iris import document_iri, document_key, source_graph_iri

_EXAMPLE = "http://example.org/"
_STEM = "fuzz-data"
_SUFFIXES = {
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "rdf": pyoxigraph.RdfFormat.RDF_XML,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "nq": pyoxigraph.RdfFormat.N_QUADS,
    "trig": pyoxigraph.RdfFormat.TRIG,
}
_DATASET_SUFFIXES = ("nq", "trig")

_node = st.sampled_from([pyoxigraph.NamedNode(f"{_EXAMPLE}{name}") for name in "abc"])
_value = st.one_of(
    _node,
    st.builds(pyoxigraph.BlankNode, st.sampled_from(["b0", "b1"])),
    st.builds(pyoxigraph.Literal, st.text(max_size=8)),
    st.builds(
        lambda text, language: pyoxigraph.Literal(text, language=language),
        st.text(max_size=5),
        st.sampled_from(["en", "fr"]),
    ),
)
_GRAPHS = (
    pyoxigraph.DefaultGraph(),
    pyoxigraph.NamedNode(f"{_EXAMPLE}g"),
    pyoxigraph.NamedNode(GRAPH_ONTOLOGY),
    pyoxigraph.NamedNode(GRAPH_REFERENCE),
    pyoxigraph.NamedNode(f"{GRAPH_SOURCE_PREFIX}someone-else"),
)


def _own_blank_nodes(quad: pyoxigraph.Quad) -> pyoxigraph.Quad:
    """The quad with its blank node labelled after its graph, so that no two graphs share one."""
    if not isinstance(quad.object, pyoxigraph.BlankNode):
        return quad
    label = f"{quad.object.value}x{_GRAPHS.index(quad.graph_name)}"
    return pyoxigraph.Quad(
        quad.subject, quad.predicate, pyoxigraph.BlankNode(label), quad.graph_name
    )


@st.composite
def rdf_files(draw: st.DrawFn, share_blank_nodes: bool = False) -> tuple[str, bytes]:
    """(suffix, content): a serialised graph or dataset, often cut short or with a byte changed.

    Blank nodes stay within one graph unless `share_blank_nodes`, which puts one blank node in
    two graphs of every dataset (valid RDF, kept apart while loading it is a known fault).
    """
    suffixes = _DATASET_SUFFIXES if share_blank_nodes else sorted(_SUFFIXES)
    suffix = draw(st.sampled_from(suffixes))
    if draw(st.integers(0, 9)) == 0:
        return suffix, draw(st.binary(max_size=200))
    graphs = st.sampled_from(_GRAPHS[:1] if suffix not in _DATASET_SUFFIXES else _GRAPHS)
    quads = draw(st.lists(st.builds(pyoxigraph.Quad, _node, _node, _value, graphs), max_size=6))
    quads = [_own_blank_nodes(quad) for quad in quads]
    if share_blank_nodes:
        shared = pyoxigraph.BlankNode("shared")
        for graph_name in (_GRAPHS[0], draw(st.sampled_from(_GRAPHS[1:2]))):
            quads.append(pyoxigraph.Quad(draw(_node), draw(_node), shared, graph_name))
    if suffix in _DATASET_SUFFIXES:
        data = pyoxigraph.serialize(quads, format=_SUFFIXES[suffix]) or b""
    else:
        triples = [quad.triple for quad in quads]
        data = pyoxigraph.serialize(triples, format=_SUFFIXES[suffix]) or b""
    damage = draw(st.sampled_from(["none", "none", "cut", "byte"]))
    if damage == "cut" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "byte" and data:
        position = draw(st.integers(0, len(data) - 1))
        data = data[:position] + bytes([draw(st.integers(0, 255))]) + data[position + 1 :]
    return suffix, data


@cache
def _knowledge_graph():
    import graph

    return graph.open("memory:")


def _store_content(knowledge_graph) -> list[bytes]:
    """Every quad of the store as sorted N-Quads lines: what "unchanged" is checked against."""
    buffer = io.BytesIO()
    knowledge_graph.export("nq", buffer)
    return sorted(buffer.getvalue().splitlines())


@target("rdf_files.load", rdf_files, requires=("graph.knowledge_graph",), quick_examples=25)
@target(
    "rdf_files.shared_blank_nodes",
    lambda: rdf_files(share_blank_nodes=True),
    requires=("graph.knowledge_graph",),
    quick_examples=25,
    examples=(
        (
            "nq",
            b"<http://example.org/a> <http://example.org/p> _:b0 .\n"
            b"<http://example.org/a> <http://example.org/p> _:b0 <http://example.org/g> .\n",
        ),
    ),
)
def check_load_rdf(case: tuple[str, bytes]) -> None:
    """An RDF file loads whole, or is refused with ComityError and the store is left unchanged."""
    from ontology.errors import ComityError

    suffix, data = case
    knowledge_graph = _knowledge_graph()
    before = _store_content(knowledge_graph)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{_STEM}.{suffix}"
        path.write_bytes(data)
        try:
            knowledge_graph.load_rdf(path)
        except ComityError:
            event("refused")
            assert _store_content(knowledge_graph) == before, "a refused file changed the store"
            return
    event("loaded")
    after = set(_store_content(knowledge_graph))
    document = document_iri(document_key(_STEM))
    own_graph = pyoxigraph.NamedNode(source_graph_iri(document))
    for quad in pyoxigraph.parse(data, _SUFFIXES[suffix], base_iri=document):
        if any(isinstance(term, pyoxigraph.BlankNode) for term in (quad.subject, quad.object)):
            continue  # blank nodes get fresh labels on loading
        graph_name = quad.graph_name
        if isinstance(graph_name, pyoxigraph.DefaultGraph):
            graph_name = own_graph
        stored = pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, graph_name)
        line = pyoxigraph.serialize([stored], format=pyoxigraph.RdfFormat.N_QUADS).strip()
        assert line in after, f"{stored} is missing after loading"
