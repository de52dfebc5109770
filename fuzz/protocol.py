"""Targets for what the server reads from a request before running it: the Accept header (and
`format=`), and the SERVICE endpoints of a query, checked against the operator's allowlist.

Both face anyone on the network. Negotiation may refuse only with its documented 400 and must
answer with one of the formats offered; the SERVICE check must refuse (with its ComityError)
anything on this machine or a private network unless the operator listed it, whatever tricks
the IRI plays. No DNS is asked: the resolver is a table drawn with the example.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import cache
from urllib.parse import urlsplit

import pyoxigraph
from hypothesis import strategies as st

from fuzz import target

# --- content negotiation -------------------------------------------------------------------------

_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/json",
    "application/xml",
    "text/xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "text/plain",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
    "text/html",
    "image/png",
    "*/*",
    "text/*",
    "application/*",
)
_PARAMETERS = st.sampled_from(
    [
        "",
        ";q=0",
        ";q=0.5",
        ";q=1",
        ";q=1.0",
        ";q=0.001",
        ";q=2",
        ";q=-1",
        ";q=abc",
        ";charset=utf-8",
    ]
)
accept_headers = st.one_of(
    st.text(max_size=80),
    st.lists(st.builds("{}{}".format, st.sampled_from(_MEDIA_TYPES), _PARAMETERS), max_size=5).map(
        ", ".join
    ),
    st.lists(
        st.sampled_from([*_MEDIA_TYPES, ",", ";", "q=", "=", " ", '"', "/", "*", "\t"]),
        max_size=12,
    ).map("".join),
)
format_names = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(["json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf", "nq", "trig"]),
    st.sampled_from(_MEDIA_TYPES),
    st.text(max_size=15),
)


def _families():
    from server.negotiation import RDF_FORMATS, SOLUTION_FORMATS

    return {"solutions": SOLUTION_FORMATS, "rdf": RDF_FORMATS}


@target(
    "negotiation.any_header",
    lambda: st.tuples(st.sampled_from(["solutions", "rdf"]), accept_headers, format_names),
    requires=("server.negotiation",),
)
def check_negotiation(case: tuple[str, str, str | None]) -> None:
    """Any Accept header and format= give an offered format, None, or the documented 400."""
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.exceptions import BadRequest
    from werkzeug.http import parse_accept_header

    from server.negotiation import negotiate

    family_name, header, format_name = case
    family = _families()[family_name]
    accept = parse_accept_header(header, MIMEAccept)
    try:
        chosen = negotiate(family, accept, format_name)
    except BadRequest:
        assert format_name, "refused a request that named no format"
        return
    assert chosen is None or chosen in family, chosen
    if format_name:
        wanted = format_name.strip().lower()
        named = [item for item in family if wanted in item.names or wanted == item.media_type]
        if named:
            assert chosen == named[0], f"format={format_name!r} gave {chosen}"
    elif not accept:
        assert chosen == family[0], "without Accept or format=, the default format is answered"


@st.composite
def single_offers(draw: st.DrawFn) -> tuple[str, str, str]:
    """A client that accepts exactly one offered media type, perhaps with a q-value."""
    family_name = draw(st.sampled_from(["solutions", "rdf"]))
    family = _families()[family_name]
    offered = [media for item in family for media in (item.media_type, *item.aliases)]
    media_type = draw(st.sampled_from(offered))
    quality = draw(st.sampled_from(["", ";q=1", ";q=0.3", ";q=0.001"]))
    case = draw(st.sampled_from([str, str.upper]))
    return family_name, media_type, f"{case(media_type)}{quality}"


@target("negotiation.single_offer", single_offers, requires=("server.negotiation",))
def check_single_offer(case: tuple[str, str, str]) -> None:
    """A client accepting exactly one offered media type gets the format that offers it."""
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.http import parse_accept_header

    from server.negotiation import negotiate

    family_name, media_type, header = case
    family = _families()[family_name]
    chosen = negotiate(family, parse_accept_header(header, MIMEAccept), None)
    owners = [item for item in family if media_type in (item.media_type, *item.aliases)]
    assert chosen == owners[0], f"Accept: {header} gave {chosen}"


# --- SERVICE allowlist ---------------------------------------------------------------------------

_PUBLIC = ("8.8.8.8", "93.184.216.34", "2001:4860:4860::8888")
_INTERNAL = (
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.5",
    "192.168.1.1",
    "169.254.169.254",
    "0.0.0.0",
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
)
# Host names the drawn resolver table may answer for; "localhost" is not one: it names this
# machine literally, so listing it is the operator's explicit choice.
_NAMES = ("dbpedia.org", "query.wikidata.org", "evil.example", "intranet.example")
_HOSTS = st.one_of(
    st.sampled_from((*_NAMES, "localhost")),
    st.sampled_from(_PUBLIC + _INTERNAL).map(lambda a: f"[{a}]" if ":" in a else a),
    st.sampled_from(["LOCALHOST", "db.localhost", "localhost.", "127.1", "2130706433", "0x7f.1"]),
    st.just("a b"),
)


@st.composite
def endpoint_iris(draw: st.DrawFn) -> str:
    """An endpoint IRI: scheme, optional user info and port, host, and a path of some shape."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "file", "ftp", "gopher"]))
    if scheme == "file":
        return draw(st.sampled_from(["file:///etc/passwd", "file://localhost/x", "file:x"]))
    user = draw(st.sampled_from(["", "user@", "dbpedia.org@", "a:b@"]))
    port = draw(st.sampled_from(["", ":80", ":8080", ":"]))
    path = draw(st.sampled_from(["", "/", "/sparql", "/sparql/", "/sparql.evil.example/", "?q=1"]))
    tail = draw(st.sampled_from(["", "#frag", "@127.0.0.1/", "/..", "\\@127.0.0.1"]))
    return f"{scheme}://{user}{draw(_HOSTS)}{port}{path}{tail}"


