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
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import pyoxigraph
from flask import Blueprint, Response, current_app, g, request, url_for
from werkzeug.datastructures import MultiDict, WWWAuthenticate
from werkzeug.exceptions import (
    BadGateway,
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    NotAcceptable,
    ServiceUnavailable,
    Unauthorized,
    UnprocessableEntity,
    UnsupportedMediaType,
)

from graph.query_execution import AnswerCache, FailureReason, QueryFailed, QueryJob, answer
from ontology.errors import ComityError
from server.credentials import Verdict, check_write, sharing_client
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
from server.request_text import before_base, undeclared_prefix, with_service_base
from server.response_cache import ROWS, mark_cacheable
from server.service_relay import RoutedText
from server.sparql_lexer import add_using, hoist_declarations, nesting_error

if TYPE_CHECKING:
    from server.app import ComityState

blueprint = Blueprint("sparql", __name__)
log = logging.getLogger("comity.server")

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


def state() -> "ComityState":
    """The application's Comity state (graph, configuration, query runner)."""
    return current_app.extensions["comity"]


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


def parse_parameters(raw: bytes, where: str) -> MultiDict[str, str]:
    """Decode URL-encoded parameters strictly: bytes that are not UTF-8 are an error, not '?'."""
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequest(
            f"{where} is not UTF-8 (byte {error.start + 1}); encode the request as UTF-8"
        ) from error
    return MultiDict(pairs)


def body_text(where: str) -> str:
    """The request body as UTF-8 text; an empty or undecodable body is a 400."""
    data = request.get_data()
    if not data.strip():
        raise BadRequest(f"{where} is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(
            f"{where} is not UTF-8 (byte {error.start + 1}); encode the request as UTF-8"
        ) from error


def optional(parameters: MultiDict[str, str], name: str) -> str | None:
    """A parameter's first value, or None. (MultiDict.get builds and catches an HTTP exception
    for each missing name, which costs more than the rest of a cached answer's look-ups.)"""
    return parameters.get(name) if name in parameters else None


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


def requesting_client() -> str:
    """Whom this request's queries count against when the workers are shared out."""
    config = state().config
    authorization = request.headers.get("Authorization", "")
    address = request.remote_addr or ""
    return sharing_client(authorization, address, config.token, config.accounts)


def _routed(sparql: str) -> RoutedText:
    """The request with its SERVICE calls sent through the relay, when the server has one."""
    relay = state().relay
    return relay.route(sparql) if relay is not None else RoutedText(sparql, sparql)


def stream_answer(job: QueryJob, timeout: float, routed: RoutedText | None = None) -> Response:
    """Run a query job and stream its answer, or turn its failure into the right status.

    With `routed`, a failure is reported about the client's text, not the relayed one (nor
    the one with the service's base in front)."""
    comity = state()
    generation = comity.responses.generation  # read before the answer is computed
    try:
        result = answer(comity.runner, job, timeout)
    except QueryFailed as failure:
        if routed is not None:
            added = len(job.sparql) - len(routed.sparql)
            failure = QueryFailed(failure.reason, before_base(failure.message, added))
            failure = _explained(routed.failure(failure), routed.original)
        raise http_error(failure) from None
    request.environ[ROWS] = result.rows
    family = SOLUTION_FORMATS if result.kind != "graph" else RDF_FORMATS
    chosen = next(f for f in family if f.media_type == result.media_type)
    # An answer held in memory (at most MEMORY_ANSWER_BYTES) goes out in one piece with its
    # length; a larger one streams from its file in chunks.
    in_memory = result.body if isinstance(result.body, bytes) else None
    body = in_memory if in_memory is not None else result.chunks()
    if in_memory is not None and comity.keeps_answers and AnswerCache.key(job) is not None:
        mark_cacheable(request.environ, generation, in_memory)
    return Response(
        body,
        content_type=chosen.content_type,
        headers={"Vary": "Accept"},
        direct_passthrough=True,
    )


def _explained(failure: QueryFailed, sparql: str) -> QueryFailed:
    """A syntax error caused by an undeclared prefix, said in those words."""
    if failure.reason is not FailureReason.SYNTAX:
        return failure
    undeclared = undeclared_prefix(sparql)
    if undeclared is None:
        return failure
    return QueryFailed(failure.reason, f"invalid SPARQL query: {undeclared}")


def _service_url() -> str:
    """This endpoint's own URL: the base of a request that writes relative IRIs without one."""
    return url_for("sparql.endpoint", _external=True)


def http_error(failure: QueryFailed) -> HTTPException:
    """The HTTP answer for a query that could not be answered."""
    reason = failure.reason
    if reason in (FailureReason.SYNTAX, FailureReason.REQUEST):
        return BadRequest(failure.message)
    if reason is FailureReason.NOT_ACCEPTABLE:
        return NotAcceptable(failure.message)
    if reason is FailureReason.ROWS:
        return UnprocessableEntity(failure.message)
    if reason is FailureReason.SERVICE:
        return BadGateway(failure.message)
    if reason in (FailureReason.TIMEOUT, FailureReason.BUSY, FailureReason.MEMORY):
        unavailable = ServiceUnavailable(failure.message)
        unavailable.retry_after = 5 if reason is FailureReason.BUSY else None
        return unavailable
    log.error("query failed: %s", failure.message)
    return InternalServerError("the query failed inside the server; the server log says why")


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


def require_write_access() -> None:
    """Writes need the token or a write account: 401 without credentials, 403 when wrong."""
    g.write = True
    config = state().config
    if not config.token and not config.accounts:
        raise Forbidden(
            "this endpoint is read-only; the operator can allow writes by starting the server "
            "with --token (or COMITY_TOKEN) or --users FILE"
        )
    verdict, reason = check_write(
        request.headers.get("Authorization", ""), config.token, config.accounts
    )
    if verdict is Verdict.MISSING:
        challenges = [WWWAuthenticate("bearer", {"realm": "comity"})]
        challenges.append(WWWAuthenticate("basic", {"realm": "comity", "charset": "UTF-8"}))
        raise Unauthorized(reason, www_authenticate=challenges)
    if verdict is Verdict.REFUSED:
        raise Forbidden(reason)


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
