"""Counts a text reports: a treaty's status, an organisation's members, a day's treaty acts.

A count is a number (digits, English or French words, "a dozen") or an ordinal ("the 60th
ratification", "31e membre") before a noun that says what is counted. The noun decides the
fact: ratifications, signatures and parties make a TreatyStatus, members a MemberCount, and a
number of states that acted on one stated day an ActionTally. Each count keeps its qualifier.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from loaders.dates import PartialDate
from loaders.documents import Sentence
from loaders.entities import Mention
from loaders.facts import (
    Acceptance,
    Accession,
    ActionTally,
    Approval,
    Entity,
    Fact,
    MemberCount,
    Ratification,
    Signature,
    TreatyAction,
    TreatyStatus,
)
from loaders.numbers import (
    NUMBER,
    ORDINAL,
    QUALIFIED_NUMBER,
    Count,
    count_from_match,
    parse_count,
    parse_ordinal,
)
from loaders.rules.actions import same_day

if TYPE_CHECKING:
    from loaders.reading import Reading

QN = QUALIFIED_NUMBER
_ORG_KINDS = ("organisation", "unit")
_STATES = (
    r"(?:states?|countries|country|nations?|governments|parties|party|signatories|pays|[ée]tats?)"
)
_ADJECTIVES = r"(?:(?:new|more|other|further|additional|member|nouveaux|autres)\s+)?"

_REACHES = (
    r"(?:to|at|reach(?:es|ed)?|(?:is|stands|now\s+stands)\s+(?:now\s+)?(?:at)?|now|totals?"
    r"|of)"
)
"""What ties "the number of Parties" to its value: "rises to 77", "now stands at 77"."""
_ASIDE = r"(?:i\.\s?e\.|\([^)]*\)|[^.;])"
"""A character of what may stand between a counted noun and its number, an aside in brackets
or after "i.e." included: "signatory States (i.e. those that have signed) stand at 35"."""
_REACHES_FR = r"(?:à|atteint|est\s+(?:désormais\s+|maintenant\s+)?de|s['’]élève\s+à|passe\s+à)"
_STATUS_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "ratified": [
        re.compile(rf"\b(?:ratified|ratifiée?s?)\s+(?:\w+\s+)?(?:by|par)\s+{QN}\b", re.I),
        re.compile(
            rf"\b{QN}\s+(?:\w+\s+){{0,2}}(?:have|has|had|ont|avaient)\s+"
            r"(?:now\s+|already\s+|déjà\s+)?(?:ratified|ratifié)",
            re.I,
        ),
        re.compile(rf"\b{QN}\s+ratifications\b", re.I),
        re.compile(
            rf"\b{QN}\s+(?:\w+\s+){{0,2}}(?:have|has|had|ont|avaient)\s+(?:now\s+|already\s+)?"
            r"(?:deposited|déposé)\s+(?:their|its|leurs?|son)\s+instruments?\s+(?:of|for|de)\s+"
            r"ratification",
            re.I,
        ),
        re.compile(
            rf"\b{QN}\s+{_STATES}\s+(?:\w+\s+){{0,2}}?(?:qui|that|which)\s+(?:l['’]\s*|les\s+|it\s+)?"
            r"(?:ont|have)\s+(?:déjà\s+|already\s+)?(?:ratifié|ratified)",
            re.I,
        ),
        re.compile(
            rf"\b(?:number|total)\s+(?:number\s+)?of\s+(?:ratifications|ratifying\s+(?:states|countries"
            rf"|parties))\b[^.;]{{0,60}}?\b"
            rf"{_REACHES}\s+{QN}\b",
            re.I,
        ),
        re.compile(
            rf"\bnombre\s+(?:total\s+)?de\s+ratifications\b[^.;]{{0,60}}?{_REACHES_FR}\s+{QN}\b",
            re.I,
        ),
        re.compile(rf"\bporte\s+à\s+{QN}\s+le\s+nombre\s+(?:total\s+)?de\s+ratifications\b", re.I),
    ],
    "signed": [
        re.compile(
            rf"\b(?:signed|signée?s?)\s+(?:but\s+not\s+(?:yet\s+)?ratified\s+)?(?:by|par)\s+{QN}\b",
            re.I,
        ),
        re.compile(
            rf"\b{QN}\s+(?:\w+\s+)?(?:have|has|had|ont|avaient)\s+(?:only\s+)?(?:signed|signé)\b",
            re.I,
        ),
    ],
    "parties": [
        re.compile(
            rf"\b{QN}\s+(?:states\s+|countries\s+)?(?:are|are\s+now|have\s+become|now)\s+"
            r"(?:part(?:y|ies)|Parties)\b",
            re.I,
        ),
        re.compile(
            rf"(?<!of\sthe\s)\b{QN}\s+(?:[ÉE]tats\s+|[Ss]tates\s+|member\s+)?[Pp]arties\b"
            r"(?!\s+(?:which|who|that)\b)"
        ),
        re.compile(rf"\b[Pp]arties\s*(?::|number|totals?)\s*{QN}\b"),
        re.compile(
            rf"\b(?:number|total)\s+(?:number\s+)?of\s+(?:States\s+)?Parties\b[^.;]{{0,60}}?\b"
            rf"{_REACHES}\s+{QN}\b",
            re.I,
        ),
        re.compile(
            rf"\bnombre\s+(?:total\s+)?(?:d['’][ÉE]tats\s+parties|de\s+parties)\b[^.;]{{0,60}}?"
            rf"{_REACHES_FR}\s+{QN}\b",
            re.I,
        ),
        re.compile(
            rf"\bporte\s+à\s+{QN}\s+le\s+nombre\s+(?:total\s+)?"
            r"(?:d['’][ÉE]tats\s+parties|de\s+parties)\b",
            re.I,
        ),
    ],
    "signatories": [
        re.compile(rf"\b{QN}\s+(?:further\s+)?(?:signatures|signatories|signataires)\b", re.I),
        re.compile(
            rf"\b(?:number|total)\s+(?:number\s+)?of\s+(?:signatures|signatories|signatory\s+states)"
            rf"\b{_ASIDE}{{0,120}}?\b{_REACHES}\s+{QN}\b",
            re.I,
        ),
        re.compile(
            rf"\bsignatory\s+states\b{_ASIDE}{{0,120}}?\b(?:currently\s+|now\s+)?stands?\s+at\s+{QN}\b",
            re.I,
        ),
        re.compile(
            rf"\bnombre\s+(?:total\s+)?de\s+(?:signatures|signataires)\b[^.;]{{0,60}}?{_REACHES_FR}"
            rf"\s+{QN}\b",
            re.I,
        ),
        re.compile(
            rf"\bporte\s+à\s+{QN}\s+le\s+nombre\s+(?:total\s+)?de\s+(?:signatures|signataires)\b",
            re.I,
        ),
    ],
    "invited": [
        re.compile(
            rf"\b{QN}\s+(?:\w+\s+)?(?:have\s+been|has\s+been|were|are)\s+invited\s+to\s+accede",
            re.I,
        ),
    ],
}
_STATUS_WORDS = re.compile(r"ratif|sign[eé]|signat|[Pp]art(?:y|ies)|invited|parties")
_ANOTHER = ("another", "a further")
_NOT_RATIFIED = re.compile(
    r"but\s+not\s+(?:yet\s+)?ratified|only\s+signed|(?:yet|still)\s+to\s+ratify"
    r"|not\s+(?:yet\s+)?(?:ratified|to\s+have\s+ratified)|await\w*\s+(?:their\s+|its\s+)?ratification"
    r"|without\s+(?:yet\s+)?ratifying|sans\s+(?:l['’]\s*)?avoir\s+ratifié|pas\s+encore\s+ratifié",
    re.I,
)
"""What makes signatories the ones that have not ratified: "those that have signed the
Convention but have yet to ratify it", "25 States have signed, but await ratification"."""
_REQUIRED_BEFORE = re.compile(
    r"\b(?:needs?|needed|requires?|required|requiring|a\s+besoin\s+de|ont\s+besoin\s+de"
    r"|nécessite|exige|il\s+faut|after|once|upon|following|après|dès)\s+"
    r"(?:at\s+least\s+|au\s+moins\s+)?$",
    re.I,
)
_REQUIRED_AFTER = re.compile(
    r"\s+(?:\w+\s+){0,2}?(?:are\s+|is\s+|sont\s+|étaient\s+)?(?:needed|required|necessary"
    r"|nécessaires|requises)\b",
    re.I,
)
"""A number a treaty needs is a condition, not its status: "the treaty needs 50
ratifications", "le traité a besoin de 50 ratifications", "40 ratifications are required"."""
_REACHED = re.compile(
    r"\b(?:reach\w*|cross\w*|pass\w*|attain\w*|hit|met|meets|atteint|franchi|dépassé)\s+"
    r"(?:the\s+|le\s+|la\s+|l['’]\s*)?(?:threshold|seuil|mark|cap|barre)?\s*(?:of\s+|de\s+|des\s+)?$",
    re.I,
)
"""...unless the text says it is reached: "crossed the threshold of 50 ratifications needed"."""
_RECEIVED_THEN = re.compile(
    r"(?<!\bhas\s)(?<!\bhad\s)(?<!\bhave\s)\b(?:received|garnered|gathered|drew|collected)\s+"
    r"(?:(?:a\s+total\s+of|some|about|only)\s+)?(?:[\w-]+\s+\w+\s+(?:and|et)\s+)?$",
    re.I,
)
"""Acts a treaty received at one time are new acts, not its status: "the Convention received
15 signatures during the event"; "has received 50 ratifications" is a status."""
_AS_OF = re.compile(r"\b(?:as\s+(?:of|at|on)|at|by)\s+$", re.I)