@st.composite
def service_requests(draw: st.DrawFn) -> tuple[str, tuple[str, ...], dict[str, tuple[str, ...]]]:
    """A query with SERVICE clauses, an allowlist, and what each host name resolves to."""
    endpoints = draw(st.lists(endpoint_iris(), min_size=1, max_size=3))
    clauses = []
    prefixes = []
    for number, iri in enumerate(endpoints):
        how = draw(st.sampled_from(["iri", "prefixed", "silent", "base"]))
        if how == "prefixed" and "/" in iri[8:]:
            cut = iri.rindex("/") + 1
            prefixes.append(f"PREFIX e{number}: <{iri[:cut]}>")
            clauses.append(f"SERVICE e{number}:{iri[cut:]} {{ ?s ?p ?o }}")
        elif how == "silent":
            clauses.append(f"SERVICE SILENT <{iri}> {{ ?s ?p ?o }}")
        else:
            clauses.append(f"SERVICE <{iri}> {{ ?s ?p ?o }}")
    if draw(st.booleans()):
        clauses.append("SERVICE ?endpoint { ?s ?p ?o }")
    query = "\n".join(prefixes) + "\nSELECT * WHERE { " + " ".join(clauses) + " }"
    listed = draw(st.lists(st.one_of(st.sampled_from(endpoints), endpoint_iris()), max_size=3))
    # An operator may list an endpoint by a prefix of it, with or without the trailing part.
    allow = tuple(
        draw(st.sampled_from([iri, iri.rstrip("/"), iri.split("?")[0], iri.split("#")[0]]))
        for iri in listed
    )
    addresses = st.lists(st.sampled_from(_PUBLIC + _INTERNAL), min_size=1, max_size=2)
    resolved = {name: tuple(draw(addresses)) for name in _NAMES if draw(st.booleans())}
    return query, allow, resolved


