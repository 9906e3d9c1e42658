"""The review queue read model: pending analyses, oldest first, through the (review_pending, id) index."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.repositories.analyses import (
    analysis_from_row,
)
from adapters.outbound.persistence.sqlalchemy.tables import analyses
from domain.analysis import TicketAnalysis


class SqlAlchemyReviewQueueQueries(TableRepository):
    table = analyses

    async def list_page(
        self, company_id: int | None, label: str | None, offset: int, limit: int
    ) -> Sequence[TicketAnalysis]:
        statement = (
            sa.select(analyses)
            .where(*_conditions(company_id, label))
            .order_by(analyses.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [analysis_from_row(row) for row in await self._rows(statement)]

    async def count(self, company_id: int | None, label: str | None) -> int:
        return await self._count(*_conditions(company_id, label))


def _conditions(company_id: int | None, label: str | None) -> list[sa.ColumnElement[bool]]:
    c = analyses.c
    conditions: list[sa.ColumnElement[bool]] = [c.review_pending == sa.true()]
    if company_id is not None:
        conditions.append(c.company_id == company_id)
    if label is not None:
        conditions.append(sa.func.lower(c.category) == label.lower())
    return conditions
