"""Calibration and decision-coverage measurements as the retraining job records them, for the admin page tests."""

from __future__ import annotations

from domain.calibration import Calibration, ReliabilityBin
from domain.decision_thresholds import CoverageReport, LabelCoverage
from domain.metrics import EvaluationReport, evaluate
from domain.training_reports import CalibrationReport

HOSTILE_LABEL = "<script>alert(1)</script> & co"


def reliability(counts: list[int], shift: float) -> tuple[ReliabilityBin, ...]:
    """Fifteen bins; an empty bin has no mean confidence or accuracy, as the job writes it."""
    bins = []
    for index, count in enumerate(counts):
        lower, upper = index / 15, (index + 1) / 15
        middle = (lower + upper) / 2
        accuracy = None if count == 0 else max(0.0, min(1.0, middle - shift))
        bins.append(ReliabilityBin(lower, upper, count, None if count == 0 else middle, accuracy))
    return tuple(bins)


def trust_report(applied: bool = True) -> CalibrationReport:
    counts = [0] * 5 + [2, 3, 0, 5, 8, 13, 21, 34, 55, 1200]
    lines = (
        LabelCoverage("Access", 0.8125, 40, 30, 29),
        LabelCoverage(HOSTILE_LABEL, None, 12, 0, 0),
    )
    return CalibrationReport(
        calibration=Calibration(1.375 if applied else 1.0, 1.375, 0.0871, 0.0213 if applied else 0.0991),
        reliability_before=reliability(counts, 0.12),
        reliability_after=reliability(counts, 0.02),
        coverage=CoverageReport(0.95, lines, LabelCoverage(None, None, 52, 30, 29)),
    )


def evaluation(accuracy: float) -> EvaluationReport:
    """A hundred test tickets of two labels, right as often as `accuracy` says (to the hundredth), the mistakes
    shared evenly between the labels (so macro-F1 equals accuracy)."""
    wrong = round((1 - accuracy) * 100)
    truth = ["Access"] * 50 + ["Hardware"] * 50
    mistaken = set(range(wrong // 2)) | set(range(50, 50 + wrong - wrong // 2))
    swapped = {"Access": "Hardware", "Hardware": "Access"}
    return evaluate(truth, [swapped[label] if n in mistaken else label for n, label in enumerate(truth)])
