"""The query page at `/`: a SPARQL editor with worked examples, running against `/sparql`.

It needs nothing from the network: the editor, its highlighting, the results table and the
chart or map a result can be drawn as are a small script and style sheet served from this
package, and the map's country outlines are the file the treaty maps use, sent from here. The
examples answer the questions Comity is built for, so a newcomer sees the vocabulary at work
before writing a query.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import Blueprint, Response, render_template, request, send_file

from ontology import COMITY, PREFIXES, organisation_iri, treaty_iri
from server.pictures import WORLD_OUTLINES
from server.state import state

blueprint = Blueprint("query_page", __name__, template_folder="templates")


@dataclass(frozen=True)
class ExampleQuery:
    """A worked example: the question it answers and the query body (the PREFIX lines come
    from the page, so every example starts from the same prologue)."""

    key: str
    title: str
    question: str
    body: str


def prefix_lines() -> str:
    """The PREFIX prologue every query on the page starts with."""
    width = max(len(prefix) for prefix in PREFIXES) + 1
    return "".join(
        f"PREFIX {(prefix + ':').ljust(width)} <{namespace}>\n"
        for prefix, namespace in PREFIXES.items()
    )


def example_queries() -> list[ExampleQuery]:
    """The competency questions, written against the Comity vocabulary."""
    council = f"<{organisation_iri('Council of Europe')}>"
    cybercrime = f"<{treaty_iri('ETS 185')}>"
    english = 'FILTER(LANGMATCHES(LANG(?name), "en") || LANG(?name) = "")'
    return [
        ExampleQuery(
            "members",
            "Members of the Council of Europe",
            "Which states are members of the Council of Europe today?",
            f"""SELECT DISTINCT ?state ?name ?since WHERE {{
  ?membership a comity:Membership ;
              org:organization {council} ;
              org:member ?state ;
              comity:since ?since .
  FILTER NOT EXISTS {{ ?membership comity:until ?until }}
  OPTIONAL {{ ?state rdfs:label ?name {english} }}
}}
ORDER BY ?name
""",
        ),
        ExampleQuery(
            "members-on-a-date",
            "Members on a date",
            "Which states were members of the Council of Europe on 13 June 2007?",
            f"""# comity:sinceLatest and comity:untilEarliest are the last and first days a
# date can mean ("2004" ends on 2004-12-31), so year-only dates from texts compare too.
SELECT DISTINCT ?state ?name WHERE {{
  BIND("2007-06-13"^^xsd:date AS ?day)
  ?membership a comity:Membership ;
              org:organization {council} ;
              org:member ?state ;
              comity:sinceLatest ?joined .
  FILTER(?joined <= ?day)
  FILTER NOT EXISTS {{ ?membership comity:untilEarliest ?left FILTER(?left <= ?day) }}
  OPTIONAL {{ ?state rdfs:label ?name {english} }}
}}
ORDER BY ?name
""",
        ),
        ExampleQuery(
            "signed-not-ratified",
            "Signed but not ratified (ETS 185)",
            "Which states signed the Convention on Cybercrime (ETS 185) but have not ratified it?",
            f"""SELECT ?state ?name (MIN(?date) AS ?signed) WHERE {{
  ?signature a comity:Signature ;
             comity:treaty {cybercrime} ;
             comity:actor ?state .
  OPTIONAL {{ ?signature comity:date ?date }}
  FILTER NOT EXISTS {{
    ?ratification a comity:Ratification ;
                  comity:treaty {cybercrime} ;
                  comity:actor ?state .
  }}
  OPTIONAL {{ ?state rdfs:label ?name {english} }}
}}
GROUP BY ?state ?name
ORDER BY ?name
""",
        ),
        ExampleQuery(
            "treaty-status",
            "Treaty status over time",
            "How did the number of parties and signatories of each treaty change over time?",
            """SELECT ?treaty ?number ?asOf ?parties ?ratified ?signedOnly ?document WHERE {
  ?status a comity:TreatyStatus ;
          comity:treaty ?treaty ;
          comity:asOf ?asOf .
  OPTIONAL { ?treaty comity:treatyNumber ?number }
  OPTIONAL { ?status comity:partiesCount ?parties }
  OPTIONAL { ?status comity:ratifiedCount ?ratified }
  OPTIONAL { ?status comity:signedOnlyCount ?signedOnly }
  OPTIONAL { ?status comity:reportedIn ?document }
}
ORDER BY ?number ?asOf
""",
        ),
        ExampleQuery(
            "parties-over-time",
            "Parties over time (chart)",
            "How many parties did the Convention on Cybercrime have after each ratification or"
            " accession? Press Chart to see it.",
            f"""# A state counts as a party from its first ratification or accession, placed at the
