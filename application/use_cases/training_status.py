from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from application.ports.training_state_repository import TrainingStateRepository
from application.ports.unit_of_work import Transaction
from application.services.abandoned_runs import AbandonedRuns
from domain.training import TrainingState


class TrainingStatusUnitOfWork(Transaction, Protocol):
    """The retraining-trigger record."""

    training_state: TrainingStateRepository


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    state: TrainingState
    threshold: int


class GetTrainingStatus:
    """The counter against the threshold, the running mark, the last trigger and the last error.

    A run whose worker died is marked abandoned first, so the status never shows a dead run as running.
    """

    def __init__(
        self,
        uow_factory: Callable[[], TrainingStatusUnitOfWork],
        threshold: int,
        abandoned: AbandonedRuns | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._threshold = threshold
        self._abandoned = abandoned

    async def execute(self) -> TrainingStatus:
        if self._abandoned is not None:
            await self._abandoned.reap()
        async with self._uow_factory() as uow:
            state = await uow.training_state.get()
        return TrainingStatus(state, self._threshold)
