"""People and their posts: "Microsoft attorney Tim Cranton" -> PersonRole.

A person is keyed by the slug of the full name, the role is the job title as written (lower
case, in English: French titles are translated) and the affiliation the state or organisation
the post belongs to. A title is read with what stands around it: an owner before it ("NATO's
Secretary General", "the United Kingdom Minister"), complements after it ("of Spain to the
Council of Europe", "for Foreign Affairs", "de la Francophonie"), further titles chained with
"and" or a comma, and an honorific before the name ("Ambassador", "His Excellency", "Ms").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from loaders.documents import Sentence
from loaders.entities import UPPER_LETTERS, Mention, new_organisation, new_person
from loaders.facts import Entity, Fact, PersonRole
from loaders.rules.mentions import state_of_adjective

if TYPE_CHECKING:
    from loaders.reading import Reading

_ORG_KINDS = ("organisation", "company", "unit")
_AFFILIATION_KINDS = ("state", *_ORG_KINDS)

_MODIFIER = (
    r"(?:deputy|assistant|under|vice|executive|senior|global|special|permanent|chief|european"
    r"|foreign|prime|first|high|associate|co|justice|interior|defen[cs]e|finance|health|trade"
    r"|education|culture|environment|economy)"
)
_HEAD = (
    r"secretary[- ]general|secretary\s+of\s+state|secretary|representative|rapporteur"
    r"|ambassador|minister\s+of\s+state|minister|president|chairperson-in-office"
    r"|chair(?:person|man|woman)?|director[- ]general|director|head|commissioner|judge"
    r"|prosecutor|general\s+counsel|counsel|attorney|lawyer|chief\s+executive|ceo"
    r"|spokes(?:person|man|woman)|coordinator|envoy|governor|mayor|adviser|advisor|manager"
    r"|chancellor|commissioner[- ]general"
    r"|expert"
)
_TITLE_EN = rf"(?:{_MODIFIER}[- ]+)*(?:{_HEAD})"
_TITLES_FR: dict[str, str] = {
    r"premi(?:er|ère)\s+ministre": "prime minister",
    r"ministre\s+d['’]état": "minister of state",
    r"secrétaire\s+d['’]état": "secretary of state",
    r"ministre": "minister",
    r"secrétaire\s+général(?:e)?\s+adjoint(?:e)?": "deputy secretary general",
    r"secrétaire\s+général(?:e)?": "secretary general",
    r"vice-président(?:e)?": "vice-president",
    r"président(?:e)?": "president",
    r"direct(?:eur|rice)\s+général(?:e)?": "director general",
    r"direct(?:eur|rice)": "director",
    r"commissaire\s+européen(?:ne)?": "european commissioner",
    r"commissaire": "commissioner",
    r"ambassad(?:eur|rice)": "ambassador",
    r"représentant(?:e)?\s+permanent(?:e)?": "permanent representative",
    r"porte-parole": "spokesperson",
}
_TITLE = re.compile(rf"\b(?:(?P<en>(?i:{_TITLE_EN}))|(?P<fr>(?i:{'|'.join(_TITLES_FR)})))(?![\w-])")
_STATE_POSTS = re.compile(
    r"president|prime\s+minister|minister|ambassador|permanent\s+representative|king|queen"
    r"|secretary\s+of\s+state|governor|mayor"
)
"""Posts held for a state: without a stated affiliation they go to the state in focus."""

_IMPLIED: dict[str, str] = {"european commissioner": "European Commission"}
"""Titles that name their organisation by themselves."""

_GLOSSARY: dict[str, str] = {
    "affaires étrangères": "foreign affairs",
    "affaires européennes": "european affairs",
    "coopération internationale": "international cooperation",
    "développement international": "international development",
    "développement": "development",
    "coopération": "cooperation",
    "justice": "justice",
    "intérieur": "interior",
    "défense": "defence",
    "europe": "europe",
    "économie": "economy",
    "finances": "finance",
    "environnement": "environment",
    "culture": "culture",
    "santé": "health",
    "agriculture": "agriculture",
    "développement rural": "rural development",
    "éducation nationale": "national education",
    "éducation": "education",
    "commerce extérieur": "foreign trade",
    "commerce": "trade",
    "industrie": "industry",
    "travail": "labour",
    "emploi": "employment",
    "transports": "transport",
    "énergie": "energy",
    "numérique": "digital affairs",
    "jeunesse": "youth",
    "sports": "sport",
    "outre-mer": "overseas",
    "égalité": "equality",
    "droits de l'homme": "human rights",
    "droits de l’homme": "human rights",
    "francophonie": "francophonie",
}
"""French portfolio names, translated into the English of the role."""

_PORTFOLIO_EN = "|".join(
    re.escape(words) for words in sorted(set(_GLOSSARY.values()), key=len, reverse=True)
)
_PORTFOLIO_BEFORE_NAME = re.compile(
    rf"\s+(?:of|for)\s+(?:the\s+)?(?P<words>(?:{_PORTFOLIO_EN})(?:\s+and\s+(?:{_PORTFOLIO_EN}))*)"
    rf"(?=\s+(?-i:[{UPPER_LETTERS}])[^\W\d_]+\s+(?-i:[{UPPER_LETTERS}]))",
    re.I,
)
"""A portfolio the holder's name follows at once: "Minister for Foreign Affairs Anna Example"."""

