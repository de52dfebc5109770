"""Memberships: who is a member (or Party) of what, since when, and how memberships change.

A Membership is dated by `since` when the text says when the state joined, else by `asOf`
(the issue date) when the text states it as current: a list of member states, "X is a member
of", the states named as exceptions to "all member States". Applications, suspensions and
ends of membership are facts of their own, never Membership.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from loaders.dates import PartialDate, find_dates
from loaders.documents import Document, Sentence
from loaders.entities import Mention
from loaders.facts import (
    PARTY_ACTS,
    Entity,
    Evidence,
    Fact,
    Membership,
    MembershipApplication,
    MembershipEnd,
    Suspension,
)
from loaders.numbers import ORDINAL, parse_number
from loaders.rules.counts import last_organisation, organisation_near
from ontology.reference import normalise_name

if TYPE_CHECKING:
    from loaders.reading import Reading

_STATE_KINDS = ("state",)
_ORG_KINDS = ("organisation", "unit")
_HOLDER_KINDS = ("organisation", "unit", "treaty")
_GLUE = re.compile(
    r"^\s*(?:,|;)?\s*(?:and|et|as\s+well\s+as|or|ou)?\s*(?:the|la|le|les|l['’])?\s*$", re.I
)
"""What lies between two names of one list: "A, B and the C"."""


def _listed(context: Reading, states: list[Mention], index: int, forward: bool) -> list[Mention]:
    """The list that the state at `index` belongs to, read backward or forward from it."""
    text = context.document.text
    found = [states[index]]
    step = 1 if forward else -1
    position = index + step
    while 0 <= position < len(states):
        a, b = (found[-1], states[position]) if forward else (states[position], found[-1])
        if not _GLUE.match(text[a.end : b.start]):
            break
        found.append(states[position])
        position += step
    return found


_ADVERBS = re.compile(r"^\s+(?:[a-z]+\s+){1,2}$")
"""Lower-case words between a subject and its verb: "X yesterday joined", "X has also"."""
_JOINS = re.compile(
    r"\b(?:joined|joins|has\s+joined|have\s+joined|re-?joined|re-?joins|['’]s\s+accession\s+to"
    r"|(?:a|ont)\s+rejoint|rejoindra"
    r"|became\s+(?:a|the\s+\w+)\s+(?:full\s+)?member"
    r"(?:\s+state)?\s+of|admitted\s+to|a\s+adhéré\s+à|ont\s+adhéré\s+à"
    r"|bec(?:ame|omes?)\s+(?:a\s+)?(?:state\s+)?part(?:y|ies)\s+to"
    r"|(?:est|sont)\s+devenue?s?\s+(?:un\s+|une\s+)?(?:[ée]tats?\s+)?parties?\s+(?:à|au)"
    r"|(?:est|a\s+été)\s+admise?\s+(?:au|à|dans))\s+(?:the\s+|la\s+|l['’]\s*)?$",
    re.I,
)
_IS_MEMBER = re.compile(
    r"\b(?:is|are|was|remains|has\s+been|have\s+been|est|sont|reste)\s+(?:also\s+|now\s+"
    r"|already\s+|également\s+|aussi\s+|désormais\s+)?(?:a\s+|an\s+|un\s+|une\s+)?(?:full\s+)?"
    r"(?:members?(?:\s+states?)?|membres?|(?:states?\s+)?part(?:y|ies)|parties?|états?\s+parties?)\s+"
    r"(?:of|to|de|du|des|à|au)\s+(?:the\s+|la\s+|l['’]\s*)?$"
    r"|,\s+(?:(?:a|an|one\s+of\s+the|un|l['’]un)\s+(?:des\s+)?)?(?:full\s+)?(?:member(?:\s+states?)?"
    r"|états?\s+membres?|membres?)"
    r"\s+(?:of|de|du)\s+(?:the\s+|la\s+|l['’]\s*)?$",
    re.I,
)
_BECAME_NTH = re.compile(
    r"\b(?<!to\s)(?:became|become|becomes|becoming|devient|est\s+devenue?)\s+"
    r"(?:[^,;.]{2,80}?,?\s+(?:and|et)\s+)?(?:(?P<owner>[^,;]{2,60}?)['’]s\s+)?"
    rf"(?:(?:a|an|the|le|la)\s+)?(?:(?:{ORDINAL})\s+)?(?:full\s+)?(?P<noun>member(?:\s+state)?|ally"
    r"|participating\s+state|membre|[ée]tat\s+membre)\b",
    re.I,
)
_SINCE = re.compile(r"^\W*(?:since|depuis)\s*(?:le\s+|l['’])?$", re.I)


def memberships(context: Reading, sentence: Sentence) -> None:
    """ "Montenegro joined the Council of Europe", "X is a member of Y", "X, a member State of Y",
    "X became NATO's 32nd Ally on 7 March", "X has been a Party to the Convention since 1990".

    A join is dated by `since`; a state of being is `asOf` the issue date unless the text
    gives `since`. A join with no date says neither.
    """
    text = context.document.text
    states = context.within(sentence.start, sentence.end, _STATE_KINDS)
    if not states:
        return
    dates = context.dates(sentence)
    joined: tuple[Mention, list[Mention], bool] | None = None
    """The last body named as joined or held, its members, and whether it was a join."""
    for holder in context.within(sentence.start, sentence.end, _HOLDER_KINDS):
        before = text[max(sentence.start, holder.start - 70) : holder.start]
        join = _JOINS.search(before)
        being = _IS_MEMBER.search(before) if join is None else None
        if join is None and being is None:
            if joined is not None and _AND_THEN.fullmatch(text, joined[0].end, holder.start):
                # "joined NATO in 1999 and the European Union in 2004": the second body joined;
                # "has been a member of A since 1955 and of B since 1973": the second one too
                later = [d for d in dates if 0 <= sentence.start + d.start - holder.end < 25]
                since = later[0].first if later else None
                as_of = context.issued if since is None and not joined[2] else None
                for member in joined[1]:
                    _add(context, sentence, member.entity, holder.entity, as_of, since)
                joined = (holder, joined[1], joined[2])
            continue
        if join is not None and holder.entity.kind == "treaty" and _ACT.search(join.group()):
            continue  # "a adhéré à la Convention" names the act: an accession, not a membership
        verb_at = holder.start - len(before) + (join or being).start()  # type: ignore[union-attr]
        members = [i for i, m in enumerate(states) if m.end <= verb_at]
        gap = text[states[members[-1]].end : verb_at] if members else ""
        subject = _GLUE.match(gap.strip(", ")) or _ADVERBS.match(gap) or _RELATIVE.match(gap)
        if not members or not subject:
            if not (members and being is not None and before[being.start()] == ","):
                continue
        since = _date_after(context, sentence, holder.end) if being is not None else None
        if join is not None:
            since = dates[0].first if dates else None
        as_of = None
        if since is None and (being is not None or holder.entity.kind == "treaty"):
            as_of = context.issued
        listed = _listed(context, states, members[-1], forward=False)
        for member in listed:
            _add(context, sentence, member.entity, holder.entity, as_of, since)
        joined = (holder, listed, join is not None)
    _became_nth(context, sentence, states)
    _elliptic_joins(context, sentence, states)


_AND_THEN = re.compile(
    r"(?:\s+(?:in|on|since|en|le|depuis)\s+[^,;.]{1,25}?)?,?\s+(?:and|et)\s+(?:(?:of|to|de|du|à)\s+)?"
    r"(?:the\s+|la\s+|le\s+|l['’]\s*)?",
    re.I,
)
_RELATIVE = re.compile(r"^\s*,\s*(?:which|that|qui)\s+$", re.I)
"""A relative clause between a state and its join: "Estonia, which joined NATO"."""
_ACT = re.compile(r"adh|accession", re.I)
"""Between two bodies one subject joined: "NATO in 1999 and the European Union"."""
_MEMBER_NOUN_BEFORE = re.compile(
    r"\s+(?:fellow\s+)?(?:member\s+(?:states?|countries|country|nations?)|members?|all(?:y|ies)"
    r"|participating\s+states?)\s+(?:the\s+)?",
    re.I,
)
"""A body's member noun written before the states it names: "EU member state Hungary",
"NATO allies Norway and Denmark"."""


def members_named_after_body(context: Reading, sentence: Sentence) -> None:
    """ "EU member state Hungary abstained": a member as of the issue date."""
    text = context.document.text
    states = context.within(sentence.start, sentence.end, _STATE_KINDS)
    if not states:
        return
    for body in context.within(sentence.start, sentence.end, _ORG_KINDS):
        noun = _MEMBER_NOUN_BEFORE.match(text, body.end, sentence.end)
        first = next((i for i, m in enumerate(states) if noun and m.start == noun.end()), None)
        if first is None:
            continue
        for member in _listed(context, states, first, forward=True):
            _add(context, sentence, member.entity, body.entity, context.issued, None)


def _date_after(context: Reading, sentence: Sentence, position: int) -> PartialDate | None:
    """The date of "since 1 October 1985" right after the holder's name."""
    text = context.document.text
    for date in context.dates(sentence):
        at = sentence.start + date.start
        if 0 <= at - position < 20 and _SINCE.match(text[position:at]):
            return date.first
    return None


