"""Targets for SPARQL Update on the knowledge graph (graph.KnowledgeGraph.update).

The inferred graph holds entailments that only reasoning writes; an update must not edit it,
however it spells the graph's IRI: in full, through a prefix, relative to a BASE, or with the
escapes SPARQL allows in IRIs and prefixed names. Either the update is refused with a
ComityError, or the inferred graph is exactly as it was.
"""

from __future__ import annotations

from functools import cache

from hypothesis import event
from hypothesis import strategies as st

from fuzz import target
from ontology import COMITY, GRAPH_INFERRED

_TRIPLE = "<http://example.org/a> <http://example.org/b> <http://example.org/c>"


@st.composite
def inferred_graph_spellings(draw: st.DrawFn) -> tuple[str, str]:
    """(prologue, graph reference): one way a SPARQL text can name the inferred graph."""
    iri = GRAPH_INFERRED
    how = draw(st.sampled_from(["full", "prefix", "escaped prefix", "base", "unicode escape"]))
    if how == "full":
        return "", f"<{iri}>"
    cut = draw(st.integers(len("https://"), len(iri) - 1))
    namespace, local = iri[:cut], iri[cut:]
    if how in ("prefix", "escaped prefix"):
        name = draw(st.sampled_from(["", "g", "c-g", "inf"]))
        if how == "escaped prefix":
            local = "".join(f"\\{char}" if char in "/-." else char for char in local)
        if not local or not (local[0].isalnum() or local[0] == "\\"):
            return "", f"<{iri}>"
        return f"PREFIX {name}: <{namespace}>\n", f"{name}:{local}"
    if how == "base":
        return f"BASE <{namespace}>\n", f"<{local}>"
    position = draw(st.integers(0, len(iri) - 1))
    escape = draw(st.sampled_from(["\\u{:04X}", "\\U{:08X}"])).format(ord(iri[position]))
    return "", f"<{iri[:position]}{escape}{iri[position + 1 :]}>"


@st.composite
def inferred_graph_updates(draw: st.DrawFn) -> str:
    """An update that, if run, would change the inferred graph."""
    prologue, graph = draw(inferred_graph_spellings())
    operation = draw(
        st.sampled_from(
            [
                "INSERT DATA {{ GRAPH {g} {{ {t} }} }}",
                "INSERT {{ GRAPH {g} {{ {t} }} }} WHERE {{}}",
                "WITH {g} INSERT {{ {t} }} WHERE {{}}",
                "CLEAR GRAPH {g}",
                "DROP GRAPH {g}",
                "ADD DEFAULT TO {g}",
                "DELETE WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}",
            ]
        )
    )
    return prologue + operation.format(g=graph, t=_TRIPLE)


@cache
def _reasoned_graph():
    """An in-memory knowledge graph with its inferred graph computed (and a triple to add)."""
    import graph

    knowledge_graph = graph.open("memory:")
    knowledge_graph.update(f"INSERT DATA {{ {_TRIPLE} }}")
    knowledge_graph.reason()
    return knowledge_graph


def _inferred_content(knowledge_graph) -> set[str]:
    """What reasoning wrote, but for the mark that says it is current: any write that runs
    takes that mark out until the next reasoning, as it should."""
    solutions = knowledge_graph.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o "
        f"FILTER(?p != <{COMITY.current}>) }} }}"
    )
    return {f"{row['s']} {row['p']} {row['o']}" for row in solutions}


@target(
    "graph.update_inferred",
    inferred_graph_updates,
    requires=("graph.knowledge_graph",),
    quick_examples=40,
    examples=(
        "BASE <https://w3id.org/comity/graph/>\nDROP GRAPH <inferred>",
        "PREFIX g: <https://w3id.org/comity/>\nCLEAR GRAPH g:graph\\/inferred",
        f"INSERT DATA {{ GRAPH <{GRAPH_INFERRED[:-1]}\\u0064> {{ {_TRIPLE} }} }}",
    ),
)
def check_update_inferred(update: str) -> None:
    """An update that names the inferred graph, however spelled, is refused or changes nothing."""
    from ontology.errors import ComityError

    knowledge_graph = _reasoned_graph()
    before = _inferred_content(knowledge_graph)
    try:
        knowledge_graph.update(update)
    except ComityError:
        event("refused")
        return
    event("run")
    after = _inferred_content(knowledge_graph)
    if after != before:
        knowledge_graph.reason()  # put the inferred graph back for the next example
    assert after == before, f"{update!r} changed the inferred graph ({len(before)} -> {len(after)})"
