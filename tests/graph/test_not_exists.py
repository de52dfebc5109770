"""The NOT EXISTS -> MINUS rewrite: it fires only where it is sound, and never changes an answer.

Each crafted case runs on a real Oxigraph store. Where the rewrite must refuse, the test also
shows that a careless rewrite (MINUS written in place of FILTER NOT EXISTS) really answers
differently on that data, so the refusal is not a formality.
"""

import random
from collections import Counter

import pyoxigraph as ox
import pytest

from graph.not_exists import _rewrite_cached, normal_form, rewrite_not_exists

PREFIX = "PREFIX : <http://example.org/>\n"

TREATY_ACTIONS = """
@prefix : <http://example.org/> .
:s1 a :Signature ; :treaty :t1 ; :actor :fra .
:s2 a :Signature ; :treaty :t1 ; :actor :deu .
:s3 a :Signature ; :treaty :t2 ; :actor :fra .
:s4 a :Signature ; :treaty :t3 .
:s5 a :Signature ; :treaty :t1 ; :actor :pol .
:d1 a :Declaration ; :treaty :t2 .
:r1 a :Ratification ; :treaty :t1 ; :actor :fra .
:a1 a :Accession ; :treaty :t2 ; :actor :ita .
:fra a :Sanctioned .
:t1 :needs 2 ; :parties 1 .
:t2 :needs 2 ; :parties 5 .
:x :knows :y . :y :knows :z . :z :knows :x .
:p :knows :q . :q :knows :r . :r :knows :s .
:m1 :holds :y1 . :m2 :holds :y1 . :y1 :links :z1 . :z1 :back :m1 .
"""

TREATY_GRAPHS = """
@prefix : <http://example.org/> .
:g1 { :s1 a :Signature ; :treaty :t1 ; :actor :fra .
      :s2 a :Signature ; :treaty :t1 ; :actor :deu .
      :r1 a :Ratification ; :treaty :t1 ; :actor :fra . }
:g2 { :r2 a :Ratification ; :treaty :t1 ; :actor :deu . }
"""

SIGNED_NOT_RATIFIED = (
    PREFIX
    + """
SELECT ?treaty ?state WHERE {
  ?signature a :Signature ; :treaty ?treaty ; :actor ?state .
  FILTER NOT EXISTS { ?ratification a :Ratification ; :treaty ?treaty ; :actor ?state }
}"""
)


def store_with(trig: str) -> ox.Store:
    store = ox.Store()
    store.load(trig.encode(), format=ox.RdfFormat.TRIG)
    return store


def answers(store: ox.Store, query: str) -> Counter:
    """The solutions of a SELECT as a multiset of rows, over the union of all graphs."""
    results = store.query(query, use_default_graph_as_union=True)
    names = [variable.value for variable in results.variables]
    return Counter(
        tuple(None if row[name] is None else str(row[name]) for name in names) for row in results
    )


def careless_minus(query: str) -> str:
    """What a rewrite that ignores the conditions would produce: MINUS in place, every time."""
    return query.replace("FILTER NOT EXISTS", "MINUS")


REFUSED = {
    "no shared variable": PREFIX
    + "SELECT ?state { ?s a :Signature ; :actor ?state FILTER NOT EXISTS { ?r a :Ratification } }",
    "shared variable from OPTIONAL": PREFIX
    + "SELECT ?s ?state { ?s a :Signature OPTIONAL { ?s :actor ?state }"
    " FILTER NOT EXISTS { ?state a :Sanctioned } }",
    "inner filter sees an outer variable": PREFIX
    + "SELECT ?t { ?t :needs ?n FILTER NOT EXISTS { ?t :parties ?c FILTER(?c >= ?n) } }",
    "nested NOT EXISTS reaching out": PREFIX + "SELECT ?a { ?a :knows ?b"
    " FILTER NOT EXISTS { ?b :knows ?c FILTER NOT EXISTS { ?c :knows ?a } } }",
    "shared variable from one UNION branch": PREFIX
    + "SELECT ?x ?state { { ?x a :Signature ; :actor ?state } UNION { ?x a :Declaration }"
    " FILTER NOT EXISTS { ?state a :Sanctioned } }",
    "pattern names a variable bound outside the group": PREFIX
    + "SELECT ?x ?y ?z { ?x :holds ?y . { ?y :links ?z FILTER NOT EXISTS { ?z :back ?x } } }",
    "shared variable from BIND": PREFIX
    + "SELECT ?s ?state { ?s a :Signature OPTIONAL { ?s :actor ?a } BIND(?a AS ?state)"
    " FILTER NOT EXISTS { ?state a :Sanctioned } }",
}

