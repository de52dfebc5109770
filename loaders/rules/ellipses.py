"""Acts a sentence states once for several states, each with a date of its own.

`treaty_actions` reads who did what on which date when the verb is written for each state.
Texts also write it once: "Ghana ratified it in 2018 and Benin did so in 2021", "..., followed
by Benin in 2021", "..., as did Togo"; or give each state its date in brackets: "Ghana (3
December 2018) and Benin (4 May 2021) have ratified it". This rule runs after
`treaty_actions` on the same sentence and works on the acts that rule found in it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from loaders.dates import DateMention
from loaders.documents import Sentence
from loaders.entities import Mention
from loaders.facts import EntryIntoForce, Fact, TreatyAction

if TYPE_CHECKING:
    from loaders.reading import Reading

_STATES = ("state", "organisation")

_BRACKETED_DATE = re.compile(r"\s*\(\s*(?:on\s+|le\s+|in\s+|en\s+)?$", re.I)
_BRACKET_CLOSES = re.compile(r"\s*\)")
_ADJACENT_DATE = re.compile(r"\s*,?\s*(?:on|in|le|en)\s+$", re.I)
_DATE_THEN_AGENT = re.compile(r"\s+(?:by|par)\s+(?:the\s+|la\s+|le\s+|l['’]\s*)?", re.I)
"""A date written just before its agent: "signed on 3 May by A and on 4 May by B"."""

_LEADS = re.compile(
    r"(?P<followed>,?\s+(?:followed|suivie?s?)\s+(?:by|par)\s+)"
    r"|(?P<as_did>,?\s+(?:as\s+(?:did|has|have)|tout\s+comme|de\s+même\s+que)\s+)"
    r"|(?P<and>,?\s+(?:and|et|while|whereas|tandis\s+que)\s+(?:then\s+|later\s+)?)"
    r"|(?P<comma>\s*[,;]\s*)",
    re.I,
)
_DID_SO = re.compile(
    r"\s+(?:(?:also|later|then|in\s+turn|aussi|ensuite)\s+)?(?:did\s+(?:so|likewise|the\s+same)"
    r"|followed\s+suit|has\s+done\s+so|have\s+done\s+so|a\s+fait\s+de\s+même|l['’]a\s+fait"
    r"|en\s+a\s+fait\s+autant)\b",
    re.I,
)
_OWN_DATE = re.compile(r"\s*,?\s*(?:on|in|le|en)?\s*$", re.I)
_GAPPED_DATE = re.compile(r"\s+(?:on|in|le|en)\s*$", re.I)
_GAP_ENDS = re.compile(r"\s*(?:[,;.)]|and\b|et\b|$)", re.I)
"""Gapping, the verb left out: "Ghana ratified it on 3 March, Peru on 4 March": the state and
its date alone, then the end of the sentence or of the clause."""


def shared_acts(context: Reading, sentence: Sentence) -> None:
    """Give each state its own date, and the act to the states an ellipsis adds."""
    _did_so_too(context, sentence)
    acts = [
        (index, fact)
        for index, fact in _this_sentence(context, sentence)
        if isinstance(fact, TreatyAction)
        and not isinstance(fact, EntryIntoForce)
        and fact.actor is not None
    ]
    if not acts:
        return
    dates = context.dates(sentence)
    _own_dates(context, sentence, acts, dates)
    _respectively(context, sentence, acts, dates)
    _ellipses(context, sentence, acts[-1][1], dates)


_OPENS_WITH_STATES = re.compile(r"\W*(?:(?:then|later|also|ensuite|puis)\s*,?\s+)?", re.I)


def _did_so_too(context: Reading, sentence: Sentence) -> None:
    """ "A signed the Convention on 3 May. B did the same on 4 May.": a sentence that opens with
    states and says they did so repeats the last act of the sentence before, on its own date
    or none."""
    states = context.within(sentence.start, sentence.end, _STATES)
    text = context.document.text
    if not states or not _OPENS_WITH_STATES.fullmatch(text, sentence.start, states[0].start):
        return
    group = listed_together(text, states)
    did_so = _DID_SO.match(text, group[-1].end)
    if did_so is None:
        return
    earlier = [
        fact
        for fact in context.facts
        if isinstance(fact, TreatyAction)
        and not isinstance(fact, EntryIntoForce)
        and fact.actor is not None
        and fact.evidence.end <= sentence.start
    ]
    if not earlier:
        return
    act = earlier[-1]
    dates = context.dates(sentence)
    date = next(
        (d for d in dates if _OWN_DATE.fullmatch(text, did_so.end(), sentence.start + d.start)),
        None,
    )
    for mention in group:
        context.facts.append(
            type(act)(
                mention.entity,
                act.treaty,
                date.first if date is not None else None,
                evidence=context.evidence(sentence),
            )
        )


def _this_sentence(context: Reading, sentence: Sentence) -> list[tuple[int, Fact]]:
    """The facts the rules have read in this sentence so far: the tail of the list, which is
    walked back rather than scanned whole, so that a long text costs no more per sentence."""
    found = []
    index = len(context.facts) - 1
    while index >= 0 and context.facts[index].evidence.start == sentence.start:
        found.append((index, context.facts[index]))
        index -= 1
    return found[::-1]


def _own_dates(
    context: Reading,
    sentence: Sentence,
    acts: list[tuple[int, TreatyAction]],
    dates: list[DateMention],
) -> None:
    """ "Ghana (3 December 2018) and Benin (4 May 2021)", "ratified by Ghana on 3 December
    2018 and by Benin on 4 May 2021": each state's act takes its date; a state without one
    does not take another state's. A date right after one state alone is the act's anyway."""
    text = context.document.text
    own: dict[str, DateMention] = {}
    bracketed = False
    for mention in context.within(sentence.start, sentence.end, _STATES):
        for date in dates:
            start, end = sentence.start + date.start, sentence.start + date.end
            if _BRACKETED_DATE.fullmatch(text, mention.end, start) and _BRACKET_CLOSES.match(
                text, end
            ):
                own[mention.entity.key] = date
                bracketed = True
                break
            if _ADJACENT_DATE.fullmatch(text, mention.end, start) or _DATE_THEN_AGENT.fullmatch(
                text, end, mention.start
            ):
                own[mention.entity.key] = date
                break
    if not (bracketed or len(own) > 1):
        return
    taken = {date.first for date in own.values()}
    for index, fact in acts:
        own_date = own.get(fact.actor.key) if fact.actor is not None else None
        if own_date is not None:
            context.facts[index] = dataclasses.replace(fact, date=own_date.first)
        elif fact.date in taken:
            context.facts[index] = dataclasses.replace(fact, date=None)


_RESPECTIVELY = re.compile(r"\brespectively\b|\brespectivement\b", re.I)


def _respectively(
    context: Reading,
    sentence: Sentence,
    acts: list[tuple[int, TreatyAction]],
    dates: list[DateMention],
) -> None:
    """ "A and B signed it on 3 and 4 May respectively": the states take the dates written
    after them in their order, when there are as many dates as states."""
    if _RESPECTIVELY.search(sentence.text) is None:
        return
    actors = {fact.actor.key for _, fact in acts if fact.actor is not None}
    named = [m for m in context.within(sentence.start, sentence.end, _STATES)]
    order = list(dict.fromkeys(m.entity.key for m in named if m.entity.key in actors))
    last = max((m.end for m in named if m.entity.key in actors), default=sentence.end)
    after = [d for d in dates if sentence.start + d.start >= last]
    # "on 3 and 4 May" is one mention of two days.
    days = [day for d in after for day in ((d.first, d.last) if d.last else (d.first,))]
    if len(order) < 2 or len(days) != len(order):
        return
    own = dict(zip(order, days, strict=True))
    for index, fact in acts:
        if fact.actor is not None and fact.actor.key in own:
            context.facts[index] = dataclasses.replace(fact, date=own[fact.actor.key])


def _ellipses(
    context: Reading, sentence: Sentence, act: TreatyAction, dates: list[DateMention]
) -> None:
    """ "..., followed by B in 2021", "..., as did B", "and B did so on 4 May": B's act is the
    act before, on the date written after B; else undated, but for "as did", which shares
    the act's date."""
    text = context.document.text
    acted = {
        fact.actor.key
        for _, fact in _this_sentence(context, sentence)
        if isinstance(fact, TreatyAction) and fact.actor is not None
    }
    states = context.within(sentence.start, sentence.end, _STATES)
    for lead in _LEADS.finditer(text, sentence.start, sentence.end):
        following = [m for m in states if m.start >= lead.end()]
        if not following or following[0].start - lead.end() > 5:
            continue
        group = listed_together(text, following)
        after = group[-1].end
        if lead.lastgroup in ("and", "comma"):
            did_so = _DID_SO.match(text, after) if lead.lastgroup == "and" else None
            if did_so is None:
                # Gapping pairs dates: the clause before the lead has one of its own.
                dated_before = any(sentence.start + d.end <= lead.start() for d in dates)
                if not (dated_before and _gapped(text, sentence, after, dates)):
                    continue
            else:
                after = did_so.end()
        date = next(
            (
                d
                for d in dates
                if sentence.start + d.start >= after
                and _OWN_DATE.fullmatch(text, after, sentence.start + d.start)
            ),
            None,
        )
        on = date.first if date is not None else None
        if on is None and lead.lastgroup == "as_did":
            on = act.date  # "A ratified it in 2018, as did B": B as A, like `_as_has`
        for mention in group:
            if mention.entity.key in acted:
                continue
            acted.add(mention.entity.key)
            context.facts.append(
                type(act)(mention.entity, act.treaty, on, evidence=context.evidence(sentence))
            )


def _gapped(text: str, sentence: Sentence, after: int, dates: list[DateMention]) -> bool:
    """Whether a date written with its preposition follows `after` and ends the clause."""
    return any(
        _GAPPED_DATE.fullmatch(text, after, sentence.start + d.start)
        and _GAP_ENDS.match(text, sentence.start + d.end)
        for d in dates
        if sentence.start + d.start >= after
    )


_LIST_GLUE = re.compile(r"\s*(?:,|,?\s+and|,?\s+et)\s*(?:the\s+|la\s+|le\s+|l['’]\s*)?", re.I)


def listed_together(text: str, mentions: list[Mention]) -> list[Mention]:
    """The first mention and those joined to it by commas or "and"."""
    group = [mentions[0]]
    for mention in mentions[1:]:
        if not _LIST_GLUE.fullmatch(text, group[-1].end, mention.start):
            break
        group.append(mention)
    return group


def joined_before(text: str, mentions: list[Mention]) -> list[Mention]:
    """The last mention and those joined to it by commas or "and", in text order."""
    group = [mentions[-1]]
    for mention in reversed(mentions[:-1]):
        if not _LIST_GLUE.fullmatch(text, mention.end, group[0].start):
            break
        group.insert(0, mention)
    return group