_ORDINAL_STATUS = re.compile(
    rf"(?<!\bafter\s)(?<!\bupon\s)(?<!\baprès\s)(?<!\bfollowing\s)"
    rf"\b(?:the|la|le|l['’])\s+(?P<ordinal>{ORDINAL})\s+(?:"
    r"(?P<ratified>(?:state|country|nation|member\s+state|party|[ée]tat|pays)\s+(?:to\s+(?:have\s+)?"
    r"(?:ratif|complet|deposit|do\s+so)|à\s+ratifier)|ratification)"
    r"|(?P<parties>(?:state\s+)?party\b|partie\b|[ée]tat\s+partie)"
    r"|(?P<signatories>(?:state\s+|country\s+)?(?:to\s+sign|signatory)|signataire|signature))"
    rf"|\b(?:became|become|becomes|is|was|devenu|devient)\s+the\s+(?P<elliptic>{ORDINAL})\s*[,.;]",
    re.I,
)
"""An ordinal that counts the acts so far: "the 7th State to ratify", "became the 60th,"; not
one a treaty waits for ("three months after the fifth ratification")."""


def _first_count(sentence: Sentence, patterns: list[re.Pattern[str]], taken: list[range]):
    for pattern in patterns:
        for match in pattern.finditer(sentence.text):
            if any(match.start() in span for span in taken):
                continue
            if _required(sentence.text, match.start(), match.end()):
                continue
            if _RECEIVED_THEN.search(sentence.text, max(0, match.start() - 40), match.start()):
                continue
            count = count_from_match(match)
            if count is not None and count.value < 1000:
                return count, sentence.start + match.start(), sentence.start + match.end()
    return None


