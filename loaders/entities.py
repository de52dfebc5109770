"""Finding and linking names: states, organisations, treaties, topics, places, persons.

Every name in the reference tables becomes a phrase pattern of one spaCy matcher, built once
per reference directory and then reused for every document (building it is the slow part,
matching is cheap). Names that are also ordinary words or short acronyms ("AU", "UN" are
French words) match with their exact case; longer names match in any case.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from loaders.dates import find_dates
from loaders.documents import english
from loaders.facts import Entity
from ontology import (
    REFERENCE_DIR,
    organisation_iri,
    person_iri,
    place_iri,
    slug,
    treaty_iri,
    treaty_slug,
)
from ontology.reference import (
    Organisation,
    Place,
    Reference,
    State,
    Topic,
    Treaty,
    load_reference,
    names_of,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc


class _Tokenizer(Protocol):
    """What the lexicon uses of spaCy's Tokenizer, whose compiled module ships no types."""

    def pipe(self, texts: Iterable[str]) -> Iterator[Doc]: ...


KIND_PRIORITY = ("state", "organisation", "company", "unit", "treaty", "place", "topic")
"""Which kind wins when one name names several entities ("Luxembourg": the state)."""


@dataclass(frozen=True)
class Mention:
    """A stretch of text linked to an entity; `how` says whether by name or by context."""

    start: int
    end: int
    text: str
    entity: Entity
    how: str = "name"  # name | number | reference | new


def entity_of(item: State | Organisation | Treaty | Topic | Place) -> Entity:
    """The fact-level view of a reference entity, keyed as the gold files write it."""
    if isinstance(item, State):
        return Entity("state", item.alpha3 or item.key, item.iri, item.name_en)
    if isinstance(item, Organisation):
        kind = {"company": "company", "body": "unit"}.get(item.kind, "organisation")
        details: tuple[tuple[str, str], ...] = (
            (("parent", item.parent_iri),) if item.parent_iri else ()
        )
        return Entity(kind, slug(item.name_en), item.iri, item.name_en, details=details)
    if isinstance(item, Treaty):
        details = (
            ("treaty_kind", item.kind),
            ("supplements", item.supplements_iri),
            ("opened", item.opened),
            ("title_fr", item.title_fr),
            ("concluded_within", item.concluded_within_iri),
        )
        return Entity("treaty", item.key, item.iri, item.title_en, details=details)
    if isinstance(item, Topic):
        return Entity("topic", item.key, item.iri, item.label_en)
    return Entity("place", item.key, item.iri, item.name_en)


def new_treaty(title: str, supplements: str = "") -> Entity:
    """A treaty the reference tables do not know, named by its title; `supplements` is the IRI
    of the treaty it amends or supplements, when its words name one."""
    words = {"Protocol": "Protocol", "Protocole": "Protocol", "Convention": "Convention"}
    words |= {"Charter": "Charter", "Charte": "Charter", "Agreement": "Agreement"}
    words |= {"Accord": "Agreement", "accord": "Agreement", "convention": "Convention"}
    kind = next(
        (kind for word, kind in words.items() if re.search(rf"\b{word}\b", title)), "Treaty"
    )
    return Entity(
        "treaty",
        treaty_slug(title),
        treaty_iri(title),
        title,
        known=False,
        details=(("treaty_kind", kind), ("supplements", supplements)),
    )


def new_organisation(name: str, company: bool = False) -> Entity:
    return Entity(
        "company" if company else "organisation",
        slug(name),
        organisation_iri(name),
        name,
        known=False,
    )


def new_place(name: str) -> Entity:
    return Entity("place", slug(name), place_iri(name), name, known=False)


def new_person(name: str) -> Entity:
    return Entity("person", slug(name), person_iri(name), name, known=False)


_OWN_NAME_IN_TITLE = re.compile(r"^Council of Europe\s+|\s+du Conseil de l['’]Europe\b")


