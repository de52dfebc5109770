"""The curated reference entities: states, organisations, treaties, topics and places.

The tables in ontology/reference/ are the single place where Comity learns what a name in a
source text refers to. This module reads them strictly (a table that is wrong in any way is
refused as a whole, with the file, line and reason), offers a name index for linking
mentions, and turns the tables into the reference named graph.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pycountry
import pyoxigraph

from ontology.errors import ComityError
from ontology.iris import (
    act_iri,
    organisation_iri,
    place_iri,
    slug,
    state_iri,
    topic_iri,
    topic_scheme_iri,
    treaty_iri,
    treaty_slug,
    unit_iri,
)
from ontology.namespaces import (
    COMITY,
    GRAPH_REFERENCE,
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

# Names that really do name two reference entities. Linking a mention of one of them needs
# context (the sentence, the kind of entity expected); the lookup returns every candidate.
# tests/ontology/test_reference.py fails when a new collision appears that is not listed here.
AMBIGUOUS_NAMES: frozenset[str] = frozenset(
    {
        "echr",  # the European Convention on Human Rights (ETS 005) and its Court
        "luxembourg",  # the state and its capital city
        "cedh",  # French for the Convention (CEDH) and, informally, the Court
        "yugoslavia",  # the socialist federation (to 1992) and its rump state (1992-2006)
        "yougoslavie",
        "djibouti",  # each a state and its capital city
        "singapore",
        "singapour",
        "grenade",  # French for Grenada, and for the Spanish city of Granada
        "unfccc",  # the climate convention and, in common usage, its secretariat
        "ccnucc",
        "torture convention",  # the UN convention against torture and the European one
        # ETS 081 (1974) and ETS 113 (1983): two additional protocols with one title.
        "additional protocol to the protocol to the european agreement on the protection of "
        "television broadcasts",
        "protocole additionnel au protocole a l'arrangement europeen pour la protection des "
        "emissions de television",
    }
)

_QID = re.compile(r"Q[1-9][0-9]*")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_YEAR = re.compile(r"[0-9]{4}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
_CANONICAL_NUMBER = re.compile(r"(C?ETS) ([0-9]{3})")
_NUMBER_IN_NAME = re.compile(
    r"(?:c?ets|stce|ste)\s*(?:no\.?|n°|n\.)?\s*([0-9]{1,3})", re.IGNORECASE
)
# A BCP 47 language tag as the tables write it: an ISO 639 language, then optionally an
# ISO 15924 script and an ISO 3166-1 or UN M.49 region, each in its canonical case
# ("en", "pt-BR", "ru-Latn"). Variants and extensions are not needed by any name so far.
_LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(?:-([A-Z][a-z]{3}))?(?:-([A-Z]{2}|[0-9]{3}))?")
_TYPOGRAPHY = str.maketrans("‘’‚‛`´“”„«»‐‑‒–—", "'" * 6 + '"' * 5 + "-" * 5)


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


def normalise_name(text: str) -> str:
    """The form under which names are compared: case, accents, quotes, spacing and a leading
    "the" do not matter, and every way of writing a treaty number ("ETS No. 185",
    "CETS n° 185", "ets185") becomes one key, since the number alone identifies the treaty.
    """
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    text = " ".join(text.split()).strip(" \"'").casefold()
    number = _NUMBER_IN_NAME.fullmatch(text)
    if number:
        return f"treaty {int(number.group(1))}"
    if text.startswith("the "):
        text = text[4:].strip(" \"'")
    return text


class Reference:
    """All reference entities, with an index from every known name to what it names."""

    def __init__(
        self,
        states: tuple[State, ...],
        organisations: tuple[Organisation, ...],
        treaties: tuple[Treaty, ...],
        topics: tuple[Topic, ...],
        places: tuple[Place, ...],
        memberships: tuple[Membership, ...] = (),
    ) -> None:
        self.memberships = memberships
        self.states = states
        self.organisations = organisations
        self.treaties = treaties
        self.topics = topics
        self.places = places
        self._by_iri: dict[str, Entity] = {entity.iri: entity for entity in self.entities()}
        self._by_code = {
            code.upper(): state
            for state in states
            for code in (state.alpha2, state.alpha3, state.key)
            if code
        }
        index: dict[str, list[Entity]] = {}
        for entity in self.entities():
            for key in dict.fromkeys(normalise_name(name) for name in names_of(entity)):
                index.setdefault(key, []).append(entity)
        self._index = {key: tuple(found) for key, found in index.items()}

    def entities(self) -> Iterator[Entity]:
        yield from self.states
        yield from self.organisations
        yield from self.treaties
        yield from self.topics
        yield from self.places

    def lookup(self, name: str) -> list[Entity]:
        """Every entity known by this name; more than one only for the ambiguous names."""
        return list(self._index.get(normalise_name(name), ()))

    def ambiguous_names(self) -> dict[str, tuple[Entity, ...]]:
        """Normalised names that name more than one entity, with the entities they name."""
        return {key: found for key, found in self._index.items() if len(found) > 1}

    def by_iri(self, iri: str) -> Entity | None:
        return self._by_iri.get(iri)

    def state(self, code: str) -> State | None:
        """A state by ISO alpha-2 or alpha-3 code (any case), or by key ("kosovo")."""
        return self._by_code.get(code.strip().upper())

    def treaty(self, number: str) -> Treaty | None:
        """A treaty by its number in any usual spelling ("ETS No. 185", "ETS-185") or by name.

        Minting normalises every spelling of a number, so the IRI is the first look-up key.
        """
        try:
            entity = self._by_iri.get(treaty_iri(number))
        except ValueError:  # no letter or digit: no treaty has such a name either
            return None
        if isinstance(entity, Treaty):
            return entity
        return next(
            (
                entity
                for entity in self._index.get(normalise_name(number), ())
                if isinstance(entity, Treaty)
            ),
            None,
        )

    def triples(self) -> list[pyoxigraph.Triple]:
        """The reference graph's triples, in table order."""
        return _ReferenceGraph(self).triples


