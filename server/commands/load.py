"""`comity load`, `comity extract`, `comity eval`: texts into the graph, facts on screen, scores.

These are thin: the loaders package does the work; here are options, progress and tables.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pyoxigraph
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import graph
from loaders import expand_paths, extract_source, load_paths
from loaders.dates import PartialDate
from loaders.evaluation import FAMILIES, Evaluation, Score, evaluate_directory
from loaders.facts import FACT_TYPES
from loaders.rdf import document_triples
from ontology import PREFIXES, RDF
from ontology.errors import ComityError
from server.commands.options import store_option

PROGRESS_THRESHOLD = 5
"""Show a progress bar from this many files on (and only on a terminal)."""


@click.command()
@store_option
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Extract in this many processes; the store is written by this one.",
)
@click.option(
    "--strict", is_flag=True, help="Refuse any source whose facts violate the SHACL shapes."
)
@click.argument("paths", nargs=-1, required=True)
def load(store: str, jobs: int, strict: bool, paths: tuple[str, ...]) -> None:
    """Load source files: texts (.txt, .md), treaty charts (.csv) or RDF files.

    PATHS may be files, directories (searched recursively) or glob patterns. Each source
    replaces its earlier version in one transaction; reasoning runs once at the end.
    """
    files = expand_paths(paths)
    if not files:
        raise ComityError(f"no source files found in {', '.join(paths)}")
    console = Console(stderr=True)
    with graph.open(store) as kg, _store_progress(console):
        if len(files) >= PROGRESS_THRESHOLD and console.is_terminal:
            with Progress(
                TextColumn("loading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task("load", total=len(files))
                report = load_paths(
                    kg,
                    files,
                    jobs=jobs,
                    strict=strict,
                    progress=lambda _path: progress.advance(task),
                )
        else:
            report = load_paths(kg, files, jobs=jobs, strict=strict)
    out = Console()
    table = Table(title=f"Loaded into {store}", show_header=False)
    table.add_row("documents", str(report.documents))
    if report.rdf_files:
        table.add_row("RDF files", str(report.rdf_files))
    for kind, count in sorted(report.facts.items()):
        table.add_row(f"  {kind}", str(count))
    table.add_row("facts", str(sum(report.facts.values())))
    table.add_row("triples", str(report.triples))
    table.add_row("warnings", str(len(report.warnings)))
    table.add_row("failures", str(len(report.failures)))
    table.add_row("seconds", f"{report.seconds:.2f} (reasoning {report.reasoning_seconds:.2f})")
    out.print(table)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for failure in report.failures:
        click.echo(f"failed: {failure}", err=True)
    if not report.ok:
        sys.exit(1)


class _ConsoleLines(logging.Handler):
    """Log records as plain lines on a console (above its progress bar, when one shows)."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self._console = console

    def emit(self, record: logging.LogRecord) -> None:
        self._console.print(record.getMessage(), highlight=False, markup=False, soft_wrap=True)


@contextlib.contextmanager
def _store_progress(console: Console) -> Iterator[None]:
    """Show a remote store's line per request of a long write: the progress of big loads."""
    remote_log = logging.getLogger("graph.remote")
    handler = _ConsoleLines(console)
    remote_log.addHandler(handler)
    remote_log.setLevel(logging.INFO)
    try:
        yield
    finally:
        remote_log.removeHandler(handler)