def _required(text: str, start: int, end: int) -> bool:
    """True for a count the text gives as a condition still to meet (see _REQUIRED_BEFORE)."""
    if _REACHED.search(text, max(0, start - 40), start):
        return False
    before = _REQUIRED_BEFORE.search(text, max(0, start - 40), start)
    return before is not None or _REQUIRED_AFTER.match(text, end) is not None


def _ordinal_counts(sentence: Sentence) -> dict[str, tuple[Count, int, int]]:
    """The largest ordinal of each kind: a sentence naming the first and the 60th is at 60."""
    found: dict[str, tuple[Count, int, int]] = {}
    for match in _ORDINAL_STATUS.finditer(sentence.text):
        if match.group("elliptic"):
            if "ratif" not in sentence.text.lower():
                continue
            kind, value = "ratified", parse_ordinal(match.group("elliptic"))
        else:
            kind = next(k for k in ("ratified", "parties", "signatories") if match.group(k))
            value = parse_ordinal(match.group("ordinal"))
        if value and (kind not in found or found[kind][0].value < value):
            start, end = sentence.start + match.start(), sentence.start + match.end()
            found[kind] = (Count(value), start, end)
    return found


def _treaty_at(context: Reading, sentence: Sentence, start: int, end: int) -> Mention | None:
    """The treaty a count is about: named just after it ("the 9th State to ratify the X"),
    else the last one named before it in the sentence, else the first after, else earlier."""
    treaties = context.within(sentence.start, sentence.end, ("treaty",))
    text = context.document.text
    after = [
        m
        for m in treaties
        if end <= m.start <= end + 30 and not _NEXT_CLAUSE.search(text, end, m.start)
    ]
    before = [m for m in treaties if m.start <= start]
    if after:
        return after[0]
    if before:
        return before[-1]
    return treaties[0] if treaties else context.last_treaty(sentence.start)


