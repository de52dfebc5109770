"""The name index: every name a reference entity is known by, normalised so that case,
accents, quotes and the spellings of a treaty number do not matter, and looked up to link a
mention in a text to what it names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ontology.iris import (
    treaty_iri,
)
from ontology.reference.model import (
    Entity,
    Membership,
    Organisation,
    Place,
    State,
    Topic,
    Treaty,
)

# Names that really do name two reference entities. Linking a mention of one of them needs
# context (the sentence, the kind of entity expected); the lookup returns every candidate.
# tests/ontology/test_reference.py fails when a new collision appears that is not listed here.
AMBIGUOUS_NAMES: frozenset[str] = frozenset(
    {
        "echr",  # the European Convention on Human Rights (ETS 005) and its Court
        "luxembourg",  # the state and its capital city
        "cedh",  # French for the Convention (CEDH) and, informally, the Court
        "yugoslavia",  # the socialist federation (to 1992) and its rump state (1992-2006)
        "yougoslavie",
        "djibouti",  # each a state and its capital city
        "singapore",
        "singapour",
        "grenade",  # French for Grenada, and for the Spanish city of Granada
        "unfccc",  # the climate convention and, in common usage, its secretariat
        "ccnucc",
        "torture convention",  # the UN convention against torture and the European one
        # ETS 081 (1974) and ETS 113 (1983): two additional protocols with one title.
        "additional protocol to the protocol to the european agreement on the protection of "
        "television broadcasts",
        "protocole additionnel au protocole a l'arrangement europeen pour la protection des "
        "emissions de television",
    }
)

_NUMBER_IN_NAME = re.compile(
    r"(?:c?ets|stce|ste)\s*(?:no\.?|n°|n\.)?\s*([0-9]{1,3})", re.IGNORECASE
)
_TYPOGRAPHY = str.maketrans("‘’‚‛`´“”„«»‐‑‒–—", "'" * 6 + '"' * 5 + "-" * 5)


def normalise_name(text: str) -> str:
    """The form under which names are compared: case, accents, quotes, spacing and a leading
    "the" do not matter, and every way of writing a treaty number ("ETS No. 185",
    "CETS n° 185", "ets185") becomes one key, since the number alone identifies the treaty.
    """
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    text = " ".join(text.split()).strip(" \"'").casefold()
    number = _NUMBER_IN_NAME.fullmatch(text)
    if number:
        return f"treaty {int(number.group(1))}"
    if text.startswith("the "):
        text = text[4:].strip(" \"'")
    return text


class Reference:
    """All reference entities, with an index from every known name to what it names."""

    def __init__(
        self,
        states: tuple[State, ...],
        organisations: tuple[Organisation, ...],
        treaties: tuple[Treaty, ...],
        topics: tuple[Topic, ...],
        places: tuple[Place, ...],
        memberships: tuple[Membership, ...] = (),
    ) -> None:
        self.memberships = memberships
        self.states = states
        self.organisations = organisations
        self.treaties = treaties
        self.topics = topics
        self.places = places
        self._by_iri: dict[str, Entity] = {entity.iri: entity for entity in self.entities()}
        self._by_code = {
            code.upper(): state
            for state in states
            for code in (state.alpha2, state.alpha3, state.key)
            if code
        }
        index: dict[str, list[Entity]] = {}
        for entity in self.entities():
            for key in dict.fromkeys(normalise_name(name) for name in names_of(entity)):
                index.setdefault(key, []).append(entity)
        self._index = {key: tuple(found) for key, found in index.items()}

    def entities(self) -> Iterator[Entity]:
        yield from self.states
        yield from self.organisations
        yield from self.treaties
        yield from self.topics
        yield from self.places

    def lookup(self, name: str) -> list[Entity]:
        """Every entity known by this name; more than one only for the ambiguous names."""
        return list(self._index.get(normalise_name(name), ()))

    def ambiguous_names(self) -> dict[str, tuple[Entity, ...]]:
        """Normalised names that name more than one entity, with the entities they name."""
        return {key: found for key, found in self._index.items() if len(found) > 1}

    def by_iri(self, iri: str) -> Entity | None:
        return self._by_iri.get(iri)

    def state(self, code: str) -> State | None:
        """A state by ISO alpha-2 or alpha-3 code (any case), or by key ("kosovo")."""
        return self._by_code.get(code.strip().upper())

    def treaty(self, number: str) -> Treaty | None:
        """A treaty by its number in any usual spelling ("ETS No. 185", "ETS-185") or by name.

        Minting normalises every spelling of a number, so the IRI is the first look-up key.
        """
        try:
            entity = self._by_iri.get(treaty_iri(number))
        except ValueError:  # no letter or digit: no treaty has such a name either
            return None
        if isinstance(entity, Treaty):
            return entity
        return next(
            (
                entity
                for entity in self._index.get(normalise_name(number), ())
                if isinstance(entity, Treaty)
            ),
            None,
        )


def names_of(entity: Entity) -> tuple[str, ...]:
    """Every name under which an entity may appear in a text."""
    if isinstance(entity, State):
        return (entity.name_en, entity.name_fr, *entity.aliases, *entity.former_names)
    if isinstance(entity, Organisation):
        acronym = (entity.acronym,) if entity.acronym else ()
        return (entity.name_en, entity.name_fr, *acronym, *entity.aliases)
    if isinstance(entity, Treaty):
        number = (entity.number,) if entity.number else ()
        return (*number, entity.title_en, entity.title_fr, *entity.short_names)
    if isinstance(entity, Topic):
        return (entity.label_en, entity.label_fr, *entity.aliases)
    return (entity.name_en, entity.name_fr, *entity.aliases)
