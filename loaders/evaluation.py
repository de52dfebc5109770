"""Scoring extraction against gold files (docs/gold-format.md).

A predicted fact matches a gold fact when the type and every compared field are equal, lists
compared as sets. Each gold fact can be matched once, so duplicates count as errors. Scores
are precision, recall and F1 per fact type, per family of types, and micro-averaged over all
facts; when gold files name their `split` (tuning or check half), each half is also scored on
its own. Treaty acts are also paired regardless of their date, to tell how often a found act
has the right date.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from loaders.dates import PartialDate
from loaders.facts import COMPARED_FIELDS
from loaders.pipeline import extract_source
from ontology.errors import ComityError

GOLD_SUFFIX = ".gold.json"


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def add(self, other: Score) -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives


FAMILIES: dict[str, tuple[str, ...]] = {
    "states": ("Mention",),
    "actions": (
        "Signature",
        "Ratification",
        "Accession",
        "Acceptance",
        "Approval",
        "EntryIntoForce",
        "Denunciation",
        "OpeningForSignature",
    ),
    "counts": ("TreatyStatus", "MemberCount", "ActionTally"),
    "memberships": ("Membership", "MembershipEnd", "Suspension", "MembershipApplication"),
    "events": ("Conference", "Meeting"),
    "other": (
        "LegalReform",
        "Partnership",
        "Founding",
        "Headquarters",
        "Supplements",
        "TreatyTopic",
        "PersonRole",
    ),
}
"""Fact types grouped as the extraction rules are: the issue's targets are per family."""

_DATED_ACTIONS = frozenset(FAMILIES["actions"]) - {"OpeningForSignature"}