_UNKNOWN_BODY = re.compile(
    rf"\s+(?:of|for|at)\s+(?:the\s+)?(?P<name>[{UPPER_LETTERS}][\w'’-]*(?:\s+(?:(?:of|for|and|on)\s+"
    rf"(?:the\s+)?)?[{UPPER_LETTERS}][\w'’-]*)*?\s+(?:Federation|Association|Organi[sz]ation|Agency"
    rf"|Institute|Foundation|Bank|Fund|Alliance|Centre|Center|Corporation|Confederation|League)"
    rf"(?:\s+(?:of|for|on)\s+(?:the\s+)?[{UPPER_LETTERS}][\w'’-]*(?:\s+(?:and\s+)?"
    rf"[{UPPER_LETTERS}][\w'’-]*)*)?)(?![\w'’-])"
)
"""The written-out name of an organisation the tables lack, by the noun that makes it one."""
_SPELLED_NAME = re.compile(
    rf"\s+(?:of|for|to)\s+(?:the\s+)?(?:(?:[{UPPER_LETTERS}][\w'’.-]*|of|for|and|on|the|in)\s+)"
    rf"{{0,9}}?[{UPPER_LETTERS}][\w'’.-]*\s*\("
)
"""A name the tables lack written out before its known abbreviation: "of the Organization of
Islamic Cooperation (OIC)"; the abbreviation names the affiliation."""
_STATE_FORM = re.compile(
    r"(?:(?:federal|islamic|democratic|people['’]s|united|socialist|arab|plurinational)\s+)*"
    r"(?:republic|kingdom|principality|grand\s+duchy|federation|sultanate|state|emirates)",
    re.I,
)
"""Words of a state's long form before its short name: "of the Republic of Kyrgyzstan"."""

_OTHER_PORTFOLIO_BEFORE_NAME = re.compile(
    rf"\s+(?:of|for)\s+(?:the\s+)?(?P<words>[{UPPER_LETTERS}][a-z]+(?:\s+(?:and\s+)?"
    rf"[{UPPER_LETTERS}][a-z]+){{0,3}}?)(?=\s+[{UPPER_LETTERS}][^\W\d_]+\s+[{UPPER_LETTERS}]"
    r"[^\W\d_'’-]+(?:[-'’][^\W\d_]+)?(?:\s*[,;:.()]|\s+(?:and|said|signed|met|attended|opened"
    r"|welcomed|who)\b))"
)
"""A portfolio the glossary lacks, the holder's two-word name right after it: "Minister of
Security Anna Example, ..."; the name is the last two words before the punctuation."""