def _variants(name: str, kind: str) -> set[str]:
    """Spellings a text may use beyond the table's: with/without a leading "The", plurals."""
    names = {name}
    if name.startswith("The "):
        names |= {name[4:], "the " + name[4:]}
    if kind != "topic" and name.isalpha() and name.isupper() and 2 <= len(name) <= 4:
        names.add(".".join(name) + ".")  # "U.N.", "E.U.": an acronym written with stops
    if kind == "organisation" and name.isalpha() and name.isupper() and len(name) >= 4:
        names.add(name.capitalize())  # French press writes "l'Otan", "l'Unesco"
    if kind != "topic":
        # French elides the article into the name's first token: "L'Italie", "l'Union"
        for form in [form for form in names if form[:1] in "AEIOUÉÈHaeiouéh"]:
            names |= {f"L'{form}", f"l'{form}", f"L’{form}", f"l’{form}"}
    if kind == "treaty":
        # "Council of Europe Convention on X" / "Convention du Conseil de l'Europe pour X":
        # texts about the Council often leave its name out of the title.
        shorter = " ".join(_OWN_NAME_IN_TITLE.sub("", name).split())
        if shorter != name and " " in shorter:
            names.add(shorter[0].upper() + shorter[1:])
        if name.startswith("United Nations "):  # "the UN Convention against Corruption"
            names |= {"UN " + name[15:], "U.N. " + name[15:]}
        words = name.split()
        if len(words) > 2 and words[-1].isalpha() and not words[-1].endswith("s"):
            names.add(name + "s")  # "... from Enforced Disappearances"
        named_after = _NAMED_AFTER_PLACE.fullmatch(name)
        if named_after is not None:  # "Riga Protocol" is "le Protocole de Riga" in French
            place, kind = named_after.groups()
            of = "d'" if place[0] in "AEIOUÉÈ" else "de "
            names.add(f"{_FRENCH_KIND[kind]} {of}{place}")
    if kind == "topic":
        words = name.split()
        if words and len(words[-1]) > 3:
            last = words[-1]
            other = last[:-1] if last.endswith("s") and not last.endswith("ss") else last + "s"
            names.add(" ".join([*words[:-1], other]))
    return names


_NAMED_AFTER_PLACE = re.compile(r"([A-Z][\w-]+) (Protocol|Convention|Agreement|Treaty|Charter)")
_FRENCH_KIND = {
    "Protocol": "Protocole",
    "Convention": "Convention",
    "Agreement": "Accord",
    "Treaty": "Traité",
    "Charter": "Charte",
}


def _exact_case(name: str) -> bool:
    """Single words and acronyms must match with their case: "AU", "Chad", "Georgia"."""
    return " " not in name.strip() or name.isupper()


class Lexicon:
    """The reference tables compiled into spaCy phrase matchers."""

    def __init__(self, reference: Reference) -> None:
        from spacy.matcher import PhraseMatcher

        self.reference = reference
        self.directory: Path | None = None
        """Where the tables were read from, for the tables only some rules use."""
        self.nlp = english()
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.topics = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.entities: dict[str, list[Entity]] = {}
        self.by_iri: dict[str, Entity] = {}
        exact: dict[str, set[str]] = {}
        folded: dict[str, set[str]] = {}
        topics: dict[str, set[str]] = {}
        for item in reference.entities():
            entity = entity_of(item)
            self.by_iri[entity.iri] = entity
            for name in names_of(item):
                if not name or (isinstance(item, Treaty) and name == item.number):
                    continue  # numbers are matched by pattern, in every spelling
                for variant in _variants(name, entity.kind):
                    key = variant.casefold()
                    found = self.entities.setdefault(key, [])
                    if entity not in found:
                        found.append(entity)
                    if entity.kind == "topic":
                        topics.setdefault(key, set()).add(variant)
                    elif _exact_case(variant):
                        exact.setdefault(key, set()).add(variant)
                    else:
                        folded.setdefault(key, set()).add(variant)
        # english() keeps spaCy's own Tokenizer; Language types it as any callable.
        tokenizer = cast(_Tokenizer, self.nlp.tokenizer)
        for matcher, table in ((self.exact, exact), (self.folded, folded), (self.topics, topics)):
            for key, names in table.items():
                matcher.add(key, list(tokenizer.pipe(sorted(names))))
        self.treaties = {
            entity.iri: entity for entity in self.by_iri.values() if entity.kind == "treaty"
        }

    def candidates(self, match_id: int) -> list[Entity]:
        """The entities a match names, the most likely kind first."""
        found = self.entities.get(self.nlp.vocab.strings[match_id], [])
        return sorted(found, key=lambda entity: KIND_PRIORITY.index(entity.kind))

    def treaty_by_number(self, number: str) -> Entity | None:
        treaty = self.reference.treaty(number)
        return self.by_iri.get(treaty.iri) if treaty is not None else None

    def protocols_of(self, convention: Entity) -> list[Entity]:
        return [
            entity
            for entity in self.treaties.values()
            if entity.detail("supplements") == convention.iri
        ]

    def founding_treaty(self, organisation: Entity) -> Entity | None:
        """The one treaty of an organisation's own, which a state accedes to when it joins
        (NATO: the North Atlantic Treaty); None where the tables hold several or none."""
        own = [
            entity
            for entity in self.treaties.values()
            if entity.detail("concluded_within") == organisation.iri
            and entity.detail("treaty_kind") != "Protocol"
        ]
        return own[0] if len(own) == 1 else None


_lexicons: dict[Path, Lexicon] = {}
_lock = threading.Lock()


