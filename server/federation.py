"""SERVICE and LOAD are allowed only towards endpoints the operator listed.

Oxigraph calls SERVICE endpoints and fetches LOAD documents itself, over HTTP, while the
request runs. A public endpoint must not become a way to reach the machine's own services or
the private network behind it, so every SERVICE target and every LOAD source is checked against
the one allowlist before the request starts, and a refused one is never contacted:

* the IRI must start with one of the allowed prefixes (`--service-allow`), at a boundary
  (`/`, `?` or `#`), so that `https://dbpedia.org/sparql` does not admit
  `https://dbpedia.org/sparql.example.net/`;
* any IRI whose host is loopback or a private address is refused unless a prefix lists it
  literally; `file:` IRIs, and any scheme but http and https, are refused even when listed;
* a listed host given by name is resolved, and refused when it resolves to a loopback or
  private address (list it by address to allow that), so a DNS answer cannot redirect the
  server to itself;
* SERVICE with a variable is refused: its endpoint is only known while the query runs, too
  late to check.

A refused `SERVICE SILENT` clause is not an error: the Recommendation has a failing SILENT
service contribute one empty solution, so `silence_refused` puts an empty group `{}` in its
place before the query runs (and the endpoint is never contacted). A refused `LOAD SILENT`
likewise does nothing: `check_loads` puts an empty `INSERT DATA {}` in its place.

With an embedded store, Oxigraph does not call the endpoints itself: each SERVICE and LOAD IRI
is rewritten to point at the server's own relay (server/service_relay.py), which checks the IRI
again, connects only to the address it checked, and refuses to follow redirects, so an allowed
endpoint cannot send the server on to another host. A remote store evaluates SERVICE itself.
"""

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from graph.sparql_inspection import load_calls, service_calls
from graph.sparql_tokens import tokens
from ontology.errors import ComityError

Resolver = Callable[[str], Iterable[str]]

# What a refused LOAD SILENT becomes: an operation that does nothing, as a failed one does.
_NOTHING = "INSERT DATA {}"


class ServiceRefused(ComityError):
    """A SERVICE clause or a LOAD names an endpoint or a document this server does not call."""


def resolve(host: str) -> list[str]:
    """The addresses a host name resolves to (no connection is made)."""
    # An IPv4 or IPv6 address is a string; typeshed's union also allows other families' ints.
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]


def check_services(sparql: str, allow: Iterable[str], resolver: Resolver = resolve) -> None:
    """Raise ServiceRefused unless every SERVICE in the request may be called."""
    allowed = tuple(allow)
    for call in service_calls(sparql):
        if call.variable is not None:
            raise ServiceRefused(
                f"SERVICE {call.variable}: an endpoint named by a variable cannot be checked "
                "before the query runs, so it is refused; write the endpoint's IRI instead"
            )
        if call.iri is None:
            raise ServiceRefused(
                "a SERVICE clause names no endpoint IRI this server can read; "
                "write SERVICE <https://...> with an absolute IRI"
            )
        _check_endpoint(call.iri, allowed, resolver)


def silence_refused(sparql: str, allow: Iterable[str], resolver: Resolver = resolve) -> str:
    """The text with every refused `SERVICE SILENT` clause replaced by `{}`, padded with
    spaces so that every other token keeps its line and column."""
    found = service_calls(sparql)
    if not found:
        return sparql
    allowed = tuple(allow)
    calls = iter(found)
    stream = list(tokens(sparql))
    spans: list[tuple[int, int]] = []
    for index, token in enumerate(stream):
        if not token.is_word("SERVICE"):
            continue
        call = next(calls)
        if not call.silent or call.nested or (spans and token.start < spans[-1][1]):
            continue
        if call.iri is not None and _may_call(call.iri, allowed, resolver):
            continue
        end = _group_end(stream, index)
        if end is not None:
            spans.append((token.start, end))
    for start, end in reversed(spans):
        blank = re.sub(r"[^\n]", " ", sparql[start + 2 : end])
        sparql = sparql[:start] + "{}" + blank + sparql[end:]
    return sparql