_NAME_WORD = rf"[{UPPER_LETTERS}](?:[^\W\d_]|['’-])+"
_PARTICLE = r"(?:de|da|di|du|van|von|der|den|la|le|ter|del|dos|das|bin|al)"
_NAME = re.compile(
    rf"{_NAME_WORD}(?:\s+(?:[{UPPER_LETTERS}]\.\s+|(?:{_PARTICLE}\s+){{1,2}})?{_NAME_WORD}){{1,3}}"
)
_NAME_ENDING = re.compile(rf"(?<![\w'’-])(?:{_NAME.pattern})$")
_HONORIFIC = re.compile(
    r"(?:\s*,)?\s*(?:(?:Mr|Mrs|Ms|Dr|Mme|M|Prof|Professor|Sir|Dame|Madame|Monsieur|Lord|Lady)\.?"
    r"|(?:His|Her|Son)\s+(?:Excellency|Excellence)|H\.\s?E\.|S\.\s?E\.)\s+"
)
_FORMER = re.compile(r"\b(?:former|ex-|late|ancien(?:ne)?|ex)\s*-?\s*$", re.I)
_ABBREVIATION = re.compile(r"\s*\([A-Z][\w.&'’-]{1,15}\)")
_NAME_SUFFIX = re.compile(r"\s+(?:MP|MEP|QC|KC|Jr\.?)$")
_NOT_NAME_WORD = re.compile(
    r"^(?:The|Le|La|Les|L['’]|This|His|Her|Ambassador|President|Minister|Secretary|General"
    r"|Director|Chair\w*|Commissioner|Prime|Deputy|Permanent|Representative|Council|Committee"
    r"|Commission|Government|Gouvernement|Republic|République|Mr|Ms|Mrs|Dr|Mme|And|Et)$"
)

_WORD_AFTER = re.compile(r"\s+([^\W\d_]+)(?![\w-])")
_WORD_BEFORE = re.compile(r"(?<![\w-])([^\W\d_]+)\s+$")
_OWNER_GAP = re.compile(r"^(?:['’]s)?\s+$")
_LINK = re.compile(
    r"\s+(?:(?P<of>of|to|at|with|in|for|de|du|des|auprès\s+d(?:e|u|es)|d['’]|en\s+charge\s+de|chargée?\s+de"
    r"|in\s+charge\s+of)(?:\s+(?:the|la|le|les|l['’]))?|(?P<elided>de\s+l['’]|d['’]))\s*",
    re.I,
)
_WORDS_EN = re.compile(
    r"\s+(?:of|for)\s+(?:the\s+)?(?P<words>(?:[\w-]+)(?:\s+(?:and\s+|of\s+|on\s+)?[\w-]+){0,5}?)"
    r"(?=\s+(?:at|of|with|in|to)\s|\s*[,;:.()\[\]\"”]|$)",
    re.I,
)
_WORDS_FR = re.compile(
    r"\s+(?:des|du|de\s+la|de\s+l['’]|de|aux|au|à\s+la|à\s+l['’]"
    r"|en\s+charge\s+(?:de\s+la|du|des|de\s+l['’]|de)"
    r"|chargée?\s+(?:de\s+la|du|des|de\s+l['’]|de))\s*(?P<words>[^\W\d_][\w'’-]*"
    r"(?:\s+(?:et\s+(?:du\s+|de\s+la\s+|des\s+|de\s+l['’])?)?[^\W\d_][\w'’-]*){0,5}?)"
    rf"(?=\s*[,;:.()]|\s+(?:auprès|à|au|aux)\s|\s+(?-i:[{UPPER_LETTERS}])"
    rf"|\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)(?-i:[{UPPER_LETTERS}])|$)",
    re.I,
)
_CHAIN = re.compile(
    r"^(?:\s*,\s*|\s+and\s+|\s+et\s+)(?:the\s+|la\s+|le\s+|l['’])?(?:[A-Z][\w.-]*(?:['’]s)?\s+)?$"
)
"""Between two titles of one holder: "Minister for Foreign Affairs and OSCE Chairperson"."""
_BEFORE_NAME = re.compile(r"^\s*,?\s*$")
_AFTER_NAME = re.compile(r"^\s*,\s*(?:the\s+|la\s+|le\s+)?$", re.I)