def _became_nth(context: Reading, sentence: Sentence, states: list[Mention]) -> None:
    """ "Sweden became NATO's 32nd Ally on 7 March": a membership since that day; so is the
    second of two things a state becomes ("will become the 9th Party to the Convention, and
    a member State of the Organisation")."""
    for match in _BECAME_NTH.finditer(sentence.text):
        start, end = sentence.start + match.start(), sentence.start + match.end()
        organisation = organisation_near(context, sentence, start, end)
        members = [m for m in states if m.end <= start]
        if organisation is None or organisation.end <= sentence.start + match.start() - 60:
            continue
        if not members:
            continue
        # "became a republic on D1 and a member of the UN on D2": the date nearest the body
        at, until = organisation.start - sentence.start, organisation.end - sentence.start
        dates = context.dates(sentence)
        since = (
            min(dates, key=lambda d: d.start - until if d.start >= until else at - d.end).first
            if dates
            else None
        )
        _add(context, sentence, members[-1].entity, organisation.entity, None, since)


_ADMITTED = re.compile(
    r"\b(?P<passive>(?:was|were|has\s+been|have\s+been|(?:a|ont)\s+été|(?:est|sont))\s+)?"
    r"(?:admitted|admise?s?)\s+(?:\w+\s+){0,3}?(?:as|comme|en\s+tant\s+que)\s+(?:the\s+|a\s+|an\s+"
    r"|new\s+|nouveaux?\s+|nouvelles?\s+)*"
    rf"(?:(?:(?:{ORDINAL})(?:,\s*|\s+and\s+|\s+et\s+)?)+\s+)?"
    r"(?:full\s+)?(?:members?(?:\s+states?)?|membres?|[ée]tats?\s+membres?)\b",
    re.I,
)
"""Admission to an organisation: "X was admitted as a member", "the Assembly admitted as
the 186th and 187th Member States A and B"."""