def lexicon(directory: Path = REFERENCE_DIR) -> Lexicon:
    """The lexicon of a reference directory, built on first use and then shared."""
    known = _lexicons.get(directory)
    if known is not None:
        return known
    resolved = Path(directory).resolve()
    with _lock:
        if resolved not in _lexicons:
            _lexicons[resolved] = Lexicon(load_reference(resolved))
            _lexicons[resolved].directory = resolved
        _lexicons[directory] = _lexicons[resolved]  # the next look-up skips resolve()
        return _lexicons[resolved]


_TREATY_NUMBER = re.compile(
    r"\b(?P<series>C?ETS|STCE|STE)\s*(?:No\.?|n°|n\.)?\s*(?P<number>\d{1,3})\b"
)
_CONNECTOR = r"(?:of|on|for|against|concerning|relating|to|the|and|in|from|with)"
_CAP = r"[A-Z][\w'’-]*"
_CALENDAR_WORD = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
)
_INSTRUMENT = re.compile(
    rf"\b(?:(?:Convention|Protocol|Treaty|Charter|Agreement)\s+(?:on|for|against|concerning"
    rf"|relating\s+to)|Treaty\s+of|Protocol\s+to)\s+(?:the\s+)?(?=[A-Z])(?!{_CALENDAR_WORD}\b)"
)
"""A title word, never a day or a month: "the Treaty on September 25" names no treaty."""
_NAMED_AFTER = re.compile(
    r"(?<=\b[Tt]he\s)(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+"
    r"(?:Agreement|Convention|Treaty|Protocol|Accord)\b"
    r"(?!\s+(?:on|for|against|concerning|relating|to|of|between|in|under)\s+(?:the\s+)?[A-Z]"
    r"|['’]s?\s|-)"
)
"""A treaty named after a place or a name, "the Samoa Agreement", "the Escazú Agreement"."""
_GENERIC_HEADS = frozenset(
    "New Final Draft Framework Additional Optional Amending Global International European "
    "Regional Bilateral Multilateral Partnership Trade Peace Accession Association Free "
    "Interim Main Said Present Same Second Third First Fourth Fifth This That Its".split()
)
"""Words that make no name of their own: "the New Agreement", "the Framework Convention"."""
_TITLE_REST = re.compile(rf"{_CAP}(?:\s+(?:{_CONNECTOR}\s+)*{_CAP})*")
_TITLE_HEAD = re.compile(rf"(?:{_CAP}\s+)*$")
_ORGANISATION_HEAD = re.compile(
    r"(?<=\s)(?P<head>Organisation|Organization|Agency|Forum|Association|Institute|Foundation"
    r"|Corporation|Inc\.|Ltd|Commission|Bank|Fund|Office|Group|Committee|Council)\b"
)
_ORGANISATION_NAME = re.compile(rf"{_CAP}(?:\s+(?:(?:of|for|and|on)\s+(?:the\s+)?)?{_CAP})*\s+$")
_ARTICLE = re.compile(r"^(?:The|A|An)\s+")
_TITLE_FIRST = re.compile(
    r"^(?:(?:Deputy|Vice|Executive|Secretary|Director|President|Chair\w*|Head|General|Minister"
    r"|Commissioner|Ambassador|Chief|Member|Representative|Permanent)[\s-]+)+(?:of|for)\s+"
    r"(?:the\s+)?"
)
"""A post written before an organisation's name is not part of it: "President of the X
Association"."""
_ABBREVIATION_AFTER = re.compile(r"\s*\(\s*(?P<short>[A-Z][\w&.-]+)\s*\)")


def _abbreviated_known(found: list[Mention], abbreviation: re.Match[str] | None) -> Entity | None:
    """The known organisation whose abbreviation follows a name spelled unlike the tables:
    "the World Trade Organisation (WTO)" is the WTO, not a new organisation."""
    if abbreviation is None:
        return None
    start, end = abbreviation.span("short")
    return next(
        (
            m.entity
            for m in found
            if (m.start, m.end) == (start, end) and m.entity.kind in ("organisation", "unit")
        ),
        None,
    )


_INSTRUMENT_WORD = re.compile(
    r"(?<![\w-])(?:Convention|Protocole?|Treaty|Traité|Charter|Charte|Agreement|Accord|treaty"
    r"|agreement|accord|convention|protocole?)"
    r"(?![\w-])"
)
_REFERENCE_PREFIX = re.compile(
    r"(?P<determiner>\b(?:the|its|this|that|their|The|Its|This|[Ll]e|[Ll]a|[Ll]'|[Ss]on|[Ss]a)"
    r"(?:\s+présente?)?)?"
    r"\s*\[?\s*"
    r"(?:(?P<owner>Convention|Treaty|Charter)['’]s\s+)?"
    r"(?P<ordinal>(?:(?:First|Second|Third|Fourth|Additional|Optional)\s+)*)$"
)


