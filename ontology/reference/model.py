"""What the reference tables describe: their files and columns, the values a cell may take,
and the entities a checked row becomes (states, organisations, treaties, topics, places,
memberships), with their names in their languages."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pycountry

from ontology.namespaces import (
    GRAPH_REFERENCE,
)

STATES_FILE = "states.csv"
ORGANISATIONS_FILE = "organisations.csv"
TREATIES_FILE = "treaties.csv"
TOPICS_FILE = "topics.csv"
PLACES_FILE = "places.csv"
MEMBERSHIPS_FILE = "memberships.csv"
TABLE_FILES = (
    STATES_FILE,
    ORGANISATIONS_FILE,
    TREATIES_FILE,
    TOPICS_FILE,
    PLACES_FILE,
    MEMBERSHIPS_FILE,
)

STATE_COLUMNS = (
    "key",
    "iso3166_alpha2",
    "iso3166_alpha3",
    "wikidata_qid",
    "name_en",
    "name_fr",
    "aliases",
    "former_names",
    "un_status",
    "iso3166_exemption",
    "ended",
    "successors",
)
ORGANISATION_COLUMNS = (
    "key",
    "name_en",
    "name_fr",
    "acronym",
    "wikidata_qid",
    "kind",
    "parent",
    "aliases",
    "headquarters",
    "founded",
    "source",
    "note",
)
TREATY_COLUMNS = (
    "key",
    "number",
    "title_en",
    "title_fr",
    "short_names",
    "kind",
    "supplements",
    "concluded_within",
    "untc_reference",
    "opened",
    "opened_at",
    "entry_into_force",
    "topics",
    "wikidata_qid",
    "source",
)
TOPIC_COLUMNS = ("key", "label_en", "label_fr", "aliases", "broader")
PLACE_COLUMNS = (
    "key",
    "name_en",
    "name_fr",
    "country",
    "kind",
    "aliases",
    "wikidata_qid",
    "source",
)
MEMBERSHIP_COLUMNS = ("organisation", "member", "since", "until", "end_kind", "source", "note")
# The columns whose names carry their languages ("Principauté d'Andorre@fr"), per table, in
# table order: every name the reference graph states as an other, former or short name
# (ontology/reference/README.md). An organisation's acronym is one name, the others lists.
NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    STATES_FILE: ("aliases", "former_names"),
    ORGANISATIONS_FILE: ("acronym", "aliases"),
    TREATIES_FILE: ("short_names",),
    TOPICS_FILE: ("aliases",),
    PLACES_FILE: ("aliases",),
}

UN_STATUSES = ("member", "observer", "none")
ORGANISATION_KINDS = ("intergovernmental", "company", "forum", "body", "agency", "ngo")
TREATY_KINDS = (
    "Convention",
    "Protocol",
    "Agreement",
    "Charter",
    "Code",
    "Statute",
    "Arrangement",
    "Covenant",
    "Treaty",
    "Act",
    "Final Act",
)
MEMBERSHIP_ENDS = ("withdrawal", "expulsion", "dissolution", "succession")
PLACE_KINDS = ("city", "island")

# The Council of Europe renamed its treaty series from ETS to CETS in 2004; number 194 was
# the first to be published as CETS. Numbering runs on across the rename.
FIRST_CETS_NUMBER = 194
# Where the curated treaty facts (dates and places of opening for signature) come from: the
# Treaty Office's complete list. Reference facts name it as their source, not a document.
TREATY_LIST = "https://www.coe.int/en/web/conventions/full-list"
# Where other reference facts come from: the reference tables, whose rows each name their
# public source (ontology/reference/README.md), published as the reference graph.
REFERENCE = GRAPH_REFERENCE


# A BCP 47 language tag as the tables write it: an ISO 639 language, then optionally an
# ISO 15924 script and an ISO 3166-1 or UN M.49 region, each in its canonical case
# ("en", "pt-BR", "ru-Latn"). Variants and extensions are not needed by any name so far.
_LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(?:-([A-Z][a-z]{3}))?(?:-([A-Z]{2}|[0-9]{3}))?")


@dataclass(frozen=True)
class Name:
    """A name, with the languages (BCP 47 tags) of the texts that write it this way.

    Mentions are matched on the bare `text`; the reference graph states the name once per
    language, so that a French display or query finds the French names.
    """

    text: str
    languages: tuple[str, ...]

    def tagged(self) -> str:
        """The tables' notation: "Principauté d'Andorre@fr", "OSCE@en,fr"."""
        return f"{self.text}@{','.join(self.languages)}"


