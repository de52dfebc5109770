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
)
"""Words that hedge or relate a count; "a total of" is recognised but carries no meaning."""

_NUMBER_WORD = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(k for k in _UNITS if k != "zero")
    + r"))?|"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r"|hundred|a hundred)"
)
NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{_NUMBER_WORD}(?:\s+hundred(?:\s+and\s+{_NUMBER_WORD})?)?)"
)
"""A regular expression for a cardinal number in digits or English words."""

QUALIFIED_NUMBER = (
    r"(?:(?P<qualifier>" + "|".join(q.replace(" ", r"\s+") for q in QUALIFIERS) + r")\s+)?"
    rf"(?P<number>{NUMBER})"
)
"""A cardinal number with an optional qualifier before it, as named groups."""

_QUALIFIED = re.compile(rf"\b{QUALIFIED_NUMBER}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Count:
    """A count and the qualifier the text put before it ("over", "another" ...), if any."""

    value: int
    qualifier: str | None = None

    def __str__(self) -> str:
        return f"{self.qualifier} {self.value}" if self.qualifier else str(self.value)


def parse_number(text: str) -> int | None:
    """ "47", "1,200", "two", "forty-seven", "one hundred and twenty" -> int; else None."""
    words = text.strip().lower().replace(",", "")
    if words.isascii() and words.isdigit():  # not "²": isdigit() alone admits such marks
        return int(words)
    words = re.sub(r"\s+and\s+", " ", words).replace("-", " ")
    if words in ("hundred", "a hundred"):
        return 100
    total = 0
    current = 0
    seen = False
    for word in words.split():
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
    total += current
    return total if seen else None


def parse_ordinal(text: str) -> int | None:
    """ "sixtieth", "twenty-first", "21st", "3rd" -> int; else None."""
    word = text.strip().lower()
    match = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", word)
    if match:
        return int(match.group(1))
    parts = word.replace(" ", "-").split("-")
    if len(parts) == 1:
        return _ORDINAL_UNITS.get(word) or _ORDINAL_TENS.get(word)
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _ORDINAL_UNITS:
        return _TENS[parts[0]] + _ORDINAL_UNITS[parts[1]]
    return None


def normalise_qualifier(text: str | None) -> str | None:
    """Collapse spacing and case; "a total of" says nothing beyond the number, so it is dropped."""
    if not text:
        return None
    qualifier = " ".join(text.lower().split())
    return None if qualifier == "a total of" else qualifier


def count_from_match(match: re.Match[str]) -> Count | None:
    """A Count from a match of a pattern built with QUALIFIED_NUMBER."""
    value = parse_number(match.group("number"))
    if value is None:
        return None
    return Count(value, normalise_qualifier(match.group("qualifier")))


def parse_count(text: str) -> Count | None:
    """The first qualified number in `text`: "over 140 experts" -> Count(140, "over")."""
    for match in _QUALIFIED.finditer(text):
        count = count_from_match(match)
        if count is not None:
            return count
    return None
