"""Counts as press releases write them: digits or words, with the hedge that comes before them.

"over 140 experts" is not "140 experts": the qualifier is kept beside the value so that the
graph can say what the text said and no more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ORDINAL_UNITS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
}
_ORDINAL_TENS = {name[:-1] + "ieth": value for name, value in _TENS.items()}

_FRENCH_UNITS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
}
_FRENCH_TENS = {
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
}
_FRENCH = _FRENCH_UNITS | _FRENCH_TENS | {"cent": 100, "cents": 100}
_DOZEN = re.compile(r"^(?:a|une)\s+dou?zaine(?:\s+d[e'’]?)?$|^a\s+dozen$")
_ROUND_FRENCH = {
    "dizaine": 10,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
}
"""French round numbers ("une soixantaine d'États"): about that many, so their count is
qualified "environ" unless the text qualifies it itself."""
_ROUND = re.compile(rf"^une\s+({'|'.join(_ROUND_FRENCH)})(?:\s+d[e'’]?)?$")

QUALIFIERS = (
    "more than",
    "less than",
    "fewer than",
    "at least",
    "up to",
    "nearly",
    "almost",
    "around",
    "about",
    "approximately",
    "roughly",
    "some",
    "over",
    "under",
    "another",
    "a further",
    "a total of",
    "plus de",
    "moins de",
    "près de",
    "pres de",
    "au moins",
    "environ",
    "quelque",
    "presque",
    "jusqu'à",
    "un total de",
)
"""Words that hedge or relate a count, in English and French; "a total of" carries no meaning."""

_NUMBER_WORD = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(k for k in _UNITS if k != "zero")
    + r"))?|"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r"|hundred|a hundred)"
)
_FRENCH_LEAD = "|".join(
    sorted(set(_FRENCH) - {"un", "une", "cent", "cents"}, key=len, reverse=True)
)
_FRENCH_ANY = "|".join(sorted(_FRENCH, key=len, reverse=True))
_FRENCH_WORD = rf"(?:(?:{_FRENCH_LEAD})(?:(?:-et-|-|\s+et\s+|\s)(?:{_FRENCH_ANY})\b)*)"
"""A French number in words; it never starts with "un"/"une" (articles) or a bare "cent"."""

_GROUP_SEPARATOR = r"[ \u00a0\u202f]"
"""The spaces French writes between digit groups ("2 000"): plain, no-break, narrow no-break."""

NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:{_GROUP_SEPARATOR}\d{{3}})+(?!\d)|\d+|a\s+dozen"
    rf"|une\s+douzaine\s+d(?:e\s+|['’])"
    rf"|une\s+(?:{'|'.join(_ROUND_FRENCH)})\s+d(?:e\s+|['’])"
    rf"|{_NUMBER_WORD}(?:\s+hundred(?:\s+and\s+{_NUMBER_WORD})?)?|{_FRENCH_WORD})"
)
"""A regular expression for a cardinal number in digits, English or French words."""

QUALIFIED_NUMBER = (
    r"(?:(?P<qualifier>"
    + "|".join(q.replace(" ", r"\s+").replace("'", "['’]") for q in QUALIFIERS)
    + r")\s+)?"
    rf"(?P<number>{NUMBER})"
)
"""A cardinal number with an optional qualifier before it, as named groups."""

_QUALIFIED = re.compile(rf"\b{QUALIFIED_NUMBER}\b", re.IGNORECASE)


def _french_ordinal(word: str) -> str:
    """ "trente" -> "trentième", "cinq" -> "cinquième", "neuf" -> "neuvième"."""
    stem = word[:-1] if word.endswith("e") else {"cinq": "cinqu", "neuf": "neuv"}.get(word, word)
    return stem + "ième"


_FRENCH_ORDINALS = {
    _french_ordinal(word): value
    for word, value in _FRENCH.items()
    if word not in ("une", "vingts", "cents")
} | {"premier": 1, "première": 1}
_ORDINAL_WORD = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")-(?:"
    + "|".join(_ORDINAL_UNITS)
    + r")|"
    + "|".join(sorted([*_ORDINAL_UNITS, *_ORDINAL_TENS, "hundredth"], key=len, reverse=True))
    + rf"|(?:(?:{_FRENCH_ANY})(?:-et-|-|\s+et\s+))*(?:"
    + "|".join(sorted(_FRENCH_ORDINALS, key=len, reverse=True))
    + r"))"
)
ORDINAL = rf"(?:\d+\s?(?:st|nd|rd|th|er|re|[eè]me|ᵉ|e)\b|\b{_ORDINAL_WORD}\b)"
"""A regular expression for an ordinal: "5th", "31e", "1er", "sixtieth", "trente et unième"."""


@dataclass(frozen=True)
class Count:
    """A count and the qualifier the text put before it ("over", "another" ...), if any."""

    value: int
    qualifier: str | None = None

    def __str__(self) -> str:
        return f"{self.qualifier} {self.value}" if self.qualifier else str(self.value)


_GROUP_SPACE = re.compile(rf"(?<=\d){_GROUP_SEPARATOR}(?=\d{{3}}(?!\d))")


def parse_number(text: str) -> int | None:
    """ "47", "1,200", "forty-seven", "a dozen", "quatre-vingt-dix" -> int; else None."""
    text = _GROUP_SPACE.sub("", text.strip())  # French "2 000": a space between digit groups
    words = " ".join(text.lower().replace(",", "").split())
    if words.isascii() and words.isdigit():  # not "²": isdigit() alone admits such marks
        return int(words)
    if _DOZEN.match(words):
        return 12
    round_number = _ROUND.match(words)
    if round_number:
        return _ROUND_FRENCH[round_number.group(1)]
    words = re.sub(r"\s+and\s+|-et-|\s+et\s+", " ", words).replace("-", " ")
    if words in ("hundred", "a hundred"):
        return 100
    parts = words.split()
    if parts and all(word in _FRENCH for word in parts):
        return _french_number(parts)
    current = 0
    seen = False
    for word in parts:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "a" and not seen:
            continue
        else:
            return None
        seen = True
    return current if seen else None


def _french_number(words: list[str]) -> int:
    """Sum the words, reading "quatre vingt" as 80 and "deux cents" as 200."""
    total = 0
    for word in words:
        if word in ("cent", "cents"):
            total = (total or 1) * 100
        elif word.startswith("vingt") and total % 100 == 4:
            total += 76
        else:
            total += _FRENCH[word]
    return total


def parse_ordinal(text: str) -> int | None:
    """ "sixtieth", "twenty-first", "21st", "31e", "1er", "trente et unième" -> int; else None."""
    word = " ".join(text.strip().lower().split())
    match = re.fullmatch(r"(\d+)\s?(?:st|nd|rd|th|er|re|[eè]me|ᵉ|e)", word)
    if match:
        return int(match.group(1))
    parts = re.sub(r"-et-|\s+et\s+", " ", word).replace("-", " ").split()
    if not parts:
        return None
    if parts[-1] in _FRENCH_ORDINALS:
        head = _french_number(parts[:-1]) if all(w in _FRENCH for w in parts[:-1]) else None
        if head is None:
            return None
        last = _FRENCH_ORDINALS[parts[-1]]
        return head + (76 if last == 20 and head % 100 == 4 else last)
    if len(parts) == 1:
        if word == "hundredth":
            return 100
        return _ORDINAL_UNITS.get(word) or _ORDINAL_TENS.get(word)
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _ORDINAL_UNITS:
        return _TENS[parts[0]] + _ORDINAL_UNITS[parts[1]]
    return None


def normalise_qualifier(text: str | None) -> str | None:
    """Collapse spacing and case; "a total of" says nothing beyond the number, so it is dropped."""
    if not text:
        return None
    qualifier = " ".join(text.lower().replace("’", "'").split())
    return None if qualifier == "a total of" else qualifier


def count_from_match(match: re.Match[str]) -> Count | None:
    """A Count from a match of a pattern built with QUALIFIED_NUMBER."""
    value = parse_number(match.group("number"))
    if value is None:
        return None
    qualifier = normalise_qualifier(match.group("qualifier"))
    if qualifier is None and _ROUND.match(" ".join(match.group("number").lower().split())):
        qualifier = "environ"
    return Count(value, qualifier)


def parse_count(text: str) -> Count | None:
    """The first qualified number in `text`: "over 140 experts" -> Count(140, "over")."""
    for match in _QUALIFIED.finditer(text):
        count = count_from_match(match)
        if count is not None:
            return count
    return None
