"""From a document and its linked mentions to facts, one rule per kind of statement.

The rules read one sentence at a time, with the entities linked in it and what the document
said before (the last treaty named, the conference being described), which is how a reader
resolves "the Convention" or "such partnerships". Each fact keeps its sentence as evidence.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.dates import DateMention, PartialDate, find_dates
from loaders.documents import Document, Sentence
from loaders.entities import (
    UPPER_LETTERS,
    Lexicon,
    Mention,
    find_mentions,
    lexicon,
    new_organisation,
    new_person,
    new_place,
    person_pattern,
)
from loaders.facts import (
    Acceptance,
    Accession,
    Approval,
    Conference,
    Entity,
    EntryIntoForce,
    Evidence,
    Fact,
    Founding,
    Headquarters,
    LegalReform,
    Meeting,
    Membership,
    OpeningForSignature,
    Partnership,
    PersonRole,
    Ratification,
    Signature,
    Supplements,
    TreatyAction,
    TreatyStatus,
    TreatyTopic,
)
from loaders.numbers import (
    QUALIFIED_NUMBER,
    Count,
    count_from_match,
    parse_number,
    parse_ordinal,
)
from loaders.rules.memberships import membership_ends
from loaders.rules.mentions import normalise_typography, state_mentions
from ontology import REFERENCE_DIR, slug, unit_iri
from ontology.reference import normalise_name


@dataclass
class Extraction:
    """Everything read from one document: its facts, its publisher, its dateline place."""

    document: Document
    facts: list[Fact]
    mentions: list[Mention]
    issuer: Entity | None = None
    publisher: Entity | None = None
    place: Entity | None = None
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for fact in self.facts:
            counts[fact.kind] = counts.get(fact.kind, 0) + 1
        return counts


BOILERPLATE = re.compile(
    r"^\W*(?:to receive our|to subscribe|to unsubscribe|more information|for more information"
    r"|for further information|press contact|contact\s*:|follow us|pour recevoir)",
    re.IGNORECASE,
)
"""Sentences that tell the reader how to get in touch: they state no fact."""

_STATE_KINDS = ("state",)
_ORG_KINDS = ("organisation", "company", "unit")


@dataclass
class _Context:
    """The running state of reading one document."""

    document: Document
    lex: Lexicon
    mentions: list[Mention]
    topics: list[Mention]
    issuer: Entity | None
    facts: list[Fact] = field(default_factory=list)
    conference: Conference | None = None
    partnership: Partnership | None = None
    starts: list[int] | None = None
    date_cache: dict[int, list[DateMention]] = field(default_factory=dict)

    @property
    def issued(self) -> PartialDate | None:
        return self.document.metadata.issued

    def evidence(self, sentence: Sentence) -> Evidence:
        return Evidence(sentence.start, sentence.end, sentence.text)

    def within(self, start: int, end: int, kinds: Iterable[str] | None = None) -> list[Mention]:
        """Mentions lying inside [start, end), optionally of some entity kinds only."""
        if self.starts is None:
            self.starts = [m.start for m in self.mentions]
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end, lo=first)
        wanted = tuple(kinds) if kinds is not None else None
        return [
            m
            for m in self.mentions[first:last]
            if m.end <= end and (wanted is None or m.entity.kind in wanted)
        ]

    def dates(self, sentence: Sentence) -> list[DateMention]:
        """The dates of a sentence, found once and shared by the rules."""
        if sentence.start not in self.date_cache:
            dateline = self.document.metadata.dateline_span
            self.date_cache[sentence.start] = [
                date
                for date in find_dates(sentence.text, self.issued)
                if dateline is None or not dateline[0] <= sentence.start + date.start < dateline[1]
            ]
        return self.date_cache[sentence.start]

    def last_treaty(self, before: int) -> Mention | None:
        earlier = [m for m in self.mentions if m.end <= before and m.entity.kind == "treaty"]
        return earlier[-1] if earlier else None


def extract(document: Document, reference_dir: Path = REFERENCE_DIR) -> Extraction:
    """Read every fact a document states, with its evidence."""
    lex = lexicon(reference_dir)
    issued = document.metadata.issued.iso() if document.metadata.issued else None
    normalised = normalise_typography(document.text)
    if normalised == document.text:
        mentions, topics = find_mentions(document.text, lex, document.tokens, issued)
    else:  # typographic variants (curly quotes, NBSP, dashes) are matched in their plain form
        mentions, topics = find_mentions(normalised, lex, None, issued)
        mentions = [_original(document.text, m) for m in mentions]
        topics = [_original(document.text, m) for m in topics]
    publisher, issuer = _publisher(document, lex, mentions)
    context = _Context(document, lex, mentions, topics, issuer)
    place = _dateline_place(document, lex)
    skip_until = document.metadata.header_end
    listed = _member_lists(context)
    for sentence in document.sentences:
        if sentence.end <= skip_until or sentence.start in listed:
            continue
        if BOILERPLATE.match(sentence.text):
            continue
        for rule in RULES:
            rule(context, sentence)
    _treaty_topics(context)
    context.facts.extend(state_mentions(document, mentions, lex))
    context.facts.extend(membership_ends(document, mentions, context.issued, skip_until))
    if context.conference is not None:
        context.facts.append(context.conference)
    if context.partnership is not None:
        context.facts.append(context.partnership)
    facts = _deduplicate(context.facts)
    extraction = Extraction(
        document, facts, mentions, issuer, publisher, place, list(document.warnings)
    )
    if not facts:
        extraction.warnings.append(f"{_name(document)}: no facts found in the text")
    return extraction


def _original(text: str, mention: Mention) -> Mention:
    return dataclasses.replace(mention, text=text[mention.start : mention.end])


def _name(document: Document) -> str:
    return str(document.path) if document.path is not None else document.key


def _deduplicate(facts: list[Fact]) -> list[Fact]:
    """One fact per kind and identity; the first statement of it is its evidence.

    A treaty act without a date goes when the text dates the same act elsewhere (a headline
    "France ratifies the Convention" above "France ratified it on 4 March").
    """
    seen: dict[tuple[object, ...], Fact] = {}
    for fact in facts:
        seen.setdefault((fact.kind, *fact.identity()), fact)
    dated = {
        (fact.kind, fact.actor, fact.treaty)
        for fact in seen.values()
        if isinstance(fact, TreatyAction) and fact.date is not None
    }
    return [
        fact
        for fact in seen.values()
        if not (
            isinstance(fact, TreatyAction)
            and fact.date is None
            and (fact.kind, fact.actor, fact.treaty) in dated
        )
    ]


# --- document-level --------------------------------------------------------------------------


def _publisher(
    document: Document, lex: Lexicon, mentions: list[Mention]
) -> tuple[Entity | None, Entity | None]:
    """The issuing unit and its organisation, from the header line that names them."""
    name = document.metadata.publisher
    if name is None:
        organisations = [m.entity for m in mentions if m.entity.kind == "organisation"]
        return None, organisations[0] if organisations else None
    for candidate in lex.reference.lookup(name):
        entity = lex.by_iri.get(candidate.iri)
        if entity is not None and entity.kind == "unit":
            return entity, lex.by_iri.get(entity.detail("parent") or "")
        if entity is not None and entity.kind in ("organisation", "company"):
            return None, entity
    position = document.text.find(name)
    inside = [
        m
        for m in mentions
        if position >= 0
        and m.start >= position
        and m.end <= position + len(name)
        and m.entity.kind in ("organisation", "company")
    ]
    if not inside:
        return None, None
    organisation = inside[0].entity
    unit_name = name.replace(inside[0].text, "").strip(" ,-–") or name
    unit = Entity(
        "unit",
        slug(unit_name),
        unit_iri(organisation.label, unit_name),
        unit_name,
        known=False,
        details=(("parent", organisation.iri),),
    )
    return unit, organisation


def _dateline_place(document: Document, lex: Lexicon) -> Entity | None:
    name = document.metadata.dateline_place
    if name is None:
        return None
    for candidate in lex.reference.lookup(name):
        entity = lex.by_iri.get(candidate.iri)
        if entity is not None and entity.kind == "place":
            return entity
    return new_place(name)


_MEMBER_HEADING = re.compile(
    r"^\W*(?P<count>\d+|[a-z]+(?:-[a-z]+)?)\s+(?:member\s+states|members|member\s+countries"
    r"|états\s+membres|etats\s+membres)\W*$",
    re.IGNORECASE,
)


def _member_lists(context: _Context) -> set[int]:
    """A heading such as "47 members" followed by one state a line: one Membership each.

    Returns the start offsets of the list lines so that no other rule reads them again.
    """
    used: set[int] = set()
    sentences = context.document.sentences
    for index, heading in enumerate(sentences):
        match = _MEMBER_HEADING.match(heading.text)
        if match is None:
            continue
        organisations = context.within(heading.start, heading.end, _ORG_KINDS)
        organisation = organisations[0].entity if organisations else context.issuer
        if organisation is None:
            continue
        used.add(heading.start)
        found = 0
        for line in sentences[index + 1 :]:
            states = context.within(line.start, line.end, _STATE_KINDS)
            bare = line.text.strip(" \t\"'“”‘’*-•").strip()
            if len(states) != 1 or normalise_name(states[0].text) != normalise_name(bare):
                break
            used.add(line.start)
            found += 1
            context.facts.append(
                Membership(
                    states[0].entity,
                    organisation,
                    as_of=context.issued,
                    evidence=context.evidence(line),
                )
            )
        expected = parse_number(match.group("count"))
        if expected is not None and expected != found:
            context.document.warnings.append(
                f"{_name(context.document)}: the heading {heading.text!r} announces {expected} "
                f"members but {found} listed states were recognised"
            )
    return used


# --- sentence rules --------------------------------------------------------------------------


def _dates(context: _Context, sentence: Sentence) -> list[DateMention]:
    return context.dates(sentence)


QN = QUALIFIED_NUMBER
_STATUS_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "ratified": [
        re.compile(rf"\bratified\s+by\s+{QN}\b", re.I),
        re.compile(
            rf"\b{QN}\s+(?:\w+\s+){{0,2}}(?:have|has)\s+(?:now\s+|already\s+)?ratified", re.I
        ),
        re.compile(rf"\b{QN}\s+ratifications\b", re.I),
    ],
    "signed": [
        re.compile(rf"\bsigned\s+(?:but\s+not\s+(?:yet\s+)?ratified\s+)?by\s+{QN}\b", re.I),
        re.compile(rf"\b{QN}\s+(?:\w+\s+)?(?:have|has)\s+(?:only\s+)?signed\b", re.I),
        re.compile(rf"\b{QN}\s+(?:further\s+)?signatures\b", re.I),
    ],
    "parties": [
        re.compile(
            rf"\b{QN}\s+(?:states\s+|countries\s+)?(?:are|are\s+now|have\s+become|now)\s+"
            r"(?:part(?:y|ies)|Parties)\b",
            re.I,
        ),
        re.compile(rf"\b{QN}\s+(?:States\s+)?Parties\b"),
        re.compile(rf"\bParties\s*(?::|number|totals?)\s*{QN}\b", re.I),
    ],
    "invited": [
        re.compile(
            rf"\b{QN}\s+(?:\w+\s+)?(?:have\s+been|has\s+been|were|are)\s+invited\s+to\s+accede",
            re.I,
        ),
    ],
}
_STATUS_WORDS = re.compile(r"ratif|signe|signat|[Pp]art(?:y|ies)|invited")
_NOT_RATIFIED = re.compile(r"but\s+not\s+(?:yet\s+)?ratified|only\s+signed", re.I)
_AS_OF = re.compile(r"\b(?:as\s+(?:of|at|on)|at|by)\s+$", re.I)


def _first_count(sentence: Sentence, patterns: list[re.Pattern[str]]) -> tuple[Count, int] | None:
    for pattern in patterns:
        for match in pattern.finditer(sentence.text):
            count = count_from_match(match)
            if count is not None and count.value < 1000:
                return count, sentence.start + match.start()
    return None


_ORDINAL_RATIFICATION = re.compile(
    r"\bthe\s+(?P<ordinal>\d+(?:st|nd|rd|th)|[a-z]+(?:-[a-z]+)?)\s+(?:state\s+to\s+ratify"
    r"|country\s+to\s+ratify|ratification)\b"
    r"|\bratification\s+(?:is|was|becomes|became)\s+the\s+(?P<ordinal2>\d+(?:st|nd|rd|th)|[a-z]+"
    r"(?:-[a-z]+)?)\b",
    re.I,
)


def _ordinal_ratification(sentence: Sentence) -> tuple[Count, int] | None:
    """ "Italy became the sixtieth state to ratify it": 60 ratifications as of that day."""
    match = _ORDINAL_RATIFICATION.search(sentence.text)
    if match is None:
        return None
    value = parse_ordinal(match.group("ordinal") or match.group("ordinal2"))
    return (Count(value), sentence.start + match.start()) if value else None


def treaty_status(context: _Context, sentence: Sentence) -> None:
    """Counts the text reports for a treaty: "ratified by 21 states and signed by another 22"."""
    if _STATUS_WORDS.search(sentence.text) is None:
        return
    found = {name: _first_count(sentence, patterns) for name, patterns in _STATUS_PATTERNS.items()}
    if found["ratified"] is None:
        found["ratified"] = _ordinal_ratification(sentence)
    if not any(found.values()):
        return
    first = min(position for value in found.values() if value for _, position in [value])
    treaties = context.within(sentence.start, sentence.end, ("treaty",))
    before = [m for m in treaties if m.start <= first]
    mention = (before or treaties or [context.last_treaty(sentence.start)])[-1 if before else 0]
    if mention is None:
        return
    signed = found["signed"]
    if signed is not None:
        count, _ = signed
        signed_only = (
            count.qualifier in ("another", "a further")
            or _NOT_RATIFIED.search(sentence.text) is not None
            or found["ratified"] is not None
            or found["parties"] is not None
        )
        if not signed_only:
            signed = None
    as_of = context.issued
    for date in _dates(context, sentence):
        if _AS_OF.search(sentence.text[: date.start]) and date.first.day is not None:
            as_of = date.first
    status = TreatyStatus(
        mention.entity,
        as_of=as_of,
        parties=found["parties"][0] if found["parties"] else None,
        ratified=found["ratified"][0] if found["ratified"] else None,
        signed_only=signed[0] if signed else None,
        invited=found["invited"][0] if found["invited"] else None,
        evidence=context.evidence(sentence),
    )
    if status.counts():
        context.facts.append(status)


_ACTIONS: list[tuple[type[TreatyAction], re.Pattern[str]]] = [
    (
        Ratification,
        re.compile(
            r"\bratif(?:y|ies|ied|ying|ie|iée?s?|iera|ient)\b|\binstruments?\s+(?:of|de)\s+"
            r"ratification\b",
            re.I,
        ),
    ),
    (Signature, re.compile(r"\bsign(?:s|ed|ing|é|ée|era|ent)?\b", re.I)),
    (
        Accession,
        re.compile(
            r"\baccede[sd]?\b|\bacceding\b|\binstruments?\s+(?:of|d')\s*(?:accession|adhésion)\b"
            r"|\bjoin(?:s|ed)\b|\badhér(?:é|er|era|ent)\b",
            re.I,
        ),
    ),
    (
        Acceptance,
        re.compile(r"\baccept(?:s|ed|é|ée)\b|\binstruments?\s+of\s+acceptance\b", re.I),
    ),
    (
        Approval,
        re.compile(
            r"\bapprov(?:es|ed)\b|\bapprouv(?:é|ée)\b|\binstruments?\s+of\s+approval\b", re.I
        ),
    ),
    (
        EntryIntoForce,
        re.compile(
            r"\b(?:enter(?:s|ed)?|entry|come|came|comes)\s+into\s+force\b"
            r"|\b(?:entr(?:e|era|é|ée|ée?s)|entrée)\s+en\s+vigueur\b",
            re.I,
        ),
    ),
]
_ACTION_WORDS = re.compile(r"ratif|sign|acce|join|approv|force|adhé|vigueur", re.I)
_OPENED = re.compile(r"\bopened\s+for\s+signature\b|\bouverte?\s+à\s+la\s+signature\b", re.I)
_LEADING = re.compile(r"^\W*(?:on|le|as\s+of)?\s*$", re.I)
_CLAUSE = re.compile(r";|,\s+(?:and|while|whereas|but)\s+|\s+(?:while|whereas)\s+")


def treaty_actions(context: _Context, sentence: Sentence) -> None:
    """States signing, ratifying, acceding to treaties; entry into force; opening for signature."""
    if _ACTION_WORDS.search(sentence.text) is None:
        return
    treaties = context.within(sentence.start, sentence.end, ("treaty",))
    dates = _dates(context, sentence)
    opened = _OPENED.search(sentence.text)
    if opened is not None and treaties:
        places = context.within(sentence.start, sentence.end, ("place",))
        on = _nearest_date([d for d in dates if d.first.day is not None], opened.span())
        context.facts.append(
            OpeningForSignature(
                _nearest(treaties, sentence.start + opened.start()).entity,
                on.first if on is not None else None,
                places[0].entity if places else None,
                evidence=context.evidence(sentence),
            )
        )
        dates = [d for d in dates if d is not on]  # that date is the opening's, no one else's
    # "On 7 April 2005 the Czech Republic approved ..., and Malta accepted ...": a date that
    # opens the sentence holds for every clause that has none of its own
    leading = [d for d in dates if _LEADING.match(sentence.text[: d.start])]
    offset = sentence.start
    for clause in _CLAUSE.split(sentence.text):
        start = sentence.text.find(clause, offset - sentence.start) + sentence.start
        end = start + len(clause)
        offset = end
        clause_treaties = context.within(start, end, ("treaty",)) or treaties
        if not clause_treaties:
            last = context.last_treaty(sentence.start)
            if last is None or not _REFERS_BACK.search(clause):
                continue
            clause_treaties = [last]
        local = [d for d in dates if start - sentence.start <= d.start < end - sentence.start] or (
            dates if clause == sentence.text else leading
        )
        for action, pattern in _ACTIONS:
            for verb in pattern.finditer(clause):
                span = (verb.start() + start - sentence.start, verb.end() + start - sentence.start)
                actors = _actors(
                    context,
                    action,
                    start,
                    (sentence.start + span[0], sentence.start + span[1]),
                    end,
                )
                if actors is None:
                    continue
                on = _nearest_date(local, span)
                if action is EntryIntoForce and on is None:
                    continue  # "will enter into force once ten states have ratified": no fact yet
                treaty = _nearest(clause_treaties, sentence.start + span[0])
                for actor in actors:
                    context.facts.append(
                        action(
                            actor,
                            treaty.entity,
                            on.first if on is not None else None,
                            evidence=context.evidence(sentence),
                        )
                    )
                break


_REFERS_BACK = re.compile(
    r"\b(?:it|the\s+treaty|the\s+instrument|(?:its|their)\s+instruments?\s+of"
    r"|l'instrument|leurs?\s+instruments?)\b",
    re.I,
)
"""Words that carry a treaty act over to the treaty in focus: "depositing their instruments
of ratification" names no treaty but means the one the text is about."""