def names_of(entity: Entity) -> tuple[str, ...]:
    """Every name under which an entity may appear in a text."""
    if isinstance(entity, State):
        return (entity.name_en, entity.name_fr, *entity.aliases, *entity.former_names)
    if isinstance(entity, Organisation):
        acronym = (entity.acronym,) if entity.acronym else ()
        return (entity.name_en, entity.name_fr, *acronym, *entity.aliases)
    if isinstance(entity, Treaty):
        number = (entity.number,) if entity.number else ()
        return (*number, entity.title_en, entity.title_fr, *entity.short_names)
    if isinstance(entity, Topic):
        return (entity.label_en, entity.label_fr, *entity.aliases)
    return (entity.name_en, entity.name_fr, *entity.aliases)


def load_reference(directory: Path = REFERENCE_DIR) -> Reference:
    """Read and check the six reference tables of a directory.

    The result is cached per directory and per state of its files, so callers may ask for it
    freely, and an edited table is read again.
    """
    directory = Path(directory).resolve()
    return _load_cached(directory, _files_state(directory))


def reference_ntriples(directory: Path = REFERENCE_DIR) -> bytes:
    """The reference named graph as N-Triples."""
    reference = load_reference(directory)
    return pyoxigraph.serialize(reference.triples(), format=pyoxigraph.RdfFormat.N_TRIPLES) or b""


def _files_state(directory: Path) -> tuple[tuple[str, int, int], ...]:
    state = []
    for name in TABLE_FILES:
        try:
            stat = (directory / name).stat()
        except OSError:
            state.append((name, -1, -1))
        else:
            state.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(state)


