"""The reference tables: their content, their name index, their graph, and their refusals."""

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pycountry
import pyoxigraph
import pytest

from graph.validation import validate_dataset
from ontology import COMITY, ORG, OWL, RDF, REFERENCE_DIR, SCHEMA, WD
from ontology.errors import ComityError
from ontology.iris import organisation_iri, state_iri, topic_iri, treaty_iri, unit_iri
from ontology.reference import (
    AMBIGUOUS_NAMES,
    Name,
    Organisation,
    Place,
    Reference,
    State,
    Topic,
    Treaty,
    load_reference,
    names_of,
    normalise_name,
    reference_ntriples,
)
from ontology.vocabulary import read_ontology, read_shapes
from tools.build_reference import (
    CURATED_DIR,
    NAME_LANGUAGES_FILE,
    OUTPUT_FILES,
    SOURCES_DIR,
    build_organisations,
    build_states,
)

REPO = Path(__file__).resolve().parents[2]
QID = re.compile(r"^Q[0-9]+$")
XSD_DATE = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#date")
XSD_YEAR = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"

# The member states exactly as the 2007 Council of Europe press release lists them.
PRESS_RELEASE_MEMBERS = """Albania|Andorra|Armenia|Austria|Azerbaijan|Belgium|Bosnia and
Herzegovina|Bulgaria|Croatia|Cyprus|Czech Republic|Denmark|Estonia|Finland|France|Georgia|Germany|
Greece|Hungary|Iceland|Ireland|Italy|Latvia|Liechtenstein|Lithuania|Luxembourg|Malta|Moldova|
Monaco|Montenegro|Netherlands|Norway|Poland|Portugal|Romania|Russia|San Marino|Serbia|Slovakia|
Slovenia|Spain|Sweden|Switzerland|"The former Yugoslav Republic of Macedonia"|Turkey|Ukraine|
United Kingdom"""


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference()


def only(reference: Reference, name: str, kind: type) -> object:
    found = [entity for entity in reference.lookup(name) if isinstance(entity, kind)]
    assert len(found) == 1, f"{name!r} names {found}"
    return found[0]


# --- content -----------------------------------------------------------------------------------


def test_tables_hold_every_current_state_and_the_required_treaties(reference):
    current = [state for state in reference.states if not state.ended]
    assert len(current) == 197
    assert sum(state.un_status == "member" for state in current) == 193
    numbers = {treaty.number for treaty in reference.treaties}
    required = """ETS 005 ETS 009 ETS 024 ETS 030 ETS 035 ETS 090 ETS 108 CETS 223 ETS 126 ETS 141
    CETS 198 ETS 157 ETS 148 ETS 164 ETS 173 ETS 174 ETS 185 ETS 189 CETS 196 CETS 197 CETS 201
    CETS 210 CETS 211 CETS 224 CETS 225"""
    wanted = {" ".join(pair) for pair in zip(*[iter(required.split())] * 2, strict=True)}
    assert wanted <= numbers


def test_iso_codes_are_unique_and_agree_with_pycountry(reference):
    with_codes = [state for state in reference.states if state.alpha3 and not state.ended]
    assert len({state.alpha2 for state in with_codes}) == len(with_codes)
    assert len({state.alpha3 for state in with_codes}) == len(with_codes)
    for state in with_codes:
        record = pycountry.countries.get(alpha_3=state.alpha3)
        assert record is not None, state.alpha3
        assert record.alpha_2 == state.alpha2, state
        assert state.iri == state_iri(state.alpha3)


def test_former_states_keep_their_withdrawn_codes_and_name_their_successors(reference):
    former = {state.key: state for state in reference.states if state.ended}
    assert {"SCG", "YUG", "CSK", "SUN", "DDR"} <= set(former)
    for state in former.values():
        if state.alpha3:
            assert pycountry.historic_countries.get(alpha_3=state.alpha3) is not None
            assert state.alpha2 == ""
        assert state.successor_iris, state.key
    assert former["SCG"].ended == "2006-06-03"
    assert set(former["SCG"].successor_iris) == {state_iri("SRB"), state_iri("MNE")}


def test_only_kosovo_lacks_iso_codes_and_it_says_why(reference):
    without = [state for state in reference.states if not state.alpha3 and not state.ended]
    assert [state.key for state in without] == ["kosovo"]
    assert without[0].iri == state_iri("kosovo") == "https://w3id.org/comity/id/state/kosovo"
    assert without[0].iso3166_exemption


