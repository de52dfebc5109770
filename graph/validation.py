"""SHACL validation of the whole dataset, with each problem traced to the document it came from.

The data graph is the union of all named graphs (ontology, reference, sources and, when the
caller passes it in, the inferred graph), because a fact's shape is often completed by the
reference data: a ratification's actor is a state described in the reference graph. No
inference is run here (pyshacl's `inference="none"`): the store already keeps OWL 2 RL
entailments in their own graph, and recomputing them per validation would be slow and could
disagree with what is served.

SHACL-SPARQL constraints (`sh:sparql` with `sh:select`) are evaluated by Oxigraph, once per
constraint over the whole union with `$this` left free, and the rows kept whose `$this` is a
focus node of the shape: the same results the standard's per-focus-node evaluation gives for
these queries, at the cost of one query instead of one per node (pyshacl runs them in rdflib,
which took ten times longer than all the other shapes together).
"""

from dataclasses import dataclass

import pyoxigraph
import rdflib
from rdflib.term import Node

from graph.backend import solutions_of
from ontology import GRAPH_SOURCE_PREFIX, SH, document_iri
from ontology.errors import ComityError


@dataclass(frozen=True)
class Violation:
    """One SHACL result: what is wrong, where, and which source document said it."""

    focus_node: str
    path: str | None
    message: str
    severity: str
    source_document: str | None

    def to_text(self) -> str:
        where = f"{self.focus_node} {self.path}" if self.path else self.focus_node
        source = f" (from {self.source_document})" if self.source_document else ""
        return f"{self.severity}: {where}: {self.message}{source}"


@dataclass(frozen=True)
class ValidationReport:
    """Whether the dataset conforms, and every result that says why not."""

    conforms: bool
    violations: tuple[Violation, ...]

    def to_text(self) -> str:
        """A plain-text report for the command line: a verdict, then one result per line."""
        if self.conforms and not self.violations:
            return "The data conforms to the shapes.\n"
        verdict = "conforms, with remarks" if self.conforms else "does not conform"
        lines = [f"The data {verdict}: {len(self.violations)} result(s)."]
        lines += [violation.to_text() for violation in self.violations]
        return "\n".join(lines) + "\n"


def validate_dataset(dataset_nquads: bytes, shapes_ntriples: bytes) -> ValidationReport:
    """Validate the union of the N-Quads' graphs against the shapes (N-Triples).

    Warnings and infos are reported but do not make the data non-conforming; violations do.
    """
    import pyshacl  # imported here: it takes a second, and most users of this module never validate
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    dataset = rdflib.Dataset()
    try:
        dataset.parse(data=dataset_nquads, format="nquads")
    except Exception as error:  # rdflib raises several unrelated types for bad syntax
        raise ComityError(f"cannot validate: the dataset is not valid N-Quads: {error}") from error
    shapes = rdflib.Graph()
    try:
        shapes.parse(data=shapes_ntriples, format="nt")
    except Exception as error:
        raise ComityError(
            f"cannot validate: the shapes are not valid N-Triples: {error}"
        ) from error
    constraints = _sparql_constraints(shapes)
    try:
        conforms, results, _ = pyshacl.validate(
            dataset,
            shacl_graph=shapes,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
        )
    except (ShapeLoadError, ConstraintLoadError) as error:
        raise ComityError(f"cannot validate: the shapes are not valid SHACL: {error}") from error
    except ReportableRuntimeError as error:
        raise ComityError(f"cannot validate: {error}") from error
    found = [_violation(results, result, dataset) for result in _results(results)]
    found += _sparql_violations(dataset_nquads, constraints, dataset)
    violations = sorted(
        found, key=lambda v: (v.source_document or "", v.focus_node, v.path or "", v.message)
    )
    conforms = bool(conforms) and not any(v.severity == "Violation" for v in found)
    return ValidationReport(conforms=conforms, violations=tuple(violations))


@dataclass(frozen=True)
class _SparqlConstraint:
    """One `sh:sparql` constraint of a shape, taken out of the shapes pyshacl sees."""

    query: str
    message: str
    target_classes: tuple[str, ...]
    target_subjects_of: tuple[str, ...]


