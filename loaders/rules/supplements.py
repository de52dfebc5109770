"""Protocols and the treaties they supplement: "the Additional Protocol to the Convention"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from loaders.documents import Sentence
from loaders.entities import new_treaty
from loaders.facts import Entity, Supplements

if TYPE_CHECKING:
    from loaders.reading import Reading

_OWNED = re.compile(r"(?:Convention|Treaty|Charter)['’]s\s+\[?$|\b[Ii]ts\s+\[?$")
_ONE_OF_ITS = re.compile(
    r"\b(?:its|their|ses|leurs)\s+(?:additional\s+)?protocole?s(?:\s+additionnels)?\s*,?\s*"
    r"(?:notably|including|in\s+particular|such\s+as|notamment|dont|en\s+particulier)\s+"
    r"(?:the\s+|le\s+)?$",
    re.I,
)
"""One of a treaty's protocols named from their list: "and most of its protocols, notably
Protocol No. 6"."""
_SUPPLEMENTARY_TO = re.compile(
    r"(?:\s+(?:on|for|concerning|relating\s+to)\s+[^,;]{0,150})?"  # the rest of its title
    r",?\s+(?:(?:which|that)\s+(?:supplements|complements|is\s+(?:a|an)\s+\w+\s+to)"
    r"|(?:a|an|the)\s+(?:supplementary|additional|complementary)\s+(?:agreement|protocol|instrument"
    r"|treaty)\s+(?:to|of)|(?:supplementing|complementing))\s+(?:the\s+)?$",
    re.I,
)
"""A protocol whose apposition names its treaty: "the Nagoya Protocol, a supplementary
agreement to the Convention on Biological Diversity"."""


_TO_ITS_TREATY = re.compile(r"\s+(?:to|à|au)\s+(?:the\s+|la\s+|l['’]\s*)?")
"""A protocol named by a short name and then its treaty: "the Nagoya Protocol to the Convention
on Biological Diversity"."""
_TIED_IN_NAME = re.compile(
    r"^(?:its|ses|son)\s|\s(?:to\s+the|à\s+la|au|amending(?:\s+the)?|amendant|modifiant"
    r"|portant\s+amendement\s+à)\s",
    re.I,
)
"""A protocol's name that says whose it is: "its First Protocol", "Protocol No. 15 amending the
Convention", "Protocole portant amendement à la Convention"."""
_PROTOCOL_TO = re.compile(
    r"^(?:[A-Z]\w+\s+)*Protocol\s+(?:to|amending)\s+(?:the\s+)?(?P<parent>(?:Convention|Agreement"
    r"|Treaty|Charter)\s+(?:on|for|against|concerning|relating\s+to|of)\s+.+)$"
)
"""The title of a protocol the tables lack that holds its treaty's: "Protocol to the Agreement
on Port Cooperation"."""


def _parent_in_title(title: str) -> Entity | None:
    """The treaty a new protocol's title names as its parent, itself new."""
    parent = _PROTOCOL_TO.match(title)
    return new_treaty(parent.group("parent")) if parent is not None else None


def supplements(context: Reading, sentence: Sentence) -> None:
    """A protocol the text ties to its treaty: "the Convention's Protocol on ..."."""
    text = context.document.text
    for mention in context.within(sentence.start, sentence.end, ("treaty",)):
        if mention.entity.detail("treaty_kind") != "Protocol":
            continue
        before = text[max(sentence.start, mention.start - 30) : mention.start]
        stated = (
            _OWNED.search(before) is not None
            or _ONE_OF_ITS.search(text, max(sentence.start, mention.start - 80), mention.start)
            or re.match(r"(?:Convention|Treaty|Charter)['’]s\s", mention.text) is not None
            or _TIED_IN_NAME.search(mention.text) is not None
        )
        following = [
            m
            for m in context.within(mention.end, sentence.end, ("treaty",))
            if _SUPPLEMENTARY_TO.fullmatch(text, mention.end, m.start)
            or _TO_ITS_TREATY.fullmatch(text, mention.end, m.start)
        ]
        if following:
            context.facts.append(
                Supplements(
                    mention.entity, following[0].entity, evidence=context.evidence(sentence)
                )
            )
            continue
        if not stated:
            continue
        treaty = context.lex.by_iri.get(mention.entity.detail("supplements") or "")
        if treaty is None and not mention.entity.known:
            treaty = _parent_in_title(mention.entity.label)
        if treaty is None:
            conventions = [
                m.entity
                for m in context.mentions
                if m.end <= mention.start
                and m.entity.kind == "treaty"
                and m.entity.detail("treaty_kind") != "Protocol"
            ]
            treaty = conventions[-1] if conventions else None
        if treaty is not None:
            context.facts.append(
                Supplements(mention.entity, treaty, evidence=context.evidence(sentence))
            )
