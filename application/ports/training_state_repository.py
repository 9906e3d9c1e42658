"""Port: the single record that decides when retraining is triggered."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.training import TrainingState


class TrainingStateRepository(Protocol):
    """The retraining-trigger record. Every method is atomic under concurrent callers, in every process.

    Contract: `get` never writes and reads a missing record as the initial state (0, not running).
    """

    async def get(self) -> TrainingState: ...

    async def count_analysis(self, count: int = 1) -> int:
        """Adds `count` (one analysis by default) to the counter and returns the new count; no increment is ever
        lost."""
        ...

    async def claim(self, now: datetime, threshold: int | None, stale_before: datetime) -> bool:
        """Marks training running, if and only if no fresh running mark exists and (when `threshold` is given) the
        counter has reached it. At most one concurrent caller gets True. A threshold claim subtracts the threshold
        from the counter, so analyses counted concurrently are never lost; a manual claim resets it to 0."""
        ...

    async def release(self, error: str | None) -> None:
        """Clears the running mark; a non-None `error` becomes the last error, None keeps the previous one."""
        ...

    async def record_error(self, error: str) -> None: ...

    async def clear_error(self) -> None:
        """Forgets the last error (a later run succeeded); the run history keeps it."""
        ...