@dataclass
class _Title:
    """A job title in the text with what it says about its holder's affiliation."""

    start: int
    end: int
    role: str
    affiliation: Entity | None
    owner_start: int | None = None
    """Where the organisation written before the title begins ("the UN Secretary-General")."""


def people_in(context: Reading, sentence: Sentence) -> list[tuple[Entity, Entity | None]]:
    """The people a sentence names with a post, and whom they speak for."""
    return [(fact.person, fact.affiliation) for fact in _person_roles(context, sentence)]


def person_roles(context: Reading, sentence: Sentence) -> None:
    """People with their job and employer: "Microsoft attorney Tim Cranton"."""
    context.facts.extend(_person_roles(context, sentence))


def _person_roles(context: Reading, sentence: Sentence) -> list[PersonRole]:
    titles = _titles(context, sentence)
    if not titles:
        return []
    roles: list[PersonRole] = []
    for person, first, last in _holders(context, sentence, titles):
        chain = titles[first : last + 1]
        shared = next((t.affiliation for t in chain if t.affiliation is not None), None)
        for title in chain:
            affiliation = title.affiliation or _default_affiliation(
                context, sentence, title, shared
            )
            roles.append(
                PersonRole(person, title.role, affiliation, evidence=context.evidence(sentence))
            )
    return roles


def _holders(
    context: Reading, sentence: Sentence, titles: list[_Title]
) -> list[tuple[Entity, int, int]]:
    """Each name next to a chain of titles: "TITLE (and TITLE), NAME" or "NAME, TITLE"."""
    text = context.document.text
    chains: list[tuple[int, int]] = []
    for index, title in enumerate(titles):
        if chains and _CHAIN.match(text[titles[index - 1].end : title.start]):
            chains[-1] = (chains[-1][0], index)
        else:
            chains.append((index, index))
    found: list[tuple[Entity, int, int]] = []
    named: set[int] = set()
    named_before_title: set[int] = set()
    for first, last in chains:
        end = titles[last + 1].start if last + 1 < len(titles) else sentence.end
        person = _name_after(context, titles[last].end, end)
        if (
            person is not None
            and last + 1 < len(titles)
            and "," in context.document.text[titles[last].end : person[1]]
            and _names_next(context, person, end)
            and _name_before(context, sentence.start, titles[first].start) is not None
        ):
            person = None  # "A, Minister of X, B, Minister of Y": B holds the next title
        before = person is None
        if person is None:
            person = _name_before(context, sentence.start, titles[first].start)
        owner_start = titles[first].owner_start
        if person is None and owner_start is not None:
            # "Antonio Example, the UN Secretary-General": the owner stands between
            person = _name_before(context, sentence.start, owner_start)
        if person is None:
            continue
        # "Ambassador X, Permanent Representative of Y": X holds both titles
        second_title = before and person[1] in named and person[1] not in named_before_title
        if person[1] not in named or first == last == 0 or second_title:
            named.add(person[1])
            if before:
                named_before_title.add(person[1])
            found.append((person[0], first, last))
    return found


def _names_next(context: Reading, person: tuple[Entity, int], title_start: int) -> bool:
    """Whether a name found after a title is rather the "NAME, TITLE" of the next title."""
    text = context.document.text
    name_end = person[1] + len(person[0].label or "")
    return _AFTER_NAME.match(text[name_end:title_start]) is not None


def _name_after(context: Reading, position: int, end: int) -> tuple[Entity, int] | None:
    """A person's name right after a title, past a comma and honorifics."""
    text = context.document.text
    abbreviation = _ABBREVIATION.match(text, position, end)
    if abbreviation is not None:  # "Secretary General of the Organisation (ABC) Anna Example"
        position = abbreviation.end()
    bracket = re.compile(r"\s*\(").match(text, position, end)
    if bracket is not None and _HONORIFIC.match(text, bracket.end(), end):
        position = bracket.end()  # "the Head of the Mission (Mr Anton Example)"
    while (honorific := _HONORIFIC.match(text, position, end)) is not None:
        position = honorific.end()
    gap = re.compile(r"\s*,?\s*").match(text, position, end)
    if gap is None or not text[gap.end() - 1 : gap.end()].isspace():
        return None
    name = _NAME.match(text, gap.end(), end)
    return _person(context, name) if name else None


