"""Facts to RDF: the triples of one document's named graph.

Each fact becomes an n-ary node with a deterministic IRI (the same fact from a reload gets the
same IRI), tied to its evidence span and its document, plus the shortcut triples that make
common questions one hop ("which states are parties to ETS 185?"). Relations that the
vocabulary states as plain triples (founding date, headquarters, supplements, topics, a
person's role) are asserted as such and also described by an rdf:Statement node that carries
their evidence, so that no triple in a source graph is without its words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

from pyoxigraph import Literal, NamedNode, Triple

from loaders.dates import PartialDate
from loaders.documents import Document
from loaders.extraction import Extraction
from loaders.facts import (
    ActionTally,
    Conference,
    Entity,
    Evidence,
    Fact,
    Founding,
    Headquarters,
    LegalReform,
    MemberCount,
    Membership,
    MembershipApplication,
    MembershipEnd,
    Mention,
    OpeningForSignature,
    Partnership,
    PersonRole,
    Signature,
    Supplements,
    Suspension,
    TreatyAction,
    TreatyStatus,
    TreatyTopic,
    commitment_rounds,
)
from loaders.numbers import Count
from ontology import (
    COMITY,
    DCTERMS,
    FOAF,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    act_iri,
    fact_iri,
    source_graph_iri,
    span_iri,
)


def _extractor_version() -> str:
    """The installed Comity's version, which every source graph names as its extractor."""
    try:
        return version("comity")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unreleased"


class _Namespace(Protocol):
    """An rdflib namespace, open (`Namespace`) or closed (`DefinedNamespace`): both index."""

    def __getitem__(self, name: str) -> str: ...