def find_mentions(
    text: str, lex: Lexicon, tokens: Doc | None = None, issued: str | None = None
) -> tuple[list[Mention], list[Mention]]:
    """Named entities and topic mentions in a text, each list in text order.

    Named mentions never overlap each other (the longest wins); topics may lie inside
    them, since "Protocol on Xenophobia and Racism" both names a treaty and states its topic.
    `issued` (ISO date of the text) rules out treaties opened after the text was written when
    a generic reference ("its Additional Protocol") is resolved.
    """
    from spacy.util import filter_spans

    doc = tokens if tokens is not None else lex.nlp.make_doc(text)
    spans = []
    for matcher in (lex.exact, lex.folded):
        for match_id, start, end in matcher(doc):
            span = doc[start:end]
            span.label = match_id
            spans.append(span)
    mentions: list[Mention] = []
    for span in filter_spans(spans):
        candidates = lex.candidates(span.label)
        if candidates:
            mentions.append(Mention(span.start_char, span.end_char, span.text, candidates[0]))
    mentions = _add_pattern_mentions(text, lex, mentions, issued)
    topic_spans = []
    for match_id, start, end in lex.topics(doc):
        span = doc[start:end]
        span.label = match_id
        topic_spans.append(span)
    topics: list[Mention] = []
    for span in sorted(topic_spans, key=lambda span: (span.start, -len(span))):
        candidates = lex.candidates(span.label)
        if not candidates:
            continue
        entity = candidates[0]
        inside_same = any(
            m.entity == entity and m.start <= span.start_char and span.end_char <= m.end
            for m in topics
        )
        if not inside_same:  # nested topics of other kinds stay: "violence against women
            topics.append(Mention(span.start_char, span.end_char, span.text, entity))  # and
            # domestic violence" names both
    topics.sort(key=lambda m: m.start)
    return mentions, topics


def _free(mentions: list[Mention], start: int, end: int) -> bool:
    return all(end <= m.start or start >= m.end for m in mentions)


def _add_pattern_mentions(
    text: str, lex: Lexicon, mentions: list[Mention], issued: str | None
) -> list[Mention]:
    """Treaty numbers, treaties and organisations named in full but not in the tables, and
    back-references ("the Convention", "its Protocol") resolved to the last fitting treaty."""
    found = list(mentions)
    for match in _TREATY_NUMBER.finditer(text):
        series = "CETS" if match.group("series") in ("CETS", "STCE") else "ETS"
        number = f"{series} {int(match.group('number')):03d}"
        entity = lex.treaty_by_number(number)
        if entity is None:
            entity = Entity(
                "treaty",
                treaty_slug(number),
                treaty_iri(number),
                number,
                known=False,
                details=(("treaty_kind", "Treaty"), ("supplements", "")),
            )
        found = [m for m in found if not (m.start >= match.start() and m.end <= match.end())]
        if _free(found, match.start(), match.end()):
            found.append(Mention(match.start(), match.end(), match.group(), entity, "number"))
            found = _named_by_number(text, found, match.start(), entity)
    for match in _INSTRUMENT.finditer(text):
        rest = _TITLE_REST.match(text, match.end())
        if rest is None:
            continue
        head = _TITLE_HEAD.search(text, max(0, match.start() - 80), match.start())
        start = head.start() if head is not None else match.start()
        end = _title_end(text, found, start, rest.end())
        title = _ARTICLE.sub("", text[start:end])
        start = end - len(title)
        found = _without_names_in_title(found, start, end)
        if title and _free(found, start, end):
            numbers = [m for m in found if m.how == "number" and m.start >= end]
            rest = _REST_BEFORE_NUMBER.match(text, end, numbers[0].start) if numbers else None
            if rest is not None and rest.end() == numbers[0].start:
                # "Amending Protocol to ... Personal Data (CETS 223)": a title worded unlike
                # the tables is the treaty its number names
                end = rest.end("words")
                found.append(Mention(start, end, text[start:end], numbers[0].entity, "number"))
            else:
                found.append(Mention(start, end, title, new_treaty(title), "new"))
    for match in _FRENCH_INSTRUMENT.finditer(text):
        found = _add_french_title(text, found, match)
    for match in _NAMED_AFTER.finditer(text):
        start, end = match.start("name"), match.end()
        if match.group("name").split()[0] in _GENERIC_HEADS:
            continue
        found = _without_names_in_title(found, start, end, ("place", "organisation", "state"))
        if _free(found, start, end):
            title = text[start:end]
            found.append(Mention(start, end, title, new_treaty(title), "new"))
    for match in _ORGANISATION_HEAD.finditer(text):
        name_match = _ORGANISATION_NAME.search(text, max(0, match.start() - 80), match.start())
        if name_match is None:
            continue
        name = _TITLE_FIRST.sub("", _ARTICLE.sub("", text[name_match.start() : match.end()]))
        start, end = match.end() - len(name), match.end()
        if " " not in name:
            continue
        inside = [m for m in found if m.start < end and start < m.end]
        abbreviation = _ABBREVIATION_AFTER.match(text, end)
        spelled_out = abbreviation is not None and all(start <= m.start for m in inside)
        if not spelled_out and any(
            m.entity.kind not in ("place", "state") or m.end > end for m in inside
        ):
            continue  # a known name overlaps: it wins; a place inside ("Lanzarote") does not
        # ... unless the whole name is written out before its abbreviation: "the United
        # Nations Industrial Development Organization (UNIDO)" is not the United Nations
        found = [m for m in found if m not in inside]
        company = match.group("head") in ("Corporation", "Inc.", "Ltd")
        entity = _abbreviated_known(found, abbreviation)
        found.append(Mention(start, end, name, entity or new_organisation(name, company), "new"))
    found.sort(key=lambda m: m.start)
    for mention in list(found):
        protocol = _protocol_named_by_parent(text, lex, mention, issued)
        if protocol is not mention:
            found = [m for m in found if m.end <= protocol.start or m.start >= protocol.end]
            found = sorted([*found, protocol], key=lambda m: m.start)
    found = _numbered_protocols(text, lex, found)
    return _resolve_references(text, lex, found, issued)


