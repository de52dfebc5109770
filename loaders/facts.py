"""The facts a reader takes from a text: plain values, the one seam between text and RDF.

Extraction produces these and nothing else; loaders/rdf.py turns them into triples and
`to_gold()` into the evaluation form of docs/gold-format.md. Every fact carries the span of
text it was read from, so that every triple in the graph can be traced back to its words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from loaders.dates import PartialDate
from loaders.numbers import Count


@dataclass(frozen=True)
class Evidence:
    """Character offsets into the document text, and the text found there."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    """Something a fact is about, already linked: a reference entity or a newly named one.

    `key` is the identifier the gold files use (ISO alpha-3, slug, "ets-185"); `known` is
    False for entities the reference tables do not hold, whose description the document's
    graph must then carry itself.
    """

    kind: str  # state | organisation | company | unit | treaty | person | place | topic
    key: str
    iri: str
    label: str
    known: bool = True
    details: tuple[tuple[str, str], ...] = ()

    def detail(self, name: str) -> str | None:
        return dict(self.details).get(name)


def _key(entity: Entity | None) -> str | None:
    return entity.key if entity is not None else None


def _iso(date: PartialDate | None) -> str | None:
    return date.iso() if date is not None else None


def _value(count: Count | None) -> int | None:
    return count.value if count is not None else None


@dataclass(frozen=True)
class Fact:
    """A fact read from one span of one document."""

    kind: ClassVar[str] = "Fact"
    evidence: Evidence = field(kw_only=True)

    def identity(self) -> tuple[object, ...]:
        """What makes this fact this fact: its IRI is minted from these parts."""
        return tuple(sorted(self.to_gold().items(), key=lambda item: item[0]))

    def to_gold(self) -> dict[str, object]:
        raise NotImplementedError


@dataclass(frozen=True)
class Membership(Fact):
    kind: ClassVar[str] = "Membership"
    member: Entity
    organisation: Entity
    as_of: PartialDate | None = None
    since: PartialDate | None = None

    def to_gold(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "member": self.member.key,
            "organisation": self.organisation.key,
            "asOf": _iso(self.as_of),
            "since": _iso(self.since),
        }


@dataclass(frozen=True)
class TreatyAction(Fact):
    """An act of a state (or of the treaty itself, for entry into force) on a date."""

    kind: ClassVar[str] = "TreatyAction"
    actor: Entity | None
    treaty: Entity
    date: PartialDate | None = None

    def to_gold(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "actor": _key(self.actor),
            "treaty": self.treaty.key,
            "date": _iso(self.date),
        }


@dataclass(frozen=True)
class Signature(TreatyAction):
    kind: ClassVar[str] = "Signature"


@dataclass(frozen=True)
class Ratification(TreatyAction):
    kind: ClassVar[str] = "Ratification"


@dataclass(frozen=True)
class Accession(TreatyAction):
    kind: ClassVar[str] = "Accession"


@dataclass(frozen=True)
class Acceptance(TreatyAction):
    kind: ClassVar[str] = "Acceptance"


@dataclass(frozen=True)
class Approval(TreatyAction):
    kind: ClassVar[str] = "Approval"


@dataclass(frozen=True)
class EntryIntoForce(TreatyAction):
    kind: ClassVar[str] = "EntryIntoForce"


@dataclass(frozen=True)
class OpeningForSignature(Fact):
    kind: ClassVar[str] = "OpeningForSignature"
    treaty: Entity
    date: PartialDate | None = None
    place: Entity | None = None

    def to_gold(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "treaty": self.treaty.key,
            "date": _iso(self.date),
            "place": _key(self.place),
        }

    def identity(self) -> tuple[object, ...]:
        return (self.treaty.key, _iso(self.date))


@dataclass(frozen=True)
class TreatyStatus(Fact):
    """Counts as the text reports them on a date, kept apart from counts of known events."""

    kind: ClassVar[str] = "TreatyStatus"
    treaty: Entity
    as_of: PartialDate | None = None
    parties: Count | None = None
    ratified: Count | None = None
    signed_only: Count | None = None
    invited: Count | None = None

    def counts(self) -> dict[str, Count]:
        """The reported counts by their gold/ontology name, leaving out the unsaid ones."""
        named = {
            "partiesCount": self.parties,
            "ratifiedCount": self.ratified,
            "signedOnlyCount": self.signed_only,
            "invitedCount": self.invited,
        }
        return {name: count for name, count in named.items() if count is not None}

    def to_gold(self) -> dict[str, object]:
        gold: dict[str, object] = {
            "type": self.kind,
            "treaty": self.treaty.key,
            "asOf": _iso(self.as_of),
            "partiesCount": _value(self.parties),
            "ratifiedCount": _value(self.ratified),
            "signedOnlyCount": _value(self.signed_only),
            "invitedCount": _value(self.invited),
        }
        qualifiers = {
            name: count.qualifier for name, count in self.counts().items() if count.qualifier
        }
        if qualifiers:
            gold["qualifiers"] = qualifiers
        return gold

    def identity(self) -> tuple[object, ...]:
        return (self.treaty.key, _iso(self.as_of))


@dataclass(frozen=True)
class LegalReform(Fact):
    """A state changing its law on a treaty's model ("reforms ... underway in Brazil")."""

    kind: ClassVar[str] = "LegalReform"
    actor: Entity
    based_on: Entity
    status: str | None = None
    as_of: PartialDate | None = None

    def to_gold(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "actor": self.actor.key,
            "basedOn": self.based_on.key,
            "status": self.status,
        }

    def identity(self) -> tuple[object, ...]:
        return (self.actor.key, self.based_on.key)


