"""Live progress of a training run: reported from any thread, written to the run every few seconds.

The trainer reports often (every optimisation step, from its own thread); the database sees only the latest value
per interval, and a failed write is logged and retried at the next interval, never allowed to fail the training.
Every write also sets the run's heartbeat, and the heartbeat is written at least every `heartbeat_interval_s`
even when the progress does not move (a long phase), so a silent run means a dead worker (`AbandonedRuns`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Protocol

from application.ports.clock import Clock
from application.ports.training_run_repository import TrainingRunRepository
from application.ports.unit_of_work import Transaction
from domain.training_runs import TrainingProgress, TrainingRun

logger = logging.getLogger(__name__)


class ProgressUnitOfWork(Transaction, Protocol):
    """Writing the run's progress and heartbeat."""

    training_runs: TrainingRunRepository


class TrainingProgressRecorder:
    """Use as `async with recorder:` around the training; `report` may be called from any thread."""

    def __init__(
        self,
        uow_factory: Callable[[], ProgressUnitOfWork],
        run: TrainingRun,
        interval_s: float,
        clock: Clock,
        heartbeat_interval_s: float,
    ) -> None:
        self._uow_factory = uow_factory
        self._run = run
        self._interval_s = min(interval_s, heartbeat_interval_s)
        self._clock = clock
        self._heartbeat_interval_s = heartbeat_interval_s
        self._beat_at = run.heartbeat_at or clock.now()
        self.latest = run.progress
        self._written = run.progress
        self._task: asyncio.Task[None] | None = None

    def report(self, progress: TrainingProgress) -> None:
        # A plain attribute swap: atomic under the GIL, so the trainer's thread needs no lock.
        self.latest = progress

    async def __aenter__(self) -> TrainingProgressRecorder:
        self._task = asyncio.get_running_loop().create_task(self._flush_periodically())
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            now = self._clock.now()
            if self.latest != self._written or (now - self._beat_at).total_seconds() >= self._heartbeat_interval_s:
                snapshot = self.latest
                try:
                    async with self._uow_factory() as uow:
                        stored = await uow.training_runs.get(self._run.id or 0)
                        if stored is not None:
                            await uow.training_runs.update(replace(stored, progress=snapshot, heartbeat_at=now))
                            await uow.commit()
                    self._written = snapshot
                    self._beat_at = now
                except Exception:
                    logger.warning("could not record training progress", exc_info=True)
