"""The rule families added for texts by other publishers: state mentions, ends of membership,
acts carried over to the treaty in focus, exceptions in lists, dates of undated headers, and
the gold form derived from the fact fields. Every sentence here is written for the test."""

from loaders import make_document
from loaders.extraction import extract
from loaders.facts import COMPARED_FIELDS, FACT_TYPES, Entity, Evidence, MemberCount
from loaders.numbers import Count
from loaders.rdf import document_triples


def extracted(text: str, issued: str = "13.06.2007"):
    body = f"Strasbourg, {issued} – Opening words of the release.\n\n" + text
    extraction = extract(make_document(body, "sample"))
    for fact in extraction.facts:
        assert body[fact.evidence.start : fact.evidence.end] == fact.evidence.text
    return extraction


def gold(text: str, kind: str, issued: str = "13.06.2007") -> list[dict]:
    return [f.to_gold() for f in extracted(text, issued).facts if f.kind == kind]


def mentioned(text: str) -> set[str]:
    return {f["entity"] for f in gold(text, "Mention")}


def test_every_state_named_is_mentioned_once_acting_or_not():
    text = (
        "Peru signed the Convention on Cybercrime. Officials from Kenya watched, and Peru "
        "thanked Kenya and Iceland for their support."
    )
    assert mentioned(text) == {"PER", "KEN", "ISL"}


def test_a_country_that_only_locates_a_city_is_not_mentioned():
    text = (
        "The talks took place in Lyon (France) and then in Porto, Portugal. Later the "
        "delegates flew to Nairobi, Kenya, for a second round."
    )
    assert mentioned(text) == set()
    assert mentioned("The talks were held on the Greek island of Rhodes.") == set()


def test_the_country_of_a_news_agency_dateline_is_not_mentioned():
    body = "OSLO, Norway, March 3. Ministers met in Bergen in 2021 and Sweden spoke.\n"
    extraction = extract(make_document(body, "sample"))
    assert {f.to_gold()["entity"] for f in extraction.facts if f.kind == "Mention"} == {"SWE"}


def test_a_list_of_states_after_a_state_is_still_a_list():
    assert mentioned("Chile, Peru, Mexico and Japan signed the Convention on Cybercrime.") == {
        "CHL",
        "PER",
        "MEX",
        "JPN",
    }


def test_a_country_word_inside_a_region_or_event_name_is_not_a_state():
    text = "Fishing around Lake Chad was discussed at the Sommet de Madagascar last year."
    assert mentioned(text) == set()
    assert mentioned("Experts prepared the Kenya Summit for next spring.") == set()


def test_adjectives_name_their_state_in_english_and_french():
    assert mentioned("The Norwegian delegation and the Portuguese authorities agreed.") == {
        "NOR",
        "PRT",
    }
    assert mentioned("Le ministre finlandais a rencontré la présidente suisse.") == {
        "FIN",
        "CHE",
    }


def test_language_names_are_not_states():
    assert mentioned("The German version and the text en français are equally valid.") == set()


def test_typographic_variants_are_matched_in_their_plain_form():
    assert "CIV" in mentioned("Officials of C\u00f4te d\u2019Ivoire\u00a0attended the talks.")


def test_mentions_become_a_statement_with_evidence_in_rdf():
    extraction = extracted("Officials from Kenya attended the meeting in the morning.")
    triples = {
        (t.subject.value, t.predicate.value, t.object.value) for t in document_triples(extraction)
    }
    mentions = [t for t in triples if t[1] == "https://w3id.org/comity/ontology#mentions"]
    assert mentions and all(t[0] == extraction.document.iri for t in mentions)


def test_states_excepted_from_a_passive_list_did_not_act():
    found = gold(
        "The Convention on Cybercrime has been ratified by all members except Malta and Cyprus.",
        "Ratification",
    )
    assert not {"MLT", "CYP"} & {f["actor"] for f in found}


def test_instruments_deposited_go_to_the_treaty_in_focus():
    found = gold(
        "The Convention on Cybercrime keeps growing. Today we thank the Governments of Peru "
        "and Ghana for depositing their instruments of ratification.",
        "Ratification",
    )
    assert {(f["actor"], f["treaty"], f["date"]) for f in found} == {
        ("PER", "ets-185", "2007-06-13"),
        ("GHA", "ets-185", "2007-06-13"),
    }


def test_entry_into_force_in_a_state():
    found = gold(
        "The Convention on Cybercrime will enter into force in Ghana on 1 March 2008.",
        "EntryIntoForce",
    )
    assert [(f["actor"], f["date"]) for f in found] == [("GHA", "2008-03-01")]


def test_leaving_an_organisation_is_an_end_of_membership_not_a_membership():
    extraction = extracted(
        "Greece ceased to be a member of the Council of Europe on 12 December 1969."
    )
    kinds = {f.kind for f in extraction.facts}
    assert "Membership" not in kinds
    [end] = [f.to_gold() for f in extraction.facts if f.kind == "MembershipEnd"]
    assert (end["member"], end["organisation"], end["date"], end["how"]) == (
        "GRC",
        "council-of-europe",
        "1969-12-12",
        "cessation",
    )
    assert document_triples(extraction)


def test_a_date_alone_on_a_line_dates_a_text_without_a_dateline():
    text = "Some Office\n\n3 March 2015\n\nToday Ghana ratified the Convention on Cybercrime.\n"
    extraction = extract(make_document(text, "undated"))
    assert extraction.document.metadata.issued.iso() == "2015-03-03"


