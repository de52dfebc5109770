"""Treaty-action rule families (loaders/rules/actions.py); every sentence is written here."""

from loaders import make_document
from loaders.extraction import extract

BODY = "Strasbourg, 13.06.2019 – Opening words of the release.\n\n"


ACTS = ("Signature", "Ratification", "Accession", "OpeningForSignature")


def acts(
    text: str, issued: str = "13.06.2019", kinds: tuple[str, ...] = ACTS
) -> set[tuple[str, object, str, object]]:
    body = f"Strasbourg, {issued} – Opening words of the release.\n\n" + text
    facts = [f.to_gold() for f in extract(make_document(body, "sample")).facts]
    return {
        (f["type"], f.get("actor"), f["treaty"], f.get("date")) for f in facts if f["type"] in kinds
    }


def test_each_verb_takes_the_date_after_it_not_the_one_of_the_other_act():
    found = acts(
        "Italy signed the Convention on Cybercrime on 23 November 2001 and ratified it on "
        "5 June 2008."
    )
    assert ("Signature", "ITA", "ets-185", "2001-11-23") in found
    assert ("Ratification", "ITA", "ets-185", "2008-06-05") in found


def test_a_second_subject_in_the_same_sentence_acts_alone():
    found = acts(
        "On 2 March 2018, Peru signed the Convention on Cybercrime and Chile deposited its "
        "instrument of ratification."
    )
    assert ("Signature", "PER", "ets-185", "2018-03-02") in found
    assert not any(kind == "Ratification" and actor == "PER" for kind, actor, *_ in found)


def test_french_list_after_a_colon_on_that_day():
    found = acts(
        "La Convention sur la cybercriminalité a été ouverte à la signature le 8 avril 2016. "
        "Ce jour-là, 3 pays l'ont signée : l'Autriche, la Belgique et l'Uruguay."
    )
    assert {("Signature", key, "ets-185", "2016-04-08") for key in ("AUT", "BEL", "URY")} <= found


def test_bullet_lines_after_an_introducing_sentence():
    found = acts(
        "The following states signed the Convention on Cybercrime:\n- Andorra\n"
        "- Georgia (12 May 2019)\n"
    )
    assert ("Signature", "AND", "ets-185", None) in found
    assert ("Signature", "GEO", "ets-185", "2019-05-12") in found


def test_a_time_reference_before_a_state_is_not_its_subject():
    found = acts(
        "Before Kenya, 12 countries had signed the Convention on Cybercrime: Peru and Chile."
    )
    assert {actor for _, actor, _, _ in found} == {"PER", "CHL"}


def test_signing_a_law_is_no_treaty_act_and_an_ordinal_is_a_ratification():
    found = acts(
        "Ghana became the first country to ratify the Convention on Cybercrime in 2016. "
        "Kenya has become the tenth. Its president then signed the law on ratification."
    )
    assert ("Ratification", "GHA", "ets-185", "2016") in found
    assert ("Ratification", "KEN", "ets-185", None) in found
    assert not any(kind == "Signature" for kind, *_ in found)


def test_a_clock_time_stamps_the_page_not_the_act():
    found = acts(
        "Friday, 14 June 2019, 10:30 Norway deposited its instrument of ratification of the "
        "Convention on Cybercrime."
    )
    assert ("Ratification", "NOR", "ets-185", None) in found


def test_a_treaty_whose_title_holds_law_is_still_ratified():
    found = acts("Malta ratified the Criminal Law Convention on Corruption on 2 May 2003.")
    assert ("Ratification", "MLT", "ets-173", "2003-05-02") in found


def test_a_clause_break_inside_a_title_does_not_split_the_title():
    found = acts(
        "Andorra acceded to the Protocol to Prevent, Suppress and Punish Trafficking in Persons, "
        "Especially Women and Children, supplementing the United Nations Convention against "
        "Transnational Organized Crime on 1 January 2011."
    )
    assert ("Accession", "AND", "untoc-trafficking-protocol", "2011-01-01") in found


def test_a_title_worded_unlike_the_tables_is_the_treaty_its_number_names():
    found = acts(
        "Malta deposited on 3 March 2022 the instrument of ratification of the Amending "
        "Protocol to the Convention for the Protection of Individuals as regards the "
        "Handling of Personal Data (CETS 223).",
        issued="04.03.2022",
    )
    assert ("Ratification", "MLT", "cets-223", "2022-03-03") in found
    assert not any(treaty.startswith("amending") for _, _, treaty, _ in found)


def test_signing_during_the_opening_shares_its_date():
    found = acts(
        "During the opening for signature of the Paris Agreement in New York on 22 April "
        "2016, Norway signed the Agreement."
    )
    assert ("Signature", "NOR", "paris-agreement", "2016-04-22") in found


