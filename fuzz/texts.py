"""Targets for everything that reads source texts: dates, counts, documents, facts, charts.

Source files come from anywhere, so these parsers must turn any input into a result or a
ComityError. Beyond that, the offsets they report must point at the very characters they
describe: the whole provenance chain of the graph rests on evidence spans being exact.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path

import pyoxigraph
from hypothesis import event
from hypothesis import strategies as st

from fuzz import target
from loaders.numbers import QUALIFIERS
from ontology.days import day_range
from ontology.errors import ComityError

# --- shared strategies -------------------------------------------------------------------------

# Text a decoded file can hold: no lone surrogates.
decoded_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
# Filler that can never spell a month, a number word, a keyword or a digit: no vowels, no "y".
_FILLER = st.text(alphabet="bcdfghjklmnpqrstvwxz ", max_size=15).map(lambda text: text.strip())

_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()
_MONTHS_FR = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
_CASINGS = (str, str.lower, str.upper, str.capitalize)


@cache
def _reference():
    from ontology.reference import load_reference

    return load_reference()


@cache
def _state_names() -> tuple[str, ...]:
    return tuple(state.name_en for state in _reference().states)


@cache
def _treaty_names() -> tuple[str, ...]:
    names = []
    for treaty in _reference().treaties:
        number = [treaty.number] if treaty.number else []
        names += [treaty.title_en, *number, *treaty.short_names]
    return tuple(names)


@cache
def _organisation_names() -> tuple[str, ...]:
    return tuple(
        name
        for organisation in _reference().organisations
        for name in (organisation.name_en, organisation.acronym)
        if name
    )


@cache
def _place_names() -> tuple[str, ...]:
    return tuple(place.name_en for place in _reference().places)


# --- dates ---------------------------------------------------------------------------------------


@cache
def _partial_dates() -> st.SearchStrategy:
    """Dates of any precision, in the years the date parser recognises (1600 to 2199).

    Issue dates come from that parser too, so these are also every issue date a document
    can have.
    """
    from loaders.dates import PartialDate

    first, last = datetime.date(1600, 1, 1), datetime.date(2199, 12, 31)
    years = st.integers(first.year, last.year)
    return st.one_of(
        st.dates(min_value=first, max_value=last).map(PartialDate.from_date),
        st.builds(PartialDate, years, st.integers(1, 12)),
        st.builds(PartialDate, years),
    )


_DATE_TOKENS = st.sampled_from(
    [
        *_MONTHS_EN,
        *_MONTHS_FR,
        "Sept.",
        "Jun.",
        "1er",
        "31st",
        "2nd",
        "13",
        "0",
        "29",
        "2007",
        "1600",
        "2199",
        "13.06.2007",
        "31/02/2007",
        "2007-13-45",
        "-",
        "–",
        "and",
        "to",
        "au",
        ",",
        "in",
        "since",
        "today",
        "yesterday",
        "this week",
        "last month",
        "tomorrow",
        "aujourd'hui",
        "\n",
    ]
)
date_like_text = st.one_of(
    decoded_text,
    st.lists(st.one_of(_DATE_TOKENS, _FILLER), max_size=25).map(" ".join),
    st.lists(_DATE_TOKENS, max_size=25).map("".join),
)


@target(
    "dates.any_text",
    lambda: st.tuples(date_like_text, st.none() | _partial_dates()),
    requires=("loaders.dates",),
)
def check_dates_any_text(case) -> None:
    """find_dates never raises; its mentions lie in the text, in order, without overlaps."""
    from loaders.dates import find_dates, parse_date

    text, issued = case
    mentions = find_dates(text, issued)
    previous_end = 0
    for mention in mentions:
        assert previous_end <= mention.start < mention.end <= len(text), mentions
        previous_end = mention.end
        if mention.last is not None:
            assert mention.first <= mention.last, mention
        for day in (mention.first, mention.last):
            if day is not None:
                assert day.xsd_type in ("date", "gYearMonth", "gYear")
    assert parse_date(text, issued) == (mentions[0].first if mentions else None)


def _ordinal_suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


@st.composite
def written_dates(draw: st.DrawFn):
    """A date written in one of the forms the date parser documents, inside filler text.

    Returns (text, start, end, first, last): where the date lies and what it says.
    """
    from loaders.dates import PartialDate

    first = draw(_partial_dates())
    case = draw(st.sampled_from(_CASINGS))
    last = None
    year, month, day = first.year, first.month, first.day
    if day is not None:
        english = case(_MONTHS_EN[month - 1])
        french = case(_MONTHS_FR[month - 1])
        forms = [
            f"{day} {english} {year}",
            f"{day}{_ordinal_suffix(day)} {english} {year}",
            f"{english} {day}, {year}",
            f"{day:02d}.{month:02d}.{year}",
            f"{day}/{month}/{year}",
            f"{year}-{month:02d}-{day:02d}",
            f"{'1er' if day == 1 else day} {french} {year}",
        ]
        if day < 28 and draw(st.booleans()):
            later = draw(st.integers(day + 1, 28))
            last = PartialDate(year, month, later)
            forms = [f"{day}-{later} {english} {year}", f"{day} and {later} {english} {year}"]
        return _planted(draw, draw(st.sampled_from(forms)), 0, first, last)
    if month is not None:
        name = draw(st.sampled_from([_MONTHS_EN[month - 1], _MONTHS_FR[month - 1]]))
        return _planted(draw, f"{case(name)} {year}", 0, first, None)
    keyword = draw(st.sampled_from(["in", "since", "In", "depuis"]))
    return _planted(draw, f"{keyword} {year}", len(keyword) + 1, first, None)


def _planted(draw: st.DrawFn, written: str, skip: int, first, last):
    before, after = draw(_FILLER), draw(_FILLER)
    prefix = f"{before} " if before else ""
    text = f"{prefix}{written} {after}".rstrip()
    start = len(prefix) + skip
    return text, start, len(prefix) + len(written), first, last


@target("dates.written_forms", written_dates, requires=("loaders.dates",))
def check_written_dates(case) -> None:
    """A date written in a documented form is found once, at its offsets, at its precision."""
    from loaders.dates import find_dates

    text, start, end, first, last = case
    mentions = find_dates(text)
    assert len(mentions) == 1, f"{text!r}: {mentions}"
    [mention] = mentions
    assert (mention.start, mention.end) == (start, end), f"{text!r}: {mention}"
    assert (mention.first, mention.last) == (first, last), f"{text!r}: {mention}"


# --- numbers -------------------------------------------------------------------------------------

_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS_WORDS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_UNIT_WORDS = (
    "_ first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()


def _in_words(number: int) -> str:
    """0 to 999 in English words, the British way: "one hundred and forty-seven"."""
    if number < 20:
        return _UNIT_WORDS[number]
    if number < 100:
        tens, units = divmod(number, 10)
        return _TENS_WORDS[tens] + (f"-{_UNIT_WORDS[units]}" if units else "")
    hundreds, rest = divmod(number, 100)
    return f"{_UNIT_WORDS[hundreds]} hundred" + (f" and {_in_words(rest)}" if rest else "")


def _ordinal_in_words(number: int) -> str:
    """1 to 99 as an English ordinal word: "sixtieth", "twenty-first"."""
    if number < 20:
        return _ORDINAL_UNIT_WORDS[number]
    tens, units = divmod(number, 10)
    if not units:
        return _TENS_WORDS[tens][:-1] + "ieth"
    return f"{_TENS_WORDS[tens]}-{_ORDINAL_UNIT_WORDS[units]}"


_NUMBER_TOKENS = st.sampled_from(
    [*_UNIT_WORDS, *_TENS_WORDS[2:], "hundred", "a", "and", "-", ",", "1,200", "٣", "st"]
)
# Digits of every script, and marks that look like digits (superscripts, circled numbers).
digit_marks = st.text(alphabet=st.characters(categories=("Nd", "No")), min_size=1, max_size=4)
number_like_text = st.one_of(
    decoded_text,
    st.lists(st.one_of(_NUMBER_TOKENS, st.sampled_from(QUALIFIERS)), max_size=12).map(" ".join),
    st.lists(_NUMBER_TOKENS, max_size=12).map("".join),
)


@target("numbers.any_text", lambda: number_like_text, requires=("loaders.numbers",))
@target(
    "numbers.digit_marks",
    lambda: digit_marks,
    requires=("loaders.numbers",),
    examples=("²", "1,2²"),
)
def check_numbers_any_text(text: str) -> None:
    """parse_number, parse_ordinal and parse_count take any text: a value or None."""
    from loaders.numbers import Count, parse_count, parse_number, parse_ordinal

    for parse in (parse_number, parse_ordinal):
        value = parse(text)
        assert value is None or (isinstance(value, int) and value >= 0), (parse, text, value)
    count = parse_count(text)
    assert count is None or (isinstance(count, Count) and count.value >= 0), (text, count)


@st.composite
def written_counts(draw: st.DrawFn) -> tuple[str, int, str | None, str]:
    """A count as text writes it, with an optional qualifier: (text, value, qualifier, number)."""
    value = draw(st.integers(0, 10**9))
    forms = [str(value), f"{value:,}"]
    if value < 1000:
        forms.append(_in_words(value))
    case = draw(st.sampled_from(_CASINGS))
    number = case(draw(st.sampled_from(forms)))
    qualifier = draw(st.none() | st.sampled_from(QUALIFIERS))
    spacing = draw(st.sampled_from([" ", "  ", "\n"]))
    phrase = f"{spacing.join(case(qualifier).split())} {number}" if qualifier else number
    before, after = draw(_FILLER), draw(_FILLER)
    return f"{before} {phrase} {after}".strip(), value, qualifier, number


@target("numbers.written_forms", written_counts, requires=("loaders.numbers",))
def check_written_counts(case: tuple[str, int, str | None, str]) -> None:
    """Digits, grouped digits and words give their value back, with the qualifier kept."""
    from loaders.numbers import Count, parse_count, parse_number

    text, value, qualifier, number = case
    assert parse_number(number) == value, number
    expected = None if qualifier in (None, "a total of") else qualifier
    assert parse_count(text) == Count(value, expected), text


@target("numbers.ordinals", lambda: st.integers(1, 99), requires=("loaders.numbers",))
def check_ordinals(number: int) -> None:
    """Every ordinal from 1st to 99th, in digits or in words, reads back as its number."""
    from loaders.numbers import parse_ordinal

    for written in (f"{number}{_ordinal_suffix(number)}", _ordinal_in_words(number)):
        for case in _CASINGS:
            assert parse_ordinal(case(written)) == number, case(written)


# --- documents -----------------------------------------------------------------------------------


@cache
def _sentences(kind: str) -> st.SearchStrategy:
    """Sentences of the kinds the extraction rules read, built from reference names."""
    state = st.sampled_from(_state_names())
    treaty = st.sampled_from(_treaty_names())
    organisation = st.sampled_from(_organisation_names())
    place = st.sampled_from(_place_names())
    when = written_dates().map(lambda case: case[0])
    count = written_counts().map(lambda case: case[0])
    verb = st.sampled_from(
        [
            "signed",
            "ratified",
            "acceded to",
            "deposited the instrument of ratification of",
            "approved",
            "became the 40th State to ratify",
            "will enter into force for",
        ]
    )
    templates = {
        "action": st.builds("{} {} the {} on {}.".format, state, verb, treaty, when),
        "status": st.builds(
            "The {} has been ratified by {} states and signed by {}.".format, treaty, count, count
        ),
        "membership": st.builds("{} has {} member states.".format, organisation, count),
        "joined": st.builds("{} joined the {} in {}.".format, state, organisation, when),
        "conference": st.builds(
            "{} participants from {} countries met in {} on {}.".format, count, count, place, when
        ),
        "partnership": st.builds(
            "The {} and the {} signed a partnership in {}.".format,
            organisation,
            organisation,
            place,
        ),
        "person": st.builds(
            "Mr Jan Kowalski, Director of the {}, opened the event.".format, organisation
        ),
        "list": st.lists(state, min_size=1, max_size=4).map(
            lambda names: "\n".join(f"- {name}" for name in names)
        ),
    }
    return templates[kind]


@st.composite
def press_releases(draw: st.DrawFn) -> str:
    """Text shaped like a press release: header lines, a dateline, fact sentences, noise."""
    lines = []
    if draw(st.booleans()):
        lines.append(
            draw(
                st.sampled_from(
                    [
                        "Council of Europe Press Division",
                        "Ref: 162a08",
                        "Tel: +33 (0)3 88 41 25 60",
                        "E-mail: press@coe.int",
                        "internet: [www.coe.int](http://www.coe.int/press)",
                        "# Press release",
                        "## **Convention on Cybercrime** ##",
                    ]
                )
            )
        )
    if draw(st.booleans()):
        day = draw(written_dates())[0]
        lines.append(f"{draw(st.sampled_from(_place_names()))}, {day} – ")
    kinds = st.sampled_from(
        ["action", "status", "membership", "joined", "conference", "partnership", "person", "list"]
    )
    for kind in draw(st.lists(kinds, max_size=5)):
        lines.append(draw(_sentences(kind)))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(decoded_text))
    separators = st.sampled_from(["\n", "\n\n", " ", "\r\n", "  \n"])
    text = ""
    for line in lines:
        text += line + draw(separators)
    return text


document_texts = st.one_of(decoded_text, st.deferred(press_releases))


def check_document(document, text: str) -> None:
    """What every Document must satisfy: its sentences and header spans lie exactly in its text,
    and the sentences leave out nothing but white space."""
    assert document.text == text
    previous_end = 0
    for sentence in document.sentences:
        assert previous_end <= sentence.start < sentence.end <= len(text), sentence
        assert text[sentence.start : sentence.end] == sentence.text, sentence
        assert sentence.text == sentence.text.strip() and sentence.text, sentence
        gap = text[previous_end : sentence.start]
        assert not gap.strip(), f"text between sentences is lost: {gap!r}"
        previous_end = sentence.end
    assert not text[previous_end:].strip(), f"text after the sentences is lost: {text!r}"
    metadata = document.metadata
    for span in (metadata.title_span, metadata.dateline_span):
        if span is not None:
            assert 0 <= span[0] <= span[1] <= len(text), (span, metadata)
    if metadata.dateline_span is not None:
        start, end = metadata.dateline_span
        assert text[start:end].startswith(metadata.dateline_place), metadata
    assert 0 <= metadata.header_end <= len(text)


source_bytes = st.one_of(
    st.binary(max_size=300),
    document_texts.map(lambda text: text.encode("utf-8")),
    document_texts.map(lambda text: text.encode("utf-8-sig")),
    st.tuples(document_texts, st.sampled_from(["cp1252", "latin-1", "utf-16", "mac_roman"])).map(
        lambda case: case[0].encode(case[1], errors="replace")
    ),
)


@target("documents.bytes", lambda: source_bytes, requires=("loaders.documents",), quick_examples=40)
def check_document_bytes(data: bytes) -> None:
    """Any bytes give a Document or a ComityError; UTF-8 text is kept exactly, offsets included."""
    from loaders.documents import read_document

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "source.txt"
        path.write_bytes(data)
        try:
            document = read_document(path)
        except ComityError as error:
            assert str(error).startswith(str(path)), f"the error does not name the file: {error}"
            readable = _utf8(data)
            assert readable is None or not data.strip() or b"\x00" in data[:8192], (
                f"refused UTF-8 text {readable!r}: {error}"
            )
            return
    readable = _utf8(data)
    if readable is not None:
        check_document(document, readable)
        assert document.metadata.encoding == "utf-8"


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


file_stems = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/\\\x00"), min_size=1, max_size=20
).filter(lambda stem: stem not in (".", "..") and len(stem.encode()) < 200)


# One readable source of each kind the loaders take, to be saved under a fuzzed name.
_SOURCES_BY_SUFFIX = {
    ".txt": b"France ratified the Convention on Cybercrime.\n",
    ".csv": b"Convention on Cybercrime (ETS No. 185)\nState,Signature,Ratification\n"
    b"France,23/11/2001,10/01/2006\n",
    ".nt": b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n",
}


@cache
def _memory_graph():
    import graph

    return graph.open("memory:")


@target(
    "documents.file_name",
    lambda: st.tuples(file_stems, st.sampled_from(sorted(_SOURCES_BY_SUFFIX))),
    requires=("loaders.pipeline", "graph.knowledge_graph"),
    examples=((":", ".txt"), ("!!!", ".nt"), ("---", ".csv")),
)
def check_document_file_name(case: tuple[str, str]) -> None:
    """A readable file loads whatever its name: the name gives a key, or a ComityError says why.

    Text and chart files go through extraction, RDF files into a store: all three mint the
    source's key from the file name.
    """
    from loaders.pipeline import extract_source

    stem, suffix = case
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{stem}{suffix}"
        try:
            path.write_bytes(_SOURCES_BY_SUFFIX[suffix])
        except OSError:
            return  # a name this file system refuses never reaches the loader
        try:
            if suffix == ".nt":
                key = _memory_graph().load_rdf(path).iri
            else:
                document = extract_source(path).document
                key = document.iri
        except ComityError:
            return
        assert key.rsplit("/", 1)[1], f"{path.name} gave the empty key of {key}"


# --- extraction ----------------------------------------------------------------------------------


@target(
    "extraction.any_text",
    lambda: document_texts,
    requires=("loaders.extraction",),
    quick_examples=60,
)
def check_extraction(text: str) -> None:
    """Extraction takes any text; every fact's evidence and every mention is exact in the text.

    The facts then become RDF that survives a round trip through N-Triples.
    """
    from loaders import document_triples, extract, make_document

    try:
        extraction = extract(make_document(text, name="fuzz-source"))
    except ComityError:
        return
    check_document(extraction.document, text)
    event("facts found" if extraction.facts else "no facts")
    for fact in extraction.facts:
        evidence = fact.evidence
        assert 0 <= evidence.start <= evidence.end <= len(text), fact
        assert text[evidence.start : evidence.end] == evidence.text, fact
    for mention in extraction.mentions:
        assert text[mention.start : mention.end] == mention.text, mention
    for fact in extraction.facts:
        assert fact.evidence.end > extraction.document.metadata.header_end, (
            f"a fact from the contact block: {fact}"
        )
    triples = document_triples(extraction)
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
    parsed = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(set(parsed)) == len(set(triples))
    # The same text extracted again mints the same graph: IRIs depend on content alone.
    again = document_triples(extract(make_document(text, name="fuzz-source")))
    assert _ground(again) == _ground(triples), "a second extraction minted another graph"


def _ground(triples) -> set:
    """Triples without blank nodes, whose labels differ from one run to the next."""
    return {
        triple
        for triple in triples
        if not isinstance(triple.subject, pyoxigraph.BlankNode)
        and not isinstance(triple.object, pyoxigraph.BlankNode)
    }


# --- treaty charts -------------------------------------------------------------------------------


@st.composite
def charts(draw: st.DrawFn):
    """A well-formed chart and the facts it states: (text, file stem, treaty IRI, facts)."""
    # Charts are the Council of Europe Treaty Office's: treaties of its numbered series.
    treaty = draw(st.sampled_from([item for item in _reference().treaties if item.number]))
    series, digits = treaty.number.split()
    by_name = draw(st.booleans())
    stem = "chart" if by_name else f"chart-{series.lower()}-{digits}"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    if by_name:
        writer.writerow([f"{treaty.title_en} ({treaty.number})"])
    if draw(st.booleans()):
        writer.writerow([f"Status as of: {draw(_chart_dates())[0]}"])
    writer.writerow(["State", "Signature", "Ratification", "Entry into Force", "Notes"])
    facts = []
    for _ in range(draw(st.integers(0, 6))):
        state = draw(st.sampled_from(_reference().states))
        signed, ratified, in_force = (draw(st.none() | _chart_dates()) for _ in range(3))
        # An accession is marked by "a" after the date, or by the word in the notes.
        note = draw(st.sampled_from(["", "accession", "Accession of right", "Reservations"]))
        mark = draw(st.sampled_from(["", " a", " (a)", "(A)"])) if ratified else ""
        accession = bool(mark) or "accession" in note.lower()
        cells = [state.name_en]
        for kind, written in (
            ("Signature", signed),
            ("Accession" if accession else "Ratification", ratified),
            ("EntryIntoForce", in_force),
        ):
            cells.append(written[0] if written else "")
            if written:
                facts.append((kind, state.iri, written[1]))
        cells[2] += mark
        writer.writerow([*cells, note])
    return buffer.getvalue(), stem, treaty.iri, sorted(facts)


@cache
def _chart_dates() -> st.SearchStrategy:
    """A day written as the charts write it, dd/mm/yyyy (zero padding optional), and its ISO."""

    def written(day: datetime.date, padded: bool) -> tuple[str, str]:
        if padded:
            return f"{day.day:02d}/{day.month:02d}/{day.year}", day.isoformat()
        return f"{day.day}/{day.month}/{day.year}", day.isoformat()

    days = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2099, 12, 31))
    return st.builds(written, days, st.booleans())


@target("charts.well_formed", charts, requires=("loaders.charts",), quick_examples=50)
def check_chart(case) -> None:
    """A well-formed chart gives exactly the signatures, ratifications and accessions it lists."""
    from loaders.charts import chart_facts

    text, stem, treaty_iri, expected = case
    extraction = chart_facts(text, stem)
    found = sorted(
        (fact.kind, fact.actor.iri, fact.date.iso())
        for fact in extraction.facts
        if fact.treaty.iri == treaty_iri
    )
    assert len(found) == len(extraction.facts), "a fact names another treaty"
    assert found == expected, text
    for fact in extraction.facts:
        assert text[fact.evidence.start : fact.evidence.end] == fact.evidence.text


chart_like_text = st.one_of(
    decoded_text,
    st.lists(
        st.one_of(
            st.just("State,Signature,Ratification,Entry into Force,Notes"),
            st.just('"State",Signature,Ratification'),
            st.just("Convention on Cybercrime (ETS No. 185)"),
            st.builds(
                "{},{},{}".format,
                st.sampled_from(("France", "Japan", "Atlantis")),
                *(st.sampled_from(("12/05/2022", "31/02/2020", "x", "", '"', "1/1/1")),) * 2,
            ),
            decoded_text.map(lambda text: text.replace("\n", " ")),
        ),
        max_size=8,
    ).map("\n".join),
)


@target(
    "charts.any_text",
    lambda: st.tuples(chart_like_text, st.sampled_from(["chart", "chart-ets-185", "x"])),
    requires=("loaders.charts",),
)
def check_chart_any_text(case: tuple[str, str]) -> None:
    """Any text gives a chart's facts or a ComityError, and every fact's evidence is exact."""
    from loaders.charts import chart_facts

    text, stem = case
    try:
        extraction = chart_facts(text, stem)
    except ComityError:
        return
    for fact in extraction.facts:
        assert text[fact.evidence.start : fact.evidence.end] == fact.evidence.text, fact


_ACTIONS = {"signed": "Signature", "ratified": "Ratification", "acceded to": "Accession"}


@cache
def _uniquely_titled_treaties() -> tuple:
    """Treaties whose English title names no other: two protocols of the series share one title
    (ETS 81 and ETS 113), and a sentence that uses it cannot say which it means."""
    titles = Counter(treaty.title_en for treaty in _reference().treaties)
    return tuple(t for t in _reference().treaties if titles[t.title_en] == 1)


def _first_day(date: str) -> datetime.date | None:
    """The first day an ISO date of any precision ("2001-11-23", "1952-03", "1952") means."""
    days = day_range(date) if date else None
    return days[0] if days is not None else None


@st.composite
def treaty_action_sentences(draw: st.DrawFn) -> tuple[str, str, str, str, str]:
    """One plain sentence stating one treaty action: (text, kind, state IRI, treaty IRI, ISO date).

    "Norway ratified the Convention on Cybercrime on 4 March 2008." is the simplest statement
    a press release makes; reading it back is extraction's round trip.
    """
    state = draw(st.sampled_from(_reference().states))
    treaty = draw(st.sampled_from(_uniquely_titled_treaties()))
    verb = draw(st.sampled_from(sorted(_ACTIONS)))
    # A state acts on a treaty once it is open: an earlier date is one extraction leaves out.
    opened = _first_day(treaty.opened) or datetime.date(1950, 1, 1)
    day = draw(st.dates(min_value=opened, max_value=datetime.date(2099, 12, 31)))
    written = f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    text = f"{state.name_en} {verb} the {treaty.title_en} on {written}.\n"
    return text, _ACTIONS[verb], state.iri, treaty.iri, day.isoformat()


@target(
    "extraction.treaty_actions",
    treaty_action_sentences,
    requires=("loaders.extraction",),
    quick_examples=60,
)
def check_treaty_action(case: tuple[str, str, str, str, str]) -> None:
    """A sentence stating that a state signed, ratified or acceded to a treaty on a day gives
    exactly that fact."""
    from loaders import extract, make_document

    text, kind, state_iri, treaty_iri, day = case
    facts = extract(make_document(text, name="fuzz-source")).facts
    found = [
        (fact.kind, fact.actor.iri if fact.actor else None, fact.treaty.iri, str(fact.date))
        for fact in facts
        if fact.kind in _ACTIONS.values()
    ]
    assert found == [(kind, state_iri, treaty_iri, day)], f"{text!r} gave {facts}"
