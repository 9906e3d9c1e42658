"""Runs whose worker died: found by their silent heartbeat, marked abandoned, and the training slot freed.

A worker killed mid-training (SIGKILL, out of memory, host lost) never records its outcome. Each run's progress
writes are its heartbeat; once the heartbeat is older than the grace period the run is marked `abandoned` and,
when no other run is waiting or running, the one-training-at-a-time slot is released so the next trigger can
start. Checked wherever it matters: before a trigger claims the slot, when the status is read, when a job starts
and when a worker starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

from application.ports.clock import Clock
from application.ports.training_run_repository import TrainingRunRepository
from application.ports.training_state_repository import TrainingStateRepository
from application.ports.unit_of_work import Transaction
from domain.training_runs import RunStatus, TrainingRun

logger = logging.getLogger(__name__)


class ReapUnitOfWork(Transaction, Protocol):
    """What marking abandoned runs touches: the runs and the training slot."""

    training_runs: TrainingRunRepository
    training_state: TrainingStateRepository


class AbandonedRuns:
    def __init__(self, uow_factory: Callable[[], ReapUnitOfWork], clock: Clock, grace: timedelta) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self.grace = grace

    async def reap(self) -> Sequence[TrainingRun]:
        """Marks every run silent for longer than the grace period abandoned; returns them."""
        async with self._uow_factory() as uow:
            abandoned = await self.reap_in(uow)
            if not abandoned:
                return []
            await uow.commit()
        self.log(abandoned)
        return abandoned

    async def reap_in(self, uow: ReapUnitOfWork) -> Sequence[TrainingRun]:
        """The same marking, staged in the caller's transaction (the caller commits, then calls `log`)."""
        now = self._clock.now()
        unfinished = await uow.training_runs.unfinished()
        silent = [run for run in unfinished if run.is_abandoned(now, self.grace)]
        if not silent:
            return []
        abandoned = []
        for run in silent:
            error = (
                f"abandoned: no heartbeat since {run.last_sign_of_life().isoformat()} "
                f"(grace {self.grace.total_seconds():g} s); its worker presumably died"
            )
            run = replace(
                run,
                status=RunStatus.ABANDONED,
                error=error,
                finished_at=now,
                progress=replace(run.progress, phase=RunStatus.ABANDONED.value),
            )
            await uow.training_runs.update(run)
            abandoned.append(run)
        if len(silent) == len(unfinished):
            # Nothing else waits for or holds the slot: free it, so the next trigger can train.
            await uow.training_state.release(error=f"training run {abandoned[-1].id} {abandoned[-1].error}")
        return abandoned

    @staticmethod
    def log(abandoned: Sequence[TrainingRun]) -> None:
        for run in abandoned:
            logger.warning("training run %s %s", run.id, run.error)
