"""Person roles: titles before or after a name, chained titles, owners and complements."""

from loaders import make_document
from loaders.extraction import extract


def roles(text: str) -> set[tuple[str, str, str | None]]:
    body = "Strasbourg, 13.06.2007 – Opening words of the release.\n\n" + text
    extraction = extract(make_document(body, "sample"))
    return {
        (f["person"], f["role"], f["affiliation"])
        for f in (fact.to_gold() for fact in extraction.facts)
        if f["type"] == "PersonRole"
    }


def test_two_chained_titles_share_the_state():
    found = roles(
        "The Permanent Representative of Norway to the Council of Europe, Ambassador "
        "Kari Example Nordmann, handed over the instrument."
    )
    assert found == {
        ("kari-example-nordmann", "permanent representative", "NOR"),
        ("kari-example-nordmann", "ambassador", "NOR"),
    }


def test_owner_before_a_title_and_honorific_before_the_name():
    found = roles("The Council of Europe's Secretary General, Mr Pavel Invented, spoke first.")
    assert found == {("pavel-invented", "secretary general", "council-of-europe")}


def test_name_then_title_with_its_complement():
    found = roles(
        "Anna Madeup, head of the Unit on Data Protection at the Council of Europe, left."
    )
    assert found == {("anna-madeup", "head of the unit on data protection", "council-of-europe")}


def test_a_state_post_without_a_stated_state_goes_to_the_state_of_the_sentence():
    found = roles("Portugal welcomed the visit of Prime Minister Rui Imaginado on Monday.")
    assert found == {("rui-imaginado", "prime minister", "PRT")}


def test_a_complement_ends_at_a_closing_bracket():
    found = roles(
        "The Treaty was welcomed [in a speech by Ms. Jane Roe, Under-Secretary for Legal "
        "Affairs] at the United Nations."
    )
    assert any(
        person == "jane-roe" and role == "under-secretary for legal affairs"
        for person, role, _ in found
    ), found


def test_the_signature_block_of_a_decree():
    text = (
        "Le Gouvernement de la République française publie l'accord.\n\n"
        "Fait le 2 mai 2019.\n\nJeanne Exemple\n\nPar le Président de la République :\n\n"
        "La Première ministre,\n\nPaul Modèle\n\n"
        "Le ministre des affaires étrangères,\n\nLuc Témoin\n"
    )
    assert roles(text) == {
        ("jeanne-exemple", "president", "FRA"),
        ("paul-modele", "prime minister", "FRA"),
        ("luc-temoin", "minister for foreign affairs", "FRA"),
    }


def test_a_name_between_two_titles_holds_both():
    assert roles(
        "In the presence of Ambassador Anna EXEMPLE, Permanent Representative of Norway to the "
        "Council of Europe, the instrument was deposited."
    ) == {
        ("anna-exemple", "ambassador", "NOR"),
        ("anna-exemple", "permanent representative", "NOR"),
    }


def test_two_titles_joined_by_and_with_an_owner_each():
    assert roles(
        "The talks were hosted by Ireland's Minister for Foreign Affairs and OSCE "
        "Chairperson-in-Office, Sean Exemple."
    ) == {
        ("sean-exemple", "minister for foreign affairs", "IRL"),
        (
            "sean-exemple",
            "chairperson-in-office",
            "organization-for-security-and-co-operation-in-europe",
        ),
    }


def test_a_state_named_by_its_adjective_owns_the_title():
    assert roles(
        "Estonian Foreign Minister Kaja Exemple signed. Le ministre letton des Affaires "
        "étrangères Janis Modele a salué le secrétaire d'État américain John Temoin."
    ) == {
        ("kaja-exemple", "foreign minister", "EST"),
        ("janis-modele", "minister for foreign affairs", "LVA"),
        ("john-temoin", "secretary of state", "USA"),
    }


def test_an_organisation_named_with_its_article_is_the_affiliation():
    assert roles(
        "La Secrétaire générale de la Francophonie, Claire Exemple, et le Directeur général de "
        "l'AFD, Marc Modele, ont signé."
    ) == {
        ("claire-exemple", "secretary general", "organisation-internationale-de-la-francophonie"),
        ("marc-modele", "director general", "agence-francaise-de-developpement"),
    }


