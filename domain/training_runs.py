"""One execution of the retraining job, from queued to its outcome."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.training_reports import RunReport


class RunStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    ABANDONED = "abandoned"
    """Its worker stopped sending heartbeats (killed, out of memory, host lost): the run freed the training slot."""

    @property
    def finished(self) -> bool:
        return self in {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED, RunStatus.ABANDONED}


@dataclass(frozen=True, slots=True)
class TrainingProgress:
    phase: str
    percent: float
    loss: float | None = None


@dataclass(frozen=True, slots=True)
class TrainingRun:
    trigger: str
    status: RunStatus
    created_at: datetime
    progress: TrainingProgress = TrainingProgress("queued", 0.0)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    labelled_tickets: int = 0
    newest_ticket_id: int | None = None
    """The newest labelled ticket this run saw: a later trigger with nothing newer is skipped."""
    model_version_id: int | None = None
    promoted: bool = False
    decision: str | None = None
    metrics: RunReport = field(default_factory=RunReport)
    """What the run measured, stage by stage (stored and shown as JSON: `RunReport`)."""
    heartbeat_at: datetime | None = None
    """When the worker running it last said it was alive; every progress write is a heartbeat."""
    id: int | None = None

    def last_sign_of_life(self) -> datetime:
        return self.heartbeat_at or self.started_at or self.created_at

    def is_abandoned(self, now: datetime, grace: timedelta) -> bool:
        """A running run whose worker has been silent for longer than `grace` will never finish by itself."""
        return self.status is RunStatus.RUNNING and now - self.last_sign_of_life() > grace
