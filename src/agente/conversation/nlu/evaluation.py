"""How good the intent classifier is: held-out scores, cross-validation, thresholds, timings.

:func:`evaluate` trains on the packaged examples (or takes a trained classifier), scores the
held-out file ``data/intents_heldout.yaml`` (never used for training), cross-validates on
the training examples, and measures training and prediction time. :func:`format_report`
turns the result into the table ``agente nlu evaluate`` prints.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from sklearn.model_selection import StratifiedKFold

from agente.conversation.nlu.intents import (
    RECOMMENDED_THRESHOLD,
    Example,
    IntentClassifier,
    load_examples,
)
from agente.conversation.nlu.types import INTENTS, LANGUAGES, Intent

HELDOUT_FILE = "data/intents_heldout.yaml"
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class ThresholdPoint:
    """Messages at or above ``threshold``: the share of all messages, and how many are right."""

    threshold: float
    coverage: float
    accuracy: float


@dataclass(frozen=True, slots=True)
class Miss:
    text: str
    language: str
    expected: str
    predicted: str
    confidence: float


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Everything :func:`evaluate` measured. ``cv_*`` are ``None`` when cross-validation was skipped."""

    heldout_accuracy: float
    per_intent: tuple[IntentScore, ...]
    heldout_thresholds: tuple[ThresholdPoint, ...]
    misses: tuple[Miss, ...]
    cv_folds: int
    cv_accuracy: float | None
    cv_accuracy_std: float | None
    cv_thresholds: tuple[ThresholdPoint, ...]
    train_examples: int
    heldout_examples: int
    training_seconds: float
    prediction_ms: float
    recommended_threshold: float = RECOMMENDED_THRESHOLD


def parse_heldout(document: str, source: str = HELDOUT_FILE) -> list[Example]:
    """Examples from a YAML list of ``{text, language, intent}`` mappings."""
    data = yaml.safe_load(document)
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a list of {{text, language, intent}}")
    examples: list[Example] = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError(f"{source}: every item needs a text, a language and an intent: {item!r}")
        text, language, intent = item["text"], item.get("language"), item.get("intent")
        if language not in LANGUAGES or intent not in INTENTS:
            raise ValueError(f"{source}: unknown language or intent in {item!r}")
        examples.append((text, str(language), str(intent)))
    return examples


def load_heldout(path: Path | None = None) -> list[Example]:
    """The held-out examples from ``path``, by default the packaged file."""
    if path is not None:
        return parse_heldout(path.read_text(encoding="utf-8"), str(path))
    document = resources.files("agente.conversation.nlu").joinpath(HELDOUT_FILE).read_text(encoding="utf-8")
    return parse_heldout(document)


def evaluate(
    heldout_path: Path | None = None,
    *,
    examples: Sequence[Example] | None = None,
    classifier: IntentClassifier | None = None,
    cv_folds: int = 5,
) -> EvaluationReport:
    """Score the classifier on the held-out file and cross-validate on the training data.

    ``examples`` defaults to :func:`load_examples`; ``classifier`` (already trained on them)
    saves one training; ``cv_folds=0`` skips cross-validation. Cross-validation is stratified
    by intent, shuffled with a fixed seed, so the numbers are repeatable.
    """
    examples = load_examples() if examples is None else examples
    heldout = load_heldout(heldout_path)
    if classifier is None:
        classifier = IntentClassifier.train(examples)

    started = time.perf_counter()
    predictions = [classifier.predict(text, language) for text, language, _ in heldout]
    prediction_ms = (time.perf_counter() - started) * 1000 / max(1, len(heldout))
    expected = [intent for _, _, intent in heldout]

    cv_accuracy = cv_std = None
    cv_thresholds: tuple[ThresholdPoint, ...] = ()
    if cv_folds:
        fold_accuracies, cv_expected, cv_predicted = _cross_validate(examples, cv_folds)
        cv_accuracy = statistics.fmean(fold_accuracies)
        cv_std = statistics.pstdev(fold_accuracies)
        cv_thresholds = _threshold_table(cv_expected, cv_predicted)

    return EvaluationReport(
        heldout_accuracy=_accuracy(expected, predictions),
        per_intent=_per_intent(expected, predictions),
        heldout_thresholds=_threshold_table(expected, predictions),
        misses=tuple(
            Miss(text, language, intent, predicted.name, predicted.confidence)
            for (text, language, intent), predicted in zip(heldout, predictions, strict=True)
            if predicted.name != intent
        ),
        cv_folds=cv_folds,
        cv_accuracy=cv_accuracy,
        cv_accuracy_std=cv_std,
        cv_thresholds=cv_thresholds,
        train_examples=len(examples),
        heldout_examples=len(heldout),
        training_seconds=classifier.training_seconds,
        prediction_ms=prediction_ms,
    )