def _sparql_constraints(shapes: rdflib.Graph) -> list[_SparqlConstraint]:
    """The SPARQL constraints of the shapes, removed from `shapes` (which pyshacl then reads)."""
    constraints = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        select = shapes.value(constraint, SH.select)
        if select is None:
            continue
        prefixes = "".join(
            f"PREFIX {shapes.value(declaration, SH.prefix)}: "
            f"<{shapes.value(declaration, SH.namespace)}>\n"
            for source in shapes.objects(constraint, SH.prefixes)
            for declaration in shapes.objects(source, SH.declare)
        )
        constraints.append(
            _SparqlConstraint(
                query=prefixes + str(select).replace("$this", "?this"),
                message=str(shapes.value(constraint, SH.message) or "fails a SPARQL constraint"),
                target_classes=tuple(str(c) for c in shapes.objects(shape, SH.targetClass)),
                target_subjects_of=tuple(
                    str(p) for p in shapes.objects(shape, SH.targetSubjectsOf)
                ),
            )
        )
        shapes.remove((shape, SH.sparql, constraint))
    return constraints


def _sparql_violations(
    dataset_nquads: bytes, constraints: list[_SparqlConstraint], dataset: rdflib.Dataset
) -> list[Violation]:
    if not constraints:
        return []
    store = pyoxigraph.Store()
    store.bulk_load(dataset_nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    violations = []
    for constraint in constraints:
        focus = _focus_nodes(store, constraint)
        solutions = solutions_of(store.query(constraint.query, use_default_graph_as_union=True))
        seen = set()
        for row in solutions:
            this = row["this"]
            if this is None or this.value not in focus or this.value in seen:
                continue
            seen.add(this.value)
            violations.append(
                Violation(
                    focus_node=this.value,
                    path=None,
                    message=constraint.message,
                    severity="Violation",
                    source_document=_source_document(rdflib.URIRef(this.value), dataset),
                )
            )
    return violations


def _focus_nodes(store: pyoxigraph.Store, constraint: _SparqlConstraint) -> set[str]:
    patterns = [f"{{ ?this a <{cls}> }}" for cls in constraint.target_classes]
    patterns += [f"{{ ?this <{p}> ?any }}" for p in constraint.target_subjects_of]
    if not patterns:
        return set()
    query = f"SELECT DISTINCT ?this WHERE {{ {' UNION '.join(patterns)} }}"
    solutions = solutions_of(store.query(query, use_default_graph_as_union=True))
    return {row["this"].value for row in solutions}


def _results(report: rdflib.Graph) -> list[Node]:
    """The report's top-level results; the nested ones (sh:detail) explain them and are left out."""
    return [
        result
        for report_node in report.subjects(rdflib.RDF.type, SH.ValidationReport)
        for result in report.objects(report_node, SH.result)
    ]


def _violation(report: rdflib.Graph, result: Node, dataset: rdflib.Dataset) -> Violation:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    severity = report.value(result, SH.resultSeverity)
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    if not messages:
        component = report.value(result, SH.sourceConstraintComponent)
        messages = [f"fails {_local_name(component)}" if component else "fails a shape"]
    return Violation(
        focus_node=str(focus),
        path=str(path) if isinstance(path, rdflib.URIRef) else None,
        message="; ".join(messages),
        severity=_local_name(severity) if severity else "Violation",
        source_document=_source_document(focus, dataset),
    )


def _source_document(focus: Node | None, dataset: rdflib.Dataset) -> str | None:
    """The document whose source graph describes the focus node (the first by IRI if several)."""
    if not isinstance(focus, rdflib.URIRef | rdflib.BNode):
        return None
    graphs = {
        str(graph.identifier if isinstance(graph, rdflib.Graph) else graph)
        for _, _, _, graph in dataset.quads((focus, None, None, None))
    }
    sources = sorted(g for g in graphs if g.startswith(GRAPH_SOURCE_PREFIX))
    return document_iri(sources[0][len(GRAPH_SOURCE_PREFIX) :]) if sources else None


def _local_name(term: Node) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