@click.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "ttl"]),
    default="table",
    show_default=True,
)
@click.option(
    "--issued",
    default=None,
    metavar="DATE",
    help="The text's publication date (YYYY, YYYY-MM or YYYY-MM-DD), used only when the "
    "text gives none.",
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def extract(output_format: str, issued: str | None, file: Path) -> None:
    """Print the facts of one source file with their evidence, without storing anything."""
    if not file.exists():
        raise ComityError(f"{file}: no such file")
    try:
        known = PartialDate.from_iso(issued) if issued is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--issued") from error
    extraction = extract_source(file, known)
    for warning in extraction.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        facts = [
            {
                **fact.to_gold(),
                "evidence": {
                    "start": fact.evidence.start,
                    "end": fact.evidence.end,
                    "text": fact.evidence.text,
                },
            }
            for fact in extraction.facts
        ]
        document = {
            "document": file.name,
            "iri": extraction.document.iri,
            "issued": _iso(extraction.document.metadata.issued),
            "facts": facts,
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    if output_format == "ttl":
        type_first = str(RDF.type)
        triples = sorted(
            document_triples(extraction),
            key=lambda t: (str(t.subject), t.predicate.value != type_first, str(t.predicate)),
        )  # grouped by subject, so that Turtle writes each node once
        prefixes = {name: str(iri) for name, iri in PREFIXES.items()}
        data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)
        click.echo((data or b"").decode("utf-8"), nl=False)
        return
    table = Table(title=f"{len(extraction.facts)} facts in {file.name}")
    table.add_column("type")
    table.add_column("fact")
    table.add_column("evidence", overflow="fold")
    for fact in extraction.facts:
        fields = {k: v for k, v in fact.to_gold().items() if k != "type" and v not in (None, [])}
        table.add_row(  # as text, not Rich markup: "[a; b]" is a list, not a style
            Text(fact.kind),
            Text(", ".join(f"{k}={_show(v)}" for k, v in fields.items())),
            Text(f"[{fact.evidence.start}:{fact.evidence.end}] {_short(fact.evidence.text)}"),
        )
    Console(width=max(Console().width, 140)).print(table)


@click.command(name="eval")
@click.option(
    "--gold",
    "gold_directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Read the gold files from this directory instead of DIRECTORY.",
)
@click.option(
    "--text-dates-only",
    is_flag=True,
    help="Do not give a text that prints no date the gold file's issued date.",
)
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def eval_(gold_directory: Path | None, text_dates_only: bool, directory: Path) -> None:
    """Score extraction against the gold files in DIRECTORY: P/R/F1 per fact type.

    When the gold files name their half (`"split": "tuning"` or `"check"`), each half is
    scored on its own as well as the whole. A text that prints no date of its own is given
    its gold file's `issued` date, as a feed gives a page's date, unless --text-dates-only.
    """
    evaluation = evaluate_directory(directory, gold_directory, not text_dates_only)
    for problem in evaluation.problems:
        click.echo(f"warning: {problem}", err=True)
    console = Console()
    halves = sorted(evaluation.splits.items(), key=lambda item: (item[0] != "tuning", item[0]))
    for name, part in halves:
        console.print(_score_table(part, f"{name} half: {part.documents} document(s)"))
    title = f"Extraction scores over {evaluation.documents} document(s)"
    console.print(_score_table(evaluation, ("all: " if evaluation.splits else "") + title))
    if evaluation.unscored:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(evaluation.unscored.items()))
        console.print(f"not scored (no gold file records these types): {kinds}")


def _score_table(evaluation: Evaluation, title: str) -> Table:
    table = Table(title=title)
    for column in ("type", "gold", "predicted", "correct", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "type" else "right")
    order = [kind for kind in FACT_TYPES if kind in evaluation.by_type]
    for kind in order:
        score = evaluation.by_type[kind]
        table.add_row(kind, *_score_cells(score))
    table.add_section()
    for family in FAMILIES:
        score = evaluation.family(family)
        if score.true_positives + score.false_positives + score.false_negatives:
            table.add_row(f"family {family}", *_score_cells(score))
    table.add_section()
    table.add_row("micro overall", *_score_cells(evaluation.overall))
    accuracy = evaluation.date_accuracy
    if accuracy is not None:
        table.caption = (
            f"dates right for {evaluation.right_dates} of {evaluation.dated_pairs} treaty acts "
            f"found with a dated gold act ({accuracy:.0%})"
        )
    return table


def _score_cells(score: Score) -> list[str]:
    gold = score.true_positives + score.false_negatives
    predicted = score.true_positives + score.false_positives
    return [
        str(gold),
        str(predicted),
        str(score.true_positives),
        f"{score.precision:.3f}",
        f"{score.recall:.3f}",
        f"{score.f1:.3f}",
    ]


def _iso(date: PartialDate | None) -> str | None:
    return date.iso() if date is not None else None


def _show(value: object) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(str(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def _short(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


COMMANDS = [load, extract, eval_]
