"""Training runs, with their live progress and final metrics (JSON)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository, rowcount
from adapters.outbound.persistence.sqlalchemy.tables import training_runs
from domain.training_reports import RunReport
from domain.training_runs import RunStatus, TrainingProgress, TrainingRun


class SqlAlchemyTrainingRunRepository(TableRepository):
    table = training_runs

    async def add(self, run: TrainingRun) -> TrainingRun:
        return replace(run, id=await self._insert(_values(run)))

    async def get(self, run_id: int) -> TrainingRun | None:
        row = await self._row(run_id)
        return _from_row(row) if row is not None else None

    async def update(self, run: TrainingRun) -> None:
        await self._update(run.id, _values(run))

    async def start(self, run_id: int, now: datetime) -> TrainingRun | None:
        """One conditional UPDATE from queued to running: of concurrent starters, exactly one matches the row."""
        c = training_runs.c
        statement = (
            sa.update(training_runs)
            .where(c.id == run_id, c.status == RunStatus.QUEUED.value)
            .values(
                status=RunStatus.RUNNING.value,
                started_at=now,
                heartbeat_at=now,
                progress_phase="export",
                progress_percent=0.0,
                progress_loss=None,
            )
        )
        if rowcount(await self._session.execute(statement)) != 1:
            return None
        return await self.get(run_id)

    async def count_by_status(self) -> Mapping[RunStatus, int]:
        c = training_runs.c
        statement = sa.select(c.status, sa.func.count()).group_by(c.status)
        return {RunStatus(status): int(count) for status, count in await self._session.execute(statement)}

    async def unfinished(self) -> Sequence[TrainingRun]:
        c = training_runs.c
        statement = (
            sa.select(training_runs)
            .where(c.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]))
            .order_by(c.id)
        )
        return [_from_row(row) for row in await self._rows(statement)]

    async def list_recent(self, limit: int) -> Sequence[TrainingRun]:
        statement = sa.select(training_runs).order_by(training_runs.c.id.desc()).limit(limit)
        return [_from_row(row) for row in await self._rows(statement)]

    async def last_succeeded(self) -> TrainingRun | None:
        c = training_runs.c
        statement = sa.select(training_runs).where(c.status == RunStatus.SUCCEEDED.value).order_by(c.id.desc()).limit(1)
        rows = await self._rows(statement)
        return _from_row(rows[0]) if rows else None


def _values(run: TrainingRun) -> dict[str, Any]:
    return {
        "trigger": run.trigger,
        "status": run.status.value,
        "progress_phase": run.progress.phase,
        "progress_percent": run.progress.percent,
        "progress_loss": run.progress.loss,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
        "labelled_tickets": run.labelled_tickets,
        "newest_ticket_id": run.newest_ticket_id,
        "model_version_id": run.model_version_id,
        "promoted": run.promoted,
        "decision": run.decision,
        "metrics": run.metrics.to_json(),
        "heartbeat_at": run.heartbeat_at,
    }


def _from_row(row: sa.Row[Any]) -> TrainingRun:
    loss = float(row.progress_loss) if row.progress_loss is not None else None
    return TrainingRun(
        trigger=row.trigger,
        status=RunStatus(row.status),
        created_at=row.created_at,
        progress=TrainingProgress(row.progress_phase, float(row.progress_percent), loss),
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        labelled_tickets=row.labelled_tickets,
        newest_ticket_id=row.newest_ticket_id,
        model_version_id=row.model_version_id,
        promoted=bool(row.promoted),
        decision=row.decision,
        metrics=RunReport.from_json(row.metrics),
        heartbeat_at=row.heartbeat_at,
        id=row.id,
    )
