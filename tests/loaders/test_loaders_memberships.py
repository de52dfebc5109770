"""Membership rule family (loaders/rules/memberships.py): lists of member states in the
forms texts use, in English and French. Every sentence is written here."""

from loaders import make_document
from loaders.extraction import extract

BODY = "Strasbourg, 13.06.2019 – Opening words of the release.\n\n"


def facts(text: str, kind: str) -> set[tuple]:
    body = "Strasbourg, 13.06.2019 – Opening words of the release.\n\n" + text
    found = [f.to_gold() for f in extract(make_document(body, "sample")).facts]
    if kind == "Membership":
        return {(f["member"], f["organisation"], f["asOf"]) for f in found if f["type"] == kind}
    if kind == "MemberCount":
        return {(f["organisation"], f["count"]) for f in found if f["type"] == kind}
    return {(f["actor"], f["treaty"]) for f in found if f["type"] == kind}


def test_members_of_a_named_organisation_listed_after_a_colon():
    text = (
        "The Convention on Cybercrime has been signed by 33 member States of the Council of "
        "Europe: Albania, Austria and Croatia."
    )
    assert facts(text, "Membership") == {
        (state, "council-of-europe", "2019-06-13") for state in ("ALB", "AUT", "HRV")
    }
    assert facts(text, "Signature") == {(s, "ets-185") for s in ("ALB", "AUT", "HRV")}
    # 33 states that signed are a part of the membership, not its size
    assert facts(text, "MemberCount") == set()


def test_some_of_them_namely():
    text = (
        "The Istanbul Convention has been accepted by all EU Member States and ratified by 21 "
        "of them, namely: Cyprus, Denmark and Estonia."
    )
    assert facts(text, "Membership") == {
        (state, "european-union", "2019-06-13") for state in ("CYP", "DNK", "EST")
    }


def test_french_lists_in_brackets_and_after_sont():
    text = (
        "Les États membres du Conseil de l'Europe qui ont signé la Convention sont : la Grèce "
        "et l'Islande. La Convention d'Istanbul a été signée par 12 États membres de l'Union "
        "européenne (Italie, Lettonie et Malte) ainsi que par l'Union européenne."
    )
    assert facts(text, "Membership") == {
        ("GRC", "council-of-europe", "2019-06-13"),
        ("ISL", "council-of-europe", "2019-06-13"),
        ("ITA", "european-union", "2019-06-13"),
        ("LVA", "european-union", "2019-06-13"),
        ("MLT", "european-union", "2019-06-13"),
    }
    assert ("european-union", "cets-210") in facts(text, "Signature")


def test_a_list_before_all_members_and_labelled_lists_that_share_the_verb():
    text = (
        "The states that have signed the Lanzarote Convention so far are: Moldova and Monaco, "
        "all Council of Europe member states; observer states of the Council of Europe: Canada "
        "and Japan; and non-member states: Uruguay."
    )
    assert facts(text, "Membership") == {
        ("MDA", "council-of-europe", "2019-06-13"),
        ("MCO", "council-of-europe", "2019-06-13"),
    }  # observers and non-members are not members
    assert facts(text, "Signature") == {
        (state, "cets-201") for state in ("MDA", "MCO", "CAN", "JPN", "URY")
    }


def test_a_possessive_state_owns_the_act_noun():
    body = (
        "Strasbourg, 13.06.2019 – Opening words.\n\nNorway's ratification of the Convention on "
        "Cybercrime was deposited on 3 May 2019."
    )
    found = [f.to_gold() for f in extract(make_document(body, "sample")).facts]
    assert {"type": "Ratification", "actor": "NOR", "treaty": "ets-185", "date": "2019-05-03"} in [
        {k: f.get(k) for k in ("type", "actor", "treaty", "date")} for f in found
    ]


def test_acceding_to_a_treaty_in_french_is_an_accession_not_a_membership():
    document = make_document(
        "Genève, 3 mars 2025 – Le Chili a adhéré à la Convention sur la cybercriminalité le "
        "20 avril 2017.\n",
        "adhesion",
    )
    kinds = {fact.kind for fact in extract(document).facts}
    assert "Accession" in kinds and "Membership" not in kinds


def test_a_member_read_from_a_list_line_keeps_the_heading_as_evidence():
    body = (
        "Strasbourg, 13.06.2019 – The Council of Europe today has\n\n3 member states\n"
        "Andorra\nAustria\nMonaco\n"
    )
    document = make_document(body, "sample")
    [andorra] = [
        fact
        for fact in extract(document).facts
        if fact.kind == "Membership" and fact.to_gold()["member"] == "AND"
    ]
    assert andorra.evidence.text == "Andorra"
    assert andorra.introduced_by is not None
    assert andorra.introduced_by.text == "3 member states"
    start, end = andorra.introduced_by.start, andorra.introduced_by.end
    assert body[start:end] == "3 member states"