def test_every_qid_is_well_formed_and_no_two_entities_share_one(reference):
    qids = [qid for entity in reference.entities() if (qid := getattr(entity, "qid", ""))]
    assert all(QID.match(qid) for qid in qids)
    assert len(qids) == len(set(qids))


def test_organisation_qids_are_exactly_the_shared_ones(reference):
    by_key = {organisation.key: organisation for organisation in reference.organisations}
    assert by_key["coe"].qid == "Q8908"
    assert by_key["un"].qid == "Q1065"
    assert by_key["igf"].qid == ""


def test_every_protocol_names_the_treaty_it_supplements(reference):
    for treaty in reference.treaties:
        if treaty.number:
            assert (treaty.kind == "Protocol") == bool(treaty.supplements_iri), treaty.number
        assert treaty.iri == treaty_iri(treaty.key)


@pytest.mark.parametrize(
    ("protocol", "treaty"),
    [("ETS 189", "ETS 185"), ("CETS 224", "ETS 185"), ("CETS 223", "ETS 108"),
     ("ETS 009", "ETS 005")],
)  # fmt: skip
def test_supplements(reference, protocol, treaty):
    assert reference.treaty(protocol).supplements_iri == treaty_iri(treaty)


# --- names -------------------------------------------------------------------------------------


def test_ambiguous_names_are_exactly_the_documented_ones(reference):
    assert set(reference.ambiguous_names()) == AMBIGUOUS_NAMES
    luxembourg = reference.lookup("Luxembourg")
    assert {type(entity) for entity in luxembourg} == {State, Place}


@pytest.mark.parametrize(
    ("name", "code", "qid"),
    [
        ("France", "FRA", "Q142"),
        ("Netherlands", "NLD", "Q29999"),
        ("the Netherlands", "NLD", "Q29999"),
        ("Kingdom of the Netherlands", "NLD", "Q29999"),
        ('"The former Yugoslav Republic of Macedonia"', "MKD", "Q221"),
        ("the former Yugoslav Republic of Macedonia", "MKD", "Q221"),
        ("Czech Republic", "CZE", "Q213"),
        ("Russia", "RUS", "Q159"),
        ("Moldova", "MDA", "Q217"),
        ("the Republic of Moldova", "MDA", "Q217"),
        ("Serbia and Montenegro", "SCG", "Q37024"),
        ("Swaziland", "SWZ", "Q1050"),
        ("Turkey", "TUR", "Q43"),
        ("Türkiye", "TUR", "Q43"),
        ("Turkiye", "TUR", "Q43"),
        ("United Kingdom", "GBR", "Q145"),
        ("the Philippines", "PHL", "Q928"),
        ("United States", "USA", "Q30"),
        ("USA", "USA", "Q30"),
        ("South Korea", "KOR", "Q884"),
        ("Côte d’Ivoire", "CIV", "Q1008"),
        ("Allemagne", "DEU", "Q183"),
        ("  united   KINGDOM ", "GBR", "Q145"),
    ],
)
def test_state_names(reference, name, code, qid):
    state = only(reference, name, State)
    assert (state.alpha3, state.qid) == (code, qid)
    assert reference.lookup(name) == [state]


def test_former_names_are_kept_apart_from_aliases(reference):
    czechia = reference.state("CZE")
    assert "Czech Republic" in czechia.former_names
    assert "Czech Republic" not in czechia.aliases
    assert czechia.name_en == "Czechia"
    assert reference.state("TUR").former_names[0] == "Turkey"
    assert reference.state("MKD").name_fr == "Macédoine du Nord"
    assert reference.state("slb").name_fr == "Îles Salomon"


