"""The labels people gave exact ticket texts, one row per (company, text hash)."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import (
    TableRepository,
    rowcount,
)
from adapters.outbound.persistence.sqlalchemy.tables import human_labels
from domain.human_labels import HumanLabel


class SqlAlchemyHumanLabelRepository(TableRepository):
    table = human_labels

    async def get(self, company_id: int, text_hash: str) -> HumanLabel | None:
        c = human_labels.c
        statement = sa.select(human_labels).where(c.company_id == company_id, c.text_hash == text_hash)
        row = (await self._session.execute(statement)).first()
        if row is None:
            return None
        return HumanLabel(row.company_id, row.text_hash, row.category, int(row.labelled_ticket_id), row.created_at)

    async def put(self, label: HumanLabel) -> None:
        """UPDATE first, INSERT when nothing matched: portable across MariaDB and SQLite. Two people labelling
        the same new text at once can make the second INSERT hit the unique key; that transaction fails and
        its feedback can simply be sent again."""
        c = human_labels.c
        values = {"category": label.category, "labelled_ticket_id": label.labelled_ticket_id, "created_at": label.created_at}
        statement = (
            sa.update(human_labels)
            .where(c.company_id == label.company_id, c.text_hash == label.text_hash)
            .values(**values)
        )
        if rowcount(await self._session.execute(statement)) == 0:
            await self._insert({"company_id": label.company_id, "text_hash": label.text_hash, **values})