def admissions(context: Reading, sentence: Sentence) -> None:
    """ "The Assembly admitted as new Member States A, B and C": each a member since the day
    the sentence names (else undated); the members follow the noun, or, in the passive,
    precede the verb."""
    text = context.document.text
    for match in _ADMITTED.finditer(sentence.text):
        start, end = sentence.start + match.start(), sentence.start + match.end()
        states = context.within(sentence.start, sentence.end, _STATE_KINDS)
        if match.group("passive"):
            before = [i for i, m in enumerate(states) if m.end <= start]
            members = _listed(context, states, before[-1], forward=False) if before else []
        else:
            after = [i for i, m in enumerate(states) if m.start >= end]
            first = after[0] if after else None
            if first is None or not _GLUE.match(text[end : states[first].start]):
                continue
            members = _listed(context, states, first, forward=True)
        organisation = organisation_near(context, sentence, start, end) or last_organisation(
            context, sentence.start
        )
        if not members or organisation is None:
            continue
        holder = _parent_of(context, organisation.entity)
        dates = [d for d in context.dates(sentence) if d.first.day is not None]
        since = dates[0].first if len(dates) == 1 else None
        for member in members:
            _add(context, sentence, member.entity, holder, None, since)


_OWNER = re.compile(r"['’]s\s*")
"""A possessive between a state and its noun: "Switzerland's application"."""


def _parent_of(context: Reading, entity: Entity) -> Entity:
    """The organisation a body belongs to: one joins the United Nations, which its General
    Assembly admits to membership."""
    parent = context.lex.by_iri.get(entity.detail("parent") or "")
    return parent if entity.kind == "unit" and parent is not None else entity