def test_becoming_a_party_without_the_act_named_is_a_membership_of_the_treaty():
    text = (
        "In 2016, Peru became party to the Convention on Cybercrime. Le Chili est devenu "
        "partie à la Convention sur la cybercriminalité le 20 avril 2017."
    )
    found = [f.to_gold() for f in extract(make_document(BODY + text, "sample")).facts]
    assert {
        (f["member"], f["organisation"], f["since"]) for f in found if f["type"] == "Membership"
    } == {("PER", "ets-185", "2016"), ("CHL", "ets-185", "2017-04-20")}


def test_becoming_a_party_through_an_act_the_text_states_is_that_act_alone():
    text = (
        "Nigeria becomes a Party to the Convention on Cybercrime.\n\nNigeria today deposited "
        "its instrument of accession to the Convention on Cybercrime."
    )
    found = [f.to_gold() for f in extract(make_document(BODY + text, "sample")).facts]
    assert not [f for f in found if f["type"] == "Membership"]
    assert [(f["actor"], f["treaty"]) for f in found if f["type"] == "Accession"] == [
        ("NGA", "ets-185")
    ]


def gold_of(text: str, kind: str) -> list[dict]:
    found = [f.to_gold() for f in extract(make_document(BODY + text, "sample")).facts]
    return [f for f in found if f["type"] == kind]


def test_states_admitted_as_members_after_the_noun_join_on_the_day_named():
    text = (
        "On 3 May 2004 the General Assembly admitted as the 200th and 201st Member States "
        "Norway and Chile."
    )
    found = {(f["member"], f["organisation"], f["since"]) for f in gold_of(text, "Membership")}
    assert found == {
        ("NOR", "united-nations", "2004-05-03"),
        ("CHL", "united-nations", "2004-05-03"),
    }


def test_a_state_admitted_in_the_passive_is_a_member():
    text = "Ireland was admitted as a new member of the World Health Organization."
    (membership,) = gold_of(text, "Membership")
    assert membership["member"] == "IRL"
    assert membership["organisation"] == "world-health-organization"


def test_admission_to_talks_is_no_membership():
    assert gold_of("Peru was admitted to the talks as an observer.", "Membership") == []


def test_the_second_of_two_things_a_state_becomes_is_a_membership():
    text = (
        "On 2 June 2011 Chile will become the 80th Party to the Convention on Cybercrime, "
        "and a member State of the Organization for Security and Co-operation in Europe."
    )
    (membership,) = gold_of(text, "Membership")
    assert membership["member"] == "CHL"
    assert membership["since"] == "2011-06-02"


def test_becoming_the_nth_member_as_of_a_day():
    text = (
        "Peru has ratified its accession, thereby becoming the 20th member of the OSCE as of "
        "4 May 2018."
    )
    (membership,) = gold_of(text, "Membership")
    assert (membership["member"], membership["since"]) == ("PER", "2018-05-04")


def test_applications_named_by_their_noun():
    text = (
        "The Council of Europe will examine the membership applications of Chile and Peru. "
        "Norway's application for admission follows a referendum held in March."
    )
    found = {
        (f["member"], f["organisation"], f["date"]) for f in gold_of(text, "MembershipApplication")
    }
    assert found == {
        ("CHL", "council-of-europe", None),
        ("PER", "council-of-europe", None),
        ("NOR", "council-of-europe", None),
    }


def test_french_application_noun_names_its_state_with_an_article():
    text = (
        "Le Conseil de l'Europe s'est réuni mardi. La candidature d'adhésion de l'Arménie "
        "a été renvoyée."
    )
    (application,) = gold_of(text, "MembershipApplication")
    assert application["member"] == "ARM"


def test_states_suspended_from_the_organisation_in_a_french_passive():
    text = (
        "Le Conseil de l'Europe a tenu sa session. Le Pérou, le Chili et la Bolivie sont "
        "suspendus des instances de l'organisation."
    )
    found = {(f["member"], f["organisation"]) for f in gold_of(text, "Suspension")}
    assert found == {(s, "council-of-europe") for s in ("PER", "CHL", "BOL")}


def test_new_members_are_not_the_number_of_members_but_a_total_is():
    text = "The OSCE welcomed four new members. The number of member States now stands at 61."
    assert facts(text, "MemberCount") == {
        ("organization-for-security-and-co-operation-in-europe", 61)
    }