_ORDINAL_BEFORE = re.compile(
    r"(?<![\w-])(?P<ordinal>[Ff]irst|[Ss]econd|[Tt]hird|[Ff]ourth|[Pp]remier|[Dd]euxième"
    r"|[Tt]roisième|[Qq]uatrième)\s+$"
)


def _ordinal_sibling(text: str, lex: Lexicon, mention: Mention) -> Mention:
    """ "Second Optional Protocol to the Covenant": a protocol's name after an ordinal its own
    title lacks is the name of its sibling with that ordinal, when the tables hold one."""
    before = _ORDINAL_BEFORE.search(text, max(0, mention.start - 12), mention.start)
    parent = lex.by_iri.get(mention.entity.detail("supplements") or "")
    if before is None or parent is None:
        return mention
    ordinal = _ORDINALS[before.group("ordinal").lower()]
    if ordinal in mention.entity.label.lower():
        return mention
    siblings = [
        entity
        for entity in lex.protocols_of(parent)
        if ordinal in f"{entity.label} | {entity.detail('title_fr') or ''}".lower()
        or any(
            french in (entity.detail("title_fr") or "").lower()
            for french, english in _ORDINALS.items()
            if english == ordinal and french != ordinal
        )
    ]
    if len(siblings) != 1:
        return mention
    start = before.start()
    return Mention(start, mention.end, text[start : mention.end], siblings[0], "name")


_NUMBERED_PROTOCOL = re.compile(
    r"(?<![\w-])[Pp]rotocole?\s+(?:No\.?\s*|n[°º]\s*|number\s+)?(?P<number>\d{1,2})(?![\w-])"
)


def _numbered_protocols(text: str, lex: Lexicon, found: list[Mention]) -> list[Mention]:
    """ "Protocol No. 6", "le protocole 6": the protocol of that number to the convention
    named last before it."""
    for match in _NUMBERED_PROTOCOL.finditer(text):
        if not _free(found, match.start(), match.end()):
            continue
        conventions = [
            m
            for m in found
            if m.end <= match.start()
            and m.entity.kind == "treaty"
            and m.entity.detail("treaty_kind") != "Protocol"
        ]
        wanted = re.compile(rf"\bno\.\s*{int(match.group('number'))}\b")
        if conventions:
            candidates = lex.protocols_of(conventions[-1].entity)
        elif match.group().startswith("P"):  # "Protocol No. 15" alone: the one of that number
            candidates = [e for e in lex.treaties.values() if e.detail("treaty_kind") == "Protocol"]
        else:
            continue
        options = [e for e in candidates if wanted.search(e.label.lower())]
        if len(options) == 1:
            mention = Mention(match.start(), match.end(), match.group(), options[0], "reference")
            found = sorted([*found, mention], key=lambda m: m.start)
    return found


_PROTOCOL_OF = re.compile(
    r"(?P<ordinal>(?:(?:First|Second|Third|Fourth|Premier|Deuxième|Second|Troisième"
    r"|Quatrième)\s+)?)(?P<kind>Additional\s+|Amending\s+|Optional\s+)?"
    r"Protocole?(?:\s+(?P<number>No\.?\s*\d+|n°\s*\d+))?"
    r"(?:(?P<french>\s+(?:additionnel|facultatif|d['’]amendement|portant\s+amendement))?"
    r"\s+(?:to|à|au|de)|(?P<amending>\s+(?:amending|amendant|modifiant)))"
    r"\s+(?:the\s+|la\s+|le\s+|l'|l’)?$",
    re.I,
)
_ORDINALS = {"first": "first", "premier": "first", "second": "second", "deuxième": "second"}
_ORDINALS |= {"third": "third", "troisième": "third", "fourth": "fourth", "quatrième": "fourth"}