_NEXT_CLAUSE = re.compile(r"[,;]|\b(?:and|et)\s", re.I)
"""A treaty after a count is what it counts only within the clause: not "the Convention
received two ratifications, and its Protocol ..."."""


def _event_date(
    context: Reading, sentence: Sentence, start: int | None = None, end: int | None = None
) -> PartialDate | None:
    """The one day the sentence names, if it names exactly one; given the span [start, end)
    of what is dated, the one day of its clause ("party since 1985; it became yesterday the
    11th State")."""
    dates = [d for d in context.dates(sentence) if d.first.day is not None and d.last is None]
    if start is not None and end is not None:
        text = sentence.text
        left = max(
            text.rfind(";", 0, start - sentence.start), text.rfind(":", 0, start - sentence.start)
        )
        right = min(
            (i for i in (text.find(";", end - sentence.start), len(text)) if i >= 0),
            default=len(text),
        )
        dates = [d for d in dates if left < d.start < right]
    days = {d.first for d in dates}
    return days.pop() if len(days) == 1 else None


def treaty_status(context: Reading, sentence: Sentence) -> None:
    """Counts the text reports for a treaty: "ratified by 21 states and signed by another 22"."""
    if _STATUS_WORDS.search(sentence.text) is None:
        return
    taken = _tally_spans(context, sentence)
    found = {
        name: _first_count(sentence, patterns, taken) for name, patterns in _STATUS_PATTERNS.items()
    }
    ordinals = _ordinal_counts(sentence)
    for kind, value in ordinals.items():
        if found.get(kind) is None:
            found[kind] = value
    if not any(found.values()):
        return
    first = min(value[1] for value in found.values() if value)
    last = max(value[2] for value in found.values() if value)
    mention = _treaty_at(context, sentence, first, last)
    if mention is None:
        return
    signed = found.pop("signed")
    signatories = found.pop("signatories", None)
    if signed is not None:
        signed_only = (
            signed[0].qualifier in _ANOTHER
            or _NOT_RATIFIED.search(sentence.text) is not None
            or found["ratified"] is not None
            or found["parties"] is not None
        )
        if signed_only:
            found["signed_only"] = signed
        elif signatories is None:
            signatories = signed
    elif signatories is not None and (
        signatories[0].qualifier in _ANOTHER or _NOT_RATIFIED.search(sentence.text)
    ):
        found["signed_only"], signatories = signatories, None
    as_of = context.issued
    for date in context.dates(sentence):
        if _AS_OF.search(sentence.text[: date.start]) and date.first.day is not None:
            as_of = date.first
    if ordinals and as_of == context.issued:
        start, end = min(v[1] for v in ordinals.values()), max(v[2] for v in ordinals.values())
        as_of = _event_date(context, sentence, start, end) or as_of
    status = TreatyStatus(
        mention.entity,
        as_of=as_of,
        parties=found["parties"][0] if found["parties"] else None,
        ratified=found["ratified"][0] if found["ratified"] else None,
        signed_only=found["signed_only"][0] if found.get("signed_only") else None,
        invited=found["invited"][0] if found["invited"] else None,
        signatories=signatories[0] if signatories else None,
        evidence=context.evidence(sentence),
    )
    if status.counts():
        context.facts.append(status)