@functools.lru_cache(maxsize=8)
def _load_cached(directory: Path, files_state: tuple[tuple[str, int, int], ...]) -> Reference:
    del files_state  # only part of the cache key
    state_rows = _read_table(directory / STATES_FILE, STATE_COLUMNS)
    place_rows = _read_table(directory / PLACES_FILE, PLACE_COLUMNS)
    organisation_rows = _read_table(directory / ORGANISATIONS_FILE, ORGANISATION_COLUMNS)
    topic_rows = _read_table(directory / TOPICS_FILE, TOPIC_COLUMNS)
    treaty_rows = _read_table(directory / TREATIES_FILE, TREATY_COLUMNS)
    membership_rows = _read_table(directory / MEMBERSHIPS_FILE, MEMBERSHIP_COLUMNS)

    states = _states(state_rows)
    state_iris = {state.key: state.iri for state in states}

    places = tuple(_place(row, state_iris) for row in place_rows)
    _refuse_duplicates(place_rows, [place.key for place in places], "place key")
    place_iris = {place.key: place.iri for place in places}

    organisations = _organisations(organisation_rows, place_iris)
    organisation_iris = {organisation.key: organisation.iri for organisation in organisations}
    topics = _topics(topic_rows)
    topic_iris = {topic.key: topic.iri for topic in topics}
    treaties = _treaties(treaty_rows, topic_iris, place_iris, organisation_iris)
    memberships = _memberships(membership_rows, state_iris, organisation_iris)
    _refuse_duplicate_items(
        [
            (state_rows, states),
            (place_rows, places),
            (organisation_rows, organisations),
            (treaty_rows, treaties),
        ]
    )
    return Reference(states, organisations, treaties, topics, places, memberships)


class _Row:
    """One data row of a table, whose accessors check a cell and name the row on failure."""

    def __init__(self, path: Path, line: int, cells: dict[str, str]) -> None:
        self.path = path
        self.line = line
        self.cells = cells

    def fail(self, reason: str) -> ComityError:
        return ComityError(f"{self.path}: line {self.line}: {reason}")

    def text(self, column: str, required: bool = True) -> str:
        value = self.cells[column]
        if required and not value:
            raise self.fail(f"column {column!r} is empty; it needs a value")
        return value

    def names(self, column: str) -> tuple[str, ...]:
        value = self.cells[column]
        if not value:
            return ()
        names = tuple(name.strip() for name in value.split("|"))
        if any(not name for name in names):
            raise self.fail(f"column {column!r} has an empty name between '|' separators")
        return names

    def tagged_names(self, column: str) -> tuple[Name, ...]:
        """The names of a list cell, each with its languages; a name may appear once."""
        names = []
        for item in self.names(column):
            try:
                names.append(parse_name(item))
            except ValueError as error:
                raise self.fail(f"{column}: {error}") from None
        texts = [name.text for name in names]
        repeated = next((text for text in texts if texts.count(text) > 1), "")
        if repeated:
            raise self.fail(
                f"{column}: {repeated!r} appears twice; give it once with all its languages, "
                f"e.g. '{repeated}@en,fr'"
            )
        return tuple(names)

    def tagged_name(self, column: str) -> Name | None:
        """The one name of a cell, with its languages; None if the cell is empty."""
        names = self.tagged_names(column)
        if len(names) > 1:
            raise self.fail(f"column {column!r} holds one name; '|' separates names in a list")
        return names[0] if names else None

    def key(self, column: str = "key") -> str:
        value = self.text(column)
        if not _KEY.fullmatch(value):
            raise self.fail(
                f"{column} {value!r} is not a key: use lower-case letters, digits and '_'"
            )
        return value

    def qid(self, column: str = "wikidata_qid") -> str:
        value = self.cells[column]
        if value and not _QID.fullmatch(value):
            raise self.fail(
                f"{column} {value!r} is not a Wikidata item id; write it as Q followed by "
                "digits, e.g. Q142, or leave the cell empty"
            )
        return value

    def choice(self, column: str, allowed: tuple[str, ...]) -> str:
        value = self.text(column)
        if value not in allowed:
            raise self.fail(f"{column} {value!r} is not one of: {', '.join(allowed)}")
        return value

    def year(self, column: str) -> str:
        value = self.cells[column]
        if value and not _YEAR.fullmatch(value):
            raise self.fail(f"{column} {value!r} is not a four-digit year")
        return value

    def date(self, column: str, partial: bool = False) -> str:
        """A day (YYYY-MM-DD); with `partial`, also a month (YYYY-MM) or a year (YYYY)."""
        value = self.cells[column]
        if not value:
            return ""
        try:
            if not (_PARTIAL_DATE if partial else _DATE).fullmatch(value):
                raise ValueError(value)
            date.fromisoformat((value + "-01-01")[:10])
        except ValueError:
            form = "YYYY-MM-DD, YYYY-MM or YYYY" if partial else "YYYY-MM-DD"
            raise self.fail(f"{column} {value!r} is not a date written {form}") from None
        return value

    def reference(
        self, column: str, known: dict[str, str], table: str, required: bool = False
    ) -> str:
        """The IRI of the row that this cell names by key in another (or the same) table."""
        value = self.text(column, required)
        if not value:
            return ""
        if value not in known:
            raise self.fail(f"{column} {value!r} is not a key in {table}")
        return known[value]


