"""Port: the single record that decides when retraining is triggered."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.training import TrainingState


class TrainingStateRepository(Protocol):
    """The retraining-trigger record. Every method is atomic under concurrent callers, in every process.

    Contract: `get` never writes and reads a missing record as the initial state (0, not running). The record's
    `label_revision` moves in the same transaction as every change to the training data: the labelled-ticket
    repository advances it by one per ticket it adds and per status it changes.
    """

    async def get(self) -> TrainingState: ...

    async def count_analysis(self, count: int = 1) -> TrainingState:
        """Adds `count` (one analysis by default) to the counter and returns the record as it now is; no increment
        is ever lost."""
        ...

    async def claim(
        self, now: datetime, threshold: int | None, stale_before: datetime, min_new_labels: int = 0
    ) -> bool:
        """Marks training running, if and only if no fresh running mark exists and (when `threshold` is given, an
        automatic trigger) something new is to be learned and either the counter has reached `threshold` or at
        least `min_new_labels` (> 0) changes to the training data are new: `TriggerPolicy.due`. At most one
        concurrent caller gets True. An automatic claim subtracts the threshold from a counter that reached it, so
        analyses counted concurrently are never lost; a manual claim resets it to 0. Either records the label
        revision it claimed for (`claimed_label_revision`)."""
        ...

    async def skip_trigger(self, threshold: int) -> bool:
        """A due counter with nothing new to learn: drops the counter below the threshold (to its remainder) and
        counts one skipped trigger per threshold it held (a batch may cross several), if and only if the counter
        has reached it and no change to the training data is new. True when it did."""
        ...

    async def mark_trained(self, full_at: datetime | None = None, full_tickets: int = 0) -> None:
        """The claimed label revision counts as learned (a run trained on it, or found nothing to train on), so the
        next automatic trigger needs newer changes; `full_at` records a full training and its ticket count."""
        ...

    async def release(self, error: str | None) -> None:
        """Clears the running mark; a non-None `error` becomes the last error, None keeps the previous one."""
        ...

    async def record_error(self, error: str) -> None: ...

    async def clear_error(self) -> None:
        """Forgets the last error (a later run succeeded); the run history keeps it."""
        ...