def test_a_council_of_europe_title_without_the_councils_name_is_still_that_treaty():
    found = acts(
        "Le Portugal a ratifié la Convention pour la prévention du terrorisme. Norway ratified "
        "the Convention on Action against Trafficking in Human Beings."
    )
    assert ("Ratification", "PRT", "cets-196", None) in found
    assert ("Ratification", "NOR", "cets-197", None) in found


def test_an_additional_protocol_is_named_by_any_alias_of_its_parent():
    found = acts(
        "Chile signed the Second Additional Protocol to the Budapest Convention on 12 May 2022. "
        "Le Protocole additionnel à la Convention sur la cybercriminalité a été signé par la "
        "Belgique.",
        issued="13.06.2022",
    )
    assert ("Signature", "CHL", "cets-224", "2022-05-12") in found
    assert ("Signature", "BEL", "ets-189", None) in found
    assert not any(treaty == "ets-185" for _, _, treaty, _ in found)
    amended = acts(
        "Le Protocole amendant la Convention 108 a été signé par la Suède. The Protocol "
        "amending Convention 108 was signed by Chile."
    )
    assert amended == {
        ("Signature", "SWE", "cets-223", None),
        ("Signature", "CHL", "cets-223", None),
    }


def test_a_bilateral_agreement_in_a_french_notice_is_signed_by_both_parties():
    text = (
        "Le décret publie l'accord entre le Gouvernement de la République française et le "
        "Gouvernement de la République du Chili portant sur la coopération portuaire, signé à "
        "Valparaiso le 2 octobre 2017, ensemble un échange de lettres, signées à Paris les 4 "
        "mai et 6 juin 2018.\n\nLe présent Accord entre en vigueur le 1er mars 2018."
    )
    body = "Paris, le 13 juin 2019\n\n" + text
    facts = {
        (f["type"], f.get("actor"), f["treaty"], f.get("date"))
        for f in (fact.to_gold() for fact in extract(make_document(body, "notice")).facts)
        if f["type"] in ("Signature", "EntryIntoForce")
    }
    treaty = "accord-portant-sur-la-cooperation-portuaire"
    assert facts == {
        ("Signature", "FRA", treaty, "2017-10-02"),
        ("Signature", "CHL", treaty, "2017-10-02"),
        ("EntryIntoForce", None, treaty, "2018-03-01"),
    }


def test_an_entry_into_force_only_aimed_at_is_no_fact():
    found = extract(
        make_document(
            "Strasbourg, 13.06.2019 – Opening words.\n\nMore ratifications are hoped for this "
            "year to enable the swift entry into force of the Convention on Cybercrime.",
            "sample",
        )
    ).facts
    assert not [fact for fact in found if fact.kind == "EntryIntoForce"]


def test_an_anniversary_dates_the_opening_and_the_opening_day_dates_its_signatures():
    found = acts(
        "Today, 12 May 2024, is the second anniversary of the opening for signature of the "
        "Second Additional Protocol to the Convention on Cybercrime. On the opening day, "
        "Chile, Japan and Spain signed the Protocol.",
        issued="12.05.2024",
    )
    assert ("OpeningForSignature", None, "cets-224", "2022-05-12") in found
    assert {("Signature", s, "cets-224", "2022-05-12") for s in ("CHL", "JPN", "ESP")} <= found


def test_the_opening_day_of_a_treaty_whose_opening_the_text_does_not_date_is_no_date():
    found = acts("On the opening day, Italy signed the Medicrime Convention.")
    assert ("Signature", "ITA", "cets-211", None) in found


def test_counted_acts_on_a_day_make_a_tally_dated_by_the_day_after_the_verb():
    body = (
        "Paris, 20 October 2016 – Opening words.\n\nSome 11 new parties ratified the Paris "
        "Agreement on 5 October, setting the accord to enter into force on 4 November."
    )
    found = [f.to_gold() for f in extract(make_document(body, "sample")).facts]
    tallies = [f for f in found if f["type"] == "ActionTally"]
    assert [(t["treaty"], t["date"], t["action"], t["count"]) for t in tallies] == [
        ("paris-agreement", "2016-10-05", "Ratification", 11)
    ]
    # "the accord" is the Paris Agreement named before it
    assert {
        "type": "EntryIntoForce",
        "actor": None,
        "treaty": "paris-agreement",
        "date": "2016-11-04",
    } in [{k: f.get(k) for k in ("type", "actor", "treaty", "date")} for f in found]