def _protocol_named_by_parent(
    text: str, lex: Lexicon, mention: Mention, issued: str | None
) -> Mention:
    """ "Second Additional Protocol to the Budapest Convention", "Protocole additionnel à la
    Convention sur la cybercriminalité": the words before a convention's name make the whole
    the name of one of its protocols, whichever alias of the parent is used."""
    if mention.entity.kind != "treaty" or mention.how == "number":
        return mention
    if mention.entity.detail("treaty_kind") == "Protocol":
        return _ordinal_sibling(text, lex, mention)
    head = _PROTOCOL_OF.search(text, max(0, mention.start - 60), mention.start)
    if head is None:
        return mention
    options = lex.protocols_of(mention.entity)
    if issued is not None:  # a text cannot mean a protocol opened after it was written
        options = [e for e in options if (e.detail("opened") or "0")[:10] <= issued]
    names = [(e, f"{e.label} | {e.detail('title_fr') or ''}".lower()) for e in options]
    if head.group("number"):
        number = re.sub(r"\D", "", head.group("number"))
        names = [(e, n) for e, n in names if re.search(rf"\b(?:no\.|n°)\s*{number}\b", n)]
    ordinal = _ORDINALS.get(head.group("ordinal").strip().lower())
    if ordinal is not None:
        names = [(e, n) for e, n in names if ordinal in n]
    elif not head.group("number"):
        kind = head.group("kind") or head.group("french") or head.group("amending") or ""
        kind = kind.strip().lower()
        if kind.startswith(("amend", "d'amend", "d’amend", "portant", "modifiant")):
            names = [(e, n) for e, n in names if "amending" in e.label.lower()]
            if not names:  # an amending protocol the tables lack is one of its own
                title = _ARTICLE.sub("", text[head.start() : mention.end])
                start = mention.end - len(title)
                protocol = new_treaty(title, supplements=mention.entity.iri)
                return Mention(start, mention.end, title, protocol, "new")
            plain = names
        else:
            plain = [(e, n) for e, n in names if e.label.lower().startswith("additional")]
        names = plain or names
    if len(names) != 1:
        return mention
    start = head.start()
    return Mention(start, mention.end, text[start : mention.end], names[0][0], "name")


_FRENCH_INSTRUMENT = re.compile(
    r"(?<![\w-])(?:(?<=[Ll]['’])|(?<=\b[Ll]a\s)|(?<=\b[Ll]e\s)|(?<=\b[Dd]u\s)|(?<=^))"
    r"(?P<head>[Aa]ccord|[Cc]onvention|[Tt]raité|[Pp]rotocole|[ÉéEe]change\s+de\s+(?:notes|lettres)"
    r"|[Mm]émorandum\s+d['’]entente|[Aa]rrangement)"
    r"(?P<rest>(?P<adjective>\s+(?:annexe|cadre|[a-zéè]{3,}(?:el|elle|al|ale|ique|if|ive|aire|ier|ière"
    r"|ien|ienne))(?=\s+(?:entre|portant|relatif|relative|sur|de|du|des|d['’]|pour|à|au|aux)\s))?"
    r"(?:\s+(?:entre|portant|relatif|relative|sur|de|du|des|d['’]|pour|en\s+matière|"
    r"concernant|tendant|visant|(?(adjective)(?:à|au|aux)|(?!))))[^,;:()\[\]\n.]{5,240})",
    re.MULTILINE,
)
_DATED = re.compile(
    r"\s+(?:du|en\s+date\s+du)\s+\d{1,2}(?:er)?\s+(?:janvier|février|mars|avril|mai|juin|juillet"
    r"|août|septembre|octobre|novembre|décembre)\s+\d{4}"
)
_FRENCH_PARTIES = re.compile(
    r"\s+entre\s+(?:le|la|les|l['’])[^,;()]*?\s+et\s+(?:le|la|les|l['’])[^,;()]*?"
    r"(?=\s+(?:portant|relatif|relative|concernant|en\s+matière|tendant|visant|sur\s|pour\s)|$)"
)
_FRENCH_TITLE_END = re.compile(
    r"\s+(?:signée?s?|fait|faite|conclue?|adoptée?|sera|est|a\s+été)\b"
    r"|\s+(?:et|ou)\s+(?!(?:du|de|des|d['’]|la|le|les|l['’]|aux|à|au)\s)"
    r"|\s+(?:qui|que|dont|afin|mais|car|lorsque|quand)\b"
)


