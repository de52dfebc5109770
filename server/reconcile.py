"""A W3C Entity Reconciliation service at /reconcile (API version 0.2, which OpenRefine 3.x uses).

Spreadsheet tools send batches of names ("Swizerland", "STE 185", "OTAN") and get back the
reference entities those names most likely mean, best first, with a score and a `match` flag
that is set only when the name is exactly, and only, one entity's. Identifiers are the entity
IRIs under the identifier space `https://w3id.org/comity/id/` ("state/FRA"), so a reconciled
column links straight to the linked-data pages the server already serves.

The candidates are the reference entities (ontology/reference/): states, organisations,
treaties, places and topics. Every name they are known by (English and French names, aliases,
former names, ISO codes, treaty numbers and short names, acronyms) is normalised once per
application into an index; a query is normalised the same way and looked up exactly, then
compared by edit distance with rapidfuzz to catch misspellings.

Once a column is reconciled, data extension fetches values of the graph for its entities (ISO
codes, Wikidata items, memberships, parties, dates): those are read from the store by SPARQL,
through the query workers and their time limit, so they follow every write, unlike the names.
"""

from __future__ import annotations

import json
import re
import threading
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup
from pyoxigraph import Literal, NamedNode
from rapidfuzz import fuzz, process

from graph.backend import solutions_of
from graph.query_execution import QueryFailed
from ontology import COMITY, ID, PREFIXES, WD, XSD
from ontology.reference import (
    Entity,
    Organisation,
    Place,
    Reference,
    State,
    Topic,
    Treaty,
    load_reference,
    names_of,
    normalise_name,
)
from server.protocol import http_error
from server.resources import labels_of
from server.state import state

blueprint = Blueprint("reconcile", __name__, url_prefix="/reconcile")

SERVICE_NAME = "Comity reference entities"
MAX_BATCH = 1_000
"""Most queries one batch may hold. A larger batch is refused (413) before any matching, so
one request cannot hold a worker thread for long; the manifest announces it as `batchSize`."""
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
SUGGEST_LIMIT = 10
FUZZY_CUTOFF = 70.0
"""Lowest edit-distance similarity (0-100) that still makes a candidate: below it the names
share little more than their length."""
FUZZY_CEILING = 99.0
"""A fuzzy candidate never scores 100, which is kept for exact matches."""
MIN_FUZZY_LENGTH = 4
"""Shorter queries and names (codes, acronyms) are matched exactly only: one letter off in a
three-letter code is another code."""
PREVIEW_SIZE = (400, 160)
MAX_EXTEND_IDS = 500
"""Most entities one data extension request may name; OpenRefine sends a few at a time. A
larger request is refused (413) before the store is asked anything."""
EXTENSION = "comity_reconcile"

_ARTICLES = frozenset({"the", "le", "la", "les", "l"})
_WORD = re.compile(r"[^\W_]+")
_TREATY_NUMBER = re.compile(r"(?:c?ets|stce|ste)(?: (?:no|nr|n))? 0*([0-9]{1,3})")
_SYMBOLS = str.maketrans({"+": " plus ", "&": " and "})
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_IRI = re.compile(r'[^\x00-\x20<>"{}|\\^`]+')
_DAY = re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}")
_SPARQL_PREFIXES = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())


@dataclass(frozen=True)
class EntityType:
    """A type the service reconciles against: a class of the Comity ontology."""

    id: str
    name: str
    description: str

    def as_json(self) -> dict[str, str]:
        """The type as the manifest, candidates and suggestions name it."""
        return {"id": self.id, "name": self.name}


TYPES: tuple[EntityType, ...] = (
    EntityType("State", "State", "a sovereign state, present or former, with its ISO codes"),
    EntityType("Organisation", "Organisation", "an organisation or one of its bodies"),
    EntityType("Treaty", "Treaty", "a treaty, by title, short name or ETS/CETS number"),
    EntityType("Place", "Place", "a city or other place"),
    EntityType("Topic", "Topic", "a subject a treaty addresses"),
)
STATE, ORGANISATION, TREATY, PLACE, TOPIC = TYPES
DEFAULT_TYPES: tuple[EntityType, ...] = (STATE, ORGANISATION, TREATY)
_TYPE_OF: dict[type, EntityType] = dict(
    zip((State, Organisation, Treaty, Place, Topic), TYPES, strict=True)
)


