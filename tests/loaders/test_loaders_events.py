"""Event rule family (loaders/rules/events.py): conferences and meetings known by their name
or kind, one fact each. Every sentence is written here."""

from loaders import make_document
from loaders.extraction import extract


def events(text: str, issued: str = "14.10.2019") -> set[tuple]:
    body = f"Geneva, {issued} – Opening words of the release.\n\n" + text
    found = [f.to_gold() for f in extract(make_document(body, "sample")).facts]
    return {
        (f["type"], f["organiser"], f["place"], f["startDate"], f["endDate"])
        for f in found
        if f["type"] in ("Conference", "Meeting")
    }


def test_numbered_conferences_of_the_parties_each_with_their_own_place_and_dates():
    found = events(
        "The accord was adopted last December at the 24th session of the Conference of the "
        "Parties (COP24). It came into force just before COP25, scheduled for 2-13 December "
        "in Madrid, Spain."
    )
    assert ("Conference", None, None, "2018-12", None) in found
    assert ("Conference", None, "madrid", "2019-12-02", "2019-12-13") in found


def test_a_body_meeting_named_twice_is_one_meeting_with_what_both_say():
    found = events(
        "The 26th Ministerial Council of the Organization for Security and Co-operation in "
        "Europe will convene on 5-6 December 2019 in Rome. The Ministerial Council is "
        "the main decision-making body."
    )
    osce = "organization-for-security-and-co-operation-in-europe"
    assert found == {("Meeting", osce, "rome", "2019-12-05", "2019-12-06")}


def test_an_event_at_an_organisations_headquarters_is_hosted_by_it():
    found = events(
        "The threshold was crossed during a special event at U.N. headquarters in New York "
        "in September."
    )
    assert found == {("Meeting", "united-nations", "new-york", "2019-09", None)}


def test_a_conference_concluding_today_gives_its_last_day_only():
    found = events("She spoke to a conference on data protection concluding in Strasbourg today.")
    assert {(kind, place, start, end) for kind, _, place, start, end in found} == {
        ("Conference", "strasbourg", None, "2019-10-14")
    }


def test_a_bare_ceremony_is_no_event_and_a_date_in_another_clause_is_not_the_summits():
    assert events("The ceremony was moving.") == set()
    found = events("En marge du Sommet de Lomé, la ministre a signé le 12 octobre 2019 un accord.")
    assert {(kind, place, start) for kind, _, place, start, _ in found} == {
        ("Conference", "lome", None)
    }


def test_an_event_is_where_the_sentence_says_not_where_the_dateline_is():
    document = make_document(
        "Geneva, 3 March 2025 – Some 300 participants from 80 countries attended the Octopus "
        "Conference in Strasbourg on 12 December 2024.\n",
        "dateline",
    )
    [conference] = [f for f in extract(document).facts if f.kind == "Conference"]
    assert conference.place is not None and conference.place.key == "strasbourg"


def test_a_conference_without_a_proper_name_is_named_by_what_it_is_about():
    document = make_document(
        "Vilnius, 5 September 2024 – The treaty was opened for signature during a conference "
        "of Ministers of Justice held in Vilnius on 5 September 2024.\n",
        "unnamed",
    )
    [conference] = [f for f in extract(document).facts if f.kind == "Conference"]
    assert conference.name == "conference of Ministers of Justice"


def test_french_conferences_and_meetings_with_their_place_dates_and_organiser():
    assert events(
        "La conférence des ministres de la Justice du Conseil de l'Europe s'est tenue à Vilnius "
        "les 5 et 6 septembre 2019."
    ) == {("Conference", "council-of-europe", "vilnius", "2019-09-05", "2019-09-06")}
    assert events(
        "Une réunion du Comité des Ministres a eu lieu à Strasbourg le 12 mars 2019."
    ) == {("Meeting", "committee-of-ministers", "strasbourg", "2019-03-12", "2019-03-12")}
    assert events(
        "Le colloque organisé par le Conseil de l'Europe a eu lieu à Paris le 3 mai 2019."
    ) == {("Conference", "council-of-europe", "paris", "2019-05-03", "2019-05-03")}


