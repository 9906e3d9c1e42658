"""The labels people gave exact ticket texts, one row per (company, text hash)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.tables import human_labels
from domain.human_labels import HumanLabel


class SqlAlchemyHumanLabelRepository(TableRepository):
    table = human_labels

    async def get_many(self, company_id: int, text_hashes: Collection[str]) -> dict[str, HumanLabel]:
        """One `IN` query on the unique (company_id, text_hash) key."""
        if not text_hashes:
            return {}
        c = human_labels.c
        statement = sa.select(human_labels).where(c.company_id == company_id, c.text_hash.in_(set(text_hashes)))
        return {
            row.text_hash: HumanLabel(
                row.company_id, row.text_hash, row.category, int(row.labelled_ticket_id), row.created_at
            )
            for row in await self._session.execute(statement)
        }

    async def put(self, label: HumanLabel) -> None:
        """One atomic upsert on the unique (company_id, text_hash) key, so two people labelling the same new
        text at once both succeed and the later commit wins."""
        changes = {
            "category": label.category,
            "labelled_ticket_id": label.labelled_ticket_id,
            "created_at": label.created_at,
        }
        row = {"company_id": label.company_id, "text_hash": label.text_hash, **changes}
        statement: sa.Executable
        if self._session.get_bind().dialect.name == "sqlite":
            inserted = sqlite_insert(human_labels).values(**row)
            statement = inserted.on_conflict_do_update(
                index_elements=[human_labels.c.company_id, human_labels.c.text_hash],
                set_={name: inserted.excluded[name] for name in changes},
            )
        else:
            inserted_my = mysql_insert(human_labels).values(**row)
            statement = inserted_my.on_duplicate_key_update({name: inserted_my.inserted[name] for name in changes})
        await self._session.execute(statement)