def _resolver(table: dict[str, tuple[str, ...]]):
    def resolve(host: str) -> tuple[str, ...]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global


def _listed(iri: str, allow: tuple[str, ...]) -> bool:
    """The allowlist's rule in its own words: a listed prefix, ending at a boundary."""
    for prefix in allow:
        rest = iri[len(prefix) :]
        if iri.startswith(prefix) and (
            not rest or prefix[-1:] in ("/", "?", "#", "=") or rest[0] in "/?#"
        ):
            return True
    return False


@target(
    "federation.allowlist",
    service_requests,
    requires=("server.federation", "graph.sparql_inspection"),
)
def check_allowlist(case) -> None:
    """SERVICE goes only to listed endpoints, never to an internal address a listed name hides.

    The check may refuse only with its ComityError; it never lets a variable endpoint through.
    """
    from graph.sparql_inspection import service_calls
    from ontology.errors import ComityError
    from server.federation import check_services

    query, allow, resolved = case
    try:
        check_services(query, allow, _resolver(resolved))
    except ComityError:
        return
    for call in service_calls(query):
        assert call.variable is None and call.iri is not None, f"let through {call}"
        assert _listed(call.iri, allow), f"let through unlisted {call.iri} (allow {allow})"
        host = (urlsplit(call.iri).hostname or "").rstrip(".")
        if host in resolved:
            hidden = [address for address in resolved[host] if _internal(address)]
            assert not hidden, f"let through {call.iri}: {host} resolves to {hidden}"


_SERVICE_TOKENS = st.sampled_from(
    [
        "SERVICE",
        "SILENT",
        "PREFIX",
        "BASE",
        "e:",
        "e:x",
        "<http://dbpedia.org/sparql>",
        "<//127.0.0.1/>",
        "<sparql>",
        "<file:///etc/passwd>",
        "?endpoint",
        "{",
        "}",
        '"',
        "#",
        "\n",
        "\\",
    ]
)
service_like_text = st.one_of(
    st.text(max_size=120),
    st.lists(_SERVICE_TOKENS, max_size=15).map(" ".join),
    st.text(alphabet="htps:/@.1x?#%", max_size=25).map("SELECT * {{ SERVICE <{}> {{}} }}".format),
)

# Endpoint IRIs whose authority has square brackets, well formed or not ("http://[::1",
# "http://[zz]/"): how IPv6 addresses are written, and a classic trap for URL parsers.
_BRACKETED = st.text(alphabet="htps:/[]@.1fx?#", max_size=25).filter(lambda iri: "[" in iri)
bracketed_services = st.one_of(
    _BRACKETED.map("SELECT * {{ SERVICE <{}> {{}} }}".format),
    _BRACKETED.map("BASE <{}> SELECT * {{ SERVICE <sparql> {{}} }}".format),
    _BRACKETED.map("PREFIX e: <{}> SELECT * {{ SERVICE e:x {{}} }}".format),
)


@target(
    "federation.any_text",
    lambda: st.tuples(service_like_text, st.lists(st.text(max_size=30), max_size=2)),
    requires=("server.federation", "graph.sparql_inspection"),
)
@target(
    "federation.bracketed_hosts",
    lambda: st.tuples(bracketed_services, st.lists(_BRACKETED, max_size=2)),
    requires=("server.federation", "graph.sparql_inspection"),
    examples=(
        ("SELECT * { SERVICE <http://[x/> {} }", []),
        ("SELECT * { SERVICE <http://[zz]/sparql> {} }", ["http://[zz]/sparql"]),
        ("BASE <http://[> SELECT * { SERVICE <a> {} }", []),
    ),
)
def check_services_any_text(case: tuple[str, list[str]]) -> None:
    """Any request text is let through or refused with ComityError, never another error."""
    from graph.sparql_inspection import service_calls
    from ontology.errors import ComityError
    from server.federation import check_services

    text, allow = case
    try:
        check_services(text, tuple(allow), _resolver({}))
    except ComityError:
        assert "service" in text.lower(), f"refused a request without SERVICE: {text!r}"
        return
    for call in service_calls(text):
        assert call.iri is not None and _listed(call.iri, tuple(allow)), f"let through {call}"