_ELLIPTIC_JOIN = re.compile(r"\b(?:have\s+|has\s+)?joined\b(?!\s+(?:the|an?|in|it|them)\b)", re.I)


def _elliptic_joins(context: Reading, sentence: Sentence, states: list[Mention]) -> None:
    """ "The Agreement now has 81 Parties after A, B and C joined": each joins the treaty
    or organisation the sentence is about."""
    text = context.document.text
    for match in _ELLIPTIC_JOIN.finditer(sentence.text):
        at = sentence.start + match.start()
        members = [i for i, m in enumerate(states) if m.end <= at]
        if not members or not _GLUE.match(text[states[members[-1]].end : at]):
            continue
        listed = _listed(context, states, members[-1], forward=False)
        holders = [
            m
            for m in context.within(sentence.start, listed[-1].start, _HOLDER_KINDS)
            if m.end <= listed[-1].start
        ]
        if not holders:
            continue
        dates = [d.first for d in context.dates(sentence) if d.start >= match.start()]
        since = dates[0] if dates else None
        as_of = context.issued if since is None else None
        for member in listed:
            _add(context, sentence, member.entity, holders[0].entity, as_of, since)


def _add(
    context: Reading,
    sentence: Sentence,
    member: Entity,
    holder: Entity,
    as_of: PartialDate | None,
    since: PartialDate | None,
    heading: Sentence | None = None,
) -> None:
    context.facts.append(
        Membership(
            member,
            holder,
            as_of=as_of,
            since=since,
            evidence=context.evidence(sentence),
            introduced_by=context.evidence(heading) if heading is not None else None,
        )
    )


_MEMBERS_NOUN = re.compile(
    r"(?<![\w-])(?:member\s+(?:states|countries|nations)|members|participating\s+states"
    r"|[ée]tats\s+(?:membres|participants)|pays\s+membres|membres)\b",
    re.I,
)
_NON = re.compile(r"non[\s-]*$", re.I)
_EXCEPT = re.compile(
    r"^[^.;:]{0,60}?\b(?:all\s+but|except(?:\s+for)?|excepting|other\s+than|save|sauf|hormis"
    r"|excepté|à\s+l['’]exception\s+d(?:e|u|es)\s*)\s+(?:the\s+|la\s+|le\s+|l['’]\s*)?",
    re.I,
)
_OPENS_LIST = re.compile(
    r"^\s*(?:\(|:|,?\s+(?:such\s+as|including|includes?|notamment|dont|among\s+them|amongst\s+them"
    r"|parmi\s+(?:eux|elles|lesquels|lesquelles)|namely|à\s+savoir|that\s+is)\b\s*:?)"
    r"|^[^.;:()]{0,80}?\b(?:of\s+them|d['’]entre\s+(?:eux|elles))\s*,?\s*"
    r"(?:namely|that\s+is|i\.\s?e\.|à\s+savoir|including|notamment|dont)?\s*[:(]?"
    r"|^[^.;:()]{0,80}?\b(?:are|were|include|sont|étaient|comprennent)\s*:",
    re.I,
)
"""What opens the list of the members meant: brackets, a colon, "including", "21 of them,
namely", "the member States that signed are:"."""
_ALL_OF_THEM = re.compile(
    r",\s+(?:all|both|each|tous|toutes|which\s+are|qui\s+sont)\s+(?:(?:of\s+)?(?:the|them|les|des)\s+)?"
    r"(?:(?:[A-Z][\w'’-]*|of|the|de|du|des|l['’]\w+)\s+){0,6}$"
)
"""A list named before its members noun: "A, B and C, all Council of Europe member states"."""
_LIST_AFTER_OWNER = re.compile(r"^\s*(?:of|de|du|des)\s+(?:the\s+|la\s+|l['’]\s*)?$", re.I)


