"""While a training runs, analyses that find another one due try the claim once per threshold, not each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.training import TrainingState, TriggerDue, TriggerPolicy

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
POLICY = TriggerPolicy(threshold=100, min_new_labels=1, timeout=timedelta(hours=6))


def running(count: int) -> TrainingState:
    return TrainingState(
        analyses_since_trigger=count,
        running=True,
        running_since=NOW,
        last_triggered_at=NOW,
        last_error=None,
        label_revision=5,
        trained_label_revision=1,
    )


def test_a_training_stays_due_while_one_runs() -> None:
    assert POLICY.due(running(150)) is TriggerDue.TRAIN
    assert running(150).blocks_trigger(NOW + timedelta(minutes=5), POLICY.timeout)


@pytest.mark.parametrize(
    ("count", "counted", "tries"),
    [
        (150, 1, False),
        (199, 1, False),
        (200, 1, True),
        (201, 1, False),
        (300, 1, True),
        (205, 10, True),
        (100, 1, True),
    ],
)
def test_the_claim_is_tried_when_the_count_passes_a_multiple_of_the_threshold(
    count: int, counted: int, tries: bool
) -> None:
    assert POLICY.retries_claim_while_running(running(count), counted) is tries


def test_one_try_per_threshold_over_a_long_run() -> None:
    tries = sum(POLICY.retries_claim_while_running(running(count), 1) for count in range(101, 1101))
    assert tries == 10