def test_a_numbered_protocol_is_one_of_the_convention_named_before_it():
    body = (
        "Paris, 2 June 2019 – Opening words.\n\nLa France a ratifié la Convention de sauvegarde "
        "des droits de l'Homme et des libertés fondamentales et ses protocoles additionnels, "
        "notamment le protocole 6."
    )
    found = [f.to_gold() for f in extract(make_document(body, "sample")).facts]
    assert {"type": "Supplements", "protocol": "ets-114", "treaty": "ets-005"} in found
    assert any(f["type"] == "Ratification" and f["treaty"] == "ets-114" for f in found)


def test_acceding_to_an_organisation_with_one_treaty_of_its_own_is_acceding_to_that_treaty():
    for text in (
        "Finland deposited its instrument of accession to NATO on 4 April 2023.",
        "La Finlande a remis son instrument d'adhésion à l'Otan le 4 avril 2023.",
    ):
        assert ("Accession", "FIN", "north-atlantic-treaty", "2023-04-04") in acts(
            text, issued="05.04.2023"
        )
    # the Council of Europe has many treaties of its own: none of them is meant
    assert acts("Andorra deposited its instrument of accession to the Council of Europe.") == set()


def test_who_signs_for_a_state_named_by_its_adjective_signs_for_it():
    assert ("Signature", "EST", "ets-185", None) in acts(
        "Estonian Foreign Minister Kaja Exemple has signed the Convention on Cybercrime."
    )
    assert ("Ratification", "PRT", "ets-185", None) in acts(
        "The Portuguese authorities have ratified the Convention on Cybercrime."
    )


def test_a_list_after_signatories_and_a_party_added_with_as_has():
    found = acts(
        "Signatories of the Lanzarote Convention so far: Andorra, Bulgaria and Cyprus. Malta "
        "and Iceland have signed the Medicrime Convention, as has the European Union."
    )
    assert {("Signature", s, "cets-201", None) for s in ("AND", "BGR", "CYP")} <= found
    assert {("Signature", s, "cets-211", None) for s in ("MLT", "ISL", "european-union")} <= found


def test_a_treaty_named_only_by_its_kind_is_the_one_the_tables_say_opened_that_day():
    found = acts(
        "Le protocole additionnel, ouvert à la signature à Riga le 22 octobre 2015, a été signé "
        "par la France et la Belgique."
    )
    assert {("Signature", "FRA", "cets-217", None), ("Signature", "BEL", "cets-217", None)} <= found


def test_an_act_denied_intended_or_asked_for_is_no_act():
    for sentence in (
        "Peru has not yet ratified the Convention on Cybercrime.",
        "Peru intends to ratify the Convention on Cybercrime.",
        "Peru is expected to sign the Convention on Cybercrime in June.",
        "The Committee urged Peru and Ghana to accede to the Convention on Cybercrime.",
        "Le Pérou n'a pas encore ratifié la Convention sur la cybercriminalité.",
        "Le Pérou devrait signer la Convention sur la cybercriminalité.",
    ):
        assert acts(sentence) == set(), sentence


def test_a_condition_is_not_an_act_and_takes_no_date():
    found = acts(
        "The Convention on Cybercrime, which Peru signed today, will enter into force for "
        "Peru after ratification."
    )
    assert found == {("Signature", "PER", "ets-185", "2019-06-13")}


def test_verbs_joined_by_and_share_their_date():
    assert acts("Peru signed and ratified the Convention on Cybercrime today.") == {
        ("Signature", "PER", "ets-185", "2019-06-13"),
        ("Ratification", "PER", "ets-185", "2019-06-13"),
    }


def test_an_act_written_once_for_a_second_state():
    assert acts(
        "Ghana ratified the Convention on Cybercrime on 3 December 2018 and Benin did so on "
        "4 May 2019."
    ) == {
        ("Ratification", "GHA", "ets-185", "2018-12-03"),
        ("Ratification", "BEN", "ets-185", "2019-05-04"),
    }
    assert acts(
        "Ghana signed the Convention on Cybercrime in 2016, followed by Benin in 2018."
    ) == {
        ("Signature", "GHA", "ets-185", "2016"),
        ("Signature", "BEN", "ets-185", "2018"),
    }
    assert acts(
        "Ghana acceded to the Convention on Cybercrime in 2018, as did Benin and Togo."
    ) == {
        ("Accession", "GHA", "ets-185", "2018"),
        ("Accession", "BEN", "ets-185", "2018"),
        ("Accession", "TGO", "ets-185", "2018"),
    }


def test_each_state_takes_the_date_in_brackets_after_it():
    assert acts(
        "Ghana (3 December 2018), Benin (4 May 2019) and Togo have ratified the Convention on "
        "Cybercrime."
    ) == {
        ("Ratification", "GHA", "ets-185", "2018-12-03"),
        ("Ratification", "BEN", "ets-185", "2019-05-04"),
        ("Ratification", "TGO", "ets-185", None),
    }


