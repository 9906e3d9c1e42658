"""Per-label confidence thresholds above which a prediction may be acted on without a person.

A label's threshold is read off the validation split: each validation ticket gives a point (the label the model
predicted, its confidence, whether it was right). For a target precision, the threshold is the lowest confidence
from which the predictions of that label are right often enough - and stay so for every stricter cut, so the
threshold never sits in a lucky dip. A label that never gets there is never decided automatically.

The table keeps the points, not the thresholds, so a company's own target precision can be answered from the
same stored table; thresholds are computed once per (label, target) and remembered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_MIN_SUPPORT = 20
JSON_FORMAT = 1
_DIGITS = 6  # confidences are stored, compared and answered rounded like the API rounds them
_SLACK = 1e-9  # so a precision of exactly the target is not lost to float rounding


class InvalidThresholdTable(ValueError):
    """Stored data that is not a threshold table written by `ThresholdTable.to_json`."""


@dataclass(frozen=True, slots=True)
class ValidationPoint:
    """One prediction on a labelled ticket: the label the model chose, its confidence, and whether it was right."""

    label: str
    confidence: float
    correct: bool


@dataclass(frozen=True)
class ThresholdTable:
    """The validation points of each predicted label, sorted by confidence (ascending) and rounded to 6 digits.

    Build it with `from_points`; `threshold_for` answers per label and target precision. `min_support` is the
    fewest validation predictions a threshold must rest on. Immutable and safe to share between threads.
    """

    points: Mapping[str, tuple[tuple[float, bool], ...]]
    min_support: int = DEFAULT_MIN_SUPPORT
    # Remembered answers; a race between threads can only compute the same value twice.
    _cache: dict[tuple[str, float], float | None] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.min_support < 1:
            raise ValueError(f"min_support must be at least 1, got {self.min_support}")

    @classmethod
    def from_points(cls, points: Iterable[ValidationPoint], min_support: int = DEFAULT_MIN_SUPPORT) -> ThresholdTable:
        """Groups the points by predicted label. Raises ValueError for a confidence outside [0, 1]."""
        grouped: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        for point in points:
            if not 0.0 <= point.confidence <= 1.0:
                raise ValueError(f"confidence {point.confidence} of label {point.label!r} is outside [0, 1]")
            grouped[point.label].append((round(point.confidence, _DIGITS), bool(point.correct)))
        return cls({label: tuple(sorted(grouped[label])) for label in sorted(grouped)}, min_support)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.points)

    def threshold_for(self, label: str, target_precision: float) -> float | None:
        """The lowest validation confidence t of `label` such that, among the label's validation predictions
        with confidence >= t:
        - there are at least `min_support`, and
        - the share that were right is >= `target_precision`, and so is it for every higher cut that still
          keeps at least `min_support` predictions.
        None when no such t exists (or the label has no validation predictions): never decide it automatically.
        t is always one of the label's validation confidences. Raises ValueError unless 0 < target <= 1.
        """
        if not 0.0 < target_precision <= 1.0:
            raise ValueError(f"target precision must lie in (0, 1], got {target_precision}")
        key = (label, target_precision)
        if key not in self._cache:
            self._cache[key] = _lowest_safe_cut(self.points.get(label, ()), target_precision, self.min_support)
        return self._cache[key]

    def allows(self, label: str, confidence: float, target_precision: float) -> bool:
        """Whether a prediction of `label` with this confidence clears the label's threshold at the target
        (compared rounded to 6 digits, like the table's points); False for a label without a threshold."""
        threshold = self.threshold_for(label, target_precision)
        return threshold is not None and round(confidence, _DIGITS) >= threshold

    def thresholds(self, target_precision: float) -> dict[str, float | None]:
        """`threshold_for` of every label in the table, for one target."""
        return {label: self.threshold_for(label, target_precision) for label in self.points}

    def to_json(self) -> dict[str, object]:
        """Compact and lossless: per label the sorted confidences and a string of 1/0 for right/wrong."""
        return {
            "format": JSON_FORMAT,
            "min_support": self.min_support,
            "labels": {
                label: {
                    "confidence": [confidence for confidence, _ in points],
                    "correct": "".join("1" if correct else "0" for _, correct in points),
                }
                for label, points in self.points.items()
            },
        }

    @classmethod
    def from_json(cls, data: object) -> ThresholdTable:
        """The inverse of `to_json`; raises InvalidThresholdTable (a ValueError) when `data` is not such a table."""
        if not isinstance(data, Mapping) or data.get("format") != JSON_FORMAT:
            raise InvalidThresholdTable(f"not a threshold table of format {JSON_FORMAT}")
        min_support, labels = data.get("min_support"), data.get("labels")
        if isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 1:
            raise InvalidThresholdTable("a threshold table needs a positive integer min_support")
        if not isinstance(labels, Mapping):
            raise InvalidThresholdTable("a threshold table needs a labels mapping")
        points: dict[str, tuple[tuple[float, bool], ...]] = {}
        for label, entry in labels.items():
            points[str(label)] = _points_from_json(str(label), entry)
        return cls(points, min_support)


@dataclass(frozen=True, slots=True)
class LabelCoverage:
    """How one label (or, with label None, all tickets) fared at a target precision.

    `tickets` were predicted as the label; `automatic` of them cleared its threshold; `coverage` is
    automatic / tickets; `precision` is the share of the automatic ones that were right (None when none were).
    `threshold` is None for a label that is never automatic, and always None for the overall line.
    """

    label: str | None
    threshold: float | None
    tickets: int
    automatic: int
    correct_automatic: int

    @property
    def coverage(self) -> float:
        return self.automatic / self.tickets if self.tickets else 0.0

    @property
    def precision(self) -> float | None:
        return self.correct_automatic / self.automatic if self.automatic else None


@dataclass(frozen=True, slots=True)
class CoverageReport:
    target_precision: float
    per_label: tuple[LabelCoverage, ...]
    overall: LabelCoverage


def coverage_report(
    table: ThresholdTable, target_precision: float, points: Sequence[ValidationPoint]
) -> CoverageReport:
    """Measures the table on other labelled tickets (the test split, held-out tickets): per predicted label and
    overall, how many would have been decided automatically at `target_precision`, and how often those were
    right. A point is automatic when `table.allows` its label and confidence. Lines cover every label of the
    table or of the points, sorted by name."""
    by_label: dict[str, list[ValidationPoint]] = defaultdict(list)
    for point in points:
        by_label[point.label].append(point)
    lines = []
    for label in sorted(set(table.labels) | set(by_label)):
        threshold = table.threshold_for(label, target_precision)
        taken = [p for p in by_label[label] if table.allows(label, p.confidence, target_precision)]
        lines.append(LabelCoverage(label, threshold, len(by_label[label]), len(taken), sum(p.correct for p in taken)))
    overall = LabelCoverage(
        None,
        None,
        sum(line.tickets for line in lines),
        sum(line.automatic for line in lines),
        sum(line.correct_automatic for line in lines),
    )
    return CoverageReport(target_precision, tuple(lines), overall)


def _lowest_safe_cut(points: Sequence[tuple[float, bool]], target: float, min_support: int) -> float | None:
    """Walks the distinct confidences from the top down, counting the predictions at or above each; once a cut
    holds min_support predictions, every further cut must keep the precision, and the last that does wins."""
    support = right = 0
    found: float | None = None
    index = len(points) - 1
    while index >= 0:
        cut = points[index][0]
        while index >= 0 and points[index][0] == cut:  # ties are all in or all out
            support += 1
            right += 1 if points[index][1] else 0
            index -= 1
        if support < min_support:
            continue
        if right < target * support - _SLACK:
            break
        found = cut
    return found


def _points_from_json(label: str, entry: object) -> tuple[tuple[float, bool], ...]:
    if not isinstance(entry, Mapping):
        raise InvalidThresholdTable(f"label {label!r}: expected an object with confidence and correct")
    confidences, correct = entry.get("confidence"), entry.get("correct")
    if not isinstance(confidences, list) or not isinstance(correct, str) or len(confidences) != len(correct):
        raise InvalidThresholdTable(f"label {label!r}: confidence must be a list as long as the correct string")
    if set(correct) - {"0", "1"}:
        raise InvalidThresholdTable(f"label {label!r}: correct may hold only 0 and 1")
    values = []
    for value in confidences:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidThresholdTable(f"label {label!r}: confidences must be numbers")
        if not 0.0 <= value <= 1.0:
            raise InvalidThresholdTable(f"label {label!r}: confidence {value} is outside [0, 1]")
        values.append(float(value))
    if values != sorted(values):
        raise InvalidThresholdTable(f"label {label!r}: confidences must be sorted ascending")
    return tuple(zip(values, (flag == "1" for flag in correct), strict=True))