@dataclass(frozen=True)
class Property:
    """A property that data extension fetches: its name, the types it is proposed for, and
    the SPARQL pattern that leads from ?entity to ?value in the store."""

    id: str
    name: str
    description: str
    types: tuple[EntityType, ...]
    pattern: str
    kind: str = "text"
    """How a value is written: "entity" ({"id", "name"}), "date" ({"date"} for a whole day,
    {"str"} for a year or a month, whose day is not known), "wikidata" ({"str": "Q142"}) or
    "text" ({"str"})."""
    value_type: EntityType | None = None
    """The type of the entities it leads to, when the ontology fixes one: OpenRefine gives it
    to the column it makes of them."""

    def as_json(self) -> dict[str, str]:
        """The property as proposals and suggestions name it."""
        return {"id": self.id, "name": self.name, "description": self.description}

    def matches(self, prefix: str) -> bool:
        """Whether its id, its name or a word of its name starts with the case-folded
        `prefix`: "member" finds "member of" and "members", "ISO" both ISO codes."""
        name = self.name.casefold()
        return any(word.startswith(prefix) for word in (self.id.casefold(), name, *name.split()))


_OPENING = "?act a comity:OpeningForSignature ; comity:treaty ?entity ; "
PROPERTIES: tuple[Property, ...] = (
    Property(
        "iso3166Alpha2",
        "ISO 3166-1 alpha-2",
        "the state's two-letter code",
        (STATE,),
        "?entity comity:iso3166Alpha2 ?value",
    ),
    Property(
        "iso3166Alpha3",
        "ISO 3166-1 alpha-3",
        "the state's three-letter code",
        (STATE,),
        "?entity comity:iso3166Alpha3 ?value",
    ),
    Property(
        "wikidata",
        "Wikidata item",
        "the Q number of the same entity in Wikidata",
        (STATE, ORGANISATION, TREATY, PLACE),
        f"?entity owl:sameAs ?value FILTER(STRSTARTS(STR(?value), {json.dumps(str(WD))}))",
        kind="wikidata",
    ),
    Property(
        "nameFr",
        "French name",
        "the name or title in French",
        TYPES,
        '?entity rdfs:label ?value FILTER(LANG(?value) = "fr")',
    ),
    Property(
        "memberOf",
        "member of",
        "the organisations it belongs to now",
        (STATE, ORGANISATION),
        "?entity comity:memberOf ?value",
        kind="entity",
        value_type=ORGANISATION,
    ),
    Property(
        "partyTo",
        "party to",
        "the treaties it is bound by: ratified, accepted, approved or acceded to",
        (STATE, ORGANISATION),
        "?value comity:party ?entity",
        kind="entity",
        value_type=TREATY,
    ),
    Property(
        "signed",
        "signed",
        "the treaties it signed",
        (STATE, ORGANISATION),
        "?value comity:signatory ?entity",
        kind="entity",
        value_type=TREATY,
    ),
    Property(
        "dissolutionDate",
        "ended",
        "the day a former state ceased to exist",
        (STATE,),
        "?entity schema:dissolutionDate ?value",
        kind="date",
    ),
    Property(
        "successor",
        "successors",
        "the states that followed a former state",
        (STATE,),
        "?entity comity:successor ?value",
        kind="entity",
        value_type=STATE,
    ),
    Property(
        "acronym",
        "acronym",
        "the organisation's acronyms and short names",
        (ORGANISATION,),
        "?entity comity:shortName ?value",
    ),
    Property(
        "headquarters",
        "headquarters",
        "the place where it has its seat",
        (ORGANISATION,),
        "?entity comity:headquarters ?value",
        kind="entity",
        value_type=PLACE,
    ),
    Property(
        "foundingDate",
        "founded",
        "when the organisation was founded",
        (ORGANISATION,),
        "?entity schema:foundingDate ?value",
        kind="date",
    ),
    Property(
        "hasMember",
        "members",
        "the states and organisations that belong to it now",
        (ORGANISATION,),
        "?value comity:memberOf ?entity",
        kind="entity",
    ),
    Property(
        "unitOf",
        "part of",
        "the organisation a body belongs to",
        (ORGANISATION,),
        "?entity org:unitOf ?value",
        kind="entity",
        value_type=ORGANISATION,
    ),
    Property(
        "treatiesConcluded",
        "treaties concluded",
        "the treaties drawn up under its auspices",
        (ORGANISATION,),
        "?value comity:concludedWithin ?entity",
        kind="entity",
        value_type=TREATY,
    ),
    Property(
        "treatyNumber",
        "treaty number",
        "the ETS or CETS number",
        (TREATY,),
        "?entity comity:treatyNumber ?value",
    ),
    Property(
        "untcReference",
        "UN Treaty Collection reference",
        "the chapter and number in the UN Treaty Collection",
        (TREATY,),
        "?entity comity:untcReference ?value",
    ),
    Property(
        "shortName",
        "short names",
        "the names the treaty is also known by",
        (TREATY,),
        "?entity comity:shortName ?value",
    ),
    Property(
        "concludedWithin",
        "concluded within",
        "the organisation under whose auspices it was drawn up",
        (TREATY,),
        "?entity comity:concludedWithin ?value",
        kind="entity",
        value_type=ORGANISATION,
    ),
    Property(
        "openedForSignature",
        "opened for signature",
        "the day the treaty was opened for signature",
        (TREATY,),
        _OPENING + "comity:date ?value",
        kind="date",
    ),
    Property(
        "openedAt",
        "opened at",
        "the place where it was opened for signature",
        (TREATY,),
        _OPENING + "schema:location ?value",
        kind="entity",
        value_type=PLACE,
    ),
    Property(
        "entryIntoForce",
        "entry into force",
        "the day the treaty itself entered into force (not for one state)",
        (TREATY,),
        "?act a comity:EntryIntoForce ; comity:treaty ?entity ; comity:date ?value "
        "FILTER NOT EXISTS { ?act comity:actor ?actor }",
        kind="date",
    ),
    Property(
        "party",
        "parties",
        "the states and organisations bound by it",
        (TREATY,),
        "?entity comity:party ?value",
        kind="entity",
    ),
    Property(
        "signatory",
        "signatories",
        "the states and organisations that signed it",
        (TREATY,),
        "?entity comity:signatory ?value",
        kind="entity",
    ),
    Property(
        "addresses",
        "topics",
        "the subjects the treaty deals with",
        (TREATY,),
        "?entity comity:addresses ?value",
        kind="entity",
        value_type=TOPIC,
    ),
    Property(
        "supplements",
        "supplements",
        "the treaty a protocol amends or adds to",
        (TREATY,),
        "?entity comity:supplements ?value",
        kind="entity",
        value_type=TREATY,
    ),
    Property(
        "country",
        "country",
        "the state the place lies in",
        (PLACE,),
        "?entity schema:containedInPlace ?value",
        kind="entity",
        value_type=STATE,
    ),
    Property(
        "broader",
        "broader topic",
        "the wider subject it belongs to",
        (TOPIC,),
        "?entity skos:broader ?value",
        kind="entity",
        value_type=TOPIC,
    ),
    Property(
        "treaties",
        "treaties",
        "the treaties that deal with it",
        (TOPIC,),
        "?value comity:addresses ?entity",
        kind="entity",
        value_type=TREATY,
    ),
)
PROPERTY_BY_ID: dict[str, Property] = {prop.id: prop for prop in PROPERTIES}
PROPERTY_SETTINGS: list[dict[str, Any]] = [
    {
        "name": "limit",
        "label": "Limit",
        "type": "number",
        "default": 0,
        "help_text": "Most values to fetch per entity, in name order; 0 fetches them all",
    }
]