_FOR_STATE = re.compile(
    r"^\s*(?:\w+\s+){0,6}?(?:for|in|in\s+respect\s+of|à\s+l'égard\s+d[eu']|pour|en|au)\s*"
    r"(?:the\s+|la\s+|le\s+|l')?$",
    re.I,
)


_PASSIVE = re.compile(r"\s*(?:\w+\s+){0,4}?(?:by|par)\s+", re.I)
_COUNT_FIRST = re.compile(rf"{QN}\b", re.I)
_SUBJECT_GAP = re.compile(r"^\s*(?:(?:today|yesterday|also|has|have|had|now|formally)\s+)*$", re.I)


def _actors(
    context: _Context, action: type[TreatyAction], start: int, verb: tuple[int, int], end: int
) -> list[Entity | None] | None:
    """Who acts, within the clause [start, end) around the verb at `verb` (document offsets).

    Entry into force: only a state named "for X", otherwise the treaty as a whole. Passive
    ("was signed today by A, B and the European Union"): the states and organisations after
    "by", so that "signed by more than 10 other states" names nobody. Active: the states of
    the clause, and an organisation that is the verb's subject ("The European Union signed").
    None when nobody is named.
    """
    text = context.document.text
    states = context.within(start, end, _STATE_KINDS)
    if action is EntryIntoForce:
        named = [
            m.entity
            for m in states
            if verb[1] <= m.start < end and _FOR_STATE.match(text[verb[1] : m.start])
        ]
        return named or [None]
    passive = _PASSIVE.match(text, verb[1], end)
    if passive is not None:
        agents = [
            m
            for m in context.within(passive.end(), end, (*_STATE_KINDS, "organisation"))
            if not text[max(0, m.start - 4) : m.start].lower().endswith("non-")
            and not _MEMBERS_OF.match(text, m.end)  # "by all Council of Europe member states"
            and not _excepted(text, passive.end(), m.start)
        ]
        if _COUNT_FIRST.match(text, passive.end()):
            # "signed by 32 states, including Canada and Japan": only the states named
            agents = [m for m in agents if m.entity.kind in _STATE_KINDS]
        return [m.entity for m in agents] or None
    organisations = [
        m.entity
        for m in context.within(start, verb[0], ("organisation",))
        if _SUBJECT_GAP.match(text[m.end : verb[0]])
    ]
    possessive = [m for m in states if text[m.end : m.end + 2] in ("'s", "’s")]
    actors = [m.entity for m in states if m not in possessive] + organisations
    return actors or None