def listed_members(context: Reading, sentence: Sentence) -> None:
    """States named as members: "all member States except A and B", "the 46 members
    (including A, B)", "its member States: A, B and C". Each is a member as of the issue date."""
    if not _MEMBERS_NOUN.search(sentence.text):
        return
    text = context.document.text
    states = context.within(sentence.start, sentence.end, _STATE_KINDS)
    if not states:
        return
    for noun in _MEMBERS_NOUN.finditer(sentence.text):
        if _NON.search(sentence.text[: noun.start()]):
            continue
        start, end = sentence.start + noun.start(), sentence.start + noun.end()
        organisation = organisation_near(context, sentence, max(sentence.start, start - 40), end)
        if organisation is None:
            continue
        appositive = _ALL_OF_THEM.search(text, max(sentence.start, start - 60), start)
        if appositive is not None:
            before = [i for i, m in enumerate(states) if m.end <= appositive.start()]
            if before and not text[states[before[-1]].end : appositive.start()].strip():
                for member in _listed(context, states, before[-1], forward=False):
                    _add(
                        context, sentence, member.entity, organisation.entity, context.issued, None
                    )
                continue
        if organisation.start >= end and _LIST_AFTER_OWNER.match(text[end : organisation.start]):
            end = organisation.end  # "member States of the Council of Europe: A, B"
        rest = text[end : sentence.end]
        exception = _EXCEPT.match(rest)
        opening = _OPENS_LIST.match(rest)
        if exception is not None:
            first = end + exception.end()
            named = [i for i, m in enumerate(states) if m.start >= first]
            if not named or text[first : states[named[0]].start].strip():
                continue
            members = _listed(context, states, named[0], forward=True)
        elif opening is not None:
            closing = text.find(")", end, sentence.end) if "(" in opening.group() else -1
            stop = closing if closing >= 0 else sentence.end
            members = [m for m in states if end <= m.start and m.end <= stop]
        else:
            continue
        for member in members:
            _add(context, sentence, member.entity, organisation.entity, context.issued, None)


_MEMBER_HEADING = re.compile(
    r"^\W*(?P<count>\d+|[a-z]+(?:-[a-z]+)?)\s+(?:member\s+states|members|member\s+countries"
    r"|états\s+membres|etats\s+membres)\W*$",
    re.IGNORECASE,
)


def member_lists(context: Reading) -> set[int]:
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
            _add(context, line, states[0].entity, organisation, context.issued, None, heading)
        expected = parse_number(match.group("count"))
        if expected is not None and expected != found:
            document = context.document
            name = str(document.path) if document.path is not None else document.key
            document.warnings.append(
                f"{name}: the heading {heading.text!r} announces {expected} "
                f"members but {found} listed states were recognised"
            )
    return used


_APPLIES = re.compile(
    r"\b(?:applied|applies|apply|application|asked|requested|request|submitted\s+(?:its|an)\s+"
    r"application)\s+(?:for\s+(?:\S+\s+){0,3}?(?:membership|accession|admission)|to\s+(?:join"
    r"|become\s+a\s+(?:full\s+)?(?:member|participating\s+state))|membership)"
    r"|\b(?:a|ont)\s+demandé\s+(?:à\s+adhérer|(?:son|leur)\s+adhésion|l['’]adhésion)"
    r"|\bdemande\s+d['’]adhésion|\bcandidature\s+(?:à|d['’]adhésion)",
    re.I,
)
_APPLICATION_OF = re.compile(
    r"\b(?:(?:membership|accession)\s+applications?|applications?\s+for\s+(?:membership"
    r"|admission|accession)|candidatures?\s+d['’]adhésion|demandes?\s+d['’]adhésion)\s+"
    r"(?:\w+\s+){0,2}?(?:of|from|by|de|du|des|d['’])\s*(?P<article>the\s+|la\s+|le\s+|l['’]\s*)?",
    re.I,
)
"""An application named by its noun, the applicants after it: "the membership applications of
A and B", "la candidature d'adhésion de l'Arabie saoudite"."""


