"""Targets for the query rewrite that turns FILTER NOT EXISTS into MINUS (graph.not_exists).

The rewrite sits between users' queries and the engine, so it must take any text, never turn
a valid query into an invalid one, and never change an answer. Queries are generated from a
small grammar around NOT EXISTS (OPTIONAL, UNION, MINUS, GRAPH, BIND, VALUES, sub-selects,
nested groups, filters) and compared with their rewrites on tiny random datasets in a real
Oxigraph store.
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph
from hypothesis import event
from hypothesis import strategies as st

from fuzz import target

PREFIX = "PREFIX : <http://example.org/>\n"
_EXAMPLE = "http://example.org/"

_VARIABLES = ("?a", "?b", "?c", "?d")
_IRIS = (":x", ":y", ":z")
_PREDICATES = (":p", ":q")
_GRAPHS = (":g1", ":g2")

variable = st.sampled_from(_VARIABLES)
_subject = st.sampled_from(_VARIABLES + _IRIS + ("_:n", "[]"))
_object = st.sampled_from(_VARIABLES + _IRIS + ("1", '"s"'))
_predicate = st.sampled_from(_PREDICATES + ("?d",))


def _triple() -> st.SearchStrategy:
    return st.builds("{} {} {} .".format, _subject, _predicate, _object)


def _filter() -> st.SearchStrategy:
    """A filter that is not NOT EXISTS: a test on bindings."""
    return st.one_of(
        st.builds("FILTER (bound({}))".format, variable),
        st.builds("FILTER (!bound({}))".format, variable),
        st.builds("FILTER ({} != {})".format, variable, st.sampled_from(_IRIS)),
        st.builds("FILTER ({} = {})".format, variable, variable),
        st.builds("FILTER (isIRI({}))".format, variable),
    )


def _elements(group: st.SearchStrategy) -> st.SearchStrategy:
    """One element of a group graph pattern, with `group` for the nested groups."""
    braced = group.map(lambda body: "{ " + body + " }")
    return st.one_of(
        _triple(),
        _triple(),
        _filter(),
        braced.map("FILTER NOT EXISTS {}".format),
        braced.map("FILTER NOT EXISTS {} .".format),
        braced.map("FILTER (NOT EXISTS {})".format),
        braced.map("FILTER EXISTS {}".format),
        braced.map("OPTIONAL {}".format),
        braced.map("MINUS {}".format),
        st.builds("{} UNION {}".format, braced, braced),
        braced,
        st.builds("GRAPH {} {}".format, st.sampled_from(_GRAPHS + ("?g",)), braced),
        st.builds("{{ SELECT {} WHERE {} }}".format, st.sampled_from(["*", "?a", "?a ?b"]), braced),
        st.builds("BIND ({} AS {})".format, st.sampled_from(_IRIS), variable),
        st.builds(
            "VALUES {} {{ {} }}".format,
            variable,
            st.lists(st.sampled_from(_IRIS + ("UNDEF",)), min_size=1, max_size=3).map(" ".join),
        ),
    )


group_bodies = st.recursive(
    _triple(),
    lambda group: st.lists(_elements(group), min_size=1, max_size=4).map(" ".join),
    max_leaves=8,
)


# What the rewrite accepts inside NOT EXISTS: triples, GRAPH blocks, filters on own variables.
simple_patterns = st.lists(
    st.one_of(
        _triple(),
        _triple(),
        _filter(),
        st.builds("GRAPH {} {{ {} }}".format, st.sampled_from(_GRAPHS), _triple()),
    ),
    min_size=1,
    max_size=3,
).map(" ".join)


@st.composite
def queries(draw: st.DrawFn) -> str:
    """A SELECT or ASK query whose pattern holds at least one NOT EXISTS."""
    # Required triples first, most of the time: they bind the variables that a NOT EXISTS
    # must share for the rewrite to apply, so that rewrites are common, not rare.
    required = draw(st.lists(_triple(), max_size=3).map(" ".join))
    body = f"{required} {draw(group_bodies)}".strip()
    negation = draw(st.one_of(simple_patterns, group_bodies))
    position = draw(st.sampled_from(["start", "end"]))
    filter_text = f"FILTER NOT EXISTS {{ {negation} }}"
    body = f"{filter_text} {body}" if position == "start" else f"{body} {filter_text}"
    form = draw(
        st.sampled_from(
            ["SELECT *", "SELECT ?a ?b", "SELECT DISTINCT ?a", "SELECT (COUNT(*) AS ?n)", "ASK"]
        )
    )
    where = "" if form == "ASK" else "WHERE "
    return f"{PREFIX}{form} {where}{{ {body} }}"


_TOKENS = st.sampled_from(
    [
        "SELECT",
        "*",
        "WHERE",
        "{",
        "}",
        "(",
        ")",
        ".",
        "FILTER",
        "NOT",
        "EXISTS",
        "MINUS",
        "OPTIONAL",
        "UNION",
        "GRAPH",
        "SERVICE",
        "BIND",
        "AS",
        "VALUES",
        "?a",
        "?b",
        ":p",
        ":x",
        "<http://example.org/x>",
        '"',
        "'''",
        "#",
        "\n",
        "not exists",
        "[]",
        "_:b",
    ]
)
sparql_like_text = st.one_of(
    st.text(max_size=200),
    st.lists(_TOKENS, max_size=30).map(" ".join).map(lambda text: PREFIX + text),
    queries().map(lambda query: query[: len(query) // 2]),
)


def _syntax_error(query: str) -> SyntaxError | None:
    """Oxigraph's verdict on a query's syntax: its SyntaxError, or None when it parses.

    pyoxigraph has no parse-only call, so the query runs on an empty store. A text naming
    SERVICE is not run (an ASK is answered at once and would call the endpoint): it counts as
    not parsed, and only the rewrite's own promise (text in, text out) is checked on it.
    """
    if "service" in query.lower():
        return SyntaxError("not run: it names a SERVICE endpoint")
    try:
        pyoxigraph.Store().query(query)
    except SyntaxError as error:
        return error
    return None


@target(
    "not_exists.any_text",
    lambda: sparql_like_text,
    requires=("graph.not_exists",),
    quick_examples=50,
)
def check_rewrite_any_text(text: str) -> None:
    """Any text comes back as text, and text Oxigraph parses still parses after the rewrite."""
    from graph.not_exists import rewrite_not_exists

    rewritten = rewrite_not_exists(text)
    assert isinstance(rewritten, str)
    if "exists" not in text.lower():
        assert rewritten == text
    if _syntax_error(text) is None:
        error = _syntax_error(rewritten)
        assert error is None, f"the rewrite broke a valid query: {rewritten!r}: {error}"


_TERMS = {name: pyoxigraph.NamedNode(_EXAMPLE + name[1:]) for name in _IRIS + _PREDICATES}
_quads = st.builds(
    lambda subject, predicate, value, graph: pyoxigraph.Quad(
        _TERMS[subject], _TERMS[predicate], value, graph
    ),
    st.sampled_from(_IRIS),
    st.sampled_from(_PREDICATES),
    st.one_of(
        st.sampled_from([_TERMS[name] for name in _IRIS]),
        st.sampled_from(
            [
                pyoxigraph.Literal(
                    "1", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
                ),
                pyoxigraph.Literal("s"),
            ]
        ),
    ),
    st.sampled_from(
        [pyoxigraph.DefaultGraph(), *(pyoxigraph.NamedNode(_EXAMPLE + g[1:]) for g in _GRAPHS)]
    ),
)


def _answers(store: pyoxigraph.Store, query: str, union: bool) -> object:
    """A query's answer in a comparable form: a boolean, or the multiset of solution rows."""
    results = store.query(query, use_default_graph_as_union=union)
    if isinstance(results, pyoxigraph.QueryBoolean):
        return bool(results)
    names = [variable.value for variable in results.variables]
    return Counter(
        tuple(str(row[name]) if row[name] is not None else None for name in names)
        for row in results
    )


@target(
    "not_exists.same_answers",
    lambda: st.tuples(queries(), st.lists(_quads, max_size=10)),
    requires=("graph.not_exists",),
    quick_examples=30,
)
def check_rewrite_same_answers(case: tuple[str, list[pyoxigraph.Quad]]) -> None:
    """A rewritten query parses whenever the original does and gives the same answers on data."""
    from graph.not_exists import rewrite_not_exists

    query, quads = case
    rewritten = rewrite_not_exists(query)
    if _syntax_error(query) is not None:
        return
    error = _syntax_error(rewritten)
    assert error is None, f"the rewrite broke a valid query: {rewritten!r}: {error}"
    event("rewritten" if rewritten != query else "left as it was")
    if rewritten == query:
        return
    store = pyoxigraph.Store()
    store.extend(quads)
    for union in (True, False):
        expected = _answers(store, query, union)
        actual = _answers(store, rewritten, union)
        assert actual == expected, (
            f"different answers (union default graph: {union})\n"
            f"original:  {query}\nrewritten: {rewritten}\ndata: {quads}\n"
            f"expected {expected}, got {actual}"
        )
