"""What the inferred graph holds beyond OWL 2 RL: day bounds of dates, date conflicts,
membership periods in ORG's terms, and the memberships and treaty commitments that still hold.

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

The shortcuts `comity:memberOf` and `comity:party` hold now, so no text states them (a text
of 2015 says Russia is a member of the Council of Europe; it is not): they are derived here,
from the texts and the reference data together, for every membership without an end and every
ratification, accession, acceptance or approval no denunciation follows, and they go through
OWL 2 RL reasoning like asserted triples.
"""

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from ontology import COMITY, ORG, PARTY_ACTS, RDF, TIME, XSD
from ontology.days import day_range

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


Dated = list[tuple[bytes, str, str]]
"""The (subject, property name, ISO value) of each dated line."""


@dataclass(frozen=True)
class Derived:
    """What the asserted triples imply beyond OWL 2 RL, as N-Triples."""

    standing: bytes
    """`comity:memberOf` and `comity:party` where they hold now: reasoned over as asserted
    triples are."""
    dated: bytes
    """Day bounds, date conflicts and membership periods: added as they are."""


def derive(asserted: bytes) -> Derived:
    """Everything this module derives from `asserted` (N-Triples), each kind of line the
    derivations read being found once."""
    scanned = _scan(asserted)
    dated = [
        (match["subject"], match["property"].decode(), match["value"].decode())
        for match in _DATED_LINE.finditer(asserted)
    ]
    return Derived(
        _standing_relations(scanned),
        _calendar_triples(dated) + _membership_periods(scanned, dated),
    )


def _calendar_triples(dated: Dated) -> bytes:
    """The day bounds and date conflicts the dated lines imply."""
    lines: set[bytes] = set()
    ranges: dict[tuple[bytes, str], list[tuple[str, str]]] = defaultdict(list)
    for subject, name, value in dated:
        days = day_range(value)
        if days is None:
            continue
        bounds = (days[0].isoformat(), days[1].isoformat())
        for suffix, day in zip(("Earliest", "Latest"), bounds, strict=True):
            lines.add(_line(subject, f"{name}{suffix}", f'"{day}"^^<{XSD.date}>'))
        if name in CONFLICTING_PROPERTIES:
            ranges[(subject, name)].append(bounds)
    for (subject, _), periods in ranges.items():
        if any(_apart(first, second) for first, second in _pairs(periods)):
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
_SCANNED = (
    RDF.type,
    ORG.member,
    ORG.organization,
    COMITY.until,
    COMITY.memberOf,
    COMITY.actor,
    COMITY.treaty,
    COMITY.party,
    COMITY.sequence,
)
_SCANNED_LINE = re.compile(
    rb"^[ \t]*(?P<subject>"
    + _IRI
    + rb")[ \t]+<(?P<predicate>"
    + b"|".join(re.escape(str(term).encode()) for term in _SCANNED)
    + rb")>[ \t]+(?P<object>"
    + _IRI
    + rb'|"[^\n]*)[ \t]*\.[ \t]*$',
    re.MULTILINE,
)

Scanned = dict[bytes, dict[bytes, set[bytes]]]
"""The objects of the scanned lines, by predicate and subject (N-Triples terms)."""
_PARTY_ACTS = tuple(f"<{COMITY[name]}>".encode() for name in PARTY_ACTS)
_ENDS_PARTY = f"<{COMITY.Denunciation}>".encode()


def _round(literal: bytes) -> int:
    """The number in a `comity:sequence` literal ("2"^^xsd:positiveInteger); 1 if unreadable."""
    digits = literal[1:].split(b'"', 1)[0]
    return int(digits) if digits.isdigit() else 1


def _scan(asserted: bytes) -> Scanned:
    """The objects of the lines the derivations read, by predicate and subject."""
    values: Scanned = defaultdict(lambda: defaultdict(set))
    for match in _SCANNED_LINE.finditer(asserted):
        values[match["predicate"]][match["subject"]].add(match["object"])
    return values