# earliest day its date can mean (comity:dateEarliest: "2012" is 2012-01-01).
SELECT ?date (COUNT(DISTINCT ?party) AS ?parties) WHERE {{
  {{ SELECT ?state (MIN(?day) AS ?date) WHERE {{
      ?act comity:treaty {cybercrime} ; comity:actor ?state ; comity:dateEarliest ?day .
      {{ ?act a comity:Ratification }} UNION {{ ?act a comity:Accession }}
    }} GROUP BY ?state }}
  {{ SELECT ?party (MIN(?day) AS ?joined) WHERE {{
      ?act comity:treaty {cybercrime} ; comity:actor ?party ; comity:dateEarliest ?day .
      {{ ?act a comity:Ratification }} UNION {{ ?act a comity:Accession }}
    }} GROUP BY ?party }}
  FILTER(?joined <= ?date)
}}
GROUP BY ?date
ORDER BY ?date
""",
        ),
        ExampleQuery(
            "parties-map",
            "Parties on a map",
            "Where are the states that ratified or acceded to the Convention on Cybercrime?"
            " Press Map to see them.",
            f"""SELECT DISTINCT ?code ?state ?name WHERE {{
  ?act comity:treaty {cybercrime} ;
       comity:actor ?state .
  {{ ?act a comity:Ratification }} UNION {{ ?act a comity:Accession }}
  ?state comity:iso3166Alpha3 ?code .
  OPTIONAL {{ ?state rdfs:label ?name {english} }}
}}
ORDER BY ?code
""",
        ),
        ExampleQuery(
            "company-partnerships",
            "Partnerships with companies",
            "Which organisations work in partnership with companies, and on what?",
            """SELECT ?partnership ?organisation ?company ?kind
       (GROUP_CONCAT(DISTINCT ?principle; separator="; ") AS ?principles) WHERE {
  ?partnership a comity:Partnership ;
               comity:partner ?company .
  ?company a comity:Company .
  OPTIONAL {
    ?partnership comity:partner ?organisation .
    FILTER NOT EXISTS { ?organisation a comity:Company }
  }
  OPTIONAL { ?partnership comity:kind ?kind }
  OPTIONAL { ?partnership comity:principle ?principle }
}
GROUP BY ?partnership ?organisation ?company ?kind
""",
        ),
        ExampleQuery(
            "conferences",
            "Conferences",
            "Which conferences took place, when, where, and how many people and countries came?",
            """SELECT ?conference ?name ?start ?end ?place ?participants ?countries WHERE {
  ?conference a comity:Conference .
  OPTIONAL { ?conference schema:name ?name }
  OPTIONAL { ?conference schema:startDate ?start }
  OPTIONAL { ?conference schema:endDate ?end }
  OPTIONAL { ?conference schema:location ?place }
  # A count keeps the qualifier the text gave it: "over 140" is 140 and "over".
  OPTIONAL {
    ?conference comity:participantCount ?participantCount .
    OPTIONAL { ?conference comity:participantCountQualifier ?participantQualifier }
  }
  OPTIONAL {
    ?conference comity:countryCount ?countryCount .
    OPTIONAL { ?conference comity:countryCountQualifier ?countryQualifier }
  }
  BIND(CONCAT(COALESCE(CONCAT(?participantQualifier, " "), ""), STR(?participantCount))
       AS ?participants)
  BIND(CONCAT(COALESCE(CONCAT(?countryQualifier, " "), ""), STR(?countryCount)) AS ?countries)
}
ORDER BY ?start
""",
        ),
        ExampleQuery(
            "evidence",
            "Evidence for a fact",
            "Which sentence, in which document, says that a state ratified ETS 185?",
            f"""SELECT ?ratification ?state ?sentence ?document ?title WHERE {{
  ?ratification a comity:Ratification ;
                comity:treaty {cybercrime} ;
                comity:actor ?state ;
                comity:evidence ?span .
  ?span comity:text ?sentence ;
        comity:inDocument ?document .
  OPTIONAL {{ ?document dcterms:title ?title }}
}}
""",
        ),
        ExampleQuery(
            "wikidata",
            "Joined with Wikidata (needs the network)",
            "What are the capitals of the Council of Europe's members? Asks Wikidata live.",
            f"""PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?state ?item ?capitalName WHERE {{
  ?state comity:memberOf {council} ;
         owl:sameAs ?item .
  FILTER(STRSTARTS(STR(?item), STR(wd:)))
  SERVICE <https://query.wikidata.org/sparql> {{
    ?item wdt:P36 ?capital .
    ?capital rdfs:label ?capitalName .
    FILTER(LANG(?capitalName) = "en")
  }}
}}
""",
        ),
        ExampleQuery(
            "describe",
            "Everything about a treaty",
            "What does the graph say about the Convention on Cybercrime?",
            f"DESCRIBE {cybercrime}\n",
        ),
    ]


@blueprint.get("/")
def index() -> str:
    """The editor, pre-filled with the prologue and the first example or a `?query=` given."""
    examples = example_queries()
    prologue = prefix_lines()
    initial = request.args.get("query") or prologue + "\n" + examples[0].body
    return render_template(
        "query.html",
        prologue=prologue,
        examples=[asdict(example) for example in examples],
        initial_query=initial,
        base=str(state().config.base),
        vocabulary=str(COMITY),
    )


@blueprint.get("/geography/world-110m.json")
def world_outlines() -> Response:
    """The country outlines the query page draws its maps on: the treaty maps' own file, sent
    as it is, fetched by the page only when a map is asked for."""
    return send_file(WORLD_OUTLINES, mimetype="application/json", max_age=86400)
