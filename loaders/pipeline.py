"""Loading sources into the knowledge graph: one file, one transaction; a batch, one reasoning.

Extraction is pure (text in, N-Triples out), so it runs in worker processes; every write to
the store stays in the parent, one `replace_source` per document. A file that fails leaves the
store exactly as it was, and the rest of the batch still loads.
"""

from __future__ import annotations

import glob
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from graph.formats import RDF_FILE_SUFFIXES
from loaders.charts import CHART_SUFFIXES, read_chart
from loaders.dates import PartialDate
from loaders.documents import TEXT_SUFFIXES, read_document
from loaders.extraction import Extraction, extract
from loaders.rdf import document_triples
from loaders.rdf_checks import check_rdf_file
from ontology.errors import ComityError

if TYPE_CHECKING:
    from graph import KnowledgeGraph

RDF_SUFFIXES = RDF_FILE_SUFFIXES
SOURCE_SUFFIXES = (*TEXT_SUFFIXES, *CHART_SUFFIXES, *RDF_SUFFIXES)


def extract_source(path: Path, issued: PartialDate | None = None) -> Extraction:
    """Read and extract one text or chart file, choosing the reader by the file's suffix.

    `issued` dates a text that gives no date of its own (see `make_document`)."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return extract(read_document(path, issued))
    if suffix in CHART_SUFFIXES:
        return read_chart(path)
    raise ComityError(
        f"{path}: cannot extract facts from a {suffix or 'suffix-less'} file; "
        f"give a text ({', '.join(TEXT_SUFFIXES)}) or a treaty chart (.csv)"
    )


@dataclass
class PreparedSource:
    """A source ready for the store, or the reason it is not. Small and picklable."""

    path: str
    document_iri: str = ""
    ntriples: bytes = b""
    title: str | None = None
    issued: str | None = None
    content_hash: str = ""
    kind: str = "Document"
    fact_counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def prepare(path: str) -> PreparedSource:
    """Extract one file into N-Triples; never raises, so that one bad file cannot stop a batch."""
    try:
        extraction = extract_source(Path(path))
        triples = document_triples(extraction)
        document = extraction.document
        metadata = document.metadata
        return PreparedSource(
            path=path,
            document_iri=document.iri,
            ntriples=pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"",
            title=metadata.title,
            issued=metadata.issued.iso() if metadata.issued is not None else None,
            content_hash=document.content_hash,
            kind=metadata.kind,
            fact_counts=extraction.counts(),
            warnings=list(dict.fromkeys(extraction.warnings)),
        )
    except ComityError as error:
        return PreparedSource(path=path, error=str(error))
    except Exception as error:  # a fault in extraction: report it against the file, go on
        where = traceback.extract_tb(error.__traceback__)[-1]
        return PreparedSource(
            path=path,
            error=f"{path}: extraction failed ({type(error).__name__}: {error}, at "
            f"{Path(where.filename).name}:{where.lineno}); the file was not loaded",
        )


@dataclass
class LoadReport:
    """What a batch did: per file, and in total."""

    documents: int = 0
    rdf_files: int = 0
    triples: int = 0
    facts: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    reasoning_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


def expand_paths(patterns: Iterable[str]) -> list[Path]:
    """Files named by paths, directories (searched recursively) and glob patterns, in order."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SOURCE_SUFFIXES
                and not p.name.endswith(".gold.json")
            )
        elif path.exists():
            found.append(path)
        elif glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
            if not matches:
                raise ComityError(f"{pattern}: no file matches this pattern")
            found += [p for p in matches if p.is_file()]
        else:
            raise ComityError(f"{pattern}: no such file or directory")
    return list(dict.fromkeys(found))


def load_paths(
    kg: KnowledgeGraph,
    paths: list[Path],
    jobs: int = 1,
    strict: bool = False,
    reason: bool = True,
    progress: Callable[[Path], None] | None = None,
) -> LoadReport:
    """Load files into a knowledge graph (graph.KnowledgeGraph) and reason once at the end."""
    from graph import SourceMetadata

    report = LoadReport()
    started = time.perf_counter()
    rdf_files = [p for p in paths if p.suffix.lower() in RDF_SUFFIXES]
    texts = [p for p in paths if p.suffix.lower() not in RDF_SUFFIXES]
    for path in rdf_files:
        try:
            check_rdf_file(path)
            info = kg.load_rdf(path)
        except ComityError as error:
            report.failures.append(str(error))
        else:
            report.rdf_files += 1
            report.triples += info.triple_count
        if progress is not None:
            progress(path)
    for prepared in _prepared(texts, jobs):
        if progress is not None:
            progress(Path(prepared.path))
        report.warnings += prepared.warnings
        if prepared.error is not None:
            report.failures.append(prepared.error)
            continue
        if strict:
            problems = shape_violations(prepared)
            if problems:
                report.failures.append(
                    f"{prepared.path}: violates the shapes, not loaded (--strict): "
                    + "; ".join(problems[:5])
                )
                continue
        triples = pyoxigraph.parse(prepared.ntriples, pyoxigraph.RdfFormat.N_TRIPLES)
        metadata = SourceMetadata(
            title=prepared.title,
            issued=prepared.issued,
            content_hash=prepared.content_hash,
            kind=prepared.kind,
            path=Path(prepared.path).name,
        )
        try:
            info = kg.replace_source(prepared.document_iri, triples, metadata)
        except ComityError as error:
            report.failures.append(f"{prepared.path}: {error}")
            continue
        report.documents += 1
        report.triples += info.triple_count
        report.facts.update(prepared.fact_counts)
    if reason and (report.documents or report.rdf_files):
        summary = kg.reason()
        report.reasoning_seconds = summary.seconds
    report.seconds = time.perf_counter() - started
    return report


def _prepared(paths: list[Path], jobs: int) -> Iterable[PreparedSource]:
    names = [str(path) for path in paths]
    if jobs <= 1 or len(names) < 2:
        yield from map(prepare, names)
        return
    workers = min(jobs, len(names), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(prepare, names, chunksize=max(1, len(names) // (workers * 8)))


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[bytes, bytes]:
    """The ontology with the reference graph, and the shapes: what every source is checked with."""
    from ontology.reference import reference_ntriples
    from ontology.vocabulary import read_ontology, read_shapes

    return reference_ntriples() + b"\n" + read_ontology() + b"\n", read_shapes()


def shape_violations(prepared: PreparedSource) -> list[str]:
    """The SHACL violations of one prepared source, checked with the reference entities."""
    from graph.validation import validate_dataset

    context, shapes = _vocabulary()
    report = validate_dataset(context + prepared.ntriples, shapes)
    return [violation.to_text() for violation in report.violations if not report.conforms]