def test_an_organisation_named_before_an_event_or_in_a_summit_name_organises_it():
    assert events("The OSCE Ministerial Council met in Vienna on 4-5 July 2019.") == {
        (
            "Meeting",
            "organization-for-security-and-co-operation-in-europe",
            "vienna",
            "2019-07-04",
            "2019-07-05",
        )
    }
    assert events(
        "Le Sommet de l'Union africaine s'est tenu à Addis-Abeba les 9 et 10 février 2019."
    ) == {("Conference", "african-union", "addis-ababa", "2019-02-09", "2019-02-10")}


def event_facts(text: str) -> list[dict[str, object]]:
    body = "Geneva, 14.10.2019 – Opening words of the release.\n\n" + text
    found = [f.to_gold() for f in extract(make_document(body, "sample")).facts]
    return [f for f in found if f["type"] in ("Conference", "Meeting")]


def test_an_ordinal_summit_of_a_group_held_in_a_city_on_two_days():
    found = event_facts(
        "The 9th Example Summit was held in Vienna on 3 and 4 May 2023. "
        "The Summit adopted a declaration."
    )
    assert [(f["type"], f["place"], f["startDate"], f["endDate"]) for f in found] == [
        ("Conference", "vienna", "2023-05-03", "2023-05-04")
    ]


def test_a_place_the_tables_lack_after_the_date():
    found = event_facts("The 7th Nordic Summit was held on 12 and 13 June 2022 in Tromsville.")
    assert [(f["place"], f["startDate"], f["endDate"]) for f in found] == [
        ("tromsville", "2022-06-12", "2022-06-13")
    ]


def test_a_celebration_held_in_a_city_with_its_guests():
    found = event_facts(
        "Montenegro joined the union on 1 March 2024. The celebration held in Podgorica "
        "on 2 March 2024 was attended by 120 foreign guests and 9 heads of state."
    )
    assert [(f["type"], f["place"], f["participantCount"]) for f in found] == [
        ("Meeting", "podgorica", 120)
    ]


def test_a_conference_from_one_day_to_another_month():
    found = event_facts(
        "The Example Conference on Fisheries took place in Lisbon from March 30 to April 2, "
        "2021, with ministers from many countries."
    )
    assert [(f["place"], f["startDate"], f["endDate"]) for f in found] == [
        ("lisbon", "2021-03-30", "2021-04-02")
    ]


def test_a_conference_that_opened_today_and_runs_until_a_later_day():
    found = event_facts(
        "The Fourth Invented Conference opened on 14 October 2019 in Oslo and will continue "
        "until 17 October."
    )
    assert [(f["startDate"], f["endDate"]) for f in found] == [("2019-10-14", "2019-10-17")]


def test_a_conference_that_opened_on_a_day_has_no_end_from_that_day():
    found = event_facts("The Seventh Madeup Conference opened in Oslo on 14 October 2019.")
    assert [(f["startDate"], f["endDate"]) for f in found] == [("2019-10-14", None)]


def test_delegations_are_counted_apart_from_participants():
    found = event_facts(
        "The Example Conference opened in Oslo on 14 October 2019. Some 90 delegations and "
        "1,200 participants are taking part in the conference."
    )
    assert [(f["delegationCount"], f["participantCount"]) for f in found] == [(90, 1200)]


def test_two_office_holders_who_had_a_meeting_in_a_city_on_a_day():
    found = event_facts(
        "On 3 May 2019, in Vienna, Ana Example, Foreign Minister of Chile, had a meeting with "
        "Juan Madeup, Secretary General of the Council of Europe."
    )
    assert [(f["type"], f["organiser"], f["place"], f["startDate"]) for f in found] == [
        ("Meeting", None, "vienna", "2019-05-03")
    ]


