"""Targets comparing what the graph layer's SPARQL front end reads from a text (graph.sparql_tokens
and graph.sparql_inspection) with what the engine's own parser makes of it.

The front end decides, before the engine runs a request, which endpoints it may call, which
dataset it declares and which graphs it may reach; where the two disagree, an allowlist or a
dataset could be passed or a literal rewritten. So queries are generated with the keywords
those decisions look for written every way the grammar allows (prefixed names, relative IRIs
under a BASE, \\u escapes inside IRIs) and hidden where they mean nothing (strings, comments,
variables, prefixed names), separated by every kind of white space and comment; each one the
engine parses is run in a real Oxigraph store whose graphs and SERVICE endpoints record what
the engine actually read.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph
from hypothesis import event
from hypothesis import strategies as st

from fuzz import target

_GRAPHS = "http://g.example/"
_MARK = pyoxigraph.NamedNode("http://m.example/mark")
_NAMES = ("a", "b", "c")
HIDDEN = _GRAPHS + "hidden"
"""A graph the store holds that only a GRAPH pattern naming it, or a variable, can reach."""


class _Endpoints:
    """A local SPARQL endpoint that answers every query with one empty solution and records
    the path each call was made to: the SERVICE endpoints the engine really called."""

    def __init__(self) -> None:
        called = self.called = set[str]()

        class Answer(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                called.add(self.path.partition("?")[0])
                body = json.dumps({"head": {"vars": []}, "results": {"bindings": [{}]}})
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            do_GET = do_POST = _answer

            def log_message(self, *arguments: object) -> None:
                """Quiet: the calls are what is recorded."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()


_endpoints: _Endpoints | None = None


def _recorder() -> _Endpoints:
    global _endpoints
    if _endpoints is None:
        _endpoints = _Endpoints()
    return _endpoints


def _store() -> pyoxigraph.Store:
    """Each graph (the default one included) holds one triple naming it."""
    store = pyoxigraph.Store()
    graphs: list[pyoxigraph.NamedNode | pyoxigraph.DefaultGraph] = [pyoxigraph.DefaultGraph()]
    graphs += [pyoxigraph.NamedNode(_GRAPHS + name) for name in (*_NAMES, "hidden")]
    for graph in graphs:
        name = graph.value if isinstance(graph, pyoxigraph.NamedNode) else "urn:default"
        store.add(
            pyoxigraph.Quad(pyoxigraph.NamedNode(name), _MARK, pyoxigraph.Literal(name), graph)
        )
    return store


_gap = st.lists(
    st.one_of(
        st.sampled_from([" ", "\t", "\r", "\n", "\r\n"]),
        st.sampled_from(
            [
                "# SERVICE <{e}x> FROM <{g}a>\n",
                "#'\n",
                '# " GRAPH ?g\r',
                "# \\\n",
            ]
        ),
    ),
    min_size=1,
    max_size=3,
).map("".join)
"""White space and comments, some holding the keywords the front end looks for."""


def _graph_iri(name: str) -> st.SearchStrategy[str]:
    """Every way to write the graph `name`: with the prologue the strategy always writes."""
    escaped = "".join(f"\\u{ord(c):04X}" for c in name)
    return st.sampled_from(
        [
            f"<{_GRAPHS}{name}>",
            f"<{_GRAPHS}{escaped}>",
            f"<{name}>",
            f"g:{name}",
            f"<\\u0068ttp://g.example/{name}>",
        ]
    )


def _endpoint(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [f"<{{e}}{name}>", f"e:{name}", f"<{{e}}{name[0]}\\u{ord(name[1]):04x}>"]
    )


_decoy = st.sampled_from(
    [
        '"SERVICE <{e}decoy> { }"',
        "'FROM <{g}c> # '",
        '"""GRAPH <{g}hidden> \n"""',
        "'''BNODE() LOAD <{e}x>'''",
        '"\\" SERVICE <{e}decoy2> {} \\""',
    ]
)
"""Literals that spell the keywords: no keyword to the engine."""