def _read_table(path: Path, columns: tuple[str, ...]) -> list[_Row]:
    """All data rows of a CSV table whose header holds exactly the expected columns."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ComityError(
            f"{path}: cannot read the reference table ({error.strerror}); restore it from "
            "version control"
        ) from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ComityError(f"{path}: line {line}: not UTF-8 text; save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    try:
        header = next(reader, None)
        if not header:
            raise ComityError(f"{path}: line 1: the header row is missing")
        header = [name.strip() for name in header]
        missing = [name for name in columns if name not in header]
        unknown = [name for name in header if name not in columns]
        if missing or unknown or len(header) != len(columns):
            problems = []
            if missing:
                problems.append(f"missing column(s) {', '.join(missing)}")
            if unknown:
                problems.append(f"unknown column(s) {', '.join(unknown)}")
            if not problems:
                problems.append("a column appears twice")
            raise ComityError(
                f"{path}: line 1: {'; '.join(problems)}; the header must name the columns "
                f"{', '.join(columns)}"
            )
        for cells in reader:
            if not cells:
                continue
            if len(cells) != len(header):
                raise ComityError(
                    f"{path}: line {reader.line_num}: {len(cells)} fields where the header "
                    f"has {len(header)}; quote any cell that contains a comma"
                )
            values = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
            rows.append(_Row(path, reader.line_num, values))
    except csv.Error as error:
        raise ComityError(f"{path}: line {reader.line_num}: not valid CSV ({error})") from None
    return rows


def _refuse_duplicates(rows: list[_Row], keys: list[str], what: str) -> None:
    seen: dict[str, int] = {}
    for row, key in zip(rows, keys, strict=True):
        if key in seen:
            raise row.fail(f"{what} {key!r} appears twice (first on line {seen[key]})")
        seen[key] = row.line


def _states(rows: list[_Row]) -> tuple[State, ...]:
    """The states, then their successors resolved once every key is known."""
    states = [_state(row) for row in rows]
    _refuse_duplicates(rows, [state.key for state in states], "state key")
    iris = {state.key: state.iri for state in states}
    resolved = []
    for row, state in zip(rows, states, strict=True):
        successors = []
        for key in row.names("successors"):
            if key not in iris or key == state.key:
                raise row.fail(f"successors: {key!r} is not the key of another state")
            successors.append(iris[key])
        if successors and not state.ended:
            raise row.fail("only a state that ended has successors; give `ended` too")
        resolved.append(dataclasses.replace(state, successor_iris=tuple(successors)))
    return tuple(resolved)


def _state(row: _Row) -> State:
    key = row.text("key")
    alpha2 = row.text("iso3166_alpha2", required=False)
    alpha3 = row.text("iso3166_alpha3", required=False)
    exemption = row.text("iso3166_exemption", required=False)
    ended = row.date("ended")
    if ended and alpha3:
        # A state that no longer exists keeps the alpha-3 code ISO 3166-3 records for it;
        # its alpha-2 code has been given to others since, so it has none here.
        if pycountry.historic_countries.get(alpha_3=alpha3) is None:
            raise row.fail(f"iso3166_alpha3 {alpha3!r} is not a withdrawn code of ISO 3166-3")
        if alpha2:
            raise row.fail("a state that ended takes no iso3166_alpha2: ISO has reused it")
        if key != alpha3:
            raise row.fail(f"key {key!r} must be the alpha-3 code {alpha3!r}")
        if exemption:
            raise row.fail("a state with an ISO code takes no iso3166_exemption")
    elif alpha3 or alpha2:
        country = (
            pycountry.countries.get(alpha_3=alpha3) if re.fullmatch("[A-Z]{3}", alpha3) else None
        )
        if country is None:
            raise row.fail(f"iso3166_alpha3 {alpha3!r} is not an ISO 3166-1 alpha-3 code")
        if alpha2 != country.alpha_2:
            raise row.fail(
                f"iso3166_alpha2 {alpha2!r} does not match {alpha3}; ISO 3166-1 gives "
                f"{country.alpha_2!r}"
            )
        if key != alpha3:
            raise row.fail(f"key {key!r} must be the alpha-3 code {alpha3!r}")
        if exemption:
            raise row.fail("a state with ISO 3166-1 codes takes no iso3166_exemption")
    else:
        if not exemption:
            raise row.fail("a state without ISO 3166-1 codes needs an iso3166_exemption saying why")
        if not _KEY.fullmatch(key):
            raise row.fail(f"key {key!r} of a state without ISO code must be lower-case letters")
    return State(
        iri=state_iri(key),
        key=key,
        alpha2=alpha2,
        alpha3=alpha3,
        qid=row.qid(),
        name_en=row.text("name_en"),
        name_fr=row.text("name_fr"),
        tagged_aliases=row.tagged_names("aliases"),
        tagged_former_names=row.tagged_names("former_names"),
        un_status=row.choice("un_status", UN_STATUSES),
        iso3166_exemption=exemption,
        ended=ended,
    )


def _place(row: _Row, state_iris: dict[str, str]) -> Place:
    key = row.text("key")
    if slug(key) != key:
        raise row.fail(f"key {key!r} must be a slug: lower-case words joined by '-'")
    return Place(
        iri=place_iri(key),
        key=key,
        name_en=row.text("name_en"),
        name_fr=row.text("name_fr"),
        country_iri=row.reference("country", state_iris, STATES_FILE, required=True),
        kind=row.choice("kind", PLACE_KINDS),
        tagged_aliases=row.tagged_names("aliases"),
        qid=row.qid(),
    )


def _organisations(rows: list[_Row], place_iris: dict[str, str]) -> tuple[Organisation, ...]:
    keys = [row.key() for row in rows]
    _refuse_duplicates(rows, keys, "organisation key")
    by_key = dict(zip(keys, rows, strict=True))
    top_level_iris = {
        key: organisation_iri(row.text("name_en"))
        for key, row in by_key.items()
        if not row.cells["parent"]
    }
    organisations = []
    for key, row in by_key.items():
        kind = row.choice("kind", ORGANISATION_KINDS)
        name_en = row.text("name_en")
        parent_key = row.cells["parent"]
        if kind == "body" and not parent_key:
            raise row.fail("a body needs a parent: the key of the organisation it belongs to")
        if parent_key and kind != "body":
            raise row.fail(f"only a body has a parent; this row's kind is {kind!r}")
        parent_iri = row.reference("parent", top_level_iris, f"{ORGANISATIONS_FILE} (top level)")
        iri = (
            unit_iri(by_key[parent_key].text("name_en"), name_en)
            if parent_key
            else top_level_iris[key]
        )
        organisations.append(
            Organisation(
                iri=iri,
                key=key,
                name_en=name_en,
                name_fr=row.text("name_fr"),
                tagged_acronym=row.tagged_name("acronym"),
                qid=row.qid(),
                kind=kind,
                tagged_aliases=row.tagged_names("aliases"),
                parent_iri=parent_iri,
                headquarters=row.reference("headquarters", place_iris, PLACES_FILE),
                founded=row.date("founded", partial=True),
                note=row.text("note", required=False),
            )
        )
    _refuse_duplicates(rows, [organisation.iri for organisation in organisations], "IRI")
    return tuple(organisations)


def _topics(rows: list[_Row]) -> tuple[Topic, ...]:
    keys = []
    for row in rows:
        key = row.text("key")
        if slug(key) != key:
            raise row.fail(f"key {key!r} must be a slug: lower-case words joined by '-'")
        keys.append(key)
    _refuse_duplicates(rows, keys, "topic key")
    iris = {key: topic_iri(key) for key in keys}
    return tuple(
        Topic(
            iri=iris[key],
            key=key,
            label_en=row.text("label_en"),
            label_fr=row.text("label_fr"),
            tagged_aliases=row.tagged_names("aliases"),
            broader_iri=row.reference("broader", iris, TOPICS_FILE),
        )
        for key, row in zip(keys, rows, strict=True)
    )


def _treaty_key(row: _Row) -> tuple[str, str]:
    """The treaty's key and its ETS/CETS number (empty for a treaty outside the series)."""
    key = row.text("key")
    number = row.text("number", required=False)
    if number:
        match = _CANONICAL_NUMBER.fullmatch(number)
        if not match:
            raise row.fail(
                f"number {number!r} is not a treaty number; write 'ETS 185' or 'CETS 224' "
                "(series, one space, three digits)"
            )
        expected = "CETS" if int(match.group(2)) >= FIRST_CETS_NUMBER else "ETS"
        if match.group(1) != expected:
            raise row.fail(
                f"number {number!r} has the wrong series: treaties before {FIRST_CETS_NUMBER} "
                f"are ETS, from {FIRST_CETS_NUMBER} on CETS; write '{expected} {match.group(2)}'"
            )
        if key != treaty_slug(number):
            raise row.fail(f"key {key!r} of treaty {number} must be {treaty_slug(number)!r}")
    elif slug(key) != key or treaty_slug(key) != key:
        raise row.fail(
            f"key {key!r} must be a slug (lower-case words joined by '-') that is not an "
            "ETS/CETS number; a treaty of that series gives its number"
        )
    return key, number