def test_a_denunciation_by_verb_or_by_notified_noun():
    for sentence in (
        "Canada denounced the Convention on Cybercrime on 1 March 2019.",
        "Canada notified its denunciation of the Convention on Cybercrime on 1 March 2019.",
    ):
        found = [f.to_gold() for f in extract(make_document(BODY + sentence, "s")).facts]
        assert {
            "type": "Denunciation",
            "actor": "CAN",
            "treaty": "ets-185",
            "date": "2019-03-01",
        } in [{k: f[k] for k in ("type", "actor", "treaty", "date") if k in f} for f in found], (
            sentence
        )


def test_who_acts_for_a_state_and_lists_after_signatories():
    assert acts(
        "Ministers from Peru and Ghana signed the Convention on Cybercrime on 1 May 2019."
    ) == {
        ("Signature", "PER", "ets-185", "2019-05-01"),
        ("Signature", "GHA", "ets-185", "2019-05-01"),
    }
    assert acts("Peru's ambassador signed the Convention on Cybercrime on 1 May 2019.") == {
        ("Signature", "PER", "ets-185", "2019-05-01")
    }
    assert acts("The signatories of the Convention on Cybercrime include Peru and Ghana.") == {
        ("Signature", "PER", "ets-185", None),
        ("Signature", "GHA", "ets-185", None),
    }
    assert acts("Peru today became a signatory to the Convention on Cybercrime.") == {
        ("Signature", "PER", "ets-185", "2019-06-13")
    }


def test_each_agent_of_a_passive_takes_the_date_after_it():
    assert acts(
        "The Convention on Cybercrime was ratified by Peru on 1 March 2019, by Ghana on "
        "2 March 2019 and by Benin on 3 March 2019."
    ) == {
        ("Ratification", "PER", "ets-185", "2019-03-01"),
        ("Ratification", "GHA", "ets-185", "2019-03-02"),
        ("Ratification", "BEN", "ets-185", "2019-03-03"),
    }


def test_a_participle_clause_acts_on_the_treaty_of_the_clause_before():
    found = acts("The Convention on Cybercrime was signed by Peru and Ghana, and ratified by Togo.")
    assert ("Ratification", "TGO", "ets-185", None) in found
    assert ("Signature", "PER", "ets-185", None) in found


def test_a_treaty_set_aside_by_an_apposition_is_not_the_subject():
    document = make_document(
        BODY + "The Nagoya Protocol on Access to Genetic Resources, a supplementary agreement "
        "to the Convention on Biological Diversity, entered into force on 12 October 2014.",
        "apposition",
    )
    found = {(f.kind, getattr(f, "treaty", None) and f.treaty.key) for f in extract(document).facts}
    assert ("EntryIntoForce", "nagoya-protocol") in found
    assert ("EntryIntoForce", "cbd") not in found
    supplements = [f for f in extract(document).facts if f.kind == "Supplements"]
    assert [(f.protocol.key, f.treaty.key) for f in supplements] == [("nagoya-protocol", "cbd")]


def test_an_ordinal_before_a_protocol_names_its_sibling():
    assert acts(
        "Togo ratified the Second Optional Protocol to the International Covenant on Civil and "
        "Political Rights on 14 September 2016."
    ) == {("Ratification", "TGO", "iccpr-second-optional-protocol", "2016-09-14")}


def test_passive_agents_end_where_the_next_act_begins():
    found = acts("The Convention on Cybercrime was signed by Peru and ratified by Ghana.")
    assert found == {
        ("Signature", "PER", "ets-185", None),
        ("Ratification", "GHA", "ets-185", None),
    }


def test_a_state_with_its_date_after_a_comma_shares_the_verb_before():
    found = acts(
        "Ghana ratified the Convention on Cybercrime on 3 March 2018, Peru on 4 May 2017; "
        "Chile in 2016. Benin signed it in 2015, Togo acceded to it in 2014."
    )
    assert found == {
        ("Ratification", "GHA", "ets-185", "2018-03-03"),
        ("Ratification", "PER", "ets-185", "2017-05-04"),
        ("Ratification", "CHL", "ets-185", "2016"),
        ("Signature", "BEN", "ets-185", "2015"),
        ("Accession", "TGO", "ets-185", "2014"),
    }


