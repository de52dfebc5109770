"""One act, many reports: an act's node is shared by every source that states it.

The texts are written for these tests; only their shape matters, not their truth.
"""

from pathlib import Path

from loaders import load_paths
from loaders.dates import PartialDate
from loaders.facts import (
    Denunciation,
    Entity,
    Evidence,
    Ratification,
    Signature,
    commitment_rounds,
)
from loaders.pipeline import extract_source
from ontology import document_iri, document_key

PREFIXES = """
PREFIX comity: <https://w3id.org/comity/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

LISBON = "Lisbon, 3 May 2024 – Portugal ratified the Convention on Cybercrime on 24 March 2010.\n"
STRASBOURG = (
    "Strasbourg, 2 February 2015 – Portugal ratified the Convention on Cybercrime in March 2010. "
    "Greece ratified the Convention on Cybercrime in 2014. Monaco has been a member of the "
    "Council of Europe since 2004.\n"
)
LATER = (
    "Strasbourg, 2 February 2013 – Portugal ratified the Convention on Cybercrime on 1 June 2012.\n"
)


def load(kg, tmp_path: Path, **texts: str) -> None:
    paths = []
    for name, text in texts.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    assert load_paths(kg, paths).ok


def portugal_ratifications(kg) -> list[str]:
    rows = kg.query(
        PREFIXES
        + """
        SELECT DISTINCT ?act WHERE {
          ?act a comity:Ratification ; comity:actor ?state ; comity:treaty ?treaty .
          ?state comity:iso3166Alpha3 "PRT" . ?treaty comity:treatyNumber "ETS 185" .
        }"""
    )
    return [row["act"].value for row in rows]


def reports(kg, act: str) -> set[tuple[str, str, str]]:
    """(source graph, date, evidence text) of each source's report of the act."""
    rows = kg.query(
        PREFIXES
        + f"""
        SELECT ?g ?date ?text WHERE {{
          GRAPH ?g {{ <{act}> comity:date ?date ; comity:evidence ?span . ?span comity:text ?text }}
        }}"""
    )
    return {
        (row["g"].value.rsplit("/", 1)[-1], row["date"].value, row["text"].value) for row in rows
    }


def conflicted(kg, act: str) -> bool:
    return kg.query(PREFIXES + f"ASK {{ <{act}> comity:dateConflict true }}")


def test_two_texts_reporting_one_ratification_describe_one_node(kg, tmp_path):
    load(kg, tmp_path, lisbon=LISBON, strasbourg=STRASBOURG)
    [act] = portugal_ratifications(kg)
    assert {(graph_, date) for graph_, date, _ in reports(kg, act)} == {
        ("lisbon", "2010-03-24"),
        ("strasbourg", "2010-03"),
    }
    documents = kg.query(PREFIXES + f"SELECT ?doc WHERE {{ <{act}> comity:reportedIn ?doc }}")
    assert {row["doc"].value for row in documents} == {
        document_iri(document_key("lisbon")),
        document_iri(document_key("strasbourg")),
    }
    # A day and its month can both be true: two precisions, no conflict.
    assert not conflicted(kg, act)


def test_removing_one_source_keeps_the_act_the_other_states(kg, tmp_path):
    load(kg, tmp_path, lisbon=LISBON, strasbourg=STRASBOURG)
    [act] = portugal_ratifications(kg)
    assert kg.remove_source(document_iri(document_key("lisbon")))
    kg.reason()
    assert portugal_ratifications(kg) == [act]
    assert {date for _, date, _ in reports(kg, act)} == {"2010-03"}
    assert kg.remove_source(document_iri(document_key("strasbourg")))
    assert portugal_ratifications(kg) == []


def test_dates_that_cannot_both_be_true_stay_and_are_flagged(kg, tmp_path):
    load(kg, tmp_path, lisbon=LISBON, later=LATER)
    [act] = portugal_ratifications(kg)
    found = reports(kg, act)
    assert {(graph_, date) for graph_, date, _ in found} == {
        ("lisbon", "2010-03-24"),
        ("later", "2012-06-01"),
    }
    assert all("Portugal ratified" in text for _, _, text in found)
    assert conflicted(kg, act)
    # The flag follows the sources: without the contradicting text it is gone.
    kg.remove_source(document_iri(document_key("later")))
    kg.reason()
    assert not conflicted(kg, act)


