"""Mislabel candidates of training runs, and the admins' resolutions of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.tables import mislabel_candidates
from domain.mislabels import MislabelCandidate, Resolution

_table = mislabel_candidates


class SqlAlchemyMislabelCandidateRepository(TableRepository):
    table = mislabel_candidates

    async def add_many(self, candidates: Sequence[MislabelCandidate]) -> list[MislabelCandidate]:
        # One INSERT per candidate: at most a few hundred per run, and each id is known without relying on
        # RETURNING's row order.
        return [replace(candidate, id=await self._insert(_values(candidate))) for candidate in candidates]

    async def get(self, candidate_id: int) -> MislabelCandidate | None:
        row = await self._row(candidate_id)
        return _from_row(row) if row is not None else None

    async def record_resolution(self, candidate: MislabelCandidate) -> None:
        resolution = candidate.resolution.value if candidate.resolution is not None else None
        await self._update(
            candidate.id,
            {"resolution": resolution, "resolved_by": candidate.resolved_by, "resolved_at": candidate.resolved_at},
        )

    async def latest_run_id(self) -> int | None:
        newest = (await self._session.execute(sa.select(sa.func.max(_table.c.training_run_id)))).scalar_one()
        return int(newest) if newest is not None else None

    async def list_page(
        self, training_run_id: int, label: str | None, offset: int, limit: int
    ) -> Sequence[MislabelCandidate]:
        unresolved_first = sa.case((_table.c.resolution.is_(None), 0), else_=1)
        statement = (
            sa.select(_table)
            .where(*_matching(training_run_id, label))
            .order_by(unresolved_first, _table.c.given_probability, _table.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [_from_row(row) for row in await self._rows(statement)]

    async def count(self, training_run_id: int, label: str | None) -> int:
        return await self._count(*_matching(training_run_id, label))

    async def unresolved_per_label(self, training_run_id: int) -> dict[str, int]:
        statement = (
            sa.select(_table.c.given_label, sa.func.count())
            .where(_table.c.training_run_id == training_run_id, _table.c.resolution.is_(None))
            .group_by(_table.c.given_label)
        )
        counts = {str(label): int(count) for label, count in await self._session.execute(statement)}
        return {label: counts[label] for label in sorted(counts)}

    async def confirmed_ticket_ids(self) -> set[int]:
        statement = sa.select(_table.c.labelled_ticket_id).where(_table.c.resolution == Resolution.CONFIRMED.value)
        return {int(ticket_id) for ticket_id in (await self._session.execute(statement)).scalars()}


def _matching(training_run_id: int, label: str | None) -> list[sa.ColumnElement[bool]]:
    conditions = [_table.c.training_run_id == training_run_id]
    if label is not None:
        conditions.append(_table.c.given_label == label)
    return conditions


def _values(candidate: MislabelCandidate) -> dict[str, Any]:
    return {
        "training_run_id": candidate.training_run_id,
        "labelled_ticket_id": candidate.labelled_ticket_id,
        "given_label": candidate.given_label,
        "proposed_label": candidate.proposed_label,
        "given_probability": candidate.given_probability,
        "resolution": candidate.resolution.value if candidate.resolution is not None else None,
        "resolved_by": candidate.resolved_by,
        "resolved_at": candidate.resolved_at,
    }


def _from_row(row: sa.Row[Any]) -> MislabelCandidate:
    return MislabelCandidate(
        training_run_id=row.training_run_id,
        labelled_ticket_id=row.labelled_ticket_id,
        given_label=row.given_label,
        proposed_label=row.proposed_label,
        given_probability=row.given_probability,
        resolution=Resolution(row.resolution) if row.resolution is not None else None,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        id=row.id,
    )
