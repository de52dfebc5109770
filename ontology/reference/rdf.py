"""The reference named graph: the checked entities as triples, every one tied to the public
source its table row names."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from ontology.iris import (
    act_iri,
    topic_scheme_iri,
)
from ontology.namespaces import (
    COMITY,
    ORG,
    OWL,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    WD,
    XSD,
)
from ontology.paths import REFERENCE_DIR
from ontology.reference.model import (
    REFERENCE,
    TREATY_LIST,
    Membership,
    Name,
    Organisation,
    Place,
    State,
    Topic,
    Treaty,
)
from ontology.reference.names import Reference
from ontology.reference.tables import load_reference
from ontology.vocabulary import sources_digest


def reference_ntriples(directory: Path = REFERENCE_DIR) -> bytes:
    """The reference named graph as N-Triples."""
    reference = load_reference(directory)
    return (
        pyoxigraph.serialize(reference_triples(reference), format=pyoxigraph.RdfFormat.N_TRIPLES)
        or b""
    )


def reference_digest(directory: Path = REFERENCE_DIR) -> str:
    """The digest the reference graph is stamped with: that of the tables it is made from."""
    return sources_digest(sorted(directory.glob("*.csv")))


def reference_triples(reference: Reference) -> list[pyoxigraph.Triple]:
    """The reference graph's triples, in table order."""
    return _ReferenceGraph(reference).triples


_ORGANISATION_CLASSES = {
    "intergovernmental": COMITY.IntergovernmentalOrganisation,
    "company": COMITY.Company,
    "forum": COMITY.Organisation,
    "body": COMITY.OrganisationalUnit,
    "agency": COMITY.Organisation,
    "ngo": COMITY.Organisation,
}
_TREATY_CLASSES = {"Convention": COMITY.Convention, "Protocol": COMITY.Protocol}
_PLACE_CLASSES = {"city": COMITY.City, "island": COMITY.Place}