def test_an_acts_noun_followed_by_the_state_that_acted():
    found = acts(
        "With the signature of Peru, the Convention on Cybercrime has 70 signatories. "
        "La ratification par le Ghana de la Convention sur la cybercriminalité a eu lieu hier. "
        "The ratification of the Council of Europe's Convention on Cybercrime took years."
    )
    assert found == {
        ("Signature", "PER", "ets-185", None),
        ("Ratification", "GHA", "ets-185", "2019-06-12"),
    }


def test_an_acts_noun_only_awaited_is_no_act():
    found = acts(
        "The Secretary General looks forward to the ratification by Peru of the Convention on "
        "Cybercrime and calls for the signature of Chile."
    )
    assert found == set()


def test_denounced_it_refers_to_the_treaty_named_before():
    found = acts(
        "Greece ratified the European Convention on Human Rights on 28 March 1953, denounced "
        "it on 12 December 1969 and ratified it again on 28 November 1974.",
        kinds=("Ratification", "Denunciation"),
    )
    assert found == {
        ("Ratification", "GRC", "ets-005", "1953-03-28"),
        ("Denunciation", "GRC", "ets-005", "1969-12-12"),
        ("Ratification", "GRC", "ets-005", "1974-11-28"),
    }


def test_acts_received_from_states_and_a_process_completed():
    found = acts(
        "Ratifications of the Convention on Cybercrime were received from Peru and Chile. "
        "Ghana completed the ratification process for the Convention on Cybercrime in May 2019. "
        "Benin launched the ratification process for the Convention on Cybercrime in 2018."
    )
    assert found == {
        ("Ratification", "PER", "ets-185", None),
        ("Ratification", "CHL", "ets-185", None),
        ("Ratification", "GHA", "ets-185", "2019-05"),
    }


def test_respectively_pairs_states_and_dates_in_order():
    found = acts(
        "Peru and Chile ratified the Convention on Cybercrime on 22 and 23 April 2016 "
        "respectively. Le Ghana et le Bénin ont signé la Convention sur la cybercriminalité le "
        "2 mai 2017 et le 3 mai 2017 respectivement."
    )
    assert found == {
        ("Ratification", "PER", "ets-185", "2016-04-22"),
        ("Ratification", "CHL", "ets-185", "2016-04-23"),
        ("Signature", "GHA", "ets-185", "2017-05-02"),
        ("Signature", "BEN", "ets-185", "2017-05-03"),
    }


ENTRY = ("EntryIntoForce",)


def test_an_entry_into_force_for_both_countries_is_for_the_states_that_just_acted():
    text = (
        "Chile and Peru deposited their instruments of ratification of the Convention on "
        "Cybercrime on 2 May 2019. The Convention will enter into force for both countries on "
        "1 September 2019."
    )
    assert acts(text, kinds=ENTRY) == {
        ("EntryIntoForce", "CHL", "ets-185", "2019-09-01"),
        ("EntryIntoForce", "PER", "ets-185", "2019-09-01"),
    }


def test_an_adverb_inside_an_entry_into_force_verb():
    english = "The Convention on Cybercrime formally entered into force on 1 July 2004."
    french = (
        "La Convention sur la cybercriminalité entrera définitivement en vigueur le "
        "1er juillet 2019."
    )
    assert acts(english, kinds=ENTRY) == {("EntryIntoForce", None, "ets-185", "2004-07-01")}
    assert acts(french, kinds=ENTRY) == {("EntryIntoForce", None, "ets-185", "2019-07-01")}


def test_an_act_that_only_counts_time_is_not_dated_by_the_later_day():
    text = (
        "Chile deposited its instrument of accession to the Convention on Cybercrime on "
        "3 March 2019. Thirty days after the deposit of its instrument of accession, on "
        "2 April 2019, Chile will become a Party to the Convention."
    )
    assert acts(text) == {("Accession", "CHL", "ets-185", "2019-03-03")}


def test_a_call_on_other_states_to_follow_is_no_act_of_the_state_named():
    text = (
        "The Chair hopes that other States follow the example of Chile and accede to the "
        "Convention on Cybercrime. The Committee urges all other countries, like Peru before "
        "them, to ratify the Convention on Cybercrime."
    )
    assert acts(text) == set()


def test_an_accession_noun_with_its_date_is_an_act_in_english_and_french():
    found = acts(
        "Moldova's accession to the Convention on Cybercrime on 12 March 2019 was welcomed. "
        "L'adhésion du Kazakhstan à la Convention sur la cybercriminalité date du 4 avril 2019.",
        kinds=("Accession",),
    )
    assert ("Accession", "MDA", "ets-185", "2019-03-12") in found
    assert ("Accession", "KAZ", "ets-185", "2019-04-04") in found


