"""/store: the SPARQL 1.1 Graph Store HTTP Protocol, `?graph=IRI` or `?default`.

Reads go through the same killable query workers as /sparql (with the time limit, without the
row limit: a graph download is an export). Writes need the token, are parsed completely before
the store is touched, and become one SPARQL Update each, so they are atomic, never touch the
inferred graph, and are followed by reasoning like any other update.

A named graph exists when it holds at least one triple: GET, HEAD and DELETE of an empty or
unknown graph are 404, and PUT or POST creating it are 201. The default graph (the store's
own, not the union) always exists.

Graphs are named indirectly (`/store?graph=IRI`) or directly: `/store/any/path` is the graph
whose IRI is that URL. A POST to `/store` itself creates a new graph named under the store's
URL and answers 201 with its Location. A POST may also carry its RDF as the files of a
multipart/form-data body, all of them added to the one graph.
"""

import uuid

import pyoxigraph
from flask import Blueprint, Response, request
from werkzeug.exceptions import (
    BadRequest,
    NotAcceptable,
    NotFound,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from graph.formats import format_of_media_type
from graph.query_execution import QueryJob
from graph.xml_entities import expanded_size
from server.negotiation import RDF_FORMATS, media_types, negotiate
from server.protocol import parse_parameters, require_write_access, stream_answer
from server.state import requesting_client, state

blueprint = Blueprint("graph_store", __name__)


@blueprint.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"], endpoint="store")
@blueprint.route("/store/<path:name>", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store(name: str | None = None) -> Response:
    """One graph, named by ?graph=, ?default or the URL itself, read or written by the HTTP
    method; a POST naming no graph creates one."""
    if name is None and request.method == "POST" and not request.query_string:
        require_write_access()
        return _create()
    graph = _target_graph() if name is None else _directly_named()
    if request.method in ("GET", "HEAD"):
        return _read(graph)
    require_write_access()
    if request.method == "DELETE":
        return _delete(graph)
    return _write(graph, replace=request.method == "PUT")


def _target_graph() -> str | None:
    """The graph IRI, or None for the default graph; 400 unless exactly one is named."""
    parameters = parse_parameters(request.query_string, "the URL's query string")
    named = parameters.getlist("graph")
    default = "default" in parameters
    if default == bool(named) or len(named) > 1:
        raise BadRequest("name exactly one graph: either ?graph=IRI or ?default")
    if default:
        return None
    try:
        pyoxigraph.NamedNode(named[0])
    except ValueError as error:
        raise BadRequest(f"graph={named[0]!r} is not an absolute IRI ({error})") from error
    return named[0]


def _directly_named() -> str:
    """The graph a URL under /store names: the URL itself (400 if it also names another)."""
    if request.query_string:
        raise BadRequest(
            "a graph URL under /store names its graph itself; drop the ?graph= or ?default"
        )
    return request.base_url


def _create() -> Response:
    """A new graph named under the store's URL, holding the POSTed triples."""
    graph = f"{request.base_url.rstrip('/')}/{uuid.uuid4().hex}"
    ntriples = _payload_as_ntriples(graph)
    if not ntriples.strip():
        raise BadRequest("the body holds no triples; a new graph needs at least one")
    state().write(f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}", graphs=[graph])
    return Response(status=201, headers={"Location": graph})


def _exists(graph: str | None) -> bool:
    """Whether a named graph (None: the stored default graph) holds any triple."""
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    return bool(state().graph.query(f"ASK {{ {pattern} }}", union_default_graph=False))


def _missing(graph: str) -> NotFound:
    return NotFound(f"the store has no graph <{graph}>")


def _read(graph: str | None) -> Response:
    chosen = negotiate(RDF_FORMATS, request.accept_mimetypes, request.args.get("format"))
    if chosen is None:
        raise NotAcceptable(
            f"no acceptable format; a graph is available as {media_types(RDF_FORMATS)}"
        )
    if graph is not None and not _exists(graph):
        raise _missing(graph)
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    job = QueryJob(
        sparql=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}",
        default_graph=None,
        named_graphs=None,
        union_default_graph=False,
        solutions_media_type=None,
        graph_media_type=chosen.media_type,
        max_rows=None,
        output=state().answers.new_file(),
        client=requesting_client(),
        memory_limit=state().config.memory_limit,
    )
    return stream_answer(job, state().config.timeout)


def _payload_as_ntriples(graph: str | None) -> str:
    """The request body parsed in full and written as N-Triples, or a 4xx saying what is wrong.

    A multipart/form-data body is read part by part (each file in its own format)."""
    if request.mimetype == "multipart/form-data":
        parts = list(request.files.items(multi=True))
        if not parts:
            raise BadRequest("the multipart/form-data body has no file parts holding RDF")
        return "".join(
            _as_ntriples(part.mimetype, part.read(), graph, f"part {field!r}")
            for field, part in parts
        )
    return _as_ntriples(request.mimetype, request.get_data(), graph, "body")


def _as_ntriples(mimetype: str, data: bytes, graph: str | None, what: str) -> str:
    """One RDF document parsed in full and written as N-Triples."""
    rdf_format = format_of_media_type(mimetype) if mimetype else None
    if rdf_format is None:
        raise UnsupportedMediaType(
            f"the {what}: {mimetype or 'no Content-Type'} is not an RDF format this "
            f"store reads; send {media_types(RDF_FORMATS)}"
        )
    if rdf_format == pyoxigraph.RdfFormat.RDF_XML:
        limit = state().config.max_body
        if expanded_size(data, limit) > limit:
            raise RequestEntityTooLarge(
                f"the RDF/XML {what} expands its own entities past {limit} bytes, the "
                "server's limit for a body (--max-body); nothing of it was parsed"
            )
    base = graph or request.base_url
    try:
        triples = pyoxigraph.parse(data, rdf_format, base_iri=base, without_named_graphs=True)
        ntriples = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
    except SyntaxError as error:
        raise BadRequest(f"the {rdf_format.name} {what} is not valid: {error}") from error
    except ValueError as error:
        raise BadRequest(f"the {rdf_format.name} {what} cannot be read: {error}") from error
    return ntriples.decode("utf-8")


def _write(graph: str | None, replace: bool) -> Response:
    ntriples = _payload_as_ntriples(graph)
    target = f"GRAPH <{graph}>" if graph else "DEFAULT"
    operations = [f"DROP SILENT {target}"] if replace else []
    if ntriples.strip():
        content = f"GRAPH <{graph}> {{\n{ntriples}\n}}" if graph else ntriples
        operations.append(f"INSERT DATA {{\n{content}\n}}")
    created = not _exists(graph)  # the default graph too, when it held nothing before
    if operations:
        update = " ;\n".join(operations)
        state().write(update, graphs=[graph])
    return Response(status=201 if created and ntriples.strip() else 204)


def _delete(graph: str | None) -> Response:
    if graph is not None and not _exists(graph):
        raise _missing(graph)
    target = f"GRAPH <{graph}>" if graph else "DEFAULT"
    state().write(f"DROP SILENT {target}", graphs=[graph])
    return Response(status=204)
