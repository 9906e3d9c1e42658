"""Port: the history of training runs, with their live progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from domain.training_runs import RunStatus, TrainingRun


class TrainingRunRepository(Protocol):
    """Training runs by id.

    Contract: `add` assigns a new id; `update` replaces every field of an existing run (progress, metrics, the
    decision); runs read back exactly as written. Writes wait for the unit of work's commit.
    """

    async def add(self, run: TrainingRun) -> TrainingRun: ...

    async def get(self, run_id: int) -> TrainingRun | None: ...

    async def update(self, run: TrainingRun) -> None: ...

    async def start(self, run_id: int, now: datetime) -> TrainingRun | None:
        """Atomically moves a queued run to running (started and heartbeat at `now`, progress "export" 0%) and
        returns it; None when the run is missing or not queued. Of concurrent callers at most one gets the run."""
        ...

    async def unfinished(self) -> Sequence[TrainingRun]:
        """The queued and running runs, oldest first."""
        ...

    async def count_by_status(self) -> Mapping[RunStatus, int]:
        """How many runs there are in each status; a status no run has is absent (or 0)."""
        ...

    async def list_recent(self, limit: int) -> Sequence[TrainingRun]:
        """Newest first."""
        ...

    async def last_succeeded(self) -> TrainingRun | None:
        """The succeeded run with the highest id, or None."""
        ...
