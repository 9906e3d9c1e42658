"""One execution of the retraining job, from queued to its outcome."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class RunStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def finished(self) -> bool:
        return self in {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED}


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
    metrics: dict[str, object] = field(default_factory=dict)
    id: int | None = None