def test_consumers_get_the_names_as_plain_strings(reference):
    """Loaders match the bare text; the languages stay with the tagged names beside it."""
    andorra = reference.state("AND")
    assert andorra.aliases == ("Principality of Andorra", "Principauté d'Andorre")
    assert andorra.tagged_aliases == (
        Name("Principality of Andorra", ("en",)),
        Name("Principauté d'Andorre", ("fr",)),
    )
    assert reference.state("SWZ").tagged_former_names[0] == Name("Swaziland", ("en", "fr"))
    ets005 = reference.treaty("ETS 005")
    assert "CEDH" in ets005.short_names
    assert Name("CEDH", ("fr",)) in ets005.tagged_short_names
    osce = next(item for item in reference.organisations if item.key == "osce")
    assert osce.acronym == "OSCE"
    assert osce.tagged_acronym == Name("OSCE", ("en", "fr"))
    names = [name for entity in reference.entities() for name in names_of(entity)]
    assert all(type(name) is str and "@" not in name for name in names)


def test_states_by_code(reference):
    assert reference.state("fr").alpha3 == "FRA"
    assert reference.state("FRA") is reference.state("fr")
    assert reference.state("Kosovo").key == "kosovo"
    assert reference.state("XXX") is None


def test_every_member_state_listed_in_a_press_release_resolves_to_one_state(reference):
    names = [name.strip() for name in PRESS_RELEASE_MEMBERS.replace("\n", " ").split("|")]
    states = [only(reference, name, State) for name in names]
    assert len(names) == len({state.key for state in states}) == 47


def test_organisation_names(reference):
    coe = only(reference, "Council of Europe", Organisation)
    assert (coe.qid, coe.iri) == ("Q8908", organisation_iri("Council of Europe"))
    assert only(reference, "Conseil de l'Europe", Organisation) is coe
    assert only(reference, "CoE", Organisation) is coe
    press = only(reference, "Council of Europe Press Division", Organisation)
    assert press.parent_iri == coe.iri
    assert press.iri == unit_iri("Council of Europe", "Press Division")
    assert only(reference, "T-CY", Organisation).parent_iri == coe.iri
    assert only(reference, "Microsoft Corporation", Organisation).kind == "company"
    assert only(reference, "Internet Governance Forum", Organisation).kind == "forum"
    assert only(reference, "OSCE", Organisation).headquarters.endswith("/place/vienna")


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("Budapest Convention", "ETS 185"),
        ("Convention on Cybercrime", "ETS 185"),
        ("the Cybercrime Convention", "ETS 185"),
        ("Convention sur la cybercriminalité", "ETS 185"),
        ("ETS No. 185", "ETS 185"),
        ("CETS No. 185", "ETS 185"),
        ("STCE n° 185", "ETS 185"),
        ("ets185", "ETS 185"),
        ("Protocol on Xenophobia and Racism", "ETS 189"),
        ("Additional Protocol to the Convention on Cybercrime", "ETS 189"),
        ("CETS No. 224", "CETS 224"),
        ("Convention 108+", "CETS 223"),
        ("Istanbul Convention", "CETS 210"),
        ("Lanzarote Convention", "CETS 201"),
        ("ETS 5", "ETS 005"),
    ],
)
def test_treaty_names(reference, name, number):
    assert only(reference, name, Treaty).number == number
    assert reference.treaty(name).iri == treaty_iri(number)


def test_topic_and_place_names(reference):
    assert only(reference, "child pornography", Topic).iri == topic_iri("child-pornography")
    assert only(reference, "spam mail", Topic).key == "spam"
    assert only(reference, "hate crimes", Topic).key == "hate-crime"
    assert only(reference, "malicious codes", Topic).key == "malicious-code"
    rio = only(reference, "Rio de Janeiro", Place)
    assert rio.country_iri == state_iri("BRA")
    assert only(reference, "La Haye", Place).key == "the-hague"


def test_unknown_names_find_nothing(reference):
    assert reference.lookup("Atlantis") == []
    assert reference.lookup("") == []
    assert reference.treaty("ETS 999") is None


def test_normalise_name():
    assert normalise_name("  The  “Netherlands” ") == "netherlands"
    assert normalise_name("Côte d’Ivoire") == "cote d'ivoire"
    assert normalise_name("CETS n° 5") == normalise_name("ETS No. 005") == "treaty 5"
    assert normalise_name("Theodor") == "theodor"


def test_load_is_cached_per_directory(reference):
    assert load_reference() is reference
    assert load_reference(REFERENCE_DIR) is reference


# --- graph -------------------------------------------------------------------------------------


def triples_of(data: bytes) -> set[pyoxigraph.Triple]:
    return {quad.triple for quad in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES)}


