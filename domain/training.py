"""The seed's retraining trigger: count analyses, start one training when the count reaches the threshold."""

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

    def blocks_trigger(self, now: datetime, timeout: timedelta) -> bool:
        """A running mark blocks a new trigger until it is older than `timeout` (a crashed worker must not wedge us)."""
        if not self.running:
            return False
        return self.running_since is None or now - self.running_since < timeout


@dataclass(frozen=True, slots=True)
class TriggerPolicy:
    threshold: int = 100
    timeout: timedelta = timedelta(hours=6)

    def stale_before(self, now: datetime) -> datetime:
        return now - self.timeout


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
