"""Targets for IRI minting (ontology.iris) and name lookup (ontology.reference).

Both take names straight from source texts, so they meet every oddity a text can hold: empty
words, accents, typographic marks, digits of other scripts, treaty numbers spelled a dozen ways.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from hypothesis import strategies as st

from fuzz import target
from ontology.iris import ID, fact_iri, slug, treaty_iri, treaty_slug

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FACT_IRI = re.compile(re.escape(ID) + r"([a-z0-9]+(?:-[a-z0-9]+)*)/([0-9a-f]{16})")
_ASCII_WORD_CHARACTER = re.compile(r"[A-Za-z0-9]")
_FIRST_CETS_NUMBER = 194

# Texts that look like names: letters of several scripts, accents, digits, typographic marks.
_NAME_ALPHABET = st.characters(
    codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="\x00"
)
name_texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=_NAME_ALPHABET, max_size=40),
    st.text(alphabet="abcXYZ019 -'’.éèÇñ", max_size=20),
)


@target("iris.slug", lambda: name_texts)
def check_slug(text: str) -> None:
    """slug() gives a hyphen-joined [a-z0-9] slug or ValueError, and slugging a slug is a no-op."""
    try:
        result = slug(text)
    except ValueError:
        assert not _ASCII_WORD_CHARACTER.search(text), f"refused a text with ASCII words: {text!r}"
        return
    assert _SLUG.fullmatch(result), f"slug({text!r}) = {result!r} is not a slug"
    assert slug(result) == result, f"slug is not idempotent on {result!r}"
    if text.isascii():
        assert slug(text.upper()) == slug(text.lower()) == result, "ASCII case changed the slug"


_SERIES = st.sampled_from(["ETS", "CETS", "STE", "STCE"]).flatmap(
    lambda series: st.sampled_from([series, series.lower(), series.capitalize()])
)
_NUMBER_MARK = st.sampled_from(["", "No", "No.", "no.", "NO", "n°", "N°", "nº", "n°."])
_SPACE = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])


@st.composite
def treaty_number_spellings(draw: st.DrawFn) -> tuple[int, str]:
    """A treaty number and one way a text may write it: "ETS No. 185", "stce n°005", "CETS224"."""
    number = draw(st.integers(min_value=0, max_value=999))
    digits = str(number).zfill(draw(st.integers(min_value=len(str(number)), max_value=3)))
    mark = draw(_NUMBER_MARK)
    parts = [draw(_SPACE), draw(_SERIES), draw(_SPACE)]
    if mark:
        parts += [mark, draw(_SPACE)]
    parts += [digits, draw(_SPACE)]
    return number, "".join(parts)


@target("iris.treaty_number", treaty_number_spellings)
def check_treaty_number(case: tuple[int, str]) -> None:
    """Every spelling of a treaty number mints one IRI: ets-NNN below 194, cets-NNN from 194 on."""
    number, spelling = case
    series = "ets" if number < _FIRST_CETS_NUMBER else "cets"
    expected = f"{series}-{number:03d}"
    assert treaty_slug(spelling) == expected, f"{spelling!r} -> {treaty_slug(spelling)!r}"
    assert treaty_iri(spelling) == f"{ID}treaty/{expected}"


_MORE_NUMBER_MARKS = st.sampled_from(["n.", "N.", "№", "No:", "nr."])
_SEPARATORS = st.sampled_from(["-", " - ", "/", "–"])


@st.composite
def treaty_number_variants(draw: st.DrawFn) -> tuple[int, str]:
    """Spellings of a reference treaty's number beyond the usual ones: "ETS-185", "STE n. 185",
    "ETS №185", full-width "ＣＥＴＳ ２２４" or digits of another script."""
    from ontology.reference import load_reference

    treaty = draw(st.sampled_from([item for item in load_reference().treaties if item.number]))
    number = int(treaty.number.split()[1])
    series = draw(_SERIES)
    how = draw(st.sampled_from(["separator", "mark", "full width", "other digits"]))
    if how == "separator":
        spelling = f"{series}{draw(_SEPARATORS)}{number:03d}"
    elif how == "mark":
        spelling = f"{series} {draw(_MORE_NUMBER_MARKS)} {number}"
    elif how == "full width":
        spelling = f"{series} {number}".translate(_FULL_WIDTH)
    else:
        zero = draw(st.sampled_from(["\u0660", "\u06f0", "\u0966"]))  # Arabic, Persian, Devanagari
        spelling = f"{series} " + "".join(chr(ord(zero) + int(digit)) for digit in str(number))
    return number, spelling


_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


@target(
    "iris.treaty_number_variants",
    treaty_number_variants,
    requires=("ontology.reference",),
    examples=(
        (185, "ETS-185"),
        (224, "ETS-224"),
        (185, "STE n. 185"),
        (224, "ＣＥＴＳ ２２４"),
        (224, "ＥＴＳ ２２４"),
        (224, "ETS/224"),
        (185, "ETS №185"),
    ),
)
def check_treaty_number_variants(case: tuple[int, str]) -> None:
    """Less usual spellings of a treaty number mint its IRI, the one the reference finds too."""
    number, spelling = case
    series = "ets" if number < _FIRST_CETS_NUMBER else "cets"
    expected = f"{ID}treaty/{series}-{number:03d}"
    found = _reference().treaty(spelling)
    assert treaty_iri(spelling) == expected, f"{spelling!r} mints {treaty_iri(spelling)}"
    assert found is not None and found.iri == expected, f"{spelling!r} looks up {found}"


@target("iris.treaty_title", lambda: name_texts)
def check_treaty_title(text: str) -> None:
    """Any other text is slugged as a title: a slug or ValueError, never another error."""
    try:
        result = treaty_slug(text)
    except ValueError:
        return
    assert _SLUG.fullmatch(result), f"treaty_slug({text!r}) = {result!r} is not a slug"
    assert treaty_iri(text) == f"{ID}treaty/{result}"


# Parts and documents come from decoded source texts, which hold no lone surrogates.
_TEXT = st.characters(codec="utf-8", exclude_characters="\x1f")
_PART = st.one_of(
    st.text(alphabet=_TEXT, max_size=12),
    st.integers(),
    st.dates(),
)
_FACT_INPUT = st.tuples(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz- ", min_size=1, max_size=12).filter(
        lambda kind: any(c.isalpha() for c in kind)
    ),
    st.text(alphabet=_TEXT, max_size=20),
    st.lists(_PART, max_size=4).map(tuple),
)


# Pairs of facts: unrelated ones, and one fact written two ways (a kind "treaty action" or
# "treaty-action", a part 7 or "7"), which must mint one IRI.
_FACT_PAIRS = st.one_of(
    st.tuples(_FACT_INPUT, _FACT_INPUT),
    _FACT_INPUT.map(
        lambda fact: (fact, (fact[0].replace(" ", "-"), fact[1], tuple(map(str, fact[2]))))
    ),
)


@target("iris.fact_iri", lambda: _FACT_PAIRS)
def check_fact_iri(pair: tuple[tuple[str, str, tuple[object, ...]], ...]) -> None:
    """fact_iri depends only on kind, document and the text of its parts, and tells them apart.

    Parts containing the unit separator U+001F are left out: fact_iri joins parts with it.
    """
    first, second = pair
    iris = []
    for kind, document, parts in (first, second):
        iri = fact_iri(kind, document, *parts)
        again = fact_iri(kind, document, *(str(part) for part in parts))
        assert iri == again, "a part and its text minted different IRIs"
        match = _FACT_IRI.fullmatch(iri)
        assert match, f"{iri!r} is not <ID><kind slug>/<16 hex digits>"
        assert match.group(1) == slug(kind)
        iris.append(iri)
    same_fact = (slug(first[0]), first[1], tuple(map(str, first[2]))) == (
        slug(second[0]),
        second[1],
        tuple(map(str, second[2])),
    )
    assert (iris[0] == iris[1]) == same_fact, f"IRIs {iris} for facts {first!r} and {second!r}"


@cache
def _reference():
    from ontology.reference import load_reference

    return load_reference()


@cache
def _names() -> tuple[tuple[str, str], ...]:
    """(name, IRI) for every name of every reference entity, in table order."""
    from ontology.reference import names_of

    return tuple(
        (name, entity.iri) for entity in _reference().entities() for name in names_of(entity)
    )


@target("reference.lookup_any_text", lambda: name_texts, requires=("ontology.reference",))
def check_lookup_any_text(text: str) -> None:
    """Reference.lookup never raises: any text names a (possibly empty) list of entities."""
    reference = _reference()
    found = reference.lookup(text)
    assert isinstance(found, list)
    assert all(reference.by_iri(entity.iri) is entity for entity in found)
    state = reference.state(text)
    assert state is None or reference.by_iri(state.iri) is state


@target(
    "reference.treaty_any_text",
    lambda: name_texts,
    requires=("ontology.reference",),
    examples=("", "!!!"),
)
def check_treaty_any_text(text: str) -> None:
    """Reference.treaty never raises: any text names one treaty or None."""
    found = _reference().treaty(text)
    assert found is None or _reference().by_iri(found.iri) is found


_SPELLINGS = {
    "as written": lambda name: name,
    "upper case": str.upper,
    "lower case": str.lower,
    "spaced out": lambda name: "  " + "   ".join(name.split()) + " ",
    "decomposed accents": lambda name: unicodedata.normalize("NFD", name),
    "in quotes": lambda name: f"“{name}”",
}


@st.composite
def reference_names(draw: st.DrawFn) -> tuple[str, str, str]:
    """A reference name, the IRI it belongs to, and how it is written this time."""
    name, iri = draw(st.sampled_from(_names()))
    spelling = draw(st.sampled_from(sorted(_SPELLINGS)))
    return name, iri, spelling


@target("reference.lookup_known_names", reference_names, requires=("ontology.reference",))
def check_lookup_known_names(case: tuple[str, str, str]) -> None:
    """Every name in the tables looks itself up, whatever its case, spacing, accents or quotes."""
    name, iri, spelling = case
    written = _SPELLINGS[spelling](name)
    found = [entity.iri for entity in _reference().lookup(written)]
    assert iri in found, f"{written!r} ({spelling} of {name!r}) finds {found}, not {iri}"