def triple(subject: str, predicate: str, value: str | pyoxigraph.Literal) -> pyoxigraph.Triple:
    node = value if isinstance(value, pyoxigraph.Literal) else pyoxigraph.NamedNode(value)
    return pyoxigraph.Triple(pyoxigraph.NamedNode(subject), pyoxigraph.NamedNode(predicate), node)


def test_reference_graph_parses_and_states_the_facts():
    data = reference_ntriples()
    assert data == reference_ntriples()
    triples = triples_of(data)
    coe, fra = organisation_iri("Council of Europe"), state_iri("FRA")
    ets185, ets189 = treaty_iri("ETS 185"), treaty_iri("ETS 189")
    press = unit_iri("Council of Europe", "Press Division")
    expected = {
        triple(fra, RDF.type, COMITY.State),
        triple(fra, OWL.sameAs, WD.Q142),
        triple(fra, COMITY.iso3166Alpha3, pyoxigraph.Literal("FRA")),
        triple(fra, COMITY.iso3166Alpha2, pyoxigraph.Literal("FR")),
        triple(state_iri("NLD"), OWL.sameAs, WD.Q29999),
        triple(state_iri("TUR"), COMITY.formerName, pyoxigraph.Literal("Turkey", language="en")),
        triple(coe, RDF.type, COMITY.IntergovernmentalOrganisation),
        triple(coe, OWL.sameAs, WD.Q8908),
        triple(coe, SCHEMA.foundingDate, pyoxigraph.Literal("1949", datatype=XSD_YEAR)),
        triple(coe, COMITY.headquarters, "https://w3id.org/comity/id/place/strasbourg"),
        triple(press, ORG.unitOf, coe),
        triple(press, RDF.type, COMITY.OrganisationalUnit),
        triple(ets185, RDF.type, COMITY.Convention),
        triple(ets185, COMITY.treatyNumber, pyoxigraph.Literal("ETS 185")),
        triple(ets185, COMITY.shortName, pyoxigraph.Literal("Budapest Convention", language="en")),
        triple(
            ets185, COMITY.shortName, pyoxigraph.Literal("Convention de Budapest", language="fr")
        ),
        triple(ets185, COMITY.concludedWithin, coe),
        triple(ets189, RDF.type, COMITY.Protocol),
        triple(ets189, COMITY.supplements, ets185),
        triple(ets189, COMITY.addresses, topic_iri("xenophobia-and-racism")),
        triple(topic_iri("botnets"), RDF.type, COMITY.Topic),
        triple(
            topic_iri("botnets"),
            "http://www.w3.org/2004/02/skos/core#inScheme",
            "https://w3id.org/comity/id/topic",
        ),
    }
    assert expected <= triples
    kosovo = pyoxigraph.NamedNode(state_iri("kosovo"))
    kosovo_predicates = {t.predicate.value for t in triples if t.subject == kosovo}
    assert str(COMITY.iso3166Exemption) in kosovo_predicates
    assert str(COMITY.iso3166Alpha3) not in kosovo_predicates
    subjects = {t.subject.value for t in triples}
    assert all(subject.startswith("https://w3id.org/comity/id/") for subject in subjects)


def test_every_other_former_and_short_name_in_the_graph_has_a_language(reference):
    """Every altLabel and formerName, every short name of a treaty and every acronym of an
    organisation is a literal with a language tag, one per language the tables give it."""
    triples = triples_of(reference_ntriples())
    names = {str(SKOS_ALT_LABEL), str(COMITY.formerName), str(COMITY.shortName)}
    plain = [item for item in triples if item.predicate.value in names and not item.object.language]
    assert plain == []
    expected = {
        (entity.iri, predicate, name.text, language)
        for entity in reference.entities()
        for predicate, column in (
            (SKOS_ALT_LABEL, "tagged_aliases"),
            (str(COMITY.formerName), "tagged_former_names"),
            (str(COMITY.shortName), "tagged_short_names"),
        )
        for name in getattr(entity, column, ())
        for language in name.languages
    }
    expected |= {
        (organisation.iri, str(COMITY.shortName), acronym.text, language)
        for organisation in reference.organisations
        if (acronym := organisation.tagged_acronym)
        for language in acronym.languages
    }
    stated = {
        (item.subject.value, item.predicate.value, item.object.value, item.object.language)
        for item in triples
        if item.predicate.value in names and item.object.language
    }
    # Oxigraph writes language tags in lower case, as RDF compares them.
    assert stated == {(s, p, text, language.lower()) for s, p, text, language in expected}
    assert len(stated) > 1000
    place = pyoxigraph.NamedNode("https://w3id.org/comity/id/place/moscow")
    assert (
        triple(place.value, SKOS_ALT_LABEL, pyoxigraph.Literal("Moskva", language="ru-Latn"))
        in triples
    )
    coe = pyoxigraph.Literal("CoE", language="en")
    assert triple(organisation_iri("Council of Europe"), COMITY.shortName, coe) in triples
    palestine = state_iri("PSE")
    for language in ("en", "fr"):
        literal = pyoxigraph.Literal("Palestine", language=language)
        assert triple(palestine, SKOS_ALT_LABEL, literal) in triples


