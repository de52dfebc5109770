"""What the inferred graph holds beyond OWL 2 RL: day bounds of dates, date conflicts, and
memberships that still hold.

Texts date acts at the precision they know: "in 2006", "in January 2006", "on 10 January 2006".
SPARQL cannot compare an `xsd:gYear` with an `xsd:date` (the comparison is an error, so a
FILTER silently drops the row), and OWL cannot say what day a year begins. So beside every
`comity:date`, `comity:since`, `comity:until` and `comity:asOf` the inferred graph holds the
first and last day the value can mean, as `xsd:date` (`comity:dateEarliest`,
`comity:dateLatest`, ...), and "before D" or "on D" become plain FILTERs on them.

An act is one node however many sources report it, so it can carry two dates. Dates that can
both be true (2006 and 2006-01-10) are two precisions of one day; dates whose day ranges do
not meet cannot both be true, and the act gets `comity:dateConflict true`. Both dates stay,
each beside its evidence in its own source graph.

The shortcut `comity:memberOf` holds now, so no source states it for a membership read in a
text (a text of 2015 says Russia is a member of the Council of Europe; it is not): it is
derived here for every `comity:Membership` node that has no `comity:until`, from the text
and the reference data together, and goes through OWL 2 RL reasoning like asserted triples.
"""

import calendar
import re
from collections import defaultdict
from collections.abc import Iterator

from ontology import COMITY, ORG, RDF, XSD

DATED_PROPERTIES = ("date", "since", "until", "asOf")
"""The Comity properties whose values get day bounds."""

CONFLICTING_PROPERTIES = frozenset({"date", "since", "until"})
"""The properties on which two sources can contradict each other (an "as of" is a moment of
reporting, so two different ones are no contradiction)."""

_XSD = re.escape(str(XSD).encode())
_DATED_LINE = re.compile(
    rb"^[ \t]*(?P<subject><[^>\s]+>)[ \t]+<"
    + re.escape(str(COMITY).encode())
    + rb"(?P<property>"
    + b"|".join(name.encode() for name in DATED_PROPERTIES)
    + rb')>[ \t]+"(?P<value>\d{4}(?:-\d{2}){0,2})"\^\^<'
    + _XSD
    + rb"(?:date|gYearMonth|gYear)>[ \t]*\.[ \t]*$",
    re.MULTILINE,
)


def day_bounds(value: str) -> tuple[str, str] | None:
    """The first and last day an ISO date of any precision can mean; None if it is no date."""
    parts = value.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return f"{year:04d}-01-01", f"{year:04d}-12-31"
        month = int(parts[1])
        last = calendar.monthrange(year, month)[1]
        if len(parts) == 2:
            return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
        day = int(parts[2])
    except (ValueError, calendar.IllegalMonthError):
        return None
    if not 1 <= day <= last:
        return None
    return (value, value)


def calendar_triples(asserted: bytes) -> bytes:
    """The day bounds and date conflicts that `asserted` (N-Triples) implies, as N-Triples."""
    lines: set[bytes] = set()
    ranges: dict[bytes, list[tuple[str, str]]] = defaultdict(list)
    for match in _DATED_LINE.finditer(asserted):
        bounds = day_bounds(match["value"].decode())
        if bounds is None:
            continue
        subject, name = match["subject"], match["property"].decode()
        for suffix, day in zip(("Earliest", "Latest"), bounds, strict=True):
            lines.add(_line(subject, f"{name}{suffix}", f'"{day}"^^<{XSD.date}>'))
        if name in CONFLICTING_PROPERTIES:
            ranges[subject + b" " + match["property"]].append(bounds)
    for key, bounds in ranges.items():
        if any(_apart(first, second) for first, second in _pairs(bounds)):
            subject = key.split(b" ", 1)[0]
            lines.add(_line(subject, "dateConflict", f'"true"^^<{XSD.boolean}>'))
    return b"".join(sorted(lines))


def _line(subject: bytes, name: str, value: str) -> bytes:
    return subject + f" <{COMITY[name]}> {value} .\n".encode()


def _pairs(bounds: list[tuple[str, str]]) -> Iterator[tuple[tuple[str, str], tuple[str, str]]]:
    distinct = sorted(set(bounds))
    for index, first in enumerate(distinct):
        for second in distinct[index + 1 :]:
            yield first, second


def _apart(first: tuple[str, str], second: tuple[str, str]) -> bool:
    """True when no day lies in both ranges."""
    return first[1] < second[0] or second[1] < first[0]


_IRI = rb"<[^>\s]+>"
_MEMBERSHIP_LINE = re.compile(
    rb"^[ \t]*(?P<subject>"
    + _IRI
    + rb")[ \t]+<(?P<predicate>"
    + b"|".join(
        re.escape(str(term).encode())
        for term in (RDF.type, ORG.member, ORG.organization, COMITY.until, COMITY.memberOf)
    )
    + rb")>[ \t]+(?P<object>"
    + _IRI
    + rb'|"[^\n]*)[ \t]*\.[ \t]*$',
    re.MULTILINE,
)


def standing_memberships(asserted: bytes) -> bytes:
    """`member comity:memberOf organisation` for each membership without an end, as N-Triples,
    leaving out those `asserted` already states."""
    kind, member, organisation, until, member_of = (
        str(term).encode()
        for term in (RDF.type, ORG.member, ORG.organization, COMITY.until, COMITY.memberOf)
    )
    membership_class = f"<{COMITY.Membership}>".encode()
    memberships: set[bytes] = set()
    ended: set[bytes] = set()
    members: dict[bytes, set[bytes]] = defaultdict(set)
    organisations: dict[bytes, set[bytes]] = defaultdict(set)
    stated: set[bytes] = set()
    for match in _MEMBERSHIP_LINE.finditer(asserted):
        subject, predicate, value = match["subject"], match["predicate"], match["object"]
        if predicate == kind and value == membership_class:
            memberships.add(subject)
        elif predicate == member:
            members[subject].add(value)
        elif predicate == organisation:
            organisations[subject].add(value)
        elif predicate == until:
            ended.add(subject)
        elif predicate == member_of:
            stated.add(subject + b" " + value)
    lines = {
        who + b" <" + member_of + b"> " + what + b" .\n"
        for node in memberships - ended
        for who in members[node]
        for what in organisations[node]
        if who + b" " + what not in stated
    }
    return b"".join(sorted(lines))
