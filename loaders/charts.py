"""Treaty charts: the Treaty Office's table of signatures and ratifications, as CSV.

Layout (UTF-8, comma-separated, RFC 4180 quoting):

    Convention on Cybercrime (ETS No. 185)      <- optional lines before the header naming
    Status as of: 13/06/2007                       the treaty and the date of the chart
    State,Signature,Ratification,Entry into Force,Notes
    Albania,23/11/2001,20/06/2002,01/07/2004,
    ...

The treaty is the one named (by number or title) in a line before the header; failing that,
a treaty number in the file name ("chart-ets-185.csv", "cets224.csv"). Dates are dd/mm/yyyy.
A ratification whose cell or note says "a" / "accession" is an accession. Each fact's
evidence is its row, by offsets in the file.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from loaders.dates import PartialDate, find_dates
from loaders.documents import Sentence, make_document, read_text
from loaders.entities import Lexicon, find_mentions, lexicon
from loaders.extraction import Extraction
from loaders.facts import Accession, Entity, EntryIntoForce, Evidence, Fact, Ratification, Signature
from ontology.errors import ComityError

CHART_SUFFIXES = (".csv",)
COLUMNS = ("State", "Signature", "Ratification", "Entry into Force", "Notes")
_DATE = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_NUMBER_IN_NAME = re.compile(r"(c?ets)[-_ ]?(?:no[-_ .]*)?(\d{1,3})", re.IGNORECASE)
_ACCESSION_MARK = re.compile(r"^\s*\(?a\)?\s*$", re.IGNORECASE)
_ACCESSION_NOTE = re.compile(r"\baccession\b", re.IGNORECASE)


def read_chart(path: Path) -> Extraction:
    """Signatures, ratifications and entries into force from one chart file."""
    text, _ = read_text(path)
    return chart_facts(text, path.stem, path)


def chart_facts(text: str, name: str, path: Path | None = None) -> Extraction:
    lex = lexicon()
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    header_index = next(
        (
            i
            for i, line in enumerate(lines)
            if line.strip().lower().startswith(("state,", '"state"'))
        ),
        None,
    )
    where = str(path) if path is not None else name
    if header_index is None:
        raise ComityError(
            f"{where}: no header row starting with 'State'; a chart needs the columns "
            f"{', '.join(COLUMNS)}"
        )
    header = next(csv.reader([lines[header_index]]))
    columns = {column.strip().lower(): index for index, column in enumerate(header)}
    missing = [c for c in COLUMNS[:3] if c.lower() not in columns]
    if missing:
        raise ComityError(
            f"{where}: line {header_index + 1}: missing column(s) {', '.join(missing)}"
        )
    preface = "".join(lines[:header_index])
    treaty = _chart_treaty(preface, name, lex)
    if treaty is None:
        raise ComityError(
            f"{where}: cannot tell which treaty this chart is for; name it in a line before the "
            "header (e.g. 'Convention on Cybercrime (ETS No. 185)') or in the file name "
            "(e.g. chart-ets-185.csv)"
        )
    document = make_document(text, name=name, path=path)
    document.sentences = []
    document.metadata.kind = "Document"
    document.metadata.title = f"Chart of signatures and ratifications: {treaty.label}"
    as_of = [d.first for d in find_dates(preface) if d.first.day is not None]
    document.metadata.issued = as_of[0] if as_of else None
    facts: list[Fact] = []
    warnings: list[str] = []
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        try:
            cells = next(csv.reader([line]))
        except csv.Error as error:
            raise ComityError(f"{where}: line {index + 1}: not valid CSV ({error})") from None
        start, end = offsets[index], offsets[index] + len(line.rstrip("\r\n"))
        evidence = Evidence(start, end, text[start:end])
        document.sentences.append(Sentence(start, end, evidence.text))
        state = _state(cells[columns["state"]] if len(cells) > columns["state"] else "", lex)
        if state is None:
            warnings.append(f"{where}: line {index + 1}: unknown state {cells[0]!r}; row skipped")
            continue

        def cell(column: str, cells: list[str] = cells) -> str:
            position = columns.get(column.lower())
            return cells[position] if position is not None and position < len(cells) else ""

        notes = cell("Notes")
        signed = _date(cell("Signature"))
        if signed:
            facts.append(Signature(state, treaty, signed, evidence=evidence))
        ratified = _date(cell("Ratification"))
        if ratified:
            marked = _ACCESSION_MARK.match(_DATE.sub("", cell("Ratification"), count=1))
            kind = Accession if marked or _ACCESSION_NOTE.search(notes) else Ratification
            facts.append(kind(state, treaty, ratified, evidence=evidence))
        in_force = _date(cell("Entry into Force"))
        if in_force:
            facts.append(EntryIntoForce(state, treaty, in_force, evidence=evidence))
    extraction = Extraction(document, facts, [], warnings=warnings)
    if not facts:
        extraction.warnings.append(f"{where}: the chart lists no signature or ratification")
    return extraction


def _chart_treaty(preface: str, name: str, lex: Lexicon) -> Entity | None:
    mentions, _ = find_mentions(preface, lex)
    treaties = [m.entity for m in mentions if m.entity.kind == "treaty"]
    if treaties:
        return treaties[0]
    number = _NUMBER_IN_NAME.search(name)
    if number is not None:
        series = number.group(1).upper()
        found = lex.treaty_by_number(f"{series} {int(number.group(2)):03d}")
        if found is not None:
            return found
    return None


def _state(name: str, lex: Lexicon) -> Entity | None:
    for candidate in lex.reference.lookup(name.strip()):
        entity = lex.by_iri.get(candidate.iri)
        if entity is not None and entity.kind == "state":
            return entity
    return None


def _date(value: str) -> PartialDate | None:
    match = _DATE.match(value)
    if match is None:
        return None
    day, month, year = (int(group) for group in match.groups())
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


__all__ = ["CHART_SUFFIXES", "COLUMNS", "chart_facts", "read_chart"]