def test_ratified_before_a_day_counts_year_and_month_dates(kg, tmp_path):
    load(kg, tmp_path, strasbourg=STRASBOURG)

    def ratified_before(day: str) -> set[str]:
        rows = kg.query(
            PREFIXES
            + f"""
            SELECT DISTINCT ?code WHERE {{
              ?act a comity:Ratification ; comity:actor/comity:iso3166Alpha3 ?code ;
                   comity:treaty/comity:treatyNumber "ETS 185" ; comity:dateLatest ?last .
              FILTER(?last < "{day}"^^xsd:date)
            }}"""
        )
        return {row["code"].value for row in rows}

    # Portugal in March 2010 (a month), Greece in 2014 (a year).
    assert ratified_before("2010-03-15") == set()
    assert ratified_before("2010-04-01") == {"PRT"}
    assert ratified_before("2014-12-31") == {"PRT"}
    assert ratified_before("2015-01-01") == {"PRT", "GRC"}


def test_members_on_a_day_with_a_year_only_membership_present(kg, tmp_path):
    load(kg, tmp_path, strasbourg=STRASBOURG)
    # The text's "since 2004" joins the reference's membership of Monaco, one node.
    monaco = kg.query(
        PREFIXES
        + """
        SELECT ?since WHERE {
          ?m org:member/comity:iso3166Alpha3 "MCO" ; org:organization ?coe ; comity:since ?since .
          ?coe comity:shortName "CoE"@en .
        }"""
    )
    assert {row["since"].value for row in monaco} == {"2004", "2004-10-05"}

    def members_on(day: str) -> int:
        [row] = kg.query(
            PREFIXES
            + f"""
            SELECT (COUNT(DISTINCT ?state) AS ?n) WHERE {{
              ?m a comity:Membership ; org:member ?state ; org:organization ?coe ;
                 comity:sinceLatest ?joined .
              ?coe comity:shortName "CoE"@en .
              FILTER(?joined <= "{day}"^^xsd:date)
              FILTER NOT EXISTS {{
                ?m comity:untilEarliest ?left . FILTER(?left <= "{day}"^^xsd:date)
              }}
            }}"""
        )
        return int(row["n"].value)

    assert members_on("2007-06-13") == 47
    assert members_on("2023-01-01") == 46


def test_an_act_dated_after_its_text_is_left_out_with_a_warning(tmp_path):
    path = tmp_path / "misdated.txt"
    path.write_text(
        "Strasbourg, 2 February 2012 – Portugal ratified the Convention on Cybercrime on "
        "1 June 2019. Greece signed the Convention on Cybercrime on 23 November 2001. The "
        "Convention on Cybercrime entered into force on 1 July 2004.\n",
        encoding="utf-8",
    )
    extraction = extract_source(path)
    kinds = {
        (fact.kind, fact.date.iso()) for fact in extraction.facts if getattr(fact, "date", None)
    }
    assert ("Signature", "2001-11-23") in kinds
    assert not any(date == "2019-06-01" for _, date in kinds)
    [warning] = [w for w in extraction.warnings if "after the text's date" in w]
    assert "Portugal ratified" in warning and "2019-06-01" in warning


def test_an_entry_into_force_announced_ahead_is_kept(tmp_path):
    path = tmp_path / "announced.txt"
    path.write_text(
        "Strasbourg, 2 February 2012 – The Convention on Cybercrime will enter into force for "
        "Portugal on 1 July 2012.\n",
        encoding="utf-8",
    )
    extraction = extract_source(path)
    assert [
        (fact.kind, fact.date.iso()) for fact in extraction.facts if fact.kind != "Mention"
    ] == [("EntryIntoForce", "2012-07-01")]
    assert not [w for w in extraction.warnings if "after the text's date" in w]


def test_evidence_spans_are_web_annotation_selectors(kg, tmp_path):
    load(kg, tmp_path, lisbon=LISBON)
    rows = kg.query(
        """
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?exact ?start ?end WHERE {
          ?span a oa:TextQuoteSelector , oa:TextPositionSelector ;
                oa:exact ?exact ; oa:start ?start ; oa:end ?end .
        }"""
    )
    found = {(row["exact"].value, int(row["start"].value), int(row["end"].value)) for row in rows}
    assert (LISBON.strip(), 0, len(LISBON.strip())) in found