def test_a_title_right_after_a_name_without_a_comma():
    assert roles(
        '"We agree," said Otto Exemple President of the European DIGITAL SME Alliance.'
    ) == {("otto-exemple", "president", "european-digital-sme-alliance")}


def test_an_unknown_french_portfolio_is_read_past_and_a_known_one_translated():
    assert roles(
        "Le ministre ivoirien de l'Agriculture et du développement rural, Mamadou Exemple, a "
        "parlé. Le ministre ivoirien de la Pêche hauturière, Paul Modele, a parlé."
    ) == {
        ("mamadou-exemple", "minister for agriculture and rural development", "CIV"),
        ("paul-modele", "minister", "CIV"),
    }


def test_a_name_then_an_owned_title_after_the():
    assert roles(
        "According to Antonio Example, the UN Secretary-General, the treaty is historic."
    ) == {("antonio-example", "secretary general", "united-nations")}


def test_organisations_signing_a_partnership_instrument_are_partners():
    body = "Strasbourg, 13.06.2019 – Opening words of the release.\n\n"
    text = (
        "The European Union and the Council of Europe signed a partnership agreement on "
        "cybercrime. The OSCE signed a memorandum of understanding with UNESCO. Peru and Chile "
        "signed a cooperation agreement."
    )
    found = [f.to_gold() for f in extract(make_document(body + text, "sample")).facts]
    assert {tuple(f["partners"]) for f in found if f["type"] == "Partnership"} == {
        ("council-of-europe", "european-union"),
        (
            "organization-for-security-and-co-operation-in-europe",
            "united-nations-educational-scientific-and-cultural-organization",
        ),
    }


def test_a_name_with_two_particles_holds_its_title():
    found = roles(
        "The President of the European Commission, Greta van der Berg, spoke. "
        "European Commission President Hugo von der Mark replied."
    )
    assert found == {
        ("greta-van-der-berg", "president", "european-commission"),
        ("hugo-von-der-mark", "president", "european-commission"),
    }


def test_a_french_portfolio_stops_before_the_state_it_belongs_to():
    found = roles(
        "Lucie Inventée, ministre des Affaires étrangères de la Belgique, a signé. "
        "Paul Exemple, ministre de la Culture du Luxembourg, était présent."
    )
    assert found == {
        ("lucie-inventee", "minister for foreign affairs", "BEL"),
        ("paul-exemple", "minister for culture", "LUX"),
    }


def test_a_portfolio_before_the_minister_is_part_of_the_title():
    found = roles("Italy's Justice Minister Carla Madeup and Defence Minister Piero Invented met.")
    assert ("carla-madeup", "justice minister", "ITA") in found
    assert ("piero-invented", "defence minister", "ITA") in found


def test_a_name_after_a_place_without_punctuation():
    found = roles("On 4 May, in Vienna Tomas Invented, Foreign Minister of Latvia, met the press.")
    assert found == {("tomas-invented", "foreign minister", "LVA")}


def test_a_list_of_names_each_followed_by_its_title():
    found = roles(
        "The Chair received Mr. Aram Madeup, Minister of Justice of the Republic of Armenia, "
        "Ms. Lena Example, Minister of Justice of the Republic of Estonia, and Mr. Ivo "
        "Fictive, Minister of Justice of the Republic of Croatia."
    )
    assert found == {
        ("aram-madeup", "minister of justice", "ARM"),
        ("lena-example", "minister of justice", "EST"),
        ("ivo-fictive", "minister of justice", "HRV"),
    }


def test_a_portfolio_followed_directly_by_the_name():
    found = roles("Nepal's Minister for Foreign Affairs Hari Imaginary Sharma spoke on Friday.")
    assert found == {("hari-imaginary-sharma", "minister for foreign affairs", "NPL")}


def test_a_name_after_the_abbreviation_of_the_organisation():
    found = roles(
        "Secretary General of the Organisation for Economic Co-operation and Development "
        "(OECD) Clara Invented Ruiz opened the forum."
    )
    assert found == {
        (
            "clara-invented-ruiz",
            "secretary general",
            "organisation-for-economic-co-operation-and-development",
        )
    }


