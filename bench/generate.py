"""A synthetic treaty world of any size, for benchmarks: deterministic for a given seed.

Its shape follows what the loaders produce from real press releases, so that loading and
reasoning cost what they would cost on real data: states, intergovernmental organisations and
treaties (conventions and the protocols that supplement them) in the reference graph; then one
named graph per source document holding the document, its evidence spans and the facts read
from it (n-ary signatures, ratifications and accessions with their `comity:signatory` /
`comity:party` shortcuts, memberships with `comity:memberOf`, treaty statuses, partnerships).
Every IRI comes from the ontology's minting functions.

    python -m bench.generate --triples 100000 --seed 1 --output world-100k.nq
"""

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pycountry
import pyoxigraph as ox

from ontology import (
    COMITY,
    DCTERMS,
    GRAPH_REFERENCE,
    ORG,
    RDF,
    RDFS,
    XSD,
    document_iri,
    document_key,
    fact_iri,
    organisation_iri,
    source_graph_iri,
    span_iri,
    state_iri,
    treaty_iri,
)

Triple = tuple[ox.NamedNode, str, ox.NamedNode | ox.Literal]
"""A triple whose predicate is still a plain IRI: it becomes a NamedNode once, in the quad."""
Fact = tuple[ox.NamedNode, list[Triple], str]
"""A fact's node, its triples, and the sentence that states it."""

A = RDF.type
REFERENCE = ox.NamedNode(GRAPH_REFERENCE)

ACTIONS = (
    (COMITY.Signature, COMITY.signatory, "signed"),
    (COMITY.Ratification, COMITY.party, "ratified"),
    (COMITY.Accession, COMITY.party, "acceded to"),
)
PARTNERSHIP_KINDS = ("public-private", "institutional", "technical co-operation")
PRINCIPLES = ("transparency", "human rights", "rule of law", "capacity building")