def _standing_relations(scanned: Scanned) -> bytes:
    """The shortcuts that hold now, as N-Triples, leaving out those already stated.

    `member comity:memberOf organisation` for each membership without `comity:until`;
    `treaty comity:party state` for each ratification, accession, acceptance or approval of
    a state that no denunciation of that treaty by that state follows in the sources: a
    denunciation ends the acts of its round (`comity:sequence`, 1 where none is given), and
    an act of a later round makes the state a party again.
    """
    kind, member, organisation, until, member_of, actor, treaty, party, sequence = (
        scanned[str(term).encode()] for term in _SCANNED
    )
    stated_members = {(s, o) for s, objects in member_of.items() for o in objects}
    stated_parties = {(s, o) for s, objects in party.items() for o in objects}
    membership = f"<{COMITY.Membership}>".encode()
    found: set[tuple[bytes, bytes, bytes]] = set()
    for node, types in kind.items():
        if membership in types and node not in until:
            found |= {
                (who, b"memberOf", what)
                for who in member[node]
                for what in organisation[node]
                if (who, what) not in stated_members
            }
    # The latest round each state's commitment to each treaty reached, and the latest round
    # a denunciation ended: the state is a party while the first is ahead of the second.
    committed: dict[tuple[bytes, bytes], int] = defaultdict(int)
    ended: dict[tuple[bytes, bytes], int] = defaultdict(int)
    for node, types in kind.items():
        if _ENDS_PARTY in types:
            rounds = ended
        elif any(act in types for act in _PARTY_ACTS):
            rounds = committed
        else:
            continue
        round_ = max((_round(value) for value in sequence[node]), default=1)
        for pair in ((who, what) for who in actor[node] for what in treaty[node]):
            rounds[pair] = max(rounds[pair], round_)
    found |= {
        (what, b"party", who)
        for (who, what), round_ in committed.items()
        if round_ > ended[(who, what)] and (what, who) not in stated_parties
    }
    lines = {
        subject + f" <{COMITY}".encode() + name + b"> " + value + b" .\n"
        for subject, name, value in found
    }
    return b"".join(sorted(lines))


# OWL-Time's instant position for each precision of an ISO date, and the datatype it takes.
_POSITIONS = {
    1: (TIME.inXSDgYear, XSD.gYear),
    2: (TIME.inXSDgYearMonth, XSD.gYearMonth),
    3: (TIME.inXSDDate, XSD.date),
}


def _membership_periods(scanned: Scanned, dated: Dated) -> bytes:
    """Each dated membership's period in the terms of W3C ORG and OWL-Time, as N-Triples.

    ORG dates a membership by `org:memberDuring`, a `time:Interval` whose beginning and end
    are `time:Instant`s; Comity's own `comity:since` and `comity:until` say the same more
    briefly. The interval and its instants are named after the membership, and each instant
    keeps the precision its source gave (`time:inXSDgYear` for "1949").
    """
    membership = f"<{COMITY.Membership}>".encode()
    memberships = {
        node for node, types in scanned[str(RDF.type).encode()].items() if membership in types
    }
    lines: set[bytes] = set()
    for subject, name, value in dated:
        if name not in ("since", "until") or subject not in memberships:
            continue
        period = subject[:-1] + b"/period>"
        instant = subject[:-1] + (b"/period/beginning>" if name == "since" else b"/period/end>")
        position, datatype = _POSITIONS[len(value.split("-"))]
        edge = TIME.hasBeginning if name == "since" else TIME.hasEnd
        lines |= {
            subject + f" <{ORG.memberDuring}> ".encode() + period + b" .\n",
            period + f" <{RDF.type}> <{TIME.Interval}> .\n".encode(),
            period + f" <{edge}> ".encode() + instant + b" .\n",
            instant + f" <{RDF.type}> <{TIME.Instant}> .\n".encode(),
            instant + f' <{position}> "{value}"^^<{datatype}> .\n'.encode(),
        }
    return b"".join(sorted(lines))