def applications(context: Reading, sentence: Sentence) -> None:
    """ "X applied for EU membership in 2003": the request to join, dated when the text says;
    "X's application for admission", "the membership applications of A and B": the same,
    for the organisation named near, else the one the text named last, undated (a date after
    the noun dates what the sentence says of it: "X's application follows a vote in March")."""
    text = context.document.text
    found: list[tuple[re.Match[str], list[Mention]]] = []
    for match in _APPLICATION_OF.finditer(sentence.text):
        states = context.within(sentence.start, sentence.end, _STATE_KINDS)
        starts = {sentence.start + match.end(), sentence.start + match.start("article")}
        after = [i for i, m in enumerate(states) if m.start in starts]
        if after:
            found.append((match, _listed(context, states, after[0], forward=True)))
    for match in _APPLIES.finditer(sentence.text):
        start = sentence.start + match.start()
        if any(start < sentence.start + other.end() for other, _ in found):
            continue
        states = context.within(sentence.start, start, _STATE_KINDS)
        owners = [m for m in states if _OWNER.fullmatch(text, m.end, start)]
        if owners:
            found.append((match, owners[-1:]))
        elif states:  # "Finland and Sweden applied": each state of the list before the verb
            found.append((match, _listed(context, states, len(states) - 1, forward=False)))
    for match, applicants in found:
        start, end = sentence.start + match.start(), sentence.start + match.end()
        organisations = context.within(start, min(sentence.end, end + 40), _ORG_KINDS)
        organisation = organisations[0] if organisations else None
        if organisation is None:
            before = [
                m for m in context.within(sentence.start, start, _ORG_KINDS) if m.entity.known
            ]
            organisation = before[-1] if before else last_organisation(context, sentence.start)
        if organisation is None:
            continue
        named_by_noun = match.re is _APPLICATION_OF or _OWNER.fullmatch(
            text, applicants[0].end, start
        )
        dates = [
            d.first
            for d in context.dates(sentence)
            if d.start >= match.start() and not named_by_noun
        ]
        for applicant in applicants:
            context.facts.append(
                MembershipApplication(
                    applicant.entity,
                    _parent_of(context, organisation.entity),
                    dates[0] if dates else None,
                    evidence=context.evidence(sentence),
                )
            )


_SUSPENDS = re.compile(
    r"\b(?:suspend(?:ed|s)?|suspendu)\s+(?:\S+\s+){0,4}?(?:rights|membership|participation"
    r"|droits|adhésion|participation)\b"
    r"|\b(?P<passive>(?:was|were|has\s+been|have\s+been|a\s+été|ont\s+été|est|sont)\s+"
    r"(?:suspended|suspendue?s?)\s+(?:from|de|du|des))\b",
    re.I,
)


def suspensions(context: Reading, sentence: Sentence) -> None:
    """ "The Organisation suspended X's rights of representation": the member and the body.

    A date counts only after the verb: one before it usually dates what caused the suspension.
    """
    text = context.document.text
    for match in _SUSPENDS.finditer(sentence.text):
        start, end = sentence.start + match.start(), sentence.start + match.end()
        after_states = context.within(end, min(sentence.end, end + 50), _STATE_KINDS)
        owner = [
            m
            for m in context.within(start, end, _STATE_KINDS)
            if re.match(r"['’]s\b", text[m.end : m.end + 2])
        ]
        before_states = context.within(sentence.start, start, _STATE_KINDS)
        listed_after = False
        if match.group("passive"):
            members = (
                _listed(context, before_states, len(before_states) - 1, forward=False)
                if before_states
                else []
            )
            if not members:  # "Four states have been suspended from X since 1995: A, B, C"
                members = _listed_after_colon(context, sentence, end)
                listed_after = bool(members)
        else:
            members = (owner or after_states)[:1]
        organisations = context.within(sentence.start, sentence.end, _ORG_KINDS)
        organisation = organisation_near(context, sentence, start, end) if organisations else None
        from_body = next(
            (m for m in organisations if _FROM_BODY.fullmatch(text, end, m.start)), None
        )
        if match.group("passive") and from_body is not None:
            organisation = from_body  # "was suspended from the Commonwealth"
        if organisation is None and _THE_ORGANISATION.search(sentence.text, match.end()):
            organisation = last_organisation(context, sentence.start)
        if not members or organisation is None:
            continue
        dates = [
            d.first
            for d in context.dates(sentence)
            if d.start >= match.start() and not _POSSESSIVE.match(sentence.text, d.end)
        ]
        decided = _DECIDED_ON.search(sentence.text, 0, match.start())
        if decided is not None:  # "decided on Friday to suspend"
            dates = [
                d.first for d in context.dates(sentence) if d.start == decided.start("date")
            ] or dates
        if listed_after:
            dates = []  # each state listed was suspended on a day of its own
        for member in members:
            context.facts.append(
                Suspension(
                    member.entity,
                    organisation.entity,
                    dates[0] if dates else None,
                    evidence=context.evidence(sentence),
                )
            )


