"""One training run with the model version it produced, whose metrics hold the confusion matrix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from application.ports.model_version_repository import ModelVersionRepository
from application.ports.training_run_repository import TrainingRunRepository
from application.ports.unit_of_work import Transaction
from domain.errors import NotFound
from domain.model_versions import ModelVersion
from domain.training_runs import TrainingRun


class TrainingRunReportUnitOfWork(Transaction, Protocol):
    """A run and the model version it produced."""

    training_runs: TrainingRunRepository
    model_versions: ModelVersionRepository


@dataclass(frozen=True, slots=True)
class TrainingRunReport:
    run: TrainingRun
    version: ModelVersion | None


class GetTrainingRunReport:
    def __init__(self, uow_factory: Callable[[], TrainingRunReportUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, run_id: int) -> TrainingRunReport:
        async with self._uow_factory() as uow:
            run = await uow.training_runs.get(run_id)
            if run is None:
                raise NotFound("Training run", run_id)
            version = await uow.model_versions.get(run.model_version_id) if run.model_version_id is not None else None
        return TrainingRunReport(run, version)
