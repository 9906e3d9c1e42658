"""Ticket vectors: inserted in multi-row batches, a ticket's second vector in one version ignored by the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.sqlalchemy.repositories._table import rowcount
from adapters.outbound.persistence.sqlalchemy.tables import analyses, labelled_tickets, ticket_vectors
from domain.similar_tickets import StoredVector, TicketToEmbed

INSERT_BATCH_ROWS = 500
"""Rows per multi-row INSERT: 11 parameters a row stays far below SQLite's 32,766 bound parameters, and 500 fp16
vectors (a few hundred KiB as hex) far below MariaDB's max_allowed_packet."""

_t = ticket_vectors


class SqlAlchemyTicketVectorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_many(self, vectors: Sequence[StoredVector]) -> None:
        unique: dict[tuple[str, str, int], StoredVector] = {}
        for vector in vectors:
            unique.setdefault(_ticket_key(vector), vector)
        rows = [_values(vector) for vector in unique.values()]
        ignore = "OR IGNORE" if self._session.get_bind().dialect.name == "sqlite" else "IGNORE"
        for start in range(0, len(rows), INSERT_BATCH_ROWS):
            statement = sa.insert(_t).prefix_with(ignore).values(rows[start : start + INSERT_BATCH_ROWS])
            await self._session.execute(statement)

    async def load(
        self, company_id: int, model_version: str, after_id: int = 0, limit: int | None = None
    ) -> Sequence[StoredVector]:
        statement = (
            sa.select(_t)
            .where(_t.c.company_id == company_id, _t.c.model_version == model_version, _t.c.id > after_id)
            .order_by(_t.c.id)
            .limit(limit)
        )
        return [_from_row(row) for row in await self._session.execute(statement)]

    async def for_analysis(self, company_id: int, model_version: str, analysis_id: int) -> StoredVector | None:
        statement = sa.select(_t).where(
            _t.c.company_id == company_id, _t.c.model_version == model_version, _t.c.analysis_id == analysis_id
        )
        row = (await self._session.execute(statement)).first()
        return _from_row(row) if row is not None else None

    async def count(self, company_id: int, model_version: str) -> int:
        statement = (
            sa.select(sa.func.count())
            .select_from(_t)
            .where(_t.c.company_id == company_id, _t.c.model_version == model_version)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def label_analysis(self, company_id: int, analysis_id: int, category: str) -> None:
        await self._session.execute(
            sa.update(_t)
            .where(_t.c.company_id == company_id, _t.c.analysis_id == analysis_id)
            .values(category=category, label_is_human=True)
        )

    async def to_embed(self, company_id: int, model_version: str, limit: int) -> Sequence[TicketToEmbed]:
        other = _t.alias("other")
        done = _t.alias("done")
        already = (
            sa.select(done.c.id)
            .where(
                done.c.model_version == model_version,
                sa.or_(
                    sa.and_(other.c.analysis_id.is_not(None), done.c.analysis_id == other.c.analysis_id),
                    sa.and_(
                        other.c.labelled_ticket_id.is_not(None), done.c.labelled_ticket_id == other.c.labelled_ticket_id
                    ),
                ),
            )
            .exists()
        )
        # One row per ticket however many other versions hold it: the lowest id of its vectors.
        first = (
            sa.select(sa.func.min(other.c.id))
            .where(other.c.company_id == company_id, other.c.model_version != model_version, ~already)
            .group_by(other.c.analysis_id, other.c.labelled_ticket_id)
        )
        text = sa.func.coalesce(analyses.c.description, labelled_tickets.c.text).label("text")
        statement = (
            sa.select(_t, text)
            .outerjoin(analyses, analyses.c.id == _t.c.analysis_id)
            .outerjoin(labelled_tickets, labelled_tickets.c.id == _t.c.labelled_ticket_id)
            .where(_t.c.id.in_(first), text.is_not(None))
            .order_by(_t.c.created_at, _t.c.id)
            .limit(limit)
        )
        return [
            TicketToEmbed(
                company_id=row.company_id,
                text=row.text,
                created_at=row.created_at,
                analysis_id=row.analysis_id,
                labelled_ticket_id=row.labelled_ticket_id,
                category=row.category,
                label_is_human=bool(row.label_is_human),
                team_id=row.team_id,
            )
            for row in await self._session.execute(statement)
        ]

    async def delete_other_versions(self, company_id: int, model_version: str) -> int:
        result = await self._session.execute(
            sa.delete(_t).where(_t.c.company_id == company_id, _t.c.model_version != model_version)
        )
        return rowcount(result)


def _ticket_key(vector: StoredVector) -> tuple[str, str, int]:
    if vector.analysis_id is not None:
        return (vector.model_version, "analysis", vector.analysis_id)
    assert vector.labelled_ticket_id is not None
    return (vector.model_version, "labelled", vector.labelled_ticket_id)


def _values(vector: StoredVector) -> dict[str, Any]:
    return {
        "company_id": vector.company_id,
        "model_version": vector.model_version,
        "analysis_id": vector.analysis_id,
        "labelled_ticket_id": vector.labelled_ticket_id,
        "vector": vector.vector,
        "created_at": vector.created_at,
        "category": vector.category,
        "label_is_human": vector.label_is_human,
        "team_id": vector.team_id,
    }


def _from_row(row: sa.Row[Any]) -> StoredVector:
    return StoredVector(
        company_id=row.company_id,
        model_version=row.model_version,
        vector=bytes(row.vector),
        created_at=row.created_at,
        analysis_id=row.analysis_id,
        labelled_ticket_id=row.labelled_ticket_id,
        category=row.category,
        label_is_human=bool(row.label_is_human),
        team_id=row.team_id,
        id=row.id,
    )
