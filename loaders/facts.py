"""The facts a reader takes from a text: plain values, the one seam between text and RDF.

Extraction produces these and nothing else; loaders/rdf.py turns them into triples and
`to_gold()` into the evaluation form of docs/gold-format.md. Every fact carries the span of
text it was read from, so that every triple in the graph can be traced back to its words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import ClassVar

import ontology
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


def _gold_value(value: object, ordered: bool = False) -> object:
    """A field's value as the gold files write it: keys, ISO dates, integers, lists."""
    if isinstance(value, Entity):
        return value.key
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, Count):
        return value.value
    if isinstance(value, tuple):
        items = [_gold_value(item) for item in value]
        strings = [item for item in items if isinstance(item, str)]
        return items if ordered or len(strings) < len(items) else sorted(strings)
    return value


def gold(name: str, *, qualifier: str | None = None, ordered: bool = False) -> dict[str, object]:
    """Field metadata: the gold name of a field, where its count's qualifier goes, whether a
    list keeps its order. `qualifier="qualifiers"` gathers qualifiers into one mapping."""
    return {"gold": name, "qualifier": qualifier, "ordered": ordered}


@dataclass(frozen=True)
class Fact:
    """A fact read from one span of one document.

    The gold form (docs/gold-format.md) is derived from the dataclass fields: a field's gold
    name is its `gold` metadata, else its name in camelCase; entities become their keys, dates
    their ISO form, counts their value (and their qualifier its own field).
    """

    kind: ClassVar[str] = "Fact"
    evidence: Evidence = field(kw_only=True)
    # For a fact read from one line of a list, the heading or sentence that says what the list
    # is ("47 member states:"): the line alone ("Andorra") says nothing.
    introduced_by: Evidence | None = field(default=None, kw_only=True)

    def identity(self) -> tuple[object, ...]:
        """What makes this fact this fact within its document."""
        return tuple(sorted(self.to_gold().items(), key=lambda item: item[0]))

    def act_parts(self) -> tuple[str, ...] | None:
        """For an act in the world, the IRIs of who and what it involves; None for a report.

        An act (a ratification, a membership) is one node however many texts report it, so
        its IRI comes from these parts alone; a report (counts as of a date, a mention) is
        what one text says, so its IRI also names the text.
        """
        return None

    def to_gold(self) -> dict[str, object]:
        result: dict[str, object] = {"type": self.kind}
        qualifiers: dict[str, str] = {}
        for item in fields(self):
            if item.name in ("evidence", "introduced_by"):
                continue
            name = item.metadata.get("gold") or _camel(item.name)
            value = getattr(self, item.name)
            result[name] = _gold_value(value, bool(item.metadata.get("ordered")))
            qualifier_name = item.metadata.get("qualifier")
            if qualifier_name == "qualifiers":
                if isinstance(value, Count) and value.qualifier:
                    qualifiers[name] = value.qualifier
            elif qualifier_name:
                result[qualifier_name] = value.qualifier if isinstance(value, Count) else None
        if qualifiers:
            result["qualifiers"] = qualifiers
        return result


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _iso(date: PartialDate | None) -> str | None:
    return date.iso() if date is not None else None


def _key(entity: Entity | None) -> str | None:
    return entity.key if entity is not None else None


@dataclass(frozen=True)
class Membership(Fact):
    kind: ClassVar[str] = "Membership"
    member: Entity
    organisation: Entity
    as_of: PartialDate | None = None
    since: PartialDate | None = None

    def act_parts(self) -> tuple[str, ...]:
        return (self.member.iri, self.organisation.iri)


@dataclass(frozen=True)
class TreatyAction(Fact):
    """An act of a state (or of the treaty itself, for entry into force) on a date."""

    kind: ClassVar[str] = "TreatyAction"
    actor: Entity | None
    treaty: Entity
    date: PartialDate | None = None

    def act_parts(self) -> tuple[str, ...] | None:
        # A state's act without the state is not yet an act anyone can name.
        return None if self.actor is None else (self.actor.iri, self.treaty.iri)


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

    def act_parts(self) -> tuple[str, ...]:
        # The treaty's own act, or its entry into force for one party, which is another act.
        if self.actor is None:
            return (self.treaty.iri,)
        return (self.actor.iri, self.treaty.iri)


@dataclass(frozen=True)
class Denunciation(TreatyAction):
    """A state denouncing a treaty, or notifying that it leaves it."""

    kind: ClassVar[str] = "Denunciation"


@dataclass(frozen=True)
class OpeningForSignature(Fact):
    kind: ClassVar[str] = "OpeningForSignature"
    treaty: Entity
    date: PartialDate | None = None
    place: Entity | None = None

    def identity(self) -> tuple[object, ...]:
        return (self.treaty.key, _iso(self.date))

    def act_parts(self) -> tuple[str, ...]:
        return (self.treaty.iri,)


