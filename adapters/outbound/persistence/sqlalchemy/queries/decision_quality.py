"""Decision quality: per predicted category, the automatic decisions and what feedback said of them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.tables import analyses, labelled_tickets
from domain.decision_quality import LabelDecisionCounts
from domain.decisions import Decision


class SqlAlchemyDecisionQualityQueries(TableRepository):
    table = analyses

    async def per_label(self) -> Sequence[LabelDecisionCounts]:
        a, t = analyses.c, labelled_tickets.c
        automatic = a.category_decision == Decision.AUTO.value
        with_feedback = sa.and_(automatic, t.id.is_not(None))
        # Exact comparison: the collation folds case, so compare the bytes.
        corrected = sa.and_(with_feedback, sa.func.hex(t.category) != sa.func.hex(a.category))
        statement = (
            sa.select(
                a.category,
                sa.func.count(),
                _count_where(automatic),
                _count_where(with_feedback),
                _count_where(corrected),
            )
            .select_from(analyses.outerjoin(labelled_tickets, t.id == a.labelled_ticket_id))
            .where(a.category.is_not(None))
            .group_by(a.category)
        )
        rows = await self._session.execute(statement)
        lines = [LabelDecisionCounts(str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]
        return sorted(lines, key=lambda line: line.label)


def _count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)
