"""Source texts as documents: safe reading, sentences with offsets, press-release metadata.

The text is kept exactly as given, so that every evidence span's offsets point at the same
characters a reader sees in the file. Markup (markdown bold, links) is only stripped from
the metadata values taken out of the header, never from the text itself.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from loaders.dates import DateMention, PartialDate, find_dates
from ontology import document_iri, document_key
from ontology.errors import ComityError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MAX_BYTES = 5 * 1024 * 1024
"""Largest source text accepted (5 MB). Press releases are a few kilobytes; anything near this
size is almost certainly the wrong file, and reading it would stall a whole batch."""

TEXT_SUFFIXES = (".txt", ".md")

MAX_CHAOS = 0.02
MIN_COHERENCE = 0.2
"""Non-UTF-8 text is decoded only when charset-normalizer finds next to no mess in the result
(chaos at most MAX_CHAOS) and recognises a language in it (coherence at least MIN_COHERENCE);
otherwise the file is refused, naming the encoding it guessed. Loading mangled names would
link nothing and pollute the graph, so doubt means refusal."""


@dataclass(frozen=True)
class Sentence:
    """A sentence or a list/header line, by its offsets in the document text."""

    start: int
    end: int
    text: str


@dataclass
class DocumentMetadata:
    """What a press release says about itself, all optional: texts vary."""

    title: str | None = None
    title_span: tuple[int, int] | None = None
    issued: PartialDate | None = None
    dateline_place: str | None = None
    dateline_span: tuple[int, int] | None = None
    kind: str = "Document"
    publisher: str | None = (
        None  # the issuing unit as written, e.g. "Council of Europe Press Division"
    )
    reference: str | None = None
    telephone: str | None = None
    fax: str | None = None
    email: str | None = None
    url: str | None = None
    source_url: str | None = None  # where the text was published: its `source:` first line
    encoding: str = "utf-8"
    issued_supplied: bool = False  # the date came from the caller (a feed, an index), not the text
    header_end: int = 0  # offset where the header block ends (facts never come from before it)


@dataclass
class Document:
    key: str
    iri: str
    text: str
    path: Path | None
    sentences: list[Sentence]
    metadata: DocumentMetadata
    content_hash: str
    warnings: list[str] = field(default_factory=list)
    tokens: Doc | None = field(default=None, repr=False, compare=False)
    """The text as a spaCy Doc of english(), made once and reused by entity matching."""

    def evidence_text(self, start: int, end: int) -> str:
        return self.text[start:end]


def read_text(path: Path) -> tuple[str, str]:
    """The text of a file and the encoding it was read with, or a ComityError saying why not.

    UTF-8 (with or without BOM) is the norm. Other encodings are decoded when charset-normalizer
    is confident; a doubtful guess is refused rather than loading mangled names into the graph.
    """
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ComityError(f"{path}: cannot read the file ({error.strerror})") from error
    if size > MAX_BYTES:
        raise ComityError(
            f"{path}: the file is {size / 1024 / 1024:.1f} MB, over the {MAX_BYTES // 1024 // 1024}"
            " MB limit for one source text; split it or check that it is the right file"
        )
    data = path.read_bytes()
    if not data.strip():
        raise ComityError(f"{path}: the file is empty; there is nothing to load")
    if b"\x00" in data[:8192]:
        raise ComityError(f"{path}: this is a binary file, not a text; give a .txt or .md file")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ComityError(
            f"{path}: not UTF-8 and no text encoding could be recognised; is it a binary file?"
        )
    if best.chaos > MAX_CHAOS or best.coherence < MIN_COHERENCE:
        raise ComityError(
            f"{path}: not UTF-8 (it may be {best.encoding}, but that guess is not sure); "
            "convert it to UTF-8, e.g. `iconv -f ENCODING -t UTF-8`"
        )
    return str(best), best.encoding


def read_document(path: Path, issued: PartialDate | None = None) -> Document:
    """Read a .txt/.md source file into a Document."""
    text, encoding = read_text(path)
    document = make_document(text, name=path.stem, path=path, issued=issued)
    document.metadata.encoding = encoding
    if encoding != "utf-8":
        document.warnings.append(f"{path}: decoded as {encoding}, not UTF-8")
    return document


def make_document(
    text: str, name: str, path: Path | None = None, issued: PartialDate | None = None
) -> Document:
    """A Document from text already in memory; `name` gives its key (usually the file stem).

    `issued` is the publication date known from outside the text (a feed, a crawl, a corpus
    index); it is used only when the text itself gives no date, and marked as supplied.
    """
    key = document_key(name)
    metadata = parse_header(text)
    if metadata.issued is None and issued is not None:
        metadata.issued, metadata.issued_supplied = issued, True
    tokens = english()(text)
    return Document(
        key=key,
        iri=document_iri(key),
        text=text,
        path=path,
        sentences=split_sentences(text, tokens),
        metadata=metadata,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        tokens=tokens,
    )


# --- sentences ---------------------------------------------------------------------------------

_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|#{1,6})\s")
_FINAL = re.compile(r"[.!?:;\"”»)\]*]\s*$")


@lru_cache(maxsize=1)
def english() -> Language:
    """The one blank English spaCy pipeline (tokenizer + sentencizer) shared by the loaders.

    Sentence splitting and entity matching use the same pipeline, so a text is tokenized
    once and the matchers (which need the same vocabulary) run on that very Doc.
    """
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    # spaCy's default cap (a million characters) guards the memory of parsers and NER, which
    # this pipeline does not have; the loaders' own cap is the file size, MAX_BYTES.
    nlp.max_length = MAX_BYTES + 1
    return nlp


def _line_blocks(text: str) -> list[tuple[int, int]]:
    """Split text into blocks: list/header lines alone, wrapped prose lines joined.

    A line ends its block when it ends a sentence, ends in a markdown hard break (two
    spaces), is short, is followed by a blank line, or when either line is a list item or
    heading. Hard-wrapped prose paragraphs thus stay whole for the sentence splitter.
    """
    blocks: list[tuple[int, int]] = []
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*", text) if m.group().strip()]
    block_start: int | None = None
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if block_start is None:
            block_start = start
        nxt = lines[index + 1] if index + 1 < len(lines) else None
        breaks = (
            nxt is None
            or "\n" in text[end : nxt[0]].replace("\n", "", 1)  # a blank line follows
            or line.endswith("  ")
            or len(line.strip()) < 50
            or _FINAL.search(line) is not None
            or _LIST_MARKER.match(line) is not None
            or _LIST_MARKER.match(text[nxt[0] : nxt[1]]) is not None
        )
        if breaks:
            blocks.append((block_start, end))
            block_start = None
    return blocks


_ABBREVIATION = re.compile(
    r"(?:\b(?:No|Nos|Art|Arts|para|paras|Mr|Mrs|Ms|Dr|Prof|St|Ref|vol|cf|approx|e\.g|i\.e|"
    r"[A-Z])\.)\s*$"
)


def _rejoin_abbreviations(block: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Undo splits after "No.", "Mr.", initials: "ETS No. 185" is one sentence."""
    joined: list[tuple[int, int]] = []
    for start, end in pieces:
        if joined and _ABBREVIATION.search(block[joined[-1][0] : joined[-1][1]]):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def split_sentences(text: str, tokens: Doc | None = None) -> list[Sentence]:
    """Sentences and list/header lines, with offsets, in text order.

    `tokens` is the text run through english(); sentence ends come from its sentencizer and
    line blocks from the layout, so that list lines never merge into one "sentence".
    """
    doc = tokens if tokens is not None else english()(text)
    ends = sorted({sentence.end_char for sentence in doc.sents})
    sentences: list[Sentence] = []
    for block_start, block_end in _line_blocks(text):
        block = text[block_start:block_end]
        pieces = []
        start = 0
        first = bisect.bisect_right(ends, block_start)
        for end in ends[first:]:
            if end >= block_end:
                break
            pieces.append((start, end - block_start))
            start = end - block_start
        pieces.append((start, len(block)))
        for start, end in _rejoin_abbreviations(block, pieces):
            piece = block[start:end]
            stripped = piece.strip()
            if not stripped:
                continue
            offset = block_start + start + (len(piece) - len(piece.lstrip()))
            sentences.append(Sentence(offset, offset + len(stripped), stripped))
    return sentences