_TALLY = re.compile(
    rf"\b{QN}\s+{_ADJECTIVES}{_STATES}\b(?:\s*\([^)]{{0,80}}\))?\s+(?:have\s+|has\s+|ont\s+)?"
    r"(?:(?P<Signature>signed|signé)|(?P<Ratification>ratified|ratifié)"
    r"|(?P<Accession>acceded|adhéré)|(?P<Acceptance>accepted)|(?P<Approval>approved)"
    r"|deposited\s+(?:\w+\s+){0,2}instruments?\s+of\s+(?P<instrument>ratification|accession"
    r"|acceptance|approval))\b",
    re.I,
)
"""A number of states doing one act: "15 States deposited instruments of ratification"."""
_INSTRUMENTS = {
    "ratification": "Ratification",
    "accession": "Accession",
    "acceptance": "Acceptance",
    "approval": "Approval",
}
_TALLY_VERB = re.compile(
    r"signed|signé|ratified|ratifié|acceded|adhéré|accepted|approved|deposited", re.I
)
"""A cheap test before the tally pattern."""
_SPREAD = re.compile(r"\bsince\b|\bdepuis\b|\bso\s+far\b", re.I)


def _tally_spans(context: Reading, sentence: Sentence) -> list[range]:
    """Where `action_tallies` reads a tally, which is then no status count; a number of states
    that acted without a day ("46 states have signed it") stays a status."""
    if _TALLY_VERB.search(sentence.text) is None or _SPREAD.search(sentence.text):
        return []
    day = _event_date(context, sentence) or _that_day(context, sentence)
    return [
        range(match.start(), match.end())
        for match in _TALLY.finditer(sentence.text)
        if day is not None or _date_after_act(context, sentence, match.end()) is not None
    ]


def action_tallies(context: Reading, sentence: Sentence) -> None:
    """ "On 22 April 175 Parties signed the Agreement": one tally per act, on the day named.

    A count over a period ("20 more have signed since") is no tally, nor one without a day.
    """
    if _TALLY_VERB.search(sentence.text) is None or _SPREAD.search(sentence.text):
        return
    date = None
    for match in _TALLY.finditer(sentence.text):
        count = count_from_match(match)
        if count is None:
            continue
        date = (
            date
            or _date_after_act(context, sentence, match.end())
            or _event_date(context, sentence)
            or _that_day(context, sentence)
        )
        if date is None:
            return
        instrument = match.group("instrument")
        action = _INSTRUMENTS[instrument.lower()] if instrument else match.lastgroup
        treaty = _treaty_at(context, sentence, sentence.start + match.start(), sentence.end)
        if treaty is None or action is None:
            continue
        context.facts.append(
            ActionTally(treaty.entity, date, action, count, evidence=context.evidence(sentence))
        )


def _that_day(context: Reading, sentence: Sentence) -> PartialDate | None:
    """ "That day 50 States signed": the day of the sentence before."""
    day = same_day(context, sentence, sentence.text)
    return day.first if day is not None and day.last is None else None


def _date_after_act(context: Reading, sentence: Sentence, position: int) -> PartialDate | None:
    """The day named after the verb before the next comma: "11 parties ratified the
    Agreement on 5 October, setting it to enter into force on 4 November"."""
    comma = sentence.text.find(",", position)
    stop = comma if comma >= 0 else len(sentence.text)
    for date in context.dates(sentence):
        if position <= date.start < stop and date.first.day is not None and date.last is None:
            return date.first
    return None


_LISTED_ACTIONS = (Signature, Ratification, Accession, Acceptance, Approval)
_MANY = 5
"""So many states acting in one sentence on one day make a treaty event worth a tally."""


def listed_tallies(facts: list[Fact]) -> list[ActionTally]:
    """A tally for a list of states that did one act on one day, in one sentence."""
    groups: dict[tuple[int, str, Entity, PartialDate], list[TreatyAction]] = defaultdict(list)
    for fact in facts:
        if (
            isinstance(fact, _LISTED_ACTIONS)
            and fact.actor is not None
            and fact.date is not None
            and fact.date.day is not None
        ):
            key = (fact.evidence.start, fact.kind, fact.treaty, fact.date)
            groups[key].append(fact)
    tallies: list[ActionTally] = []
    for (_, kind, treaty, date), acts in groups.items():
        actors = {act.actor for act in acts}
        if len(actors) >= _MANY:
            tallies.append(
                ActionTally(treaty, date, kind, Count(len(actors)), evidence=acts[0].evidence)
            )
    return tallies