class ReconcileError(Exception):
    """A request the service cannot answer, with the HTTP status and the reason to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def name_key(text: str) -> str:
    """The form names are compared in: case, accents, punctuation and a leading article do not
    matter, and every spelling of an ETS/CETS number ("STE n° 185", "CETS 185") is one key."""
    words = _WORD.findall(normalise_name(text.translate(_SYMBOLS)))
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    key = " ".join(words)
    number = _TREATY_NUMBER.fullmatch(key)
    return f"treaty {int(number.group(1))}" if number else key


def _sorted_words(key: str) -> str:
    """The key with its words sorted, so that "cybercrime convention" meets
    "convention cybercrime" with one plain edit-distance comparison."""
    return " ".join(sorted(key.split()))


def _is_number_key(key: str) -> bool:
    return key.startswith("treaty ") and key[len("treaty ") :].isdigit()


@dataclass(frozen=True)
class Entry:
    """One reference entity as the service shows it."""

    id: str
    """The entity's IRI relative to the identifier space: "state/FRA"."""
    name: str
    type: EntityType
    entity: Entity

    def candidate(self, score: float, match: bool) -> dict[str, Any]:
        """The entity as a reconciliation candidate, with a description to tell namesakes
        apart in OpenRefine's list."""
        return {
            "id": self.id,
            "name": self.name,
            "description": describe(self.entity),
            "type": [self.type.as_json()],
            "score": round(score, 1),
            "match": match,
        }


@dataclass(frozen=True)
class _FuzzyChoices:
    """The names of one type that are long enough for fuzzy matching, in two spellings."""

    keys: list[str]
    sorted_keys: list[str]
    owners: list[tuple[int, ...]]


