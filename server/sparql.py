"""/sparql: the SPARQL 1.1 Protocol, query and update operations.

Queries come as GET `query=`, as a POSTed form, or as a POSTed `application/sparql-query`
body; updates as a POSTed form (`update=`) or an `application/sparql-update` body. A plain GET
without a query answers the service description.

Choices the Recommendation leaves open, made here:

* A `default-graph-uri` or `named-graph-uri` naming a graph the store does not hold is an
  empty graph (the answer is 200 with no solutions from it), as in the query language's own
  dataset semantics; the protocol's dataset replaces any FROM / FROM NAMED of the query.
  Without them the default graph is the union of all graphs.
* A result larger than `--max-rows` is answered 422 with a message saying which limit and how
  to get the data (LIMIT / OFFSET, or a larger --max-rows): never a truncated 200.
* `timeout=` (seconds) may ask for less than the server's limit, never more.
* Updates answer 204 No Content; they are refused unless the server has a token. LOAD reads
  only documents the SERVICE allowlist admits, as SERVICE calls only those endpoints
  (server/federation.py); a document that cannot be fetched or read is 502, and nothing of
  the update is written.
"""

import logging

import pyoxigraph
from flask import Blueprint, Response, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import (
    BadGateway,
    BadRequest,
    NotAcceptable,
    UnsupportedMediaType,
)

from graph.query_execution import QueryJob
from graph.sparql_inspection import add_using, hoist_declarations, nesting_error
from ontology.errors import ComityError
from server.description import (
    dataset_iri,
    negotiate_rdf,
    publication,
    rdf_response,
    service_description,
    service_page,
    wants_html,
)
from server.federation import check_loads, check_services, silence_refused
from server.negotiation import RDF_FORMATS, SOLUTION_FORMATS, media_types, negotiate_header
from server.protocol import (
    FORM,
    QUERY_BODY,
    UPDATE_BODY,
    body_text,
    optional,
    parse_parameters,
    require_write_access,
    stream_answer,
)
from server.request_text import before_base, undeclared_prefix, with_service_base
from server.service_relay import RoutedText
from server.state import requesting_client, state

blueprint = Blueprint("sparql", __name__)
log = logging.getLogger("comity.server")


@blueprint.route("/sparql", methods=["GET", "POST"], endpoint="endpoint")
def endpoint() -> Response:
    """Dispatch by method and media type, as the protocol's operation table says."""
    if request.method == "GET":
        parameters = parse_parameters(request.query_string, "the URL's query string")
        if "update" in parameters:
            raise BadRequest("a SPARQL Update must be sent with POST, not GET")
        if "query" not in parameters:
            return _service_description()
        return _query(parameters.getlist("query"), parameters)
    media_type = request.mimetype
    if media_type == FORM:
        parameters = parse_parameters(request.get_data(), "the form body")
        if "query" in parameters and "update" in parameters:
            raise BadRequest("the request has both query= and update=; send one operation")
        if "update" in parameters:
            return _update(parameters.getlist("update"), parameters)
        if "query" in parameters:
            return _query(parameters.getlist("query"), parameters)
        raise BadRequest("the form has neither query= nor update=; send one of them")
    if media_type in (QUERY_BODY, UPDATE_BODY):
        parameters = parse_parameters(request.query_string, "the URL's query string")
        if "query" in parameters or "update" in parameters:
            raise BadRequest(
                f"with a {media_type} body the operation is the body; "
                "do not repeat it as a URL parameter"
            )
        text = body_text(f"the {media_type} body")
        if media_type == QUERY_BODY:
            return _query([text], parameters)
        return _update([text], parameters)
    raise UnsupportedMediaType(
        f"POST /sparql takes {FORM}, {QUERY_BODY} or {UPDATE_BODY}, "
        f"not {media_type or 'a body without Content-Type'}"
    )


def _single(values: list[str], name: str) -> str:
    if len(values) != 1:
        raise BadRequest(f"the request has {len(values)} {name}= parameters; send exactly one")
    if not values[0].strip():
        raise BadRequest(f"the {name} is empty")
    return values[0]


def _checked_nesting(sparql: str) -> str:
    """The request, unless it nests deeper than the server's limit (400): checked before
    anything parses it, since a parser's recursion would take the process down."""
    error = nesting_error(sparql, state().config.max_nesting)
    if error is not None:
        raise BadRequest(error)
    return sparql


