"""`comity query`, `update`, `reason`, `validate`, `export`, `restore`, `stats`, `sources`,
`remove`.

Each command opens the store named by --store, does one job through the graph layer, and
closes it. Results go to stdout (tables for people on a terminal, machine formats otherwise);
errors are ComityErrors, which the `comity` group prints as one line before exiting with 1.
"""

import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import click
import pyoxigraph
from rich.console import Console
from rich.table import Table

import graph
from graph.sparql_inspection import hoist_declarations
from ontology import PREFIXES, document_iri
from ontology.errors import ComityError
from server.commands.options import store_option

RESULTS_FORMATS = {
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
}
TRIPLES_FORMATS = {
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "nq": pyoxigraph.RdfFormat.N_QUADS,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    # The machine formats people ask for out of habit, for a CONSTRUCT result.
    "json": pyoxigraph.RdfFormat.JSON_LD,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
}
QUERY_FORMATS = ["table", "json", "xml", "csv", "tsv", "ttl", "nt", "nq", "jsonld"]
EXPORT_FORMATS = ["nq", "trig", "ttl", "nt", "jsonld", "rdf"]


def read_text_argument(value: str, what: str) -> str:
    """The text itself, or the content of @FILE, or of stdin for "-"."""
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise ComityError(f"{path}: cannot read the {what} file ({reason})") from error
    return value


def default_view() -> str:
    return "table" if sys.stdout.isatty() else "json"


def stdout_bytes() -> BinaryIO:
    """Standard output as bytes: the stream click.get_binary_stream gave before it deprecated it."""
    return sys.stdout.buffer