REWRITTEN = {
    "signed but not ratified": SIGNED_NOT_RATIFIED,
    "bracketed filter": PREFIX
    + "SELECT ?s { ?s a :Signature ; :actor ?st FILTER (NOT EXISTS { ?st a :Sanctioned }) }",
    "shared variable bound in every UNION branch": PREFIX
    + "SELECT ?x ?state { { ?x a :Signature ; :actor ?state }"
    " UNION { ?x a :Accession ; :actor ?state } FILTER NOT EXISTS { ?state a :Sanctioned } }",
    "inner filter over its own variables": PREFIX
    + "SELECT ?t { ?t :needs ?n FILTER NOT EXISTS { ?t :parties ?c FILTER(?c > 3) } }",
    "GRAPH around the group": PREFIX
    + "SELECT ?g ?state { GRAPH ?g { ?s a :Signature ; :treaty ?t ; :actor ?state"
    " FILTER NOT EXISTS { ?r a :Ratification ; :treaty ?t ; :actor ?state } } }",
    "GRAPH inside the pattern": PREFIX + "SELECT ?state { ?s a :Signature ; :actor ?state"
    " FILTER NOT EXISTS { GRAPH :g2 { ?r :actor ?state } } }",
    "filter followed by the pattern it depends on": PREFIX
    + "SELECT ?s ?state { ?s a :Signature FILTER NOT EXISTS { ?r a :Ratification ; :actor ?state }"
    " ?s :actor ?state }",
    "two filters, triples after": PREFIX
    + "SELECT ?s { ?s a :Signature FILTER NOT EXISTS { ?s :treaty :t2 }"
    " FILTER NOT EXISTS { ?st a :Sanctioned } ?s :actor ?st . }",
    "aggregate over the group": PREFIX
    + "SELECT ?treaty (COUNT(?state) AS ?n) { ?s a :Signature ; :treaty ?treaty ; :actor ?state"
    " FILTER NOT EXISTS { ?r a :Ratification ; :actor ?state } } GROUP BY ?treaty",
}


@pytest.fixture(scope="module")
def treaty_store() -> ox.Store:
    store = store_with(TREATY_ACTIONS)
    store.load(TREATY_GRAPHS.encode(), format=ox.RdfFormat.TRIG)
    return store


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_cases_stay_unchanged_and_a_careless_minus_would_differ(name, treaty_store):
    query = REFUSED[name]
    assert rewrite_not_exists(query) == query
    assert answers(treaty_store, careless_minus(query)) != answers(treaty_store, query)


@pytest.mark.parametrize("name", sorted(REWRITTEN))
def test_rewritten_cases_use_minus_and_keep_every_answer(name, treaty_store):
    query = REWRITTEN[name]
    rewritten = rewrite_not_exists(query)
    assert "NOT EXISTS" not in rewritten and "MINUS" in rewritten
    expected = answers(treaty_store, query)
    assert answers(treaty_store, rewritten) == expected
    assert expected, "the case should have answers to compare"


def test_signed_but_not_ratified_leaves_out_the_ratified(treaty_store):
    rows = answers(treaty_store, rewrite_not_exists(SIGNED_NOT_RATIFIED))
    assert ("<http://example.org/t1>", "<http://example.org/pol>") in rows
    assert ("<http://example.org/t1>", "<http://example.org/fra>") not in rows
    # :deu ratified in another graph; the default graph is the union of all graphs.
    assert ("<http://example.org/t1>", "<http://example.org/deu>") not in rows


def test_graph_scope_is_kept_by_the_rewrite(treaty_store):
    """Inside GRAPH, only ratifications in the same graph count: :deu ratified in another one."""
    query = REWRITTEN["GRAPH around the group"]
    per_graph = answers(treaty_store, rewrite_not_exists(query))
    deu_in_g1 = ("<http://example.org/g1>", "<http://example.org/deu>")
    assert per_graph[deu_in_g1] == 1
    union = answers(treaty_store, SIGNED_NOT_RATIFIED)
    assert ("<http://example.org/t1>", "<http://example.org/deu>") not in union


