"""Rebuild every reference table from the committed snapshots of its sources.

    python -m tools.build_reference [--sources DIR] [--curated DIR] [--output DIR]

Inputs, all committed, none fetched (there is no network at build time):

* tools/reference/sources/: what was read in public sources, one CSV per source family, each
  row naming where its values come from (`source`): the shared state and organisation tables,
  former states, memberships with dates, Council of Europe treaties, other multilateral
  treaties, more organisations, and the places they name;
* tools/reference/curated/: what Comity adds by hand (places with aliases, the topic scheme,
  short names and topics of treaties, the language of every other, former and short name and
  of every organisation's acronym), plus the curation tables below (French names for running
  text, aliases readers meet, organisations' kind, seat and founding year).

Snapshots and curation write names bare, as sources print them; the output writes each one
with its languages ("Principauté d'Andorre@fr"), taken from curated/name-languages.csv.

The output (ontology/reference/*.csv) is first written to a scratch directory and loaded with
the strict reader of ontology.reference: a duplicate number, a malformed date, an unknown
supplements target, a bad Wikidata id or a name without a language stops the build with the
file, line and reason, and the output is left untouched.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import io
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pycountry

from ontology.errors import ComityError
from ontology.iris import slug, treaty_slug
from ontology.paths import REFERENCE_DIR
from ontology.reference import (
    MEMBERSHIP_COLUMNS,
    MEMBERSHIPS_FILE,
    NAME_COLUMNS,
    ORGANISATION_COLUMNS,
    ORGANISATIONS_FILE,
    PLACE_COLUMNS,
    PLACES_FILE,
    STATE_COLUMNS,
    STATES_FILE,
    TABLE_FILES,
    TOPIC_COLUMNS,
    TOPICS_FILE,
    TREATIES_FILE,
    TREATY_COLUMNS,
    Name,
    load_reference,
    normalise_name,
    parse_name,
)

TOOLS_DIR = Path(__file__).resolve().parent
SOURCES_DIR = TOOLS_DIR / "reference" / "sources"
CURATED_DIR = TOOLS_DIR / "reference" / "curated"
# Curated tables that go to the output as they are: the adjectives of state names that the
# loaders read ("the Portuguese authorities").
CURATED_TABLES = ("demonyms.csv",)
# The language of every name in a column of NAME_COLUMNS, one name a row in the tables'
# notation ("Principauté d'Andorre@fr", "OSCE@en,fr").
NAME_LANGUAGES_FILE = "name-languages.csv"
OUTPUT_FILES = tuple(dict.fromkeys([*TABLE_FILES, *CURATED_TABLES]))

SHARED_STATE_COLUMNS = ("iso3166_alpha2", "iso3166_alpha3", "wikidata_qid", "name_en", "aliases")
SHARED_ORGANISATION_COLUMNS = ("key", "name_en", "acronym", "wikidata_qid", "aliases")

FORMER_ROW_KIND = "former_or_alternative_name"
UN_STATUS = {"un_member": "member", "un_observer_state": "observer", "state_not_un_member": "none"}

# Rows of the shared table's former-or-alternative kind whose name is still in use: their
# names become aliases, not former names.
ALTERNATIVE_NAMES = frozenset({"Vatican"})

# French short names for running text where the catalogue's ISO form is inverted or long.
FRENCH_NAMES = {
    "RUS": "Russie",
    "FSM": "Micronésie",
    "VAT": "Saint-Siège",
    "PSE": "État de Palestine",
    "COD": "République démocratique du Congo",
    "kosovo": "Kosovo",
}

ISO3166_EXEMPTIONS = {
    "kosovo": "No ISO 3166-1 code: XK and XKX are user-assigned codes outside the standard",
}

# Short or everyday forms that press releases use and the shared table lacks.
EXTRA_ALIASES = {
    "GBR": ("Great Britain", "Britain", "U.K.", "Grande-Bretagne"),
    "USA": ("U.S.", "U.S.A.", "America"),
    "NLD": ("Holland",),
    "BIH": ("Bosnia", "Bosnia-Herzegovina"),
    "MDA": ("Republic of Moldova",),
    "LCA": ("St Lucia", "St. Lucia"),
    "KNA": ("St Kitts and Nevis", "St. Kitts and Nevis"),
    "VCT": ("St Vincent and the Grenadines", "St. Vincent and the Grenadines"),
}

# Former names that the shared table lists among a current entity's aliases.
EXTRA_FORMER_NAMES = {
    "MKD": (
        "Republic of Macedonia",
        "Macedonia, FYR",
        "TFYR Macedonia",
        "TFYR of Macedonia",
        "Macedonia, The Former Yugoslav Republic Of",
    ),
}

# What the shared table does not say about organisations: French name, kind, seat and the
# year of founding, where well established.
ORGANISATION_FACTS = {
    "coe": ("Conseil de l'Europe", "intergovernmental", "strasbourg", "1949", ""),
    "eu": ("Union européenne", "intergovernmental", "brussels", "1993",
           "founded 1993 by the Maastricht Treaty, on the European Communities of the 1950s"),
    "un": ("Organisation des Nations unies", "intergovernmental", "new-york", "1945", ""),
    "osce": ("Organisation pour la sécurité et la coopération en Europe", "intergovernmental",
             "vienna", "1995",
             "began in 1975 as the Conference on Security and Co-operation in Europe (CSCE); "
             "renamed OSCE in 1995"),
    "nato": ("Organisation du traité de l'Atlantique nord", "intergovernmental", "brussels",
             "1949", ""),
    "oecd": ("Organisation de coopération et de développement économiques",
             "intergovernmental", "paris", "1961", "successor of the OEEC (1948)"),
    "au": ("Union africaine", "intergovernmental", "addis-ababa", "2002", ""),
    "oas": ("Organisation des États américains", "intergovernmental", "washington-d-c",
            "1948", ""),
    "asean": ("Association des nations de l'Asie du Sud-Est", "intergovernmental", "jakarta",
              "1967", ""),
    "interpol": ("Organisation internationale de police criminelle", "intergovernmental",
                 "lyon", "1923", ""),
    "europol": ("Europol", "intergovernmental", "the-hague", "", "agency of the European Union"),
    "world_bank": ("Banque mondiale", "intergovernmental", "washington-d-c", "1944", ""),
    "world_bank_group": ("Groupe de la Banque mondiale", "intergovernmental", "washington-d-c",
                         "", ""),
    "ibrd": ("Banque internationale pour la reconstruction et le développement",
             "intergovernmental", "washington-d-c", "1944", ""),
    "imf": ("Fonds monétaire international", "intergovernmental", "washington-d-c", "1944",
            "agreed at Bretton Woods in 1944"),
    "wto": ("Organisation mondiale du commerce", "intergovernmental", "geneva", "1995", ""),
    "igf": ("Forum sur la gouvernance de l'Internet", "forum", "geneva", "2006",
            "a forum convened by the UN Secretary-General, with a secretariat in Geneva"),
    "microsoft": ("Microsoft", "company", "redmond", "1975", ""),
}  # fmt: skip

# Organisations that the shared table lacks, and bodies or units of organisations, that press
# releases name. None has a Wikidata item here: none was verified in a source.
ADDED_ORGANISATIONS = (
    # key, name_en, name_fr, acronym, kind, parent, aliases, headquarters, founded
    (
        "gfce",
        "Global Forum on Cyber Expertise",
        "Global Forum on Cyber Expertise",
        "GFCE",
        "forum",
        "",
        "",
        "the-hague",
        "2015",
    ),
    (
        "coe_press_division",
        "Press Division",
        "Division de la presse",
        "",
        "body",
        "coe",
        "Council of Europe Press Division|Press Unit|Division de la presse du Conseil de l'Europe",
        "strasbourg",
        "",
    ),
    (
        "coe_committee_of_ministers",
        "Committee of Ministers",
        "Comité des Ministres",
        "",
        "body",
        "coe",
        "Committee of Ministers of the Council of Europe|"
        "Comité des Ministres du Conseil de l'Europe",
        "strasbourg",
        "1949",
    ),
    (
        "pace",
        "Parliamentary Assembly",
        "Assemblée parlementaire",
        "PACE",
        "body",
        "coe",
        "Parliamentary Assembly of the Council of Europe|"
        "Assemblée parlementaire du Conseil de l'Europe|APCE",
        "strasbourg",
        "1949",
    ),
    (
        "echr_court",
        "European Court of Human Rights",
        "Cour européenne des droits de l'homme",
        "ECtHR",
        "body",
        "coe",
        "ECHR|Strasbourg Court|CEDH|Court of Human Rights",
        "strasbourg",
        "1959",
    ),
    (
        "coe_congress",
        "Congress of Local and Regional Authorities",
        "Congrès des pouvoirs locaux et régionaux",
        "",
        "body",
        "coe",
        "Congress of Local and Regional Authorities of the Council of Europe",
        "strasbourg",
        "",
    ),
    (
        "coe_commissioner",
        "Commissioner for Human Rights",
        "Commissaire aux droits de l'homme",
        "",
        "body",
        "coe",
        "Council of Europe Commissioner for Human Rights",
        "strasbourg",
        "1999",
    ),
    (
        "venice_commission",
        "European Commission for Democracy through Law",
        "Commission européenne pour la démocratie par le droit",
        "",
        "body",
        "coe",
        "Venice Commission|Commission de Venise",
        "",
        "1990",
    ),
    (
        "t_cy",
        "Cybercrime Convention Committee",
        "Comité de la Convention sur la cybercriminalité",
        "T-CY",
        "body",
        "coe",
        "Committee of the Parties to the Convention on Cybercrime",
        "strasbourg",
        "",
    ),
    (
        "c_proc",
        "Cybercrime Programme Office",
        "Bureau du programme sur la cybercriminalité",
        "C-PROC",
        "body",
        "coe",
        "Cybercrime Programme Office of the Council of Europe",
        "bucharest",
        "",
    ),
    (
        "greco",
        "Group of States against Corruption",
        "Groupe d'États contre la corruption",
        "GRECO",
        "body",
        "coe",
        "",
        "strasbourg",
        "1999",
    ),
    (
        "moneyval",
        "Committee of Experts on the Evaluation of Anti-Money Laundering Measures and "
        "the Financing of Terrorism",
        "Comité d'experts sur l'évaluation des mesures de lutte "
        "contre le blanchiment des capitaux et le financement du terrorisme",
        "MONEYVAL",
        "body",
        "coe",
        "",
        "strasbourg",
        "",
    ),
    (
        "greta",
        "Group of Experts on Action against Trafficking in Human Beings",
        "Groupe d'experts sur la lutte contre la traite des êtres humains",
        "GRETA",
        "body",
        "coe",
        "",
        "strasbourg",
        "",
    ),
    (
        "cpt",
        "European Committee for the Prevention of Torture and Inhuman or Degrading "
        "Treatment or Punishment",
        "Comité européen pour la prévention de la torture et des peines "
        "ou traitements inhumains ou dégradants",
        "CPT",
        "body",
        "coe",
        "",
        "strasbourg",
        "",
    ),
    (
        "eu_commission",
        "European Commission",
        "Commission européenne",
        "",
        "body",
        "eu",
        "",
        "brussels",
        "",
    ),
    (
        "eu_parliament",
        "European Parliament",
        "Parlement européen",
        "",
        "body",
        "eu",
        "",
        "strasbourg",
        "",
    ),
    (
        "eu_council",
        "Council of the European Union",
        "Conseil de l'Union européenne",
        "",
        "body",
        "eu",
        "Council of Ministers of the European Union",
        "brussels",
        "",
    ),
    (
        "un_general_assembly",
        "General Assembly",
        "Assemblée générale",
        "",
        "body",
        "un",
        "United Nations General Assembly|UN General Assembly|UNGA|"
        "Assemblée générale des Nations unies",
        "new-york",
        "1945",
    ),
    (
        "un_security_council",
        "Security Council",
        "Conseil de sécurité",
        "",
        "body",
        "un",
        "United Nations Security Council|UN Security Council|UNSC|"
        "Conseil de sécurité des Nations unies",
        "new-york",
        "1945",
    ),
    (
        "unodc",
        "United Nations Office on Drugs and Crime",
        "Office des Nations unies contre la drogue et le crime",
        "UNODC",
        "body",
        "un",
        "",
        "vienna",
        "",
    ),
)


def _read_shared(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ComityError(f"{path}: cannot read the shared table ({error})") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [name for name in columns if name not in (reader.fieldnames or ())]
    if missing:
        raise ComityError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    return list(reader)


def _distinct(names: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Names in order, without repeats or excluded names (compared as the lookup does).

    ISO's sort forms such as "Niger (the)" are dropped: no text writes a name that way.
    """
    seen = {normalise_name(name) for name in exclude}
    kept = []
    for name in names:
        name = name.strip()
        key = normalise_name(name)
        if not name or key in seen or name.endswith(" (the)"):
            continue
        seen.add(key)
        kept.append(name)
    return kept