def test_every_treaty_opening_is_dated_in_the_graph():
    triples = triples_of(reference_ntriples())
    openings = {
        t.subject for t in triples if t.object == pyoxigraph.NamedNode(COMITY.OpeningForSignature)
    }
    dated = {t.subject for t in triples if t.predicate == pyoxigraph.NamedNode(COMITY.date)}
    assert openings and openings <= dated
    assert pyoxigraph.Literal("2001-11-23", datatype=XSD_DATE) in {t.object for t in triples}


# --- refusing bad tables -----------------------------------------------------------------------


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    directory = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, directory)
    return directory


def edit_row(path: Path, starts_with: str, change) -> int:
    """Change the first line that starts with the given text; return its line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if line.startswith(starts_with):
            lines[number - 1] = change(line)
            path.write_text("".join(lines), encoding="utf-8")
            return number
    raise AssertionError(f"no line starts with {starts_with!r} in {path}")


def set_cell(line: str, column: int, value: str) -> str:
    cells = next(csv.reader([line]))
    cells[column] = value
    return ",".join(f'"{cell}"' if "," in cell else cell for cell in cells) + "\n"


def replace_in_cells(line: str, old: str, new: str) -> str:
    """The row with `old` replaced in its cells, quoted again as CSV needs."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        cell.replace(old, new) for cell in next(csv.reader([line]))
    )
    return buffer.getvalue()


def refused(directory: Path, file: str, line: int, reason: str) -> None:
    with pytest.raises(ComityError) as caught:
        load_reference(directory)
    message = str(caught.value)
    assert str(directory / file) in message
    assert f"line {line}:" in message
    assert reason in message


def test_missing_column(tables):
    path = tables / "states.csv"
    line = edit_row(path, "key,", lambda line: line.replace(",name_fr", ""))
    refused(tables, "states.csv", line, "missing column(s) name_fr")


def test_unknown_column(tables):
    line = edit_row(tables / "topics.csv", "key,", lambda line: line.rstrip("\n") + ",colour\n")
    refused(tables, "topics.csv", line, "unknown column(s) colour")


def test_wrong_number_of_fields(tables):
    line = edit_row(
        tables / "treaties.csv", "ets-185,", lambda line: line.replace(",Convention,", ",")
    )
    refused(tables, "treaties.csv", line, "fields where the header has 15")


def test_bad_qid(tables):
    line = edit_row(tables / "states.csv", "FRA,", lambda line: set_cell(line, 3, "142"))
    refused(tables, "states.csv", line, "'142' is not a Wikidata item id")


def test_alpha2_that_does_not_match_alpha3(tables):
    line = edit_row(tables / "states.csv", "FRA,", lambda line: set_cell(line, 1, "DE"))
    refused(tables, "states.csv", line, "does not match FRA")


def test_unknown_alpha3(tables):
    line = edit_row(
        tables / "states.csv", "FRA,", lambda line: set_cell(set_cell(line, 0, "FRX"), 2, "FRX")
    )
    refused(tables, "states.csv", line, "'FRX' is not an ISO 3166-1 alpha-3 code")


def test_state_without_codes_needs_an_exemption(tables):
    line = edit_row(tables / "states.csv", "kosovo,", lambda line: set_cell(line, 9, ""))
    refused(tables, "states.csv", line, "needs an iso3166_exemption")