def test_french_organisation_growing_to_a_number_of_states():
    text = "Le Conseil de l'Europe passe de 46 à 48 États."
    assert facts(text, "MemberCount") == {("council-of-europe", 48)}


def test_a_join_dated_by_the_date_next_to_the_organisation():
    found = gold_of(
        "Latvia became a republic on 18 November 1918 and a member of the United Nations on "
        "17 September 1991.",
        "Membership",
    )
    assert [(f["member"], f["organisation"], f["since"]) for f in found] == [
        ("LVA", "united-nations", "1991-09-17")
    ]


def test_a_city_named_as_the_seat_of_several_organisations():
    found = gold_of(
        "Vienna is also the seat of the International Atomic Energy Agency and of the "
        "Organization for Security and Co-operation in Europe.",
        "Headquarters",
    )
    assert {(f["organisation"], f["place"]) for f in found} == {
        ("international-atomic-energy-agency", "vienna"),
        ("organization-for-security-and-co-operation-in-europe", "vienna"),
    }


def test_a_city_that_hosts_the_headquarters_of_an_organisation():
    found = gold_of(
        "Genève abrite le siège de l'Organisation mondiale de la santé.", "Headquarters"
    )
    assert [(f["organisation"], f["place"]) for f in found] == [
        ("world-health-organization", "geneva")
    ]


def test_a_state_suspended_from_a_body_named_right_after_the_verb():
    found = gold_of("Fiji was suspended from the Commonwealth on 8 December 2006.", "Suspension")
    assert [(f["member"], f["organisation"], f["date"]) for f in found] == [
        ("FJI", "commonwealth-of-nations", "2006-12-08")
    ]


def test_states_listed_after_a_colon_are_suspended_without_a_shared_date():
    found = gold_of(
        "Three states have been suspended from the Commonwealth since 1990: Fiji, Nigeria "
        "and Pakistan.",
        "Suspension",
    )
    assert {(f["member"], f["date"]) for f in found} == {
        ("FJI", None),
        ("NGA", None),
        ("PAK", None),
    }


def test_a_decision_day_dates_the_suspension_and_a_possessive_date_does_not():
    found = gold_of(
        "The African Union decided on 5 June 2019 to suspend Sudan's membership after last "
        "month's violence.",
        "Suspension",
    )
    assert [(f["member"], f["organisation"], f["date"]) for f in found] == [
        ("SDN", "african-union", "2019-06-05")
    ]


def memberships_of(text: str) -> set[tuple]:
    return {
        (f["member"], f["organisation"], f["asOf"], f["since"]) for f in gold_of(text, "Membership")
    }


def test_one_subject_joining_two_bodies_each_in_its_year():
    assert memberships_of("Slovakia joined NATO in 2004 and the European Union in 2004.") == {
        ("SVK", "north-atlantic-treaty-organisation", None, "2004"),
        ("SVK", "european-union", None, "2004"),
    }


def test_states_named_after_a_body_and_its_member_noun():
    assert memberships_of("NATO allies Latvia and Lithuania sent observers.") == {
        ("LVA", "north-atlantic-treaty-organisation", "2019-06-13", None),
        ("LTU", "north-atlantic-treaty-organisation", "2019-06-13", None),
    }


def test_a_member_in_apposition_since_a_year():
    assert memberships_of("Finland, a member of the European Union since 1995, abstained.") == {
        ("FIN", "european-union", None, "1995")
    }


def test_the_member_states_a_body_includes():
    found = memberships_of("The Council of Europe's member states include Malta and Cyprus.")
    assert found == {
        ("MLT", "council-of-europe", "2019-06-13", None),
        ("CYP", "council-of-europe", "2019-06-13", None),
    }


def test_a_state_that_rejoined():
    assert memberships_of("Fiji rejoined the Commonwealth on 26 September 2014.") == {
        ("FJI", "commonwealth-of-nations", None, "2014-09-26")
    }


def test_every_state_of_a_list_that_applied():
    found = gold_of(
        "Moldova and Ukraine applied to join the European Union in 2014.", "MembershipApplication"
    )
    assert {(f["member"], f["date"]) for f in found} == {("MDA", "2014"), ("UKR", "2014")}


def test_a_french_withdrawal():
    found = gold_of(
        "La Grèce a quitté le Conseil de l'Europe le 12 décembre 1969.", "MembershipEnd"
    )
    assert [(f["member"], f["organisation"], f["date"]) for f in found] == [
        ("GRC", "council-of-europe", "1969-12-12")
    ]