_MEMBERS_OF = re.compile(r"\s+(?:member\s+)?(?:states|countries|members)\b", re.I)
_EXCEPT = re.compile(
    r"\b(?:except|excepting|all\s+but|other\s+than|apart\s+from|with\s+the\s+exception\s+of"
    r"|save|sauf|hormis|à\s+l'exception\s+d[eu']?)\b",
    re.I,
)


def _excepted(text: str, start: int, position: int) -> bool:
    """ "ratified by all members except A and B (...)": A and B are the ones who did not."""
    exceptions = list(_EXCEPT.finditer(text, start, position))
    if not exceptions:
        return False
    exception = exceptions[-1]
    between = text[exception.end() : position]
    return not (")" in between and "(" in text[start : exception.start()])


def _nearest_date(dates: list[DateMention], span: tuple[int, int]) -> DateMention | None:
    """The date closest to a verb, on either side: "today became ... to ratify" and
    "ratified ... on 4 March" both find theirs, and a later date for another event does not."""

    def distance(date: DateMention) -> int:
        return date.start - span[1] if date.start >= span[1] else span[0] - date.end

    return min(dates, key=distance) if dates else None


def _nearest(mentions: list[Mention], position: int) -> Mention:
    return min(mentions, key=lambda m: abs(m.start - position))


