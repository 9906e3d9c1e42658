"""Turns a version's raw probabilities on the validation and test splits into its calibration and thresholds.

Why validation and test play different parts: the temperature and the thresholds are fitted on validation, and
test - which fitted neither - judges them: the temperature is kept only where it lowers the test ECE, and the
thresholds' coverage and precision are reported on test. Plain Python over the domain's rules, so the fake
trainer of the unit tests measures exactly as the real one does.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.calibration import (
    apply_temperature,
    choose_calibration,
    reliability_bins,
    top_predictions,
)
from domain.decision_thresholds import ThresholdTable, ValidationPoint, coverage_report
from domain.decisions import DEFAULT_TARGET_PRECISION
from domain.training_reports import CalibrationReport

UNKNOWN_LABEL = -1
"""The true index of a ticket whose label the version does not know: always counted as wrong."""


def measure_calibration(
    labels: Sequence[str],
    validation_rows: Sequence[Sequence[float]],
    validation_labels: Sequence[str],
    test_rows: Sequence[Sequence[float]],
    test_labels: Sequence[str],
    target_precision: float = DEFAULT_TARGET_PRECISION,
) -> tuple[CalibrationReport, ThresholdTable]:
    """The report and the threshold table of a version whose raw probability rows (in `labels` order) on the
    two splits are given with their true labels. Validation tickets of a label the version does not know
    cannot fit a temperature and are left out of the fit; they still count (as wrong) in the thresholds.
    Raises ValueError when no validation ticket has a known label or the test split is empty."""
    index = {label: position for position, label in enumerate(labels)}
    validation_truth = [index.get(label, UNKNOWN_LABEL) for label in validation_labels]
    test_truth = [index.get(label, UNKNOWN_LABEL) for label in test_labels]
    known = [i for i, truth in enumerate(validation_truth) if truth != UNKNOWN_LABEL]
    calibration = choose_calibration(
        [validation_rows[i] for i in known], [validation_truth[i] for i in known], test_rows, test_truth
    )
    fitted = [apply_temperature(row, calibration.fitted_temperature) for row in test_rows]
    served_validation = [apply_temperature(row, calibration.temperature) for row in validation_rows]
    served_test = fitted if calibration.applied else [list(row) for row in test_rows]
    table = ThresholdTable.from_points(_points(labels, served_validation, validation_truth))
    report = CalibrationReport(
        calibration=calibration,
        reliability_before=reliability_bins(*top_predictions(test_rows, test_truth)),
        reliability_after=reliability_bins(*top_predictions(fitted, test_truth)),
        coverage=coverage_report(table, target_precision, _points(labels, served_test, test_truth)),
    )
    return report, table


def _points(labels: Sequence[str], rows: Sequence[Sequence[float]], truth: Sequence[int]) -> list[ValidationPoint]:
    confidences, correct = top_predictions(rows, truth)
    predicted = [max(range(len(row)), key=row.__getitem__) for row in rows]
    return [
        ValidationPoint(labels[best], confidence, is_correct)
        for best, confidence, is_correct in zip(predicted, confidences, correct, strict=True)
    ]
