"""The metrics page: what every process counted, and the training runs by status as the database has them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from application.ports.metrics_exposition import MetricsExposition, MetricsPage
from application.ports.training_run_repository import TrainingRunRepository
from application.ports.unit_of_work import Transaction
from application.services.bursts import BurstWatch


class MetricsUnitOfWork(Transaction, Protocol):
    training_runs: TrainingRunRepository


class ReadMetrics:
    """Runs are counted in the database at scrape time, since the worker that finishes them is another process
    (often another host) whose counters no API process could read."""

    def __init__(
        self,
        uow_factory: Callable[[], MetricsUnitOfWork],
        exposition: MetricsExposition,
        bursts: BurstWatch | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._exposition = exposition
        self._bursts = bursts

    async def execute(self) -> MetricsPage:
        if self._bursts is not None:
            await self._bursts.current()  # sets the bursts gauge when its detection is due
        async with self._uow_factory() as uow:
            runs = await uow.training_runs.count_by_status()
        return self._exposition.render(runs)
