"""The admin site's front page: what the service is doing right now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.use_cases.training_status import TrainingStatus
from domain.model_versions import ModelVersion
from domain.training_runs import TrainingRun


@dataclass(frozen=True, slots=True)
class Dashboard:
    analyses_today: int
    analyses_total: int
    day_started_at: datetime
    """Midnight UTC: "today" is the UTC day, the same for every operator and every process."""
    training: TrainingStatus
    active_model: ModelVersion | None
    latest_run: TrainingRun | None


class GetDashboard:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, threshold: int) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._threshold = threshold

    async def execute(self) -> Dashboard:
        midnight = self._clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._uow_factory() as uow:
            today = await uow.analyses.count_since(midnight)
            total = await uow.analyses.count()
            state = await uow.training_state.get()
            active = await uow.model_versions.active()
            latest = await uow.training_runs.list_recent(1)
        return Dashboard(today, total, midnight, TrainingStatus(state, self._threshold), active, latest[0] if latest else None)
