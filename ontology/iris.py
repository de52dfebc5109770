"""Deterministic IRI minting.

An IRI depends only on what it names (a code, a name, a fact's defining parts), never on
load order, time, process or machine, so reloading a source reproduces its IRIs exactly.
"""

import hashlib
import re
import unicodedata

from ontology.errors import ComityError
from ontology.namespaces import GRAPH_SOURCE_PREFIX

ID = "https://w3id.org/comity/id/"

_TREATY_NUMBER = re.compile(
    r"^\s*(?:C?ETS|STC?E)[\W_]*(?:(?:No|Nr|n)[\W_]*)?(\d{1,3})\s*$", re.IGNORECASE
)
# The Council of Europe's series was the European Treaty Series (ETS) up to No. 193 and has
# been the Council of Europe Treaty Series (CETS) since No. 194; both name one numbering.
_FIRST_CETS_NUMBER = 194


# Latin letters that Unicode does not decompose into a base letter and an accent, written as
# their languages' own ASCII spelling does ("Thorbjørn" is "Thorbjorn", not "Thorbjrn").
_LATIN_LETTERS = str.maketrans(
    {
        "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss",
        "ẞ": "SS", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
        "ł": "l", "Ł": "L", "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
        "ŋ": "ng", "Ŋ": "NG", "ĸ": "k",
    }
)  # fmt: skip


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Conseil de l'Europe" -> "conseil-de-l-europe".

    Accents are dropped and letters such as ø, æ and ß spelt out; any other non-ASCII mark (a
    typographic apostrophe or dash) separates words just like its ASCII twin, so "d’Ivoire"
    and "d'Ivoire" give the same slug.
    """
    ascii_text = "".join(
        char if char.isascii() or unicodedata.category(char)[0] in "LM" else " "
        for char in unicodedata.normalize("NFKD", text.translate(_LATIN_LETTERS))
    )
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    if not words:
        raise ValueError(f"cannot make an IRI slug from {text!r}: it has no letters or digits")
    return "-".join(words)


def treaty_slug(number: str) -> str:
    """ "ETS No. 185", "CETS 185" and "STE n° 185" -> "ets-185"; "CETS 224" -> "cets-224".

    The prefix follows the number, not the spelling, so every way of writing a treaty's
    number mints one IRI; anything that is not a number is slugged as a title.
    """
    match = _TREATY_NUMBER.match(unicodedata.normalize("NFKC", number))  # "ＥＴＳ ２２４", "№"
    if match:
        value = int(match.group(1))
        series = "ets" if value < _FIRST_CETS_NUMBER else "cets"
        return f"{series}-{value:03d}"
    return slug(number)


def state_iri(code: str) -> str:
    """A state by ISO 3166-1 alpha-3 code ("FRA"), or by slug where it has none ("kosovo")."""
    key = code.upper() if re.fullmatch(r"[A-Za-z]{3}", code) else slug(code)
    return f"{ID}state/{key}"


def organisation_iri(name: str) -> str:
    """An organisation by its English name: "Council of Europe" -> .../org/council-of-europe."""
    return f"{ID}org/{slug(name)}"


def company_iri(name: str) -> str:
    """Companies share the organisation space: a company is an organisation."""
    return organisation_iri(name)


def unit_iri(organisation_name: str, unit_name: str) -> str:
    """A unit or body of an organisation, e.g. the Council of Europe's Press Division."""
    return f"{ID}org/{slug(organisation_name)}/{slug(unit_name)}"


def treaty_iri(number_or_title: str) -> str:
    """A treaty by ETS/CETS number ("ETS 185" -> .../treaty/ets-185) or, failing that, title."""
    return f"{ID}treaty/{treaty_slug(number_or_title)}"


def person_iri(name: str) -> str:
    return f"{ID}person/{slug(name)}"


def place_iri(name: str) -> str:
    return f"{ID}place/{slug(name)}"


def topic_iri(label: str) -> str:
    return f"{ID}topic/{slug(label)}"


def topic_scheme_iri() -> str:
    """The SKOS concept scheme that holds every topic: the parent of all topic IRIs."""
    return f"{ID}topic"


def document_key(name: str) -> str:
    """The key of a source document, from its file name without extension."""
    try:
        return slug(name)
    except ValueError as error:
        raise ComityError(
            f"{name!r}: a source file name needs a letter or digit to name its document; "
            "rename the file"
        ) from error


def document_iri(key: str) -> str:
    return f"{ID}document/{key}"


def source_graph_iri(document: str) -> str:
    """The named graph of one source, from its key or its document IRI."""
    prefix = f"{ID}document/"
    key = document[len(prefix) :] if document.startswith(prefix) else document
    return GRAPH_SOURCE_PREFIX + key


def span_iri(document: str, start: int, end: int) -> str:
    """A text span of a document (given by key or IRI), by its character offsets."""
    prefix = f"{ID}document/"
    key = document[len(prefix) :] if document.startswith(prefix) else document
    return f"{ID}span/{key}/{start}-{end}"


def act_iri(kind: str, *parts: str) -> str:
    """An act in the world (a ratification, a membership, a treaty's opening) by what it is.

    The parts are the IRIs of who and what the act involves, never the text it was read in
    nor its date: every source that reports the act, and the reference data, then describe
    one node, and "2006" and "2006-01-10" from two texts are two values of that node.
    """
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", kind)
    material = "\x1f".join(["act", name.lower(), *parts])
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
    return f"{ID}{slug(name)}/{digest}"


def fact_iri(kind: str, document: str, *parts: object) -> str:
    """A fact of a given kind ("ratification") from a document, identified by its parts.

    The parts are what makes the fact this fact (actor, treaty, date ...); the digest of
    them keeps the IRI short and stable.
    """
    material = "\x1f".join([document, *(str(part) for part in parts)])
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
    return f"{ID}{slug(kind)}/{digest}"