def _treaties(
    rows: list[_Row],
    topic_iris: dict[str, str],
    place_iris: dict[str, str],
    organisation_iris: dict[str, str],
) -> tuple[Treaty, ...]:
    keys = [_treaty_key(row) for row in rows]
    _refuse_duplicates(rows, [key for key, _ in keys], "treaty key")
    iris = {key: treaty_iri(key) for key, _ in keys}
    treaties = []
    for (key, number), row in zip(keys, rows, strict=True):
        kind = row.choice("kind", TREATY_KINDS)
        supplements = row.reference("supplements", iris, TREATIES_FILE)
        if supplements == iris[key]:
            raise row.fail("a treaty cannot supplement itself")
        topics = []
        for topic in row.names("topics"):
            if topic not in topic_iris:
                raise row.fail(f"topics: {topic!r} is not a key in {TOPICS_FILE}")
            topics.append(topic_iris[topic])
        opened = row.date("opened", partial=True)
        in_force = row.date("entry_into_force", partial=True)
        if opened and in_force and not _not_after(opened, in_force):
            raise row.fail(
                f"entry_into_force {in_force} is before the opening for signature {opened}"
            )
        treaties.append(
            Treaty(
                iri=iris[key],
                number=number,
                title_en=row.text("title_en"),
                title_fr=row.text("title_fr"),
                tagged_short_names=row.tagged_names("short_names"),
                kind=kind,
                supplements_iri=supplements,
                opened=opened,
                opened_at_iri=row.reference("opened_at", place_iris, PLACES_FILE),
                topic_iris=tuple(topics),
                qid=row.qid(),
                key=key,
                concluded_within_iri=row.reference(
                    "concluded_within", organisation_iris, ORGANISATIONS_FILE
                ),
                untc_reference=row.text("untc_reference", required=False),
                entry_into_force=in_force,
            )
        )
    return tuple(treaties)


