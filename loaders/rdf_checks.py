"""Facts in an RDF file that cannot be true, found before any of the file is loaded.

Extracted text may misdate one fact, and extraction drops that fact with a warning. An RDF file
is data someone prepared: a span that does not quote its document, a membership that ends
before it starts, an act dated after the document that reports it (an entry into force or an
opening for signature excepted: both are announced ahead) or before its treaty was opened,
says the file is wrong, so the whole file is refused with each reason.
"""

from functools import cache
from pathlib import Path

import pyoxigraph

from graph.backend import solutions_of
from graph.formats import format_of_file
from ontology import GRAPH_REFERENCE
from ontology.errors import ComityError
from ontology.reference import reference_ntriples

_PREFIXES = """
PREFIX comity: <https://w3id.org/comity/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# The first and the last day an ISO date of any precision can mean, as comparable strings.
_FIRST = 'CONCAT(STR({0}), SUBSTR("0000-01-01", STRLEN(STR({0})) + 1))'
_LAST = 'CONCAT(STR({0}), SUBSTR("0000-12-31", STRLEN(STR({0})) + 1))'

_CHECKS = (
    (
        """SELECT ?document ?start ?end WHERE {
          ?span comity:inDocument ?document ; comity:start ?start ; comity:end ?end ;
                comity:text ?text .
          ?document comity:fullText ?full .
          FILTER(?end <= ?start || SUBSTR(?full, ?start + 1, ?end - ?start) != STR(?text))
        }""",
        "{document}, characters {start}-{end}: the span's text is not the document's text "
        "at these offsets",
    ),
    (
        f"""SELECT ?membership ?since ?until WHERE {{
          ?membership comity:since ?since ; comity:until ?until .
          FILTER({_LAST.format("?until")} < {_FIRST.format("?since")})
        }}""",
        "{membership}: the membership ends ({until}) before it starts ({since})",
    ),
    (
        f"""SELECT ?act ?date ?document ?issued WHERE {{
          ?act comity:date ?date ; comity:evidence/comity:inDocument ?document .
          ?document dcterms:issued ?issued .
          FILTER NOT EXISTS {{ ?act a comity:EntryIntoForce }}
          FILTER NOT EXISTS {{ ?act a comity:OpeningForSignature }}
          FILTER({_FIRST.format("?date")} > {_LAST.format("?issued")})
        }}""",
        "{act}: dated {date}, after {document} that reports it was issued ({issued})",
    ),
    (
        f"""SELECT ?act ?date ?treaty ?opened WHERE {{
          ?act comity:treaty ?treaty ; comity:date ?date .
          FILTER NOT EXISTS {{ ?act a comity:OpeningForSignature }}
          GRAPH <{GRAPH_REFERENCE}> {{
            ?opening a comity:OpeningForSignature ; comity:treaty ?treaty ; comity:date ?opened .
          }}
          FILTER({_LAST.format("?date")} < {_FIRST.format("?opened")})
        }}""",
        "{act}: dated {date}, before {treaty} was opened for signature ({opened})",
    ),
)


@cache
def _reference() -> bytes:
    return reference_ntriples()


def impossible_facts(path: Path, format: str | None = None) -> list[str]:
    """Why the facts of an RDF file cannot all be true; empty when nothing contradicts."""
    store = pyoxigraph.Store()
    try:
        store.bulk_load(path=str(path), format=format_of_file(path, format))
    except (SyntaxError, ValueError, OSError):
        return []  # the store's own load reports a file it cannot read, with its line
    store.bulk_load(
        _reference(),
        format=pyoxigraph.RdfFormat.N_TRIPLES,
        to_graph=pyoxigraph.NamedNode(GRAPH_REFERENCE),
    )
    problems = []
    for query, reason in _CHECKS:
        solutions = solutions_of(store.query(_PREFIXES + query, use_default_graph_as_union=True))
        names = [variable.value for variable in solutions.variables]
        for row in solutions:
            problems.append(reason.format(**{name: row[name].value for name in names}))
    return problems


def check_rdf_file(path: Path, format: str | None = None) -> None:
    """Refuse the file, naming every impossible fact, before anything of it is written."""
    problems = impossible_facts(path, format)
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ComityError(f"{path}: facts that cannot be true: {shown}{more}; nothing was loaded")
