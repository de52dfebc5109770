"""The state a document's reading carries from sentence to sentence: the entities linked in it,
the facts found so far, the conference being described. The rule modules of `loaders.rules`
take it, and `loaders.extraction` makes it, so it lives below both."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from loaders.dates import DateMention, PartialDate, find_dates
from loaders.documents import Document, Sentence
from loaders.entities import Lexicon, Mention
from loaders.facts import Conference, Entity, Evidence, Fact, Partnership


@dataclass
class Reading:
    """The running state of reading one document: what the rules of every family read and
    write as they go through its sentences."""

    document: Document
    lex: Lexicon
    mentions: list[Mention]
    topics: list[Mention]
    issuer: Entity | None
    facts: list[Fact] = field(default_factory=list)
    conference: Conference | None = None
    events: dict[str, Conference] = field(default_factory=dict)
    """Events named in the text ("COP22", "the 32nd Ministerial Council"), one fact each."""
    partnership: Partnership | None = None
    starts: list[int] | None = None
    date_cache: dict[int, list[DateMention]] = field(default_factory=dict)

    @property
    def issued(self) -> PartialDate | None:
        return self.document.metadata.issued

    def evidence(self, sentence: Sentence) -> Evidence:
        return Evidence(sentence.start, sentence.end, sentence.text)

    def within(self, start: int, end: int, kinds: Iterable[str] | None = None) -> list[Mention]:
        """Mentions lying inside [start, end), optionally of some entity kinds only."""
        if self.starts is None:
            self.starts = [m.start for m in self.mentions]
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end, lo=first)
        wanted = tuple(kinds) if kinds is not None else None
        return [
            m
            for m in self.mentions[first:last]
            if m.end <= end and (wanted is None or m.entity.kind in wanted)
        ]

    def dates(self, sentence: Sentence) -> list[DateMention]:
        """The dates of a sentence, found once and shared by the rules."""
        if sentence.start not in self.date_cache:
            dateline = self.document.metadata.dateline_span
            self.date_cache[sentence.start] = [
                date
                for date in find_dates(sentence.text, self.issued)
                if dateline is None or not dateline[0] <= sentence.start + date.start < dateline[1]
            ]
        return self.date_cache[sentence.start]

    def last_treaty(self, before: int) -> Mention | None:
        earlier = [m for m in self.mentions if m.end <= before and m.entity.kind == "treaty"]
        return earlier[-1] if earlier else None
