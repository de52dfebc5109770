"""Counts and memberships: treaty status from cardinals and ordinals, member counts, tallies of
one day's acts, and the ways a text states who is a member. Every sentence is written here."""

import pytest

from loaders import make_document
from loaders.extraction import extract
from loaders.numbers import Count, parse_count, parse_number, parse_ordinal


def statuses(text: str) -> list[dict]:
    return facts(text, "TreatyStatus")


def facts(text: str, kind: str) -> list[dict]:
    body = "Strasbourg, 13.06.2007 – Opening words of the release.\n\n" + text
    extraction = extract(make_document(body, "sample"))
    return [f.to_gold() for f in extraction.facts if f.kind == kind]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("vingt et un", 21),
        ("quatre-vingt-dix", 90),
        ("soixante-dix-sept", 77),
        ("a dozen", 12),
        ("une douzaine de", 12),
    ],
)
def test_french_numbers_and_dozens(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("31e", 31), ("1er", 1), ("trente et unième", 31), ("cinquième", 5), ("5th", 5)],
)
def test_french_and_abbreviated_ordinals(text, value):
    assert parse_ordinal(text) == value


def test_french_qualifiers_are_kept():
    assert parse_count("plus de 40 pays") == Count(40, "plus de")
    assert parse_count("près de quarante-six délégations") == Count(46, "près de")


def test_an_ordinal_ratification_is_a_ratified_count_for_the_treaty_named_after_it():
    text = "Peru became the 9th State to ratify the Convention on Cybercrime."
    (status,) = facts(text, "TreatyStatus")
    assert status["treaty"] == "ets-185"
    assert status["ratifiedCount"] == 9


def test_a_number_of_parties_is_a_parties_count():
    (status,) = facts("The Convention on Cybercrime now has 64 Parties.", "TreatyStatus")
    assert status["partiesCount"] == 64


def test_states_acting_on_a_named_day_make_a_tally_not_a_status():
    text = "On 3 May 2007, 12 States signed the Convention on Cybercrime."
    (tally,) = facts(text, "ActionTally")
    assert (tally["action"], tally["count"], tally["date"]) == ("Signature", 12, "2007-05-03")
    assert facts(text, "TreatyStatus") == []


def test_a_count_over_a_period_is_no_tally():
    assert facts("Since 2001, 12 States signed the Convention on Cybercrime.", "ActionTally") == []


def test_member_counts_from_cardinals_and_ordinals():
    (count,) = facts("The 46 Council of Europe member states met in Paris.", "MemberCount")
    assert (count["organisation"], count["count"], count["asOf"]) == (
        "council-of-europe",
        46,
        "2007-06-13",
    )
    assert facts("Its 11 non-member partners of the Council of Europe met.", "MemberCount") == []


def test_becoming_the_nth_member_dates_the_membership():
    text = "Peru became the 50th member of the Council of Europe on 2 May 2007."
    (membership,) = facts(text, "Membership")
    assert (membership["member"], membership["since"]) == ("PER", "2007-05-02")
    (count,) = facts(text, "MemberCount")
    assert (count["count"], count["asOf"]) == (50, "2007-05-02")


def test_states_excepted_from_all_member_states_are_members():
    text = "The treaty was ratified by all Council of Europe member states except Malta and Chile."
    members = {(f["member"], f["asOf"]) for f in facts(text, "Membership")}
    assert members == {("MLT", "2007-06-13"), ("CHL", "2007-06-13")}


def test_being_a_member_or_a_party_is_dated_by_the_issue_or_since():
    assert facts("Malta is also a member of the Council of Europe.", "Membership")[0]["asOf"] == (
        "2007-06-13"
    )
    party = facts(
        "Malta has been a Party to the Convention on Cybercrime since 3 May 2005.", "Membership"
    )
    assert (party[0]["organisation"], party[0]["since"]) == ("ets-185", "2005-05-03")


def test_applications_and_suspensions():
    (application,) = facts(
        "Malta applied for membership of the Council of Europe in 1998.", "MembershipApplication"
    )
    assert (application["member"], application["date"]) == ("MLT", "1998")
    (suspension,) = facts("The Council of Europe suspended the rights of Malta.", "Suspension")
    assert suspension["member"] == "MLT"


def test_an_ordinal_status_is_dated_by_the_day_of_its_own_clause():
    body = (
        "Strasbourg, 29 January 2021 – Opening words.\n\nPortugal has been a Party to "
        "Convention 108 since 1 July 1993; yesterday it became the 12th State to ratify the "
        "Amending Protocol to Convention 108."
    )
    from loaders import make_document
    from loaders.extraction import extract

    found = [f.to_gold() for f in extract(make_document(body, "sample")).facts]
    statuses = [f for f in found if f["type"] == "TreatyStatus"]
    assert [(s["treaty"], s["asOf"], s["ratifiedCount"]) for s in statuses] == [
        ("cets-223", "2021-01-28", 12)
    ]


