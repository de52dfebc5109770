"""Dates as press releases write them, kept at the precision the text gives.

A date that says only "November 2007" must not become 2007-11-01: that would claim a day the
source never stated. So a date is a year with an optional month and day, and it maps to
xsd:date, xsd:gYearMonth or xsd:gYear accordingly.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ontology.days import day_range

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "janvier": 1,
    "fevrier": 2,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "décembre": 12,
}
_ENGLISH = list(MONTHS)[:12]
_ABBREVIATED = {name[:3]: MONTHS[name] for name in _ENGLISH} | {"sept": 9}


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None:
            datetime.date(self.year, self.month or 0, self.day)  # raises on 31 February
        elif self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is out of range")

    def iso(self) -> str:
        """ "2007-06-13", "2007-11" or "1949": the form the gold files and xsd types use."""
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def xsd_type(self) -> str:
        """Local name of the XML Schema datatype for this precision."""
        if self.day is not None:
            return "date"
        return "gYearMonth" if self.month is not None else "gYear"

    def first_day(self) -> datetime.date:
        """The earliest day this date can mean: 2006 begins on 2006-01-01."""
        return self._days()[0]

    def last_day(self) -> datetime.date:
        """The latest day this date can mean: 2006-02 ends on 2006-02-28."""
        return self._days()[1]

    def _days(self) -> tuple[datetime.date, datetime.date]:
        days = day_range(self.iso())
        assert days is not None, "a PartialDate is checked when it is made"
        return days

    def as_date(self) -> datetime.date | None:
        if self.day is None or self.month is None:  # a day comes with its month (__post_init__)
            return None
        return datetime.date(self.year, self.month, self.day)

    @classmethod
    def from_date(cls, value: datetime.date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @classmethod
    def from_iso(cls, value: str) -> PartialDate:
        """ "2016-10-05", "2016-10" or "2016"; ValueError for anything else."""
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
        if match is None:
            raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    def __str__(self) -> str:
        return self.iso()


@dataclass(frozen=True)
class DateMention:
    """A date or date range found in text, with its character offsets in that text."""

    start: int
    end: int
    first: PartialDate
    last: PartialDate | None = None


_MONTH_WORD = "|".join(sorted((re.escape(name) for name in MONTHS), key=len, reverse=True))
_MONTH_ABBR = "|".join(_ABBREVIATED)
_MONTH = rf"(?:{_MONTH_WORD}|(?:{_MONTH_ABBR})\.?)"
_CAPITAL_MONTH = "|".join(
    [name.capitalize() for name in _ENGLISH] + [rf"{name.capitalize()}\." for name in _ABBREVIATED]
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er)?"
_YEAR = r"(?:1[6-9]|20|21)\d\d"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 13.06.2007, 13/06/2007, 13-06-2007
    ("numeric", re.compile(rf"\b(?P<d>[0-3]?\d)[./-](?P<m>[01]?\d)[./-](?P<y>{_YEAR})\b")),
    # 2007-06-13
    ("iso", re.compile(rf"\b(?P<y>{_YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    # 11 and 12 June 2007, 13 - 14 June 2007, 11-12 June, from 11 to 12 June
    (
        "day-range",
        re.compile(
            rf"\b(?P<d1>{_DAY})\s*(?:-|–|—|and|to|au|et)\s*(?P<d2>{_DAY})\s+(?P<m>{_MONTH})"
            rf"(?:,?\s+(?P<y>{_YEAR}))?\b",
            re.IGNORECASE,
        ),
    ),
    # 30 May - 2 June 2008
    (
        "month-range",
        re.compile(
            rf"\b(?P<d1>{_DAY})\s+(?P<m1>{_MONTH})\s*(?:-|–|—|to|au|and|et)\s*(?P<d2>{_DAY})\s+"
            rf"(?P<m2>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?\b",
            re.IGNORECASE,
        ),
    ),
    # 13 June 2007, 1er juillet 2019, 13 June
    (
        "day-month",
        re.compile(rf"\b(?P<d>{_DAY})\s+(?P<m>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?\b", re.IGNORECASE),
    ),
    # December 4-5, 2025; Nov. 7-18
    (
        "day-range",
        re.compile(
            rf"\b(?P<m>{_MONTH})\s+(?P<d1>{_DAY})\s*(?:-|–|—|to|and)\s*(?P<d2>{_DAY})\b"
            rf"(?:,?\s+(?P<y>{_YEAR})\b)?(?!\s*(?:%|per\s*cent|percent))",
            re.IGNORECASE,
        ),
    ),
    # June 13, 2007
    (
        "month-day",
        re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})\b", re.IGNORECASE),
    ),
    # October 16, Oct. 5 (a capitalised English month: "may 5" is no date)
    (
        "month-day",
        re.compile(
            rf"\b(?P<m>{_CAPITAL_MONTH})\s+(?P<d>[0-3]?\d(?:st|nd|rd|th)?)"
            r"\b(?![.,]?\d|\s*(?:%|per\s*cent|percent|[-–]))"
        ),
    ),
    # November 2007
    ("month-year", re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<y>{_YEAR})\b", re.IGNORECASE)),
    # in 1949, since 1999
    ("year", re.compile(rf"\b(?:in|since|from|of|en|depuis)\s+(?P<y>{_YEAR})\b", re.IGNORECASE)),
]

_DIGIT = re.compile(r"\d")
_MONTH_WORD_ANYWHERE = re.compile(rf"(?:{_MONTH_WORD}|{_MONTH_ABBR})", re.IGNORECASE)
_MONTHLESS = ("numeric", "iso", "year")

_RELATIVE = re.compile(
    r"\b(?P<word>today|yesterday|tomorrow|this week|this month|last month|this year|last year"
    r"|next year|aujourd'hui|hier|on the (?:first|opening) day|le jour de l['’]ouverture)\b",
    re.IGNORECASE,
)


_ANY_DATE = re.compile(
    r"\d|today|yesterday|tomorrow|this (?:week|month|year)|(?:last|next) (?:month|year)"
    r"|aujourd|hier|first day|opening day|jour de l|day\b|lundi|mardi|mercredi|jeudi|vendredi"
    r"|samedi|dimanche|" + "|".join(MONTHS),
    re.IGNORECASE,
)
"""Every date form has a digit, a relative word, a weekday or a month: a cheap test before the
patterns."""


def month_number(word: str) -> int | None:
    """The month named by an English or French word or abbreviation, if it names one."""
    key = word.lower().rstrip(".")
    return MONTHS.get(key) or _ABBREVIATED.get(key)


def _day(text: str) -> int:
    digits = re.match(r"\d+", text)
    assert digits is not None, "the patterns capture a day as digits"
    return int(digits.group())


def _build(
    year: int | None, month: int | None, day: int | None, issued: PartialDate | None
) -> PartialDate | None:
    """The date, or None when the text gives no year and no issue date, or no such day."""
    if year is None:
        if issued is None:
            return None
        year = issued.year
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


def _relative(word: str, issued: PartialDate) -> tuple[PartialDate, PartialDate | None] | None:
    """Resolve "today", "last year" ... against the issue date; None when it cannot be."""
    word = word.lower()
    if word in ("this year",):
        return PartialDate(issued.year), None
    if word == "last year":
        return PartialDate(issued.year - 1), None
    if word == "next year":
        return PartialDate(issued.year + 1), None
    if issued.month is None:
        return None
    if word == "this month":
        return PartialDate(issued.year, issued.month), None
    if word == "last month":
        year, month = (issued.year, issued.month - 1) if issued.month > 1 else (issued.year - 1, 12)
        return PartialDate(year, month), None
    day = issued.as_date()
    if day is None:
        return None
    if word in (
        "today",
        "aujourd'hui",
        "on the first day",
        "on the opening day",
    ) or word.startswith("le jour de l"):
        return issued, None
    if word in ("yesterday", "hier"):
        return PartialDate.from_date(day - datetime.timedelta(days=1)), None
    if word == "tomorrow":
        return PartialDate.from_date(day + datetime.timedelta(days=1)), None
    if word == "this week":
        monday = day - datetime.timedelta(days=day.weekday())
        return PartialDate.from_date(monday), PartialDate.from_date(
            monday + datetime.timedelta(days=6)
        )
    return None


def find_dates(text: str, issued: PartialDate | None = None) -> list[DateMention]:
    """Every date and date range in `text`, left to right, without overlaps.

    A date without a year takes the year of `issued` (the document's issue date); relative
    words ("today", "last year") are resolved against it and skipped when it is unknown.
    """
    found: list[DateMention] = []
    if _ANY_DATE.search(text) is None:
        return found
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    digits = _DIGIT.search(text) is not None
    months = digits and _MONTH_WORD_ANYWHERE.search(text) is not None
    for kind, pattern in _PATTERNS:
        if not digits or (not months and kind not in _MONTHLESS):
            continue  # every pattern needs a digit; all but three a month's name
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            mention = _mention(kind, match, issued)
            if mention is not None:
                found.append(mention)
            if mention is not None or match.groupdict().get("y"):
                # an impossible full date ("31 February 2007") is no date at all, not a month
                taken.append((match.start(), match.end()))
    if issued is not None:
        for match in _RELATIVE.finditer(text):
            if free(match.start(), match.end()):
                resolved = _relative(match.group("word"), issued)
                if resolved is not None:
                    found.append(DateMention(match.start(), match.end(), *resolved))
                    taken.append((match.start(), match.end()))
    if issued is not None and issued.month is not None:
        for match in _MONTH_RELATIVE.finditer(text):
            if free(match.start(), match.end()):
                month = _month_of(match, issued)
                found.append(DateMention(match.start(), match.end(), month))
                taken.append((match.start(), match.end()))
    if issued is not None and issued.day is not None:
        for match in _WEEKDAY.finditer(text):
            if free(match.start(), match.end() + 3):
                day = _weekday(text, match, issued)
                found.append(DateMention(match.start("day"), match.end("day"), day))
    return sorted(found, key=lambda mention: mention.start)


_ENGLISH_MONTH = "|".join(name.capitalize() for name in _ENGLISH)
_FRENCH_MONTH = "|".join(name for name in list(MONTHS)[12:])
_MONTH_RELATIVE = re.compile(
    rf"\b(?P<rel>(?i:last|next|this|in|during))\s+(?P<m>{_ENGLISH_MONTH})\b(?![ \t]*,?[ \t]*\d)"
    rf"|(?:\b(?P<fr_rel>en|au\s+mois\s+de|de)\s+|\bd['’])(?P<fm>{_FRENCH_MONTH})\b(?:\s+(?P<fr_after>dernier"
    r"|prochain))?(?![ \t]*,?[ \t]*\d)",
)
"""A month named without its year: "last December", "in September", "en mars prochain"."""


def _month_of(match: re.Match[str], issued: PartialDate) -> PartialDate:
    """The month meant, read against the text's date: "last" looks back, "next" ahead, and
    a bare month is in the text's own year."""
    assert issued.month is not None
    month = month_number(match.group("m") or match.group("fm")) or 1
    relation = (match.group("rel") or match.group("fr_after") or "").lower()
    year = issued.year
    if relation in ("last", "dernier") and month >= issued.month:
        year -= 1
    elif relation in ("next", "prochain") and month <= issued.month:
        year += 1
    return PartialDate(year, month)


_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4}
_WEEKDAYS |= {"saturday": 5, "sunday": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3}
_WEEKDAYS |= {"vendredi": 4, "samedi": 5, "dimanche": 6}
_WEEKDAY = re.compile(
    rf"\b(?P<day>{'|'.join(_WEEKDAYS)})\b(?!\s*,?\s*\(?\s*(?:\d|{_MONTH_WORD}|{_MONTH_ABBR}))",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|shall|is\s+to|are\s+to|next|coming|scheduled|due|prochain\w*|aura|sera|seront"
    r"|doit|doivent|devra)\b[^.;]{0,40}$",
    re.IGNORECASE,
)


