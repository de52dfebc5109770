"""What the text says about organisations themselves: partnerships, seats and foundings."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from loaders.documents import Sentence
from loaders.entities import UPPER_LETTERS, new_organisation
from loaders.facts import Entity, Founding, Headquarters, Partnership
from loaders.numbers import parse_number
from loaders.rules.roles import people_in

if TYPE_CHECKING:
    from loaders.reading import Reading

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


def partnerships(context: Reading, sentence: Sentence) -> None:
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
        people = people_in(context, sentence)
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
    _add_to_partnership(context, sentence, items, people_in(context, sentence))


_AGREEMENT_WITH = re.compile(
    r"\b(?:accord|convention|mémorandum|protocole)\s+(?:de\s+(?:partenariat|coopération)\s+)?"
    r"(?:[^.;]{0,40}?\s)?(?:a\s+été\s+|ont\s+été\s+|est\s+)?signée?s?\s+avec\s+"
    r"|\b(?:partnership|cooperation|co-operation)\s+agreement\s+(?:[^.;]{0,40}?\s)?"
    r"(?:was\s+|has\s+been\s+)?signed\s+with\s+",
    re.I,
)
"""An agreement of the text's own organisation with another: "un accord de partenariat a été
signé avec le Commissaire européen X", "a cooperation agreement signed with the Y"."""


_JOINT_INSTRUMENT = re.compile(
    r"\b(?:sign\w*|conclud\w*|adopt\w*|launch\w*|renew\w*|ink\w*)\s+(?:a|an|the|their|un|une)?\s*"
    r"(?:new\s+|joint\s+|formal\s+)?(?:(?:partnership|cooperation|co-operation|framework)\s+"
    r"(?:agreement|arrangement|programme|program)|memorandum\s+of\s+understanding|MoU"
    r"|joint\s+(?:declaration|project|programme|statement\s+of\s+intent)"
    r"|accord\s+(?:de\s+|-cadre\s+de\s+)?(?:partenariat|coopération)|protocole\s+d['’]accord"
    r"|mémorandum\s+d['’](?:entente|accord)|déclaration\s+conjointe)(?![\w-])"
    r"(?P<with>[^.;]{0,60}?\b(?:with\s+(?:the\s+)?|avec\s+))?"
    r"|\b(?:sign\w*|conclud\w*|launch\w*|ink\w*|agree[ds]?)\s+(?:a|an|un|une)\s+(?:new\s+|formal\s+"
    r"|strategic\s+|[a-z]+-[a-z]+\s+)?(?:partnership|agreement|accord)(?![\w-])"
    r"(?P<with2>[^.;]{0,60}?\b(?:with\s+(?:the\s+)?|avec\s+))?",
    re.I,
)
"""A partnership instrument signed or launched: "A and B signed a memorandum of
understanding", "A signed a cooperation agreement with B", "A et B ont signé un accord de
partenariat"."""


_SIGNED_BETWEEN = re.compile(
    r"\b(?:agreement|memorandum|MoU|accord|mémorandum|protocole)\b[^.;]{0,80}?\b"
    r"(?:(?:was|were|has\s+been|have\s+been)\s+signed\s+(?:[^.;]{0,30}?\s)?between"
    r"|(?:a|ont)\s+été\s+signée?s?\s+(?:[^.;]{0,30}?\s)?entre)\s+",
    re.I,
)


def joint_instruments(context: Reading, sentence: Sentence) -> None:
    """A partnership of the organisations named as signing a partnership instrument together:
    those before the verb when two or more are, else the one before it and the one after
    "with". States are left out: an agreement between states is a treaty; an organisation's
    bodies and programmes ("the European Commission", "UNDP") sign for themselves."""
    kinds = ("organisation", "company", "unit")
    between = _SIGNED_BETWEEN.search(sentence.text)
    if between is not None:  # "A memorandum was signed between A and B"
        partners = _listed_organisations(context, sentence.start + between.end(), sentence.end)
        if len(set(partners)) >= 2 and not _one_house(partners):
            context.facts.append(Partnership(partners, None, evidence=context.evidence(sentence)))
            return
    for match in _JOINT_INSTRUMENT.finditer(sentence.text):
        verb = sentence.start + match.start()
        before = context.within(sentence.start, verb, kinds)
        partners = tuple(dict.fromkeys(m.entity for m in before))
        if (match.group("with") or match.group("with2")) is not None and partners:
            after = sentence.start + match.end()
            named = context.within(after, sentence.end, kinds)
            if named and named[0].start - after <= 4:
                partners = (partners[-1], named[0].entity)
        if len(partners) < 2 or len(set(partners)) < 2 or _one_house(partners):
            continue
        described = _PARTNERSHIP.search(sentence.text, match.start(), match.end())
        # "a public-private partnership"
        kind = described.group("kind") if described is not None else None
        context.facts.append(
            Partnership(
                partners, kind.lower() if kind else None, evidence=context.evidence(sentence)
            )
        )
        return