# --- press-release header ----------------------------------------------------------------------

_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
_DATELINE = re.compile(
    r"^\s*(?:\*\*)?(?P<place>[A-Z][\w'.-]*(?:[ -][A-Z][\w'.-]*){0,3}),\s*(?P<date>[^–—\n]{6,30}?)"
    r"\s*(?:\*\*)?\s*(?:–|—|-{1,2}|:)\s",
    re.MULTILINE,
)
_FIELD = re.compile(
    r"^(?P<label>ref(?:erence)?|réf|tel|tél|telephone|phone|fax|e-?mail|courriel|internet|web"
    r"|website)\.?\s*(?:no\.?)?\s*:\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_KIND = re.compile(r"^(?:press release|communiqué de presse|news release|press statement)$", re.I)
_UNIT_WORDS = re.compile(
    r"\b(?:Division|Unit|Office|Directorate|Service|Department|Secretariat|Section)\b"
)


def plain(value: str) -> str:
    """A header value without markdown emphasis or link syntax: what a reader sees."""
    value = _MARKDOWN_LINK.sub(lambda m: m.group(1), value)
    return value.replace("**", "").replace("__", "").strip().strip("*_ ").strip()


def _line_value(line: str) -> str:
    """A header line as a reader sees it: no heading marks, emphasis or link syntax."""
    return plain(re.sub(r"^\s*#{1,6}\s+", "", line))


def _link_target(value: str) -> str | None:
    match = _MARKDOWN_LINK.search(value)
    return match.group(2).strip() if match else None


def parse_header(text: str) -> DocumentMetadata:
    """Title, dateline, reference number and contact lines of a press release, when present."""
    metadata = DocumentMetadata()
    dateline = _DATELINE.search(text)
    if dateline is not None:
        dates = find_dates(dateline.group("date"))
        if dates and dates[0].first.day is not None:
            metadata.issued = dates[0].first
            metadata.dateline_place = dateline.group("place").strip()
            metadata.dateline_span = (dateline.start("place"), dateline.end("date"))
    header_limit = dateline.start() if dateline is not None else len(text)
    for heading in _HEADING.finditer(text):
        title = plain(heading.group("title"))
        if _KIND.match(title):
            metadata.kind = "PressRelease"
            continue
        if heading.start() <= header_limit or metadata.title is None:
            metadata.title = title
            metadata.title_span = (heading.start("title"), heading.end("title"))
            if heading.start() > header_limit:
                break
    header = text[:header_limit]
    for line_match in re.finditer(r"[^\n]+", header):
        line = line_match.group()
        value = _line_value(line)
        if not value:
            continue
        if _KIND.match(value):
            metadata.kind = "PressRelease"
            continue
        field_match = _FIELD.match(value)
        if field_match is not None:
            _set_field(
                metadata, field_match.group("label").lower(), field_match.group("value"), line
            )
            continue
        email = _EMAIL.fullmatch(value)
        if email is not None and metadata.email is None:
            metadata.email = email.group()
            continue
        if metadata.publisher is None and _UNIT_WORDS.search(value) and len(value) < 80:
            metadata.publisher = value
    source = _SOURCE_URL.match(text)
    if source is not None and _WEB_ADDRESS.fullmatch(source.group("url")):
        metadata.source_url = source.group("url")
    if metadata.title is None:
        metadata.title = _first_headline(text, header_limit)
    if metadata.issued is None:
        metadata.issued = (
            _act_date(text)
            or _date_line(text)
            or _opening_date(text)
            or _yearless_dateline(text)
            or _url_date(text)
            or _closing_date_line(text)
        )
    yearless = _YEARLESS_DATELINE.search(text, 0, min(len(text), 800))
    if metadata.dateline_span is None and yearless is not None:
        metadata.dateline_span = (yearless.start(), yearless.end("date"))  # "BAKU, Azerbaijan,"
    metadata.header_end = _header_end(text, metadata)
    return metadata


_DATE_LINE = re.compile(r"^[^\S\n]*(?:\w+day,?\s+)?(?P<date>[^\n]{6,40}?)[^\S\n]*$", re.M)
_SOURCE_URL = re.compile(r"^\s*source\s*:\s*(?P<url>\S+)", re.I)
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_URL_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[-/](?P<m>[01]\d)[-/](?P<d>[0-3]\d)(?!\d)")


def _first_sole_date(
    patterns: tuple[re.Pattern[str], ...], text: str, start: int, end: int, weekdays: bool = False
) -> PartialDate | None:
    """The first full date standing alone in the `date` group of a pattern's match."""
    for pattern in patterns:
        for line in pattern.finditer(text, start, min(len(text), end)):
            found = _sole_full_date(line.group("date"), weekdays)
            if found is not None:
                return found
    return None


def _date_line(text: str, limit: int = 800) -> PartialDate | None:
    """A line near the top that holds nothing but a full date ("12 March 2019"), or a place
    and a full date ("Strasbourg, le 3 mars 2021"), dates the text."""
    return _first_sole_date((_DATE_LINE,), text, 0, limit, weekdays=True) or _first_sole_date(
        (_PLACE_DATE_LINE,), text, 0, limit
    )


def _sole_full_date(value: str, weekdays: bool = False) -> PartialDate | None:
    """The date `value` holds with its day, when nothing else worded is there (a weekday
    aside, if `weekdays`): "12 March 2019", not "12 March 2019 in Paris"."""
    dates = find_dates(value)
    if len(dates) != 1 or dates[0].first.day is None:
        return None
    rest = value[: dates[0].start] + value[dates[0].end :]
    if weekdays:
        rest = re.sub(r"\b\w+day\b", "", rest)
    return None if re.search(r"[^\W\d_]{3,}", rest) else dates[0].first


_OPENING_DATE = (
    # "London (20 September 2025) — The agreement ..."
    re.compile(
        r"^[^\S\n]*[A-Z][\w'.-]*(?:[ -][A-Z][\w'.-]*){0,3}\s*\((?P<date>[^()\n]{6,30})\)"
        r"\s*(?:–|—|-{1,2})\s",
        re.MULTILINE,
    ),
    # "Monday, 07 September, 2020, 20:30 Armenia has become ..."
    re.compile(
        r"^[^\S\n]*(?:\w+day,?\s+)?(?P<date>[^\n]{6,30}?),?\s*\d{1,2}[:h]\d{2}\s", re.MULTILINE
    ),
)


def _opening_date(text: str, limit: int = 800) -> PartialDate | None:
    """A full date opening a line near the top, in brackets after a place or followed by a
    clock time: the dateline of a news item run into its first paragraph."""
    return _first_sole_date(_OPENING_DATE, text, 0, limit)


_ACT_TITLE = re.compile(
    r"^[^\S\n]*(?:(?i:décret|loi|arrêté|ordonnance|decree|law|act)"
    r"|(?:COUNCIL|COMMISSION|Council|Commission)\s+(?i:decision|regulation|directive|decree)"
    r"|(?:DECISION|REGULATION|DIRECTIVE|Decision|Regulation|Directive))\b"
    r"[^\n]{0,80}?\s(?:du|of)\s+(?P<date>\d{1,2}(?:er)?\s+\w+\s+\d{4})\b",
    re.MULTILINE,
)


def _act_date(text: str, limit: int = 800) -> PartialDate | None:
    """The date in the title of a legal act ("Décret n° 2015-746 du 26 juin 2015", "Council
    Decision 2015/1990 of 26 October 2015"): the act is dated by it, not by the journal issue
    that printed it."""
    return _first_sole_date((_ACT_TITLE,), text, 0, limit)


_YEARLESS_DATELINE = re.compile(
    r"^[^\S\n]*[A-Z][A-Z'.-]+(?:[ -][A-Z][A-Z'.-]+){0,2},(?:[^\S\n]*[A-Z][\w'.-]*"
    r"(?:[ -][A-Z][\w'.-]*){0,2},)?[^\S\n]*(?P<date>[^\n,.]{3,20}?)\s*(?:\.|–|—|-{1,2})\s",
    re.MULTILINE,
)


def _yearless_dateline(text: str, limit: int = 800) -> PartialDate | None:
    """A news-agency dateline that gives month and day only ("BAKU, Azerbaijan, October
    16."): the year is that of every date in the text, when they all share one."""
    dateline = _YEARLESS_DATELINE.search(text, 0, min(len(text), limit))
    if dateline is None:
        return None
    years = {d.first.year for d in find_dates(text) if not _no_year(text, d)}
    if len(years) != 1:
        return None
    dates = find_dates(dateline.group("date"), PartialDate(years.pop()))
    if len(dates) != 1 or dates[0].first.day is None:
        return None
    return dates[0].first


def _no_year(text: str, mention: DateMention) -> bool:
    return re.search(r"\d{4}", text[mention.start : mention.end]) is None


_PLACE_DATE_LINE = re.compile(
    r"^[^\S\n]*[A-Z][\w'.-]*(?:[ -][A-Z][\w'.-]*){0,3},?[^\S\n]+(?:le[^\S\n]+)?"
    r"(?P<date>[^\n]{6,30}?)[^\S\n]*$",
    re.MULTILINE,
)


def _closing_date_line(text: str, limit: int = 400) -> PartialDate | None:
    """A place and date on a line of their own at the foot of a release ("Strasbourg 29
    January 2021"), where some publishers put the dateline."""
    return _first_sole_date((_PLACE_DATE_LINE,), text, max(0, len(text) - limit), len(text))


def _url_date(text: str) -> PartialDate | None:
    """A date in the `source:` URL of the first line (".../2014-09-25/...")."""
    source = _SOURCE_URL.match(text)
    if source is None:
        return None
    found = _URL_DATE.search(source.group("url"))
    if found is None:
        return None
    try:
        return PartialDate(int(found.group("y")), int(found.group("m")), int(found.group("d")))
    except (TypeError, ValueError):
        return None


def _set_field(metadata: DocumentMetadata, label: str, value: str, line: str) -> None:
    shown = plain(value)
    if label.startswith(("ref", "réf")):
        metadata.reference = shown
    elif label in ("tel", "tél", "telephone", "phone"):
        metadata.telephone = shown
    elif label == "fax":
        metadata.fax = shown
    elif label in ("email", "e-mail", "courriel"):
        email = _EMAIL.search(shown)
        metadata.email = email.group() if email else shown
    else:
        target = _link_target(line)
        url = target if target and not target.startswith("#") else shown
        if not re.match(r"[a-z][a-z0-9+.-]*://", url):
            url = "http://" + url
        if _WEB_ADDRESS.fullmatch(url):  # stored as an IRI, so it must be one
            metadata.url = url


def _first_headline(text: str, limit: int) -> str | None:
    """Without a markdown heading, the title is the last non-field line before the dateline."""
    candidates = [
        plain(m.group())
        for m in re.finditer(r"[^\n]+", text[:limit])
        if plain(m.group()) and not _FIELD.match(plain(m.group()))
    ]
    return candidates[-1] if candidates and len(candidates[-1]) > 15 else None


def _header_end(text: str, metadata: DocumentMetadata) -> int:
    """Offset after the contact block: reference/contact lines there yield metadata, not facts."""
    end = 0
    for line_match in re.finditer(r"[^\n]+", text):
        value = _line_value(line_match.group())
        if not value:
            continue
        if (
            _FIELD.match(value)
            or _KIND.match(value)
            or _EMAIL.fullmatch(value)
            or value == metadata.publisher
        ):
            end = line_match.end()
            continue
        break
    return end