def check_loads(update: str, allow: Iterable[str], resolver: Resolver = resolve) -> str:
    """The update as it may run: raise ServiceRefused for a LOAD of a document the allowlist
    does not admit; a refused `LOAD SILENT` becomes an operation that does nothing, padded
    with spaces so that every other token keeps its line and column."""
    allowed = tuple(allow)
    for call in reversed(load_calls(update)):
        if call.iri is None:
            if call.silent:
                continue  # the engine reports the missing IRI as the syntax error it is
            raise ServiceRefused(
                "a LOAD names no document IRI this server can read; "
                "write LOAD <https://...> with an absolute IRI"
            )
        if not call.silent:
            _check_endpoint(call.iri, allowed, resolver, "LOAD")
        elif not _may_call(call.iri, allowed, resolver, "LOAD"):
            start, end = call.operation
            blank = re.sub(r"[^\n]", " ", update[start + len(_NOTHING) : end])
            update = update[:start] + _NOTHING + blank + update[end:]
    return update


def _may_call(
    iri: str, allowed: tuple[str, ...], resolver: Resolver, operation: str = "SERVICE"
) -> bool:
    try:
        _check_endpoint(iri, allowed, resolver, operation)
    except ServiceRefused:
        return False
    return True


def _group_end(stream: list, index: int) -> int | None:
    """Where the group of the SERVICE clause at `index` ends (just after its closing brace)."""
    depth = 0
    for token in stream[index:]:
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
            if depth == 0:
                return token.start + 1
    return None


def endpoint_addresses(
    iri: str, allow: Iterable[str], resolver: Resolver = resolve, operation: str = "SERVICE"
) -> list[str]:
    """The addresses the server may connect to for this endpoint (or, for `operation` "LOAD",
    this document), after the same checks.

    Resolving once and connecting to what was checked leaves a DNS answer no second chance to
    point elsewhere. Raises ServiceRefused as check_services does.
    """
    addresses = _check_endpoint(iri, tuple(allow), resolver, operation)
    if addresses is not None:
        return addresses
    host = urlsplit(iri).hostname or ""
    return [host] if _is_address(host) else _addresses(iri, host, resolver, operation)


def _check_endpoint(
    iri: str, allowed: tuple[str, ...], resolver: Resolver, operation: str = "SERVICE"
) -> list[str] | None:
    """Raise ServiceRefused unless the endpoint may be called (by SERVICE or LOAD, as
    `operation` says); the addresses it resolved to, or None when its host is an address or
    "localhost", which are taken as listed."""
    listed = [prefix for prefix in allowed if _starts_with(iri, prefix)]
    try:
        parts = urlsplit(iri)
        parts.hostname  # noqa: B018 - urllib checks the brackets of an IPv6 host only here
    except ValueError as error:
        raise ServiceRefused(f"{operation} <{iri}>: not a usable IRI ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ServiceRefused(
            f"{operation} <{iri}> is refused: only http and https IRIs are called, never "
            f"{f'{scheme}:' if scheme else 'relative'} ones, even when --service-allow lists them"
        )
    if not listed:
        if _is_internal_host(parts.hostname or ""):
            reason = "it points to this machine or a private network"
        else:
            reason = "it is not in the list of allowed endpoints"
        how_to = (
            "start the server with --service-allow PREFIX to allow it"
            if allowed
            else "federation is off: start the server with --service-allow PREFIX to allow it"
        )
        raise ServiceRefused(f"{operation} <{iri}> is refused: {reason}; {how_to}")
    host = parts.hostname or ""
    if not host or _is_address(host) or host.lower() == "localhost":
        return None
    addresses = _addresses(iri, host, resolver, operation)
    internal = [address for address in addresses if _is_internal_address(address)]
    if internal:
        raise ServiceRefused(
            f"{operation} <{iri}> is refused: {host} resolves to the internal address "
            f"{internal[0]}; list the endpoint by that address with --service-allow to allow it"
        )
    return addresses


def _addresses(iri: str, host: str, resolver: Resolver, operation: str = "SERVICE") -> list[str]:
    try:
        return list(resolver(host))
    except (OSError, UnicodeError) as error:
        raise ServiceRefused(
            f"{operation} <{iri}> is refused: its host {host} does not resolve ({error})"
        ) from error


def _starts_with(iri: str, prefix: str) -> bool:
    """Prefix match at a boundary, so that a listed endpoint does not admit look-alikes."""
    if not iri.startswith(prefix):
        return False
    rest = iri[len(prefix) :]
    return not rest or prefix.endswith(("/", "?", "#", "=")) or rest[0] in "/?#"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_internal_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    return _is_address(host) and _is_internal_address(host)


def _is_internal_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )
