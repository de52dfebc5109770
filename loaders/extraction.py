"""From a document and its linked mentions to facts, one rule per kind of statement.

The rules read one sentence at a time, with the entities linked in it and what the document
said before (the last treaty named, the conference being described), which is how a reader
resolves "the Convention" or "such partnerships". Each fact keeps its sentence as evidence.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.dates import DateMention, PartialDate
from loaders.documents import Document, Sentence
from loaders.entities import (
    Lexicon,
    Mention,
    find_mentions,
    lexicon,
    new_organisation,
    new_place,
)
from loaders.facts import (
    Entity,
    EntryIntoForce,
    Evidence,
    Fact,
    LegalReform,
    OpeningForSignature,
    TreatyAction,
    TreatyTopic,
)
from loaders.reading import Reading
from loaders.rules.actions import treaty_actions
from loaders.rules.counts import (
    action_tallies,
    listed_tallies,
    member_counts,
    merge_statuses,
    treaty_status,
)
from loaders.rules.ellipses import shared_acts
from loaders.rules.events import (
    conferences,
    meetings,
    named_events,
    people_meetings,
    stated_events,
)
from loaders.rules.memberships import (
    admissions,
    applications,
    listed_members,
    member_lists,
    members_named_after_body,
    membership_ends,
    memberships,
    suspensions,
    without_restated_parties,
)
from loaders.rules.mentions import normalise_typography, state_mentions
from loaders.rules.organisations import (
    agreements_with,
    foundings,
    headquarters,
    joint_instruments,
    partnerships,
)
from loaders.rules.roles import person_roles, signatory_roles, without_bare_titles
from loaders.rules.supplements import supplements
from ontology import REFERENCE_DIR, slug, unit_iri


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


PART_LENGTH = 60_000
"""A text longer than this (in characters) is read in parts of about this length, cut between
sentences: the bookkeeping of mentions compares each new name with those before it, so a
whole long text would cost more per character the longer it is, while parts keep the cost
per character flat. Each part after the first is read with the last LEAD_LENGTH characters
of the one before as its lead, so that a reference back ("the Convention", "it") finds the
name it points to; the facts of a lead belong to the part before, and a fact two parts state
is kept once."""

LEAD_LENGTH = 3_000
"""How much of the previous part a part is read with (whole sentences, about a paragraph or
three): a reference back reaches at most this far across a cut."""


def extract(document: Document, reference_dir: Path = REFERENCE_DIR) -> Extraction:
    """Read every fact a document states, with its evidence."""
    if len(document.text) <= PART_LENGTH:
        return _extract_whole(document, reference_dir)
    read = [
        (offset, own, _extract_whole(part, reference_dir)) for offset, own, part in _parts(document)
    ]
    facts: list[Fact] = []
    mentions: list[Mention] = []
    warnings = list(document.warnings)
    for offset, own, extraction in read:
        facts += [
            _shifted(fact, offset)
            for fact in extraction.facts
            if fact.evidence.start + offset >= own
        ]
        mentions += [
            dataclasses.replace(m, start=m.start + offset, end=m.end + offset)
            for m in extraction.mentions
            if m.start + offset >= own
        ]
        warnings += [
            warning
            for warning in extraction.warnings
            if warning not in warnings and not warning.endswith(_NO_FACTS)
        ]
    facts = _deduplicate(facts)
    if not facts:
        warnings.append(f"{_name(document)}: {_NO_FACTS}")
    first = read[0][2]
    return Extraction(
        document, facts, mentions, first.issuer, first.publisher, first.place, warnings
    )


_NO_FACTS = "no facts found in the text"


def _parts(document: Document) -> list[tuple[int, int, Document]]:
    """The document cut between sentences into parts of about PART_LENGTH characters, each a
    Document of its own, with its offset in the whole and where its own text begins (after
    its lead, whole sentences of the part before)."""
    cuts = [0]
    for sentence in document.sentences:
        if sentence.start - cuts[-1] >= PART_LENGTH:
            cuts.append(sentence.start)
    cuts.append(len(document.text))
    metadata = document.metadata
    parts = []
    for own, end in zip(cuts, cuts[1:], strict=False):
        leads = [s.start for s in document.sentences if own - LEAD_LENGTH <= s.start < own]
        start = leads[0] if leads else own
        inside = [s for s in document.sentences if start <= s.start < end]
        part = Document(
            key=document.key,
            iri=document.iri,
            text=document.text[start:end],
            path=document.path,
            sentences=[Sentence(s.start - start, s.end - start, s.text) for s in inside],
            metadata=dataclasses.replace(
                metadata,
                header_end=max(0, metadata.header_end - start),
                title_span=_span_in(metadata.title_span, start, end),
                dateline_span=_span_in(metadata.dateline_span, start, end),
            ),
            content_hash=document.content_hash,
        )
        parts.append((start, own, part))
    return parts


def _span_in(span: tuple[int, int] | None, start: int, end: int) -> tuple[int, int] | None:
    if span is None or not (start <= span[0] and span[1] <= end):
        return None
    return (span[0] - start, span[1] - start)


def _shifted(fact: Fact, offset: int) -> Fact:
    lead = fact.introduced_by
    return dataclasses.replace(
        fact,
        evidence=_moved(fact.evidence, offset),
        introduced_by=_moved(lead, offset) if lead is not None else None,
    )


def _moved(evidence: Evidence, offset: int) -> Evidence:
    return Evidence(evidence.start + offset, evidence.end + offset, evidence.text)


def _extract_whole(document: Document, reference_dir: Path) -> Extraction:
    """Every fact of a text read at once (see PART_LENGTH)."""
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
    context = Reading(document, lex, mentions, topics, issuer)
    place = _dateline_place(document, lex)
    skip_until = document.metadata.header_end
    listed = member_lists(context)
    for sentence in document.sentences:
        if sentence.end <= skip_until or sentence.start in listed:
            continue
        if BOILERPLATE.match(sentence.text):
            continue
        for rule in RULES:
            rule(context, sentence)
    _treaty_topics(context)
    signatory_roles(context)
    context.facts.extend(state_mentions(document, mentions, lex))
    context.facts.extend(membership_ends(document, mentions, context.issued, skip_until))
    if context.conference is not None:
        context.facts.append(context.conference)
    context.facts.extend(stated_events(context))
    if context.partnership is not None:
        context.facts.append(context.partnership)
    context.facts.extend(listed_tallies(context.facts))
    warnings = list(document.warnings)
    facts = without_restated_parties(merge_statuses(context.facts))
    facts = _possible_dates(without_bare_titles(_deduplicate(facts)), document, warnings)
    extraction = Extraction(document, facts, mentions, issuer, publisher, place, warnings)
    if not facts:
        extraction.warnings.append(f"{_name(document)}: {_NO_FACTS}")
    if not _reads_as_english_or_french(document.text):
        extraction.warnings.append(
            f"{_name(document)}: the text does not read as English or French, the languages "
            "Comity's rules know; what they found in it is loaded, but most of what it says "
            "is missed"
        )
    return extraction


_FUNCTION_WORDS = frozenset(
    "the of and to in is on for with by a an that was has have it as at from this are "
    "le la les de des du et à au aux en un une est sur pour par dans que qui avec a ont ce".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _reads_as_english_or_french(text: str) -> bool:
    """True when English or French function words make up a fair share of the words (one in
    ten; prose in either runs at one in three); a text of fewer than 40 words passes."""
    words = _WORD.findall(text[:20000].lower())
    if len(words) < 40:
        return True
    return sum(word in _FUNCTION_WORDS for word in words) >= len(words) / 10


def _original(text: str, mention: Mention) -> Mention:
    return dataclasses.replace(mention, text=text[mention.start : mention.end])


def _name(document: Document) -> str:
    return str(document.path) if document.path is not None else document.key


def _possible_dates(facts: list[Fact], document: Document, warnings: list[str]) -> list[Fact]:
    """Drop an act whose date cannot be, with a warning naming its sentence.

    A text reports what happened: an act dated after the text was issued is a misreading (or
    a plan, which is no act), and so is a state's act on a treaty dated before the treaty was
    opened for signature. An entry into force and an opening for signature may come after the
    text: they are fixed ahead (by the treaty's terms, by the decision to open it), and
    notices announce them.
    """
    issued = document.metadata.issued
    kept = []
    for fact in facts:
        date = getattr(fact, "date", None)
        if not isinstance(date, PartialDate) or fact.act_parts() is None:
            kept.append(fact)
            continue
        reason = None
        if (
            issued is not None
            and not isinstance(fact, EntryIntoForce | OpeningForSignature)
            and date.first_day() > issued.last_day()
        ):
            reason = f"after the text's date {issued.iso()}"
        opened = _opened(fact)
        if opened is not None and not isinstance(fact, OpeningForSignature):
            if date.last_day() < opened.first_day():
                reason = f"before the treaty was opened for signature ({opened.iso()})"
        if reason is not None:
            warnings.append(
                f"{_name(document)}: {fact.kind} dated {date.iso()}, {reason}, left out: "
                f"{fact.evidence.text!r}"
            )
            continue
        kept.append(fact)
    return kept


def _opened(fact: Fact) -> PartialDate | None:
    treaty = getattr(fact, "treaty", None)
    opened = treaty.detail("opened") if isinstance(treaty, Entity) else None
    try:
        return PartialDate.from_iso(opened[:10]) if opened else None
    except ValueError:
        return None


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


# --- sentence rules --------------------------------------------------------------------------


def _dates(context: Reading, sentence: Sentence) -> list[DateMention]:
    return context.dates(sentence)


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


def legal_reforms(context: Reading, sentence: Sentence) -> None:
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


def _treaty_topics(context: Reading) -> None:
    """Each topic named goes to the treaty of its sentence, else to the treaty last named."""
    sentences = [
        s
        for s in context.document.sentences
        if s.end > context.document.metadata.header_end and not BOILERPLATE.match(s.text)
    ]
    text = context.document.text
    starts = [s.start for s in sentences]
    for topic in context.topics:
        at = bisect.bisect_right(starts, topic.start) - 1
        index = at if at >= 0 and topic.start < sentences[at].end else None
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


RULES: list[Callable[[Reading, Sentence], None]] = [
    memberships,
    members_named_after_body,
    listed_members,
    admissions,
    applications,
    suspensions,
    treaty_status,
    action_tallies,
    member_counts,
    treaty_actions,
    shared_acts,
    legal_reforms,
    named_events,
    conferences,
    meetings,
    people_meetings,
    partnerships,
    agreements_with,
    joint_instruments,
    person_roles,
    foundings,
    headquarters,
    supplements,
]
"""The sentence rules, in the order they run; each may add facts to the context."""


__all__ = ["Extraction", "extract", "RULES", "BOILERPLATE", "new_organisation"]
