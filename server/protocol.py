"""What every SPARQL protocol view shares: the request's parameters and body, write access,
and the answer to a query job or the HTTP error for its failure."""

import logging
from urllib.parse import parse_qsl

from flask import Response, g, request
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
)

from graph.query_execution import AnswerCache, FailureReason, QueryFailed, QueryJob, answer
from server.credentials import Verdict, check_write
from server.negotiation import RDF_FORMATS, SOLUTION_FORMATS
from server.request_text import before_base, undeclared_prefix
from server.response_cache import ROWS, mark_cacheable
from server.service_relay import RoutedText
from server.state import state

log = logging.getLogger("comity.server")

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


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
