"""What a run's or a version's calibration and decision-coverage metrics say, read for the admin pages.

The retraining job stores them as JSON (metrics["calibration"], metrics["decision_coverage"]); runs and versions
from before it did have neither key, so every reader here answers None for "not measured" instead of failing,
and skips a malformed entry rather than showing a made-up figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.calibration import ReliabilityBin


@dataclass(frozen=True, slots=True)
class CalibrationView:
    temperature: float | None
    """What serving applies (1.0 = confidences left as the model gives them)."""
    fitted_temperature: float | None
    ece_before: float | None
    ece_after: float | None
    applied: bool
    before: tuple[ReliabilityBin, ...]
    after: tuple[ReliabilityBin, ...]

    @property
    def served_ece(self) -> float | None:
        """The test ECE of the confidences serving answers with: after the temperature only where it is applied."""
        return self.ece_after if self.applied else self.ece_before


@dataclass(frozen=True, slots=True)
class CoverageLine:
    label: str | None
    """None for the overall line."""
    threshold: float | None
    """None where the label is never decided automatically (and on the overall line)."""
    coverage: float | None
    precision: float | None
    """None where nothing was decided automatically."""
    automatic: int | None
    support: int | None


@dataclass(frozen=True, slots=True)
class CoverageView:
    target_precision: float | None
    overall: CoverageLine
    per_label: tuple[CoverageLine, ...]


def calibration_of(metrics: Mapping[str, Any]) -> CalibrationView | None:
    data = metrics.get("calibration")
    if not isinstance(data, Mapping):
        return None
    return CalibrationView(
        temperature=_number(data.get("temperature")),
        fitted_temperature=_number(data.get("fitted_temperature")),
        ece_before=_number(data.get("test_ece_before")),
        ece_after=_number(data.get("test_ece_after")),
        applied=data.get("applied") is True,
        before=_bins(data.get("reliability_before")),
        after=_bins(data.get("reliability_after")),
    )


def coverage_of(metrics: Mapping[str, Any]) -> CoverageView | None:
    data = metrics.get("decision_coverage")
    if not isinstance(data, Mapping):
        return None
    per_label = data.get("per_label")
    lines = (
        tuple(_line(str(label), entry) for label, entry in per_label.items() if isinstance(entry, Mapping))
        if isinstance(per_label, Mapping)
        else ()
    )
    overall = data.get("overall")
    return CoverageView(
        target_precision=_number(data.get("target_precision")),
        overall=_line(None, overall if isinstance(overall, Mapping) else {}),
        per_label=lines,
    )


def ece_of(metrics: Mapping[str, Any]) -> float | None:
    """A run's summary "ece", else the served ECE of its (or a version's) calibration; None when not measured."""
    summary = _number(metrics.get("ece"))
    if summary is not None:
        return summary
    calibration = calibration_of(metrics)
    return calibration.served_ece if calibration is not None else None


def _line(label: str | None, data: Mapping[str, Any]) -> CoverageLine:
    return CoverageLine(
        label=label,
        threshold=_number(data.get("threshold")),
        coverage=_number(data.get("coverage")),
        precision=_number(data.get("precision")),
        automatic=_count(data.get("automatic")),
        support=_count(data.get("support")),
    )


def _bins(data: object) -> tuple[ReliabilityBin, ...]:
    if not isinstance(data, list):
        return ()
    bins = []
    for entry in data:
        if not isinstance(entry, Mapping):
            continue
        lower, upper, count = _number(entry.get("lower")), _number(entry.get("upper")), _count(entry.get("count"))
        if lower is None or upper is None or count is None or not 0.0 <= lower < upper <= 1.0:
            continue
        mean_confidence, accuracy = _share(entry.get("mean_confidence")), _share(entry.get("accuracy"))
        bins.append(ReliabilityBin(lower, upper, count, mean_confidence, accuracy))
    return tuple(bins)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _share(value: object) -> float | None:
    number = _number(value)
    return number if number is not None and 0.0 <= number <= 1.0 else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
