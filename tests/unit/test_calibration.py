"""Calibration error, reliability bins and temperature scaling behave as their contracts say."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.calibration import (
    apply_temperature,
    choose_calibration,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
    top_predictions,
)

confidences = st.floats(0.0, 1.0, allow_nan=False)


def _softmax(values: list[float]) -> list[float]:
    top = max(values)
    exponentials = [math.exp(v - top) for v in values]
    return [e / sum(exponentials) for e in exponentials]


# --- expected calibration error and reliability bins ---------------------------------------------------------


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 12)), min_size=1, max_size=30))
def test_ece_of_exactly_calibrated_predictions_is_zero(fractions: list[tuple[int, int]]) -> None:
    # For each fraction k/n: n predictions at confidence k/n of which exactly k are right. Within any bin the
    # mean confidence and the accuracy are then the same weighted average, so every bin's gap is zero.
    confidence, correct = [], []
    for right, total in fractions:
        right = min(right, total)
        confidence += [right / total] * total
        correct += [True] * right + [False] * (total - right)
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.0, abs=1e-12)


def test_ece_of_sampled_calibrated_predictions_is_small() -> None:
    rng = random.Random(7)
    confidence = [rng.random() for _ in range(20_000)]
    correct = [rng.random() < c for c in confidence]
    # Only sampling noise remains: of the order of sqrt(1/4 / (20,000 / 15)) per bin, i.e. about 0.014.
    assert expected_calibration_error(confidence, correct) < 0.03


def test_ece_of_certain_and_always_wrong_is_one_and_of_a_constant_is_its_gap() -> None:
    assert expected_calibration_error([1.0] * 5, [False] * 5) == 1.0
    # Confidence 0.9 everywhere, 6 of 10 right: one bin, gap |0.6 - 0.9|.
    assert expected_calibration_error([0.9] * 10, [True] * 6 + [False] * 4) == pytest.approx(0.3)


@given(st.lists(st.tuples(confidences, st.booleans()), min_size=1, max_size=200), st.integers(1, 30))
def test_ece_is_the_count_weighted_gap_of_the_reliability_bins(points: list[tuple[float, bool]], bins: int) -> None:
    confidence = [c for c, _ in points]
    correct = [ok for _, ok in points]
    table = reliability_bins(confidence, correct, bins)
    assert len(table) == bins
    assert sum(b.count for b in table) == len(points)
    assert [b.lower for b in table] == [k / bins for k in range(bins)]
    weighted = sum(
        b.count * abs(b.accuracy - b.mean_confidence)
        for b in table
        if b.accuracy is not None and b.mean_confidence is not None
    ) / len(points)
    ece = expected_calibration_error(confidence, correct, bins)
    assert ece == pytest.approx(weighted)
    assert 0.0 <= ece <= 1.0
    for b in table:
        if b.count:
            assert b.mean_confidence is not None and b.lower <= b.mean_confidence <= b.upper
        else:
            assert b.mean_confidence is None and b.accuracy is None


def test_bins_are_closed_below_and_the_last_one_holds_one() -> None:
    table = reliability_bins([0.0, 0.2, 1.0], [True, True, True], bins=5)
    assert [b.count for b in table] == [1, 1, 0, 0, 1]  # 0.2 opens the second bin [0.2, 0.4)


@pytest.mark.parametrize(
    ("confidence", "correct", "bins"),
    [([0.5], [True, False], 15), ([], [], 15), ([0.5], [True], 0), ([1.5], [True], 15), ([-0.1], [True], 15)],
)
def test_ece_refuses_malformed_input(confidence: list[float], correct: list[bool], bins: int) -> None:
    with pytest.raises(ValueError):
        expected_calibration_error(confidence, correct, bins)


def test_top_predictions_take_the_first_highest_and_an_unknown_truth_is_wrong() -> None:
    rows = [[0.2, 0.5, 0.3], [0.4, 0.4, 0.2], [0.9, 0.1]]
    assert top_predictions(rows, [1, 1, 5]) == ([0.5, 0.4, 0.9], [True, False, False])
    with pytest.raises(ValueError):
        top_predictions(rows, [0])


# --- temperature scaling -------------------------------------------------------------------------------------

rows = (
    st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=2, max_size=8)
    .filter(lambda r: sum(r) > 0.01)
    .map(lambda r: [p / sum(r) for p in r])
)


@given(rows)
def test_temperature_one_returns_the_row_unchanged(row: list[float]) -> None:
    assert apply_temperature(row, 1.0) == row


@given(rows, st.floats(0.05, 20.0))
def test_temperature_keeps_a_distribution_and_the_order_of_labels(row: list[float], temperature: float) -> None:
    scaled = apply_temperature(row, temperature)
    assert sum(scaled) == pytest.approx(1.0)
    assert all(p >= 0.0 for p in scaled)
    for i in range(len(row)):
        for j in range(len(row)):
            if row[i] > row[j]:
                assert scaled[i] >= scaled[j]


@given(rows, st.floats(0.05, 20.0), st.floats(0.05, 20.0))
def test_a_higher_temperature_never_raises_the_top_confidence(row: list[float], t1: float, t2: float) -> None:
    low, high = sorted((t1, t2))
    assert max(apply_temperature(row, high)) <= max(apply_temperature(row, low)) + 1e-12


@pytest.mark.parametrize("temperature", [0.0, -1.0, math.inf, math.nan])
def test_temperature_must_be_positive_and_finite(temperature: float) -> None:
    with pytest.raises(ValueError):
        apply_temperature([0.5, 0.5], temperature)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(1, 6), min_size=2, max_size=4), min_size=1, max_size=3),
    st.floats(0.2, 5.0),
)
def test_fit_recovers_the_sharpening_exactly_when_frequencies_are_known(blocks: list[list[int]], s: float) -> None:
    # Each block is a ticket type whose true label distribution is q = counts / sum(counts): it contributes
    # counts[j] rows labelled j. The model reports p = softmax(s * log q), i.e. q sharpened (s > 1) or softened
    # (s < 1). Temperature scaling gives softmax(log p / T) = softmax((s / T) * log q), which equals q exactly at
    # T = s; since cross-entropy against q is smallest at q itself, the likelihood's minimum is at T = s
    # (not 1 / s: dividing the log-probabilities by T undoes a multiplication of the logits by s).
    assume(any(len(set(counts)) > 1 for counts in blocks))  # all-uniform blocks leave T undetermined
    probability_rows: list[list[float]] = []
    truth: list[int] = []
    for counts in blocks:
        reported = _softmax([s * math.log(c / sum(counts)) for c in counts])
        for label, count in enumerate(counts):
            probability_rows += [reported] * count
            truth += [label] * count
    assert fit_temperature(probability_rows, truth) == pytest.approx(s, rel=1e-3)


@pytest.mark.parametrize("sharpening", [0.5, 2.5])
def test_fit_recovers_the_sharpening_of_a_sampled_over_or_under_confident_model(sharpening: float) -> None:
    rng = random.Random(11)
    probability_rows, truth = [], []
    for _ in range(3_000):
        logits = [rng.gauss(0.0, 2.0) for _ in range(4)]
        truth.append(rng.choices(range(4), weights=_softmax(logits))[0])
        probability_rows.append(_softmax([sharpening * z for z in logits]))
    fitted = fit_temperature(probability_rows, truth)
    assert fitted == pytest.approx(sharpening, rel=0.1)
    # And the scaled probabilities are better calibrated than the raw ones.
    scaled = [apply_temperature(row, fitted) for row in probability_rows]
    assert expected_calibration_error(*top_predictions(scaled, truth)) < expected_calibration_error(
        *top_predictions(probability_rows, truth)
    )


def test_fit_is_deterministic_stays_in_bounds_and_survives_zero_probabilities() -> None:
    probability_rows = [[1.0, 0.0], [0.0, 1.0], [0.9, 0.1]]
    truth = [0, 1, 0]
    fitted = fit_temperature(probability_rows, truth)
    assert fitted == fit_temperature(probability_rows, truth)
    assert 0.05 <= fitted <= 20.0
    assert fitted == pytest.approx(0.05, rel=1e-3)  # always right: sharper is always likelier, up to the bound


@pytest.mark.parametrize(
    ("probability_rows", "truth", "bounds"),
    [
        ([], [], (0.05, 20.0)),
        ([[0.5, 0.5]], [2], (0.05, 20.0)),
        ([[0.5, 0.5]], [0, 1], (0.05, 20.0)),
        ([[0.5, 0.5]], [0], (2.0, 1.0)),
        ([[0.5, 0.5]], [0], (0.0, 1.0)),
    ],
)
def test_fit_refuses_malformed_input(
    probability_rows: list[list[float]], truth: list[int], bounds: tuple[float, float]
) -> None:
    with pytest.raises(ValueError):
        fit_temperature(probability_rows, truth, bounds)


def test_calibration_is_kept_only_where_it_lowers_the_test_error() -> None:
    rng = random.Random(3)
    probability_rows, truth = [], []
    for _ in range(2_000):
        logits = [rng.gauss(0.0, 2.0) for _ in range(3)]
        truth.append(rng.choices(range(3), weights=_softmax(logits))[0])
        probability_rows.append(_softmax([3.0 * z for z in logits]))
    half = len(truth) // 2
    kept = choose_calibration(probability_rows[:half], truth[:half], probability_rows[half:], truth[half:])
    assert kept.applied and kept.temperature == kept.fitted_temperature > 1.0
    assert kept.test_ece_after < kept.test_ece_before
    # A test split that is already exactly calibrated (0.75 confidence, 3 of 4 right) only gets worse.
    calibrated_test = [[0.75, 0.25]] * 4
    refused = choose_calibration(probability_rows[:half], truth[:half], calibrated_test, [0, 0, 0, 1])
    assert not refused.applied and refused.temperature == 1.0
    assert refused.test_ece_after > refused.test_ece_before
    assert refused.to_json()["temperature"] == 1.0
