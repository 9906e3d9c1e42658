from __future__ import annotations

from dataclasses import dataclass

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.training import TrainingState


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    state: TrainingState
    threshold: int


class GetTrainingStatus:
    """The counter against the threshold, the running mark, the last trigger and the last error."""

    def __init__(self, uow_factory: UnitOfWorkFactory, threshold: int) -> None:
        self._uow_factory = uow_factory
        self._threshold = threshold

    async def execute(self) -> TrainingStatus:
        async with self._uow_factory() as uow:
            state = await uow.training_state.get()
        return TrainingStatus(state, self._threshold)
