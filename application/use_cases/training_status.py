from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from application.ports.training_state_repository import TrainingStateRepository
from application.ports.unit_of_work import Transaction
from application.services.abandoned_runs import AbandonedRuns
from domain.training import TrainingState, TriggerPolicy


class TrainingStatusUnitOfWork(Transaction, Protocol):
    """The retraining-trigger record."""

    training_state: TrainingStateRepository


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    state: TrainingState
    policy: TriggerPolicy


class GetTrainingStatus:
    """The counters against the trigger policy (analyses, new labels, skipped triggers), the running mark, the last
    trigger and full training, and the last error.

    A run whose worker died is marked abandoned first, so the status never shows a dead run as running.
    """

    def __init__(
        self,
        uow_factory: Callable[[], TrainingStatusUnitOfWork],
        policy: TriggerPolicy,
        abandoned: AbandonedRuns | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._abandoned = abandoned

    async def execute(self) -> TrainingStatus:
        if self._abandoned is not None:
            await self._abandoned.reap()
        async with self._uow_factory() as uow:
            state = await uow.training_state.get()
        return TrainingStatus(state, self._policy)
