"""The analysis read model: `AnalysisFilter` as SQL, paged newest first, and counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.repositories.analyses import analysis_from_row
from adapters.outbound.persistence.sqlalchemy.tables import analyses
from domain.analysis import AnalysisFilter, TicketAnalysis


class SqlAlchemyAnalysisQueries(TableRepository):
    table = analyses

    async def list_page(self, criteria: AnalysisFilter, offset: int, limit: int) -> Sequence[TicketAnalysis]:
        statement = (
            sa.select(analyses).where(*_conditions(criteria)).order_by(analyses.c.id.desc()).offset(offset).limit(limit)
        )
        return [analysis_from_row(row) for row in await self._rows(statement)]

    async def count_matching(self, criteria: AnalysisFilter) -> int:
        return await self._count(*_conditions(criteria))

    async def count_since(self, moment: datetime) -> int:
        return await self._count(analyses.c.created_at >= moment)


def _conditions(criteria: AnalysisFilter) -> list[sa.ColumnElement[bool]]:
    """`AnalysisFilter.matches` as SQL; the category compares case-insensitively on every collation."""
    c = analyses.c
    conditions: list[sa.ColumnElement[bool]] = []
    if criteria.company_id is not None:
        conditions.append(c.company_id == criteria.company_id)
    if criteria.category is not None:
        conditions.append(sa.func.lower(c.category) == criteria.category.lower())
    if criteria.priority is not None:
        conditions.append(c.priority == criteria.priority.value)
    if criteria.need_admin is not None:
        conditions.append(c.need_admin == criteria.need_admin)
    if criteria.created_from is not None:
        conditions.append(c.created_at >= criteria.created_from)
    if criteria.created_before is not None:
        conditions.append(c.created_at < criteria.created_before)
    return conditions