@dataclass(frozen=True)
class Partnership(Fact):
    kind: ClassVar[str] = "Partnership"
    partners: tuple[Entity, ...]
    partnership_kind: str | None = None
    principles: tuple[str, ...] = ()
    representatives: tuple[Entity, ...] = ()

    def to_gold(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "partners": sorted(partner.key for partner in self.partners),
            "kind": self.partnership_kind,
            "principles": list(self.principles),
            "representatives": [person.key for person in self.representatives],
        }

    def identity(self) -> tuple[object, ...]:
        return (*sorted(partner.key for partner in self.partners), self.partnership_kind)


@dataclass(frozen=True)
class Conference(Fact):
    kind: ClassVar[str] = "Conference"
    name: str | None = None
    organiser: Entity | None = None
    place: Entity | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None
    participant_count: Count | None = None
    country_count: Count | None = None
    participants: tuple[Entity, ...] = ()

    def to_gold(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "name": self.name,
            "organiser": _key(self.organiser),
            "place": _key(self.place),
            "startDate": _iso(self.start),
            "endDate": _iso(self.end),
            "participantCount": _value(self.participant_count),
            "countryCount": _value(self.country_count),
            "participantQualifier": self.participant_count.qualifier
            if self.participant_count
            else None,
            "countryQualifier": self.country_count.qualifier if self.country_count else None,
            "participants": sorted(entity.key for entity in self.participants),
        }

    def identity(self) -> tuple[object, ...]:
        return (self.name, _key(self.organiser), _key(self.place), _iso(self.start))


@dataclass(frozen=True)
class Meeting(Conference):
    kind: ClassVar[str] = "Meeting"


@dataclass(frozen=True)
class Founding(Fact):
    kind: ClassVar[str] = "Founding"
    organisation: Entity
    date: PartialDate

    def to_gold(self) -> dict[str, object]:
        return {"type": self.kind, "organisation": self.organisation.key, "date": _iso(self.date)}


@dataclass(frozen=True)
class Headquarters(Fact):
    kind: ClassVar[str] = "Headquarters"
    organisation: Entity
    place: Entity

    def to_gold(self) -> dict[str, object]:
        return {"type": self.kind, "organisation": self.organisation.key, "place": self.place.key}


@dataclass(frozen=True)
class Supplements(Fact):
    kind: ClassVar[str] = "Supplements"
    protocol: Entity
    treaty: Entity

    def to_gold(self) -> dict[str, object]:
        return {"type": self.kind, "protocol": self.protocol.key, "treaty": self.treaty.key}


@dataclass(frozen=True)
class TreatyTopic(Fact):
    kind: ClassVar[str] = "TreatyTopic"
    treaty: Entity
    topic: Entity

    def to_gold(self) -> dict[str, object]:
        return {"type": self.kind, "treaty": self.treaty.key, "topic": self.topic.key}


@dataclass(frozen=True)
class PersonRole(Fact):
    kind: ClassVar[str] = "PersonRole"
    person: Entity
    role: str
    affiliation: Entity | None = None

    def to_gold(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "person": self.person.key,
            "role": self.role,
            "affiliation": _key(self.affiliation),
        }


FACT_TYPES: dict[str, type[Fact]] = {
    cls.kind: cls
    for cls in (
        Membership,
        Signature,
        Ratification,
        Accession,
        Acceptance,
        Approval,
        EntryIntoForce,
        OpeningForSignature,
        TreatyStatus,
        LegalReform,
        Partnership,
        Conference,
        Meeting,
        Founding,
        Headquarters,
        Supplements,
        TreatyTopic,
        PersonRole,
    )
}
"""Every fact type by the name the gold files use."""

COMPARED_FIELDS: dict[str, tuple[str, ...]] = {
    "Membership": ("member", "organisation", "asOf", "since"),
    **{
        name: ("actor", "treaty", "date")
        for name in (
            "Signature",
            "Ratification",
            "Accession",
            "Acceptance",
            "Approval",
            "EntryIntoForce",
        )
    },
    "OpeningForSignature": ("treaty", "date"),
    "TreatyStatus": (
        "treaty",
        "asOf",
        "partiesCount",
        "ratifiedCount",
        "signedOnlyCount",
        "invitedCount",
    ),
    "LegalReform": ("actor", "basedOn"),
    "Partnership": ("partners", "kind"),
    "Conference": (
        "organiser",
        "place",
        "startDate",
        "endDate",
        "participantCount",
        "countryCount",
    ),
    "Meeting": ("organiser", "place", "startDate", "endDate", "participantCount", "countryCount"),
    "Founding": ("organisation", "date"),
    "Headquarters": ("organisation", "place"),
    "Supplements": ("protocol", "treaty"),
    "TreatyTopic": ("treaty", "topic"),
    "PersonRole": ("person", "role", "affiliation"),
}
"""The fields of each fact type that evaluation compares (docs/gold-format.md)."""
