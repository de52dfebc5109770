"""A document's full text with its evidence spans marked, for the document's page.

Spans may overlap (a state's name inside the sentence that reports its ratification) and one
span may be evidence for several facts. HTML elements cannot overlap, so the text is cut at
every span boundary: each piece is covered by the same set of spans from end to end and
becomes one highlight (or plain text). A piece links to the fact of the innermost span that
covers it, preferring facts over mere mentions of names; a fact that none of its span's
pieces links to gets a numbered link where its span ends. Nothing here builds HTML: the
template does, and escapes every piece.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class FactLink:
    """A fact as the text shows it: its page, its title in words, its number in the list."""

    href: str
    title: str
    number: int
    mention: bool
    """Whether the fact only says that the document names something."""


@dataclass(frozen=True)
class Span:
    """One evidence span: character offsets into the text and the facts it supports."""

    start: int
    end: int
    facts: tuple[FactLink, ...]

    @property
    def mention_only(self) -> bool:
        return all(fact.mention for fact in self.facts)


@dataclass(frozen=True)
class Piece:
    """A stretch of text covered by one set of spans (none for plain text)."""

    text: str
    link: FactLink | None
    """Where the highlight links; None for text that is evidence for nothing."""
    covering: tuple[FactLink, ...]
    """Every fact whose evidence covers this stretch, for the highlight's tooltip."""
    mention_only: bool
    more: tuple[FactLink, ...]
    """Facts whose span ends here and that no highlight of that span links to."""

    @property
    def tooltip(self) -> str:
        return "; ".join(f"{fact.number}. {fact.title}" for fact in self.covering)


def mark_evidence(text: str, spans: Sequence[Span]) -> list[Piece]:
    """Cut `text` at every span boundary; spans outside the text or empty are left out."""
    usable = [span for span in spans if 0 <= span.start < span.end <= len(text)]
    cuts = sorted({0, len(text), *(span.start for span in usable), *(span.end for span in usable)})
    stretches: list[tuple[int, int, list[Span]]] = []
    for start, end in pairwise(cuts):
        covering = [span for span in usable if span.start <= start and end <= span.end]
        stretches.append((start, end, covering))

    chosen: list[FactLink | None] = [_innermost(covering) for _, _, covering in stretches]
    linked_by_span: dict[Span, set[str]] = {span: set() for span in usable}
    for (_, _, covering), link in zip(stretches, chosen, strict=True):
        for span in covering:
            if link is not None:
                linked_by_span[span].add(link.href)

    pieces = []
    for (start, end, covering), link in zip(stretches, chosen, strict=True):
        ending = [span for span in usable if span.end == end]
        more = tuple(
            fact
            for span in sorted(ending, key=lambda span: span.start)
            for fact in span.facts
            if not fact.mention and fact.href not in linked_by_span[span]
        )
        facts = {fact.href: fact for span in covering for fact in span.facts}
        pieces.append(
            Piece(
                text=text[start:end],
                link=link,
                covering=tuple(sorted(facts.values(), key=lambda fact: fact.number)),
                mention_only=all(span.mention_only for span in covering),
                more=_unique(more),
            )
        )
    return pieces


def _innermost(covering: list[Span]) -> FactLink | None:
    """The first fact of the shortest covering span, a fact's span before a mention's."""
    if not covering:
        return None
    span = min(covering, key=lambda span: (span.mention_only, span.end - span.start, span.start))
    facts = sorted(span.facts, key=lambda fact: (fact.mention, fact.number))
    return facts[0]


def _unique(facts: tuple[FactLink, ...]) -> tuple[FactLink, ...]:
    seen: set[str] = set()
    kept = []
    for fact in facts:
        if fact.href not in seen:
            seen.add(fact.href)
            kept.append(fact)
    return tuple(kept)
