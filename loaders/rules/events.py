"""Conferences and meetings: organiser, place, dates and attendance of an event."""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import TYPE_CHECKING, Any, TypedDict

from loaders.dates import DateMention, PartialDate
from loaders.documents import Sentence
from loaders.entities import Mention, new_place
from loaders.facts import Conference, Entity, Meeting
from loaders.numbers import QUALIFIED_NUMBER as QN
from loaders.numbers import Count, count_from_match
from loaders.rules.roles import people_in

if TYPE_CHECKING:
    from loaders.reading import Reading

_ORG_KINDS = ("organisation", "company", "unit")
_LEADING = re.compile(r"^\W*(?:on|le|as\s+of)?\s*$", re.I)

_CONFERENCE = re.compile(
    r"\b(?P<word>conference|seminar|workshop|symposium|summit|congress|colloquy|conférence"
    r"|séminaire|colloque|sommet|congrès)(?![\w-])",
    re.I,
)
_PARTICIPANTS = re.compile(
    rf"\b{QN}\s+(?:[\w-]+\s+){{0,3}}?(?:experts|participants|delegates|representatives"
    r"|officials|specialists|people|ministers|judges|prosecutors|speakers|guests|délégués)\b",
    re.I,
)
_DELEGATIONS = re.compile(rf"\b{QN}\s+(?:[\w-]+\s+){{0,2}}?(?:delegations|délégations)\b", re.I)
"""A number of delegations is a count of its own (`delegationCount`), not of participants."""
_COUNTRIES = re.compile(
    rf"\b(?:from\s+|de\s+)?{QN}\s+(?:countries|states|nations|pays|[ée]tats)(?![\w-])", re.I
)
_ORGANISED_BY = re.compile(
    r"\b(?:(?:organi[sz]ed|hosted|convened)\s+by\s+(?:the\s+)?"
    r"|(?:organisée?s?|accueillie?s?|convoquée?s?)\s+par\s+(?:le\s+|la\s+|les\s+)?)$",
    re.I,
)
_HELD_IN = re.compile(
    r"\b(?:(?:held|take\s+place|takes\s+place|took\s+place|meet|met|gathered|convened|opened"
    r"|closed)\s+(?:\w+\s+){0,4}?in|(?:conference|summit|seminar|workshop)\s+in"
    r"|(?:s['’]est\s+tenue?s?|se\s+tiendra|se\s+tient|a\s+eu\s+lieu|aura\s+lieu)\s+à)\s+"
    r"(?P<place>[A-Z][a-z]+(?:\s+(?:de|da|do|of|del|la)?\s*[A-Z][a-z]+){0,3})"
)
_CONFERENCE_NAME = re.compile(
    r"\b(?P<name>(?:[A-Z][\w-]*\s+){1,6}(?:Conference|Seminar|Workshop|Summit|Congress))\b"
)
_DESCRIBED = re.compile(
    r"\b(?P<name>(?:conference|seminar|workshop|symposium|summit|congress|colloquy|conférence"
    r"|séminaire|colloque|sommet|congrès)\s+"
    r"(?:of|on|for|dedicated\s+to|devoted\s+to|marking|celebrating|des|du|de\s+la|sur"
    r"|consacrée?\s+à)\s+[^,.;:()\n]{3,90}?)"
    r"(?=\s+(?:in|at|on|held|organi[sz]ed|hosted|which|that|took|was|were|will|from|with"
    r"|concluding|opening|closing|ending|starting|beginning|taking|bringing|gathering|à|a|s['’]est"
    r"|se|qui|organisée?|tenue?|aura|le|les)(?![\w-])"
    r"|[,.;:()\n]|$)",
    re.I,
)
"""A conference named by what it is about when it has no proper name: "a conference of
Council of Europe Ministers of Justice", "the conference dedicated to the 10th anniversary"."""
_CONTRIBUTE = re.compile(
    r"\b(?:contribute|contributes|contribution|participate|participates|take\s+part|takes\s+part|attend"
    r"|attends|attended|took\s+part|participated)\b",
    re.I,
)