# --- USING clauses of the update protocol --------------------------------------------------------

_UPDATE_OPERATIONS = st.sampled_from(
    [
        "INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }",
        "DELETE DATA { <http://example.org/a> <http://example.org/p> 1 }",
        "DELETE WHERE { ?s <http://example.org/p> ?o }",
        "INSERT { ?s <http://example.org/q> ?o } WHERE { ?s <http://example.org/p> ?o }",
        "DELETE { ?s ?p ?o } INSERT { ?o ?p ?s } WHERE { ?s ?p ?o FILTER (?o != 'WHERE') }",
        "DELETE { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "INSERT { ?s ?p 'x' } USING <http://example.org/g> WHERE { ?s ?p ?o }",
        "CLEAR SILENT GRAPH <http://example.org/g>",
        "# a comment with WHERE in it\nINSERT { ?s ?p 2 } WHERE { ?s ?p ?o }",
    ]
)
updates = st.one_of(
    st.lists(_UPDATE_OPERATIONS, min_size=1, max_size=3).map(" ;\n".join),
    st.lists(
        st.sampled_from(["WHERE", "DELETE", "INSERT", "USING", "WITH", "{", "}", "'", "#", "\n"]),
        max_size=12,
    ).map(" ".join),
    st.text(max_size=80),
)
_GRAPH_IRIS = st.lists(
    st.sampled_from(["http://example.org/g", "http://example.org/h"]), max_size=2
)


@target(
    "update_protocol.add_using",
    # The server adds clauses only when the request names at least one graph.
    lambda: st.tuples(updates, _GRAPH_IRIS, _GRAPH_IRIS).filter(lambda case: case[1] or case[2]),
    requires=("graph.sparql_inspection",),
)
def check_add_using(case: tuple[str, list[str], list[str]]) -> None:
    """USING clauses are only added: the update text is kept, a valid update stays valid.

    The documented refusal is a ValueError, for an update that names its own dataset.
    """
    from graph.sparql_inspection import add_using

    update, using, using_named = case
    try:
        result = add_using(update, using, using_named)
    except ValueError:
        assert any(word in update.upper() for word in ("USING", "WITH")), update
        return
    clauses = " ".join(
        [f"USING <{iri}>" for iri in using] + [f"USING NAMED <{iri}>" for iri in using_named]
    )
    assert result.replace(clauses + " ", "") == update.replace(clauses + " ", ""), result
    if not _update_error(update):
        error = _update_error(result)
        assert not error, f"adding USING broke a valid update: {result!r}: {error}"


def _update_error(update: str) -> str:
    """Oxigraph's syntax error for an update (run on a throwaway empty store), or ""."""
    if "LOAD" in update.upper() or "SERVICE" in update.upper():
        return "not tried: it would reach the network"
    try:
        pyoxigraph.Store().update(update)
    except SyntaxError as error:
        return str(error)
    return ""


# --- the SPARQL endpoint as a whole --------------------------------------------------------------


@cache
def _client():
    """A test client of a real application over an in-memory store, federation off.

    With no SERVICE endpoint allowed, no generated query can make the server reach the network.
    """
    import graph
    from server.app import create_app
    from server.config import ServerConfig

    config = ServerConfig(store="memory:", timeout=5, service_allow=(), workers=1)
    return create_app(config, knowledge_graph=graph.open("memory:")).test_client()


