"""How far a model's confidence can be taken at its word, and temperature scaling to make it more so.

A model is calibrated when, among the predictions it makes with confidence c, a share c is right. The blend of
the transformer and the linear model is not: its probabilities are an average of two models' opinions. Temperature
scaling rescales the blended log-probabilities by one number T fitted on the validation split,
softmax(log(p) / T): T > 1 softens over-confident probabilities, T < 1 sharpens under-confident ones, and the
ranking of the labels within a ticket never changes, so neither does the predicted label.

Plain Python (no numpy) so the rules can be read and tested without any ML library; the inputs are small
(a few thousand validation tickets times a few dozen labels).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DEFAULT_BINS = 15
PROBABILITY_FLOOR = 1e-12
"""Probabilities are clipped to at least this before taking the log, so a zero never yields -inf."""

TEMPERATURE_BOUNDS = (0.05, 20.0)
"""The search range of `fit_temperature`; far outside anything a sane model needs."""

_Objective = Callable[[float], float]
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_SEARCH_TOLERANCE = 1e-7  # on ln(T): the fitted T is exact to about one part in ten million


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """One bar of a reliability diagram: the predictions whose top-1 confidence fell in [lower, upper)
    (the last bin also holds 1.0). `mean_confidence` and `accuracy` are None for an empty bin."""

    lower: float
    upper: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


@dataclass(frozen=True, slots=True)
class Calibration:
    """The outcome of `choose_calibration`: `temperature` is what serving applies (1.0 = left as it is).

    `fitted_temperature` is the validation fit; it is applied only when it lowered the test split's ECE
    (`test_ece_after` < `test_ece_before`), so a calibrator never makes the confidence less trustworthy on
    tickets it was not fitted on.
    """

    temperature: float
    fitted_temperature: float
    test_ece_before: float
    test_ece_after: float

    @property
    def applied(self) -> bool:
        return self.temperature != 1.0

    def to_json(self) -> dict[str, object]:
        return {
            "method": "temperature",
            "temperature": self.temperature,
            "fitted_temperature": self.fitted_temperature,
            "test_ece_before": self.test_ece_before,
            "test_ece_after": self.test_ece_after,
            "bins": DEFAULT_BINS,
        }


def reliability_bins(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = DEFAULT_BINS
) -> tuple[ReliabilityBin, ...]:
    """Splits [0, 1] into `bins` equal-width bins and reports, per bin, how many predictions fell in it, their
    mean confidence and the share of them that were right.

    `confidences[i]` is the top-1 confidence of prediction i, `correct[i]` whether that prediction was right.
    Bin k holds confidences in [k / bins, (k + 1) / bins); the last bin is closed, so 1.0 falls in it.
    Raises ValueError for unequal lengths, no predictions, bins < 1, or a confidence outside [0, 1].
    """
    _check(confidences, correct, bins)
    counts = [0] * bins
    confidence_sums = [0.0] * bins
    right = [0] * bins
    for confidence, is_correct in zip(confidences, correct, strict=True):
        index = min(int(confidence * bins), bins - 1)
        counts[index] += 1
        confidence_sums[index] += confidence
        right[index] += 1 if is_correct else 0
    return tuple(
        ReliabilityBin(
            lower=k / bins,
            upper=(k + 1) / bins,
            count=counts[k],
            mean_confidence=confidence_sums[k] / counts[k] if counts[k] else None,
            accuracy=right[k] / counts[k] if counts[k] else None,
        )
        for k in range(bins)
    )


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = DEFAULT_BINS
) -> float:
    """ECE: the mean, weighted by the number of predictions in each bin, of |accuracy - mean confidence| over
    the equal-width bins of `reliability_bins` (same arguments, same errors). 0 is perfectly calibrated, 1 is
    the worst possible (always certain, always wrong)."""
    total = len(confidences)
    return sum(
        b.count / total * abs(b.accuracy - b.mean_confidence)
        for b in reliability_bins(confidences, correct, bins)
        if b.accuracy is not None and b.mean_confidence is not None
    )


def top_predictions(
    probability_rows: Sequence[Sequence[float]], true_indices: Sequence[int]
) -> tuple[list[float], list[bool]]:
    """The top-1 confidence of each row and whether its label (the first highest, on ties) is the true one.

    A true index outside the row (a label the model does not know) counts as wrong.
    """
    if len(probability_rows) != len(true_indices):
        raise ValueError(f"{len(probability_rows)} probability rows but {len(true_indices)} true labels")
    confidences: list[float] = []
    correct: list[bool] = []
    for row, truth in zip(probability_rows, true_indices, strict=True):
        best = max(range(len(row)), key=row.__getitem__)
        confidences.append(float(row[best]))
        correct.append(best == truth)
    return confidences, correct


def apply_temperature(probabilities: Sequence[float], temperature: float) -> list[float]:
    """softmax(log(p) / T) of one row of probabilities (each p clipped to at least PROBABILITY_FLOOR).

    T == 1 returns the row unchanged (as a list), bit for bit, so an uncalibrated version serves exactly the
    numbers it always did. The result sums to 1 and keeps the order of the labels' probabilities.
    Raises ValueError unless T is a finite number > 0.
    """
    _check_temperature(temperature)
    if temperature == 1.0:
        return [float(p) for p in probabilities]
    return _softmax([math.log(max(p, PROBABILITY_FLOOR)) / temperature for p in probabilities])


def fit_temperature(
    probability_rows: Sequence[Sequence[float]],
    true_indices: Sequence[int],
    bounds: tuple[float, float] = TEMPERATURE_BOUNDS,
) -> float:
    """The T within `bounds` that minimises the mean negative log-likelihood of the true labels under
    softmax(log(p) / T), p clipped to at least PROBABILITY_FLOOR.

    The likelihood is a convex function of 1/T, so it has a single minimum; a golden-section search on ln(T)
    finds it (or the nearer bound, when the minimum lies outside) with a fixed sequence of steps, so the same
    data always gives the same T. Raises ValueError for no rows, unequal lengths, a true index outside its
    row, or bounds that are not 0 < low < high.
    """
    low, high = bounds
    if not 0.0 < low < high or not math.isfinite(high):
        raise ValueError(f"temperature bounds must satisfy 0 < low < high, got {bounds}")
    if not probability_rows:
        raise ValueError("cannot fit a temperature on no predictions")
    if len(probability_rows) != len(true_indices):
        raise ValueError(f"{len(probability_rows)} probability rows but {len(true_indices)} true labels")
    log_rows = [[math.log(max(float(p), PROBABILITY_FLOOR)) for p in row] for row in probability_rows]
    for row, truth in zip(log_rows, true_indices, strict=True):
        if not 0 <= truth < len(row):
            raise ValueError(f"true index {truth} is outside a row of {len(row)} probabilities")

    def loss(log_temperature: float) -> float:
        return _negative_log_likelihood(log_rows, true_indices, 1.0 / math.exp(log_temperature))

    return math.exp(_golden_section_minimum(loss, math.log(low), math.log(high)))


def choose_calibration(
    validation_rows: Sequence[Sequence[float]],
    validation_truth: Sequence[int],
    test_rows: Sequence[Sequence[float]],
    test_truth: Sequence[int],
    bins: int = DEFAULT_BINS,
) -> Calibration:
    """Fits T on the validation split and keeps it only if it lowers the test split's ECE (top-1, `bins`
    equal-width bins); otherwise the returned `temperature` is 1.0 and the confidences stay as they are."""
    fitted = fit_temperature(validation_rows, validation_truth)
    before = expected_calibration_error(*top_predictions(test_rows, test_truth), bins=bins)
    scaled = [apply_temperature(row, fitted) for row in test_rows]
    after = expected_calibration_error(*top_predictions(scaled, test_truth), bins=bins)
    return Calibration(fitted if after < before else 1.0, fitted, before, after)


def _negative_log_likelihood(log_rows: Sequence[Sequence[float]], truth: Sequence[int], inverse_t: float) -> float:
    total = 0.0
    for row, index in zip(log_rows, truth, strict=True):
        scaled = [value * inverse_t for value in row]
        top = max(scaled)
        total += top + math.log(sum(math.exp(value - top) for value in scaled)) - scaled[index]
    return total / len(log_rows)


def _golden_section_minimum(function: _Objective, low: float, high: float) -> float:
    """The minimiser of a unimodal function on [low, high], to within _SEARCH_TOLERANCE."""
    inner_low = high - _GOLDEN * (high - low)
    inner_high = low + _GOLDEN * (high - low)
    value_low, value_high = function(inner_low), function(inner_high)
    while high - low > _SEARCH_TOLERANCE:
        if value_low <= value_high:
            high, inner_high, value_high = inner_high, inner_low, value_low
            inner_low = high - _GOLDEN * (high - low)
            value_low = function(inner_low)
        else:
            low, inner_low, value_low = inner_low, inner_high, value_high
            inner_high = low + _GOLDEN * (high - low)
            value_high = function(inner_high)
    return (low + high) / 2.0


def _softmax(values: Sequence[float]) -> list[float]:
    top = max(values)
    exponentials = [math.exp(value - top) for value in values]
    total = sum(exponentials)
    return [value / total for value in exponentials]


def _check(confidences: Sequence[float], correct: Sequence[bool], bins: int) -> None:
    if len(confidences) != len(correct):
        raise ValueError(f"{len(confidences)} confidences but {len(correct)} correctness flags")
    if not confidences:
        raise ValueError("no predictions to measure")
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    if any(not 0.0 <= confidence <= 1.0 for confidence in confidences):
        raise ValueError("every confidence must lie in [0, 1]")


def _check_temperature(temperature: float) -> None:
    if not math.isfinite(temperature) or temperature <= 0.0:
        raise ValueError(f"temperature must be a finite number > 0, got {temperature}")