class _Terms:
    """Vocabulary terms as NamedNodes, made once: rdflib namespace lookups are slow in a loop."""

    def __init__(self, namespace: _Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> NamedNode:
        term = NamedNode(str(self._namespace[name]))
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> NamedNode:
        return getattr(self, name)


C, DC, FOAFT, ORGT, PROVT = (_Terms(ns) for ns in (COMITY, DCTERMS, FOAF, ORG, PROV))
RDFT, RDFST, S, SKOST, XSDT = (_Terms(ns) for ns in (RDF, RDFS, SCHEMA, SKOS, XSD))

EXTRACTOR_VERSION = _extractor_version()
_RELATIONAL = frozenset({"another", "a further"})
"""Words that add a count to one before it ("and signed by another 22"): the number is exact,
so they are no hedge and are not stored as the count's qualifier."""
_ENTITY_CLASSES = {
    "state": C.State,
    "organisation": C.Organisation,
    "company": C.Company,
    "unit": C.OrganisationalUnit,
    "person": C.Person,
    "place": C.Place,
    "topic": C.Topic,
}
_TREATY_CLASSES = {"Convention": C.Convention, "Protocol": C.Protocol}


@lru_cache(maxsize=8192)
def _named(iri: str) -> NamedNode:
    return NamedNode(iri)


Term = str | NamedNode
"""An IRI as a string or an rdflib term, or as a pyoxigraph node already."""


def node(iri: Term) -> NamedNode:
    """A NamedNode, cached: the same entities come up in fact after fact."""
    return iri if isinstance(iri, NamedNode) else _named(str(iri))


def date_literal(date: PartialDate) -> Literal:
    """A date typed at its precision: xsd:date, xsd:gYearMonth or xsd:gYear."""
    return Literal(date.iso(), datatype=XSDT[date.xsd_type])


def count_literal(value: int) -> Literal:
    return Literal(str(value), datatype=XSDT.nonNegativeInteger)


def positive_literal(value: int) -> Literal:
    return Literal(str(value), datatype=XSDT.positiveInteger)


class _Graph:
    """Collects the triples of one document, without repeats, in a stable order."""

    def __init__(self, document: Document, facts: list[Fact]) -> None:
        self.document = document
        self.doc = node(document.iri)
        self.triples: dict[Triple, None] = {}
        self.described: set[str] = set()
        # The round of each act the text shows repeated (facts.commitment_rounds), by id().
        self.rounds = {id(facts[index]): n for index, n in commitment_rounds(facts).items()}

    def add(self, subject: Term, predicate: Term, value: object) -> None:
        if value is None:
            return
        if isinstance(value, Entity):
            value = node(value.iri)
        elif isinstance(value, PartialDate):
            value = date_literal(value)
        elif isinstance(value, str):
            value = Literal(value)
        subject = subject if isinstance(subject, NamedNode) else node(subject)
        self.triples[Triple(subject, node(predicate), value)] = None  # type: ignore[arg-type]

    def typed(self, subject: Term, *classes: Term) -> None:
        for cls in classes:
            self.add(subject, RDFT.type, node(cls))

    def fact_evidence(self, subject: Term, fact: Fact) -> None:
        """The fact's span, and the heading of the list it was read from if it was."""
        self.evidence(subject, fact.evidence)
        if fact.introduced_by is not None:
            self.evidence(subject, fact.introduced_by)

    def evidence(self, subject: Term, evidence: Evidence) -> None:
        span = span_iri(self.document.key, evidence.start, evidence.end)
        self.add(subject, C.evidence, node(span))
        self.add(subject, C.reportedIn, self.doc)
        if span not in self.described:
            self.described.add(span)
            self.typed(span, C.TextSpan)
            self.add(span, C.inDocument, self.doc)
            self.add(span, C.start, count_literal(evidence.start))
            self.add(span, C.end, count_literal(evidence.end))
            self.add(span, C.text, evidence.text)

    def entity(self, entity: Entity | None) -> None:
        """Describe an entity the reference graph does not hold, so that it has a type and name."""
        if entity is None or entity.known or entity.iri in self.described:
            return
        self.described.add(entity.iri)
        if entity.kind == "treaty":
            self.typed(entity.iri, C.Treaty)
            kind = entity.detail("treaty_kind") or ""
            if kind in _TREATY_CLASSES:
                self.typed(entity.iri, _TREATY_CLASSES[kind])
            self.add(entity.iri, RDFST.label, Literal(entity.label, language="en"))
            if entity.label[:1].isupper() and entity.label.split()[0] in ("ETS", "CETS"):
                self.add(entity.iri, C.treatyNumber, entity.label)
            else:
                self.add(entity.iri, DC.title, Literal(entity.label, language="en"))
            return
        self.typed(entity.iri, _ENTITY_CLASSES.get(entity.kind, C.Organisation))
        if entity.kind == "place":
            self.typed(entity.iri, S.Place)
        self.add(entity.iri, RDFST.label, Literal(entity.label, language="en"))
        if entity.kind in ("person", "organisation", "company", "unit", "place"):
            self.add(entity.iri, S.name, entity.label)
        if entity.kind == "person":
            self.add(entity.iri, FOAFT.name, entity.label)
        if entity.kind == "topic":
            self.add(entity.iri, SKOST.prefLabel, Literal(entity.label, language="en"))
        if entity.kind == "unit" and entity.detail("parent"):
            self.add(entity.iri, ORGT.unitOf, node(entity.detail("parent") or ""))

    def count(self, subject: Term, name: str, count: Count | None) -> None:
        if count is None:
            return
        self.add(subject, C[name], count_literal(count.value))
        if count.qualifier and count.qualifier not in _RELATIONAL:
            self.add(subject, C[f"{name}Qualifier"], count.qualifier)

    def statement(
        self, fact: Fact, subject: Term, predicate: Term, value: object, part: str = ""
    ) -> None:
        """Assert a plain triple and describe it by a statement node that holds its evidence."""
        self.add(subject, predicate, value)
        iri = self.fact_iri(fact, part)
        self.typed(iri, RDFT.Statement)
        self.add(iri, RDFT.subject, node(subject))
        self.add(iri, RDFT.predicate, node(predicate))
        self.add(iri, RDFT.object, value)
        self.fact_evidence(iri, fact)

    def fact_iri(self, fact: Fact, part: str = "") -> str:
        act = fact.act_parts()
        if act is not None and not part:
            round_ = self.rounds.get(id(fact), 1)
            return act_iri(fact.kind, *act, *((str(round_),) if round_ > 1 else ()))
        parts = (*fact.identity(), part) if part else fact.identity()
        return fact_iri(fact.kind, self.document.key, *parts)


def document_triples(extraction: Extraction) -> list[Triple]:
    """All triples of a document's named graph: the document, its publisher, every fact."""
    graph = _Graph(extraction.document, extraction.facts)
    _describe_document(graph, extraction)
    for fact in extraction.facts:
        _fact(graph, fact)
    return list(graph.triples)


def _describe_document(graph: _Graph, extraction: Extraction) -> None:
    document = extraction.document
    metadata = document.metadata
    iri = document.iri
    graph.typed(iri, C.Document)
    if metadata.kind == "PressRelease":
        graph.typed(iri, C.PressRelease)
    graph.add(iri, C.fullText, document.text)
    if metadata.source_url:
        graph.add(iri, PROVT.hadPrimarySource, node(metadata.source_url))
    # Provenance sits on the source graph, not on the acts it describes: an act is a
    # prov:Activity, and PROV-O forbids an activity to be derived from anything.
    graph_iri = source_graph_iri(document.key)
    graph.typed(graph_iri, PROVT.Entity)
    graph.add(graph_iri, PROVT.wasDerivedFrom, graph.doc)
    graph.add(graph_iri, C.extractorVersion, EXTRACTOR_VERSION)
    if metadata.title:
        graph.add(iri, DC.title, metadata.title)
    if metadata.issued is not None:
        graph.add(iri, DC.issued, metadata.issued)
    if metadata.reference:
        graph.add(iri, DC.identifier, metadata.reference)
    if extraction.place is not None:
        graph.add(iri, DC.spatial, extraction.place)
        graph.entity(extraction.place)
    publisher = extraction.publisher or extraction.issuer
    if publisher is None:
        return
    graph.add(iri, DC.publisher, publisher)
    graph.entity(publisher)
    if extraction.publisher is not None and extraction.issuer is not None:
        graph.typed(publisher.iri, ORGT.OrganizationalUnit)
        graph.add(publisher.iri, ORGT.unitOf, extraction.issuer)
    contacts = {
        S.telephone: metadata.telephone,
        S.faxNumber: metadata.fax,
        S.email: metadata.email,
        S.url: node(metadata.url) if metadata.url else None,
    }
    if any(contacts.values()):
        contact = fact_iri("contact-point", document.key, publisher.iri)
        graph.add(publisher.iri, S.contactPoint, node(contact))
        graph.typed(contact, S.ContactPoint)
        for predicate, value in contacts.items():
            graph.add(contact, predicate, value)


def _fact(graph: _Graph, fact: Fact) -> None:
    for handler_type, handler in _HANDLERS:
        if isinstance(fact, handler_type):
            handler(graph, fact)
            return
    raise TypeError(f"no RDF mapping for fact type {type(fact).__name__}")


def _n_ary(graph: _Graph, fact: Fact, cls: Term) -> str:
    iri = graph.fact_iri(fact)
    graph.typed(iri, cls)
    graph.fact_evidence(iri, fact)
    return iri


def _membership(graph: _Graph, fact: Membership) -> None:
    iri = _n_ary(graph, fact, C.Membership)
    graph.add(iri, ORGT.member, fact.member)
    graph.add(iri, ORGT.organization, fact.organisation)
    graph.add(iri, C.asOf, fact.as_of)
    graph.add(iri, C.since, fact.since)
    # No comity:memberOf here: it holds now, so reasoning derives it from memberships that
    # no source ends (graph/derivations.py); a text's "X is a member" may be years old.
    graph.entity(fact.member)
    graph.entity(fact.organisation)


def _treaty_action(graph: _Graph, fact: TreatyAction) -> None:
    iri = _n_ary(graph, fact, C[fact.kind])
    graph.add(iri, C.actor, fact.actor)
    graph.add(iri, C.treaty, fact.treaty)
    graph.add(iri, C.date, fact.date)
    if id(fact) in graph.rounds:
        graph.add(iri, C.sequence, positive_literal(graph.rounds[id(fact)]))
    graph.entity(fact.actor)
    graph.entity(fact.treaty)
    if fact.actor is None:
        return
    if isinstance(fact, Signature):
        graph.add(fact.treaty.iri, C.signatory, fact.actor)
    # No comity:party here: a denunciation can end it, so reasoning derives it from the acts
    # no denunciation follows (graph/derivations.py). A signature stays a signature.


def _opening(graph: _Graph, fact: OpeningForSignature) -> None:
    if fact.date is None:
        return  # the shapes require a date; without it the text says nothing checkable
    iri = _n_ary(graph, fact, C.OpeningForSignature)
    graph.add(iri, C.treaty, fact.treaty)
    graph.add(iri, C.date, fact.date)
    graph.add(iri, S.location, fact.place)
    graph.entity(fact.treaty)
    graph.entity(fact.place)


def _status(graph: _Graph, fact: TreatyStatus) -> None:
    iri = _n_ary(graph, fact, C.TreatyStatus)
    graph.add(iri, C.treaty, fact.treaty)
    graph.add(iri, C.asOf, fact.as_of)
    graph.count(iri, "partiesCount", fact.parties)
    graph.count(iri, "ratifiedCount", fact.ratified)
    graph.count(iri, "signedOnlyCount", fact.signed_only)
    graph.count(iri, "invitedCount", fact.invited)
    graph.count(iri, "signatoriesCount", fact.signatories)
    graph.entity(fact.treaty)


def _reform(graph: _Graph, fact: LegalReform) -> None:
    iri = _n_ary(graph, fact, C.LegalReform)
    graph.add(iri, C.actor, fact.actor)
    graph.add(iri, C.basedOn, fact.based_on)
    graph.add(iri, C.status, fact.status)
    graph.add(iri, C.asOf, fact.as_of)
    graph.entity(fact.actor)
    graph.entity(fact.based_on)


def _partnership(graph: _Graph, fact: Partnership) -> None:
    iri = _n_ary(graph, fact, C.Partnership)
    for partner in fact.partners:
        graph.add(iri, C.partner, partner)
        graph.entity(partner)
    graph.add(iri, C.kind, fact.partnership_kind)
    for principle in fact.principles:
        graph.add(iri, C.principle, principle)
    for person in fact.representatives:
        graph.add(iri, C.representative, person)
        graph.entity(person)


def _event(graph: _Graph, fact: Conference) -> None:
    iri = _n_ary(graph, fact, C[fact.kind])
    graph.typed(iri, C.Event)
    graph.add(iri, S.name, fact.name)
    graph.add(iri, S.organizer, fact.organiser)
    graph.add(iri, S.location, fact.place)
    graph.add(iri, S.startDate, fact.start)
    graph.add(iri, S.endDate, fact.end)
    graph.count(iri, "participantCount", fact.participant_count)
    graph.count(iri, "countryCount", fact.country_count)
    graph.count(iri, "delegationCount", fact.delegation_count)
    for participant in fact.participants:
        graph.add(iri, C.participant, participant)
        graph.entity(participant)
    graph.entity(fact.organiser)
    graph.entity(fact.place)


def _founding(graph: _Graph, fact: Founding) -> None:
    graph.statement(fact, fact.organisation.iri, S.foundingDate, fact.date)
    graph.entity(fact.organisation)


def _headquarters(graph: _Graph, fact: Headquarters) -> None:
    graph.statement(fact, fact.organisation.iri, C.headquarters, fact.place)
    graph.entity(fact.organisation)
    graph.entity(fact.place)


def _supplements(graph: _Graph, fact: Supplements) -> None:
    graph.statement(fact, fact.protocol.iri, C.supplements, fact.treaty)
    graph.entity(fact.protocol)
    graph.entity(fact.treaty)


def _topic(graph: _Graph, fact: TreatyTopic) -> None:
    graph.statement(fact, fact.treaty.iri, C.addresses, fact.topic)
    graph.entity(fact.treaty)
    graph.entity(fact.topic)


def _person_role(graph: _Graph, fact: PersonRole) -> None:
    graph.entity(fact.person)
    graph.statement(fact, fact.person.iri, C.role, fact.role)
    if fact.affiliation is not None:
        graph.statement(fact, fact.person.iri, C.affiliation, fact.affiliation, part="affiliation")
        graph.entity(fact.affiliation)


def _mention(graph: _Graph, fact: Mention) -> None:
    graph.statement(fact, graph.doc, C.mentions, fact.entity)
    graph.entity(fact.entity)


def _membership_act(
    graph: _Graph, fact: MembershipEnd | Suspension | MembershipApplication
) -> None:
    iri = _n_ary(graph, fact, C[fact.kind])
    graph.typed(iri, C.MembershipAct)
    graph.add(iri, C.actor, fact.member)
    graph.add(iri, C.organisation, fact.organisation)
    graph.add(iri, C.date, fact.date)
    if isinstance(fact, MembershipEnd):
        graph.add(iri, C.endKind, fact.how)
        # The membership it ends is the one node texts and the reference data describe.
        membership = act_iri(Membership.kind, fact.member.iri, fact.organisation.iri)
        graph.typed(membership, C.Membership)
        graph.add(membership, ORGT.member, fact.member)
        graph.add(membership, ORGT.organization, fact.organisation)
        graph.add(membership, C.until, fact.date)
        graph.fact_evidence(membership, fact)
    graph.entity(fact.member)
    graph.entity(fact.organisation)


def _member_count(graph: _Graph, fact: MemberCount) -> None:
    iri = _n_ary(graph, fact, C.MemberCount)
    graph.add(iri, C.organisation, fact.organisation)
    graph.add(iri, C.asOf, fact.as_of)
    graph.count(iri, "memberCount", fact.count)
    graph.entity(fact.organisation)


def _tally(graph: _Graph, fact: ActionTally) -> None:
    iri = _n_ary(graph, fact, C.ActionTally)
    graph.add(iri, C.treaty, fact.treaty)
    graph.add(iri, C.date, fact.date)
    graph.add(iri, C.actionType, fact.action)
    graph.count(iri, "actionCount", fact.count)
    graph.entity(fact.treaty)


_Handler = Callable[[_Graph, Any], None]
"""Writes one fact; `_fact` hands it only facts of the type it is paired with."""
_HANDLERS: list[tuple[type[Fact], _Handler]] = [
    (Mention, _mention),
    (MembershipEnd, _membership_act),
    (Suspension, _membership_act),
    (MembershipApplication, _membership_act),
    (MemberCount, _member_count),
    (ActionTally, _tally),
    (Membership, _membership),
    (TreatyAction, _treaty_action),
    (OpeningForSignature, _opening),
    (TreatyStatus, _status),
    (LegalReform, _reform),
    (Partnership, _partnership),
    (Conference, _event),
    (Founding, _founding),
    (Headquarters, _headquarters),
    (Supplements, _supplements),
    (TreatyTopic, _topic),
    (PersonRole, _person_role),
]