def _iris(parameters: MultiDict[str, str], name: str) -> list[str]:
    values = parameters.getlist(name)
    for value in values:
        try:
            pyoxigraph.NamedNode(value)
        except ValueError as error:
            raise BadRequest(f"{name}={value!r} is not an absolute IRI ({error})") from error
    return values


def _timeout(parameters: MultiDict[str, str]) -> float:
    limit = state().config.timeout
    asked = optional(parameters, "timeout")
    if asked is None or asked == "":
        return limit
    try:
        seconds = float(asked)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0:
        raise BadRequest(f"timeout={asked!r} is not a positive number of seconds")
    return min(seconds, limit)


def _query(queries: list[str], parameters: MultiDict[str, str]) -> Response:
    sparql = _checked_nesting(_single(queries, "query"))
    default_graph = _iris(parameters, "default-graph-uri")
    named_graphs = _iris(parameters, "named-graph-uri")
    config = state().config
    sparql = silence_refused(sparql, config.service_allow)
    check_services(sparql, config.service_allow)
    routed = _routed(sparql)
    timeout = _timeout(parameters)
    format_name = optional(parameters, "format")
    accept = request.headers.get("Accept")
    solutions = negotiate_header(SOLUTION_FORMATS, accept, format_name)
    graph = negotiate_header(RDF_FORMATS, accept, format_name)
    if solutions is None and graph is None:
        raise NotAcceptable(
            "no acceptable format; query results are available as "
            f"{media_types(SOLUTION_FORMATS)} and graphs as {media_types(RDF_FORMATS)}"
        )
    dataset_given = bool(default_graph or named_graphs)
    job = QueryJob(
        sparql=with_service_base(routed.sparql, _service_url()),
        default_graph=default_graph or None,
        named_graphs=named_graphs or None,
        union_default_graph=not dataset_given,
        solutions_media_type=solutions.media_type if solutions else None,
        graph_media_type=graph.media_type if graph else None,
        max_rows=config.max_rows,
        output=state().answers.new_file(),
        client=requesting_client(),
        memory_limit=config.memory_limit,
    )
    return stream_answer(job, timeout, routed)


def _routed(sparql: str) -> RoutedText:
    """The request with its SERVICE calls sent through the relay, when the server has one."""
    relay = state().relay
    return relay.route(sparql) if relay is not None else RoutedText(sparql, sparql)


def _service_url() -> str:
    """This endpoint's own URL: the base of a request that writes relative IRIs without one."""
    return url_for("sparql.endpoint", _external=True)


def _update(updates: list[str], parameters: MultiDict[str, str]) -> Response:
    require_write_access()
    sparql = _checked_nesting(_single(updates, "update"))
    using = _iris(parameters, "using-graph-uri")
    using_named = _iris(parameters, "using-named-graph-uri")
    if using or using_named:
        try:
            sparql = add_using(sparql, using, using_named)
        except ValueError as error:
            raise BadRequest(str(error)) from error
    allow = state().config.service_allow
    sparql = check_loads(silence_refused(sparql, allow), allow)
    check_services(sparql, allow)
    routed = _routed(sparql)
    based = hoist_declarations(with_service_base(routed.sparql, _service_url()))
    try:
        state().write(based)
    except (ComityError, OSError) as error:
        explained = routed.service_failure(str(error))
        if explained is not None:
            raise BadGateway(explained) from error
        if isinstance(error, ComityError) and str(error).startswith("invalid SPARQL update"):
            undeclared = undeclared_prefix(routed.original)
            if undeclared is not None:
                raise ComityError(f"invalid SPARQL update: {undeclared}") from error
        if isinstance(error, ComityError) and (routed.edits or based != routed.sparql):
            message = before_base(str(error), len(based) - len(routed.sparql))
            raise ComityError(routed.message(message)) from error
        if isinstance(error, OSError):  # what the engine reports of a call to another server
            raise BadGateway(f"the update's call to another server failed: {error}") from error
        raise
    return Response(status=204)


def _service_description() -> Response:
    if wants_html():
        return service_page()
    chosen = negotiate_rdf()
    comity = state()
    endpoint = url_for("sparql.endpoint", _external=True)
    triples = service_description(
        endpoint, dataset_iri(), comity.config, comity.statistics(), publication()
    )
    return rdf_response(triples, chosen)
