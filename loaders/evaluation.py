"""Scoring extraction against gold files (docs/gold-format.md).

A predicted fact matches a gold fact when the type and every compared field are equal, lists
compared as sets. Each gold fact can be matched once, so duplicates count as errors. Scores
are precision, recall and F1 per fact type, and micro-averaged over all facts.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass
class Evaluation:
    by_type: dict[str, Score] = field(default_factory=dict)
    documents: int = 0
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


def evaluate_directory(directory: Path) -> Evaluation:
    """Extract every source that has a gold file in `directory` and score it."""
    if not directory.is_dir():
        raise ComityError(f"{directory}: not a directory of samples and gold files")
    gold_files = sorted(directory.glob(f"*{GOLD_SUFFIX}"))
    if not gold_files:
        raise ComityError(f"{directory}: no gold files (*{GOLD_SUFFIX}) to score against")
    evaluation = Evaluation()
    for gold_path in gold_files:
        gold = read_gold(gold_path)
        stem = gold_path.name[: -len(GOLD_SUFFIX)]
        named = gold.get("document")
        source = directory / str(named) if named else None
        if source is None or not source.exists():
            candidates = [
                p for p in directory.glob(f"{stem}.*") if not p.name.endswith(GOLD_SUFFIX)
            ]
            if not candidates:
                raise ComityError(f"{gold_path}: no source file {named or stem + '.*'} beside it")
            source = candidates[0]
        for number, fact in enumerate(gold["facts"], start=1):
            kind = fact.get("type") if isinstance(fact, dict) else None
            if kind not in COMPARED_FIELDS:
                evaluation.problems.append(
                    f"{gold_path}: fact {number} has {'type ' + repr(kind) if kind else 'no type'}"
                    f"; known types: {', '.join(COMPARED_FIELDS)}; it is not scored"
                )
        gold["facts"] = [fact for fact in gold["facts"] if isinstance(fact, dict)]
        extraction = extract_source(source)
        predicted = [fact.to_gold() for fact in extraction.facts]
        score_document(predicted, list(gold["facts"]), evaluation, source.name)
        evaluation.documents += 1
    return evaluation
