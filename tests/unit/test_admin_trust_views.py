"""The admin pages read calibration and decision-coverage metrics as the job writes them, and read "not measured"
from runs and versions recorded before it did, or from entries they cannot make sense of."""

from __future__ import annotations

import pytest

from adapters.inbound.http.admin.trust_views import calibration_of, coverage_of, ece_of
from tests.unit.trust_metrics import HOSTILE_LABEL, trust_metrics


def test_the_job_s_calibration_metrics_read_back_whole() -> None:
    calibration = calibration_of(trust_metrics())
    assert calibration is not None and calibration.applied
    assert (calibration.temperature, calibration.fitted_temperature) == (1.375, 1.375)
    assert (calibration.ece_before, calibration.ece_after, calibration.served_ece) == (0.0871, 0.0213, 0.0213)
    assert len(calibration.before) == len(calibration.after) == 15
    assert calibration.before[0].count == 0 and calibration.before[0].accuracy is None
    assert calibration.before[-1].count == 1200


def test_a_temperature_not_applied_serves_the_ece_before() -> None:
    calibration = calibration_of(trust_metrics(applied=False))
    assert calibration is not None and not calibration.applied and calibration.served_ece == 0.0871
    assert ece_of(trust_metrics(applied=False)) == 0.0871


def test_the_job_s_coverage_metrics_read_back_whole() -> None:
    coverage = coverage_of(trust_metrics())
    assert coverage is not None and coverage.target_precision == 0.95
    access, hostile = coverage.per_label
    assert (access.label, access.threshold, access.coverage, access.automatic, access.support) == (
        "Access",
        0.8125,
        0.75,
        30,
        40,
    )
    assert (hostile.label, hostile.threshold, hostile.precision, hostile.coverage) == (HOSTILE_LABEL, None, None, 0.0)
    assert (coverage.overall.automatic, coverage.overall.support) == (30, 52)


def test_a_run_s_summary_ece_comes_first() -> None:
    assert ece_of({"ece": 0.03, **trust_metrics()}) == 0.03


def test_metrics_from_before_calibration_are_not_measured() -> None:
    old = {"test": {"accuracy": 0.8}, "accuracy": 0.8}
    assert calibration_of(old) is None and coverage_of(old) is None and ece_of(old) is None


@pytest.mark.parametrize(
    "broken",
    [
        {"calibration": "yes", "decision_coverage": [1, 2]},
        {
            "calibration": {"test_ece_before": "0.1", "reliability_before": "bins", "applied": "true"},
            "decision_coverage": {"per_label": {"A": "x", "B": {"coverage": True, "threshold": float("nan")}}},
        },
    ],
)
def test_malformed_entries_are_skipped_not_made_up(broken: dict[str, object]) -> None:
    calibration, coverage = calibration_of(broken), coverage_of(broken)
    if calibration is not None:
        assert calibration.ece_before is None and calibration.before == () and not calibration.applied
    if coverage is not None:
        assert [line.label for line in coverage.per_label] == ["B"]
        assert coverage.per_label[0].coverage is None and coverage.per_label[0].threshold is None
    assert ece_of(broken) is None


def test_bins_outside_zero_to_one_or_without_counts_are_dropped() -> None:
    bins = [
        {"lower": -0.1, "upper": 0.2, "count": 1},
        {"lower": 0.2, "upper": 0.4, "count": -3},
        {"lower": 0.4, "upper": 0.6, "count": 2, "mean_confidence": 0.5, "accuracy": 2.0},
    ]
    calibration = calibration_of({"calibration": {"reliability_after": bins}})
    assert calibration is not None and len(calibration.after) == 1 and calibration.after[0].accuracy is None