def _french_catalogue() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])


def _french_name(key: str, french: gettext.NullTranslations) -> str:
    """The French short name: the catalogue's translation, uninverted ("Salomon, Îles")."""
    if key in FRENCH_NAMES:
        return FRENCH_NAMES[key]
    country = pycountry.countries.get(alpha_3=key)
    name = french.gettext(getattr(country, "common_name", None) or country.name)
    if ", " in name:
        head, tail = name.split(", ", 1)
        name = f"{tail[0].upper()}{tail[1:]} {head}"
    return name


def _current_names(key: str, french: gettext.NullTranslations) -> set[str]:
    """A state's current ISO names in English and French: never counted as former names."""
    country = pycountry.countries.get(alpha_3=key)
    if country is None:
        return set()
    english = {getattr(country, "common_name", None) or country.name, country.name}
    return english | {french.gettext(name) for name in english}


def build_states(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per current entity, with the former-name rows folded into it."""
    french = _french_catalogue()
    current = [row for row in rows if row.get("kind") != FORMER_ROW_KIND]
    folded: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row.get("kind") == FORMER_ROW_KIND:
            folded.setdefault(row["wikidata_qid"], []).append(row)
    states = []
    for row in current:
        key = row["iso3166_alpha3"] or row["name_en"].strip().lower()
        name_en = row["name_en"].strip()
        name_fr = _french_name(key, french)
        keep = {name_en, name_fr, *_current_names(key, french)}
        former: list[str] = []
        alternative: list[str] = []
        for other in folded.pop(row["wikidata_qid"], []):
            names = [other["name_en"], *other["aliases"].split("|")]
            target = alternative if other["name_en"] in ALTERNATIVE_NAMES else former
            target.extend(names)
        former = _distinct([*former, *EXTRA_FORMER_NAMES.get(key, ())], exclude=keep)
        aliases = _distinct(
            [*row["aliases"].split("|"), *alternative, *EXTRA_ALIASES.get(key, ())],
            exclude=[name_en, name_fr, *former],
        )
        states.append(
            {
                "key": key,
                "iso3166_alpha2": row["iso3166_alpha2"],
                "iso3166_alpha3": row["iso3166_alpha3"],
                "wikidata_qid": row["wikidata_qid"],
                "name_en": name_en,
                "name_fr": name_fr,
                "aliases": "|".join(aliases),
                "former_names": "|".join(former),
                "un_status": UN_STATUS.get(row.get("kind", ""), "member"),
                "iso3166_exemption": ISO3166_EXEMPTIONS.get(key, ""),
            }
        )
    if folded:
        names = ", ".join(other["name_en"] for group in folded.values() for other in group)
        raise ComityError(f"former-name rows whose QID matches no current state: {names}")
    return states


def build_organisations(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The shared organisations with Comity's facts about them, then the added ones."""
    organisations = []
    for row in rows:
        key = row["key"].strip()
        if key not in ORGANISATION_FACTS:
            raise ComityError(
                f"organisation {key!r} from the shared table has no entry in "
                "ORGANISATION_FACTS (tools/build_reference.py); add its French name, kind, "
                "seat and founding year there"
            )
        name_fr, kind, headquarters, founded, note = ORGANISATION_FACTS[key]
        name_en, acronym = row["name_en"].strip(), row["acronym"].strip()
        notes = [text for text in (row.get("note", "").strip(), note) if text]
        organisations.append(
            {
                "key": key,
                "name_en": name_en,
                "name_fr": name_fr,
                "acronym": acronym,
                "wikidata_qid": row["wikidata_qid"].strip(),
                "kind": kind,
                "parent": "",
                "aliases": "|".join(
                    _distinct(row["aliases"].split("|"), exclude=[name_en, name_fr, acronym])
                ),
                "headquarters": headquarters,
                "founded": founded,
                "source": row.get("source", "").strip(),
                "note": "; ".join(notes),
            }
        )
    for (
        key,
        name_en,
        name_fr,
        acronym,
        kind,
        parent,
        aliases,
        headquarters,
        founded,
    ) in ADDED_ORGANISATIONS:
        organisations.append(
            {
                "key": key,
                "name_en": name_en,
                "name_fr": name_fr,
                "acronym": acronym,
                "wikidata_qid": "",
                "kind": kind,
                "parent": parent,
                "aliases": aliases,
                "headquarters": headquarters,
                "founded": founded,
                "source": "curated by hand (tools/build_reference.py)",
                "note": "",
            }
        )
    return organisations


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def _read(path: Path) -> list[dict[str, str]]:
    """A snapshot or curated table; a missing one is an error naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ComityError(f"{path}: cannot read the table ({error})") from error
    return [
        {name: (value or "").strip() for name, value in row.items()}
        for row in csv.DictReader(io.StringIO(text, newline=""))
    ]


def _without(names: str, excluded: set[str]) -> str:
    return "|".join(
        name for name in names.split("|") if name and normalise_name(name) not in excluded
    )


def build_historical_states(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Former states as rows of states.csv: their withdrawn ISO code, end and successors."""
    states = []
    for row in rows:
        key = row["key"]
        coded = len(key) == 3 and key.isupper()
        states.append(
            {
                "key": key,
                "iso3166_alpha2": "",
                "iso3166_alpha3": key if coded else "",
                "wikidata_qid": row["wikidata_qid"],
                "name_en": row["name_en"],
                "name_fr": row["name_fr"],
                "aliases": "|".join(
                    _distinct(row["aliases"].split("|"), exclude=[row["name_en"], row["name_fr"]])
                ),
                "former_names": "",
                "un_status": "none",
                "iso3166_exemption": ""
                if coded
                else "No ISO 3166 code: the state ended before it could be given one",
                "ended": row["end"],
                "successors": row["successors"],
            }
        )
    return states


def build_places(curated: list[dict[str, str]], *snapshots: list[dict[str, str]]) -> list[dict]:
    """The curated places, then every place a snapshot names that they lack."""
    places = {
        row["key"]: {**row, "source": row.get("source", "curated by hand")} for row in curated
    }
    for rows in snapshots:
        for row in rows:
            if row["key"] in places:
                continue
            places[row["key"]] = {
                "key": row["key"],
                "name_en": row["name_en"],
                "name_fr": row["name_fr"] or row["name_en"],
                "country": row["country"],
                "kind": "city",
                "aliases": "",
                "wikidata_qid": row["wikidata_qid"],
                "source": row["source"],
            }
    return list(places.values())


def place_keys(places: list[dict[str, str]]) -> dict[str, str]:
    """Every place's key by its key and by its English name, as snapshots name cities."""
    keys = {row["key"]: row["key"] for row in places}
    keys.update({normalise_name(row["name_en"]): row["key"] for row in places})
    return keys


def _place(name: str, keys: dict[str, str]) -> str:
    if not name:
        return ""
    return keys.get(name) or keys.get(normalise_name(name)) or slug(name)


def build_more_organisations(
    organisations: list[dict[str, str]],
    added: list[dict[str, str]],
    corrections: list[dict[str, str]],
    places: dict[str, str],
) -> list[dict[str, str]]:
    """The organisations from the shared table and the curation, then the snapshot's, with
    the snapshot's corrections of single cells applied."""
    known = {row["key"] for row in organisations}
    result = [dict(row) for row in organisations]
    for row in added:
        if row["key"] in known:
            raise ComityError(f"organisations-world.csv: {row['key']!r} is already an organisation")
        result.append(
            {
                "key": row["key"],
                "name_en": row["name_en"],
                "name_fr": row["name_fr"],
                "acronym": row["acronym"],
                "wikidata_qid": row["wikidata_qid"],
                "kind": row["kind"],
                "parent": row["parent"],
                "aliases": "|".join(
                    _distinct(
                        row["aliases"].split("|"),
                        exclude=[row["name_en"], row["name_fr"], row["acronym"]],
                    )
                ),
                "headquarters": _place(row["headquarters"], places),
                "founded": row["founded"],
                "source": row["source"],
                "note": row["note"],
            }
        )
    by_key = {row["key"]: row for row in result}
    for correction in corrections:
        target = by_key.get(correction["key"])
        if target is None or correction["column"] not in target:
            raise ComityError(
                f"organisations-corrections.csv: no cell {correction['column']!r} of "
                f"{correction['key']!r} to correct"
            )
        target[correction["column"]] = correction["value"]
        target["source"] = "; ".join(
            part for part in (target["source"], correction["source"]) if part
        )
    return result


def build_coe_treaties(
    draft: list[dict[str, str]],
    verified: list[list[dict[str, str]]],
    additions: list[dict[str, str]],
    extras: list[dict[str, str]],
    places: dict[str, str],
) -> list[dict[str, str]]:
    """Council of Europe treaties from three kinds of snapshot, in this order of trust: a
    verified pass's row replaces the draft's row whole (an empty cell there is deliberate),
    and a later pass of additions fills or corrects single cells.

    A row without both titles is left out: the table holds only treaties it can name.
    """
    merged = {row["number"]: dict(row) for row in draft}
    for rows in verified:
        merged.update({row["number"]: dict(row) for row in rows})
    for row in additions:
        target = merged.setdefault(row["number"], {})
        for column, value in row.items():
            if value and column != "note":
                target[column] = value
    curated = {row["number"]: row for row in extras}
    treaties = []
    for number in sorted(merged, key=lambda text: int(text.split()[1])):
        row = merged[number]
        if not (row.get("title_en") and row.get("title_fr") and row.get("kind")):
            continue
        extra = curated.get(number, {})
        treaties.append(
            {
                "key": treaty_slug(number),
                "number": number,
                "title_en": row["title_en"],
                "title_fr": row["title_fr"],
                "short_names": extra.get("short_names", ""),
                "kind": row["kind"],
                "supplements": treaty_slug(row["supplements"]) if row.get("supplements") else "",
                "concluded_within": "coe",
                "untc_reference": "",
                "opened": row.get("opened", ""),
                "opened_at": _place(row.get("opened_at", ""), places),
                "entry_into_force": row.get("entry_into_force", ""),
                "topics": extra.get("topics", ""),
                "wikidata_qid": row.get("wikidata_qid", ""),
                "source": row.get("source", ""),
            }
        )
    kept = {row["key"] for row in treaties}
    for row in treaties:
        if row["supplements"] and row["supplements"] not in kept:
            row["supplements"] = ""  # the parent is not in the table: its link waits for it
    return treaties


def build_world_treaties(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [
        {
            "key": row["key"],
            "number": "",
            "title_en": row["title_en"],
            "title_fr": row["title_fr"],
            "short_names": row["short_names"],
            "kind": row["kind"],
            "supplements": row["supplements"],
            "concluded_within": row["concluded_within"],
            "untc_reference": row["untc_reference"],
            "opened": row["opened"],
            "opened_at": row["opened_at"],
            "entry_into_force": row["entry_into_force"],
            "topics": "",
            "wikidata_qid": row["wikidata_qid"],
            "source": row["source"],
        }
        for row in rows
        if row["title_en"] and row["title_fr"]
    ]


def apply_wikidata_links(
    links: list[dict[str, str]], tables: dict[str, list[dict[str, str]]]
) -> None:
    """Set the Wikidata item of treaties and places from the links snapshot, naming its source.

    A link to a row the tables do not hold is an error; a row that already has another item
    is one too, since two sources then disagree.
    """
    for link in links:
        rows = tables.get(f"{link['table']}.csv")
        target = next((row for row in rows or [] if row["key"] == link["key"]), None)
        if target is None:
            raise ComityError(f"wikidata-links.csv: no {link['table']} row has key {link['key']!r}")
        if target["wikidata_qid"] and target["wikidata_qid"] != link["wikidata_qid"]:
            raise ComityError(
                f"wikidata-links.csv: {link['key']!r} has {target['wikidata_qid']} already, "
                f"the link says {link['wikidata_qid']}"
            )
        target["wikidata_qid"] = link["wikidata_qid"]
        target["source"] = "; ".join(
            part for part in (target["source"], f"wikidata_qid: {link['source']}") if part
        )


def read_name_languages(path: Path) -> dict[str, tuple[Name, int]]:
    """Every name of the languages table, with its line, checked as the reader checks cells."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ComityError(f"{path}: cannot read the table ({error})") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    if next(reader, None) != ["name"]:
        raise ComityError(f"{path}: line 1: the header must be the one column 'name'")
    names: dict[str, tuple[Name, int]] = {}
    for cells in reader:
        line = reader.line_num
        if len(cells) != 1:
            raise ComityError(f"{path}: line {line}: one cell expected; quote a name with a comma")
        try:
            name = parse_name(cells[0].strip())
        except ValueError as error:
            raise ComityError(f"{path}: line {line}: {error}") from None
        if name.text in names:
            first = names[name.text][1]
            raise ComityError(
                f"{path}: line {line}: {name.text!r} is already on line {first}; give it once "
                "with all its languages"
            )
        names[name.text] = (name, line)
    return names


def tag_names(
    tables: dict[str, tuple[tuple[str, ...], list[dict[str, str]]]],
    languages: dict[str, tuple[Name, int]],
    path: Path,
) -> None:
    """Write every name of NAME_COLUMNS with its languages.

    A name the languages table lacks is left bare, for the reader to refuse with its table,
    line and reason; an entry that no table uses is refused here, so that the table holds
    only names in use.
    """
    used: set[str] = set()
    for table, columns in NAME_COLUMNS.items():
        for row in tables[table][1]:
            for column in columns:
                names = [name for name in row[column].split("|") if name]
                used.update(names)
                row[column] = "|".join(
                    languages[name][0].tagged() if name in languages else name for name in names
                )
    unused = sorted((line, text) for text, (_, line) in languages.items() if text not in used)
    if unused:
        line, text = unused[0]
        raise ComityError(
            f"{path}: line {line}: no table writes {text!r} any more; remove it "
            f"({len(unused)} such name(s))"
        )


def build(
    sources: Path = SOURCES_DIR, curated: Path = CURATED_DIR, output: Path = REFERENCE_DIR
) -> None:
    """Write every table into output, once all of them load together."""
    historical = _read(sources / "historical-states.csv")
    historical_names = {
        normalise_name(name)
        for row in historical
        for name in (row["name_en"], row["name_fr"], *row["aliases"].split("|"))
    }
    shared_states = [
        row
        for row in _read_shared(sources / "shared-states.csv", SHARED_STATE_COLUMNS)
        if not (
            row.get("kind") == FORMER_ROW_KIND
            and normalise_name(row["name_en"]) in historical_names
        )
    ]
    states = [
        {
            **row,
            # A name of a former state names that state, not its successor.
            "aliases": _without(row["aliases"], historical_names),
            "former_names": _without(row["former_names"], historical_names),
            "ended": "",
            "successors": "",
        }
        for row in build_states(shared_states)
    ] + build_historical_states(historical)
    organisations = build_organisations(
        _read_shared(sources / "shared-organisations.csv", SHARED_ORGANISATION_COLUMNS)
    )
    places = build_places(
        _read(curated / PLACES_FILE),
        _read(sources / "coe-places.csv"),
        _read(sources / "world-places.csv"),
        _read(sources / "organisation-places.csv"),
    )
    keys = place_keys(places)
    organisations = build_more_organisations(
        organisations,
        _read(sources / "organisations-world.csv"),
        _read(sources / "organisations-corrections.csv"),
        keys,
    )
    treaties = build_coe_treaties(
        _read(sources / "coe-treaties.csv"),
        [_read(sources / "coe-treaties-1.csv"), _read(sources / "coe-treaties-2.csv")],
        # Passes of additions, in order: a later pass's cell wins.
        _read(sources / "coe-treaties-3.csv")
        + _read(sources / "coe-treaties-4.csv")
        + _read(sources / "coe-treaties-5.csv")
        + _read(sources / "coe-treaties-6.csv")
        + _read(sources / "coe-treaties-7.csv")
        + _read(sources / "coe-treaties-8.csv")
        + _read(sources / "coe-treaties-9.csv")
        + _read(sources / "coe-treaties-10.csv")
        + _read(sources / "coe-treaties-11.csv"),
        _read(curated / "coe-treaty-extras.csv"),
        keys,
    )
    treaties += build_world_treaties(_read(sources / "world-treaties.csv"))
    apply_wikidata_links(
        _read(sources / "wikidata-links.csv"), {TREATIES_FILE: treaties, PLACES_FILE: places}
    )
    memberships = [
        {column: row[column] for column in MEMBERSHIP_COLUMNS}
        for row in _read(sources / "memberships.csv")
    ]
    tables = {
        STATES_FILE: (STATE_COLUMNS, states),
        ORGANISATIONS_FILE: (ORGANISATION_COLUMNS, organisations),
        PLACES_FILE: (PLACE_COLUMNS, places),
        TREATIES_FILE: (TREATY_COLUMNS, treaties),
        TOPICS_FILE: (TOPIC_COLUMNS, _read(curated / TOPICS_FILE)),
        MEMBERSHIPS_FILE: (MEMBERSHIP_COLUMNS, memberships),
    }
    languages_path = curated / NAME_LANGUAGES_FILE
    tag_names(tables, read_name_languages(languages_path), languages_path)
    with tempfile.TemporaryDirectory(prefix="comity-reference-") as scratch:
        checked = Path(scratch)
        for name in CURATED_TABLES:
            shutil.copyfile(curated / name, checked / name)
        for name, (columns, rows) in tables.items():
            _write(checked / name, columns, rows)
        load_reference(checked)
        output.mkdir(parents=True, exist_ok=True)
        for name in OUTPUT_FILES:
            shutil.copyfile(checked / name, output / name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.build_reference",
        description="Rebuild the reference tables from the committed source snapshots.",
    )
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR, help="default: %(default)s")
    parser.add_argument("--curated", type=Path, default=CURATED_DIR, help="default: %(default)s")
    parser.add_argument("--output", type=Path, default=REFERENCE_DIR, help="default: %(default)s")
    arguments = parser.parse_args(argv)
    try:
        build(arguments.sources, arguments.curated, arguments.output)
    except ComityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote the reference tables into {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