def test_member_of_holds_only_for_memberships_no_source_ends(kg, tmp_path):
    def member_of(code: str, organisation: str = "council-of-europe") -> bool:
        return kg.query(
            PREFIXES
            + f"""ASK {{ ?state comity:iso3166Alpha3 "{code}" ; comity:memberOf ?org .
                     ?org comity:shortName ?short . FILTER(?short IN ("CoE"@en, "NATO"@en)) }}"""
        )

    old = (
        "Strasbourg, 5 May 2015 – Russia and Norway are members of the Council of Europe. "
        "Norway is a member of the Alpine Songbird Forum.\\n"
    )
    load(kg, tmp_path, old=old)
    # The reference data ends Russia's membership in 2022: a text of 2015 does not revive it.
    assert member_of("NOR") and not member_of("RUS")
    forum = kg.query(
        PREFIXES + 'ASK { ?s comity:iso3166Alpha3 "NOR" ; comity:memberOf/rdfs:label ?l '
        'FILTER(CONTAINS(STR(?l), "Songbird")) }'
    )
    assert forum
    ended = (
        "Oslo, 2 March 2030 – Norway withdrew from the Alpine Songbird Forum on 1 March 2030.\\n"
    )
    load(kg, tmp_path, ended=ended)
    assert not kg.query(
        PREFIXES + 'ASK { ?s comity:iso3166Alpha3 "NOR" ; comity:memberOf/rdfs:label ?l '
        'FILTER(CONTAINS(STR(?l), "Songbird")) }'
    )


def test_party_holds_until_a_denunciation(kg, tmp_path):
    def party(code: str) -> bool:
        return kg.query(
            PREFIXES
            + f"""ASK {{ ?treaty comity:treatyNumber "ETS 185" ; comity:party ?state .
                     ?state comity:iso3166Alpha3 "{code}" }}"""
        )

    load(kg, tmp_path, lisbon=LISBON)
    assert party("PRT")
    denounced = (
        "Strasbourg, 2 February 2026 – Portugal denounced the Convention on Cybercrime on "
        "1 February 2026.\\n"
    )
    load(kg, tmp_path, denounced=denounced)
    assert not party("PRT")
    kg.remove_source(document_iri(document_key("denounced")))
    kg.reason()
    assert party("PRT")


def test_an_act_dated_before_its_treaty_existed_is_left_out_with_a_warning(tmp_path):
    path = tmp_path / "early.txt"
    path.write_text(
        "Strasbourg, 2 February 2012 – Portugal ratified the Convention on Cybercrime on "
        "3 May 1999. Greece signed the Convention on Cybercrime on 23 November 2001.\n",
        encoding="utf-8",
    )
    extraction = extract_source(path)
    dates = {fact.date.iso() for fact in extraction.facts if getattr(fact, "date", None)}
    assert dates == {"2001-11-23"}
    [warning] = [w for w in extraction.warnings if "before the treaty was opened" in w]
    assert "1999-05-03" in warning and "2001-11-23" in warning and "Portugal ratified" in warning


GREECE = (
    "Athens, 30 November 1974 – Greece ratified the European Convention on Human Rights on "
    "28 March 1953, denounced it on 12 December 1969 and ratified it again on 28 November 1974.\n"
)


def greek_acts(kg) -> set[tuple[str, str, int | None]]:
    rows = kg.query(
        PREFIXES
        + """
        SELECT ?act ?kind ?date ?round WHERE {
          ?act a ?kind ; comity:actor/comity:iso3166Alpha3 "GRC" ;
               comity:treaty/comity:treatyNumber "ETS 005" ; comity:date ?date .
          OPTIONAL { ?act comity:sequence ?round }
          FILTER(?kind IN (comity:Ratification, comity:Denunciation))
        }"""
    )
    return {
        (
            row["kind"].value.rsplit("#", 1)[-1],
            row["date"].value,
            int(row["round"].value) if row["round"] is not None else None,
        )
        for row in rows
    }