def _name_before(context: Reading, start: int, position: int) -> tuple[Entity, int] | None:
    """A person's name that a title follows: "Christel Example, Chair of ..."."""
    text = context.document.text
    comma = re.compile(r"(?:,|\s*\()\s*(?:the\s+|la\s+|le\s+)?$", re.I).search(
        text, start, position
    )
    if comma is None:  # "said Oliver Example President of the Alliance": no comma between
        comma = re.compile(r"(?<=\w)(?=[^\S\n]+$)").search(text, max(start, position - 2), position)
        if comma is None or not text[position : position + 1].isupper():
            return None
    # the longest name that ends at the comma: "His Highness Sheikh Abdullah bin Zayed Al
    # Nahyan, Minister ..." is "Abdullah bin Zayed Al Nahyan", not its last three words
    last = _NAME_ENDING.search(text, max(start, comma.start() - 80), comma.start())
    return _person(context, last) if last is not None else None


def _person(context: Reading, match: re.Match[str]) -> tuple[Entity, int] | None:
    """The person a name names, unless the words are an entity's or a title's."""
    words = _NAME_SUFFIX.sub("", match.group()).split()
    skipped = 0
    while words and _NOT_NAME_WORD.match(words[0]):
        skipped += 1
        words.pop(0)
    if len(words) < 2 or any(_NOT_NAME_WORD.match(word) for word in words):
        return None
    text = context.document.text
    begin = text.find(words[0], match.start() + skipped)
    # "in Vienna Tomas Example, Minister ...": the name starts after the place before it
    while len(words) > 2 and not _free_of_mentions(context, begin, begin + len(words[0])):
        begin = text.find(words[1], begin + len(words[0]))
        words.pop(0)
    name = " ".join(words)
    if not _free_of_mentions(context, begin, begin + len(name)):
        return None
    return new_person(name), begin


def _titles(context: Reading, sentence: Sentence) -> list[_Title]:
    """The job titles of a sentence with their role text and stated affiliation."""
    text = context.document.text
    mentions = context.within(sentence.start, sentence.end, _AFFILIATION_KINDS)
    found: list[_Title] = []
    for match in _TITLE.finditer(sentence.text):
        start = sentence.start + match.start()
        if any(m.start <= start < m.end for m in mentions):
            continue  # a title inside a name: "Committee of Ministers"
        if _FORMER.search(text, max(sentence.start, start - 12), start):
            continue  # "former Prime Minister X" holds the post no longer
        if match.group("en") is not None:
            role = " ".join(match.group("en").lower().split())
            role = role.replace("secretary-general", "secretary general")
            role = role.replace("director-general", "director general")
        else:
            key = next(k for k in _TITLES_FR if re.fullmatch(k, match.group("fr"), re.I))
            role = _TITLES_FR[key]
        owning = next(
            (
                m
                for m in reversed(mentions)
                if m.end <= start and _OWNER_GAP.match(text[m.end : start])
            ),
            None,
        )
        owner = owning.entity if owning is not None else None
        owner_start = owning.start if owning is not None else None
        generic = (
            _GENERIC_OWNER.search(text, max(sentence.start, start - 40), start)
            if owner is None and start > sentence.start and text[start - 2] in "s’'"
            else None
        )
        if generic is not None:  # "Lara Example, the organisation's Director-General"
            owner, owner_start = _organisation_before(context, start), generic.start()
        after = sentence.start + match.end()
        adjective = None
        if match.group("fr") is not None:  # "le ministre finlandais des Affaires étrangères"
            word = _WORD_AFTER.match(text, after, sentence.end)
            adjective = state_of_adjective(word.group(1), context.lex) if word else None
            after = word.end() if adjective is not None and word is not None else after
        else:  # "Armenian Foreign Minister"
            word = _WORD_BEFORE.search(text, sentence.start, start)
            adjective = state_of_adjective(word.group(1), context.lex) if word else None
        end, role, stated = _complements(
            context, sentence, mentions, after, role, match.group("fr")
        )
        affiliation = owner or adjective or stated or _implied(context, role)
        if found and found[-1].end > start:
            continue  # already read as the complement of the title before
        found.append(_Title(start, end, role, affiliation, owner_start))
    return found