def _memberships(
    rows: list[_Row], state_iris: dict[str, str], organisation_iris: dict[str, str]
) -> tuple[Membership, ...]:
    """Memberships with their periods; one member's periods in one organisation never overlap."""
    memberships = []
    periods: dict[tuple[str, str], list[tuple[str, str, int]]] = {}
    for row in rows:
        organisation = row.reference(
            "organisation", organisation_iris, ORGANISATIONS_FILE, required=True
        )
        member = row.reference("member", state_iris, STATES_FILE, required=True)
        since = row.date("since")
        if not since:
            raise row.fail("column 'since' is empty; a membership needs its first day")
        until = row.date("until")
        if until and until <= since:
            raise row.fail(f"until {until} is not after since {since}")
        end_kind = row.text("end_kind", required=False)
        if end_kind and end_kind not in MEMBERSHIP_ENDS:
            raise row.fail(f"end_kind {end_kind!r} is not one of: {', '.join(MEMBERSHIP_ENDS)}")
        if bool(end_kind) != bool(until):
            raise row.fail("until and end_kind go together: a membership that ended says how")
        for other_since, other_until, line in periods.get((organisation, member), []):
            if since < (other_until or "9999") and other_since < (until or "9999"):
                raise row.fail(f"this period overlaps the one on line {line}")
        periods.setdefault((organisation, member), []).append((since, until, row.line))
        memberships.append(
            Membership(
                iri="",
                member_iri=member,
                organisation_iri=organisation,
                since=since,
                until=until,
                end_kind=end_kind,
            )
        )
    return tuple(replace(item, iri=_membership_iri(item, periods)) for item in memberships)


