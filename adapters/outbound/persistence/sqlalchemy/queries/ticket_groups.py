"""A company's recent tickets with their vectors and texts, through the (company_id, model_version, created_at) index
of ticket_vectors."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.sqlalchemy.tables import analyses, labelled_tickets, ticket_vectors
from domain.labelled_tickets import TicketStatus
from domain.similar_tickets import unpack_vector
from domain.ticket_groups import GroupedTicket

_t = ticket_vectors


class SqlAlchemyTicketGroupQueries:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def versions(self, company_id: int) -> Sequence[str]:
        statement = sa.select(_t.c.model_version).where(_t.c.company_id == company_id).distinct()
        return [row.model_version for row in await self._session.execute(statement)]

    async def recent(self, company_id: int, model_version: str, since: datetime, limit: int) -> Sequence[GroupedTicket]:
        labelled = labelled_tickets.alias("own")
        text = sa.func.coalesce(analyses.c.description, labelled.c.text).label("text")
        statement = (
            sa.select(_t, text, sa.null().label("label"))
            .outerjoin(analyses, analyses.c.id == _t.c.analysis_id)
            .outerjoin(labelled, labelled.c.id == _t.c.labelled_ticket_id)
            .where(*_scope(company_id, model_version, since), text.is_not(None))
        )
        return await self._read(statement, limit)

    async def topic_candidates(
        self, company_id: int, model_version: str, since: datetime, known_labels: Collection[str], limit: int
    ) -> Sequence[GroupedTicket]:
        feedback = labelled_tickets.alias("feedback")
        known = sorted({label.lower() for label in known_labels})
        unknown_label = sa.and_(feedback.c.id.is_not(None), sa.func.lower(feedback.c.category).not_in(known))
        statement = (
            sa.select(_t, analyses.c.description.label("text"), feedback.c.category.label("label"))
            .join(analyses, analyses.c.id == _t.c.analysis_id)
            .outerjoin(
                feedback,
                sa.and_(feedback.c.id == analyses.c.labelled_ticket_id, feedback.c.status == TicketStatus.ACTIVE.value),
            )
            .where(*_scope(company_id, model_version, since), sa.or_(analyses.c.review_pending, unknown_label))
        )
        return await self._read(statement, limit)

    async def _read(self, statement: sa.Select[Any], limit: int) -> list[GroupedTicket]:
        rows = await self._session.execute(statement.order_by(_t.c.created_at.desc(), _t.c.id.desc()).limit(limit))
        return [
            GroupedTicket(
                company_id=row.company_id,
                model_version=row.model_version,
                vector=unpack_vector(bytes(row.vector)),
                created_at=row.created_at,
                text=row.text,
                analysis_id=row.analysis_id,
                labelled_ticket_id=row.labelled_ticket_id,
                label=row.label,
            )
            for row in rows
        ]


def _scope(company_id: int, model_version: str, since: datetime) -> list[sa.ColumnElement[bool]]:
    return [_t.c.company_id == company_id, _t.c.model_version == model_version, _t.c.created_at >= since]
