"""Extraction rules on short texts written for the purpose, one kind of statement at a time."""

import pytest

from loaders import make_document
from loaders.extraction import extract


def facts(text: str, kind: str | None = None, issued: str = "13.06.2007") -> list[dict]:
    body = f"Strasbourg, {issued} – Opening words of the release.\n\n" + text
    extraction = extract(make_document(body, "sample"))
    for fact in extraction.facts:
        assert body[fact.evidence.start : fact.evidence.end] == fact.evidence.text
    return [f.to_gold() for f in extraction.facts if kind is None or f.kind == kind]


def test_states_listed_with_articles_and_quotes():
    found = facts(
        "Reforms based on the Cybercrime Convention are under way in the Republic of Moldova, "
        'in "The former Yugoslav Republic of Macedonia", Argentina and the Philippines.',
        "LegalReform",
    )
    assert {f["actor"] for f in found} == {"MDA", "MKD", "ARG", "PHL"}
    assert {f["basedOn"] for f in found} == {"ets-185"}


def test_ratification_deposit_is_a_ratification_and_joining_a_membership():
    found = facts(
        "Today Japan deposited the instrument of ratification of the Budapest Convention. "
        "Chile acceded to the Convention on 20 April 2007, while Ghana joined it yesterday."
    )
    actions = {(f["type"], f["actor"], f["treaty"], f["date"]) for f in found if "actor" in f}
    assert ("Ratification", "JPN", "ets-185", "2007-06-13") in actions
    assert ("Accession", "CHL", "ets-185", "2007-04-20") in actions
    assert not any(kind == "Signature" for kind, *_ in actions)
    # "joined" names no instrument: being a party, as the gold conventions read it
    assert not any(actor == "GHA" for _, actor, _, _ in actions)


def test_treaty_numbers_in_every_spelling():
    found = facts(
        "France signed the treaty ETS No. 185 on 23 November 2001. "
        "Spain signed CETS 224 on 12 May 2022.",
        "Signature",
        issued="13.05.2022",
    )
    assert {(f["actor"], f["treaty"]) for f in found} == {("FRA", "ets-185"), ("ESP", "cets-224")}


def test_second_additional_protocol_is_resolved_against_the_last_convention():
    found = facts(
        "The Convention on Cybercrime is widely used. Portugal signed its Second Additional "
        "Protocol on 12 May 2022.",
        "Signature",
        issued="13.05.2022",
    )
    assert found == [
        {"type": "Signature", "actor": "PRT", "treaty": "cets-224", "date": "2022-05-12"}
    ]


def test_parties_signatories_and_invited_states_are_counted_apart():
    [status] = facts(
        "For the Convention on Cybercrime, 75 States are now Parties, two have signed it and "
        "18 have been invited to accede.",
        "TreatyStatus",
    )
    assert (status["partiesCount"], status["signedOnlyCount"], status["invitedCount"]) == (
        75,
        2,
        18,
    )
    assert status["treaty"] == "ets-185" and status["asOf"] == "2007-06-13"


def test_unknown_treaties_and_organisations_become_new_entities():
    found = facts(
        "The Convention on the Protection of Alpine Songbirds was opened for signature in "
        "Vienna on 5 March 2019. The Lake Constance Fisheries Organisation, based in Bern, "
        "welcomed it.",
    )
    assert {
        "type": "OpeningForSignature",
        "treaty": "convention-on-the-protection-of-alpine-songbirds",
        "date": "2019-03-05",
        "place": "vienna",
    } in found
    assert {
        "type": "Headquarters",
        "organisation": "lake-constance-fisheries-organisation",
        "place": "bern",
    } in found


@pytest.mark.parametrize(
    "sentence",
    [
        "Microsoft attorney Tim Cranton spoke first.",
        "Tim Cranton, attorney at Microsoft, spoke first.",
    ],
)
def test_person_role_and_affiliation_in_either_order(sentence):
    assert facts(sentence, "PersonRole") == [
        {
            "type": "PersonRole",
            "person": "tim-cranton",
            "role": "attorney",
            "affiliation": "microsoft",
        }
    ]


def test_names_with_diacritics_are_whole():
    [role] = facts("Secretary General Marija Pejčinović Burić opened the session.", "PersonRole")
    assert role["person"] == "marija-pejcinovic-buric"
    assert role["role"] == "secretary general"


