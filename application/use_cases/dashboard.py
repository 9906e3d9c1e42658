"""The admin site's front page: what the service is doing right now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from application.ports.analysis_queries import AnalysisQueries
from application.ports.analysis_repository import AnalysisRepository
from application.ports.clock import Clock
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.training_run_repository import TrainingRunRepository
from application.ports.training_state_repository import TrainingStateRepository
from application.ports.unit_of_work import Transaction
from application.use_cases.training_status import TrainingStatus
from domain.model_versions import ModelVersion
from domain.training import TriggerPolicy
from domain.training_runs import TrainingRun


class DashboardUnitOfWork(Transaction, Protocol):
    """What the front page reads."""

    analyses: AnalysisRepository
    analysis_queries: AnalysisQueries
    training_state: TrainingStateRepository
    model_versions: ModelVersionRepository
    training_runs: TrainingRunRepository


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
    def __init__(self, uow_factory: Callable[[], DashboardUnitOfWork], clock: Clock, policy: TriggerPolicy) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._policy = policy

    async def execute(self) -> Dashboard:
        midnight = self._clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._uow_factory() as uow:
            today = await uow.analysis_queries.count_since(midnight)
            total = await uow.analyses.count()
            state = await uow.training_state.get()
            active = await uow.model_versions.active()
            latest = await uow.training_runs.list_recent(1)
        return Dashboard(
            today, total, midnight, TrainingStatus(state, self._policy), active, latest[0] if latest else None
        )