def _count(match: re.Match[str] | None) -> Count | None:
    return count_from_match(match) if match is not None else None


def _place_in(context: Reading, sentence: Sentence) -> Entity | None:
    """The place a sentence names for an event; the dateline's place only if it names no other
    ("Geneva, 3 March – ... attended the conference in Strasbourg" was in Strasbourg)."""
    places = context.within(sentence.start, sentence.end, ("place",))
    dateline = context.document.metadata.dateline_span
    if dateline is not None:
        places = [m for m in places if not dateline[0] <= m.start < dateline[1]] or places
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


def _event_dates(
    dates: list[DateMention], text: str
) -> tuple[PartialDate | None, PartialDate | None]:
    """The first date of a sentence as the event's days: a range, a day and the day it runs
    to ("from 26 February to 2 March", "today ... until 29 February"), else one day."""
    if not dates:
        return None, None
    first = dates[0]
    if first.last is not None:
        return first.first, first.last
    until = _until(first, dates, text)
    if until is not None:
        return until
    return first.first, first.first  # a one-day (or one-month) event starts and ends then


_UNTIL = re.compile(
    r"\s*(?:-|–|to|till|until|through|au|jusqu['’]au)\s*$"
    r"|[^.;]{0,60}?\b(?:until|till|through|jusqu['’]au)\s+(?:the\s+)?$",
    re.I,
)
"""What joins a first day to the last: "February 26 to March 2", "which will run until"."""


def _until(
    first: DateMention, dates: list[DateMention], text: str
) -> tuple[PartialDate, PartialDate] | None:
    """The first and last day of "from March 30 to April 2, 2021": the first day written
    without a year has the year of the last (the one before if its month comes later)."""
    later = next((d for d in dates if d.start >= first.end), None)
    if later is None or first.first.day is None or later.first.day is None:
        return None
    if not _UNTIL.match(text[first.end : later.start]):
        return None
    start = first.first
    if not _YEAR.search(text, first.start, first.end) and later.first.year is not None:
        year = later.first.year - (1 if (start.month or 0) > (later.first.month or 0) else 0)
        start = dataclasses.replace(start, year=year)
    return start, later.first


_YEAR = re.compile(r"\b\d{4}\b")


class _ConferenceDetails(TypedDict):
    """What one sentence tells of a conference: it makes the conference, or fills its gaps."""

    name: str | None
    organiser: Entity | None
    place: Entity | None
    start: PartialDate | None
    end: PartialDate | None
    participant_count: Count | None
    country_count: Count | None
    delegation_count: Count | None


def _conference_word(context: Reading, sentence: Sentence) -> re.Match[str] | None:
    """The first word for a conference that is not part of an organisation's name ("the
    Global Forum on Cyber Expertise", "the Hague Conference on Private International Law")."""
    if _CONFERENCE.search(sentence.text) is None:
        return None
    bodies = context.within(sentence.start, sentence.end, _ORG_KINDS)
    return next(
        (
            found
            for found in _CONFERENCE.finditer(sentence.text)
            if not any(m.start <= sentence.start + found.start() < m.end for m in bodies)
        ),
        None,
    )


_LEAD_IN = re.compile(
    r"[\s,]*(?:(?:at|during|in|for|from|the|a|an|this|that|its|le|la|les|lors\s+de|à|au|du)\s+)*",
    re.I,
)
"""Between a date and the event word after it: "On 4 May, at the conference"."""
_OTHER_ACT = re.compile(
    r"\b(?:adopted|signed|ratified|announced|said|decided|deposited|published|presented|launched"
    r"|opened\s+for\s+signature|entered\s+into\s+force"
    r"|a\s+annoncé|a\s+signé|a\s+été\s+adoptée?|adoptée?)\b|;",
    re.I,
)
"""A verb that a date between it and the event word dates instead: "adopted on 2 May and
presented at a seminar"."""