_REFORM = re.compile(
    r"\b(?:reforms?|legislation|laws?|legal\s+frameworks?|criminal\s+codes?|amendments?)\b", re.I
)
_MODEL = re.compile(
    r"\b(?:based\s+on|on\s+the\s+(?:model|basis)\s+of|modell?ed\s+on|in(?:to)?\s+line\s+with"
    r"|in\s+(?:conformity|accordance|compliance)\s+with|harmoni[sz]e\w*|align\w*"
    r"|inspired\s+by|drawing\s+on|using)\b",
    re.I,
)
_REFORM_STATUS = re.compile(
    r"\b(?P<status>under\s*way|in\s+progress|completed|adopted|planned|being\s+(?:prepared|drafted)"
    r"|drafted|enacted|pending)\b",
    re.I,
)


def legal_reforms(context: _Context, sentence: Sentence) -> None:
    """States reforming their law on a treaty's model: "reforms based on Convention guidelines"."""
    if not (_REFORM.search(sentence.text) and _MODEL.search(sentence.text)):
        return
    treaties = context.within(sentence.start, sentence.end, ("treaty",))
    states = context.within(sentence.start, sentence.end, _STATE_KINDS)
    if not treaties or not states:
        return
    status = _REFORM_STATUS.search(sentence.text)
    for state in states:
        context.facts.append(
            LegalReform(
                state.entity,
                treaties[0].entity,
                status=" ".join(status.group("status").lower().split()).replace(
                    "under way", "underway"
                )
                if status
                else None,
                as_of=context.issued,
                evidence=context.evidence(sentence),
            )
        )