def _weekday(text: str, match: re.Match[str], issued: PartialDate) -> PartialDate:
    """ "On Tuesday", "mardi": the last such day up to the text's date, or the next one when
    the sentence speaks of the future ("will meet on Tuesday")."""
    today = issued.as_date()
    assert today is not None
    wanted = _WEEKDAYS[match.group("day").lower()]
    if _FUTURE.search(text, max(0, match.start() - 60), match.start()):
        ahead = (wanted - today.weekday()) % 7
        return PartialDate.from_date(today + datetime.timedelta(days=ahead))
    back = (today.weekday() - wanted) % 7
    return PartialDate.from_date(today - datetime.timedelta(days=back))


def _mention(kind: str, match: re.Match[str], issued: PartialDate | None) -> DateMention | None:
    groups = match.groupdict()
    year = int(groups["y"]) if groups.get("y") else None
    if kind in ("numeric", "iso"):
        first = _build(year, int(groups["m"]), int(groups["d"]), None)
        return DateMention(match.start(), match.end(), first) if first else None
    if kind == "day-range":
        month = month_number(groups["m"])
        first = _build(year, month, _day(groups["d1"]), issued)
        last = _build(year, month, _day(groups["d2"]), issued)
        if first and last and first <= last:
            return DateMention(match.start(), match.end(), first, last)
        return None
    if kind == "month-range":
        first = _build(year, month_number(groups["m1"]), _day(groups["d1"]), issued)
        last = _build(year, month_number(groups["m2"]), _day(groups["d2"]), issued)
        if first and last and first <= last:
            return DateMention(match.start(), match.end(), first, last)
        return None
    if kind in ("day-month", "month-day"):
        first = _build(year, month_number(groups["m"]), _day(groups["d"]), issued)
        return DateMention(match.start(), match.end(), first) if first else None
    if kind == "month-year":
        first = _build(year, month_number(groups["m"]), None, None)
        return DateMention(match.start(), match.end(), first) if first else None
    first = PartialDate(int(groups["y"]))
    return DateMention(match.start("y"), match.end("y"), first)


def parse_date(text: str, issued: PartialDate | None = None) -> PartialDate | None:
    """The first date in `text` (a range gives its first day), or None."""
    mentions = find_dates(text, issued)
    return mentions[0].first if mentions else None
