"""Ends of membership: a state that ceased to be a member, was expelled or withdrew.

These are MembershipEnd facts, never Membership: the text says the membership is over.
"""

from __future__ import annotations

import re

from loaders.dates import PartialDate, find_dates
from loaders.documents import Document
from loaders.entities import Mention as Named
from loaders.facts import Evidence, MembershipEnd

_ENDS = re.compile(
    r"(?P<cessation>ceased\s+to\s+be\s+a\s+member(?:\s+state)?\s+of|cesse(?:ra)?\s+d'être\s+"
    r"membre\s+d[eu]|is\s+no\s+longer\s+a\s+member\s+of)"
    r"|(?P<expulsion>(?:was|were|has\s+been|have\s+been)\s+expelled\s+from|expulsion\s+from"
    r"|(?:a\s+été\s+)?exclue?\s+d[eu])"
    r"|(?P<withdrawal>withdr(?:ew|awn|aws)\s+from|left|(?:s'est\s+)?retirée?\s+d[eu])",
    re.I,
)


def membership_ends(
    document: Document, named: list[Named], issued: PartialDate | None, start_at: int = 0
) -> list[MembershipEnd]:
    """ "X ceased to be a member of the Organisation on 16 March": one fact per sentence."""
    facts: list[MembershipEnd] = []
    for sentence in document.sentences:
        if sentence.end <= start_at:
            continue
        for verb in _ENDS.finditer(sentence.text):
            at = sentence.start + verb.start()
            after = sentence.start + verb.end()
            inside = [m for m in named if sentence.start <= m.start < sentence.end]
            states = [m for m in inside if m.entity.kind == "state" and m.end <= at]
            organisations = [
                m
                for m in inside
                if m.entity.kind == "organisation" and after <= m.start <= after + 6
            ]
            if not states or not organisations:
                continue
            dates = [d for d in find_dates(sentence.text, issued) if d.first.day is not None]
            how = next(name for name, value in verb.groupdict().items() if value)
            facts.append(
                MembershipEnd(
                    states[-1].entity,
                    organisations[0].entity,
                    dates[0].first if len(dates) == 1 else None,
                    how,
                    evidence=Evidence(sentence.start, sentence.end, sentence.text),
                )
            )
    return facts