@dataclass
class Evaluation:
    by_type: dict[str, Score] = field(default_factory=dict)
    documents: int = 0
    dated_pairs: int = 0
    """Treaty acts found with the right actor and treaty whose gold fact has a date."""
    right_dates: int = 0
    """... and of those, the ones whose date is right too."""
    splits: dict[str, Evaluation] = field(default_factory=dict)
    """The same scores for each half named by the gold files' `split`, if any."""
    unscored: dict[str, int] = field(default_factory=dict)
    """Predicted facts of types that no gold file of the directory records, by type."""
    missed: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    spurious: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Gold facts that cannot be scored (no or unknown type), named by file and position."""

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.by_type.values():
            total.add(score)
        return total

    def family(self, name: str) -> Score:
        total = Score()
        for kind in FAMILIES[name]:
            if kind in self.by_type:
                total.add(self.by_type[kind])
        return total

    @property
    def date_accuracy(self) -> float | None:
        return self.right_dates / self.dated_pairs if self.dated_pairs else None


def comparable(fact: dict[str, object]) -> tuple[object, ...] | None:
    """The compared fields of a gold-form fact as a hashable key; None for an unknown type."""
    kind = fact.get("type")
    fields = COMPARED_FIELDS.get(str(kind))
    if fields is None:
        return None
    values: list[object] = [kind]
    for name in fields:
        value = fact.get(name)
        if isinstance(value, list):
            value = frozenset(str(item) for item in value)
        elif value is not None:
            value = str(value)
        values.append(value)
    return tuple(values)


def read_gold(path: Path) -> dict[str, object]:
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ComityError(f"{path}: cannot read the gold file ({error})") from error
    except json.JSONDecodeError as error:
        raise ComityError(
            f"{path}: line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"
        ) from error
    if not isinstance(gold, dict) or not isinstance(gold.get("facts"), list):
        raise ComityError(f'{path}: a gold file is an object with a "facts" list')
    return gold


def _gold_facts(gold: dict[str, object]) -> list[object]:
    """The "facts" of a gold file, which read_gold made sure is a list."""
    return cast(list[object], gold["facts"])


def score_document(
    predicted: list[dict[str, object]],
    gold: list[dict[str, object]],
    evaluation: Evaluation,
    name: str,
) -> None:
    """Match predicted against gold facts of one document and add the counts."""
    wanted = Counter(key for key in map(comparable, gold) if key is not None)
    originals = {comparable(fact): fact for fact in gold}
    for fact in predicted:
        key = comparable(fact)
        if key is None:
            continue
        score = evaluation.by_type.setdefault(str(fact["type"]), Score())
        if wanted[key] > 0:
            wanted[key] -= 1
            score.true_positives += 1
        else:
            score.false_positives += 1
            evaluation.spurious.append((name, fact))
    for key, remaining in wanted.items():
        if remaining > 0:
            score = evaluation.by_type.setdefault(str(key[0]), Score())
            score.false_negatives += remaining
            evaluation.missed += [(name, originals[key])] * remaining
    _score_dates(predicted, gold, evaluation)


def _score_dates(
    predicted: list[dict[str, object]], gold: list[dict[str, object]], evaluation: Evaluation
) -> None:
    """Pair gold and predicted treaty acts on type, actor and treaty; count right dates."""

    def undated(fact: dict[str, object]) -> tuple[object, ...]:
        return (fact.get("type"), fact.get("actor"), fact.get("treaty"))

    found: dict[tuple[object, ...], list[object]] = {}
    for fact in predicted:
        if fact.get("type") in _DATED_ACTIONS:
            found.setdefault(undated(fact), []).append(fact.get("date"))
    for fact in gold:
        if fact.get("type") not in _DATED_ACTIONS or fact.get("date") is None:
            continue
        dates = found.get(undated(fact))
        if not dates:
            continue
        evaluation.dated_pairs += 1
        if fact["date"] in dates:
            evaluation.right_dates += 1
            dates.remove(fact["date"])


def evaluate_directory(
    directory: Path, gold_directory: Path | None = None, supplied_dates: bool = True
) -> Evaluation:
    """Extract every source that has a gold file and score it.

    Only fact types that some gold file of the directory records are scored: gold written
    before a type existed (the samples have no `Mention` facts) cannot judge it. The facts
    of the other types are counted in `unscored`, so that a report can show them.

    Gold files lie beside the texts in `directory`, or in `gold_directory` when given (the
    development corpus keeps its texts read-only elsewhere). A gold file names its text by
    `document`, else by its own name without `.gold.json`.

    With `supplied_dates`, a text that prints no date of its own is given the gold file's
    `issued` date, as a feed or crawl gives a page's date; without, only the text dates it.
    """
    if not directory.is_dir():
        raise ComityError(f"{directory}: not a directory of samples and gold files")
    gold_directory = directory if gold_directory is None else gold_directory
    if not gold_directory.is_dir():
        raise ComityError(f"{gold_directory}: not a directory of gold files")
    gold_files = sorted(gold_directory.glob(f"*{GOLD_SUFFIX}"))
    if not gold_files:
        raise ComityError(f"{gold_directory}: no gold files (*{GOLD_SUFFIX}) to score against")
    evaluation = Evaluation()
    golds = [(gold_path, read_gold(gold_path)) for gold_path in gold_files]
    annotated = {
        fact.get("type")
        for _, gold in golds
        for fact in _gold_facts(gold)
        if isinstance(fact, dict)
    }
    for gold_path, gold in golds:
        source = _source_of(gold_path, gold, directory)
        for number, fact in enumerate(_gold_facts(gold), start=1):
            kind = fact.get("type") if isinstance(fact, dict) else None
            if kind not in COMPARED_FIELDS:
                evaluation.problems.append(
                    f"{gold_path}: fact {number} has {'type ' + repr(kind) if kind else 'no type'}"
                    f"; known types: {', '.join(COMPARED_FIELDS)}; it is not scored"
                )
        facts = [fact for fact in _gold_facts(gold) if isinstance(fact, dict)]
        extraction = extract_source(
            source, _supplied_date(gold_path, gold) if supplied_dates else None
        )
        predicted = []
        for fact in extraction.facts:
            if fact.kind in annotated:
                predicted.append(fact.to_gold())
            else:
                evaluation.unscored[fact.kind] = evaluation.unscored.get(fact.kind, 0) + 1
        targets = [evaluation]
        split = gold.get("split")
        if isinstance(split, str) and split:
            targets.append(evaluation.splits.setdefault(split, Evaluation()))
        for target in targets:
            score_document(predicted, facts, target, source.name)
            target.documents += 1
    return evaluation


def _supplied_date(gold_path: Path, gold: dict[str, object]) -> PartialDate | None:
    """The gold file's `issued`, given to the extractor as a feed would give a page's date:
    used only for a text that prints no date of its own."""
    issued = gold.get("issued")
    if not isinstance(issued, str) or not issued:
        return None
    try:
        return PartialDate.from_iso(issued)
    except ValueError as error:
        raise ComityError(f"{gold_path}: issued: {error}") from error


def _source_of(gold_path: Path, gold: dict[str, object], directory: Path) -> Path:
    stem = gold_path.name[: -len(GOLD_SUFFIX)]
    named = gold.get("document")
    source = directory / str(named) if named else None
    if source is not None and source.exists():
        return source
    candidates = sorted(p for p in directory.glob(f"{stem}.*") if not p.name.endswith(GOLD_SUFFIX))
    if not candidates:
        raise ComityError(f"{gold_path}: no source file {named or stem + '.*'} in {directory}")
    return candidates[0]