_MEMBER_NOUN = (
    r"(?:member\s+(?:states|countries|nations)|members|participating\s+states|allies"
    r"|[ée]tats\s+(?:membres|participants)|pays\s+membres|membres)"
)
_MEMBER_COUNT = re.compile(
    rf"(?<![\w-]){QN}\s+(?P<noun>(?:[^\W\d]+\s+){{0,6}}?{_MEMBER_NOUN})\b"
    rf"|(?<![\w-])(?P<ordinal>{ORDINAL})\s+(?P<ordinal_noun>member(?:\s+state)?|ally"
    r"|(?:[ée]tat\s+)?membre)\b",
    re.I,
)
_MEMBER_WORD = re.compile(
    r"member|membre|all(?:y|ies)\b|participating|participants|passe|passant|grows|rises", re.I
)
_NEW_MEMBERS = re.compile(
    r"^(?:new|more|further|additional|other|nouveaux|nouvelles|autres)\s", re.I
)
"""New members are not all the members: "the summit admitted four new members"."""
_NUMBER_OF_MEMBERS = re.compile(
    rf"\b(?:number|total)\s+(?:number\s+)?of\s+{_MEMBER_NOUN}\b{_ASIDE}{{0,60}}?\b{_REACHES}"
    rf"\s+(?P<total>{NUMBER})\b|\bnombre\s+(?:total\s+)?(?:d['’][ée]tats\s+membres|de\s+membres"
    rf"|de\s+pays\s+membres)\b{_ASIDE}{{0,60}}?{_REACHES_FR}\s+(?P<total_fr>{NUMBER})\b"
    rf"|\b(?:passe|passant|grows|grew|rises|rose|rising|growing)\s+(?:(?:de|from)\s+{NUMBER}\s+)?"
    rf"(?:à|to)\s+{QN}\s+(?:[ée]tats|states|countries|pays|nations)\b",
    re.I,
)
"""A number of members said of the organisation: "the number of member States now stands at
136", "l'OIF passe à 84 États et gouvernements"."""
"""A cheap test before the member-count patterns."""
_NON_MEMBER = re.compile(r"\bnon-?\s*member|\bnon\s+membres?", re.I)
_AGENT_BEFORE = re.compile(r"\b(?:by|par)\s+(?:only\s+|seulement\s+)?$", re.I)
_ACTED_AFTER = re.compile(
    r"\s*(?:have|has|had|ont|avaient|avait)\s+(?:now\s+|already\s+|déjà\s+|also\s+)?"
    r"(?:\w+ed|signé|ratifié|approuvé|accepté|adhéré|soutenu|voté)\b",
    re.I,
)
"""Members that acted ("signed by 33 member States", "21 member states have ratified") are a
part of the membership, not its size."""
_SOME_ACTED = re.compile(
    r"\s+(?:\w+ed|took|undertook|made|gave|sent|met|won|chose|voted|signé|ratifié|adopté)\b", re.I
)
_WHOLE = re.compile(
    r"\b(?:the|its|their|all|all\s+the|les|ses|leurs|tous\s+les|his|her|our)\s+(?:\w+\s+){0,3}$",
    re.I,
)
"""A bare number of members that did something is some of them, not how many there are: "24
Member States undertook 31 treaty actions"; "its 38 member states adopted" are all of them."""
_TO_BECOME = re.compile(r"\b(?:to|pour)\s+(?:become|devenir)\b[^,;]*$", re.I)