def test_a_bare_title_repeated_before_a_name_is_not_a_second_role():
    found = roles(
        "Mr. Saul Example, Minister of Foreign Affairs of Kenya, arrived on Monday. "
        "Minister Saul Example then addressed the assembly."
    )
    assert found == {("saul-example", "minister of foreign affairs", "KEN")}


def test_a_title_right_before_a_name_keeps_that_name_in_a_list():
    found = roles(
        "Before the Director, Ms Olga Invented, Ambassador Piet Example, Permanent "
        "Representative of Belgium, signed."
    )
    assert ("piet-example", "ambassador", "BEL") in found
    assert ("olga-invented", "ambassador", "BEL") not in found


def test_the_long_form_of_a_state_is_not_part_of_the_role():
    found = roles("Ms. Dina Example, Minister of Justice of the Kingdom of Belgium, spoke.")
    assert found == {("dina-example", "minister of justice", "BEL")}


def test_a_name_written_out_before_its_abbreviation_is_the_affiliation():
    found = roles(
        "The Secretary General of the Organization of Islamic Cooperation (OIC), Mr. Ruben "
        "Madeup, opened the forum."
    )
    assert found == {("ruben-madeup", "secretary general", "organisation-of-islamic-cooperation")}


def test_a_title_owned_by_the_organisation_named_before():
    found = roles(
        "The Council of Europe welcomed the step. “It matters,” said Lara Invented, the "
        "organisation's Director-General."
    )
    assert ("lara-invented", "director general", "council-of-europe") in found


def test_a_title_in_brackets_after_the_name():
    found = roles("Kofi Madeup (Ghana's Minister of Justice) signed the treaty.")
    assert found == {("kofi-madeup", "minister of justice", "GHA")}


def test_a_chancellor_is_a_post():
    found = roles("German Chancellor Olaf Example met the press.")
    assert found == {("olaf-example", "chancellor", "DEU")}


def test_a_french_permanent_representative_who_is_also_ambassador():
    found = roles(
        "Le Représentant permanent de la Grèce auprès du Conseil de l'Europe, l'Ambassadeur "
        "Nikos Exemple, a signé."
    )
    assert found == {
        ("nikos-exemple", "permanent representative", "GRC"),
        ("nikos-exemple", "ambassador", "GRC"),
    }


def test_a_french_deputy_secretary_general():
    found = roles(
        "La Secrétaire générale adjointe du Conseil de l'Europe, Mme Ada Exemple, a signé."
    )
    assert found == {("ada-exemple", "deputy secretary general", "council-of-europe")}


def test_an_organisation_the_tables_lack_is_the_affiliation_not_part_of_the_role():
    found = roles(
        "Mr Paul Example, Director General of the International Federation of Example Makers "
        "and Associations, welcomed it."
    )
    assert found == {
        (
            "paul-example",
            "director general",
            "international-federation-of-example-makers-and-associations",
        )
    }


def test_a_post_written_before_a_new_organisations_name_stays_a_post():
    found = roles("Ms Rita Example, President of the Nordic Fishing Association, spoke.")
    assert found == {("rita-example", "president", "nordic-fishing-association")}


def test_a_former_post_is_not_a_role():
    assert roles("Former Prime Minister Tony Example of Malta attended.") == set()
    assert roles("L'ancien ministre des Affaires étrangères, Jean Exemple, était présent.") == set()


def test_a_name_in_brackets_after_the_title():
    found = roles("I met the Secretary General of the Council of Europe (Mr Anton Example) today.")
    assert found == {("anton-example", "secretary general", "council-of-europe")}


def test_a_portfolio_the_glossary_lacks_followed_by_the_name():
    found = roles(
        "In Bosnia and Herzegovina I met Minister of Security Tarik Example and Minister of "
        "Civil Affairs Vera Madeup."
    )
    assert ("tarik-example", "minister of security", "BIH") in found
    assert ("vera-madeup", "minister of civil affairs", "BIH") in found


def test_the_longest_name_before_the_comma():
    found = roles(
        "His Highness Sheikh Omar bin Example Al Madeup, Minister of Justice of Oman, spoke."
    )
    assert found == {("omar-bin-example-al-madeup", "minister of justice", "OMN")}