def test_minus_goes_after_the_patterns_a_filter_depends_on(treaty_store):
    query = REWRITTEN["filter followed by the pattern it depends on"]
    rewritten = rewrite_not_exists(query)
    assert rewritten.rstrip().endswith("}")
    assert rewritten.index("MINUS") > rewritten.index("?s :actor ?state")
    assert answers(treaty_store, careless_minus(query)) != answers(treaty_store, query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?a ?b ?c }",
        "SELECT * { ?a ?b ?c FILTER NOT EXISTS { ?c ?d ?e }",  # unbalanced braces
        "SELECT * WHERE { ?a <p> ?b FILTER NOT EXISTS { ?b <q> ?c } } LIMT 3",
        "INSERT DATA { <a> <b> <c> }",
        PREFIX + "SELECT * { ?a :p ?b FILTER(?b > 1 && NOT EXISTS { ?b :q ?c }) }",
        PREFIX + "SELECT * { ?a :p ?b FILTER(!EXISTS { ?b :q ?c }) }",
        PREFIX + "SELECT * { ?a :p ?b OPTIONAL { ?b :o ?c FILTER NOT EXISTS { ?c :q ?b } } }",
        PREFIX + "SELECT * { ?a :p ?b FILTER NOT EXISTS { ?b :q ?c FILTER(RAND() < 0.5) } }",
        PREFIX + "SELECT * { GRAPH ?g { ?a :p ?b FILTER NOT EXISTS { ?b :q ?g } } }",
        PREFIX + "SELECT * { ?a :p ?b FILTER NOT EXISTS { _:x :q ?b } ?a :z _:x }",
        PREFIX + "SELECT * { ?a :p ?b FILTER NOT EXISTS { ?b :q ?c OPTIONAL { ?c :r ?a } } }",
        PREFIX + "SELECT * { ?a :p ?b FILTER NOT EXISTS { ?b :q ?c } } LIMIT 1 OFFSET",
        PREFIX + "SELECT * { ?a :p ?b SERVICE <http://example.org/sparql>"
        " { ?b :o ?c FILTER NOT EXISTS { ?c :q ?b } } }",
    ],
)
def test_unprovable_or_unparsable_queries_come_back_unchanged(query):
    assert rewrite_not_exists(query) == query


def test_strings_and_iris_are_kept_exactly_while_comments_and_spacing_go():
    query = PREFIX + (
        'SELECT ?s { ?s :label "a } {  # not a comment" . # a } comment\n'
        "  filter not exists { ?s :note 'x #}' ; :see <http://example.org/a#b> } }"
    )
    rewritten = rewrite_not_exists(query)
    assert rewritten == (
        'PREFIX : <http://example.org/> SELECT ?s { ?s :label "a } {  # not a comment" . '
        "MINUS { ?s :note 'x #}' ; :see <http://example.org/a#b> } }"
    )


def test_the_same_query_with_other_comments_or_spacing_reuses_the_decision(treaty_store):
    before = _rewrite_cached.cache_info()
    variants = [
        SIGNED_NOT_RATIFIED + "\n# request 1",
        SIGNED_NOT_RATIFIED + "\n# request 2",
        "# a leading comment\n" + SIGNED_NOT_RATIFIED.replace(" ;", "\t;\n ") + "  ",
    ]
    rewritten = [rewrite_not_exists(variant) for variant in variants]
    after = _rewrite_cached.cache_info()
    assert after.misses - before.misses <= 1
    assert after.hits - before.hits >= 2
    assert len(set(rewritten)) == 1
    assert "MINUS" in rewritten[0]
    assert answers(treaty_store, rewritten[0]) == answers(treaty_store, SIGNED_NOT_RATIFIED)


@pytest.mark.parametrize(
    "query",
    [
        PREFIX + "SELECT * { ?s :p ?o } # NOT EXISTS in a comment",
        PREFIX + "SELECT * { ?s :p 'not exists' }",
        PREFIX + "SELECT * { ?s :p <http://example.org/not> . ?s :exists ?o }",
        PREFIX + "SELECT * { ?s :p ?o FILTER EXISTS { ?o :p ?s } }",
        PREFIX + "SELECT * { ?s :p ?o }",
    ],
)
def test_a_query_without_not_exists_is_not_parsed(query):
    before = _rewrite_cached.cache_info()
    assert rewrite_not_exists(query) is query
    assert _rewrite_cached.cache_info() == before


@pytest.mark.parametrize(
    ("query", "normal"),
    [
        ("SELECT  *\n{ ?s ?p ?o }  # end", "SELECT * { ?s ?p ?o }"),
        ("ASK { ?s ?p '''a\n  # b''' }", "ASK { ?s ?p '''a\n  # b''' }"),
        ('ASK { ?s ?p "it\'s # here" }', 'ASK { ?s ?p "it\'s # here" }'),
        ("PREFIX : <#> ASK { ?s :a\\#b ?o }", "PREFIX : <#> ASK { ?s :a\\#b ?o }"),
        ("BASE <a#b>\nASK { ?s <http://x/#p> ?o }", "BASE <a#b> ASK { ?s <http://x/#p> ?o }"),
        # `<#p>` after a variable might be "less than": no normal form is claimed.
        ("BASE <a#b>\nASK{?s<#p>?o}", None),
        ("ASK { FILTER(?a<?b#?c>?d\n) }", None),
        ('ASK { ?s ?p "\\u0022" }', None),
        ("ASK { ?s ?p 'unterminated }", None),
        # Only SPARQL's own white space is white space: a no-break space stays (an error).
        ("ASK { ?s ?p ?o }\u00a0", "ASK { ?s ?p ?o }\u00a0"),
    ],
)
def test_normal_form_keeps_every_meaningful_character_or_gives_up(query, normal):
    result = normal_form(query)
    assert (result[0] if result is not None else None) == normal