class NameIndex:
    """Every name of every reference entity, normalised once, for exact, fuzzy and prefix
    look-ups; built once per application, since a batch of a thousand queries must not
    normalise three thousand names a thousand times."""

    def __init__(self, reference: Reference) -> None:
        self.entries: list[Entry] = [_entry(entity) for entity in reference.entities()]
        self._by_id = {entry.id: number for number, entry in enumerate(self.entries)}
        exact: dict[str, list[int]] = {}
        for number, entry in enumerate(self.entries):
            for key in dict.fromkeys(name_key(name) for name in _all_names(entry.entity)):
                if key:
                    exact.setdefault(key, []).append(number)
        self._exact = {key: tuple(numbers) for key, numbers in exact.items()}
        self._fuzzy = {entity_type.id: self._choices(entity_type) for entity_type in TYPES}
        self._prefixes = sorted((key, number) for key, found in exact.items() for number in found)

    def _choices(self, entity_type: EntityType) -> _FuzzyChoices:
        owners: dict[str, list[int]] = {}
        for key, numbers in self._exact.items():
            if len(key) < MIN_FUZZY_LENGTH or _is_number_key(key):
                continue
            for number in numbers:
                if self.entries[number].type == entity_type:
                    owners.setdefault(key, []).append(number)
        keys = sorted(owners)
        return _FuzzyChoices(
            keys=keys,
            sorted_keys=[_sorted_words(key) for key in keys],
            owners=[tuple(owners[key]) for key in keys],
        )

    def entry(self, identifier: str) -> Entry | None:
        """An entry by its id ("state/FRA") or its full IRI."""
        if identifier.startswith(ID):
            identifier = identifier[len(ID) :]
        number = self._by_id.get(identifier)
        return self.entries[number] if number is not None else None

    def reconcile(
        self, query: str, types: tuple[EntityType, ...], limit: int
    ) -> list[dict[str, Any]]:
        """Candidates for one name among entities of `types`, best first.

        A name that is exactly one entity's scores 100 and is a match; a name exactly shared
        by several entities scores 100 for each and is a match for none. Other candidates
        score their edit-distance similarity (at most 99), in plain or sorted word order.
        """
        key = name_key(query)
        exact = tuple(
            number for number in self._exact.get(key, ()) if self.entries[number].type in types
        )
        scores: dict[int, float] = dict.fromkeys(exact, 100.0)
        if len(key) >= MIN_FUZZY_LENGTH and not _is_number_key(key):
            for entity_type in types:
                self._fuzzy_scores(key, self._fuzzy[entity_type.id], scores)
        ranked = sorted(scores.items(), key=lambda item: self._rank(*item))[:limit]
        unique = exact[0] if len(exact) == 1 else None
        return [self.entries[number].candidate(score, number == unique) for number, score in ranked]

    def _fuzzy_scores(self, key: str, choices: _FuzzyChoices, scores: dict[int, float]) -> None:
        for query, keys in ((key, choices.keys), (_sorted_words(key), choices.sorted_keys)):
            found = process.extract(
                query,
                keys,
                scorer=fuzz.ratio,
                processor=None,
                limit=None,
                score_cutoff=FUZZY_CUTOFF,
            )
            for _, score, position in found:
                score = min(score, FUZZY_CEILING)
                for number in choices.owners[position]:
                    if score > scores.get(number, 0.0):
                        scores[number] = score

    def _rank(self, number: int, score: float) -> tuple[float, int, str]:
        """Higher score first; on a tie, states before organisations before treaties, then
        by name, so the same batch always gets the same order."""
        entry = self.entries[number]
        return (-score, TYPES.index(entry.type), entry.name)

    def suggest(
        self, prefix: str, types: tuple[EntityType, ...], cursor: int, limit: int
    ) -> list[Entry]:
        """Entities with a name that starts with `prefix` (in normalised form), for
        auto-completion: an exact name first, then shorter names before longer ones. An
        entity's id or IRI as the prefix suggests that entity."""
        found: dict[int, tuple[int, int, str]] = {}
        named = self.entry(prefix.strip())
        if named is not None and named.type in types:
            found[self._by_id[named.id]] = (0, 0, "")
        key = name_key(prefix)
        if key:
            start = bisect_left(self._prefixes, (key, -1))
            for name, number in self._prefixes[start:]:
                if not name.startswith(key):
                    break
                if self.entries[number].type not in types:
                    continue
                rank = (1 if name == key else 2, len(name), name)
                found[number] = min(found.get(number, rank), rank)
        ordered = sorted(found, key=lambda number: found[number])
        return [self.entries[number] for number in ordered[cursor : cursor + limit]]