def _dates_the_event(text: str, word: re.Match[str], date: DateMention) -> bool:
    """Whether a date of the sentence is the event's: after the event word within the clause
    and no other act between, or right before it."""
    if date.start >= word.end():
        between = text[word.end() : date.start]
        return len(between) <= 150 and _OTHER_ACT.search(between) is None
    between = text[date.end : word.start()]
    return date.end <= word.start() and (
        _LEAD_IN.fullmatch(between) is not None or _OTHER_ACT.search(between) is None
    )


def conferences(context: Reading, sentence: Sentence) -> None:
    """The conference a press release reports on: dates, place, organiser, attendance."""
    word = _conference_word(context, sentence)
    if word is None:
        return
    named = _NAMED_EVENT.search(sentence.text)
    if named is not None and named.group("conference"):
        return  # the named event's own rule reads it
    dates = [
        d
        for d in context.dates(sentence)
        if d.first.day is not None and _dates_the_event(sentence.text, word, d)
    ]
    place = _place_in(context, sentence)
    participants = _PARTICIPANTS.search(sentence.text)
    countries = _COUNTRIES.search(sentence.text)
    delegations = _DELEGATIONS.search(sentence.text) if "gation" in sentence.text else None
    if not (dates or place or participants or countries or delegations):
        return
    start, end = _event_dates(dates, sentence.text)
    if dates and _CLOSING.search(sentence.text, word.end(), dates[0].start):
        start = None  # "a conference concluding in Strasbourg today": its last day only
    elif (
        dates
        and end == start
        and _OPENING.search(sentence.text, word.end(), max(dates[0].start, word.end() + 40))
    ):
        end = None  # "the conference opened today": its first day only
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
    name = _CONFERENCE_NAME.search(sentence.text) or _DESCRIBED.search(sentence.text)
    update: _ConferenceDetails = {
        "name": name.group("name") if name else None,
        "organiser": organiser,
        "place": place,
        "start": start,
        "end": end,
        "participant_count": count_from_match(participants) if participants else None,
        "country_count": count_from_match(countries) if countries else None,
        "delegation_count": _count(delegations),
    }
    if context.conference is None:
        update["organiser"] = organiser or context.issuer
        context.conference = Conference(**update, evidence=context.evidence(sentence))
        return
    current = context.conference
    # The values are those of `update`, checked there; by name, mypy sees them only as objects.
    filled: dict[str, Any] = {
        key: value
        for key, value in update.items()
        if value is not None and getattr(current, key) in (None, context.issuer)
    }
    context.conference = dataclasses.replace(current, **filled)


_MEETING_WORD = re.compile(r"\b(?:meeting|session|réunion)s?\b", re.I)
_BODY_AFTER = re.compile(r"\s+(?:of\s+(?:the\s+)?|du\s+|de\s+la\s+|de\s+l['’]|des\s+)$")
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


_ITS = re.compile(r"\b(?:its|sa|son)\s+(?:\d+(?:st|nd|rd|th|e)\s+)?(?:\w+\s+)?$", re.I)
"""A meeting owned by the subject named after it: "At its 1300th meeting, the Committee"."""
_BODY_NAMED_AFTER = re.compile(
    r"\s+(?:of|du|de\s+la|de\s+l['’]|des)\s+(?:the\s+)?(?:[A-Z][\w-]*\s+|of\s+|the\s+){1,6}"
    r"(?:of|du|de\s+la|de\s+l['’]|des)\s+(?:the\s+)?"
)
"""A body the tables lack between the meeting and its organisation: "of the Board of
Governors of the"."""