def compact(term: object) -> str:
    """A term as people read it: prefixed names for known namespaces, plain literal text."""
    if isinstance(term, pyoxigraph.NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(namespace) and len(term.value) > len(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return f"<{term.value}>"
    if isinstance(term, pyoxigraph.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    if term is None:
        return ""
    return str(term)


def print_table(title: str | None, columns: list[str], rows: Iterator[list[str]]) -> int:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    count = 0
    for row in rows:
        table.add_row(*row)
        count += 1
    Console().print(table)
    return count


@click.command()
@store_option
@click.option(
    "--format",
    "view",
    type=click.Choice(QUERY_FORMATS),
    help="Output format (default: table on a terminal, json otherwise).",
)
@click.option("--default-graph", multiple=True, metavar="IRI", help="A graph of the default graph.")
@click.option("--named-graph", multiple=True, metavar="IRI", help="A graph GRAPH may match.")
@click.argument("query")
def query(
    store: str,
    view: str | None,
    default_graph: tuple[str, ...],
    named_graph: tuple[str, ...],
    query: str,
) -> None:
    """Run a SPARQL query (QUERY, or @FILE, or - for stdin) and print its results."""
    sparql = read_text_argument(query, "query")
    view = view or default_view()
    with graph.open(store) as knowledge_graph:
        results = knowledge_graph.query(
            sparql,
            default_graph=list(default_graph) or None,
            named_graphs=list(named_graph) or None,
        )
        if isinstance(results, pyoxigraph.QueryBoolean):
            print_boolean(results, view)
        elif isinstance(results, pyoxigraph.QuerySolutions):
            print_solutions(results, view)
        else:
            print_triples(results, view)


def print_boolean(result: pyoxigraph.QueryBoolean, view: str) -> None:
    if view == "table":
        click.echo("true" if bool(result) else "false")
    elif view in RESULTS_FORMATS:
        result.serialize(stdout_bytes(), RESULTS_FORMATS[view])
        end_line(view)
    else:
        raise ComityError(f"--format {view} is for CONSTRUCT results; an ASK answers json or xml")


def print_solutions(solutions: pyoxigraph.QuerySolutions, view: str) -> None:
    if view == "table":
        names = [variable.value for variable in solutions.variables]
        count = print_table(
            None, names, ([compact(solution[name]) for name in names] for solution in solutions)
        )
        click.echo(f"{count} result(s)", err=True)
    elif view in RESULTS_FORMATS:
        solutions.serialize(stdout_bytes(), RESULTS_FORMATS[view])
        end_line(view)
    else:
        raise ComityError(
            f"--format {view} is for CONSTRUCT results; a SELECT answers table, json, xml, csv "
            f"or tsv"
        )


def end_line(view: str) -> None:
    """JSON and XML results end without a newline; a shell prompt should not follow on that line."""
    if view in ("json", "xml"):
        stdout_bytes().write(b"\n")


def print_triples(triples: pyoxigraph.QueryTriples, view: str) -> None:
    if view == "table":
        print_table(
            None,
            ["subject", "predicate", "object"],
            ([compact(t.subject), compact(t.predicate), compact(t.object)] for t in triples),
        )
    elif view in TRIPLES_FORMATS:
        target = TRIPLES_FORMATS[view]
        items = (
            (pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
            if view == "nq"
            else triples
        )
        prefixes = None if view in ("nt", "nq") else dict(PREFIXES)
        pyoxigraph.serialize(items, stdout_bytes(), target, prefixes=prefixes)
    else:
        raise ComityError(
            f"--format {view} is for SELECT results; a CONSTRUCT answers table, ttl, nt, nq, "
            f"jsonld, json or xml"
        )


@click.command()
@store_option
@click.argument("update")
def update(store: str, update: str) -> None:
    """Run a SPARQL Update (UPDATE, or @FILE, or - for stdin) as one transaction."""
    sparql = hoist_declarations(read_text_argument(update, "update"))
    with graph.open(store) as knowledge_graph:
        knowledge_graph.update(sparql)
    click.echo("update done; run `comity reason` to refresh the inferred graph", err=True)


@click.command()
@store_option
def reason(store: str) -> None:
    """Recompute the OWL 2 RL entailments into the inferred graph."""
    with graph.open(store) as knowledge_graph:
        summary = knowledge_graph.reason()
    if summary.by_store:
        click.echo(
            f"the store reasons for itself after every write: its inferred graph holds "
            f"{summary.inferred_triples} triples from {summary.asserted_triples} asserted ones"
        )
        return
    click.echo(
        f"inferred {summary.inferred_triples} triples from {summary.asserted_triples} "
        f"asserted ones in {summary.seconds:.1f} s"
    )
    if summary.left_out:
        click.echo(
            f"{len(summary.left_out)} asserted triple(s) use RDF 1.2 terms (a triple term or "
            f"a language tag with a direction) that reasoning cannot read; they are kept, "
            f"and nothing is inferred from them:"
        )
        for line in summary.left_out[:10]:
            click.echo(f"  {line}")


@click.command()
@store_option
def validate(store: str) -> None:
    """Check the data against the SHACL shapes; exit with 1 when it does not conform."""
    with graph.open(store) as knowledge_graph:
        report = knowledge_graph.validate()
        current = knowledge_graph.inferred_current()
        incomplete = [source.iri for source in knowledge_graph.sources() if not source.complete]
    click.echo(report.to_text(), nl=False)
    if not current:
        click.echo(
            "The inferred graph is stale: a write was not followed by reasoning, so the types "
            "the shapes were checked with may be out of date; run `comity reason`."
        )
    for iri in incomplete:
        click.echo(f"Source {iri} is incomplete: its load did not finish; load the file again.")
    if not report.conforms or not current or incomplete:
        sys.exit(1)


@click.command()
@store_option
@click.option(
    "--format", "name", type=click.Choice(EXPORT_FORMATS), default="nq", show_default=True
)
@click.option("--graph", "graphs", multiple=True, metavar="IRI", help="Export only this graph.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout); replaced only once the export is complete.",
)
def export(store: str, name: str, graphs: tuple[str, ...], output: Path | None) -> None:
    """Write the store, or some of its graphs, in an RDF format."""
    with graph.open(store) as knowledge_graph:
        if output is None:
            knowledge_graph.export(name, stdout_bytes(), list(graphs) or None)
            return
        with replacing(output) as stream:
            knowledge_graph.export(name, stream, list(graphs) or None)


@click.command()
@store_option
@click.option("--replace", is_flag=True, help="Drop everything the store holds before restoring.")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(store: str, replace: bool, dump: Path) -> None:
    """Make the store hold exactly what DUMP (comity export, N-Quads or TriG) holds."""
    with graph.open(store) as knowledge_graph:
        summary = knowledge_graph.restore(dump, replace=replace)
    click.echo(f"{dump}: restored {summary.quads} statements in {summary.graphs} graph(s)")
    for name in summary.differing:
        click.echo(
            f"note: the dump's <{name}> is not this release's version; it is kept as restored "
            f"until the store is next opened for writing, when this release's replaces it",
            err=True,
        )


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A stream to a temporary file that becomes `path` only when the block succeeds."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
    except OSError as error:
        raise ComityError(
            f"{path}: cannot create the file ({error.strerror}); "
            f"choose an --output path in a writable directory"
        ) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@click.command()
@store_option
@click.option("--format", "view", type=click.Choice(["table", "json"]), help="Output format.")
def stats(store: str, view: str | None) -> None:
    """VoID statistics: triples, graphs, classes, properties, links to Wikidata."""
    with graph.open(store) as knowledge_graph:
        numbers = knowledge_graph.stats()
    if (view or default_view()) == "json":
        click.echo(json.dumps(dataclasses.asdict(numbers), indent=2, sort_keys=True))
        return
    totals = [
        ["triples", str(numbers.triples)],
        ["distinct subjects", str(numbers.distinct_subjects)],
        ["distinct objects", str(numbers.distinct_objects)],
        ["links to Wikidata", str(numbers.wikidata_links)],
    ]
    print_table("Store", ["measure", "value"], iter(totals))
    for title, counts in (
        ("Graphs", numbers.graphs),
        ("Classes", numbers.classes),
        ("Properties", numbers.properties),
    ):
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        print_table(
            title,
            ["IRI", "count"],
            ([compact(pyoxigraph.NamedNode(iri)), str(count)] for iri, count in ordered),
        )


@click.command()
@store_option
@click.option("--format", "view", type=click.Choice(["table", "json"]), help="Output format.")
def sources(store: str, view: str | None) -> None:
    """List the sources in the store, with when they were loaded and how many triples each gave."""
    with graph.open(store) as knowledge_graph:
        found = knowledge_graph.sources()
    if (view or default_view()) == "json":
        click.echo(
            json.dumps(
                [{**dataclasses.asdict(source), "complete": source.complete} for source in found],
                indent=2,
            )
        )
        return
    print_table(
        None,
        ["document", "title", "issued", "loaded at", "triples"],
        ([s.iri, s.title or "", s.issued or "", s.loaded_at, _triples(s)] for s in found),
    )


def _triples(source: graph.SourceInfo) -> str:
    if source.complete:
        return str(source.triple_count)
    return "incomplete: its load did not finish; load the file again"


@click.command()
@store_option
@click.option(
    "--reason/--no-reason",
    "refresh",
    default=True,
    show_default=True,
    help="Recompute the inferred graph afterwards, so nothing inferred from the source stays.",
)
@click.argument("document")
def remove(store: str, refresh: bool, document: str) -> None:
    """Remove a source (document IRI or key, such as press-release-2024-05) and all it gave."""
    iri = document if "://" in document else document_iri(document)
    with graph.open(store) as knowledge_graph:
        if not knowledge_graph.remove_source(iri):
            raise ComityError(
                f"{knowledge_graph.location} holds no source {iri}; `comity sources` lists them"
            )
        click.echo(f"removed {iri}")
        if refresh:
            knowledge_graph.reason()


COMMANDS = [query, update, reason, validate, export, restore, stats, sources, remove]
