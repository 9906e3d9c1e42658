from __future__ import annotations

from dataclasses import dataclass, replace

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.analysis import TicketAnalysis


@dataclass(frozen=True, slots=True)
class RecordedAnalysis:
    analysis: TicketAnalysis
    analyses_since_trigger: int


class RecordAnalysis:
    """Stores an analysis and counts it towards the retraining threshold, in one transaction."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def execute(self, analysis: TicketAnalysis) -> RecordedAnalysis:
        async with self._uow_factory() as uow:
            stored = await uow.analyses.add(replace(analysis, id=None))
            # Counted last so the row lock on the counter is held for the shortest time.
            count = await uow.training_state.count_analysis()
            await uow.commit()
        return RecordedAnalysis(stored, count)
