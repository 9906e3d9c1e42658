"""Calibration and decision-coverage metrics as the retraining job writes them, for the admin page tests."""

from __future__ import annotations

from application.ports.model_trainer import CalibrationReport
from domain.calibration import Calibration, ReliabilityBin
from domain.decision_thresholds import CoverageReport, LabelCoverage

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


def trust_metrics(applied: bool = True) -> dict[str, object]:
    counts = [0] * 5 + [2, 3, 0, 5, 8, 13, 21, 34, 55, 1200]
    lines = (
        LabelCoverage("Access", 0.8125, 40, 30, 29),
        LabelCoverage(HOSTILE_LABEL, None, 12, 0, 0),
    )
    report = CalibrationReport(
        calibration=Calibration(1.375 if applied else 1.0, 1.375, 0.0871, 0.0213 if applied else 0.0991),
        reliability_before=reliability(counts, 0.12),
        reliability_after=reliability(counts, 0.02),
        coverage=CoverageReport(0.95, lines, LabelCoverage(None, None, 52, 30, 29)),
    )
    return {"calibration": report.calibration_json(), "decision_coverage": report.coverage_json()}