def test_a_commitment_renewed_after_a_denunciation_is_a_second_round(kg, tmp_path):
    load(kg, tmp_path, greece=GREECE)
    assert greek_acts(kg) == {
        ("Ratification", "1953-03-28", 1),
        ("Denunciation", "1969-12-12", 1),
        ("Ratification", "1974-11-28", 2),
    }
    # The second round's ratification comes after the denunciation: Greece is a party.
    assert kg.query(
        PREFIXES + 'ASK { ?t comity:treatyNumber "ETS 005" ; comity:party/comity:iso3166Alpha3 '
        '"GRC" }'
    )
    # A text that knows only the first ratification names the first round's node.
    first = (
        "Strasbourg, 2 April 1953 – Greece ratified the European Convention on Human Rights on "
        "28 March 1953.\n"
    )
    load(kg, tmp_path, first=first)
    assert len({act for act in greek_acts(kg)}) == 3
    ratifications = kg.query(
        PREFIXES + "SELECT DISTINCT ?act WHERE { ?act a comity:Ratification ; "
        'comity:actor/comity:iso3166Alpha3 "GRC" ; comity:treaty/comity:treatyNumber "ETS 005" }'
    )
    assert len(list(ratifications)) == 2


def test_a_denunciation_with_no_act_after_it_ends_the_commitment(kg, tmp_path):
    text = (
        "Athens, 13 December 1969 – Greece ratified the European Convention on Human Rights on "
        "28 March 1953 and denounced it on 12 December 1969.\n"
    )
    load(kg, tmp_path, text=text)
    # Shown once, the acts need no round and keep the IRIs every other text gives them.
    assert greek_acts(kg) == {
        ("Ratification", "1953-03-28", None),
        ("Denunciation", "1969-12-12", None),
    }
    assert not kg.query(
        PREFIXES + 'ASK { ?t comity:treatyNumber "ETS 005" ; comity:party/comity:iso3166Alpha3 '
        '"GRC" }'
    )


def test_a_membership_has_its_period_in_org_and_owl_time_terms(kg):
    kg.reason()
    rows = kg.query(
        PREFIXES
        + """
        PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?begins ?ends WHERE {
          ?membership org:member/comity:iso3166Alpha3 "RUS" ; org:organization ?coe ;
                      org:memberDuring ?period .
          ?coe comity:shortName "CoE"@en .
          ?period a time:Interval ; time:hasBeginning ?start ; time:hasEnd ?end .
          ?start a time:Instant ; time:inXSDDate ?begins .
          ?end a time:Instant ; time:inXSDDate ?ends .
        }"""
    )
    assert [(row["begins"].value, row["ends"].value) for row in rows] == [
        ("1996-02-28", "2022-03-16")
    ]


def test_a_membership_period_keeps_the_precision_of_its_start(kg, tmp_path):
    text = "Oslo, 5 May 2015 – Norway has been a member of the Alpine Songbird Forum since 2004.\n"
    load(kg, tmp_path, text=text)
    rows = kg.query(
        PREFIXES
        + """PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?year WHERE {
          ?m org:member/comity:iso3166Alpha3 "NOR" ; org:organization/rdfs:label ?label ;
             org:memberDuring/time:hasBeginning/time:inXSDgYear ?year .
          FILTER(CONTAINS(STR(?label), "Songbird"))
        }"""
    )
    assert [row["year"].value for row in rows] == ["2004"]


def test_rounds_count_a_denunciation_whose_earlier_act_the_text_does_not_show():
    greece = Entity("state", "GRC", "urn:state:grc", "Greece")
    echr = Entity("treaty", "ets-005", "urn:treaty:echr", "ECHR")
    evidence = Evidence(0, 1, "x")
    facts = [
        Ratification(greece, echr, PartialDate(1974, 11, 28), evidence=evidence),
        Denunciation(greece, echr, PartialDate(1969, 12), evidence=evidence),
        Signature(greece, echr, PartialDate(1950, 11, 28), evidence=evidence),
    ]
    assert commitment_rounds(facts) == {0: 2, 1: 1}
    # Without a date on every act, the order is unknown and no round is given.
    undated = [*facts[:1], Denunciation(greece, echr, None, evidence=evidence)]
    assert commitment_rounds(undated) == {}