def _add_french_title(text: str, found: list[Mention], match: re.Match[str]) -> list[Mention]:
    """ "l'accord entre le Gouvernement de A et le Gouvernement de B portant sur ...": a French
    title the tables lack is a treaty of its own, keyed by its words without the parties,
    whose names stay mentions of their own."""
    rest = match.group("rest")
    end_word = _FRENCH_TITLE_END.search(rest)
    if end_word is not None:
        rest = rest[: end_word.start()]
    parties = _FRENCH_PARTIES.search(rest)
    words = rest if parties is None else rest[: parties.start()] + rest[parties.end() :]
    words = _DATED.sub("", words)  # "l'accord du 14 avril 1992 relatif à X" is "accord relatif à X"
    title = (match.group("head") + words).strip()
    adjective = match.group("adjective")
    start_words = rest[len(adjective) :] if adjective else rest
    if parties is None and not re.match(
        r"\s+(?:portant|relatif|relative|sur|concernant)", start_words
    ):
        if not re.match(r"\s+(?:de|du|des|d['’]|pour|en|à|au|aux)\s*\w+\s+\w+", start_words):
            return found
    if len(title.split()) < (2 if adjective and parties is not None else 3):
        return found  # "l'accord culturel entre A et B" is named by its adjective
    start = match.start()
    end = match.end("head") + (parties.start() if parties is not None else len(rest))
    if not _free(found, start, end):
        return found
    return [*found, Mention(start, end, text[start:end], new_treaty(title), "new")]


def _title_end(text: str, found: list[Mention], start: int, end: int) -> int:
    """Where a new title ends: before a name it ran into after a connector ("Convention on
    Protecting Older Persons and Chile deposited": the title stops before "and Chile"), unless
    the name is an organisation the title is about ("Safety of United Nations Personnel")."""
    inside = [m for m in found if start < m.end and m.start < end and m.start > start]
    if not inside:
        return end
    first = min(inside, key=lambda m: m.start)
    cut = text[start : first.start]
    trimmed = _TRAILING_CONNECTOR.sub("", cut)
    if first.entity.kind == "organisation" and _OF_WHOM.search(cut) and first.end <= end:
        return end
    return start + len(trimmed) if trimmed != cut else end


def _without_names_in_title(
    found: list[Mention], start: int, end: int, kinds: tuple[str, ...] = ("organisation",)
) -> list[Mention]:
    """A new title holds organisations it names as words of its own: "the UN Convention
    against X", "Convention on the Safety of United Nations Personnel"."""
    inside = [m for m in found if start <= m.start and m.end <= end]
    if not inside or any(m.entity.kind not in kinds for m in inside):
        return found
    rest = [m for m in found if m not in inside]
    return rest if _free(rest, start, end) else found


_OF_WHOM = re.compile(r"\s(?:of|for)\s+(?:the\s+)?$")


_TRAILING_CONNECTOR = re.compile(rf"(?:\s+{_CONNECTOR})+\s*$")


_NUMBER_AFTER_NAME = re.compile(r"^\s*[(\[]\s*$")
_REST_BEFORE_NUMBER = re.compile(r"(?P<words>[^.;:()\[\]\n]{0,100}?)\s*[(\[]\s*")
_PROTOCOL_TO = re.compile(
    r"(?:(?:First|Second|Third|Fourth|Deuxième|Troisième)\s+)?(?:Additional\s+|Amending\s+)?"
    r"Protocole?"
    r"(?:\s+additionnel)?\s+(?:to|à|au)\s+(?:the\s+|la\s+|l')?$",
    re.I,
)


def _named_by_number(text: str, found: list[Mention], number_start: int, entity: Entity):
    """ "Protocole additionnel à la Convention sur la cybercriminalité (STE n° 189)": the number
    says which treaty the words before it name, even when only part of them matched a name."""
    before = [m for m in found if m.end <= number_start and m.entity.kind == "treaty"]
    if not before or before[-1].entity == entity:
        return found
    name = before[-1]
    if not _NUMBER_AFTER_NAME.match(text[name.end : number_start]):
        return found
    head = _PROTOCOL_TO.search(text, max(0, name.start - 60), name.start)
    start = head.start() if head is not None else name.start
    relinked = Mention(start, name.end, text[start : name.end], entity, "number")
    return [relinked if m is name else m for m in found]


def _resolve_references(
    text: str, lex: Lexicon, mentions: list[Mention], issued: str | None
) -> list[Mention]:
    """Link "the Convention", "its Protocol", "the Second Additional Protocol" in context."""
    resolved = list(mentions)
    for word in _INSTRUMENT_WORD.finditer(text):
        prefix = _REFERENCE_PREFIX.search(text, max(0, word.start() - 60), word.start())
        start = word.start()
        for group in ("ordinal", "owner"):
            if prefix is not None and prefix.group(group):
                start = min(start, prefix.start(group))
        if not _free(resolved, start, word.end()):
            continue
        determiner = prefix.group("determiner") if prefix is not None else None
        owner = prefix.group("owner") if prefix is not None else None
        ordinal = prefix.group("ordinal").split() if prefix is not None else []
        if not (determiner or owner or text[word.end() : word.end() + 1] == " "):
            continue
        if word.group().islower() and not determiner:
            continue  # "an international treaty" names no treaty in particular
        earlier = [m.entity for m in resolved if m.end <= start and m.entity.kind == "treaty"]
        numbered = _NUMBER_AFTER.match(text, word.end())
        following = [m for m in resolved if m.how == "number" and numbered is not None]
        following = [m for m in following if m.start == numbered.end()] if numbered else []
        entity: Entity | None
        if following:  # "its First Protocol (ETS No. 189)": the number says which
            entity = following[0].entity
        else:
            entity = _antecedent(word.group(), determiner, owner, ordinal, earlier, lex, issued)
        if entity is None and not earlier:
            entity = _opened_that_day(text, word, lex)
        if entity is not None:
            resolved.append(
                Mention(start, word.end(), text[start : word.end()], entity, "reference")
            )
            resolved.sort(key=lambda m: m.start)
    return resolved