class World:
    """The reference entities every document draws on, scaled to the size asked for."""

    def __init__(self, triples_target: int, rng: random.Random) -> None:
        self.states = sorted(country.alpha_3 for country in pycountry.countries)
        organisation_count = max(5, triples_target // 5000)
        self.organisations = [f"Synthetic Organisation {n}" for n in range(1, organisation_count)]
        self.organisations.insert(0, "Council of Europe")
        treaty_count = max(10, triples_target // 500)
        self.treaties = [_treaty_number(n) for n in range(1, treaty_count + 1)]
        self.conventions = {
            number: rng.random() < 0.75 or n == 0 for n, number in enumerate(self.treaties)
        }

    def reference(self, rng: random.Random) -> Iterator[Triple]:
        for code in self.states:
            country = pycountry.countries.get(alpha_3=code)
            state = ox.NamedNode(state_iri(code))
            yield (state, A, ox.NamedNode(COMITY.State))
            yield (state, RDFS.label, ox.Literal(country.name, language="en"))
            yield (state, COMITY.iso3166Alpha3, ox.Literal(code))
            yield (state, COMITY.iso3166Alpha2, ox.Literal(country.alpha_2))
        for name in self.organisations:
            organisation = ox.NamedNode(organisation_iri(name))
            yield (organisation, A, ox.NamedNode(COMITY.IntergovernmentalOrganisation))
            yield (organisation, RDFS.label, ox.Literal(name, language="en"))
        conventions = [number for number in self.treaties if self.conventions[number]]
        for number in self.treaties:
            treaty = ox.NamedNode(treaty_iri(number))
            kind = COMITY.Convention if self.conventions[number] else COMITY.Protocol
            yield (treaty, A, ox.NamedNode(kind))
            yield (treaty, COMITY.treatyNumber, ox.Literal(number))
            yield (treaty, DCTERMS.title, ox.Literal(f"Treaty {number}", language="en"))
            yield (treaty, RDFS.label, ox.Literal(f"Treaty {number}", language="en"))
            yield (
                treaty,
                COMITY.concludedWithin,
                ox.NamedNode(organisation_iri(self.organisations[0])),
            )
            if kind == COMITY.Protocol:
                supplemented = ox.NamedNode(treaty_iri(rng.choice(conventions)))
                yield (treaty, COMITY.supplements, supplemented)


def generate(triples_target: int, seed: int) -> bytes:
    """N-Quads of a world of about `triples_target` triples (it stops after the document that
    reaches the target); the same target and seed always give the same bytes."""
    if triples_target < 1:
        raise ValueError(f"the number of triples must be positive, not {triples_target}")
    rng = random.Random(seed)
    world = World(triples_target, rng)
    quads = [ox.Quad(s, ox.NamedNode(p), o, REFERENCE) for s, p, o in world.reference(rng)]
    number = 0
    while len(quads) < triples_target:
        number += 1
        quads.extend(_document(world, rng, document_key(f"synthetic-press-{number:07d}")))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def _document(world: World, rng: random.Random, key: str) -> list[ox.Quad]:
    """One press release: its metadata, and a handful of facts each with its evidence span."""
    graph = ox.NamedNode(source_graph_iri(key))
    document = ox.NamedNode(document_iri(key))
    issued = _date(rng)
    triples = [
        (document, A, ox.NamedNode(COMITY.PressRelease)),
        (document, DCTERMS.title, ox.Literal(f"Press release {key}", language="en")),
        (document, DCTERMS.issued, issued),
        (document, DCTERMS.identifier, ox.Literal(key)),
        (document, DCTERMS.publisher, ox.NamedNode(organisation_iri(world.organisations[0]))),
    ]
    offset = rng.randrange(0, 200)
    seen: set[ox.NamedNode] = set()
    for _ in range(rng.randint(2, 8)):
        length = rng.randint(40, 300)
        span = (offset, offset + length)
        offset += length + rng.randint(1, 120)
        kind = rng.random()
        if kind < 0.55:
            fact_and_triples = _treaty_action(world, rng, key, issued)
        elif kind < 0.75:
            fact_and_triples = _membership(world, rng, key, issued)
        elif kind < 0.9:
            fact_and_triples = _treaty_status(world, rng, key, issued)
        else:
            fact_and_triples = _partnership(world, rng, key)
        fact, fact_triples, sentence = fact_and_triples
        if fact in seen:  # the same fact twice in one text is one fact: keep the first
            continue
        seen.add(fact)
        triples += fact_triples
        triples += _evidence(fact, document, key, span, sentence)
    return [ox.Quad(s, ox.NamedNode(p), o, graph) for s, p, o in triples]


def _treaty_action(world: World, rng: random.Random, key: str, issued: ox.Literal) -> Fact:
    action, shortcut, verb = rng.choice(ACTIONS)
    code, number = rng.choice(world.states), rng.choice(world.treaties)
    state, treaty = ox.NamedNode(state_iri(code)), ox.NamedNode(treaty_iri(number))
    fact = ox.NamedNode(fact_iri(action.split("#")[-1], key, code, number))
    triples = [
        (fact, A, ox.NamedNode(action)),
        (fact, COMITY.actor, state),
        (fact, COMITY.treaty, treaty),
        (fact, COMITY.date, issued),
        (treaty, shortcut, state),
    ]
    return fact, triples, f"{code} {verb} the treaty {number}."


def _membership(world: World, rng: random.Random, key: str, issued: ox.Literal) -> Fact:
    code, name = rng.choice(world.states), rng.choice(world.organisations)
    state, organisation = ox.NamedNode(state_iri(code)), ox.NamedNode(organisation_iri(name))
    fact = ox.NamedNode(fact_iri("membership", key, code, name))
    triples = [
        (fact, A, ox.NamedNode(COMITY.Membership)),
        (fact, ORG.member, state),
        (fact, ORG.organization, organisation),
        (fact, COMITY.asOf, issued),
        (state, COMITY.memberOf, organisation),
    ]
    if rng.random() < 0.3:
        triples.append(
            (
                fact,
                COMITY.since,
                ox.Literal(str(rng.randint(1949, 2020)), datatype=ox.NamedNode(XSD.gYear)),
            )
        )
    return fact, triples, f"{code} is a member of the {name}."


def _treaty_status(world: World, rng: random.Random, key: str, issued: ox.Literal) -> Fact:
    number = rng.choice(world.treaties)
    fact = ox.NamedNode(fact_iri("treaty-status", key, number))
    parties = rng.randint(1, 70)
    triples = [
        (fact, A, ox.NamedNode(COMITY.TreatyStatus)),
        (fact, COMITY.treaty, ox.NamedNode(treaty_iri(number))),
        (fact, COMITY.asOf, issued),
        (fact, COMITY.partiesCount, ox.Literal(str(parties), datatype=ox.NamedNode(XSD.integer))),
        (
            fact,
            COMITY.signedOnlyCount,
            ox.Literal(str(rng.randint(0, 20)), datatype=ox.NamedNode(XSD.integer)),
        ),
    ]
    return fact, triples, f"The treaty {number} now has {parties} parties."


def _partnership(world: World, rng: random.Random, key: str) -> Fact:
    partners = rng.sample(world.organisations, k=min(len(world.organisations), rng.randint(2, 3)))
    fact = ox.NamedNode(fact_iri("partnership", key, *partners))
    triples = [(fact, A, ox.NamedNode(COMITY.Partnership))]
    triples += [(fact, COMITY.partner, ox.NamedNode(organisation_iri(p))) for p in partners]
    triples.append((fact, COMITY.kind, ox.Literal(rng.choice(PARTNERSHIP_KINDS))))
    triples.append((fact, COMITY.principle, ox.Literal(rng.choice(PRINCIPLES))))
    return fact, triples, f"{' and '.join(partners)} agreed to work together."


def _evidence(
    fact: ox.NamedNode, document: ox.NamedNode, key: str, span: tuple[int, int], sentence: str
) -> list[Triple]:
    node = ox.NamedNode(span_iri(key, *span))
    return [
        (fact, COMITY.evidence, node),
        (fact, COMITY.reportedIn, document),
        (node, A, ox.NamedNode(COMITY.TextSpan)),
        (node, COMITY.inDocument, document),
        (node, COMITY.start, ox.Literal(str(span[0]), datatype=ox.NamedNode(XSD.integer))),
        (node, COMITY.end, ox.Literal(str(span[1]), datatype=ox.NamedNode(XSD.integer))),
        (node, COMITY.text, ox.Literal(sentence)),
    ]


def _date(rng: random.Random) -> ox.Literal:
    """A date at the precision press releases give: mostly a day, sometimes a month or year."""
    year, month, day = rng.randint(1990, 2025), rng.randint(1, 12), rng.randint(1, 28)
    precision = rng.random()
    if precision < 0.8:
        return ox.Literal(f"{year}-{month:02d}-{day:02d}", datatype=ox.NamedNode(XSD.date))
    if precision < 0.95:
        return ox.Literal(f"{year}-{month:02d}", datatype=ox.NamedNode(XSD.gYearMonth))
    return ox.Literal(str(year), datatype=ox.NamedNode(XSD.gYear))


def _treaty_number(n: int) -> str:
    """Real numbering up to CETS 999 (ETS before 225), then titles beyond it."""
    if n < 225:
        return f"ETS {n}"
    if n < 1000:
        return f"CETS {n}"
    return f"Synthetic Treaty {n}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--triples", type=int, default=100_000, help="about how many triples")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    parser.add_argument("--output", type=Path, help="N-Quads file to write (default: stdout)")
    arguments = parser.parse_args(argv)
    data = generate(arguments.triples, arguments.seed)
    if arguments.output:
        arguments.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
