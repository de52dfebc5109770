"""The strict reader of the reference tables: a table that is wrong in any way (a missing or
unknown column, a malformed cell, a duplicate key or Wikidata item, a date out of order) is
refused as a whole, with its file, line and reason; the checked rows become the entities of
`Reference`, read once per state of the files."""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pycountry

from ontology.errors import ComityError
from ontology.iris import (
    act_iri,
    organisation_iri,
    place_iri,
    slug,
    state_iri,
    topic_iri,
    treaty_iri,
    treaty_slug,
    unit_iri,
)
from ontology.paths import REFERENCE_DIR
from ontology.reference.model import (
    FIRST_CETS_NUMBER,
    MEMBERSHIP_COLUMNS,
    MEMBERSHIP_ENDS,
    MEMBERSHIPS_FILE,
    ORGANISATION_COLUMNS,
    ORGANISATION_KINDS,
    ORGANISATIONS_FILE,
    PLACE_COLUMNS,
    PLACE_KINDS,
    PLACES_FILE,
    STATE_COLUMNS,
    STATES_FILE,
    TABLE_FILES,
    TOPIC_COLUMNS,
    TOPICS_FILE,
    TREATIES_FILE,
    TREATY_COLUMNS,
    TREATY_KINDS,
    UN_STATUSES,
    Membership,
    Name,
    Organisation,
    Place,
    State,
    Topic,
    Treaty,
    parse_name,
)
from ontology.reference.names import Reference

_QID = re.compile(r"Q[1-9][0-9]*")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_YEAR = re.compile(r"[0-9]{4}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
_CANONICAL_NUMBER = re.compile(r"(C?ETS) ([0-9]{3})")


def load_reference(directory: Path = REFERENCE_DIR) -> Reference:
    """Read and check the six reference tables of a directory.

    The result is cached per directory and per state of its files, so callers may ask for it
    freely, and an edited table is read again.
    """
    directory = Path(directory).resolve()
    return _load_cached(directory, _files_state(directory))


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