def test_entry_into_force_without_a_state_has_no_actor():
    found = facts("The Convention on Cybercrime entered into force on 1 July 2004.")
    assert {
        "type": "EntryIntoForce",
        "actor": None,
        "treaty": "ets-185",
        "date": "2004-07-01",
    } in found


def test_text_without_facts_loads_with_a_warning():
    extraction = extract(make_document("Nothing of note happened on a quiet afternoon.\n", "calm"))
    assert extraction.facts == []
    assert any("no facts found" in warning for warning in extraction.warnings)


def test_a_text_in_another_language_says_so():
    german = (
        "Die Regierung hat heute beschlossen, die Zusammenarbeit mit den Nachbarländern zu "
        "vertiefen. Der Minister sagte, dass weitere Gespräche im Frühjahr folgen sollen und "
        "dass die Verhandlungen über ein neues Abkommen bald beginnen werden, sobald die "
        "Vorbereitungen in allen beteiligten Ministerien abgeschlossen sind.\n"
    )
    warnings = extract(make_document(german, "fremd")).warnings
    assert any("does not read as English or French" in warning for warning in warnings)
    english = extract(make_document("Nothing of note happened on a quiet afternoon.\n", "calm"))
    assert not any("does not read as" in warning for warning in english.warnings)


def test_subscription_boilerplate_yields_nothing():
    assert (
        facts("To receive our press releases by e-mail, contact the Council of Europe in 1949.")
        == []
    )


def test_an_ordinal_ratification_is_a_reported_count():
    [status] = facts(
        "Italy became the sixtieth state to ratify the Convention on Cybercrime.", "TreatyStatus"
    )
    assert (status["treaty"], status["ratifiedCount"]) == ("ets-185", 60)


def test_joining_an_organisation_in_prose_is_a_membership_with_its_date():
    assert facts("Montenegro joined the Council of Europe on 11 May 2007.", "Membership") == [
        {
            "type": "Membership",
            "member": "MNE",
            "organisation": "council-of-europe",
            "asOf": None,
            "since": "2007-05-11",
        }
    ]


def test_general_entry_into_force_is_not_a_state_act_and_dates_go_to_their_verbs():
    found = facts(
        "Lithuania today became the fifth state to ratify the Convention on Cybercrime, "
        "triggering its entry into force on 1 July 2004."
    )
    assert {"type": "Ratification", "actor": "LTU", "treaty": "ets-185",
            "date": "2007-06-13"} in found  # fmt: skip
    assert {"type": "EntryIntoForce", "actor": None, "treaty": "ets-185",
            "date": "2004-07-01"} in found  # fmt: skip
    assert not any(f["type"] == "EntryIntoForce" and f["actor"] for f in found)


def test_opening_date_is_not_given_to_the_signatories_named_after_it():
    found = facts(
        "The Convention on Cybercrime, opened for signature in Budapest on 23 November 2001, "
        "has been signed by 32 states, including Canada and Japan."
    )
    assert {"type": "OpeningForSignature", "treaty": "ets-185", "date": "2001-11-23",
            "place": "budapest"} in found  # fmt: skip
    signatures = {(f["actor"], f["date"]) for f in found if f["type"] == "Signature"}
    assert signatures == {("CAN", None), ("JPN", None)}


def test_its_additional_protocol_is_the_one_that_existed_when_the_text_was_written():
    found = facts(
        "The Convention on Cybercrime is in force. Its Additional Protocol has been signed by "
        "23 states but not yet ratified."
    )
    assert {"type": "Supplements", "protocol": "ets-189", "treaty": "ets-185"} in found
    [status] = [f for f in found if f["type"] == "TreatyStatus"]
    assert (status["treaty"], status["signedOnlyCount"]) == ("ets-189", 23)


def test_a_state_is_a_partner_by_its_code():
    from loaders import make_document
    from loaders.extraction import extract

    text = "They signed a memorandum on a partnership between the African Union and Canada."
    partnerships = [
        fact.to_gold()
        for fact in extract(make_document(text, name="partners")).facts
        if type(fact).__name__ == "Partnership"
    ]
    assert [set(p["partners"]) for p in partnerships] == [{"african-union", "CAN"}]