_NUMBER_AFTER = re.compile(r"\s*[(\[]\s*")

_OPENED_ON = re.compile(
    r"\b(?:opened\s+for\s+signature|ouverte?s?\s+à\s+la\s+signature)\b[^.;]{0,80}", re.I
)


def _opened_that_day(text: str, word: re.Match[str], lex: Lexicon) -> Entity | None:
    """ "The Protocol, opened for signature in Riga on 22 October 2015, ...": a treaty named by
    nothing but its kind is the one of that kind the tables say opened that day."""
    opened = _OPENED_ON.search(text, word.end(), min(len(text), word.end() + 200))
    if opened is None or "." in text[word.end() : opened.start()]:
        return None
    days = [d.first for d in find_dates(opened.group()) if d.first.day is not None]
    if len(days) != 1:
        return None
    kind = _WORDS.get(word.group(), word.group())
    fitting = [
        e
        for e in lex.treaties.values()
        if (e.detail("opened") or "")[:10] == days[0].iso() and e.detail("treaty_kind") == kind
    ]
    return fitting[0] if len(fitting) == 1 else None


_WORDS = {
    "Protocole": "Protocol",
    "Traité": "Treaty",
    "treaty": "Treaty",
    "Charte": "Charter",
    "agreement": "Agreement",
    "accord": "Agreement",
    "Accord": "Agreement",
    "convention": "Convention",
    "protocol": "Protocol",
    "protocole": "Protocol",
}


def _antecedent(
    word: str,
    determiner: str | None,
    owner: str | None,
    ordinal: list[str],
    earlier: list[Entity],
    lex: Lexicon,
    issued: str | None = None,
) -> Entity | None:
    """The treaty a generic word refers to: the last fitting one named before it."""
    word = _WORDS.get(word, word)
    if word == "Treaty" and determiner:
        return earlier[-1] if earlier else None  # "the treaty": whichever was named last
    if word != "Protocol":
        fitting = [e for e in earlier if e.detail("treaty_kind") == word] or [
            e for e in earlier if word.lower() in e.label.lower()
        ]
        return fitting[-1] if fitting else None
    numbered = [w.lower() for w in ordinal if w not in ("Additional", "Optional")]
    protocols = [e for e in earlier if e.detail("treaty_kind") == "Protocol"]
    if numbered:
        protocols = [e for e in protocols if all(w in e.label.lower() for w in numbered)]
    elif ordinal:
        protocols = [e for e in protocols if e.label.startswith(("Additional", "Optional"))]
    if protocols and not owner and (determiner or "").lower() != "its":
        return protocols[-1]  # the protocol named before, named again
    conventions = [e for e in earlier if e.detail("treaty_kind") != "Protocol"]
    if not conventions:
        return protocols[-1] if protocols else None
    options = lex.protocols_of(conventions[-1])
    if issued is not None:  # a text cannot mean a protocol opened after it was written
        options = [e for e in options if (e.detail("opened") or "0")[:10] <= issued]
    if numbered:
        options = [e for e in options if all(w in e.label.lower() for w in numbered)]
    elif ordinal or len(options) > 1:
        plain = [e for e in options if e.label.startswith(("Additional", "Optional"))]
        options = plain or options
    return options[0] if len(options) == 1 else None


UPPER_LETTERS = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_NAME_WORD = rf"[{UPPER_LETTERS}](?:[^\W\d_]|['’-])+"
_PARTICLE = r"(?:de|da|di|du|van|von|der|den|la|le|ter|del|dos|das)"
_PERSON_NAME = (
    rf"(?P<name>{_NAME_WORD}(?:\s+(?:[{UPPER_LETTERS}]\.\s+|{_PARTICLE}\s+)?{_NAME_WORD}){{1,2}})"
)


def person_pattern(roles: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two patterns for a person with a role: "ROLE NAME" and "NAME, ROLE (of|at) ..."."""
    before = re.compile(rf"\b(?P<role>(?i:{roles}))\s+{_PERSON_NAME}")
    after = re.compile(rf"{_PERSON_NAME},\s+(?:the\s+)?(?P<role>(?i:{roles}))\b")
    return before, after
