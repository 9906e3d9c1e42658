"""Trained model versions and which one serves."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from domain.training_reports import VersionEvaluation


class ModelStatus(str, enum.Enum):
    CANDIDATE = "candidate"
    ACTIVE = "active"
    RETIRED = "retired"
    REJECTED = "rejected"
    BAD = "bad"
    """It failed to load; it is never served again unless an operator activates it explicitly."""


@dataclass(frozen=True, slots=True)
class ModelVersion:
    name: str
    path: str
    labels: tuple[str, ...]
    status: ModelStatus
    created_at: datetime
    metrics: VersionEvaluation = field(default_factory=VersionEvaluation)
    """How the version measured when its run registered it (stored and shown as JSON: `VersionEvaluation`)."""
    training_size: int = 0
    training_run_id: int | None = None
    activated_at: datetime | None = None
    note: str | None = None
    id: int | None = None