def member_counts(context: Reading, sentence: Sentence) -> None:
    """ "its 38 member countries", "passer à 46 membres", "became NATO's 32nd Ally"."""
    text = sentence.text
    if _MEMBER_WORD.search(text) is None:
        return
    for match in _MEMBER_COUNT.finditer(text):
        noun = match.group("noun") or match.group("ordinal_noun")
        if re.match(r"(?:of|des?)\s", noun, re.I):
            continue  # "42 of the member States" is a part of the members, not their number
        if _NON_MEMBER.search(noun) or _NON_MEMBER.search(text[max(0, match.start() - 5) :][:5]):
            continue
        if _NEW_MEMBERS.match(noun):
            continue
        if match.group("ordinal"):
            if _TO_BECOME.search(text[: match.start()]):
                continue  # "signed the treaty to become the 28th member": not yet a count
            value = parse_ordinal(match.group("ordinal"))
            count = Count(value) if value else None
        else:
            count = count_from_match(match)
            if _AGENT_BEFORE.search(text[: match.start()]) or _ACTED_AFTER.match(text, match.end()):
                continue
            if _SOME_ACTED.match(text, match.end()) and not _WHOLE.search(text, 0, match.start()):
                continue
        start, end = sentence.start + match.start(), sentence.start + match.end()
        organisation = organisation_near(context, sentence, start, end)
        if count is None or organisation is None or count.value >= 1000:
            continue
        as_of = context.issued
        if match.group("ordinal"):
            as_of = _event_date(context, sentence) or as_of
        context.facts.append(
            MemberCount(organisation.entity, as_of, count, evidence=context.evidence(sentence))
        )
    for match in _NUMBER_OF_MEMBERS.finditer(text):
        total = match.group("total") or match.group("total_fr")
        count = parse_count(total) if total else count_from_match(match)
        start, end = sentence.start + match.start(), sentence.start + match.end()
        organisation = organisation_near(context, sentence, start, end) or last_organisation(
            context, sentence.start
        )
        if count is None or organisation is None or count.value >= 1000:
            continue
        context.facts.append(
            MemberCount(
                organisation.entity, context.issued, count, evidence=context.evidence(sentence)
            )
        )


def last_organisation(context: Reading, before: int) -> Mention | None:
    """The organisation the text named last before a point, of those in the reference data:
    the one "the number of member States" or "the Organization" is about."""
    named = [
        m
        for m in context.mentions
        if m.end <= before and m.entity.kind == "organisation" and m.entity.known
    ]
    return named[-1] if named else None


_OF_THE = re.compile(r"^\s*(?:of|in|de|du|des)\s+(?:the\s+|la\s+|l['’]\s*)?$", re.I)


def organisation_near(context: Reading, sentence: Sentence, start: int, end: int) -> Mention | None:
    """The organisation a member phrase belongs to: inside it ("the 46 Council of Europe
    member states"), after it ("members of the OSCE"), else the last one named before it."""
    text = context.document.text
    organisations = context.within(sentence.start, sentence.end, _ORG_KINDS)
    inside = [m for m in organisations if start <= m.start and m.end <= end]
    if inside:
        return inside[-1]
    after = [m for m in organisations if m.start >= end and _OF_THE.match(text[end : m.start])]
    if after:
        return after[0]
    before = [m for m in organisations if m.end <= start]
    whole = [m for m in before if m.entity.kind == "organisation"]
    nearest = whole or before
    return nearest[-1] if nearest else None


def merge_statuses(facts: list[Fact]) -> list[Fact]:
    """One TreatyStatus per treaty and date: counts stated in several sentences are joined.

    A member count repeated without its date (a headline) goes when the text dates it.
    """
    dated = {
        (fact.organisation, fact.count.value)
        for fact in facts
        if isinstance(fact, MemberCount) and fact.as_of is not None
    }
    merged: dict[tuple[object, ...], int] = {}
    result: list[Fact] = []
    for fact in facts:
        if isinstance(fact, MemberCount) and fact.as_of is None:
            if (fact.organisation, fact.count.value) in dated:
                continue
        if not isinstance(fact, TreatyStatus):
            result.append(fact)
            continue
        key = fact.identity()
        if key not in merged:
            merged[key] = len(result)
            result.append(fact)
            continue
        first = result[merged[key]]
        assert isinstance(first, TreatyStatus)
        missing = {
            name: getattr(fact, name)
            for name in ("parties", "ratified", "signed_only", "invited", "signatories")
            if getattr(first, name) is None and getattr(fact, name) is not None
        }
        result[merged[key]] = dataclasses.replace(first, **missing)
    return result