def test_an_accession_noun_without_date_or_only_decided_or_expected_is_no_act():
    found = acts(
        "The Council adopted a decision on the accession of the European Union to the "
        "Convention on Cybercrime. Sweden's accession to NATO on 7 March 2019 was welcomed. "
        "Brazil's accession to the Convention on Cybercrime is expected in 2019. "
        "Chile's accession to the Convention on Cybercrime strengthens cooperation.",
        kinds=("Accession",),
    )
    assert found == set()


def test_an_organisation_depositing_its_instrument_of_approval_approves():
    found = acts(
        "The European Union deposited its instrument of approval of the Convention on "
        "Cybercrime on 28 May 2019. L'Union européenne a déposé son instrument d'adhésion à la "
        "Convention sur la cybercriminalité le 2 juin 2019.",
        kinds=("Approval", "Accession"),
    )
    assert ("Approval", "european-union", "ets-185", "2019-05-28") in found
    assert ("Accession", "european-union", "ets-185", "2019-06-02") in found


def test_a_generic_verb_in_the_passive_counts_with_a_party_as_agent_only():
    found = acts(
        "La Convention sur la cybercriminalité a été approuvée par l'Union européenne le "
        "5 mai 2019. The Convention on Cybercrime was approved by the Committee of Ministers "
        "on 8 November 2001.",
        kinds=("Approval",),
    )
    assert found == {("Approval", "european-union", "ets-185", "2019-05-05")}


def test_french_passive_agents_keep_their_elided_article():
    found = acts(
        "La Convention sur la cybercriminalité a été signée par l'Andorre, la Géorgie et "
        "l'Islande le 5 mai 2019."
    )
    assert {actor for _, actor, _, _ in found} == {"AND", "GEO", "ISL"}


def test_becoming_the_nth_signatory_is_a_signature():
    found = acts(
        "Armenia became the 17th signatory of the Convention on Cybercrime on 3 March 2019. "
        "Le Maroc est devenu le 18e signataire de la Convention sur la cybercriminalité le "
        "4 mars 2019."
    )
    assert ("Signature", "ARM", "ets-185", "2019-03-03") in found
    assert ("Signature", "MAR", "ets-185", "2019-03-04") in found


def test_a_list_labelled_with_its_act_and_day_acts_on_the_treaty_in_focus():
    found = acts(
        "The Convention on Cybercrime was the subject of a ceremony.\n\n"
        "Ratified on 4 June 2019: Malta, Cyprus and Monaco.\n\n"
        "Signatures: Peru and Chile."
    )
    assert {
        ("Ratification", key, "ets-185", "2019-06-04") for key in ("MLT", "CYP", "MCO")
    } <= found
    assert {("Signature", key, "ets-185", None) for key in ("PER", "CHL")} <= found


def test_acts_whose_object_goes_unsaid_are_acts_on_the_treaty_just_named():
    found = acts(
        "Ghana and Benin signed the Convention on Cybercrime this week. Togo and Mali both "
        "signed and ratified."
    )
    assert {("Ratification", key, "ets-185", None) for key in ("TGO", "MLI")} <= found
    assert {("Signature", key, "ets-185", None) for key in ("TGO", "MLI")} <= found
    assert not any(kind == "Ratification" and actor == "GHA" for kind, actor, *_ in found)


def test_who_owns_an_act_named_by_a_noun():
    found = acts(
        "Kenya and Uganda's ratifications of the Convention on Cybercrime came first. Later, "
        "Rwanda's instrument of accession to the Convention on Cybercrime arrived, and so did "
        "the United States ratification of the Convention on Cybercrime."
    )
    assert ("Ratification", "KEN", "ets-185", None) in found
    assert ("Ratification", "UGA", "ets-185", None) in found
    assert ("Ratification", "USA", "ets-185", None) in found


def test_a_treaty_that_received_acts_from_states():
    found = acts("The Convention on Cybercrime received three ratifications from Fiji and Samoa.")
    assert {("Ratification", key, "ets-185", None) for key in ("FJI", "WSM")} == found


def test_the_last_few_of_a_list_act_alone():
    found = acts(
        "These states signed the Convention on Cybercrime: Nepal, Bhutan, Laos and Vietnam "
        "(these last two states signed and ratified it at once)."
    )
    assert {actor for kind, actor, *_ in found if kind == "Ratification"} == {"LAO", "VNM"}
    assert {actor for kind, actor, *_ in found if kind == "Signature"} >= {"NPL", "BTN"}


def test_a_day_or_a_month_ends_no_treaty_title():
    found = acts("Ecuador deposited its ratification of the Treaty on 25 September 2019.")
    assert not any(treaty.startswith("treaty-on") for _, _, treaty, _ in found)