@dataclass(frozen=True)
class TreatyStatus(Fact):
    """Counts as the text reports them on a date, kept apart from counts of known events."""

    kind: ClassVar[str] = "TreatyStatus"
    treaty: Entity
    as_of: PartialDate | None = None
    parties: Count | None = field(
        default=None, metadata=gold("partiesCount", qualifier="qualifiers")
    )
    ratified: Count | None = field(
        default=None, metadata=gold("ratifiedCount", qualifier="qualifiers")
    )
    signed_only: Count | None = field(
        default=None, metadata=gold("signedOnlyCount", qualifier="qualifiers")
    )
    invited: Count | None = field(
        default=None, metadata=gold("invitedCount", qualifier="qualifiers")
    )
    signatories: Count | None = field(
        default=None, metadata=gold("signatoriesCount", qualifier="qualifiers")
    )

    def counts(self) -> dict[str, Count]:
        """The reported counts by their gold/ontology name, leaving out the unsaid ones."""
        return {
            item.metadata["gold"]: getattr(self, item.name)
            for item in fields(self)
            if "gold" in item.metadata and getattr(self, item.name) is not None
        }

    def identity(self) -> tuple[object, ...]:
        return (self.treaty.key, _iso(self.as_of))


@dataclass(frozen=True)
class LegalReform(Fact):
    """A state changing its law on a treaty's model ("reforms ... underway in Brazil")."""

    kind: ClassVar[str] = "LegalReform"
    actor: Entity
    based_on: Entity
    status: str | None = None
    as_of: PartialDate | None = field(default=None, metadata=gold("asOf"))

    def to_gold(self) -> dict[str, object]:
        result = super().to_gold()
        del result["asOf"]  # kept in the graph, not part of the gold form
        return result

    def identity(self) -> tuple[object, ...]:
        return (self.actor.key, self.based_on.key)

    def act_parts(self) -> tuple[str, ...]:
        return (self.actor.iri, self.based_on.iri)


@dataclass(frozen=True)
class Partnership(Fact):
    kind: ClassVar[str] = "Partnership"
    partners: tuple[Entity, ...]
    partnership_kind: str | None = field(default=None, metadata=gold("kind"))
    principles: tuple[str, ...] = field(default=(), metadata=gold("principles", ordered=True))
    representatives: tuple[Entity, ...] = field(
        default=(), metadata=gold("representatives", ordered=True)
    )

    def identity(self) -> tuple[object, ...]:
        return (*sorted(partner.key for partner in self.partners), self.partnership_kind)


@dataclass(frozen=True)
class Conference(Fact):
    kind: ClassVar[str] = "Conference"
    name: str | None = None
    organiser: Entity | None = None
    place: Entity | None = None
    start: PartialDate | None = field(default=None, metadata=gold("startDate"))
    end: PartialDate | None = field(default=None, metadata=gold("endDate"))
    participant_count: Count | None = field(
        default=None, metadata=gold("participantCount", qualifier="participantQualifier")
    )
    country_count: Count | None = field(
        default=None, metadata=gold("countryCount", qualifier="countryQualifier")
    )
    delegation_count: Count | None = field(
        default=None, metadata=gold("delegationCount", qualifier="delegationQualifier")
    )
    participants: tuple[Entity, ...] = ()

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


@dataclass(frozen=True)
class Headquarters(Fact):
    kind: ClassVar[str] = "Headquarters"
    organisation: Entity
    place: Entity


@dataclass(frozen=True)
class Supplements(Fact):
    kind: ClassVar[str] = "Supplements"
    protocol: Entity
    treaty: Entity


@dataclass(frozen=True)
class TreatyTopic(Fact):
    kind: ClassVar[str] = "TreatyTopic"
    treaty: Entity
    topic: Entity


@dataclass(frozen=True)
class PersonRole(Fact):
    kind: ClassVar[str] = "PersonRole"
    person: Entity
    role: str
    affiliation: Entity | None = None


@dataclass(frozen=True)
class Mention(Fact):
    """A state the document names as a state, acting or not: once per document."""

    kind: ClassVar[str] = "Mention"
    entity: Entity

    def identity(self) -> tuple[object, ...]:
        return (self.entity.key,)


@dataclass(frozen=True)
class MemberCount(Fact):
    """How many members the text says an organisation has ("its 38 member countries")."""

    kind: ClassVar[str] = "MemberCount"
    organisation: Entity
    as_of: PartialDate | None
    count: Count = field(metadata=gold("count", qualifier="qualifier"))

    def identity(self) -> tuple[object, ...]:
        return (self.organisation.key, _iso(self.as_of))


@dataclass(frozen=True)
class ActionTally(Fact):
    """How many states did one kind of treaty act on one day ("40 countries ratified")."""

    kind: ClassVar[str] = "ActionTally"
    treaty: Entity
    date: PartialDate | None
    action: str
    count: Count = field(metadata=gold("count", qualifier="qualifier"))

    def identity(self) -> tuple[object, ...]:
        return (self.treaty.key, _iso(self.date), self.action)


@dataclass(frozen=True)
class MembershipEnd(Fact):
    """A member leaving an organisation; `how` is withdrawal, expulsion or cessation."""

    kind: ClassVar[str] = "MembershipEnd"
    member: Entity
    organisation: Entity
    date: PartialDate | None = None
    how: str | None = None

    def identity(self) -> tuple[object, ...]:
        return (self.member.key, self.organisation.key, _iso(self.date))

    def act_parts(self) -> tuple[str, ...]:
        return (self.member.iri, self.organisation.iri)