def test_the_number_of_parties_said_to_reach_a_value():
    for sentence, field, value in (
        (
            "With this, the number of Parties to the Convention on Cybercrime rises to 77.",
            "partiesCount",
            77,
        ),
        (
            "The total number of ratifications of the Convention on Cybercrime now stands at 70.",
            "ratifiedCount",
            70,
        ),
        (
            "Cette adhésion porte à 77 le nombre de Parties à la Convention sur la "
            "cybercriminalité.",
            "partiesCount",
            77,
        ),
        (
            "Le nombre de signatures de la Convention sur la cybercriminalité s'élève à 48.",
            "signatoriesCount",
            48,
        ),
    ):
        [status] = statuses(sentence)
        assert status[field] == value, sentence


def test_french_round_numbers_count_with_their_hedge():
    [status] = statuses(
        "La Convention sur la cybercriminalité a été ratifiée par une soixantaine d'États."
    )
    assert status["ratifiedCount"] == 60
    assert status["qualifiers"] == {"ratifiedCount": "environ"}


def test_states_that_acted_on_no_stated_day_are_a_status_not_a_tally():
    [status] = statuses(
        "To date, 46 states have signed the Convention on Cybercrime and 12 have ratified it."
    )
    assert status["ratifiedCount"] == 12 and status["signedOnlyCount"] == 46


@pytest.mark.parametrize(
    "text",
    [
        "The number of signatory States, i.e. those that signed the Convention on Cybercrime but "
        "have yet to ratify it, now stands at 12.",
        "Signatory States of the Convention on Cybercrime (those that signed without ratifying) "
        "currently stand at 12.",
        "Of the others, 12 States have signed the Convention on Cybercrime but await ratification.",
    ],
)
def test_signatories_that_have_not_ratified_are_a_signed_only_count(text):
    (status,) = statuses(text)
    assert status["signedOnlyCount"] == 12
    assert status["signatoriesCount"] is None


@pytest.mark.parametrize(
    "text",
    [
        "To enter into force, the Convention on Cybercrime needs 20 ratifications.",
        "Pour entrer en vigueur, la Convention sur la cybercriminalité a besoin de 20 "
        "ratifications.",
        "For the Convention on Cybercrime, 20 ratifications are required before it takes effect.",
    ],
)
def test_a_number_of_ratifications_still_needed_is_no_status(text):
    assert statuses(text) == []


def test_a_threshold_said_to_be_crossed_is_a_status():
    text = "The Convention on Cybercrime has now passed the threshold of 20 ratifications needed."
    (status,) = statuses(text)
    assert status["ratifiedCount"] == 20


def test_french_states_that_have_ratified_counted_in_a_relative_clause():
    text = (
        "On compte désormais trente-deux pays au total qui l'ont ratifiée, la Convention sur "
        "la cybercriminalité."
    )
    (status,) = statuses(text)
    assert status["ratifiedCount"] == 32


def test_acts_a_treaty_received_at_one_time_are_no_status():
    found = statuses(
        "At the ceremony the Convention on Cybercrime received nine signatures and four "
        "ratifications, and its Additional Protocol received two signatures. The Convention on "
        "Cybercrime has received 40 ratifications so far."
    )
    assert [(s["treaty"], s["ratifiedCount"], s["signedOnlyCount"]) for s in found] == [
        ("ets-185", 40, None)
    ]


def test_that_day_dates_a_tally_with_the_day_before():
    [tally] = facts(
        "The Convention on Cybercrime opened for signature on 3 March 2007. That day 21 states "
        "signed it.",
        "ActionTally",
    )
    assert (tally["date"], tally["action"], tally["count"]) == ("2007-03-03", "Signature", 21)


def test_some_members_that_acted_are_no_member_count():
    assert not facts(
        "At the United Nations, 24 member states undertook 31 treaty actions this week.",
        "MemberCount",
    )
    [count] = facts("The 38 member states of the OECD adopted the text.", "MemberCount")
    assert count["count"] == 38


def test_a_number_a_treaty_waits_for_is_no_status():
    assert not statuses(
        "The Convention on Cybercrime will enter into force three months after the fifth "
        "ratification. The Protocol will apply once ten ratifications are deposited. It takes "
        "effect after eight ratifications."
    )


def test_what_had_been_done_as_of_a_day_and_french_ordinals():
    [status] = statuses(
        "As of 1 June 2007, 41 States had ratified the Convention on Cybercrime and a further "
        "5 had signed it."
    )
    assert (status["asOf"], status["ratifiedCount"], status["signedOnlyCount"]) == (
        "2007-06-01",
        41,
        5,
    )
    [status] = statuses(
        "Malte est devenue le 42e État à ratifier la Convention sur la cybercriminalité."
    )
    assert status["ratifiedCount"] == 42


def test_a_number_of_signatures_is_the_total_and_deposits_count_as_ratifications():
    [status] = statuses(
        "The Convention on Cybercrime has gathered 51 signatures and 12 ratifications so far."
    )
    assert (status["signatoriesCount"], status["ratifiedCount"]) == (51, 12)
    assert status["signedOnlyCount"] is None
    [status] = statuses(
        "Nine countries have deposited their instruments of ratification of the Convention on "
        "Cybercrime."
    )
    assert status["ratifiedCount"] == 9


def test_a_french_feminine_participle_counts():
    [status] = statuses("La Convention sur la cybercriminalité a été signée par 21 États membres.")
    assert status["signatoriesCount"] == 21


def test_the_number_of_ratifying_states():
    [status] = statuses(
        "For the Convention on Cybercrime, the number of ratifying states is now 32."
    )
    assert status["ratifiedCount"] == 32
