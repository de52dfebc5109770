"""Reading source files safely, splitting sentences, and parsing press-release headers."""

import pytest

from loaders import MAX_BYTES, make_document, read_document
from loaders.extraction import PART_LENGTH, _parts, extract
from loaders.pipeline import prepare
from ontology.errors import ComityError

HEADER = """# Press Release

**Example Organisation Media Unit**

**Ref: 12b34**

**Tel: +1 555 0100**

**[press@example.org](mailto:press@example.org)**

**internet: [www.example.org/news](https://www.example.org/news)**

## A headline for the test

Geneva, 02.03.2010 – The first sentence of the body. The second one follows here.
"""


def test_text_is_kept_exactly_and_sentences_point_into_it(tmp_path):
    path = tmp_path / "Release 2010.md"
    path.write_text(HEADER, encoding="utf-8")
    document = read_document(path)
    assert document.text == HEADER
    assert document.key == "release-2010"
    assert document.iri.endswith("/document/release-2010")
    for sentence in document.sentences:
        assert HEADER[sentence.start : sentence.end] == sentence.text
    texts = [sentence.text for sentence in document.sentences]
    assert "The second one follows here." in texts


def test_header_fields_without_markdown():
    metadata = make_document(HEADER, "x").metadata
    assert metadata.kind == "PressRelease"
    assert metadata.publisher == "Example Organisation Media Unit"
    assert metadata.reference == "12b34"
    assert metadata.telephone == "+1 555 0100"
    assert metadata.email == "press@example.org"
    assert metadata.url == "https://www.example.org/news"
    assert metadata.title == "A headline for the test"
    assert metadata.issued.iso() == "2010-03-02"
    assert metadata.dateline_place == "Geneva"


def test_list_lines_are_sentences_and_wrapped_prose_is_joined():
    text = (
        "12 members\n\nAlbania  \nAndorra  \nArmenia\n\n"
        "This paragraph was wrapped by an editor at a fixed width so that its\n"
        "sentence runs over two lines without a break.\n"
    )
    texts = [sentence.text for sentence in make_document(text, "x").sentences]
    assert texts[:4] == ["12 members", "Albania", "Andorra", "Armenia"]
    assert texts[4].startswith("This paragraph") and texts[4].endswith("without a break.")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(ComityError, match=r"empty\.txt: the file is empty"):
        read_document(path)


def test_a_text_longer_than_a_million_characters_is_read_whole(tmp_path):
    """spaCy caps texts at a million characters for its parsers; the loaders' cap is the file
    size, so a long text under it is read, not failed."""
    path = tmp_path / "long.txt"
    path.write_text(
        "Strasbourg, 3 March 2025 – Peru ratified the Convention on Cybercrime.\n\n"
        + "Nothing of note happened that day. " * 30_000
        + "\n\nGhana signed the Convention on Cybercrime on 2 March 2025.\n",
        encoding="utf-8",
    )
    prepared = prepare(str(path))
    assert prepared.error is None
    assert (
        prepared.fact_counts.get("Signature") == 1 and prepared.fact_counts.get("Ratification") == 1
    )


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ComityError, match=r"image\.txt: this is a binary file"):
        read_document(path)


def test_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    with pytest.raises(ComityError, match=r"huge\.txt: the file is 50\.0 MB, over the 5 MB"):
        read_document(path)
    assert MAX_BYTES == 5 * 1024 * 1024


def test_confident_legacy_encoding_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "latin1.txt"
    text = (
        "Strasbourg, 13.06.2007 – Le Conseil de l'Europe a réuni des experts à Strasbourg. "
        "Les délégués ont discuté de la coopération internationale et des stratégies communes."
    )
    path.write_bytes(text.replace("–", "-").encode("cp1252"))
    document = read_document(path)
    assert "réuni des experts" in document.text
    assert document.metadata.encoding != "utf-8"
    assert any("not UTF-8" in warning for warning in document.warnings)


def test_doubtful_encoding_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "mangled.txt"
    path.write_bytes(b"ab\xff\xfe\x81\x8d\x8f\x90\x9d cd \xc3\x28 \xa0\xa1 \xf0\x28\x8c\x28" * 3)
    with pytest.raises(ComityError, match=r"mangled\.txt: not UTF-8"):
        read_document(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ComityError, match=r"nowhere\.txt: cannot read the file"):
        read_document(tmp_path / "nowhere.txt")


@pytest.mark.parametrize(
    ("text", "issued"),
    [
        ("Talks end\n\nLisbon (3 May 2024) — Ministers met to close the talks.\n", "2024-05-03"),
        ("Talks end\n\nTuesday, 04 June, 2019, 10:15 Norway signed the accord.\n", "2019-06-04"),
        ("Talks end\n\nLisbon (the week of 3 May 2024) — Ministers met.\n", None),
    ],
)
def test_a_dateline_run_into_the_first_paragraph_dates_the_text(text: str, issued):
    found = make_document(text, name="dateline").metadata.issued
    assert (found.iso() if found is not None else None) == issued


@pytest.mark.parametrize(
    ("text", "issued"),
    [
        # the act is dated by its own title, not by the journal issue printed above it
        (
            "Gazette No 12 of 3 March 2011\n\nDecree No 2011-40 of 28 February 2011 on the "
            "publication of a treaty\n\nArticle 1. The treaty is published.\n",
            "2011-02-28",
        ),
        ("Arrêté du 4 mai 2018 relatif à un accord\n\nArticle 1er.\n", "2018-05-04"),
        # a dateline at the foot of the release
        ("Talks end\n\nThe ministers closed the talks.\n\nValletta 9 April 2022\n", "2022-04-09"),
        # a French dateline with "le"
        ("Bruxelles, le 3 mars 2021\n\nLes ministres se sont réunis.\n", "2021-03-03"),
        # month and day only: the year is the one every dated sentence shares
        (
            "OSLO, Norway, March 3. Ministers will meet on May 4-5, 2021, in Bergen.\n",
            "2021-03-03",
        ),
        ("OSLO, Norway, March 3. Ministers met in 2019 and will meet in 2021.\n", None),
    ],
)
def test_document_dates_beyond_the_header(text: str, issued):
    found = make_document(text, name="dateline").metadata.issued
    assert (found.iso() if found is not None else None) == issued


def test_a_reference_back_across_the_cut_between_parts_finds_its_treaty():
    header = "Strasbourg, 3 March 2025 – Treaty news of the week.\n\n"
    filler = "Nothing of note happened that day. "
    before = header + filler * ((PART_LENGTH - 10 - len(header)) // len(filler))
    text = (
        before
        + "Peru ratified the Convention on Cybercrime on 1 March 2025. "
        + "Ghana signed it on 2 March 2025.\n"
    )
    document = make_document(text, "long")
    # The cut falls between the two sentences: Ghana's "it" is in a part of its own.
    cuts = [own for _, own, _ in _parts(document)]
    assert len(cuts) == 2 and text.index("Peru") < cuts[1] <= text.index("Ghana")
    gold = {
        (fact["type"], fact["actor"], fact["treaty"])
        for fact in (f.to_gold() for f in extract(document).facts)
        if fact["type"] in ("Signature", "Ratification")
    }
    assert gold == {("Ratification", "PER", "ets-185"), ("Signature", "GHA", "ets-185")}
