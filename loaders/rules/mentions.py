"""State mentions: every state a document names as a state, once, with its evidence.

A name matched by the lexicon counts unless it only locates a place ("Geneva, Switzerland",
"Lyon (France)", a dateline), or is a word inside the name of something else: a region or
body before it ("Lake Chad", "Sommet de Madagascar"), an event or programme after it ("the
Madagascar summit"). Adjectives before a noun ("the Norwegian delegation") and French
adjectives after one ("le ministre finlandais") name their state too.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from loaders.documents import Document, Sentence
from loaders.entities import Lexicon
from loaders.entities import Mention as Named
from loaders.facts import Entity, Evidence, Mention

TYPOGRAPHY = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00ad": "-",
    }
)
"""Typographic variants of quotes, spaces and dashes, one character for one, so that
offsets into the normalised text are offsets into the original."""


def normalise_typography(text: str) -> str:
    return text.translate(TYPOGRAPHY)


# A capitalised word (a city, a region) just before: "Mons (Belgium)", "BAKU, Azerbaijan,".
_LOCATED = re.compile(r"[A-ZÀ-Ý][\w'.-]*(?:,\s*|\s+\(\s*)$")
_LOCATED_END = re.compile(r"\s*(?:\)|,|\.|;|:|$|\n)")
_LIST_AFTER = re.compile(r"\s*,\s*[A-ZÀ-Ý]|\s+(?i:and|et|or|ou)\s")
_INSIDE_BEFORE = re.compile(
    r"(?:\b(?:Lake|Gulf|Sea|Bay|Basin|Horn|Lac|Golfe|Mer|Bassin|Sommet|Summit|Bank|Banque"
    r"|University|Université|Central|Latin|Greater)\s+(?:(?:of|de|du|des|d'|de\s+la)\s*)?"
    r"|\b(?:Organization|Organisation)\s+of\s+)$"
)
_INSIDE_AFTER = re.compile(
    r"^[ -]+(?:Summit|summit|Conference|Process|process|Round|Declaration|Plan|Pact|Call|Forum"
    r"|Initiative|Principles|Dialogue|Basin|Sea|Lake|Group)\b"
)
_SOURCE_LINE = re.compile(r"^\s*source\s*:[^\n]*", re.I)


def state_mentions(document: Document, named: list[Named], lex: Lexicon) -> list[Mention]:
    """One Mention fact per state the text names as a state, evidenced by its first sentence."""
    text = document.text
    skip = _SOURCE_LINE.match(text)
    # Neither the source line nor the header's contact block speaks of states.
    skip_end = max(skip.end() if skip else 0, document.metadata.header_end)
    dateline = document.metadata.dateline_span
    found: list[tuple[int, Entity]] = []
    for mention in named:
        if mention.entity.kind != "state" or mention.start < skip_end:
            continue
        if dateline is not None and dateline[0] <= mention.start < dateline[1]:
            continue
        if _only_locates(text, mention, named) or _inside_a_name(text, mention):
            continue
        found.append((mention.start, mention.entity))
    found += adjective_mentions(text[skip_end:], lex, skip_end)
    found.sort(key=lambda item: item[0])
    facts: dict[str, Mention] = {}
    for start, entity in found:
        if entity.key not in facts:
            facts[entity.key] = Mention(entity, evidence=_evidence(document, start))
    return list(facts.values())


def _only_locates(text: str, mention: Named, named: list[Named]) -> bool:
    before = text[max(0, mention.start - 40) : mention.start]
    located = _LOCATED.search(before)
    if located is None:
        return False
    word_start = mention.start - len(before) + located.start()
    if any(m.start <= word_start < m.end and m.entity.kind == "state" for m in named):
        return False  # "Spain, France": a list of states
    if "(" not in located.group() and _LIST_AFTER.match(text, mention.end):
        return False
    return _LOCATED_END.match(text, mention.end) is not None


def _inside_a_name(text: str, mention: Named) -> bool:
    before = text[max(0, mention.start - 40) : mention.start]
    return (
        _INSIDE_BEFORE.search(before) is not None
        or _INSIDE_AFTER.match(text[mention.end : mention.end + 30]) is not None
    )


def _evidence(document: Document, position: int) -> Evidence:
    for sentence in document.sentences:
        if sentence.start <= position < sentence.end:
            return Evidence(sentence.start, sentence.end, sentence.text)
    line_start = document.text.rfind("\n", 0, position) + 1
    line_end = document.text.find("\n", position)
    line_end = len(document.text) if line_end < 0 else line_end
    return Evidence(line_start, line_end, document.text[line_start:line_end])


# --- adjectives ------------------------------------------------------------------------------

_NOT_NOUNS = re.compile(
    r"(?:language|version|text|translation|speaking|speakers?|original|words?|island|islands"
    r"|city|town|capital|coast|port|village|region|province|mountains?|riviera)\b",
    re.I,
)
"""Nouns an adjective does not make a state mention of: languages, and places it only locates
("the Spanish island of Lanzarote", as "Strasbourg, France")."""
_FRENCH_BEFORE_EXCLUDED = frozenset(
    "en le la les des du de un une et ou au aux à pour par sur avec est sont".split()
)


def _french_forms(adjective: str) -> set[str]:
    if adjective.endswith(("ais", "ois")):
        return {adjective, adjective + "e", adjective + "es"}
    if adjective.endswith("en"):
        return {adjective, adjective + "s", adjective + "ne", adjective + "nes"}
    if adjective.endswith("e") or adjective.endswith("è"):
        return {adjective, adjective + "s"}
    if adjective.endswith("c"):
        return {adjective, adjective + "s", adjective[:-1] + "que", adjective[:-1] + "ques"}
    return {adjective, adjective + "e", adjective + "s", adjective + "es"}


@lru_cache(maxsize=4)
def _adjective_patterns(
    directory: Path,
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str], frozenset[str]]:
    """The demonym table (ontology/reference/demonyms.csv) as two patterns, a form -> key map
    and the set of words an adjective can start with (a cheap test before the patterns)."""
    path = directory / "demonyms.csv"
    if not path.exists():
        return None, None, {}, frozenset()
    english: dict[str, str] = {}
    french: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for form in filter(None, (row.get("adjective_en") or "").split("|")):
                english[form.strip()] = row["key"]
            for form in filter(None, (row.get("adjective_fr") or "").split("|")):
                for variant in _french_forms(form.strip()):
                    french[variant] = row["key"]

    def alternation(forms: dict[str, str]) -> str:
        return "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))

    # English: a capitalised adjective before a lower-case noun ("the Norwegian delegation")
    en = re.compile(rf"(?P<adj>{alternation(english)})(?= (?P<noun>[a-z][a-z-]+))")
    # French: a lower-case adjective after a noun ("le ministre finlandais", "la Fédération russe")
    fr = re.compile(rf"(?P<adj>{alternation(french)})(?![\w-])", re.UNICODE)
    starts = frozenset(_WORD.findall(" ".join([*english, *french])))
    return en, fr, {**english, **french}, starts


_WORD = re.compile(r"[^\W\d_][\w'’]*")


def adjective_mentions(text: str, lex: Lexicon, offset: int = 0) -> list[tuple[int, Entity]]:
    """States named by an adjective, as (position, state) pairs.

    Words are looked up first; only a word that can start an adjective is tried against the
    patterns, which keeps this linear and cheap on long texts."""
    directory = getattr(lex, "directory", None)
    if directory is None:
        return []
    english, french, keys, starts = _adjective_patterns(Path(directory))
    if english is None or french is None:
        return []
    states = _states_by_key(lex)
    found: list[tuple[int, Entity]] = []
    previous: re.Match[str] | None = None
    for word in _WORD.finditer(text):
        before, previous = previous, word
        if word.group() not in starts or (word.start() and text[word.start() - 1] in "-"):
            continue
        if word.group()[:1].isupper():
            match = english.match(text, word.start())
            if match is not None and not _NOT_NOUNS.match(match.group("noun")):
                entity = states.get(keys[match.group("adj")])
                if entity is not None:
                    found.append((offset + match.start("adj"), entity))
                continue
        match = french.match(text, word.start())
        if match is None or before is None or text[before.end() : word.start()] != " ":
            continue
        noun = before.group()
        if noun.lower() in _FRENCH_BEFORE_EXCLUDED or noun in ("langue", "version"):
            continue
        entity = states.get(keys[match.group("adj")])
        if entity is not None:
            found.append((offset + match.start("adj"), entity))
    return found


def state_of_adjective(word: str, lex: Lexicon) -> Entity | None:
    """The state an adjective names ("Armenian", "finlandais", "américaine"), if any."""
    directory = getattr(lex, "directory", None)
    if directory is None:
        return None
    keys = _adjective_patterns(Path(directory))[2]
    key = keys.get(word)
    return _states_by_key(lex).get(key) if key is not None else None


def _states_by_key(lex: Lexicon) -> dict[str, Entity]:
    cached = getattr(lex, "_states_by_key", None)
    if cached is None:
        cached = {e.key: e for e in lex.by_iri.values() if e.kind == "state"}
        lex._states_by_key = cached  # type: ignore[attr-defined]
    return cached


__all__ = [
    "state_mentions",
    "adjective_mentions",
    "state_of_adjective",
    "normalise_typography",
    "Sentence",
]
