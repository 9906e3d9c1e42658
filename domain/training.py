"""The seed's retraining trigger: count analyses, start one training when the count reaches the threshold."""

from __future__ import annotations

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