_CONFERENCE = re.compile(
    r"\b(?P<word>conference|seminar|workshop|symposium|summit|congress|colloquy)\b", re.I
)
_PARTICIPANTS = re.compile(
    rf"\b{QN}\s+(?:[\w-]+\s+){{0,3}}?(?:experts|participants|delegates|representatives"
    r"|officials|specialists|people|ministers|judges|prosecutors|speakers|delegations)\b",
    re.I,
)
_COUNTRIES = re.compile(rf"\b(?:from\s+)?{QN}\s+(?:countries|states|nations)\b", re.I)
_ORGANISED_BY = re.compile(r"\b(?:organi[sz]ed|hosted|convened)\s+by\s+(?:the\s+)?$", re.I)
_HELD_IN = re.compile(
    r"\b(?:held|take\s+place|takes\s+place|took\s+place|meet|met)\s+(?:\w+\s+){0,4}?in\s+"
    r"(?P<place>[A-Z][a-z]+(?:\s+(?:de|da|do|of|del|la)?\s*[A-Z][a-z]+){0,3})"
)
_CONFERENCE_NAME = re.compile(
    r"\b(?P<name>(?:[A-Z][\w-]*\s+){1,6}(?:Conference|Seminar|Workshop|Summit|Congress))\b"
)
_CONTRIBUTE = re.compile(
    r"\b(?:contribute|contributes|contribution|participate|participates|take\s+part|takes\s+part|attend"
    r"|attends|attended|took\s+part|participated)\b",
    re.I,
)


def _place_in(context: _Context, sentence: Sentence) -> Entity | None:
    places = context.within(sentence.start, sentence.end, ("place",))
    if places:
        return places[0].entity
    held = _HELD_IN.search(sentence.text)
    if held is None:
        return None
    name = held.group("place")
    for candidate in context.lex.reference.lookup(name):
        entity = context.lex.by_iri.get(candidate.iri)
        if entity is not None:
            return entity
    if any(m.text == name for m in context.mentions):
        return None
    return new_place(name)


def _event_dates(dates: list[DateMention]) -> tuple[PartialDate | None, PartialDate | None]:
    if not dates:
        return None, None
    first = dates[0]
    if first.last is not None:
        return first.first, first.last
    return first.first, first.first  # a one-day (or one-month) event starts and ends then


def conferences(context: _Context, sentence: Sentence) -> None:
    """The conference a press release reports on: dates, place, organiser, attendance."""
    word = _CONFERENCE.search(sentence.text)
    if word is None:
        return
    dates = [d for d in _dates(context, sentence) if d.first.day is not None]
    place = _place_in(context, sentence)
    participants = _PARTICIPANTS.search(sentence.text)
    countries = _COUNTRIES.search(sentence.text)
    if not (dates or place or participants or countries):
        return
    start, end = _event_dates(dates)
    organiser = None
    text = context.document.text
    for mention in context.within(sentence.start, sentence.end, _ORG_KINDS):
        before = text[sentence.start : mention.start]
        if _ORGANISED_BY.search(before):
            organiser = mention.entity
        elif mention.end <= sentence.start + word.start() and _HOSTS.match(
            text[mention.end : sentence.start + word.start()]
        ):
            organiser = organiser or mention.entity
    name = _CONFERENCE_NAME.search(sentence.text)
    update = {
        "name": name.group("name") if name else None,
        "organiser": organiser,
        "place": place,
        "start": start,
        "end": end,
        "participant_count": count_from_match(participants) if participants else None,
        "country_count": count_from_match(countries) if countries else None,
    }
    if context.conference is None:
        update["organiser"] = organiser or context.issuer
        context.conference = Conference(
            **{key: value for key, value in update.items()}, evidence=context.evidence(sentence)
        )
        return
    current = context.conference
    filled = {
        key: value
        for key, value in update.items()
        if value is not None and getattr(current, key) in (None, context.issuer)
    }
    context.conference = dataclasses.replace(current, **filled)


_MEETING_WORD = re.compile(r"\b(?:meeting|session)s?\b", re.I)
_BODY_AFTER = re.compile(r"\s+of\s+(?:the\s+)?$")
_INVITED_BY = re.compile(
    r"\b(?:at\s+the\s+invitation\s+of|organi[sz]ed\s+by|hosted\s+by|convened\s+by)"
    r"\s+(?:the\s+)?$",
    re.I,
)
_HOSTS = re.compile(
    r"^\W*(?:\w+\W+){0,8}?(?:will\s+)?(?:host|hosts|hosted|organi[sz]e[sd]?|convene[sd]?"
    r"|held|holds|will\s+hold)\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+){0,2}$",
    re.I,
)


