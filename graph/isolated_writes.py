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

A property is the one term a write may share, as long as nothing describes it: every rule
that reads a property (domain, range, sub-property, inverse, chain, restriction, key) reads a
triple that has the property as its subject or object. So a write using, as a property only,
a property that the triples left alone also use only as a property (as most data does) is
isolated as well.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

from ontology import COMITY, ORG, OWL, RDF, RDFS, TIME

LIMIT = 300_000
"""Stores with more asserted triples than this are not tracked (the lines would cost memory
in the hundreds of megabytes); every write to them reasons again."""

_RDF_TYPE = f"<{RDF.type}>".encode()
_VOCABULARY = tuple(f"<{namespace}".encode() for namespace in (RDF, RDFS, OWL, COMITY, ORG, TIME))


_LINE = re.compile(rb"\s*(<[^>]*>|_:\S+)\s+(<[^>]*>)\s+(.*?)\s*\.\s*")


def _nodes(terms: list[bytes]) -> list[bytes]:
    """The subject and, unless it is a literal (left out of `terms`), the object; none for an
    empty line."""
    return [terms[0], *terms[2:]] if terms else []


def _terms(line: bytes) -> list[bytes] | None:
    """The IRIs and blank nodes of one N-Triples line; a literal object is left out, quotes,
    language and datatype alike. An empty line has none; None for a line this cannot read."""
    if not line.strip():
        return []
    match = _LINE.fullmatch(line)
    if match is None:
        return None
    subject, predicate, value = match.groups()
    return [subject, predicate] if value.startswith(b'"') else [subject, predicate, value]


class AssertedTerms:
    """The asserted triples a store last reasoned over, and how often each term occurs."""

    def __init__(self, lines: set[bytes]) -> None:
        self.lines = lines
        self.counts: Counter[bytes] = Counter()
        self.node_counts: Counter[bytes] = Counter()
        """Occurrences as a subject or an object: the positions in which a term is described."""
        self.readable = True
        """False when a line could not be read (a store writing N-Triples another way): then
        no write counts as isolated."""
        for line in lines:
            terms = _terms(line)
            if terms is None:
                self.readable = False
                return
            self.counts.update(terms)
            self.node_counts.update(_nodes(terms))

    def isolated(self, lines: set[bytes]) -> bool:
        """Whether going from the last lines to `lines` cannot change the inferred graph; if
        so, `lines` become the last lines."""
        return self.isolated_change(lines - self.lines, self.lines - lines)

    def isolated_change(self, added: set[bytes], removed: set[bytes]) -> bool:
        """Whether adding `added` to the last lines and taking `removed` from them cannot
        change the inferred graph; if so, the last lines change so."""
        if not self.readable:
            return False
        added_terms: Counter[bytes] = Counter()
        removed_terms: Counter[bytes] = Counter()
        added_nodes: Counter[bytes] = Counter()
        removed_nodes: Counter[bytes] = Counter()
        for changed, counts, nodes in (
            (added, added_terms, added_nodes),
            (removed, removed_terms, removed_nodes),
        ):
            for line in changed:
                terms = _terms(line)
                if terms is None:
                    return False
                if not terms:
                    continue
                subject, predicate, *rest = terms
                if predicate != _RDF_TYPE and predicate.startswith(_VOCABULARY):
                    return False
                if subject.startswith(_VOCABULARY) or (rest and rest[0].startswith(_VOCABULARY)):
                    return False
                counts.update(terms)
                nodes.update(_nodes(terms))
        for term in added_terms.keys() | removed_terms.keys():
            if term == _RDF_TYPE:
                continue
            if not (added_nodes[term] or removed_nodes[term] or self.node_counts[term]):
                continue  # a property only, in the write and in the store: nothing describes it
            # Occurrences in the triples the write left alone.
            if self.counts[term] - removed_terms[term] > 0:
                return False
        self.counts.update(added_terms)
        self.counts.subtract(removed_terms)
        for term in removed_terms:
            if self.counts[term] <= 0:
                del self.counts[term]
        self.node_counts.update(added_nodes)
        self.node_counts.subtract(removed_nodes)
        for term in removed_nodes:
            if self.node_counts[term] <= 0:
                del self.node_counts[term]
        self.lines.difference_update(removed)
        self.lines.update(added)
        return True


_DIGEST_MODULUS = 1 << 256


def line_digest(lines: Iterable[bytes]) -> int:
    """A digest of a set of lines that does not depend on their order: the sum of their
    SHA-256 values, so that lines added and removed change it without reading the others."""
    return sum(int.from_bytes(hashlib.sha256(line).digest()) for line in lines) % _DIGEST_MODULUS


def changed_digest(digest: int, added: Iterable[bytes], removed: Iterable[bytes]) -> int:
    """The digest of a set after `added` joined it and `removed` left it."""
    return (digest + line_digest(added) - line_digest(removed)) % _DIGEST_MODULUS
