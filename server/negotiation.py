"""Content negotiation for SPARQL results and RDF: `Accept` with q-values, or `format=`.

A `format=` parameter wins over `Accept`, because browsers and shell one-liners cannot set
the header; without either the first (default) format of the family is answered.
"""

import functools
from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import BadRequest
from werkzeug.http import parse_accept_header

from graph import formats as graph_formats
from graph.formats import format_names, other_media_types


@dataclass(frozen=True)
class Format:
    """One answer format: the media type sent back and the names that ask for it."""

    media_type: str
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header: text formats say they are UTF-8."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


SOLUTION_FORMATS = (
    Format("application/sparql-results+json", ("json", "srj"), ("application/json",)),
    Format("application/sparql-results+xml", ("xml", "srx"), ("application/xml", "text/xml")),
    Format("text/csv", ("csv",)),
    Format("text/tab-separated-values", ("tsv",)),
)

RDF_FORMATS = tuple(
    Format(rdf.media_type, format_names(rdf), other_media_types(rdf))
    for rdf in graph_formats.RDF_FORMATS.values()
)
"""Every RDF format, from the graph layer's one table, Turtle first."""

HTML_FORMAT = Format("text/html", ("html",), ("application/xhtml+xml",))
"""A page for people: offered first where a browser is expected, last where a client is."""

_FAMILIES = (SOLUTION_FORMATS, RDF_FORMATS, (HTML_FORMAT,))
FORMAT_NAMES = sorted({name for family in _FAMILIES for f in family for name in f.names})


def negotiate(
    family: tuple[Format, ...], accept: MIMEAccept, format_name: str | None
) -> Format | None:
    """The best format of a family for this request, or None when the client accepts none."""
    if format_name:
        wanted = format_name.strip().lower()
        for candidate in family:
            if wanted in candidate.names or wanted in (candidate.media_type, *candidate.aliases):
                return candidate
        if not any(
            wanted in f.names or wanted == f.media_type for other in _FAMILIES for f in other
        ):
            raise BadRequest(
                f"format={format_name!r} is unknown; use one of {', '.join(FORMAT_NAMES)} "
                "or a media type"
            )
        return None
    offers: list[str] = []
    owners: dict[str, Format] = {}
    for candidate in family:
        for media_type in (candidate.media_type, *candidate.aliases):
            if media_type not in owners:
                offers.append(media_type)
                owners[media_type] = candidate
    if not accept:
        return family[0]
    # "text/turtle; charset=utf-8": every answer is UTF-8, and a media type's parameters do not
    # make it another format; Werkzeug would compare them as part of the type.
    accept = MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in accept])
    best = accept.best_match(offers)
    return owners[best] if best is not None else None


def negotiate_header(
    family: tuple[Format, ...], accept_header: str | None, format_name: str | None
) -> Format | None:
    """`negotiate` for a raw Accept header, remembered: clients repeat the same few headers,
    and parsing and matching one costs more than the rest of a cached query's answer. Only
    short values are remembered, so that odd clients cannot fill the memory."""
    if len(accept_header or "") + len(format_name or "") > REMEMBERED_HEADER_CHARS:
        return negotiate(family, parse_accept_header(accept_header, MIMEAccept), format_name)
    return _negotiate_remembered(family, accept_header, format_name)


REMEMBERED_HEADER_CHARS = 1024


@functools.lru_cache(maxsize=256)
def _negotiate_remembered(
    family: tuple[Format, ...], accept_header: str | None, format_name: str | None
) -> Format | None:
    return negotiate(family, parse_accept_header(accept_header, MIMEAccept), format_name)


def media_types(family: tuple[Format, ...]) -> str:
    """The family's media types, for messages."""
    return ", ".join(candidate.media_type for candidate in family)
