"""Per-label thresholds are the lowest safe cut, survive JSON, and their coverage is measured honestly."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.decision_thresholds import (
    InvalidThresholdTable,
    ThresholdTable,
    ValidationPoint,
    coverage_report,
)

# Confidences on a coarse grid, so ties (several predictions at one confidence) are common.
graded = st.integers(0, 40).map(lambda k: k / 40)
label_points = st.lists(st.tuples(graded, st.booleans()), max_size=80)
targets = st.sampled_from([0.5, 0.8, 0.9, 0.95, 1.0])


def _points(label: str, pairs: list[tuple[float, bool]]) -> list[ValidationPoint]:
    return [ValidationPoint(label, confidence, correct) for confidence, correct in pairs]


def _above(pairs: list[tuple[float, bool]], cut: float) -> tuple[int, int]:
    taken = [ok for confidence, ok in pairs if confidence >= cut]
    return len(taken), sum(taken)


def _brute_force(pairs: list[tuple[float, bool]], target: float, min_support: int) -> float | None:
    """The rule read literally: the lowest confidence whose own cut and every higher cut with enough support
    reach the target, and which itself has enough support."""
    cuts = sorted({confidence for confidence, _ in pairs})
    for cut in cuts:
        if _above(pairs, cut)[0] < min_support:
            continue
        higher = [c for c in cuts if c >= cut and _above(pairs, c)[0] >= min_support]
        if all(_above(pairs, c)[1] >= target * _above(pairs, c)[0] - 1e-9 for c in higher):
            return cut
    return None


@given(label_points, targets, st.integers(1, 25))
def test_threshold_is_exactly_the_lowest_safe_cut(pairs: list[tuple[float, bool]], target: float, support: int) -> None:
    table = ThresholdTable.from_points(_points("A", pairs), min_support=support)
    assert table.threshold_for("A", target) == _brute_force(pairs, target, support)


@given(label_points, targets, st.integers(1, 25))
def test_precision_above_the_threshold_meets_the_target_and_one_step_lower_would_not(
    pairs: list[tuple[float, bool]], target: float, support: int
) -> None:
    threshold = ThresholdTable.from_points(_points("A", pairs), min_support=support).threshold_for("A", target)
    if threshold is None:
        return
    assert threshold in {confidence for confidence, _ in pairs}
    taken, right = _above(pairs, threshold)
    assert taken >= support and right >= target * taken - 1e-9
    lower = [confidence for confidence, _ in pairs if confidence < threshold]
    if lower:  # never lower than needed: the next cut down misses the target
        taken, right = _above(pairs, max(lower))
        assert right < target * taken - 1e-9


def test_threshold_admits_errors_while_the_precision_holds() -> None:
    wrong = [(0.50 + k / 100, False) for k in range(10)]  # 0.50 .. 0.59
    right = [(0.60 + k / 100, True) for k in range(40)]  # 0.60 .. 0.99
    table = ThresholdTable.from_points(_points("Hardware", wrong + right), min_support=20)
    # From 0.58: 40 of 42 right (0.952); from 0.57: 40 of 43 (0.930).
    assert table.threshold_for("Hardware", 0.95) == 0.58
    assert table.threshold_for("Hardware", 1.0) == 0.60


def test_a_lucky_dip_below_unreliable_top_predictions_is_never_automatic() -> None:
    top = [(0.80 + k / 100, k >= 3) for k in range(20)]  # the 20 most confident: 3 wrong, precision 0.85
    below = [(0.30 + k / 1000, True) for k in range(200)]  # all right: overall precision 217 / 220
    table = ThresholdTable.from_points(_points("Access", top + below), min_support=20)
    assert table.threshold_for("Access", 0.95) is None
    assert table.threshold_for("Access", 0.85) == 0.30


def test_thin_labels_and_unknown_labels_are_never_automatic() -> None:
    perfect = _points("Purchase", [(0.9, True)] * 19)
    assert ThresholdTable.from_points(perfect, min_support=20).threshold_for("Purchase", 0.95) is None
    assert ThresholdTable.from_points(perfect, min_support=10).threshold_for("Purchase", 0.95) == 0.9
    assert ThresholdTable.from_points([]).threshold_for("Purchase", 0.95) is None


def test_tied_confidences_are_all_in_or_all_out() -> None:
    tied = [(0.9, True)] * 24 + [(0.9, False)]  # 24 of 25 right at one confidence: 0.96
    table = ThresholdTable.from_points(_points("HR Support", tied), min_support=20)
    assert table.threshold_for("HR Support", 0.95) == 0.9
    assert table.threshold_for("HR Support", 0.97) is None


def test_target_must_lie_in_the_unit_interval_and_points_must_be_probabilities() -> None:
    table = ThresholdTable.from_points(_points("A", [(0.9, True)]))
    for target in (0.0, -0.5, 1.01):
        with pytest.raises(ValueError):
            table.threshold_for("A", target)
    with pytest.raises(ValueError):
        ThresholdTable.from_points(_points("A", [(1.2, True)]))
    with pytest.raises(ValueError):
        ThresholdTable({}, min_support=0)


def test_allows_compares_rounded_like_the_stored_points() -> None:
    table = ThresholdTable.from_points(_points("A", [(0.8000004, True)] * 20), min_support=20)
    assert table.threshold_for("A", 0.95) == 0.8
    assert table.allows("A", 0.7999996, 0.95)  # rounds to 0.8
    assert not table.allows("A", 0.7999, 0.95)
    assert not table.allows("B", 1.0, 0.95)


@given(st.dictionaries(st.sampled_from(["A", "B", "Café ☕"]), label_points, max_size=3), st.integers(1, 30))
def test_json_round_trip_is_lossless(by_label: dict[str, list[tuple[float, bool]]], support: int) -> None:
    table = ThresholdTable.from_points(
        [point for label, pairs in by_label.items() for point in _points(label, pairs)], min_support=support
    )
    restored = ThresholdTable.from_json(json.loads(json.dumps(table.to_json())))
    assert restored == table
    assert restored.thresholds(0.9) == table.thresholds(0.9)


def test_json_is_compact_and_rounded() -> None:
    table = ThresholdTable.from_points([ValidationPoint("A", 0.123456789, True), ValidationPoint("A", 0.1, False)])
    assert table.to_json() == {
        "format": 1,
        "min_support": 20,
        "labels": {"A": {"confidence": [0.1, 0.123457], "correct": "01"}},
    }


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"format": 2, "min_support": 20, "labels": {}},
        {"format": 1, "min_support": "20", "labels": {}},
        {"format": 1, "min_support": 0, "labels": {}},
        {"format": 1, "min_support": 20, "labels": []},
        {"format": 1, "min_support": 20, "labels": {"A": {"confidence": [0.5], "correct": "10"}}},
        {"format": 1, "min_support": 20, "labels": {"A": {"confidence": [0.5], "correct": "x"}}},
        {"format": 1, "min_support": 20, "labels": {"A": {"confidence": [0.6, 0.5], "correct": "11"}}},
        {"format": 1, "min_support": 20, "labels": {"A": {"confidence": [1.5], "correct": "1"}}},
        {"format": 1, "min_support": 20, "labels": {"A": {"confidence": ["0.5"], "correct": "1"}}},
        {"format": 1, "min_support": 20, "labels": {"A": [0.5]}},
    ],
)
def test_from_json_refuses_what_to_json_never_writes(data: object) -> None:
    with pytest.raises(InvalidThresholdTable):
        ThresholdTable.from_json(data)


@given(st.dictionaries(st.sampled_from(["A", "B", "C"]), label_points, max_size=3), targets, st.integers(1, 25))
def test_on_its_own_validation_points_every_automatic_label_meets_the_target(
    by_label: dict[str, list[tuple[float, bool]]], target: float, support: int
) -> None:
    points = [point for label, pairs in by_label.items() for point in _points(label, pairs)]
    report = coverage_report(ThresholdTable.from_points(points, min_support=support), target, points)
    for line in report.per_label:
        if line.threshold is None:
            assert line.automatic == 0
        else:
            assert line.automatic >= support
            assert line.precision is not None and line.precision >= target - 1e-9
    assert report.overall.tickets == len(points)
    assert report.overall.automatic == sum(line.automatic for line in report.per_label)
    if report.overall.automatic:
        assert report.overall.precision is not None and report.overall.precision >= target - 1e-9


def test_coverage_report_measures_other_tickets_per_label_and_overall() -> None:
    validation = _points("A", [(0.5, False)] * 5 + [(0.8, True)] * 20) + _points("B", [(0.9, False)] * 20)
    table = ThresholdTable.from_points(validation, min_support=20)
    test = (
        _points("A", [(0.85, True), (0.81, False), (0.6, True), (0.8, True)])
        + _points("B", [(0.99, True)])
        + _points("C", [(0.99, True)])
    )
    report = coverage_report(table, 0.95, test)
    lines = {line.label: line for line in report.per_label}
    assert lines["A"].threshold == 0.8 and (lines["A"].tickets, lines["A"].automatic) == (4, 3)
    assert lines["A"].coverage == 0.75 and lines["A"].precision == pytest.approx(2 / 3)
    assert lines["B"].threshold is None and lines["B"].automatic == 0 and lines["B"].precision is None
    assert lines["C"].threshold is None and lines["C"].tickets == 1  # a label the table never saw
    assert (report.overall.tickets, report.overall.automatic, report.overall.correct_automatic) == (6, 3, 2)
    assert report.overall.coverage == 0.5 and report.target_precision == 0.95
