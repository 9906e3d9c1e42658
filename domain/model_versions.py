"""Trained model versions and which one serves."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


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
    location: str
    """Where the model store keeps the version's files: opaque to all but the store (`ModelStore.open` turns it
    into a local folder). The registry's column is still called `path`."""
    labels: tuple[str, ...]
    status: ModelStatus
    created_at: datetime
    metrics: dict[str, object] = field(default_factory=dict)
    """Test-split evaluation of the version (EvaluationReport.to_json), plus training figures."""
    training_size: int = 0
    training_run_id: int | None = None
    activated_at: datetime | None = None
    note: str | None = None
    id: int | None = None
