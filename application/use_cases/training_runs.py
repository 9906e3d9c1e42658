from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from application.ports.training_run_repository import TrainingRunRepository
from application.ports.unit_of_work import Transaction
from domain.errors import NotFound
from domain.training_runs import TrainingRun


class TrainingRunsUnitOfWork(Transaction, Protocol):
    """The training-run history."""

    training_runs: TrainingRunRepository


class ListTrainingRuns:
    def __init__(self, uow_factory: Callable[[], TrainingRunsUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, limit: int = 50) -> Sequence[TrainingRun]:
        async with self._uow_factory() as uow:
            return await uow.training_runs.list_recent(limit)


class GetTrainingRun:
    def __init__(self, uow_factory: Callable[[], TrainingRunsUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, run_id: int) -> TrainingRun:
        async with self._uow_factory() as uow:
            run = await uow.training_runs.get(run_id)
        if run is None:
            raise NotFound("Training run", run_id)
        return run
