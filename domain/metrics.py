"""Classification metrics, in plain Python: the one definition used for validation, promotion and benchmarks.

Macro-F1 here is the unweighted mean of the per-label F1 scores over the labels the model knows that occur in the
truth or in the predictions (scikit-learn's `f1_score(average="macro", zero_division=0)` with its default label
set). A known label that neither occurs nor is predicted says nothing about the model and is left out, so adding
a topic with no test tickets does not drag the score down; a label that is predicted but never true counts with
F1 0, so inventing a topic is penalised. Per-label precision (recall) is 0 when the label is never predicted
(never true). Figures are rounded to 6 decimals so stored reports compare equal across runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.stored_json import JsonObject, array, count, number, obj, required, text


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

    @classmethod
    def from_json(cls, data: JsonObject) -> EvaluationReport:
        """The report `to_json` wrote; raises `domain.stored_json.Unreadable` for anything else."""
        per_label = obj(data.get("per_label"), "per_label")
        return cls(
            accuracy=required(number(data.get("accuracy")), "accuracy"),
            macro_f1=required(number(data.get("macro_f1")), "macro_f1"),
            per_label={str(label): _label_metrics(obj(m, str(label))) for label, m in per_label.items()},
            labels=tuple(required(text(label), "labels") for label in array(data.get("labels"), "labels")),
            confusion_matrix=tuple(
                tuple(required(count(cell), "confusion_matrix") for cell in array(row, "confusion_matrix"))
                for row in array(data.get("confusion_matrix"), "confusion_matrix")
            ),
            size=required(count(data.get("size")), "size"),
        )


def _label_metrics(data: JsonObject) -> LabelMetrics:
    return LabelMetrics(
        precision=required(number(data.get("precision")), "precision"),
        recall=required(number(data.get("recall")), "recall"),
        f1=required(number(data.get("f1")), "f1"),
        support=required(count(data.get("support")), "support"),
    )


def evaluate(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None) -> EvaluationReport:
    """Accuracy, macro-F1 (as the module defines it), per-label figures and the confusion matrix.

    `labels` are the labels the model knows, in the order the report lists them (keeping confusion matrices of
    one model comparable between runs); every label in `y_true` and `y_pred` must be among them, since silently
    dropping one would overstate accuracy. None means the sorted labels that occur in either.
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}")
    if not y_true:
        raise ValueError("cannot evaluate on an empty test set")
    occurring = set(y_true) | set(y_pred)
    known = tuple(labels) if labels is not None else tuple(sorted(occurring))
    index = {label: i for i, label in enumerate(known)}
    if len(index) != len(known):
        raise ValueError("labels must be unique")
    unknown = occurring - set(index)
    if unknown:
        raise ValueError(f"labels not in the label list: {sorted(unknown)}")
    matrix = [[0] * len(known) for _ in known]
    for truth, guess in zip(y_true, y_pred, strict=True):
        matrix[index[truth]][index[guess]] += 1
    per_label: dict[str, LabelMetrics] = {}
    f1_scores: list[float] = []
    for label, i in index.items():
        true_positive = matrix[i][i]
        predicted = sum(row[i] for row in matrix)
        actual = sum(matrix[i])
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = LabelMetrics(round(precision, 6), round(recall, 6), round(f1, 6), actual)
        if label in occurring:
            f1_scores.append(f1)
    correct = sum(matrix[i][i] for i in range(len(known)))
    return EvaluationReport(
        accuracy=round(correct / len(y_true), 6),
        macro_f1=round(sum(f1_scores) / len(f1_scores), 6),
        per_label=per_label,
        labels=known,
        confusion_matrix=tuple(tuple(row) for row in matrix),
        size=len(y_true),
    )


def at_least_as_good(candidate: EvaluationReport, incumbent: EvaluationReport) -> bool:
    """The promotion rule: macro-F1 first, accuracy breaks a tie; equal is good enough."""
    return (candidate.macro_f1, candidate.accuracy) >= (incumbent.macro_f1, incumbent.accuracy)