def _cross_validate(examples: Sequence[Example], folds: int) -> tuple[list[float], list[str], list[Intent]]:
    labels = [intent for _, _, intent in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    accuracies: list[float] = []
    all_expected: list[str] = []
    all_predicted: list[Intent] = []
    for train_rows, test_rows in splitter.split(labels, labels):
        model = IntentClassifier.train([examples[row] for row in train_rows])
        predicted = model.predict_many([(examples[row][0], examples[row][1]) for row in test_rows])
        expected = [labels[row] for row in test_rows]
        accuracies.append(_accuracy(expected, predicted))
        all_expected.extend(expected)
        all_predicted.extend(predicted)
    return accuracies, all_expected, all_predicted


def _accuracy(expected: Sequence[str], predicted: Sequence[Intent]) -> float:
    right = sum(p.name == e for e, p in zip(expected, predicted, strict=True))
    return right / len(expected) if expected else 0.0


def _per_intent(expected: Sequence[str], predicted: Sequence[Intent]) -> tuple[IntentScore, ...]:
    scores: list[IntentScore] = []
    for intent in INTENTS:
        true_positive = sum(e == intent and p.name == intent for e, p in zip(expected, predicted, strict=True))
        support = sum(e == intent for e in expected)
        claimed = sum(p.name == intent for p in predicted)
        precision = true_positive / claimed if claimed else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(IntentScore(intent, precision, recall, f1, support))
    return tuple(scores)


def _threshold_table(expected: Sequence[str], predicted: Sequence[Intent]) -> tuple[ThresholdPoint, ...]:
    points: list[ThresholdPoint] = []
    for threshold in THRESHOLDS:
        kept = [(e, p) for e, p in zip(expected, predicted, strict=True) if p.confidence >= threshold]
        coverage = len(kept) / len(expected) if expected else 0.0
        accuracy = sum(p.name == e for e, p in kept) / len(kept) if kept else 0.0
        points.append(ThresholdPoint(threshold, coverage, accuracy))
    return tuple(points)


def format_report(report: EvaluationReport, *, show_misses: bool = True) -> str:
    """A plain-text report: summary, per-intent table, threshold tables and held-out misses."""
    lines = [
        f"training examples   {report.train_examples}",
        f"held-out examples   {report.heldout_examples}",
        f"held-out accuracy   {report.heldout_accuracy:.3f}",
    ]
    if report.cv_accuracy is not None and report.cv_accuracy_std is not None:
        lines.append(f"{report.cv_folds}-fold CV accuracy  {report.cv_accuracy:.3f} ± {report.cv_accuracy_std:.3f}")
    lines += [
        f"training time       {report.training_seconds:.2f} s",
        f"prediction time     {report.prediction_ms:.2f} ms per message",
        f"recommended threshold {report.recommended_threshold:.2f}",
        "",
        f"{'intent':<20}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}",
    ]
    lines += [
        f"{s.intent:<20}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>7.3f}{s.support:>9}" for s in report.per_intent
    ]
    for title, points in (("held-out", report.heldout_thresholds), ("cross-validation", report.cv_thresholds)):
        if points:
            lines += ["", f"confidence threshold ({title}): share of messages kept, accuracy of those kept"]
            lines += [f"  >= {p.threshold:.2f}   kept {p.coverage:6.1%}   accuracy {p.accuracy:6.1%}" for p in points]
    if show_misses and report.misses:
        lines += ["", "held-out misses (expected -> predicted, confidence):"]
        lines += [
            f"  {m.expected:<18} -> {m.predicted:<18} {m.confidence:.2f}  [{m.language}] {m.text}"
            for m in report.misses
        ]
    return "\n".join(lines)
