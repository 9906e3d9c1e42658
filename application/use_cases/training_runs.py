"""Training runs: start one for a caller that runs the job itself, list them, read one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from application.ports.training_run_repository import TrainingRunRepository
from application.ports.unit_of_work import Transaction
from application.services.abandoned_runs import AbandonedRuns
from application.services.retraining_trigger import RetrainingTrigger
from domain.errors import NotFound
from domain.training import TriggerResult
from domain.training_runs import TrainingRun


class StartTrainingRun:
    """Claims the training slot and records a queued run, without queueing the job: the caller runs it in the
    foreground (`ticket-utils train`, the accuracy benchmark).

    With `manual=False` the slot is claimed only when the counter reached the threshold.
    """

    def __init__(self, trigger: RetrainingTrigger) -> None:
        self._trigger = trigger

    async def execute(self, manual: bool) -> TriggerResult:
        return await self._trigger.claim(manual)


class TrainingRunsUnitOfWork(Transaction, Protocol):
    """The training-run history."""

    training_runs: TrainingRunRepository


class ListTrainingRuns:
    """Newest first; a run whose worker died is marked abandoned first, so none is shown running forever."""

    def __init__(
        self, uow_factory: Callable[[], TrainingRunsUnitOfWork], abandoned: AbandonedRuns | None = None
    ) -> None:
        self._uow_factory = uow_factory
        self._abandoned = abandoned

    async def execute(self, limit: int = 50) -> Sequence[TrainingRun]:
        if self._abandoned is not None:
            await self._abandoned.reap()
        async with self._uow_factory() as uow:
            return await uow.training_runs.list_recent(limit)


class GetTrainingRun:
    """One run; a run whose worker died is marked abandoned first (its live page then stops polling)."""

    def __init__(
        self, uow_factory: Callable[[], TrainingRunsUnitOfWork], abandoned: AbandonedRuns | None = None
    ) -> None:
        self._uow_factory = uow_factory
        self._abandoned = abandoned

    async def execute(self, run_id: int) -> TrainingRun:
        if self._abandoned is not None:
            await self._abandoned.reap()
        async with self._uow_factory() as uow:
            run = await uow.training_runs.get(run_id)
        if run is None:
            raise NotFound("Training run", run_id)
        return run