def _entry(entity: Entity) -> Entry:
    return Entry(entity.iri[len(ID) :], _english_name(entity), _TYPE_OF[type(entity)], entity)


def _english_name(entity: Entity) -> str:
    if isinstance(entity, Topic):
        return entity.label_en
    if isinstance(entity, Treaty):
        return entity.title_en
    return entity.name_en


def _all_names(entity: Entity) -> Iterator[str]:
    """The names texts use (see `names_of`) and, for a state, its ISO codes and key, which
    spreadsheets use as often as names."""
    yield from names_of(entity)
    if isinstance(entity, State):
        yield from (entity.alpha2, entity.alpha3, entity.key)


def describe(entity: Entity) -> str:
    """One line that tells namesakes apart in a candidate list ("state FRA", "ETS 185, 2001")."""
    if isinstance(entity, State):
        code = entity.alpha3 or entity.key
        return f"former state {code}, until {entity.ended}" if entity.ended else f"state {code}"
    if isinstance(entity, Organisation):
        parent = f"part of {entity.parent_iri[len(ID) :]}" if entity.parent_iri else ""
        return ", ".join(part for part in (entity.acronym, entity.founded, parent) if part)
    if isinstance(entity, Treaty):
        return ", ".join(part for part in (entity.number, entity.opened[:4]) if part)
    if isinstance(entity, Place):
        return f"{entity.kind} in {entity.country_iri[len(ID) :]}" if entity.country_iri else ""
    return ""


def facts(entity: Entity) -> list[tuple[str, str]]:
    """The key facts a preview shows, as (label, value) pairs without empty values."""
    rows: list[tuple[str, str]] = []
    if isinstance(entity, State):
        rows += [
            ("French name", entity.name_fr),
            ("ISO 3166-1", " / ".join(code for code in (entity.alpha2, entity.alpha3) if code)),
            ("Former names", "; ".join(entity.former_names)),
            ("Ended", entity.ended),
        ]
    elif isinstance(entity, Organisation):
        rows += [
            ("French name", entity.name_fr),
            ("Acronym", entity.acronym),
            ("Founded", entity.founded),
        ]
    elif isinstance(entity, Treaty):
        rows += [
            ("French title", entity.title_fr),
            ("Number", entity.number),
            ("UN Treaty Collection", entity.untc_reference),
            ("Also known as", "; ".join(entity.short_names[:4])),
            ("Opened for signature", entity.opened),
            ("Entry into force", entity.entry_into_force),
        ]
    elif isinstance(entity, Place):
        rows += [("French name", entity.name_fr), ("Kind", entity.kind)]
    if isinstance(entity, Topic):
        rows += [("French label", entity.label_fr)]
    else:
        rows += [("Wikidata", entity.qid)]
    return [(label, value) for label, value in rows if value]