def _complements(
    context: Reading,
    sentence: Sentence,
    mentions: list[Mention],
    end: int,
    role: str,
    french: str | None,
) -> tuple[int, str, Entity | None]:
    """Extend a title over "of Spain to the Council", "for Foreign Affairs", "de la X".

    The first state or organisation named is the affiliation; other words belong to the
    role itself (translated when the title is French, kept only if every word is known).
    """
    text = context.document.text
    affiliation: Entity | None = None
    starts = [m.start for m in mentions]
    while True:
        link = _LINK.match(text, end, sentence.end)
        if link is not None:
            # the name may hold the article the link ends with: "de la Francophonie", "de l'AFD"
            index = bisect.bisect_left(starts, link.start() + 1)
            if (
                index < len(mentions)
                and mentions[index].start <= link.end()
                and mentions[index].end > link.end()
            ):
                affiliation = affiliation or mentions[index].entity
                end = mentions[index].end
                continue
        if affiliation is not None:
            break
        spelled = _SPELLED_NAME.match(text, end, sentence.end)
        owner = next((m for m in mentions if spelled and m.start == spelled.end()), None)
        if owner is not None:  # "of the Organization of Islamic Cooperation (OIC)"
            closing = re.compile(r"\s*\)").match(text, owner.end, sentence.end)
            return (closing.end() if closing else owner.end), role, owner.entity
        named = None if french else _UNKNOWN_BODY.match(text, end, sentence.end)
        if named is not None and not any(named.start() <= m.start < named.end() for m in mentions):
            # "Director General of the International Federation of Example Makers": a body
            # the tables lack is the affiliation, not words of the role
            return named.end(), role, new_organisation(named.group("name"))
        words = (
            _WORDS_FR.match(text, end, sentence.end)
            if french
            else _PORTFOLIO_BEFORE_NAME.match(text, end, sentence.end)
            or _OTHER_PORTFOLIO_BEFORE_NAME.match(text, end, sentence.end)
            or _WORDS_EN.match(text, end, sentence.end)
        )
        if words is None:
            break
        phrase = words.group("words")
        title = _TITLE.search(phrase)
        if title is not None:  # "for Foreign Affairs and OSCE Chairperson": cut before "and"
            joint = list(re.finditer(r"\s+(?:and|et)\s+", phrase[: title.start()]))
            if not joint or joint[-1].start() == 0:
                break
            phrase = phrase[: joint[-1].start()]
            words = re.compile(
                re.escape(text[words.start() : words.start("words")] + phrase)
            ).match(text, words.start())
            if words is None:
                break
        inside = [m for m in mentions if words.start() <= m.start < words.end()]
        if inside:
            break
        if _STATE_FORM.fullmatch(phrase):  # "of the Republic of X": the state's own name
            end = words.end()
            continue
        if french:
            translated = _translate(phrase)
            if translated is None:  # an unknown portfolio: the title alone, read past it
                end = words.end()
                break
            role += " for " + translated
        else:
            role += " " + " ".join(words.group().lower().split())
        end = words.end()
    return end, role, affiliation


def _translate(phrase: str) -> str | None:
    """ "affaires étrangères et du développement international" -> English, if all known."""
    parts = re.split(r"\s+et\s+(?:du\s+|de\s+la\s+|des\s+|de\s+l['’])?", phrase.lower())
    english = [_GLOSSARY.get(" ".join(part.split())) for part in parts]
    if any(word is None for word in english):
        return None
    return " and ".join(word for word in english if word)


_GENERIC_OWNER = re.compile(
    r"\b(?:the\s+)?(?:organi[sz]ation|institution|agency|body|alliance|union)['’]s\s+$", re.I
)
"""An owner named by what it is: "the organisation's Director-General"."""