def test_duplicate_key(tables):
    path = tables / "places.csv"
    with path.open("a", encoding="utf-8") as file:
        file.write("paris,Paris,Paris,FRA,city,,,\n")
    line = len(path.read_text(encoding="utf-8").splitlines())
    refused(tables, "places.csv", line, "place key 'paris' appears twice")


def test_duplicate_treaty_number(tables):
    line = edit_row(
        tables / "treaties.csv",
        "ets-174,",
        lambda line: line.replace("ets-174,ETS 174", "ets-173,ETS 173"),
    )
    refused(tables, "treaties.csv", line, "treaty key 'ets-173' appears twice")


def test_unknown_supplements_reference(tables):
    line = edit_row(
        tables / "treaties.csv", "ets-189,", lambda line: line.replace(",ets-185,", ",ets-999,")
    )
    refused(tables, "treaties.csv", line, "supplements 'ets-999' is not a key in treaties.csv")


def test_treaty_number_in_the_wrong_series(tables):
    line = edit_row(
        tables / "treaties.csv", "ets-185,", lambda line: line.replace(",ETS 185,", ",CETS 185,")
    )
    refused(tables, "treaties.csv", line, "wrong series")


def test_bad_opening_date(tables):
    line = edit_row(
        tables / "treaties.csv", "ets-185,", lambda line: line.replace("2001-11-23", "2001-13-23")
    )
    refused(tables, "treaties.csv", line, "'2001-13-23' is not a date")


def test_unknown_topic_of_a_treaty(tables):
    line = edit_row(
        tables / "treaties.csv", "ets-185,", lambda line: line.replace("|fraud|", "|frauds|")
    )
    refused(tables, "treaties.csv", line, "'frauds' is not a key in topics.csv")


def test_unknown_parent_organisation(tables):
    line = edit_row(
        tables / "organisations.csv", "t_cy,", lambda line: line.replace(",body,coe,", ",body,cof,")
    )
    refused(tables, "organisations.csv", line, "parent 'cof' is not a key")


def test_unknown_headquarters(tables):
    line = edit_row(
        tables / "organisations.csv",
        "coe,",
        lambda line: line.replace(",strasbourg,", ",strasburg,"),
    )
    refused(
        tables, "organisations.csv", line, "headquarters 'strasburg' is not a key in places.csv"
    )


def test_unknown_kind(tables):
    line = edit_row(
        tables / "organisations.csv",
        "nato,",
        lambda line: line.replace(",intergovernmental,", ",alliance,"),
    )
    refused(tables, "organisations.csv", line, "kind 'alliance' is not one of")


def test_place_in_an_unknown_country(tables):
    line = edit_row(tables / "places.csv", "geneva,", lambda line: line.replace(",CHE,", ",SUI,"))
    refused(tables, "places.csv", line, "country 'SUI' is not a key in states.csv")


def test_empty_name_in_a_list(tables):
    line = edit_row(
        tables / "topics.csv", "spam,", lambda line: line.replace("spam mail@en|", "spam mail@en||")
    )
    refused(tables, "topics.csv", line, "empty name between '|' separators")


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("Principauté d'Andorre", 'aliases: "Principauté d\'Andorre" has no language'),
        ("Principauté d'Andorre@", "'' is not a BCP 47 language tag"),
        ("Principauté d'Andorre@french", "'french' is not a BCP 47 language tag"),
        ("Principauté d'Andorre@FR", "'FR' is not a BCP 47 language tag"),
        ("Principauté d'Andorre@fr_FR", "'fr_FR' is not a BCP 47 language tag"),
        ("Principauté d'Andorre@fr en", "'fr en' is not a BCP 47 language tag"),
        ("Principauté d'Andorre@fr;en", "'fr;en' is not a BCP 47 language tag"),
        ("Principauté d'Andorre@xq", "'xq' in 'xq' is not an ISO 639 language code"),
        ("Principauté d'Andorre@fra", "write 'fr' for 'fra'"),
        ("Principauté d'Andorre@fr-Xyzw", "'Xyzw' in 'fr-Xyzw' is not an ISO 15924 script"),
        ("Principauté d'Andorre@fr-QQ", "'QQ' in 'fr-QQ' is not an ISO 3166-1 region"),
        ("Principauté d'Andorre@fr,fr", "gives the language 'fr' twice"),
        ("@fr", "has no name before its language tag"),
        ("Principality of Andorra@fr", "'Principality of Andorra' appears twice"),
    ],
)
def test_a_name_without_a_well_formed_language_is_refused(tables, written, reason):
    line = edit_row(
        tables / "states.csv",
        "AND,",
        lambda line: replace_in_cells(line, "Principauté d'Andorre@fr", written),
    )
    refused(tables, "states.csv", line, reason)


