"""Classification metrics, in plain Python so the promotion rule can be tested without any ML library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LabelMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    accuracy: float
    macro_f1: float
    per_label: dict[str, LabelMetrics]
    labels: tuple[str, ...]
    confusion_matrix: tuple[tuple[int, ...], ...]
    """Rows are true labels, columns predicted labels, both in `labels` order."""
    size: int

    def to_json(self) -> dict[str, object]:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "size": self.size,
            "labels": list(self.labels),
            "per_label": {
                label: {"precision": m.precision, "recall": m.recall, "f1": m.f1, "support": m.support}
                for label, m in self.per_label.items()
            },
            "confusion_matrix": [list(row) for row in self.confusion_matrix],
        }


def evaluate(y_true: Sequence[str], y_pred: Sequence[str]) -> EvaluationReport:
    """Macro-F1 averages over the labels present in `y_true`; a predicted label never seen there still counts
    against precision of nothing and recall of the true label, as it should."""
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred must have the same length")
    if not y_true:
        raise ValueError("cannot evaluate on an empty test set")
    labels = tuple(sorted(set(y_true) | set(y_pred)))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for truth, guess in zip(y_true, y_pred, strict=True):
        matrix[index[truth]][index[guess]] += 1
    per_label: dict[str, LabelMetrics] = {}
    for label, i in index.items():
        true_positive = matrix[i][i]
        predicted = sum(row[i] for row in matrix)
        actual = sum(matrix[i])
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = LabelMetrics(round(precision, 6), round(recall, 6), round(f1, 6), actual)
    present = [label for label in labels if per_label[label].support > 0]
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return EvaluationReport(
        accuracy=round(correct / len(y_true), 6),
        macro_f1=round(sum(per_label[label].f1 for label in present) / len(present), 6),
        per_label=per_label,
        labels=labels,
        confusion_matrix=tuple(tuple(row) for row in matrix),
        size=len(y_true),
    )


def at_least_as_good(candidate: EvaluationReport, incumbent: EvaluationReport) -> bool:
    """The promotion rule: macro-F1 first, accuracy breaks a tie; equal is good enough."""
    return (candidate.macro_f1, candidate.accuracy) >= (incumbent.macro_f1, incumbent.accuracy)