class _Service:
    """Per-application state: the name index, built at the first request that needs it (not
    when the application starts, which most servers and tests do without reconciling)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: NameIndex | None = None

    def index(self) -> NameIndex:
        with self._lock:
            if self._index is None:
                self._index = NameIndex(load_reference())
            return self._index


@blueprint.record_once
def _install(setup: BlueprintSetupState) -> None:
    setup.app.extensions[EXTENSION] = _Service()


def _index() -> NameIndex:
    return current_app.extensions[EXTENSION].index()


@blueprint.errorhandler(ReconcileError)
def _bad_request(error: ReconcileError) -> Response:
    return _json({"status": "error", "message": error.message}, error.status)


@blueprint.errorhandler(QueryFailed)
def _query_failed(failure: QueryFailed) -> Response:
    """A data extension the store could not answer (past the time limit, too many rows): the
    status a SPARQL client would get, as the JSON error OpenRefine shows."""
    error = http_error(failure)
    return _json({"status": "error", "message": error.description}, error.code or 500)


def _json(payload: Any, status: int = 200) -> Response:
    """JSON, or JSONP when the request names a `callback` (older OpenRefine front ends)."""
    body = json.dumps(payload, ensure_ascii=False)
    callback = request.args.get("callback")
    if not callback:
        return Response(body, status=status, mimetype="application/json")
    if not _CALLBACK.fullmatch(callback):
        body = json.dumps(
            {"status": "error", "message": "callback must be a JavaScript function name"}
        )
        return Response(body, status=400, mimetype="application/json")
    return Response(f"{callback}({body});", status=status, mimetype="application/javascript")


# --- the endpoints ---------------------------------------------------------------------------


@blueprint.route("", methods=["GET", "POST"])
def reconcile() -> Response:
    """The manifest on a plain GET; otherwise the candidates of a query batch (`queries`) or
    the property values of a data extension (`extend`)."""
    queries = request.values.get("queries")
    extension = request.values.get("extend")
    if queries is not None and extension is not None:
        raise ReconcileError(400, "send either `queries` or `extend` in one request, not both")
    if extension is not None:
        ids, wanted = _parse_extension(extension)
        return _json(extend(ids, wanted))
    if queries is None:
        if request.method == "POST":
            raise ReconcileError(
                400, "a POST to /reconcile needs an `extend` or a `queries` form field"
            )
        return _json(manifest())
    batch = _parse_batch(queries)
    index = _index()
    return _json(
        {
            key: {"result": index.reconcile(query, types, limit)}
            for key, (query, types, limit) in batch.items()
        }
    )


@blueprint.get("/suggest/entity")
def suggest_entity() -> Response:
    """Auto-completion of entity names, optionally within `type`."""
    prefix = request.args.get("prefix", "")
    types = _types(request.args.getlist("type") or None, "suggest")
    entries = _index().suggest(prefix, types, _cursor(), SUGGEST_LIMIT)
    return _json(
        {
            "result": [
                {
                    "id": entry.id,
                    "name": entry.name,
                    "description": describe(entry.entity),
                    "notable": [entry.type.as_json()],
                }
                for entry in entries
            ]
        }
    )


@blueprint.get("/suggest/type")
def suggest_type() -> Response:
    """Auto-completion of type names: few enough to filter by plain prefix."""
    prefix = request.args.get("prefix", "").strip().casefold()
    found = [
        {**entity_type.as_json(), "description": entity_type.description}
        for entity_type in TYPES
        if entity_type.name.casefold().startswith(prefix)
    ]
    cursor = _cursor()
    return _json({"result": found[cursor : cursor + SUGGEST_LIMIT]})


@blueprint.get("/suggest/property")
def suggest_property() -> Response:
    """Auto-completion of the properties data extension fetches, by id or by a word of the name."""
    prefix = request.args.get("prefix", "").strip().casefold()
    found = [prop.as_json() for prop in PROPERTIES if prop.matches(prefix)]
    cursor = _cursor()
    return _json({"result": found[cursor : cursor + SUGGEST_LIMIT]})


@blueprint.get("/properties")
def propose_properties() -> Response:
    """The properties worth fetching for entities of `type`; without a type (a column
    reconciled against no type), those of every type."""
    requested = request.args.get("type", "").strip()
    types = _types(requested or None, "propose properties")
    proposed = [prop.as_json() for prop in PROPERTIES if set(prop.types) & set(types)]
    answer: dict[str, Any] = {"properties": proposed}
    if requested:
        answer["type"] = requested
    if "limit" in request.args:
        limit = request.args["limit"]
        if not limit.isdigit() or int(limit) < 1:
            raise ReconcileError(400, "`limit` must be a positive whole number of properties")
        answer["properties"] = proposed[: int(limit)]
        answer["limit"] = int(limit)
    return _json(answer)


@blueprint.get("/preview")
def preview() -> Response:
    """A small HTML card for the entity `id`, shown by OpenRefine beside a candidate."""
    identifier = request.args.get("id", "").strip()
    if not identifier:
        raise ReconcileError(400, "preview needs an `id` parameter, such as id=state/FRA")
    entry = _index().entry(identifier)
    if entry is None:
        raise ReconcileError(404, f"no reference entity has the id {identifier!r}")
    rows = Markup("").join(
        Markup("<tr><th>{}</th><td>{}</td></tr>").format(label, value)
        for label, value in facts(entry.entity)
    )
    body = Markup(
        '<div class="comity-preview" style="font: 13px sans-serif">'
        '<p><a href="{}" target="_blank"><strong>{}</strong></a> <em>{}</em></p>'
        '<table style="text-align: left">{}</table></div>'
    ).format(_view_url(entry.id), entry.name, entry.type.name, rows)
    return Response(str(body), mimetype="text/html")


def manifest() -> dict[str, Any]:
    """What OpenRefine reads when the service is added: spaces, types and the other services."""
    root = request.url_root
    return {
        "versions": ["0.2"],
        "name": SERVICE_NAME,
        "identifierSpace": ID,
        "schemaSpace": str(COMITY),
        "defaultTypes": [entity_type.as_json() for entity_type in DEFAULT_TYPES],
        "view": {"url": _view_url("{{id}}")},
        "preview": {
            "url": f"{root}reconcile/preview?id={{{{id}}}}",
            "width": PREVIEW_SIZE[0],
            "height": PREVIEW_SIZE[1],
        },
        "suggest": {
            "entity": {"service_url": f"{root}reconcile", "service_path": "/suggest/entity"},
            "type": {"service_url": f"{root}reconcile", "service_path": "/suggest/type"},
            "property": {"service_url": f"{root}reconcile", "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {
                "service_url": f"{root}reconcile",
                "service_path": "/properties",
            },
            "property_settings": PROPERTY_SETTINGS,
        },
        "batchSize": MAX_BATCH,
    }


def _view_url(identifier: str) -> str:
    """The page of an entity: this server's own /id/ page when it serves the reference IRIs
    there (its ID base is the default), otherwise the IRI itself."""
    if state().config.base == ID:
        return f"{request.url_root}id/{identifier}"
    return ID + identifier


# --- data extension --------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """A property a data extension asks for, and the most values to give per entity (0: all)."""

    property: Property
    limit: int


def extend(ids: dict[str, str], wanted: list[Wanted]) -> dict[str, Any]:
    """The values of the `wanted` properties for the entities `ids` (the id as sent, to its
    IRI), read in one query. Every id gets a row, as the specification asks: an entity the
    store knows nothing of has no values."""
    branches = " UNION ".join(
        f"{{ {item.property.pattern} BIND({json.dumps(item.property.id)} AS ?property) }}"
        for item in wanted
    )
    entities = " ".join(f"<{iri}>" for iri in dict.fromkeys(ids.values()))
    rows = solutions_of(
        state().query(
            f"{_SPARQL_PREFIXES}SELECT DISTINCT ?entity ?property ?value WHERE "
            f"{{ VALUES ?entity {{ {entities} }} {branches} }}"
        )
    )
    found: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        found.setdefault((row["entity"].value, row["property"].value), []).append(row["value"])
    names = labels_of(
        term.value
        for (_, property_id), terms in found.items()
        if PROPERTY_BY_ID[property_id].kind == "entity"
        for term in terms
        if isinstance(term, NamedNode)
    )
    meta = []
    for item in wanted:
        column: dict[str, Any] = {"id": item.property.id, "name": item.property.name}
        if item.property.value_type is not None:
            column["type"] = item.property.value_type.as_json()
        meta.append(column)
    return {
        "meta": meta,
        "rows": {
            identifier: {
                item.property.id: _values(item, found.get((iri, item.property.id), []), names)
                for item in wanted
            }
            for identifier, iri in ids.items()
        },
    }


def _values(item: Wanted, terms: list[Any], names: dict[str, str]) -> list[dict[str, str]]:
    """One cell's values, in name order so that a limit keeps the same ones every time."""
    values = sorted(
        (_value(item.property, term, names) for term in terms),
        key=lambda value: value.get("name") or value.get("str") or value.get("date", ""),
    )
    return values[: item.limit] if item.limit else values