class _ReferenceGraph:
    """Builds the triples of the reference graph from the checked entities."""

    def __init__(self, reference: Reference) -> None:
        self.triples: list[pyoxigraph.Triple] = []
        for state in reference.states:
            self._state(state)
        for organisation in reference.organisations:
            self._organisation(organisation)
        for treaty in reference.treaties:
            self._treaty(treaty)
        for membership in reference.memberships:
            self._membership(membership)
        if reference.topics:
            scheme = topic_scheme_iri()
            self._add(scheme, RDF.type, _iri(SKOS.ConceptScheme))
            self._add(scheme, RDFS.label, pyoxigraph.Literal("Comity topics", language="en"))
            self._add(scheme, RDFS.label, pyoxigraph.Literal("Thèmes de Comity", language="fr"))
        for topic in reference.topics:
            self._topic(topic)
        for place in reference.places:
            self._place(place)

    def _add(
        self, subject: str, predicate: str, value: pyoxigraph.NamedNode | pyoxigraph.Literal
    ) -> None:
        self.triples.append(pyoxigraph.Triple(_iri(subject), _iri(predicate), value))

    def _link(self, subject: str, predicate: str, target: str) -> None:
        if target:
            self._add(subject, predicate, _iri(target))

    def _labels(self, subject: str, predicate: str, english: str, french: str) -> None:
        self._add(subject, predicate, pyoxigraph.Literal(english, language="en"))
        self._add(subject, predicate, pyoxigraph.Literal(french, language="fr"))

    def _strings(self, subject: str, predicate: str, values: tuple[str, ...]) -> None:
        for value in values:
            self._add(subject, predicate, pyoxigraph.Literal(value))

    def _names(self, subject: str, predicate: str, names: tuple[Name, ...]) -> None:
        """Each name once per language it is written in."""
        for name in names:
            for language in name.languages:
                self._add(subject, predicate, pyoxigraph.Literal(name.text, language=language))

    def _same_as(self, subject: str, qid: str) -> None:
        if qid:
            self._add(subject, OWL.sameAs, _iri(WD[qid]))

    def _state(self, state: State) -> None:
        self._link(state.iri, RDF.type, COMITY.State)
        self._labels(state.iri, RDFS.label, state.name_en, state.name_fr)
        self._names(state.iri, SKOS.altLabel, state.tagged_aliases)
        self._names(state.iri, COMITY.formerName, state.tagged_former_names)
        if state.alpha3:
            if state.alpha2:
                self._strings(state.iri, COMITY.iso3166Alpha2, (state.alpha2,))
            self._strings(state.iri, COMITY.iso3166Alpha3, (state.alpha3,))
        else:
            self._strings(state.iri, COMITY.iso3166Exemption, (state.iso3166_exemption,))
        self._same_as(state.iri, state.qid)
        if state.ended:
            self._link(state.iri, RDF.type, COMITY.FormerState)
            self._add(state.iri, SCHEMA.dissolutionDate, _date_literal(state.ended))
        for successor in state.successor_iris:
            self._link(state.iri, COMITY.successor, successor)

    def _organisation(self, organisation: Organisation) -> None:
        iri = organisation.iri
        self._link(iri, RDF.type, _ORGANISATION_CLASSES[organisation.kind])
        self._labels(iri, RDFS.label, organisation.name_en, organisation.name_fr)
        if organisation.tagged_acronym:
            self._names(iri, COMITY.shortName, (organisation.tagged_acronym,))
        self._names(iri, SKOS.altLabel, organisation.tagged_aliases)
        self._link(iri, ORG.unitOf, organisation.parent_iri)
        self._link(iri, COMITY.headquarters, organisation.headquarters)
        if organisation.founded:
            self._add(iri, SCHEMA.foundingDate, _date_literal(organisation.founded))
        self._same_as(iri, organisation.qid)

    def _treaty(self, treaty: Treaty) -> None:
        iri = treaty.iri
        self._link(iri, RDF.type, COMITY.Treaty)
        if treaty.kind in _TREATY_CLASSES:
            self._link(iri, RDF.type, _TREATY_CLASSES[treaty.kind])
        self._labels(iri, RDFS.label, treaty.title_en, treaty.title_fr)
        if treaty.number:
            self._strings(iri, COMITY.treatyNumber, (treaty.number,))
        if treaty.untc_reference:
            self._strings(iri, COMITY.untcReference, (treaty.untc_reference,))
        self._names(iri, COMITY.shortName, treaty.tagged_short_names)
        self._link(iri, COMITY.supplements, treaty.supplements_iri)
        self._link(iri, COMITY.concludedWithin, treaty.concluded_within_iri)
        for topic in treaty.topic_iris:
            self._link(iri, COMITY.addresses, topic)
        self._same_as(iri, treaty.qid)
        # The acts of the treaty itself, which no state performs.
        source = TREATY_LIST if treaty.number else REFERENCE
        if treaty.opened:
            opening = act_iri("OpeningForSignature", iri)
            self._link(opening, RDF.type, COMITY.OpeningForSignature)
            self._link(opening, COMITY.treaty, iri)
            self._add(opening, COMITY.date, _date_literal(treaty.opened))
            self._link(opening, SCHEMA.location, treaty.opened_at_iri)
            self._link(opening, COMITY.reportedIn, source)
        if treaty.entry_into_force:
            in_force = act_iri("EntryIntoForce", iri)
            self._link(in_force, RDF.type, COMITY.EntryIntoForce)
            self._link(in_force, COMITY.treaty, iri)
            self._add(in_force, COMITY.date, _date_literal(treaty.entry_into_force))
            self._link(in_force, COMITY.reportedIn, source)

    def _membership(self, membership: Membership) -> None:
        iri = membership.iri
        self._link(iri, RDF.type, COMITY.Membership)
        self._link(iri, ORG.member, membership.member_iri)
        self._link(iri, ORG.organization, membership.organisation_iri)
        self._add(iri, COMITY.since, _date_literal(membership.since))
        self._link(iri, COMITY.reportedIn, REFERENCE)
        if membership.until:
            self._add(iri, COMITY.until, _date_literal(membership.until))
            self._add(iri, COMITY.endedBy, pyoxigraph.Literal(membership.end_kind))
        else:
            # The shortcut holds now, so it is stated only for a membership that lasts.
            self._link(membership.member_iri, COMITY.memberOf, membership.organisation_iri)

    def _topic(self, topic: Topic) -> None:
        self._link(topic.iri, RDF.type, COMITY.Topic)
        self._link(topic.iri, RDF.type, SKOS.Concept)
        self._link(topic.iri, SKOS.inScheme, topic_scheme_iri())
        self._labels(topic.iri, SKOS.prefLabel, topic.label_en, topic.label_fr)
        self._labels(topic.iri, RDFS.label, topic.label_en, topic.label_fr)
        self._names(topic.iri, SKOS.altLabel, topic.tagged_aliases)
        self._link(topic.iri, SKOS.broader, topic.broader_iri)

    def _place(self, place: Place) -> None:
        self._link(place.iri, RDF.type, _PLACE_CLASSES[place.kind])
        self._labels(place.iri, RDFS.label, place.name_en, place.name_fr)
        self._names(place.iri, SKOS.altLabel, place.tagged_aliases)
        self._link(place.iri, SCHEMA.containedInPlace, place.country_iri)
        self._same_as(place.iri, place.qid)


def _iri(value: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(value))


def _date_literal(value: str) -> pyoxigraph.Literal:
    """A date at the precision it is known: xsd:date, xsd:gYearMonth or xsd:gYear."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(value)]
    return pyoxigraph.Literal(value, datatype=_iri(datatype))
