"""Classification metrics as plain JSON-able dicts, so a training run can store and report them as-is.

Why hand-rolled: a dozen lines of counting avoid importing scikit-learn into the worker just to score a model,
and the label order is explicit (the model's label list), which keeps confusion matrices comparable between runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def classification_report(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-label precision/recall/F1/support and the confusion matrix (rows: true, cols: predicted).

    Labels outside `labels` are an error: silently dropping them would overstate accuracy. A label with no
    predictions (or no true examples) gets precision (or recall) 0.0, like scikit-learn's zero_division=0.
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}")
    index = {label: position for position, label in enumerate(labels)}
    if len(index) != len(labels):
        raise ValueError("labels must be unique")
    unknown = (set(y_true) | set(y_pred)) - set(index)
    if unknown:
        raise ValueError(f"labels not in the label list: {sorted(unknown)}")
    size = len(labels)
    matrix = [[0] * size for _ in range(size)]
    for true, pred in zip(y_true, y_pred, strict=True):
        matrix[index[true]][index[pred]] += 1
    per_label: dict[str, dict[str, float | int]] = {}
    for position, label in enumerate(labels):
        hits = matrix[position][position]
        support = sum(matrix[position])
        predicted = sum(row[position] for row in matrix)
        precision = hits / predicted if predicted else 0.0
        recall = hits / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    total = len(y_true)
    correct = sum(matrix[position][position] for position in range(size))
    return {
        "n": total,
        "accuracy": correct / total if total else 0.0,
        "macro_f1": sum(float(item["f1"]) for item in per_label.values()) / size if size else 0.0,
        "per_label": per_label,
        "labels": list(labels),
        "confusion_matrix": matrix,
    }


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Share of exact matches (0.0 for empty input)."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}")
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true) if y_true else 0.0