def _value(prop: Property, term: Any, names: dict[str, str]) -> dict[str, str]:
    if prop.kind == "entity" and isinstance(term, NamedNode):
        identifier = term.value[len(ID) :] if term.value.startswith(ID) else term.value
        return {"id": identifier, "name": names.get(term.value) or identifier}
    if prop.kind == "wikidata":
        return {"str": term.value.removeprefix(str(WD))}
    if (
        prop.kind == "date"
        and isinstance(term, Literal)
        and term.datatype.value == str(XSD.date)
        and _DAY.fullmatch(term.value)
    ):
        return {"date": f"{term.value}T00:00:00Z"}
    return {"str": term.value}


# --- reading requests ------------------------------------------------------------------------


def _parse_batch(text: str) -> dict[str, tuple[str, tuple[EntityType, ...], int]]:
    """Check a whole batch before matching any of it: (query, types, limit) per key."""
    try:
        batch = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReconcileError(400, f"the `queries` field is not valid JSON: {error}") from None
    if not isinstance(batch, dict):
        raise ReconcileError(400, "`queries` must be a JSON object of queries by key")
    if len(batch) > MAX_BATCH:
        raise ReconcileError(
            413,
            f"the batch holds {len(batch)} queries; this service answers at most {MAX_BATCH} "
            "per request: send them in smaller batches",
        )
    parsed = {}
    for key, query in batch.items():
        if not isinstance(query, dict):
            raise ReconcileError(400, f"query {key!r} must be a JSON object")
        name = query.get("query")
        if not isinstance(name, str) or not name.strip():
            raise ReconcileError(
                400, f"query {key!r} has no name to reconcile: its `query` is missing or empty"
            )
        parsed[key] = (name, _types(query.get("type"), f"query {key!r}"), _limit(key, query))
    return parsed