def _membership_iri(
    membership: Membership, periods: dict[tuple[str, str], list[tuple[str, str, int]]]
) -> str:
    """The act's IRI: a member's latest period in an organisation is named by the two alone,
    the one a text means by "X is a member"; an earlier period also by its first day."""
    member, organisation = membership.member_iri, membership.organisation_iri
    latest = max(since for since, _, _ in periods[(organisation, member)])
    if membership.since == latest:
        return act_iri("Membership", member, organisation)
    return act_iri("Membership", member, organisation, membership.since)


def _not_after(first: str, second: str) -> bool:
    """True unless `first` is certainly later than `second`, at the precision both share."""
    shared = min(len(first), len(second))
    return first[:shared] <= second[:shared]


def _refuse_duplicate_items(
    tables: list[tuple[list[_Row], tuple[State | Place | Organisation | Treaty, ...]]],
) -> None:
    """No Wikidata item may stand for two reference entities, in one table or across tables.

    Topics are concepts of Comity's own scheme and name no Wikidata item."""
    seen: dict[str, _Row] = {}
    for rows, entities in tables:
        for row, entity in zip(rows, entities, strict=True):
            if not entity.qid:
                continue
            first = seen.setdefault(entity.qid, row)
            if first is not row:
                raise row.fail(
                    f"wikidata_qid {entity.qid} is already the item of {first.path.name} line "
                    f"{first.line}; one item names one entity"
                )


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