def meetings(context: Reading, sentence: Sentence) -> None:
    """Meetings: "the next meeting of the Internet Governance Forum, in Rio in November",
    "Meeting in Strasbourg at the invitation of the Council of Europe on 13 - 14 June ...".

    A sentence may describe several meetings; each takes the words from its own "meeting"
    up to the next one. The organiser is who invited, organised or hosted it, else the body
    whose meeting it is, else the issuer of the release.
    """
    words = list(_MEETING_WORD.finditer(sentence.text))
    if not words or _conference_word(context, sentence) is not None:
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
        ) or next(  # "the annual meeting of the Board of Governors of the IMF"
            (
                m
                for m in organisations
                if m.start > start
                and _BODY_NAMED_AFTER.fullmatch(text, start + len(word.group()), m.start)
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
        if organiser is None and _ITS.search(text, sentence.start, start):
            # "At its meeting in Strasbourg on 3 May, the Committee of Ministers adopted"
            after = context.within(start, sentence.end, _ORG_KINDS)
            organiser = after[0].entity if after else None
        dates = [d for d in context.dates(sentence) if region_start - sentence.start <= d.start]
        dates = [d for d in dates if d.start < end - sentence.start]
        place = _place_in(context, region) or (_place_in(context, sentence) if hosted else None)
        participants = _PARTICIPANTS.search(region.text)
        countries = _COUNTRIES.search(region.text)
        if organiser is None or not (dates or place):
            continue
        first, last = _event_dates(dates, sentence.text)
        if dates and first == last and _OPENING.search(sentence.text, word.end(), dates[0].start):
            last = None  # "the session opened on 18 September": its first day only
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
                delegation_count=_count(
                    _DELEGATIONS.search(region.text) if "gation" in region.text else None
                ),
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


_NAMED_EVENT = re.compile(
    r"(?P<conference>"
    r"(?:(?:the\s+)?(?:last\s+|first\s+|next\s+)?(?:\d+(?:st|nd|rd|th)\s+)?session\s+of\s+the\s+)?"
    r"(?:[Cc]onference\s+of\s+(?:the\s+)?[Pp]arties\b(?:[^.()]{0,90}?\((?P<cop_abbr>COP\s?\d*)\))?)"
    r"|\bCOP\s?(?P<cop>\d{1,2})\b"
    r"|(?:\b(?P<summit_nth>\d+(?:st|nd|rd|th))\s+)?\b(?!(?:The|This|That|Its|Their|Our|Next|Last"
    r"|First|Each|Every|Another|Any|Upcoming|Annual)\s)(?P<summit_place>[A-Z][\w-]+)"
    r"\s+(?:[A-Z][a-z]+\s+)?Summit\b"
    r"|\b[Ss]ommet\s+(?:de\s+|d['’]\s*)(?:la\s+|l['’]\s*)?(?P<sommet_place>[A-Z][\w-]+)"
    r")"
    r"|(?P<meeting>"
    r"\b(?:(?P<nth>\d+(?:st|nd|rd|th))\s+)?Ministerial\s+Council\b"
    r"|\bspecial\s+event\b|\b(?:signing\s+)?ceremony\b|\bcérémonie\b|\bcelebration\b|\bcélébration\b"
    r")"
)
"""Events known by their own name or kind: "COP22", "the Conference of Parties (COP21)",
"the Budapest Water Summit", "le Sommet de Madagascar", "the 32nd Ministerial Council of the
OSCE", "a special event", "the celebration"."""
_SAME_CLAUSE = re.compile(
    r"[^,;]*(?:,\s+(?:scheduled|held|to\s+be\s+held|taking\s+place|planned|due|set|prévue?s?"
    r"|tenue?s?|qui\s+se\s+tiendra)\b[^,;]*)?",
    re.I,
)
"""What may stand between an event's name and its date: no clause break, except a participle
that describes the event ("COP22, scheduled for 7-18 November")."""
_CLOSING = re.compile(r"\b(?:conclud|clos|end|ended|ending|clôtur)\w*\b", re.I)
_OPENING = re.compile(
    r"\b(?:open(?:s|ed)?|kick(?:s|ed)?\s+off|beg[ia]n|begins|start(?:s|ed)?|s['’]ouvr\w*"
    r"|s['’]est\s+ouverte?|a\s+débuté)\b",
    re.I,
)
_AT_HEADQUARTERS = re.compile(r"\s*(?:headquarters|HQ)\b", re.I)
_OWNER_BEFORE = re.compile(r"(?:['’]s)?\s+(?:\d+(?:st|nd|rd|th)\s+)?")
"""An organisation written right before an event's name owns it: "the OSCE Ministerial Council"."""
_OF_BODY = re.compile(r"^\s*(?:of|de|du|des)\s+(?:the\s+|la\s+|le\s+|l['’]\s*)?$", re.I)


def named_events(context: Reading, sentence: Sentence) -> None:
    """Each event the sentence names, as one fact kept across sentences: its place (after
    "in"/"at", or in its name), its dates (the nearest; "concluding today" is an end only),
    its organiser (the body it is of, or whose headquarters host it)."""
    lower = sentence.text.lower()
    if not any(word in lower for word in _EVENT_WORDS):
        return
    for match in _NAMED_EVENT.finditer(sentence.text):
        start, end = sentence.start + match.start(), sentence.start + match.end()
        name, kind = _event_name(match)
        if name is None:
            continue
        named_for = _named_for(context, sentence, match)
        place = _event_place(context, sentence, match, end, named_for)
        first, last = _nearest_dates(context, sentence, match)
        organiser = (
            named_for.entity
            if named_for is not None
            else _event_organiser(context, sentence, start, end)
        )
        if organiser is None and kind == "conference" and match.group("sommet_place"):
            organiser = context.issuer  # "le Sommet de Madagascar" on its organiser's own site
        participants = _PARTICIPANTS.search(sentence.text, match.end())
        event_kind = Conference if kind == "conference" else Meeting
        if kind == "meeting" and name in _BARE and organiser is None and not (place and first):
            continue  # "the ceremony" with neither its host nor both its place and day
        known = context.events.get(name) or next(
            (event for key, event in context.events.items() if key.endswith(" " + name)), None
        )  # "the Ministerial Council" again after "the 32nd Ministerial Council"
        if known is not None:
            name = known.name or name
        found = event_kind(
            name=name,
            organiser=organiser,
            place=place,
            start=first,
            end=last,
            participant_count=count_from_match(participants) if participants else None,
            delegation_count=_count(
                _DELEGATIONS.search(sentence.text, match.end())
                if "gation" in sentence.text
                else None
            ),
            evidence=context.evidence(sentence),
        )
        if known is None:
            context.events[name] = found
            continue
        filled = {
            key: getattr(found, key)
            for key in (
                "organiser",
                "place",
                "start",
                "end",
                "participant_count",
                "delegation_count",
            )
            if getattr(known, key) is None and getattr(found, key) is not None
        }
        context.events[name] = dataclasses.replace(known, **filled)


_EVENT_WORDS = (
    "conference",
    "cop",
    "summit",
    "sommet",
    "ministerial",
    "event",
    "ceremony",
    "cérémonie",
    "celebration",
    "célébration",
)
"""Words one of which every name _NAMED_EVENT reads holds: a sentence without any is skipped."""
_EXAMPLE = re.compile(
    r"\b(?:like|such\s+as|including|notamment|comme)\s+(?:the\s+|le\s+|la\s+)?$", re.I
)
"""An event named as an example of what the words before it name."""


def stated_events(context: Reading) -> list[Conference]:
    """The named events the text says something of: a name alone ("ahead of COP30") is no fact."""
    return [
        event
        for event in context.events.values()
        if any(
            getattr(event, key) is not None
            for key in (
                "organiser",
                "place",
                "start",
                "end",
                "participant_count",
                "delegation_count",
            )
        )
    ]


_BARE = ("ceremony", "signing ceremony", "cérémonie", "celebration", "célébration", "special event")


def _event_name(match: re.Match[str]) -> tuple[str | None, str]:
    if match.group("conference"):
        cop = match.group("cop") or (match.group("cop_abbr") or "").replace(" ", "")[3:]
        if cop:
            return f"COP{cop}", "conference"
        if match.group("summit_place") or match.group("sommet_place"):
            return " ".join(match.group().split()), "conference"
        return "conference of parties", "conference"
    words = " ".join(match.group().lower().split())
    if words in _BARE:
        return words, "meeting"
    return " ".join(match.group().split()), "meeting"


def _event_place(
    context: Reading,
    sentence: Sentence,
    match: re.Match[str],
    end: int,
    named_for: Mention | None,
) -> Entity | None:
    """Where the text says the event is held, else the place or country in its name ("le
    Sommet de Madagascar", "the Budapest Water Summit"); never the name of a group ("the
    Nordic Summit") or of the organisation it is named after."""
    text = context.document.text
    named = match.group("summit_place") or match.group("sommet_place")
    if named_for is not None:
        end = named_for.end  # "the Sommet de l'Union africaine in Malabo": the place follows
    for place in context.within(end, min(sentence.end, end + 150), ("place",)):
        gap = text[end : place.start]
        if re.search(r"\b(?:in|at|à|en)\s+(?:the\s+)?$", gap) and ";" not in gap:
            return place.entity
    city = _CITY_COUNTRY.search(text, end, min(sentence.end, end + 150))
    if city is not None and ";" not in text[end : city.start()]:
        states = context.within(city.start("country"), city.end("country"), ("state",))
        if states:  # "in Marrakesh, Morocco": a city the tables lack, located by its state
            return new_place(city.group("city"))
    held = _HELD_AFTER.match(text, end, min(sentence.end, end + 150))
    if held is not None:  # "was held on 3 and 4 May in Sometown": a town the tables lack
        return _known_place(context, held.group("place")) or new_place(held.group("place"))
    if named and named_for is None:
        return _known_place(context, named, states=True)
    return None


_HELD_AFTER = re.compile(
    r"[^.;]{0,60}?\b(?:(?:(?:was|were|is|will\s+be)\s+)?held|takes?\s+place|took\s+place|met"
    r"|meets|will\s+meet|convened|gathered"
    r"|s['’]est\s+tenue?|se\s+tiendra|a\s+eu\s+lieu|aura\s+lieu)\b[^.;()]{0,60}?"
    r"\b(?:in|à)\s+(?P<place>[A-Z][a-zà-ÿ'-]+(?:\s+[A-Z][a-zà-ÿ'-]+)?)\b"
)
"""A place stated after a date or other words: "was held on 12 and 13 June in Sometown"."""


def _known_place(context: Reading, name: str, states: bool = False) -> Entity | None:
    """The place a name is in the tables; with `states`, a country named as the place of an
    event ("le Sommet de Madagascar") is one too."""
    for candidate in context.lex.reference.lookup(name):
        entity = context.lex.by_iri.get(candidate.iri)
        if entity is not None and entity.kind == "place":
            return entity
        if entity is not None and states and entity.kind == "state":
            return new_place(name)
    return None


_CITY_COUNTRY = re.compile(
    r"\b(?:in|at|à)\s+(?P<city>[A-Z][a-zà-ÿ'-]+(?:\s+[A-Z][a-zà-ÿ'-]+)?),\s+"
    r"(?P<country>[A-Z][\w -]+)"
)


def _nearest_dates(
    context: Reading, sentence: Sentence, match: re.Match[str]
) -> tuple[PartialDate | None, PartialDate | None]:
    """The date nearest the event's name in its sentence, within a few words; a day or a
    range ends where it says, a month or year has no end of its own."""
    all_dates = context.dates(sentence)
    after = [
        d
        for d in all_dates
        if 0 <= d.start - match.end() <= 150
        and _SAME_CLAUSE.fullmatch(sentence.text[match.end() : d.start])
    ]
    before = [d for d in all_dates if 0 <= match.start() - d.end <= 60]
    if _EXAMPLE.search(sentence.text, 0, match.start()):
        before = []  # "key summits this year, like COP30": the date is the list's, not COP30's
    if not after and not before:
        return None, None
    date = after[0] if after else before[-1]
    between = sentence.text[min(match.end(), date.start) : max(match.end(), date.start)]
    if _CLOSING.search(between):
        return None, date.last or date.first  # "concluding in Strasbourg today"
    if date.last is not None:
        return date.first, date.last
    until = _until(date, all_dates, sentence.text)
    if until is not None:
        return until
    if _OPENING.search(between):
        return date.first, None  # "kicked off today": its first day only
    return date.first, date.first if date.first.day is not None else None


def _named_for(context: Reading, sentence: Sentence, match: re.Match[str]) -> Mention | None:
    """The organisation a summit is named after ("le Sommet de l'Union africaine", "the
    African Union Summit"): its organiser, and no place."""
    group = "summit_place" if match.group("summit_place") else "sommet_place"
    if not match.group(group):
        return None
    at = sentence.start + match.start(group)
    return next(
        (
            m
            for m in context.within(sentence.start, sentence.end, _ORG_KINDS)
            if m.start <= at < m.end
        ),
        None,
    )


def _event_organiser(context: Reading, sentence: Sentence, start: int, end: int) -> Entity | None:
    """The body an event is of ("the Ministerial Council of the OSCE", "the OSCE Ministerial
    Council"), or whose headquarters host it."""
    text = context.document.text
    owners = [
        m
        for m in context.within(sentence.start, start, _ORG_KINDS)
        if _OWNER_BEFORE.fullmatch(text, m.end, start)
    ]
    if owners:
        return owners[-1].entity
    for mention in context.within(end, min(sentence.end, end + 80), _ORG_KINDS):
        if _OF_BODY.match(text[end : mention.start]):
            return mention.entity  # "the Ministerial Council of the OSCE"
        if _AT_HEADQUARTERS.match(text, mention.end) and text[end : mention.start].strip() in (
            "at",
            "at the",
        ):
            return mention.entity  # "a special event at U.N. headquarters"
        break
    return None


_MET = re.compile(
    r"\b(?P<said>(?:had|held)\s+(?:a\s+)?(?:meeting|talks)|a\s+eu\s+un\s+entretien\s+avec)\b"
    r"|\b(?:met|received|a\s+reçue?|a\s+rencontré|s['’]est\s+entretenue?\s+avec)\b",
    re.I,
)
_THE_MEETING = re.compile(
    r"\W*(?:the|this|during\s+the|at\s+the|la|cette|lors\s+de\s+(?:la|cette))\s+"
    r"(?:meeting|talks|rencontre|réunion|entretien)\b",
    re.I,
)
"""A sentence that goes on about the meeting the one before reported: "The meeting was ..."."""
_AT_SEAT = re.compile(r"\s*(?:headquarters|HQ|siège)\b", re.I)


def people_meetings(context: Reading, sentence: Sentence) -> None:
    """A meeting of two office holders: "A, Minister of X, had a meeting with B, Secretary
    General of Y, in Z on D", or "A received B ... yesterday." followed by "The meeting ...".

    "Received" and "met" are a meeting only when the text then speaks of the meeting (one
    receives an instrument too); its place is one named in the sentence or the known seat of
    the organisation whose headquarters it was held at; it has no organiser of its own.
    """
    verbs = list(_MET.finditer(sentence.text))
    if not verbs:
        return
    said = any(verb.group("said") for verb in verbs)
    if not said and not _next_is_about_the_meeting(context, sentence):
        return
    if len(people_in(context, sentence)) < 2:
        return
    dates = [d for d in context.dates(sentence) if d.first.day is not None]
    place = _place_in(context, sentence) or _seat_visited(context, sentence)
    if not (dates or place):
        return
    day = dates[0].first if dates else None
    context.facts.append(
        Meeting(name=None, place=place, start=day, end=day, evidence=context.evidence(sentence))
    )


def _next_is_about_the_meeting(context: Reading, sentence: Sentence) -> bool:
    sentences = context.document.sentences
    index = bisect.bisect_right([s.start for s in sentences], sentence.start)
    return index < len(sentences) and _THE_MEETING.match(sentences[index].text) is not None


def _seat_visited(context: Reading, sentence: Sentence) -> Entity | None:
    """ "at the African Union headquarters": where the tables put that organisation's seat."""
    text = context.document.text
    for named in context.within(sentence.start, sentence.end, _ORG_KINDS):
        if _AT_SEAT.match(text, named.end) is None:
            continue
        seat = next(
            (
                o.headquarters
                for o in context.lex.reference.organisations
                if o.iri == named.entity.iri
            ),
            "",
        )
        place = context.lex.by_iri.get(seat)
        if place is not None:
            return place
    return None