def test_a_date_in_the_source_url_dates_a_text_without_another():
    text = "source: https://example.org/news/2016-04-22/item\n\nGhana signed a treaty.\n"
    extraction = extract(make_document(text, "url-dated"))
    assert extraction.document.metadata.issued.iso() == "2016-04-22"


def test_gold_form_is_derived_from_the_fields_and_covers_the_compared_ones():
    count = MemberCount(
        Entity("organisation", "nato", "https://example.org/nato", "NATO"),
        None,
        Count(31, "now"),
        evidence=Evidence(0, 1, "x"),
    )
    assert count.to_gold() == {
        "type": "MemberCount",
        "organisation": "nato",
        "asOf": None,
        "count": 31,
        "qualifier": "now",
    }
    assert set(FACT_TYPES) == set(COMPARED_FIELDS)


def test_seats_in_english_and_french_and_in_apposition():
    def seats(text: str) -> set[tuple[str, str]]:
        return {(f["organisation"], f["place"]) for f in gold(text, "Headquarters")}

    assert seats("Delegates gathered at U.N. headquarters in New York.") == {
        ("united-nations", "new-york")
    }
    assert seats(
        "Le Comité des ministres du Conseil de l'Europe a exclu l'État de l'organisation "
        "installée à Strasbourg."
    ) == {("council-of-europe", "strasbourg")}
    assert seats("The talks take place in Vienna - the OSCE's headquarters - in May.") == {
        ("organization-for-security-and-co-operation-in-europe", "vienna")
    }


def test_a_french_withdrawal_from_a_convention_is_a_denunciation_dated_by_its_weekday():
    found = gold(
        "La Russie a notifié mardi sa décision de se détacher de la Convention européenne des "
        "droits de l'homme.",
        "Denunciation",
    )
    assert [(f["actor"], f["treaty"], f["date"]) for f in found] == [
        ("RUS", "ets-005", "2007-06-12")
    ]


def test_an_agreement_signed_with_an_organisation_or_its_signatory_is_a_partnership():
    body = (
        "source: https://www.francophonie.org/example\n\nParis, le 3 mars 2021\n\n"
        "L'Organisation internationale de la Francophonie a signé deux accords. Le premier accord "
        "de partenariat a été signé avec le Commissaire européen au développement, Jean Exemple. "
        "Un deuxième accord a été signé avec l'Agence française de développement."
    )
    extraction = extract(make_document(body, "oif-notice"))
    partners = {
        frozenset(f.to_gold()["partners"]) for f in extraction.facts if f.kind == "Partnership"
    }
    oif = "organisation-internationale-de-la-francophonie"
    assert partners == {
        frozenset({oif, "european-commission"}),
        frozenset({oif, "agence-francaise-de-developpement"}),
    }


def test_a_new_partner_named_last_in_a_sentence_is_named_without_its_full_stop():
    extraction = extracted("A partnership between the Council of Europe, Microsoft and Acme.")
    [partnership] = [f for f in extraction.facts if f.kind == "Partnership"]
    labels = {partner.label for partner in partnership.partners}
    assert "Acme" in labels and "Acme." not in labels
    inc = extracted("A partnership between the Council of Europe and Example Inc.")
    [with_inc] = [f for f in inc.facts if f.kind == "Partnership"]
    assert "Example Inc." in {partner.label for partner in with_inc.partners}


def test_an_amending_protocol_or_one_named_its_own_supplements_its_treaty():
    def supplemented(text: str) -> set[tuple[str, str]]:
        return {(f["protocol"], f["treaty"]) for f in gold(text, "Supplements", "13.06.2024")}

    assert supplemented(
        "Protocol No. 15 amending the Convention for the Protection of Human Rights and "
        "Fundamental Freedoms entered into force."
    ) == {("cets-213", "ets-005")}
    assert supplemented(
        "Norway ratified the Convention on Cybercrime (ETS No. 185) and its First Protocol "
        "(ETS No. 189)."
    ) == {("ets-189", "ets-185")}
    assert supplemented("The Protocol to the Agreement on Harbour Pilots was signed.") == {
        ("protocol-to-the-agreement-on-harbour-pilots", "agreement-on-harbour-pilots")
    }


def test_partnership_instruments_in_french_and_signed_by_an_organisation_s_programme():
    def partners(text: str) -> set[frozenset[str]]:
        return {frozenset(f["partners"]) for f in gold(text, "Partnership")}

    assert partners(
        "The African Union and the United Nations Development Programme signed a memorandum "
        "of understanding."
    ) == {frozenset({"african-union", "united-nations-development-programme"})}
    assert partners(
        "L'Organisation internationale de la Francophonie a signé un protocole d'accord avec "
        "l'Agence française de développement."
    ) == {
        frozenset(
            {"organisation-internationale-de-la-francophonie", "agence-francaise-de-developpement"}
        )
    }
    assert (
        partners(
            "The Committee of Ministers and the Parliamentary Assembly adopted a joint declaration."
        )
        == set()
    )


def test_seats_named_before_the_organisation_or_as_its_subject():
    def seats(text: str) -> set[tuple[str, str]]:
        return {(f["organisation"], f["place"]) for f in gold(text, "Headquarters")}

    assert seats("The Geneva-based World Health Organization welcomed it.") == {
        ("world-health-organization", "geneva")
    }
    assert seats("Le siège de l'UNESCO se trouve à Paris.") == {
        ("united-nations-educational-scientific-and-cultural-organization", "paris")
    }
    assert seats("The African Union, whose seat is in Addis Ababa, met.") == {
        ("african-union", "addis-ababa")
    }
    assert seats("The Council of Europe is in Vienna this week.") == set()