@pytest.mark.parametrize(
    ("file", "starts_with", "old", "new", "reason"),
    [
        (
            "treaties.csv",
            "ets-185,",
            "Budapest Convention@en",
            "Budapest Convention",
            "short_names",
        ),
        ("states.csv", "TUR,", "Turkey@en", "Turkey", "former_names"),
        ("topics.csv", "spam,", "spam mail@en", "spam mail", "aliases"),
        ("places.csv", "vienna,", "Wien@de", "Wien", "aliases"),
        ("organisations.csv", "un,", "ONU@fr", "ONU", "aliases"),
        ("organisations.csv", "coe,", "CoE@en", "CoE", "acronym"),
    ],
)
def test_every_name_column_needs_languages(tables, file, starts_with, old, new, reason):
    line = edit_row(tables / file, starts_with, lambda line: replace_in_cells(line, old, new))
    refused(tables, file, line, f"{reason}: {new!r} has no language")


def test_an_organisation_has_one_acronym(tables):
    line = edit_row(
        tables / "organisations.csv",
        "coe,",
        lambda line: replace_in_cells(line, "CoE@en", "CoE@en|CdE@fr"),
    )
    refused(tables, "organisations.csv", line, "column 'acronym' holds one name")


def test_languages_other_than_english_and_french_are_read(tables):
    edit_row(
        tables / "places.csv",
        "vienna,",
        lambda line: replace_in_cells(line, "Wien@de", "Wien@de-AT,de"),
    )
    vienna = next(place for place in load_reference(tables).places if place.key == "vienna")
    assert vienna.tagged_aliases == (Name("Wien", ("de-AT", "de")),)
    assert vienna.aliases == ("Wien",)


def test_text_that_is_not_utf8(tables):
    path = tables / "places.csv"
    path.write_bytes(path.read_bytes().replace("Genève".encode(), "Genève".encode("latin-1")))
    line = next(
        n for n, text in enumerate(path.read_bytes().split(b"\n"), 1) if text.startswith(b"geneva")
    )
    refused(tables, "places.csv", line, "not UTF-8")


def test_missing_table(tables):
    (tables / "topics.csv").unlink()
    with pytest.raises(ComityError, match=r"topics\.csv: cannot read the reference table"):
        load_reference(tables)


def test_a_refused_table_is_read_again_once_fixed(tables):
    path = tables / "states.csv"
    original = path.read_text(encoding="utf-8")
    edit_row(path, "FRA,", lambda line: set_cell(line, 3, "142"))
    with pytest.raises(ComityError):
        load_reference(tables)
    path.write_text(original, encoding="utf-8")
    fixed = load_reference(tables)
    assert fixed.state("FRA").qid == "Q142"
    assert load_reference() is not fixed


# --- regenerating the tables -------------------------------------------------------------------


SHARED_STATES = """iso3166_alpha2,iso3166_alpha3,wikidata_qid,name_en,aliases,source,kind
FR,FRA,Q142,France,France|French Republic|République française,s,un_member
CZ,CZE,Q213,Czechia,Czechia|Czech Republic|Tchéquie|République tchèque,s,un_member
SB,SLB,Q685,Solomon Islands,Solomon Islands|Îles Salomon,s,un_member
,,Q1246,Kosovo,Kosovo|Republic of Kosovo,s,state_not_un_member
CZ,CZE,Q213,Czech Republic,Czech Republic|République tchèque|Czechia,s,former_or_alternative_name
"""


def test_build_states_folds_former_names_and_adds_french_names():
    rows = list(csv.DictReader(SHARED_STATES.splitlines()))
    states = {row["key"]: row for row in build_states(rows)}
    assert list(states) == ["FRA", "CZE", "SLB", "kosovo"]
    assert states["FRA"]["name_fr"] == "France"
    assert states["SLB"]["name_fr"] == "Îles Salomon"
    assert states["CZE"]["name_fr"] == "Tchéquie"
    assert states["CZE"]["former_names"] == "Czech Republic|République tchèque"
    assert "Czech Republic" not in states["CZE"]["aliases"].split("|")
    assert states["kosovo"]["iso3166_exemption"]
    assert states["kosovo"]["un_status"] == "none"