_QUERY_TEXTS = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(
        [
            "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
            "ASK { ?s a ?type }",
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2",
            "DESCRIBE <https://w3id.org/comity/id/state/FRA>",
            "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
            "SELECT * { FILTER NOT EXISTS { ?s ?p ?o } }",
            "SELECT * { SERVICE <https://dbpedia.org/sparql> { ?s ?p ?o } }",
            "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
            "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
            "SELECT * { ?s ?p ?o } ORDER BY ?nothing LIMIT 1 OFFSET 99999999",
        ]
    ),
)


@st.composite
def query_requests(draw: st.DrawFn) -> dict[str, object]:
    """A request to /sparql: how the query is sent, its parameters and its Accept header."""
    parameters: dict[str, str] = {}
    query = draw(_QUERY_TEXTS)
    for name, values in (
        ("format", format_names),
        ("timeout", st.sampled_from(["1", "0", "-3", "nan", "inf", "x", "1e9"])),
        ("default-graph-uri", st.sampled_from(["http://example.org/g", "not an iri", "<>"])),
    ):
        value = draw(st.none() | values)
        if value is not None:
            parameters[name] = value
    return {
        "how": draw(st.sampled_from(["get", "form", "direct", "direct, not UTF-8"])),
        "query": query,
        "parameters": parameters,
        # HTTP cannot carry a line break inside a header value.
        "accept": draw(st.none() | accept_headers.map(lambda value: " ".join(value.splitlines()))),
    }


_ANSWERS = {200, 400, 406, 413, 415, 503}


@target(
    "server.query_requests",
    query_requests,
    requires=("server.app", "server.sparql"),
    quick_examples=40,
)
def check_query_requests(request: dict[str, object]) -> None:
    """Any query request is answered, or refused with a 4xx saying why; never a 500."""
    client = _client()
    headers = {"Accept": request["accept"]} if request["accept"] is not None else {}
    parameters = request["parameters"]
    query = request["query"]
    if request["how"] == "get":
        response = client.get(
            "/sparql", query_string={**parameters, "query": query}, headers=headers
        )
    elif request["how"] == "form":
        response = client.post("/sparql", data={**parameters, "query": query}, headers=headers)
    else:
        response = client.post(
            "/sparql",
            query_string=parameters,
            data=query.encode() + (b"\xff" if request["how"] == "direct, not UTF-8" else b""),
            content_type="application/sparql-query",
            headers=headers,
        )
    body = response.get_data()
    assert response.status_code in _ANSWERS, f"{response.status_code}: {body[:300]!r}"
    if response.status_code >= 400:
        assert body.strip(), f"a {response.status_code} without a message"


_IRI_PARTS = st.sampled_from(
    [
        "state/FRA",
        "state/FRA.ttl",
        "treaty/ets-185",
        "treaty/ets-185.jsonld",
        "org/council-of-europe",
        "nothing/here",
        "%00",
        "..%2F..%2Fetc",
        "a b",
        "x.unknown",
        "",
        "ü",
        "%",
        ">",
    ]
)
_READ_PATHS = st.one_of(
    _IRI_PARTS.map("/id/{}".format),
    st.sampled_from(["/ontology", "/void", "/", "/store?default"]),
    st.sampled_from(
        ["https://w3id.org/comity/graph/reference", "not an iri", "", "<x>", "http://[::1"]
    ).map(lambda iri: f"/store?graph={iri}"),
    st.text(alphabet="/abc.?=&%#", max_size=20).map(lambda path: "/id/" + path),
)


@target(
    "server.read_requests",
    lambda: st.tuples(_READ_PATHS, st.none() | accept_headers),
    requires=("server.app", "server.resources", "server.graph_store"),
    quick_examples=60,
)
def check_read_requests(case: tuple[str, str | None]) -> None:
    """Reading pages, resources and graphs answers or refuses with a 4xx; never a 500."""
    path, accept = case
    headers = {"Accept": " ".join(accept.splitlines())} if accept is not None else {}
    response = _client().get(path, headers=headers)
    body = response.get_data()
    assert response.status_code < 500, f"GET {path}: {response.status_code}: {body[:300]!r}"