def test_titles_that_hold_an_organisation_or_a_shortened_un():
    found = acts(
        "Chad ratified the UN Convention against Corruption. Niger signed the Convention on "
        "the Welfare of United Nations Volunteers from Remote Posts."
    )
    assert ("Ratification", "TCD", "uncac", None) in found
    assert (
        "Signature",
        "NER",
        "convention-on-the-welfare-of-united-nations-volunteers-from-remote-posts",
        None,
    ) in found


def test_each_agent_takes_the_date_written_before_it():
    found = acts(
        "The Convention on Cybercrime was ratified on 2 April 2019 by Malta and on 9 April 2019 "
        "by Cyprus."
    )
    assert ("Ratification", "MLT", "ets-185", "2019-04-02") in found
    assert ("Ratification", "CYP", "ets-185", "2019-04-09") in found


def test_states_that_did_the_same_in_the_next_sentence():
    found = acts(
        "Malta ratified the Convention on Cybercrime on 2 April 2019. Cyprus and Greece did so "
        "on 9 April 2019."
    )
    assert {("Ratification", key, "ets-185", "2019-04-09") for key in ("CYP", "GRC")} <= found


def test_a_date_opening_the_sentence_holds_for_each_act_after_it():
    found = acts(
        "Le 2 avril 2019, Malte a signé la Convention sur la cybercriminalité et Chypre l'a "
        "ratifiée. On 3 April 2019, Peru ratified the Convention on Cybercrime, which Chile had "
        "signed."
    )
    assert ("Ratification", "CYP", "ets-185", "2019-04-02") in found
    assert ("Signature", "CHL", "ets-185", None) in found


def test_a_treaty_and_its_protocol_acted_on_together():
    found = acts(
        "Malta signed both the Convention on Cybercrime and its Additional Protocol on 2 April "
        "2019."
    )
    assert {("Signature", "MLT", key, "2019-04-02") for key in ("ets-185", "ets-189")} <= found


def test_list_lines_without_bullets_or_with_numbers_split_off():
    found = acts(
        "The following states signed the Convention on Cybercrime on 2 June 2019:\n1. Malta\n"
        "2. Cyprus\n\nThe Convention on Cybercrime was ratified by these states:\n\nGreece\n"
        "Portugal (4 June 2019)\n\nThe ceremony then closed."
    )
    assert {("Signature", key, "ets-185", "2019-06-02") for key in ("MLT", "CYP")} <= found
    assert ("Ratification", "GRC", "ets-185", None) in found
    assert ("Ratification", "PRT", "ets-185", "2019-06-04") in found


def test_an_organisation_after_a_list_and_a_comma_is_a_subject():
    found = acts(
        "Malta and Cyprus, as well as the European Union, signed the Convention on Cybercrime."
    )
    assert ("Signature", "european-union", "ets-185", None) in found


def test_opening_for_signature_keeps_the_year_the_text_gives():
    found = acts("The Convention on Cybercrime, opened for signature in 2001, is widely ratified.")
    assert ("OpeningForSignature", None, "ets-185", "2001") in found


def test_an_entry_into_force_wished_for_is_no_fact():
    found = acts(
        "Peru signed the Convention on Cybercrime on 2 May 2019, so as to ensure the Convention "
        "on Cybercrime enters into force as soon as possible. The Treaty should come into force "
        "quickly.",
        kinds=("EntryIntoForce",),
    )
    assert not found


def test_treaties_named_after_a_place_or_a_name():
    found = acts(
        "Chile ratified the Escazú Agreement on 2 May 2019. The Tallinn Treaty was signed by "
        "Latvia. Le Portugal a signé le Protocole de Riga. Portugal signed the New Agreement."
    )
    assert ("Ratification", "CHL", "escazu-agreement", "2019-05-02") in found
    assert ("Signature", "LVA", "tallinn-treaty", None) in found
    assert ("Signature", "PRT", "cets-217", None) in found
    assert not any(treaty == "new-agreement" for _, _, treaty, _ in found)


def test_a_numbered_protocol_named_alone_is_the_only_one_of_its_number():
    found = acts("Malta signed Protocol No. 15. Le Portugal a signé le Protocole n° 15.")
    assert {("Signature", key, "cets-213", None) for key in ("MLT", "PRT")} <= found


def test_french_titles_with_an_adjective_and_a_date_of_their_own():
    found = acts(
        "Vu l'accord culturel entre la France et le Maroc, signé le 3 mai 1990 ; le protocole "
        "annexe à l'accord du 4 juin 1991 entre la France et le Maroc relatif aux écoles "
        "d'art, signé à Rabat le 5 juillet 1992, sera publié."
    )
    assert ("Signature", "MAR", "accord-culturel", "1990-05-03") in found
    assert (
        "Signature",
        "FRA",
        "protocole-annexe-a-l-accord-relatif-aux-ecoles-d-art",
        "1992-07-05",
    ) in found
    assert not any(treaty.startswith("accord-du") for _, _, treaty, _ in found)