@dataclass(frozen=True)
class Suspension(Fact):
    """A member's rights of representation or membership suspended."""

    kind: ClassVar[str] = "Suspension"
    member: Entity
    organisation: Entity
    date: PartialDate | None = None

    def act_parts(self) -> tuple[str, ...]:
        return (self.member.iri, self.organisation.iri)


@dataclass(frozen=True)
class MembershipApplication(Fact):
    """A state applying or asking to join an organisation."""

    kind: ClassVar[str] = "MembershipApplication"
    member: Entity
    organisation: Entity
    date: PartialDate | None = None

    def act_parts(self) -> tuple[str, ...]:
        return (self.member.iri, self.organisation.iri)


PARTY_ACTS: tuple[type[TreatyAction], ...] = tuple(
    cls for cls in TreatyAction.__subclasses__() if cls.kind in ontology.PARTY_ACTS
)
"""The acts that make a state a party (the ontology's list); a denunciation undoes them."""
_COMMITMENT_ACTS: tuple[type[TreatyAction], ...] = (*PARTY_ACTS, Denunciation)
"""The acts whose repeats commitment_rounds numbers."""


def commitment_rounds(facts: Sequence[Fact]) -> dict[int, int]:
    """The round of each act of a commitment the text shows repeated, by index in `facts`.

    A state that ratifies a treaty, denounces it and ratifies it again performed two
    ratifications, which one node would merge. Where a text dates such a sequence, each act
    of that state and treaty gets the number of its round: the first ratification and the
    first denunciation are round 1, the ratification after it round 2. A denunciation with no
    earlier act in the text ends a round the text does not show. Acts of a state and treaty
    that the text shows once, or leaves undated, are left out: they stay the one act every
    other text names.
    """
    groups: dict[tuple[str, str], list[tuple[int, TreatyAction]]] = {}
    for index, fact in enumerate(facts):
        if isinstance(fact, _COMMITMENT_ACTS) and fact.actor is not None:
            groups.setdefault((fact.actor.iri, fact.treaty.iri), []).append((index, fact))
    rounds: dict[int, int] = {}
    for acts in groups.values():
        if not any(isinstance(act, Denunciation) for _, act in acts):
            continue
        dated = [(act.date, index, act) for index, act in acts if act.date is not None]
        if len(dated) < len(acts):
            continue  # the order of the acts is unknown
        dated.sort(key=lambda item: (item[0].first_day(), item[0].last_day()))
        found = _rounds([(index, act) for _, index, act in dated])
        if max(found.values()) > 1:
            rounds.update(found)
    return rounds


def _rounds(acts: list[tuple[int, TreatyAction]]) -> dict[int, int]:
    """Number the rounds of acts in date order: an act after a denunciation opens a new one."""
    committed = ended = 0
    found: dict[int, int] = {}
    for index, act in acts:
        if isinstance(act, Denunciation):
            committed = max(committed, ended + 1)  # the act it undoes, shown in the text or not
            ended = committed
            found[index] = ended
        else:
            if committed == ended:
                committed += 1
            found[index] = committed
    return found


FACT_TYPES: dict[str, type[Fact]] = {
    cls.kind: cls
    for cls in (
        Mention,
        Membership,
        MembershipApplication,
        MembershipEnd,
        Suspension,
        MemberCount,
        Signature,
        Ratification,
        Accession,
        Acceptance,
        Approval,
        EntryIntoForce,
        Denunciation,
        OpeningForSignature,
        TreatyStatus,
        ActionTally,
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

_EVENT_FIELDS = (
    "organiser",
    "place",
    "startDate",
    "endDate",
    "participantCount",
    "countryCount",
    "delegationCount",
)

COMPARED_FIELDS: dict[str, tuple[str, ...]] = {
    "Mention": ("entity",),
    "Membership": ("member", "organisation", "asOf", "since"),
    "MembershipApplication": ("member", "organisation", "date"),
    "MembershipEnd": ("member", "organisation", "date"),
    "Suspension": ("member", "organisation", "date"),
    "MemberCount": ("organisation", "asOf", "count"),
    **{
        name: ("actor", "treaty", "date")
        for name in (
            "Signature",
            "Ratification",
            "Accession",
            "Acceptance",
            "Approval",
            "EntryIntoForce",
            "Denunciation",
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
        "signatoriesCount",
    ),
    "ActionTally": ("treaty", "date", "action", "count"),
    "LegalReform": ("actor", "basedOn"),
    "Partnership": ("partners", "kind"),
    "Conference": _EVENT_FIELDS,
    "Meeting": _EVENT_FIELDS,
    "Founding": ("organisation", "date"),
    "Headquarters": ("organisation", "place"),
    "Supplements": ("protocol", "treaty"),
    "TreatyTopic": ("treaty", "topic"),
    "PersonRole": ("person", "role", "affiliation"),
}
"""The fields of each fact type that evaluation compares (docs/gold-format.md)."""