def meetings(context: _Context, sentence: Sentence) -> None:
    """Meetings: "the next meeting of the Internet Governance Forum, in Rio in November",
    "Meeting in Strasbourg at the invitation of the Council of Europe on 13 - 14 June ...".

    A sentence may describe several meetings; each takes the words from its own "meeting"
    up to the next one. The organiser is who invited, organised or hosted it, else the body
    whose meeting it is, else the issuer of the release.
    """
    words = list(_MEETING_WORD.finditer(sentence.text))
    if not words or _CONFERENCE.search(sentence.text):
        return
    text = context.document.text
    for index, word in enumerate(words):
        start = sentence.start + word.start()
        end = sentence.start + words[index + 1].start() if index + 1 < len(words) else sentence.end
        if index == 0 and _LEADING.match(sentence.text[: word.start()]) is None:
            region_start = start
        else:
            region_start = sentence.start if index == 0 else start
        region = Sentence(region_start, end, text[region_start:end])
        organisations = context.within(region_start, end, _ORG_KINDS)
        body = next(
            (
                m
                for m in organisations
                if m.start > start and _BODY_AFTER.match(text[start + len(word.group()) : m.start])
            ),
            None,
        )
        organiser = next(
            (m.entity for m in organisations if _INVITED_BY.search(text[region_start : m.start])),
            None,
        )
        if organiser is None:
            hosts = [
                m
                for m in context.within(sentence.start, start, _ORG_KINDS)
                if _HOSTS.match(text[m.end : start])
            ]
            organiser = hosts[-1].entity if hosts else None
        hosted = organiser is not None
        if organiser is None and body is not None:
            organiser = body.entity
        dates = [d for d in _dates(context, sentence) if region_start - sentence.start <= d.start]
        dates = [d for d in dates if d.start < end - sentence.start]
        place = _place_in(context, region) or (_place_in(context, sentence) if hosted else None)
        participants = _PARTICIPANTS.search(region.text)
        countries = _COUNTRIES.search(region.text)
        if organiser is None or not (dates or place):
            continue
        first, last = _event_dates(dates)
        contributors = tuple(
            m.entity
            for m in context.within(sentence.start, start, _ORG_KINDS)
            if m.entity != organiser and _CONTRIBUTE.search(text[m.end : start])
        )
        context.facts.append(
            Meeting(
                name=_meeting_name(text, word, sentence, body),
                organiser=organiser,
                place=place,
                start=first,
                end=last,
                participant_count=count_from_match(participants) if participants else None,
                country_count=count_from_match(countries) if countries else None,
                participants=contributors,
                evidence=context.evidence(sentence),
            )
        )


def _meeting_name(
    text: str, word: re.Match[str], sentence: Sentence, body: Mention | None
) -> str | None:
    if body is None:
        return None
    start = sentence.start + word.start()
    return " ".join(text[start : body.end].split())


_PARTNERSHIP = re.compile(
    r"\b(?:(?P<kind>[a-z]+-[a-z]+(?:-[a-z]+)?|strategic|formal|long-term)\s+)?partnerships?\b"
    r"(?P<rest>[^.]*)",
    re.I,
)
_PRINCIPLES = re.compile(
    r"\b(?P<count>[a-z]+|\d+)?\s*(?:major\s+|main\s+|key\s+|basic\s+)?(?:rules|principles"
    r"|conditions|pillars|requirements)\b[^:]*:\s*(?P<list>[^.]+)"
    r"|\bpartnership\s+(?:rests|rested|is\s+based|was\s+based|relies|relied|is\s+built|was\s+built)"
    r"\s+on\s+(?P<list2>[^.]+)",
    re.I,
)
_TRAILING_PHRASE = re.compile(r"\s+(?:between|among|amongst)\s+the\s+.*$", re.I)


def partnerships(context: _Context, sentence: Sentence) -> None:
    """A partnership between named organisations, and the principles stated for it.

    Partners are those listed after "between", or the subject and the organisation after
    "with", or the organisations owning "their partnership". A later sentence about "the"
    or "such" partnership adds principles ("rested on open communication and trust") and
    the people who speak for a partner.
    """
    match = _PARTNERSHIP.search(sentence.text)
    if match is None:
        return
    text = context.document.text
    at = sentence.start + match.start()
    rest = match.group("rest")
    organisations = context.within(sentence.start, sentence.end, ("organisation", "company"))
    partners: tuple[Entity, ...] = ()
    between = re.match(r"\s*(?:between|among)\s+", rest)
    if between is not None:
        listed = sentence.start + match.start("rest") + between.end()
        partners = _listed_organisations(context, listed, sentence.end)
    elif re.match(r"\s*with\s", rest) or re.search(r"\btheir\s+$", text[sentence.start : at]):
        partners = tuple(dict.fromkeys(m.entity for m in organisations))
    if len(partners) >= 2:
        kind = match.group("kind").lower() if match.group("kind") else None
        if context.partnership is not None:
            context.facts.append(context.partnership)
        context.partnership = Partnership(partners, kind, evidence=context.evidence(sentence))
        people = _people_in(context, sentence)
        _add_to_partnership(context, sentence, [], people)
        return
    if context.partnership is None:
        return
    principles = _PRINCIPLES.search(sentence.text)
    items = (
        _split_list(
            principles.group("list") or principles.group("list2"),
            parse_number(principles.group("count") or ""),
        )
        if principles is not None
        else []
    )
    _add_to_partnership(context, sentence, items, _people_in(context, sentence))