def _parse_extension(text: str) -> tuple[dict[str, str], list[Wanted]]:
    """Check a whole data extension query before the store is asked anything: the IRI of
    each id, and each property with its settings."""
    try:
        query = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReconcileError(400, f"the `extend` field is not valid JSON: {error}") from None
    if not isinstance(query, dict):
        raise ReconcileError(
            400, '`extend` must be a JSON object: {"ids": [...], "properties": [{"id": ...}]}'
        )
    ids = query.get("ids")
    if not isinstance(ids, list) or not all(isinstance(identifier, str) for identifier in ids):
        raise ReconcileError(400, '`extend` needs `ids`: a list of entity ids such as "state/FRA"')
    if not ids:
        raise ReconcileError(400, "`ids` is empty: name at least one entity to extend")
    if len(ids) > MAX_EXTEND_IDS:
        raise ReconcileError(
            413,
            f"the extension names {len(ids)} entities; this service extends at most "
            f"{MAX_EXTEND_IDS} per request: send them in smaller batches",
        )
    properties = query.get("properties")
    if not isinstance(properties, list) or not properties:
        raise ReconcileError(
            400, '`extend` needs `properties`: a non-empty list such as [{"id": "memberOf"}]'
        )
    wanted: dict[str, Wanted] = {}
    for asked in properties:
        if not isinstance(asked, dict) or not isinstance(asked.get("id"), str):
            raise ReconcileError(400, 'each of `properties` must be an object with an "id"')
        prop = PROPERTY_BY_ID.get(asked["id"])
        if prop is None:
            known = ", ".join(PROPERTY_BY_ID)
            raise ReconcileError(
                400, f"unknown property {asked['id']!r}; the known properties are {known}"
            )
        wanted.setdefault(prop.id, Wanted(prop, _value_limit(prop, asked.get("settings"))))
    return {identifier: _entity_iri(identifier) for identifier in ids}, list(wanted.values())


def _entity_iri(identifier: str) -> str:
    """The IRI of an id as reconciliation gave it ("state/FRA"), or of a full IRI."""
    if not _IRI.fullmatch(identifier):
        raise ReconcileError(
            400, f'{identifier!r} is not an entity id (such as "state/FRA") nor an IRI'
        )
    if identifier.startswith(("http://", "https://")):
        return identifier
    return ID + identifier


def _value_limit(prop: Property, settings: Any) -> int:
    """The `limit` setting: a whole number, 0 (or left empty) for every value. OpenRefine
    sends what its form holds, which may be the number as text."""
    if settings is None:
        return 0
    if not isinstance(settings, dict):
        raise ReconcileError(400, f"property {prop.id!r}: `settings` must be a JSON object")
    unknown = sorted(set(settings) - {setting["name"] for setting in PROPERTY_SETTINGS})
    if unknown:
        raise ReconcileError(
            400, f"property {prop.id!r}: unknown settings {unknown}; the only setting is limit"
        )
    limit = settings.get("limit")
    if limit is None or limit == "":
        return 0
    if isinstance(limit, str) and limit.strip().isdigit():
        limit = int(limit)
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ReconcileError(
            400, f"property {prop.id!r}: `limit` must be a whole number, 0 for every value"
        )
    return limit


def _types(requested: Any, where: str) -> tuple[EntityType, ...]:
    """The types a query names (an id, a list of ids, or nothing for every type); an id may
    be written "State", "comity:State" or as the class IRI."""
    if requested in (None, "", []):
        return TYPES
    names = [requested] if isinstance(requested, str) else requested
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ReconcileError(400, f"{where}: `type` must be a type id or a list of type ids")
    by_id = {entity_type.id.casefold(): entity_type for entity_type in TYPES}
    chosen: list[EntityType] = []
    for name in names:
        local = name.removeprefix(str(COMITY)).removeprefix("comity:").casefold()
        if local not in by_id:
            known = ", ".join(entity_type.id for entity_type in TYPES)
            raise ReconcileError(
                400, f"{where}: unknown type {name!r}; the known types are {known}"
            )
        chosen.append(by_id[local])
    return tuple(dict.fromkeys(chosen))


def _limit(key: str, query: dict[str, Any]) -> int:
    limit = query.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ReconcileError(400, f"query {key!r}: `limit` must be a positive whole number")
    return min(limit, MAX_LIMIT)


def _cursor() -> int:
    cursor = request.args.get("cursor", "0")
    if not cursor.isdigit():
        raise ReconcileError(400, "`cursor` must be a whole number of suggestions to skip")
    return int(cursor)