_FROM_BODY = re.compile(r"\s*(?:the\s+|la\s+|le\s+|l['’]\s*)?", re.I)
"""Between "suspended from" and the body: an article at most (the mention may hold it)."""
_POSSESSIVE = re.compile(r"['’]s?\s")
"""A date owning a noun dates that noun, not the suspension: "this week's coup"."""
_DECIDED_ON = re.compile(
    r"\b(?:decided|voted|agreed|resolved|a\s+décidé|ont\s+décidé)\s+(?:on\s+|le\s+)?"
    r"(?P<date>\S[^,;]{0,30}?)\s+(?:to|de|d['’])\s*$",
    re.I,
)
"""A date between a decision and what it decides: "decided on Friday to suspend"."""


def _listed_after_colon(context: Reading, sentence: Sentence, position: int) -> list[Mention]:
    """The states listed after the colon that follows `position`: "...: A, B and C"."""
    colon = context.document.text.find(":", position, sentence.end)
    states = context.within(colon + 1, sentence.end, _STATE_KINDS) if colon >= 0 else []
    if not states or not _GLUE.match(context.document.text[colon + 1 : states[0].start]):
        return []
    return _listed(context, states, 0, forward=True)


_THE_ORGANISATION = re.compile(r"\b(?:the|l['’])\s*organi[sz]ation\b", re.I)
"""A word for the organisation the text is about: "suspended from the Organization"."""


_ENDS = re.compile(
    r"(?P<cessation>ceased\s+to\s+be\s+a\s+member(?:\s+state)?\s+of|cesse(?:ra)?\s+d'être\s+"
    r"membre\s+d[eu]|is\s+no\s+longer\s+a\s+member\s+of)"
    r"|(?P<expulsion>(?:was|were|has\s+been|have\s+been)\s+expelled\s+from|expulsion\s+from"
    r"|(?:a\s+été\s+)?exclue?\s+d[eu])"
    r"|(?P<withdrawal>withdr(?:ew|awn|aws)\s+from|left|(?:s['’]est\s+)?retirée?\s+d[eu]"
    r"|(?:a|ont|avait)\s+quitté|quitter?a)",
    re.I,
)


def membership_ends(
    document: Document, named: list[Mention], issued: PartialDate | None, start_at: int = 0
) -> list[MembershipEnd]:
    """ "X ceased to be a member of the Organisation on 16 March": one fact per sentence."""
    facts: list[MembershipEnd] = []
    for sentence in document.sentences:
        if sentence.end <= start_at:
            continue
        for verb in _ENDS.finditer(sentence.text):
            at = sentence.start + verb.start()
            after = sentence.start + verb.end()
            inside = [m for m in named if sentence.start <= m.start < sentence.end]
            states = [m for m in inside if m.entity.kind == "state" and m.end <= at]
            organisations = [
                m
                for m in inside
                if m.entity.kind == "organisation" and after <= m.start <= after + 6
            ]
            if not states or not organisations:
                continue
            dates = [d for d in find_dates(sentence.text, issued) if d.first.day is not None]
            later = [d for d in dates if d.start >= verb.end()]
            on = later[0] if later else dates[0] if len(dates) == 1 else None
            how = next(name for name, value in verb.groupdict().items() if value)
            facts.append(
                MembershipEnd(
                    states[-1].entity,
                    organisations[0].entity,
                    on.first if on is not None else None,
                    how,
                    evidence=Evidence(sentence.start, sentence.end, sentence.text),
                )
            )
    return facts


def without_restated_parties(facts: list[Fact]) -> list[Fact]:
    """The facts but for a state's being a party to a treaty ("Nigeria becomes a Party to the
    Convention") where the same text states the act that made it one (its accession): the
    act says it, with its date."""
    acted = {
        (fact.actor.key, fact.treaty.key)
        for fact in facts
        if isinstance(fact, PARTY_ACTS) and fact.actor is not None
    }
    return [
        fact
        for fact in facts
        if not (
            isinstance(fact, Membership)
            and fact.organisation.kind == "treaty"
            and (fact.member.key, fact.organisation.key) in acted
        )
    ]
