"""Trained model versions and which one serves."""

from __future__ import annotations

import enum
from collections.abc import Sequence
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
    DELETED = "deleted"
    """Retention removed its files from the model store; the registry keeps its record and metrics as history."""


@dataclass(frozen=True, slots=True)
class ModelVersion:
    name: str
    location: str
    """Where the model store keeps the version's files: opaque to all but the store (`ModelStore.open` turns it
    into a local folder). The registry's column is still called `path`."""
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


def newest_good_version(versions: Sequence[ModelVersion], excluding: int | None) -> ModelVersion | None:
    """The version that served most recently before the active (or a broken) one: a retired one, latest activation
    first. Rejected candidates were worse than the model of their day, and bad ones did not load: neither comes
    back."""
    retired = [v for v in versions if v.status is ModelStatus.RETIRED and v.id != excluding]
    return max(
        retired, key=lambda v: (v.activated_at is not None, v.activated_at or v.created_at, v.id or 0), default=None
    )


def versions_to_delete(versions: Sequence[ModelVersion], keep_last: int) -> list[ModelVersion]:
    """The versions whose files retention removes from the model store: all but the active one, the one that served
    before it (where a rollback or a failed load goes back to) and the `keep_last` newest; none already deleted.
    Versions come from the registry, so each has an id."""
    newest = sorted(versions, key=lambda v: v.id or 0, reverse=True)[:keep_last]
    previous = newest_good_version(versions, excluding=None)
    kept = {v.id for v in newest} | {v.id for v in versions if v.status is ModelStatus.ACTIVE}
    kept |= {previous.id} if previous is not None else set()
    return [v for v in versions if v.id not in kept and v.status is not ModelStatus.DELETED]