def test_build_organisations_refuses_an_organisation_without_curation():
    row = {
        "key": "unesco",
        "name_en": "UNESCO",
        "acronym": "",
        "wikidata_qid": "Q7809",
        "aliases": "",
    }
    with pytest.raises(ComityError, match="'unesco'.*ORGANISATION_FACTS"):
        build_organisations([row])


def run_builder(*arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tools.build_reference", *arguments]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)


def test_the_committed_tables_are_what_the_builder_makes_of_the_snapshots(tmp_path):
    """Every table follows from committed source snapshots and curation, with no network."""
    result = run_builder("--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (REFERENCE_DIR / name).read_bytes(), name


def test_command_reports_a_missing_sources_directory(tmp_path):
    result = run_builder("--sources", str(tmp_path / "absent"), "--output", str(tmp_path))
    assert result.returncode == 1
    assert "cannot read" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # A name the languages table lacks reaches the output bare; the reader refuses it.
        (("Principauté d'Andorre@fr\n", ""), 'aliases: "Principauté d\'Andorre" has no language'),
        (("Principauté d'Andorre@fr\n", "Principauté d'Andorre@fre\n"), "write 'fr' for 'fre'"),
        (("Principauté d'Andorre@fr\n", "Principauté d'Andorre\n"), "has no language"),
        (
            ("Principauté d'Andorre@fr\n", "Principauté d'Andorre@fr\nPrincipauté d'Andorre@en\n"),
            "is already on line",
        ),
        (
            (
                "Principauté d'Andorre@fr\n",
                "Principauté d'Andorre@fr\nPrincipauté des Vallées@fr\n",
            ),
            "no table writes 'Principauté des Vallées' any more",
        ),
    ],
)
def test_a_name_without_its_language_stops_the_build_and_changes_nothing(tmp_path, change, reason):
    assert_build_refuses(tmp_path, "--curated", CURATED_DIR, NAME_LANGUAGES_FILE, change, reason)


@pytest.mark.parametrize(
    ("snapshot", "change", "reason"),
    [
        ("world-treaties.csv", ("1982-12-10", "1982-12-32"), "is not a date"),
        ("world-treaties.csv", (",unclos,un,", ",unclos-x,un,"), "is not a key in treaties.csv"),
        ("memberships.csv", ("coe,MNE,2007-05-11", "coe,MNE,2007-05-11x"), "is not a date"),
        ("organisations-world.csv", (",Q170075,", ",170075,"), "is not a Wikidata item id"),
        ("organisations-world.csv", (",Q170075,", ",Q8908,"), "one item names one entity"),
    ],
)
def test_a_bad_snapshot_stops_the_build_and_changes_nothing(tmp_path, snapshot, change, reason):
    assert_build_refuses(tmp_path, "--sources", SOURCES_DIR, snapshot, change, reason)


def assert_build_refuses(
    tmp_path: Path, option: str, inputs: Path, table: str, change: tuple[str, str], reason: str
) -> None:
    """Build from a copy of `inputs` with one change in `table`: the build fails with `reason`
    and a file and line, and leaves the output directory as it was."""
    copied, output = tmp_path / "inputs", tmp_path / "out"
    shutil.copytree(inputs, copied)
    path = copied / table
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    output.mkdir()
    (output / "states.csv").write_text("left as it was\n", encoding="utf-8")
    result = run_builder(option, str(copied), "--output", str(output))
    assert result.returncode == 1
    assert reason in result.stderr
    assert re.search(r"\.csv: line [0-9]+: ", result.stderr), result.stderr
    assert (output / "states.csv").read_text(encoding="utf-8") == "left as it was\n"
    assert sorted(item.name for item in output.iterdir()) == ["states.csv"]


def test_reference_graph_conforms_to_the_shapes():
    # The validator `comity validate` uses: pyshacl for the core shapes, Oxigraph for the
    # SHACL-SPARQL ones (which pyshacl alone takes half a minute over).
    report = validate_dataset(reference_ntriples() + read_ontology(), read_shapes())
    assert report.conforms, report.to_text()