def test_a_heading_over_names_and_a_list_split_by_semicolons():
    found = acts(
        "Ratifications of the Convention on Cybercrime\nMalta\nCyprus\n\n"
        "The Additional Protocol to the Convention on Cybercrime was signed by: Peru; Chile; "
        "Bolivia."
    )
    assert {("Ratification", key, "ets-185", None) for key in ("MLT", "CYP")} <= found
    assert {("Signature", key, "ets-189", None) for key in ("PER", "CHL", "BOL")} <= found


def test_what_enters_into_force_is_the_subject_of_the_verb():
    found = acts(
        "The Convention on Cybercrime entered into force on 1 July 2004 and its Additional "
        "Protocol on 1 March 2006. The amendments to the Convention on Cybercrime entered into "
        "force on 1 May 2019. Peru's code, which follows the Convention on Cybercrime, entered "
        "into force on 2 May 2019. It entered into force for Peru, Chile and Bolivia on "
        "3 May 2019.",
        kinds=("EntryIntoForce",),
    )
    assert found == {
        ("EntryIntoForce", None, "ets-185", "2004-07-01"),
        ("EntryIntoForce", None, "ets-189", "2006-03-01"),
        *{("EntryIntoForce", key, "ets-185", "2019-05-03") for key in ("PER", "CHL", "BOL")},
    }


def test_a_weak_verb_with_a_date_before_its_treaty():
    found = acts(
        "L'Union européenne a approuvé le 2 mai 2019 la Convention sur la cybercriminalité.",
        kinds=("Approval",),
    )
    assert found == {("Approval", "european-union", "ets-185", "2019-05-02")}


def test_every_state_listed_after_an_act_noun_acts():
    found = acts(
        "With the ratifications of Malta, Cyprus and Greece, the Convention on Cybercrime grew."
    )
    assert {("Ratification", key, "ets-185", None) for key in ("MLT", "CYP", "GRC")} == found


def test_the_states_named_after_a_count_of_those_that_acted():
    found = acts(
        "So far eleven countries have ratified the Convention on Cybercrime. They include Malta "
        "and Cyprus. Seven states have deposited their instruments of accession to it. Among "
        "them are Chile and Peru. They are all welcome.",
        kinds=("Ratification", "Accession"),
    )
    assert found == {
        ("Ratification", "MLT", "ets-185", None),
        ("Ratification", "CYP", "ets-185", None),
        ("Accession", "CHL", "ets-185", None),
        ("Accession", "PER", "ets-185", None),
    }


def test_a_states_instrument_is_for_the_treaty_in_focus():
    found = acts(
        "The Convention on Cybercrime gathers support. Together with the deposit of Peru's "
        "instrument of ratification on 3 June 2019, momentum grows."
    )
    assert ("Ratification", "PER", "ets-185", "2019-06-03") in found


def test_in_force_since_a_date_is_an_entry_into_force_on_it():
    found = acts(
        "The Convention on Cybercrime has been in force since 1 July 2004. L'Accord de Paris est "
        "en vigueur depuis 2016. The Treaty on the Prohibition of Nuclear Weapons has been in "
        "force since its adoption.",
        kinds=("EntryIntoForce",),
    )
    assert found == {
        ("EntryIntoForce", None, "ets-185", "2004-07-01"),
        ("EntryIntoForce", None, "paris-agreement", "2016"),
    }


def test_a_protocol_named_before_its_treaty_is_what_is_acted_on():
    document = make_document(
        BODY + "The Nagoya Protocol to the Convention on Biological Diversity was signed by "
        "Peru. Le Protocole de Riga à la Convention du Conseil de l'Europe pour la prévention du "
        "terrorisme a été signé par le Pérou. Chile signed the Protocol amending the Convention "
        "on Cybercrime.",
        "protocols",
    )
    facts = [f.to_gold() for f in extract(document).facts]
    signed = {(f["actor"], f["treaty"]) for f in facts if f["type"] == "Signature"}
    assert signed == {
        ("PER", "nagoya-protocol"),
        ("PER", "cets-217"),
        ("CHL", "protocol-amending-the-convention-on-cybercrime"),
    }
    supplements = {(f["protocol"], f["treaty"]) for f in facts if f["type"] == "Supplements"}
    assert supplements == {
        ("nagoya-protocol", "cbd"),
        ("cets-217", "cets-196"),
        ("protocol-amending-the-convention-on-cybercrime", "ets-185"),
    }