def _add_to_partnership(
    context: _Context,
    sentence: Sentence,
    principles: list[str],
    people: list[tuple[Entity, Entity | None]],
) -> None:
    current = context.partnership
    if current is None:
        return
    representatives = tuple(
        person for person, affiliation in people if affiliation in current.partners
    )
    if not principles and not representatives:
        return
    context.partnership = dataclasses.replace(
        current,
        principles=tuple(dict.fromkeys(current.principles + tuple(principles))),
        representatives=tuple(dict.fromkeys(current.representatives + representatives)),
    )


_LIST_ITEM = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*)(?:the\s+)?")
_NEW_NAME = re.compile(rf"[{UPPER_LETTERS}][\w'’&.-]*(?:\s+[{UPPER_LETTERS}][\w'’&.-]*)*")


def _listed_organisations(context: _Context, start: int, end: int) -> tuple[Entity, ...]:
    """ "between the Council of Europe, Microsoft and McAfee": known names and new ones."""
    text = context.document.text
    known = {m.start: m for m in context.within(start, end, ("organisation", "company"))}
    found: list[Entity] = []
    position = start
    while position < end:
        gap = _LIST_ITEM.match(text, position, end)
        position = gap.end() if gap is not None else position
        if position in known:
            found.append(known[position].entity)
            position = known[position].end
            continue
        name = _NEW_NAME.match(text, position, end)
        if name is None or (found and not text[gap.start() : gap.end()].strip(" the")):
            break
        found.append(new_organisation(name.group(), company=True))
        position = name.end()
    return tuple(dict.fromkeys(found))


def _split_list(text: str, expected: int | None) -> list[str]:
    """ "a, b and c" -> [a, b, c]; with an announced number, the last "and" is split first."""
    items = [item.strip() for item in re.split(r",|;", text) if item.strip()]
    if items:
        last = items.pop()
        parts = re.split(r"\s+and\s+", last)
        if expected is not None and len(items) + 1 < expected and len(parts) > 1:
            wanted = expected - len(items)
            head = " and ".join(parts[: len(parts) - wanted + 1])
            items += [head, *parts[len(parts) - wanted + 1 :]]
        elif len(parts) > 1 and last.startswith("and "):
            items.append(last[4:])
        else:
            items += [last[4:] if last.startswith("and ") else last]
    cleaned = [_TRAILING_PHRASE.sub("", item).strip(" \"'") for item in items]
    return [item for item in cleaned if item]


_ROLE_WORDS = (
    r"deputy\s+secretary\s+general|secretary\s+general|secretary-general|director\s+general"
    r"|director-general|general\s+counsel|senior\s+attorney|attorney|lawyer|director|head"
    r"|president|vice-president|chair(?:man|woman|person)?|minister|ambassador|spokes(?:person"
    r"|man|woman)|commissioner|rapporteur|judge|prosecutor|chief\s+executive|ceo"
    r"|executive\s+director|coordinator|manager|adviser|advisor|expert"
)
_ROLE_BEFORE, _ROLE_AFTER = person_pattern(_ROLE_WORDS)
_ROLE_WORD = re.compile(rf"\b(?:{_ROLE_WORDS})\b", re.IGNORECASE)
_ROLE_COMPLEMENT = re.compile(
    r"^(?:\s+(?P<complement>of\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+){0,4}?))?,?\s+(?:at|of|for|with)"
    r"\s+(?:the\s+)?$",
    re.I,
)
_AFFILIATION_BEFORE = re.compile(r"^(?:['’]s)?\s*$")


def _people_in(context: _Context, sentence: Sentence) -> list[tuple[Entity, Entity | None]]:
    return [(fact.person, fact.affiliation) for fact in _person_roles(context, sentence)]


def _person_roles(context: _Context, sentence: Sentence) -> list[PersonRole]:
    if _ROLE_WORD.search(sentence.text) is None:
        return []
    text = context.document.text
    organisations = context.within(sentence.start, sentence.end, _ORG_KINDS)
    roles: list[PersonRole] = []
    for pattern in (_ROLE_BEFORE, _ROLE_AFTER):
        for match in pattern.finditer(sentence.text):
            name = match.group("name")
            start = sentence.start + match.start("name")
            if not _free_of_mentions(context, start, start + len(name)):
                continue
            role = " ".join(match.group("role").lower().split()).replace("-", " ")
            role = role.replace("vice president", "vice-president")
            affiliation = None
            if pattern is _ROLE_BEFORE:
                role_start = sentence.start + match.start("role")
                for org in organisations:
                    if org.end <= role_start and _AFFILIATION_BEFORE.match(
                        text[org.end : role_start]
                    ):
                        affiliation = org.entity
                    elif org.start >= sentence.start + match.end("name") and re.match(
                        r"^,?\s*(?:at|of)\s+(?:the\s+)?$",
                        text[sentence.start + match.end("name") : org.start],
                    ):
                        affiliation = org.entity
            else:
                role_end = sentence.start + match.end("role")
                for org in organisations:
                    gap = _ROLE_COMPLEMENT.match(text[role_end : org.start])
                    if org.start >= role_end and gap is not None:
                        affiliation = org.entity
                        if gap.group("complement"):  # "head of the cybercrime unit at ..."
                            role += " " + " ".join(gap.group("complement").lower().split())
                        break
            person = new_person(name)
            roles.append(PersonRole(person, role, affiliation, evidence=context.evidence(sentence)))
    return roles


def _free_of_mentions(context: _Context, start: int, end: int) -> bool:
    return all(end <= m.start or start >= m.end for m in context.mentions)


def person_roles(context: _Context, sentence: Sentence) -> None:
    """People with their job and employer: "Microsoft attorney Tim Cranton"."""
    context.facts.extend(_person_roles(context, sentence))


_FOUNDED = re.compile(
    r"\b(?:set\s+up|founded|established|created|formed|launched)\s+(?:in|on)\s+", re.I
)


