"""Regenerate states.csv and organisations.csv from the shared reference tables.

    python -m ontology.build_reference SHARED_REFERENCE_DIR [--output DIR]

The shared tables (states.csv, organisations.csv) hold the verified facts: codes, names,
Wikidata items and their sources. This command reshapes them into Comity's layout (one row
per entity, former names in their own column, French names from pycountry's gettext
catalogue) and adds the curation that lives below: French names the catalogue gets wrong for
running text, aliases that readers meet, and what Comity knows about organisations (kind,
seat, founding year, bodies). Edit the curation here, not the generated files.
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
from ontology.paths import REFERENCE_DIR
from ontology.reference import (
    ORGANISATION_COLUMNS,
    ORGANISATIONS_FILE,
    PLACES_FILE,
    STATE_COLUMNS,
    STATES_FILE,
    TOPICS_FILE,
    TREATIES_FILE,
    load_reference,
    normalise_name,
)

SHARED_STATE_COLUMNS = ("iso3166_alpha2", "iso3166_alpha3", "wikidata_qid", "name_en", "aliases")
SHARED_ORGANISATION_COLUMNS = ("key", "name_en", "acronym", "wikidata_qid", "aliases")

OTHER_TABLES = (TREATIES_FILE, TOPICS_FILE, PLACES_FILE)
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
                "ORGANISATION_FACTS (ontology/build_reference.py); add its French name, kind, "
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


def build(shared: Path, output: Path = REFERENCE_DIR) -> None:
    """Write states.csv and organisations.csv into output, once they load with its other tables.

    The new tables are first checked together with the output's treaties, topics and places in
    a scratch directory, so a change that breaks a cross-reference leaves the output untouched.
    """
    states = build_states(_read_shared(shared / STATES_FILE, SHARED_STATE_COLUMNS))
    organisations = build_organisations(
        _read_shared(shared / ORGANISATIONS_FILE, SHARED_ORGANISATION_COLUMNS)
    )
    with tempfile.TemporaryDirectory(prefix="comity-reference-") as scratch:
        checked = Path(scratch)
        for name in OTHER_TABLES:
            if (output / name).exists():
                shutil.copy2(output / name, checked / name)
        _write(checked / STATES_FILE, STATE_COLUMNS, states)
        _write(checked / ORGANISATIONS_FILE, ORGANISATION_COLUMNS, organisations)
        load_reference(checked)
        output.mkdir(parents=True, exist_ok=True)
        for name in (STATES_FILE, ORGANISATIONS_FILE):
            shutil.copyfile(checked / name, output / name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ontology.build_reference",
        description="Regenerate states.csv and organisations.csv from the shared tables.",
    )
    parser.add_argument("shared", type=Path, metavar="SHARED_REFERENCE_DIR")
    parser.add_argument(
        "--output",
        type=Path,
        default=REFERENCE_DIR,
        help="directory to write (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)
    try:
        build(arguments.shared, arguments.output)
    except ComityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {arguments.output / STATES_FILE} and {arguments.output / ORGANISATIONS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