def partners_of(text: str) -> list[tuple]:
    return [(tuple(sorted(f["partners"])), f["kind"]) for f in gold_of(text, "Partnership")]


def test_an_agreement_one_organisation_signed_with_another():
    assert partners_of(
        "The World Health Organization signed an agreement with the African Union Commission."
    ) == [(("african-union-commission", "world-health-organization"), None)]


def test_a_memorandum_signed_between_two_organisations():
    assert partners_of(
        "A memorandum of understanding was signed between the International Labour "
        "Organization and the African Union on 3 May 2018."
    ) == [(("african-union", "international-labour-organization"), None)]


def test_an_organisation_and_a_company_that_signed_a_partnership_of_a_kind():
    assert partners_of(
        "The Council of Europe and Microsoft signed a strategic partnership in 2018."
    ) == [(("council-of-europe", "microsoft"), "strategic")]


def test_states_signing_the_agreement_are_no_partnership_of_organisations():
    assert (
        partners_of(
            "On 22 April 2016, the United Nations and the European Union signed the Agreement."
        )
        == []
    )


def test_a_name_spelled_unlike_the_tables_before_a_known_abbreviation():
    found = gold_of(
        "The World Trade Organisation (WTO), based in Geneva, welcomed it.", "Headquarters"
    )
    assert [(f["organisation"], f["place"]) for f in found] == [
        ("world-trade-organization", "geneva")
    ]


def test_a_longer_name_written_out_before_its_abbreviation_is_not_the_shorter_one():
    found = gold_of(
        "The United Nations Industrial Development Organization (UNIDO), based in Vienna, "
        "welcomed it.",
        "Headquarters",
    )
    assert [(f["organisation"], f["place"]) for f in found] == [
        ("united-nations-industrial-development-organization", "vienna")
    ]


def seats_of(text: str) -> list[tuple]:
    return [(f["organisation"], f["place"]) for f in gold_of(text, "Headquarters")]


def test_a_seat_written_after_a_comma():
    assert seats_of("The talks were held at OSCE Headquarters, Vienna, in May.") == [
        ("organization-for-security-and-co-operation-in-europe", "vienna")
    ]


def test_a_french_seat_of_an_organisation_in_a_city():
    assert seats_of("La réunion s'est tenue au siège de l'UNESCO à Paris.") == [
        ("united-nations-educational-scientific-and-cultural-organization", "paris")
    ]


def test_a_join_in_a_relative_clause():
    assert memberships_of("Slovenia, which joined NATO in 2004, hosted the exercise.") == {
        ("SVN", "north-atlantic-treaty-organisation", None, "2004")
    }


def test_a_states_accession_to_an_organisation_is_a_membership():
    assert memberships_of("Albania's accession to NATO on 1 April 2009 was celebrated.") == {
        ("ALB", "north-atlantic-treaty-organisation", None, "2009-04-01")
    }


def test_a_member_of_two_bodies_each_since_its_year():
    assert memberships_of(
        "Austria has been a member of the United Nations since 1955 and of the European "
        "Union since 1995."
    ) == {
        ("AUT", "united-nations", None, "1955"),
        ("AUT", "european-union", None, "1995"),
    }


def test_french_memberships_in_apposition_since_a_day_and_joined():
    assert memberships_of("Le Portugal, membre de l'Union européenne depuis 1986, a voté.") == {
        ("PRT", "european-union", None, "1986")
    }
    assert memberships_of(
        "La Géorgie est membre du Conseil de l'Europe depuis le 27 avril 1999."
    ) == {("GEO", "council-of-europe", None, "1999-04-27")}


def test_a_french_list_of_members_with_a_plural_article():
    assert memberships_of("La Norvège et les Pays-Bas sont membres de l'OTAN.") == {
        ("NOR", "north-atlantic-treaty-organisation", "2019-06-13", None),
        ("NLD", "north-atlantic-treaty-organisation", "2019-06-13", None),
    }


def test_a_french_join_with_rejoindre():
    assert memberships_of("L'Albanie a rejoint l'OTAN le 1er avril 2009.") == {
        ("ALB", "north-atlantic-treaty-organisation", None, "2009-04-01")
    }


def test_a_french_memorandum_signed_between_two_organisations():
    assert partners_of(
        "Un protocole d'accord a été signé entre l'Union africaine et l'Union européenne."
    ) == [(("african-union", "european-union"), None)]


def test_two_organisations_that_agreed_a_partnership():
    assert partners_of("The African Union and the European Union agreed a new partnership.") == [
        (("african-union", "european-union"), None)
    ]