def foundings(context: _Context, sentence: Sentence) -> None:
    """ "A political organisation set up in 1949, the Council of Europe ..." -> Founding."""
    verb = _FOUNDED.search(sentence.text)
    if verb is None:
        return
    dates = [d for d in _dates(context, sentence) if d.start >= verb.end() - 1]
    organisations = context.within(sentence.start, sentence.end, ("organisation", "company"))
    if not dates or not organisations:
        return
    context.facts.append(
        Founding(organisations[0].entity, dates[0].first, evidence=context.evidence(sentence))
    )


_HEADQUARTERED = re.compile(
    r"\b(?:headquartered|based|seated|has\s+its\s+(?:seat|headquarters)|headquarters\s+(?:are|is))"
    r"\s+in\s+",
    re.I,
)


def headquarters(context: _Context, sentence: Sentence) -> None:
    """ "The Council of Europe, based in Strasbourg, ..." -> Headquarters."""
    verb = _HEADQUARTERED.search(sentence.text)
    if verb is None:
        return
    position = sentence.start + verb.end()
    places = [
        m for m in context.within(sentence.start, sentence.end, ("place",)) if m.start == position
    ]
    organisations = [
        m
        for m in context.within(sentence.start, sentence.end, ("organisation", "company", "unit"))
        if m.end <= position
    ]
    if places and organisations:
        context.facts.append(
            Headquarters(
                organisations[-1].entity, places[0].entity, evidence=context.evidence(sentence)
            )
        )


_OWNED = re.compile(r"(?:Convention|Treaty|Charter)['’]s\s+\[?$|\b[Ii]ts\s+\[?$")


def supplements(context: _Context, sentence: Sentence) -> None:
    """A protocol the text ties to its treaty: "the Convention's Protocol on ..."."""
    text = context.document.text
    for mention in context.within(sentence.start, sentence.end, ("treaty",)):
        if mention.entity.detail("treaty_kind") != "Protocol":
            continue
        before = text[max(sentence.start, mention.start - 30) : mention.start]
        stated = (
            _OWNED.search(before) is not None
            or re.match(r"(?:Convention|Treaty|Charter)['’]s\s", mention.text) is not None
            or re.search(r"\s(?:to\s+the|à\s+la|au)\s", mention.text) is not None
        )
        if not stated:
            continue
        treaty = context.lex.by_iri.get(mention.entity.detail("supplements") or "")
        if treaty is None:
            conventions = [
                m.entity
                for m in context.mentions
                if m.end <= mention.start
                and m.entity.kind == "treaty"
                and m.entity.detail("treaty_kind") != "Protocol"
            ]
            treaty = conventions[-1] if conventions else None
        if treaty is not None:
            context.facts.append(
                Supplements(mention.entity, treaty, evidence=context.evidence(sentence))
            )


def _treaty_topics(context: _Context) -> None:
    """Each topic named goes to the treaty of its sentence, else to the treaty last named."""
    sentences = [
        s
        for s in context.document.sentences
        if s.end > context.document.metadata.header_end and not BOILERPLATE.match(s.text)
    ]
    text = context.document.text
    for topic in context.topics:
        index = next((i for i, s in enumerate(sentences) if s.start <= topic.start < s.end), None)
        if index is None or _NAMESAKE.search(text[max(0, topic.start - 25) : topic.start]):
            continue
        if _NAMESAKE_AFTER.match(text, topic.end):
            continue
        sentence = sentences[index]
        treaties = context.within(sentence.start, sentence.end, ("treaty",))
        holder = next((m for m in treaties if m.start <= topic.start and topic.end <= m.end), None)
        if holder is None and treaties:
            holder = _nearest(treaties, topic.start)
        about_organisation = context.within(sentence.start, sentence.end, _ORG_KINDS)
        if holder is None and index > 0 and not about_organisation:
            previous = sentences[index - 1]
            earlier = context.within(previous.start, previous.end, ("treaty",))
            holder = earlier[-1] if earlier else None
        if holder is not None:
            context.facts.append(
                TreatyTopic(holder.entity, topic.entity, evidence=context.evidence(sentence))
            )


_NAMESAKE = re.compile(r"Convention\s+(?:on|sur\s+la|sur\s+le)\s+(?:the\s+)?$")
_NAMESAKE_AFTER = re.compile(r"\s+Convention\b")
"""A treaty named after its subject ("Convention on Cybercrime", "Cybercrime Convention") only
names it; the topic counts when a text or a descriptive title states it."""


_JOINS = re.compile(
    r"\b(?:joined|joins|became\s+(?:a|the\s+\w+)\s+member(?:\s+state)?\s+of|acceded\s+to"
    r"|accession\s+to|admitted\s+to|is\s+(?:now\s+)?a\s+member(?:\s+state)?\s+of)"
    r"\s+(?:the\s+)?$",
    re.I,
)


def memberships(context: _Context, sentence: Sentence) -> None:
    """A state joining an organisation in prose: "Montenegro joined the Council of Europe".

    The text states when it joined (comity:since), not a membership list as of the issue date,
    so comity:asOf stays unsaid.
    """
    text = context.document.text
    states = context.within(sentence.start, sentence.end, _STATE_KINDS)
    if not states:
        return
    for organisation in context.within(sentence.start, sentence.end, ("organisation",)):
        if _JOINS.search(text[max(sentence.start, organisation.start - 60) : organisation.start]):
            members = [m for m in states if m.end <= organisation.start]
            dates = [d.first for d in _dates(context, sentence)]
            for member in members[-1:]:
                context.facts.append(
                    Membership(
                        member.entity,
                        organisation.entity,
                        since=dates[0] if dates else None,
                        evidence=context.evidence(sentence),
                    )
                )


RULES: list[Callable[[_Context, Sentence], None]] = [
    memberships,
    treaty_status,
    treaty_actions,
    legal_reforms,
    conferences,
    meetings,
    partnerships,
    person_roles,
    foundings,
    headquarters,
    supplements,
]
"""The sentence rules, in the order they run; each may add facts to the context."""


__all__ = ["Extraction", "extract", "RULES", "BOILERPLATE", "new_organisation"]