@st.composite
def _queries(draw: st.DrawFn) -> str:
    gap = lambda: draw(_gap)  # noqa: E731 - a fresh gap at each use
    parts = [f"BASE <{_GRAPHS}>", gap(), "PREFIX g: <http://g.example/>", gap()]
    parts += ["PREFIX e: <{e}>", gap(), "SELECT", gap(), "?s ?n ?x ?v", gap()]
    for _ in range(draw(st.integers(0, 3))):
        named = draw(st.booleans())
        parts += ["FROM", gap()] + (["NAMED", gap()] if named else [])
        parts += [draw(_graph_iri(draw(st.sampled_from(_NAMES)))), gap()]
    branches = ["{ ?s <http://m.example/mark> ?o }"]
    if draw(st.booleans()):
        branches.append("{ GRAPH ?n { ?n <http://m.example/mark> ?o } }")
    for index in range(draw(st.integers(0, 2))):
        silent = draw(st.booleans())
        endpoint = draw(_endpoint(f"s{index}"))
        branches.append(
            "{ SERVICE"
            + gap()
            + ("SILENT" + gap() if silent else "")
            + endpoint
            + " { ?x ?y ?z } }"
        )
    if draw(st.booleans()):
        which = draw(st.sampled_from([*_NAMES, "hidden"]))
        written = draw(st.one_of(_graph_iri(which), st.just("?w")))
        branches.append("{ GRAPH" + gap() + written + " { ?x <http://m.example/mark> ?z } }")
    if draw(st.booleans()):
        branches.append("{ BIND(" + draw(_decoy) + " AS ?v) }")
    order = draw(st.permutations(branches))
    parts += ["WHERE", gap(), "{", gap(), (gap() + "UNION" + gap()).join(order), gap(), "}"]
    return "".join(parts)


def _rows(store: pyoxigraph.Store, query: str, **options: object) -> Counter:
    results = store.query(query, **options)
    names = [variable.value for variable in results.variables]
    return Counter(
        tuple(row[name].value if row[name] is not None else None for name in names)
        for row in results
    )


@target(
    "sparql_text.engine_view",
    lambda: _queries(),
    requires=("graph.sparql_inspection",),
    quick_examples=40,
)
def check_engine_view(template: str) -> None:
    """The endpoints, dataset, graphs and normal form the front end reads are the engine's."""
    from graph.not_exists import normal_form
    from graph.sparql_inspection import (
        declared_dataset,
        draws_fresh_values,
        may_name_graphs,
        service_calls,
    )

    endpoints = _recorder()
    query = template.replace("{e}", endpoints.base).replace("{g}", _GRAPHS)
    store = _store()
    endpoints.called.clear()
    try:
        answers = _rows(store, query)
    except SyntaxError:
        event("the engine refused it")
        return
    called = {endpoints.base.rstrip("/") + path for path in endpoints.called}
    read = {call.iri for call in service_calls(query)}
    assert read == called, f"front end reads SERVICE {read}, the engine called {called}: {query!r}"
    if called:
        assert draws_fresh_values(query), f"calls out but is taken as repeatable: {query!r}"

    seen_default = {row[0] for row in answers if row[0] is not None}
    seen_named = {row[1] for row in answers if row[1] is not None}
    dataset = declared_dataset(query)
    if dataset is None:
        assert seen_default == {"urn:default"}, f"a dataset the front end missed: {query!r}"
    else:
        default, named = dataset
        assert seen_default == set(default), f"FROM read as {default}: {query!r}"
        if "GRAPH ?n" in query:
            assert seen_named == set(named), f"FROM NAMED read as {named}: {query!r}"
        event("declares its dataset")

    if dataset is None and not may_name_graphs(query, HIDDEN):
        visible = [pyoxigraph.NamedNode(_GRAPHS + name) for name in _NAMES]
        assert _rows(store, query, named_graphs=visible) == answers, (
            f"reaches the hidden graph though the front end says it cannot: {query!r}"
        )

    normal = normal_form(query)
    if normal is not None:
        endpoints.called.clear()
        assert _rows(store, normal[0]) == answers, f"the normal form answers otherwise: {query!r}"
