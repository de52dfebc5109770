"""Telling when a write cannot change what reasoning infers, so that it need not reason again.

OWL 2 RL rules join triples on shared terms, and fire only on the vocabulary of RDF, RDFS and
OWL; Comity's own derivations (graph/derivations.py) fire only on its own and ORG's terms. So
a write whose added and removed triples use none of that vocabulary, and share no IRI or
blank node with the triples it left alone, infers nothing by itself and nothing together with
the rest: the inferred graph stays exactly as it was. Test data, a user's graph of their own
and most writes through the endpoint are like that; reasoning over the whole store for them
costs half a second with the reference data alone, and grows with the store.

Literals are left out of the comparison: no rule joins two triples on a literal alone except
through a functional or key property, which is vocabulary the write would then have used.
"""

from collections import Counter

from ontology import COMITY, ORG, OWL, RDF, RDFS, TIME

LIMIT = 300_000
"""Stores with more asserted triples than this are not tracked (the lines would cost memory
in the hundreds of megabytes); every write to them reasons again."""

_RDF_TYPE = f"<{RDF.type}>".encode()
_VOCABULARY = tuple(f"<{namespace}".encode() for namespace in (RDF, RDFS, OWL, COMITY, ORG, TIME))


def _terms(line: bytes) -> list[bytes]:
    """The IRIs and blank nodes of one N-Triples line as the store writes it (one space
    between terms); a literal object is left out, quotes, language and datatype alike."""
    subject, predicate, rest = line.split(b" ", 2)
    return [subject, predicate] if rest.startswith(b'"') else [subject, predicate, rest[:-2]]


class AssertedTerms:
    """The asserted triples a store last reasoned over, and how often each term occurs."""

    def __init__(self, lines: set[bytes]) -> None:
        self.lines = lines
        self.counts: Counter[bytes] = Counter(term for line in lines for term in _terms(line))

    def isolated(self, lines: set[bytes]) -> bool:
        """Whether going from the last lines to `lines` cannot change the inferred graph; if
        so, `lines` become the last lines."""
        added, removed = lines - self.lines, self.lines - lines
        added_terms: Counter[bytes] = Counter()
        for line in added:
            added_terms.update(_terms(line))
        removed_terms: Counter[bytes] = Counter()
        for line in removed:
            removed_terms.update(_terms(line))
        for line in added | removed:
            subject, predicate, *rest = _terms(line)
            if predicate != _RDF_TYPE and predicate.startswith(_VOCABULARY):
                return False
            if subject.startswith(_VOCABULARY) or (rest and rest[0].startswith(_VOCABULARY)):
                return False
        for term in added_terms.keys() | removed_terms.keys():
            if term == _RDF_TYPE:
                continue
            # Occurrences in the triples the write left alone.
            if self.counts[term] - removed_terms[term] > 0:
                return False
        self.counts.update(added_terms)
        self.counts.subtract(removed_terms)
        for term in removed_terms:
            if self.counts[term] <= 0:
                del self.counts[term]
        self.lines = lines
        return True