def test_a_query_without_a_normal_form_is_still_rewritten_by_its_exact_text(treaty_store):
    query = SIGNED_NOT_RATIFIED + "\n# \\u0041 may spell anything"
    assert normal_form(query) is None
    rewritten = rewrite_not_exists(query)
    assert rewritten == query.replace("FILTER NOT EXISTS", "MINUS")
    assert answers(treaty_store, rewritten) == answers(treaty_store, SIGNED_NOT_RATIFIED)


TEMPLATES = [
    "SELECT * { ?a :p ?b FILTER NOT EXISTS { ?b :q ?c } }",
    "SELECT * { ?a :p ?b FILTER NOT EXISTS { ?b :q ?c FILTER(?c != ?b) } ?b :r ?d }",
    "SELECT * { ?a :p ?b FILTER NOT EXISTS { ?b :q ?c FILTER(?c != ?a) } ?b :r ?d }",
    "SELECT * { ?a :p ?b OPTIONAL { ?b :r ?c } FILTER NOT EXISTS { ?c :q ?a } }",
    "SELECT * { { ?a :p ?b } UNION { ?a :q ?b } FILTER NOT EXISTS { ?a :r ?b } }",
    "SELECT * { { ?a :p ?b } UNION { ?a :q ?c } FILTER NOT EXISTS { ?b :r ?a } }",
    "SELECT ?a (COUNT(*) AS ?n) { GRAPH ?g { ?a :p ?b FILTER NOT EXISTS { ?b :q ?a } } }"
    " GROUP BY ?a",
    "SELECT * { VALUES ?a { :n0 :n1 :n2 } ?a :p ?b FILTER NOT EXISTS { ?a :q ?c . ?c :r ?b } }",
    "SELECT * { ?a :p ?b . FILTER NOT EXISTS { GRAPH ?g { ?b :q ?a } } . ?a :r ?c }",
    "SELECT DISTINCT ?a { ?a :p ?b FILTER NOT EXISTS { ?b :p ?c . ?c :p ?a } }",
    "SELECT * { ?a :p ?b { ?b :q ?c FILTER NOT EXISTS { ?c :r ?b } } }",
    "SELECT * { ?a :p ?b { ?b :q ?c FILTER NOT EXISTS { ?c :r ?a } } }",
    "SELECT * { ?a :p ?b FILTER NOT EXISTS { ?b :q ?x } FILTER NOT EXISTS { ?x :r ?a } }",
]


def random_graph(rng: random.Random) -> str:
    nodes = [f":n{i}" for i in range(5)]
    lines = ["@prefix : <http://example.org/> ."]
    for _ in range(rng.randint(0, 14)):
        triple = f"{rng.choice(nodes)} :{rng.choice('pqr')} {rng.choice(nodes)} ."
        graph = rng.choice(["", ":g1", ":g2"])
        lines.append(f"{graph} {{ {triple} }}" if graph else triple)
    return "\n".join(lines)


def test_rewrite_keeps_answers_on_random_graphs():
    rng = random.Random(20261129)
    rewritten_templates = {
        template
        for template in TEMPLATES
        if rewrite_not_exists(PREFIX + template) != PREFIX + template
    }
    assert len(rewritten_templates) >= 6, "most templates should be rewritten"
    assert len(rewritten_templates) < len(TEMPLATES), "some templates must be refused"
    differing = 0
    for _ in range(60):
        store = store_with(random_graph(rng))
        for template in TEMPLATES:
            query = PREFIX + template
            expected = answers(store, query)
            assert answers(store, rewrite_not_exists(query)) == expected, template
            differing += answers(store, careless_minus(query)) != expected
    assert differing > 0, "the random graphs should tell a careless rewrite apart"


def test_nesting_too_deep_to_analyse_leaves_the_query_unchanged():
    depth = 3000
    query = (
        "SELECT * { " + "{ " * depth + "?a <p> ?b FILTER NOT EXISTS { ?b <q> ?c }" + " }" * depth
    ) + " }"
    assert rewrite_not_exists(query) == query