def test_a_visit_received_at_headquarters_and_then_called_the_meeting():
    found = event_facts(
        "The Chairperson of the African Union Commission, Musa Invented, received the "
        "Minister of Trade of Peru, Rosa Madeup, at the African Union headquarters on "
        "10 October 2019. The meeting ended with a joint statement."
    )
    assert [(f["type"], f["place"], f["startDate"], f["endDate"]) for f in found] == [
        ("Meeting", "addis-ababa", "2019-10-10", "2019-10-10")
    ]


def test_receiving_an_instrument_is_no_meeting():
    found = event_facts(
        "The Secretary General of the Council of Europe, Juan Madeup, received the instrument "
        "from Ambassador Ana Example, Permanent Representative of Chile, on 3 May 2019 in "
        "Strasbourg."
    )
    assert found == []


def test_a_conference_attended_in_a_city_the_tables_lack():
    found = event_facts("Some 200 participants attended the conference in Korvala on 4-5 May 2019.")
    assert [(f["place"], f["participantCount"]) for f in found] == [("korvala", 200)]


def test_a_conference_word_inside_an_organisations_name_is_no_event():
    found = event_facts(
        "Peru joined the Hague Conference on Private International Law in The Hague on 3 May 2019."
    )
    assert found == []


def test_a_session_that_opened_on_a_day_has_no_end_from_it():
    found = event_facts(
        "The 70th session of the United Nations General Assembly opened in New York on "
        "15 September 2015."
    )
    assert [(f["type"], f["place"], f["startDate"], f["endDate"]) for f in found] == [
        ("Meeting", "new-york", "2015-09-15", None)
    ]


def test_its_meeting_belongs_to_the_body_named_after():
    found = event_facts(
        "At its meeting in Oslo on 3 May 2019, the Committee of Ministers adopted the text."
    )
    assert [(f["organiser"], f["place"], f["startDate"]) for f in found] == [
        ("committee-of-ministers", "oslo", "2019-05-03")
    ]


def test_a_meeting_of_a_board_of_an_organisation():
    found = event_facts(
        "The annual meeting of the Board of Governors of the International Monetary Fund "
        "took place in Lima on 9-11 October 2015."
    )
    assert [(f["organiser"], f["place"], f["endDate"]) for f in found] == [
        ("international-monetary-fund", "lima", "2015-10-11")
    ]


def test_a_body_that_met_in_a_town_the_tables_lack():
    found = event_facts(
        "The 25th Ministerial Council of the OSCE met in Korvala on 7 and 8 December 2018."
    )
    assert [(f["place"], f["startDate"], f["endDate"]) for f in found] == [
        ("korvala", "2018-12-07", "2018-12-08")
    ]


def test_an_event_named_as_an_example_with_nothing_said_of_it_is_no_fact():
    found = event_facts("Talks go on ahead of key summits this year, like COP30.")
    assert found == []


def test_a_french_count_with_a_space_between_thousands():
    found = event_facts(
        "La conférence s'est tenue à Genève les 2 et 3 juin 2019 et a réuni plus de 2 500 "
        "participants."
    )
    assert [(f["participantCount"], f["participantQualifier"]) for f in found] == [
        (2500, "plus de")
    ]


def test_a_date_of_another_act_in_the_sentence_does_not_date_the_conference():
    found = event_facts(
        "The Convention, adopted on 17 May 2019, was opened for signature at the conference "
        "of Ministers of Justice in Vilnius."
    )
    assert [(f["place"], f["startDate"], f["endDate"]) for f in found] == [("vilnius", None, None)]


def test_a_date_before_the_host_and_its_conference_dates_it():
    found = event_facts("On 6 and 7 May 2019 the OSCE held its annual conference in Vienna.")
    assert [(f["place"], f["startDate"], f["endDate"]) for f in found] == [
        ("vienna", "2019-05-06", "2019-05-07")
    ]


def test_a_region_a_conference_is_about_is_not_its_place():
    found = event_facts(
        "The conference on the rule of law in Africa gathered 300 experts on 3 May 2019."
    )
    assert [(f["place"], f["participantCount"]) for f in found] == [(None, 300)]
