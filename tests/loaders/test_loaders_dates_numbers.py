"""Dates and counts in the forms press releases write them."""

import pytest

from loaders.dates import PartialDate, find_dates, parse_date
from loaders.numbers import Count, parse_count, parse_number, parse_ordinal

ISSUED = PartialDate(2007, 6, 13)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("Strasbourg, 13.06.2007 –", "2007-06-13", None),
        ("on 13 June 2007", "2007-06-13", None),
        ("held on 11 and 12 June in Strasbourg", "2007-06-11", "2007-06-12"),
        ("from 13 - 14 June 2007", "2007-06-13", "2007-06-14"),
        ("from 30 May - 2 June 2008", "2008-05-30", "2008-06-02"),
        ("in Rio de Janeiro in November 2007", "2007-11", None),
        ("set up in 1949", "1949", None),
        ("on June 13, 2007", "2007-06-13", None),
        ("le 1er juillet 2019", "2019-07-01", None),
        ("le 13 juin 2007", "2007-06-13", None),
        ("dated 2007-06-13", "2007-06-13", None),
        ("signed today", "2007-06-13", None),
        ("ratified yesterday", "2007-06-12", None),
        ("this week", "2007-06-11", "2007-06-17"),
        ("last year", "2006", None),
        ("on August 4-6, 2010 in Oslo", "2010-08-04", "2010-08-06"),
        ("scheduled for Nov. 7-18", "2007-11-07", "2007-11-18"),
        ("announced on Monday, July 9", "2007-07-09", None),
        ("les 10 mai et 3 juin 2005", "2005-05-10", "2005-06-03"),
    ],
)
def test_date_forms(text, first, last):
    [mention] = find_dates(text, ISSUED)
    assert mention.first.iso() == first
    assert (mention.last.iso() if mention.last else None) == last
    assert text[mention.start : mention.end]  # the offsets point into the text


def test_precision_decides_the_xsd_type():
    assert PartialDate(2007, 6, 13).xsd_type == "date"
    assert PartialDate(2007, 11).xsd_type == "gYearMonth"
    assert PartialDate(1949).xsd_type == "gYear"


def test_day_month_without_year_takes_the_issue_year_or_is_left_out():
    assert parse_date("on 11 June", ISSUED) == PartialDate(2007, 6, 11)
    assert parse_date("on 11 June", None) is None


def test_relative_words_need_an_issue_date():
    assert find_dates("today", None) == []


def test_impossible_dates_are_not_dates():
    assert find_dates("31.02.2007") == []
    assert find_dates("on 31 February 2007") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("47", 47),
        ("1,200", 1200),
        ("two", 2),
        ("forty-seven", 47),
        ("Eighteen", 18),
        ("one hundred and twenty", 120),
        ("seventy five", 75),
        ("many", None),
    ],
)
def test_numbers_in_digits_and_words(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"), [("sixtieth", 60), ("twenty-first", 21), ("3rd", 3), ("first", 1)]
)
def test_ordinals(text, value):
    assert parse_ordinal(text) == value


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("over 140 experts", Count(140, "over")),
        ("more than 30 states", Count(30, "more than")),
        ("some twelve delegations", Count(12, "some")),
        ("about 60 participants", Count(60, "about")),
        ("almost 50 countries", Count(50, "almost")),
        ("signed by another 22", Count(22, "another")),
        ("a total of 15 states", Count(15, None)),
        ("55 countries", Count(55, None)),
    ],
)
def test_counts_keep_their_qualifier(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["states may 5 times a year", "rose by March 8-10 per cent"])
def test_a_lower_case_may_or_a_percentage_is_no_date(text):
    assert find_dates(text, ISSUED) == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("la Russie avait notifié mardi son retrait", "2007-06-12"),  # 13 June 2007 is a Wednesday
        ("the ministers met on Monday", "2007-06-11"),
        ("the ministers will meet on Friday", "2007-06-15"),
        ("the report out on Wednesday", "2007-06-13"),
    ],
)
def test_a_weekday_is_the_last_such_day_or_the_next_one_in_the_future(text, day):
    [mention] = find_dates(text, ISSUED)
    assert mention.first.iso() == day


def test_a_weekday_before_a_date_leaves_the_date_to_say_the_day():
    [mention] = find_dates("on Monday, 11 June", ISSUED)
    assert mention.first.iso() == "2007-06-11"


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("the accord adopted last December", "2006-12"),  # the text is of June 2007
        ("a special event in September", "2007-09"),
        ("the talks resume next March", "2008-03"),
        ("la session de mars prochain", "2008-03"),
        ("la conférence de décembre dernier", "2006-12"),
    ],
)
def test_a_month_without_its_year_is_read_against_the_texts_date(text, month):
    [mention] = find_dates(text, ISSUED)
    assert mention.first.iso() == month
