"""The retraining trigger: when the service trains again, decided from counters in one row.

Two conditions start a training, and both need something new to learn (a labelled ticket added, or one
excluded, superseded or restored since the last training that ended):
- the seed's: `threshold` analyses were answered since the last trigger;
- `min_new_labels` changes to the training data arrived (0 switches this condition off).
A due analysis count with nothing new to learn starts nothing: it is dropped by the threshold and counted as a
skipped trigger, in the same write that counted the analyses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class TrainingState:
    analyses_since_trigger: int
    running: bool
    running_since: datetime | None
    last_triggered_at: datetime | None
    last_error: str | None
    label_revision: int = 0
    """Moves by one with every labelled ticket added and every status change of one (the training data's clock)."""
    trained_label_revision: int = 0
    """`label_revision` as the last training that ended (succeeded, or skipped as having nothing to train on) saw it."""
    claimed_label_revision: int = 0
    """`label_revision` when the current (or last) run was claimed; it becomes `trained_label_revision` if it ends."""
    skipped_triggers: int = 0
    """Triggers that were due by the analysis count but found nothing new to learn, so started nothing."""
    last_full_at: datetime | None = None
    """When the last full training (not an update) succeeded."""
    last_full_tickets: int = 0
    """How many labelled tickets the last full training had."""

    @property
    def new_labels(self) -> int:
        """Changes to the training data since the last training that ended."""
        return max(0, self.label_revision - self.trained_label_revision)

    def blocks_trigger(self, now: datetime, timeout: timedelta) -> bool:
        """A running mark blocks a new trigger until it is older than `timeout` (a crashed worker must not wedge us)."""
        if not self.running:
            return False
        return self.running_since is None or now - self.running_since < timeout


class TriggerDue(str, enum.Enum):
    """What the counters ask for after an analysis or a label was counted."""

    NOTHING = "nothing"
    TRAIN = "train"
    SKIP = "skip"
    """The analysis count is due but there is nothing new to learn: drop the count, count the skipped triggers."""


@dataclass(frozen=True, slots=True)
class TriggerPolicy:
    threshold: int
    min_new_labels: int
    timeout: timedelta

    def stale_before(self, now: datetime) -> datetime:
        return now - self.timeout

    def due(self, state: TrainingState) -> TriggerDue:
        """The decision the store's conditional claim makes again atomically (`TrainingStateRepository.claim`)."""
        if self.labels_due(state.new_labels) or (state.analyses_since_trigger >= self.threshold and state.new_labels):
            return TriggerDue.TRAIN
        if state.analyses_since_trigger >= self.threshold:
            return TriggerDue.SKIP
        return TriggerDue.NOTHING

    def reason(self, state: TrainingState) -> str:
        """What an automatic run is recorded as triggered by: "labels" (enough new labels) or "threshold"."""
        return "labels" if self.labels_due(state.new_labels) else "threshold"

    def labels_due(self, new_labels: int) -> bool:
        return self.min_new_labels > 0 and new_labels >= self.min_new_labels

    def retries_claim_while_running(self, state: TrainingState, counted: int) -> bool:
        """Whether analyses that found a training due while a fresh running mark blocks it try the claim anyway:
        only those that carried the count past a multiple of `threshold`. The claim then refuses unless the run's
        worker stopped sending heartbeats, and each try reaps and claims inside the analyses' write transaction,
        which with SQLite holds the one writer's lock; so a running training costs the analyses one try per
        `threshold`, not one each. (A stale mark does not block: the claim is tried at once.)"""
        after = state.analyses_since_trigger
        return (after - counted) // self.threshold < after // self.threshold


class TriggerOutcome(str, enum.Enum):
    QUEUED = "queued"
    NOT_DUE = "not_due"
    ALREADY_RUNNING = "already_running"
    QUEUE_FAILED = "queue_failed"


@dataclass(frozen=True, slots=True)
class TriggerResult:
    """What a trigger did; `run_id` is the run it recorded (queued, or failed when it could not be queued)."""

    outcome: TriggerOutcome
    run_id: int | None = None
