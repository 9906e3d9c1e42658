"""The model registry's versions and their status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.tables import model_versions
from domain.model_versions import ModelStatus, ModelVersion
from domain.training_reports import VersionEvaluation


class SqlAlchemyModelVersionRepository(TableRepository):
    table = model_versions

    async def add(self, version: ModelVersion) -> ModelVersion:
        return replace(version, id=await self._insert(_values(version)))

    async def get(self, version_id: int) -> ModelVersion | None:
        row = await self._row(version_id)
        return _from_row(row) if row is not None else None

    async def list(self) -> Sequence[ModelVersion]:
        statement = sa.select(model_versions).order_by(model_versions.c.id.desc())
        return [_from_row(row) for row in await self._rows(statement)]

    async def active(self) -> ModelVersion | None:
        """The ACTIVE version; should inconsistent data hold several, the most recently activated one."""
        c = model_versions.c
        statement = (
            sa.select(model_versions)
            .where(c.status == ModelStatus.ACTIVE.value)
            .order_by(c.activated_at.is_(None), c.activated_at.desc(), c.id.desc())
            .limit(1)
        )
        rows = await self._rows(statement)
        return _from_row(rows[0]) if rows else None

    async def update(self, version: ModelVersion) -> None:
        await self._update(version.id, _values(version))


def _values(version: ModelVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "path": version.location,
        "labels": list(version.labels),
        "status": version.status.value,
        "created_at": version.created_at,
        "activated_at": version.activated_at,
        "metrics": version.metrics.to_json(),
        "training_size": version.training_size,
        "training_run_id": version.training_run_id,
        "note": version.note,
    }


def _from_row(row: sa.Row[Any]) -> ModelVersion:
    return ModelVersion(
        name=row.name,
        location=row.path,
        labels=tuple(row.labels or ()),
        status=ModelStatus(row.status),
        created_at=row.created_at,
        metrics=VersionEvaluation.from_json(row.metrics),
        training_size=row.training_size,
        training_run_id=row.training_run_id,
        activated_at=row.activated_at,
        note=row.note,
        id=row.id,
    )