def parse_name(item: str) -> Name:
    """A name written in the tables' notation, the languages after the last '@'.

    Raises ValueError saying what is wrong: no tag, an empty name, or a tag that is not a
    well-formed BCP 47 tag of a known language.
    """
    text, at, tags = item.rpartition("@")
    text = text.strip()
    if not at:
        raise ValueError(
            f"{item!r} has no language; end it with '@' and a BCP 47 tag, e.g. '{item}@en' "
            "(several languages: '@en,fr')"
        )
    if not text:
        raise ValueError(f"{item!r} has no name before its language tag")
    languages = tuple(tags.split(","))
    for language in languages:
        problem = _language_problem(language)
        if problem:
            raise ValueError(f"{item!r}: {problem}")
    repeated = next((tag for tag in languages if languages.count(tag) > 1), "")
    if repeated:
        raise ValueError(f"{item!r} gives the language {repeated!r} twice")
    return Name(text, languages)


@functools.cache
def _language_problem(tag: str) -> str:
    """Why `tag` is not a language tag the tables accept; empty if it is one."""
    match = _LANGUAGE_TAG.fullmatch(tag)
    if not match:
        return (
            f"{tag!r} is not a BCP 47 language tag; write a lower-case ISO 639 code, "
            "optionally with a script and a region: 'en', 'fr', 'pt-BR', 'ru-Latn'"
        )
    code, script, region = match.groups()
    if len(code) == 2:
        known = pycountry.languages.get(alpha_2=code)
    else:
        known = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
        if known is not None and hasattr(known, "alpha_2"):
            return f"write {known.alpha_2!r} for {code!r}: BCP 47 takes the two-letter code"
    if known is None:
        return f"{code!r} in {tag!r} is not an ISO 639 language code"
    if script and pycountry.scripts.get(alpha_4=script) is None:
        return f"{script!r} in {tag!r} is not an ISO 15924 script code"
    if region and not region.isdigit() and pycountry.countries.get(alpha_2=region) is None:
        return f"{region!r} in {tag!r} is not an ISO 3166-1 region code"
    return ""


def _texts(names: tuple[Name, ...]) -> tuple[str, ...]:
    return tuple(name.text for name in names)


@dataclass(frozen=True)
class State:
    """A state, by ISO 3166-1 code where it has one; former names kept apart from aliases."""

    iri: str
    key: str
    alpha2: str
    alpha3: str
    qid: str
    name_en: str
    name_fr: str
    tagged_aliases: tuple[Name, ...]
    tagged_former_names: tuple[Name, ...]
    un_status: str = "member"
    iso3166_exemption: str = ""
    ended: str = ""
    """The day the state ceased to exist; empty for a state that exists."""
    successor_iris: tuple[str, ...] = ()

    @property
    def aliases(self) -> tuple[str, ...]:
        return _texts(self.tagged_aliases)

    @property
    def former_names(self) -> tuple[str, ...]:
        return _texts(self.tagged_former_names)


@dataclass(frozen=True)
class Organisation:
    """An organisation, or a body of one (then parent_iri names the organisation)."""

    iri: str
    key: str
    name_en: str
    name_fr: str
    tagged_acronym: Name | None
    qid: str
    kind: str
    tagged_aliases: tuple[Name, ...]
    parent_iri: str
    headquarters: str
    founded: str
    note: str = ""

    @property
    def acronym(self) -> str:
        """The usual short form ("CoE", "OSCE"), bare; empty if there is none."""
        return self.tagged_acronym.text if self.tagged_acronym else ""

    @property
    def aliases(self) -> tuple[str, ...]:
        return _texts(self.tagged_aliases)


@dataclass(frozen=True)
class Treaty:
    """A treaty: a Council of Europe one by its ETS/CETS number, any other by its key."""

    iri: str
    number: str
    title_en: str
    title_fr: str
    tagged_short_names: tuple[Name, ...]
    kind: str
    supplements_iri: str
    opened: str
    opened_at_iri: str = ""
    topic_iris: tuple[str, ...] = ()
    qid: str = ""
    key: str = ""
    concluded_within_iri: str = ""
    untc_reference: str = ""
    entry_into_force: str = ""

    @property
    def short_names(self) -> tuple[str, ...]:
        return _texts(self.tagged_short_names)


@dataclass(frozen=True)
class Membership:
    """A state's membership of an organisation over a period; `until` is the first day it
    no longer held, empty while it lasts."""

    iri: str
    member_iri: str
    organisation_iri: str
    since: str
    until: str = ""
    end_kind: str = ""


@dataclass(frozen=True)
class Topic:
    """A subject a treaty addresses: a SKOS concept of the topic scheme."""

    iri: str
    key: str
    label_en: str
    label_fr: str
    tagged_aliases: tuple[Name, ...]
    broader_iri: str = ""

    @property
    def aliases(self) -> tuple[str, ...]:
        return _texts(self.tagged_aliases)


@dataclass(frozen=True)
class Place:
    """A city or other place that sources name as a seat, venue or place of signature."""

    iri: str
    key: str
    name_en: str
    country_iri: str
    tagged_aliases: tuple[Name, ...]
    name_fr: str = ""
    kind: str = "city"
    qid: str = ""

    @property
    def aliases(self) -> tuple[str, ...]:
        return _texts(self.tagged_aliases)


Entity = State | Organisation | Treaty | Topic | Place
