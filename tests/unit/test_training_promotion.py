"""The promotion rule, alone: macro-F1 first, accuracy breaks a tie, a tie promotes, no active model promotes."""

from __future__ import annotations

import pytest

from domain.metrics import EvaluationReport
from domain.training_promotion import Incumbent, decide_promotion


def report(macro_f1: float, accuracy: float) -> EvaluationReport:
    return EvaluationReport(accuracy, macro_f1, {}, (), (), 10)


def test_with_no_active_model_the_candidate_is_promoted() -> None:
    decision = decide_promotion(report(0.1, 0.2), None)
    assert decision.promote
    assert decision.reason == "promoted: no active model; candidate macro-F1 0.1000, accuracy 0.2000"


@pytest.mark.parametrize(
    ("candidate", "active", "promote"),
    [
        ((0.80, 0.80), (0.79, 0.99), True),  # better macro-F1 wins whatever the accuracy
        ((0.79, 0.99), (0.80, 0.80), False),
        ((0.80, 0.81), (0.80, 0.80), True),  # equal macro-F1: accuracy decides
        ((0.80, 0.79), (0.80, 0.80), False),
        ((0.80, 0.80), (0.80, 0.80), True),  # a tie promotes: the newer model saw more tickets
    ],
)
def test_macro_f1_decides_and_accuracy_breaks_a_tie(
    candidate: tuple[float, float], active: tuple[float, float], promote: bool
) -> None:
    assert decide_promotion(report(*candidate), Incumbent("v1", report(*active))).promote is promote


def test_the_reason_names_the_active_version_and_both_scores() -> None:
    kept = decide_promotion(report(0.5, 0.6), Incumbent("v7", report(0.7, 0.8)))
    assert kept.reason == (
        "kept the active model: candidate is worse than active v7 macro-F1 0.7000, accuracy 0.8000 "
        "(candidate macro-F1 0.5000, accuracy 0.6000, same test split)"
    )
    promoted = decide_promotion(report(0.7, 0.8), Incumbent("v7", report(0.7, 0.8)))
    assert promoted.reason.startswith("promoted: at least as good as active v7")