def _one_house(partners: tuple[Entity, ...]) -> bool:
    """Bodies of one organisation, or an organisation and its own body, act together without
    being partners: "the Committee of Ministers and the Assembly adopted a joint declaration"."""
    houses = {partner.detail("parent") or partner.iri for partner in partners}
    return len(houses) < 2


def agreements_with(context: Reading, sentence: Sentence) -> None:
    """A partnership of the organisation that issued the text with the one it signed an
    agreement with: named after "with"/"avec", or through the person who signed for it."""
    if context.issuer is None:
        return
    for match in _AGREEMENT_WITH.finditer(sentence.text):
        after = sentence.start + match.end()
        named = context.within(after, sentence.end, ("organisation", "company"))
        partner = named[0].entity if named and named[0].start - after <= 12 else None
        if partner is None:
            people = people_in(
                context, Sentence(after, sentence.end, context.document.text[after : sentence.end])
            )
            affiliations = [a for _, a in people if a is not None and a.kind != "state"]
            partner = affiliations[0] if affiliations else None
        if partner is None or partner == context.issuer:
            continue
        context.facts.append(
            Partnership((context.issuer, partner), None, evidence=context.evidence(sentence))
        )


def _add_to_partnership(
    context: Reading,
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


_LIST_ITEM = re.compile(
    r"(?P<separator>\s*,\s*(?:and\s+|et\s+)?|\s+and\s+|\s+et\s+|\s*&\s*|\s*)"
    r"(?:the\s+|la\s+|le\s+|l['’]\s*)?"
)
_NEW_NAME = re.compile(rf"[{UPPER_LETTERS}][\w'’&.-]*(?:\s+[{UPPER_LETTERS}][\w'’&.-]*)*")


_ABBREVIATED_END = re.compile(r"\b(?:Inc|Ltd|Co|Corp|Bros|S\.A|N\.V|[A-Z])\.$")


def _listed_organisations(context: Reading, start: int, end: int) -> tuple[Entity, ...]:
    """ "between the Council of Europe, Microsoft and McAfee": known names (states among
    them: "between the African Union and the United Kingdom") and new ones."""
    text = context.document.text
    known = {m.start: m for m in context.within(start, end, ("organisation", "company", "state"))}
    found: list[Entity] = []
    position = start
    while position < end:
        gap = _LIST_ITEM.match(text, position, end)
        assert gap is not None, "_LIST_ITEM matches the empty string too"
        position = gap.end("separator") if gap.end("separator") in known else gap.end()
        if position in known:  # a known name may hold its article: "l'Union africaine"
            found.append(known[position].entity)
            position = known[position].end
            continue
        name = _NEW_NAME.match(text, position, end)
        if name is None or (found and not text[gap.start() : gap.end()].strip(" the")):
            break
        written = name.group()
        if written.endswith(".") and not _ABBREVIATED_END.search(written):
            written = written[:-1]  # the sentence's full stop, not the name's
        found.append(new_organisation(written, company=True))
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


_FOUNDED = re.compile(
    r"\b(?:set\s+up|founded|established|created|formed|launched)\s+(?:in|on)\s+", re.I
)


def foundings(context: Reading, sentence: Sentence) -> None:
    """ "A political organisation set up in 1949, the Council of Europe ..." -> Founding."""
    verb = _FOUNDED.search(sentence.text)
    if verb is None:
        return
    dates = [d for d in context.dates(sentence) if d.start >= verb.end() - 1]
    organisations = context.within(sentence.start, sentence.end, ("organisation", "company"))
    if not dates or not organisations:
        return
    context.facts.append(
        Founding(organisations[0].entity, dates[0].first, evidence=context.evidence(sentence))
    )


_HEADQUARTERED = re.compile(
    r"\b(?:headquartered|based|seated|has\s+its\s+(?:seat|headquarters)|headquarters\s+(?:are|is)"
    r"|headquarters|HQ|whose\s+(?:seat|headquarters)\s+(?:is|are))\s+in\s+"
    r"|\b(?:headquarters|HQ)\s*,\s*"
    r"|\b(?:installée?s?|basée?s?|établie?s?|siégeant|dont\s+le\s+siège\s+est|a\s+son\s+siège"
    r"|ayant\s+son\s+siège|siège)\s+(?:à|a)\s+",
    re.I,
)
_PLACE_FIRST = re.compile(r"^\s*(?:[-–—,(]\s*)(?:the\s+|la\s+|le\s+)?$", re.I)
_SEAT_AFTER = re.compile(r"\s*['’]s\s+(?:headquarters|seat)\b|\s+(?:headquarters|HQ)\b", re.I)
_GENERIC_OWNER = re.compile(r"\b(?:organi[sz]ation|organisme|institution)\s*,?\s*$", re.I)


def headquarters(context: Reading, sentence: Sentence) -> None:
    """ "The Council of Europe, based in Strasbourg", "U.N. headquarters in New York",
    "l'organisation installée à Strasbourg", "Vienna - the OSCE's headquarters"."""
    text = context.document.text
    kinds = ("organisation", "company", "unit")
    for verb in _HEADQUARTERED.finditer(sentence.text):
        position = sentence.start + verb.end()
        places = [
            m
            for m in context.within(sentence.start, sentence.end, ("place",))
            if m.start == position
        ]
        before = [m for m in context.within(sentence.start, position, kinds) if m.end <= position]
        if places and before:
            owner = before[-1].entity
            parent = context.lex.by_iri.get(owner.detail("parent") or "")
            if parent is not None and _GENERIC_OWNER.search(
                text, before[-1].end, sentence.start + verb.start()
            ):
                owner = parent  # "the Committee of Ministers of X ... the organisation based in"
            _seat(context, sentence, owner, places[0].entity)
    for named in context.within(sentence.start, sentence.end, kinds):
        if _SEAT_AFTER.match(text, named.end) is None:
            continue
        places = [
            m
            for m in context.within(sentence.start, named.start, ("place",))
            if _PLACE_FIRST.match(text[m.end : named.start])
        ]
        if places:  # "Vienna - the OSCE's headquarters"
            _seat(context, sentence, named.entity, places[-1].entity)
    seated = _SEAT_WORD.search(sentence.text) is not None
    for named in context.within(sentence.start, sentence.end, kinds) if seated else []:
        seat_of = _SEAT_OF.search(text, max(sentence.start, named.start - 30), named.start)
        located = _LOCATED_IN.match(text, named.end, sentence.end)
        if seat_of is None or located is None:
            continue
        places = context.within(located.end(), sentence.end, ("place",))
        if places and places[0].start == located.end():  # "the seat of the OSCE is in Vienna"
            _seat(context, sentence, named.entity, places[0].entity)
    for place in context.within(sentence.start, sentence.end, ("place",)) if seated else []:
        hosts = _PLACE_HOSTS.match(text, place.end, sentence.end)
        if hosts is not None:  # "Vienna is the seat of the IAEA and of the OSCE"
            for owner in _hosted(context, hosts.end(), sentence.end):
                _seat(context, sentence, owner, place.entity)
    based_word = "-based" in sentence.text
    for place in context.within(sentence.start, sentence.end, ("place",)) if based_word else []:
        based = _PLACE_BASED.match(text, place.end, sentence.end)
        if based is None:
            continue
        owners = context.within(based.end(), sentence.end, kinds)
        if owners and owners[0].start == based.end():  # "the Vienna-based OSCE"
            _seat(context, sentence, owners[0].entity, place.entity)


_SEAT_WORD = re.compile(r"headquarters|seat|siège", re.I)
_SEAT_OF = re.compile(
    r"\b(?:headquarters|seat|siège)\s+(?:of|de|du|des)\s+(?:the\s+|la\s+|le\s+|l['’]\s*)?$", re.I
)
_LOCATED_IN = re.compile(
    r"\s+(?:(?:is|are)\s+(?:located\s+|situated\s+)?in|(?:se\s+trouve|est\s+(?:situé\s+)?|sont)\s*à"
    r"|in|à)\s+",
    re.I,
)
_PLACE_BASED = re.compile(r"-based\s+(?:the\s+)?", re.I)
_PLACE_HOSTS = re.compile(
    r"\s+(?:(?:is|was|remains|has\s+been|est|reste)\s+(?:also\s+|aussi\s+|également\s+)?"
    r"|(?:hosts|houses|is\s+home\s+to|abrite|accueille)\s+)"
    r"(?:the\s+|le\s+)?(?:seat|headquarters|siège)\s+(?:of|de|du|des)\s+",
    re.I,
)
"""A place said to hold an organisation's seat: "Vienna is the seat of", "Genève abrite le
siège de"."""
_HOSTED_GLUE = re.compile(
    r"\s*(?:,|\band\b|\bet\b)\s*(?:(?:of|de|du|des)\s+)?(?:the\s+|la\s+|le\s+|l['’]\s*)?"
    r"|\s*\([^()]{1,20}\)\s*(?:,|\band\b|\bet\b)\s*(?:(?:of|de|du|des)\s+)?(?:the\s+|la\s+"
    r"|le\s+|l['’]\s*)?",
    re.I,
)


_ARTICLE = re.compile(r"(?:the\s+|la\s+|le\s+|l['’]\s*)?", re.I)


def _hosted(context: Reading, start: int, end: int) -> list[Entity]:
    """The organisations listed from `start`: "the IAEA, the OSCE and of the OPEC"."""
    found: list[Entity] = []
    position = start
    for named in context.within(start, end, ("organisation", "company", "unit")):
        gap = _ARTICLE if position == start else _HOSTED_GLUE
        if not gap.fullmatch(context.document.text, position, named.start):
            break
        found.append(named.entity)
        position = named.end
    return found


def _seat(context: Reading, sentence: Sentence, owner: Entity, place: Entity) -> None:
    context.facts.append(Headquarters(owner, place, evidence=context.evidence(sentence)))