def _organisation_before(context: Reading, position: int) -> Entity | None:
    """The organisation last named before `position`, else the one that issued the text."""
    named = [
        m.entity for m in context.mentions if m.end <= position and m.entity.kind in _ORG_KINDS
    ]
    return named[-1] if named else context.issuer


def _implied(context: Reading, role: str) -> Entity | None:
    """The organisation a title names by itself ("European Commissioner")."""
    for title, organisation in _IMPLIED.items():
        if role.startswith(title):
            for candidate in context.lex.reference.lookup(organisation):
                entity = context.lex.by_iri.get(candidate.iri)
                if entity is not None:
                    return entity
    return None


def _default_affiliation(
    context: Reading, sentence: Sentence, title: _Title, shared: Entity | None
) -> Entity | None:
    """An unsaid affiliation: that of a title chained with this one, else the state in
    focus for a state's post, else the organisation that issued the text."""
    if shared is not None:
        return shared
    if _STATE_POSTS.match(title.role) or re.match(
        r"(?:prime|foreign)\s|\w+\s+minister$", title.role
    ):
        states = context.within(sentence.start, sentence.end, ("state",))
        if states:
            return min(states, key=lambda m: abs(m.start - title.start)).entity
        everywhere = [m.entity for m in context.mentions if m.entity.kind == "state"]
        return max(everywhere, key=everywhere.count) if everywhere else None
    return context.issuer


def _free_of_mentions(context: Reading, start: int, end: int) -> bool:
    return all(end <= m.start or start >= m.end for m in context.mentions)


_LINE_NAME = _NAME.pattern.replace(r"\s+", r"[^\S\n]+")
_SIGNED_BELOW = re.compile(
    rf"^[^\S\n]*(?P<titles>(?:Le|La)\s[^\n]{{3,160}}?),[^\S\n]*\n(?:[^\S\n]*\n)*"
    rf"[^\S\n]*(?P<name>{_LINE_NAME})\.?[^\S\n]*$",
    re.MULTILINE,
)
_SIGNED_ABOVE = re.compile(
    rf"^[^\S\n]*(?P<name>{_LINE_NAME})\.?[^\S\n]*\n(?:[^\S\n]*\n)*"
    r"[^\S\n]*Par\s+(?:le|la)\s+(?P<titles>Présidente?\s+de\s+la\s+République)\s*:",
    re.MULTILINE,
)


def signatory_roles(context: Reading) -> None:
    """The signature block of a decree or law: "Le Premier ministre," over "Manuel Valls",
    or a name over "Par le Président de la République :" (the head of state signs first)."""
    text = context.document.text
    starts = [sentence.start for sentence in context.document.sentences]
    for pattern in (_SIGNED_BELOW, _SIGNED_ABOVE):
        for block in pattern.finditer(text):
            index = bisect.bisect_right(starts, block.start("titles")) - 1
            if index < 0:
                continue
            sentence = context.document.sentences[index]
            name = _NAME.match(text, block.start("name"), block.end("name"))
            assert name is not None, "the name group is written as _NAME is"
            person = _person(context, name)
            if person is None:
                continue
            titles = [
                title
                for title in _titles(context, sentence)
                if block.start("titles") <= title.start < block.end("titles")
            ]
            shared = next((t.affiliation for t in titles if t.affiliation is not None), None)
            for title in titles:
                affiliation = title.affiliation or _default_affiliation(
                    context, sentence, title, shared
                )
                context.facts.append(
                    PersonRole(
                        person[0], title.role, affiliation, evidence=context.evidence(sentence)
                    )
                )


def without_bare_titles(facts: list[Fact]) -> list[Fact]:
    """Drop a title that only shortens another title of the same person: "Minister Anna
    Example" after "Anna Example, Minister of Justice" names the same post again."""
    roles: dict[str, list[str]] = {}
    for fact in facts:
        if isinstance(fact, PersonRole):
            roles.setdefault(fact.person.key, []).append(fact.role)
    return [
        fact
        for fact in facts
        if not (
            isinstance(fact, PersonRole)
            and any(
                other.startswith(fact.role + " ") or other.endswith(" " + fact.role)
                for other in roles[fact.person.key]
            )
        )
    ]
