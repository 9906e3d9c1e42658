"""An admin's corrections to labelled tickets: one UPDATE of one row each."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository, rowcount
from adapters.outbound.persistence.sqlalchemy.repositories.training_state import advance_label_revision
from adapters.outbound.persistence.sqlalchemy.tables import labelled_tickets


class SqlAlchemyLabelledTicketCuration(TableRepository):
    table = labelled_tickets

    async def change_category(self, ticket_id: int, category: str) -> bool:
        return await self._change(ticket_id, category=category)

    async def status(self, ticket_id: int) -> str | None:
        statement = sa.select(labelled_tickets.c.status).where(labelled_tickets.c.id == ticket_id)
        found = (await self._session.execute(statement)).scalar_one_or_none()
        return str(found) if found is not None else None

    async def _change(self, ticket_id: int, **values: object) -> bool:
        statement = sa.update(labelled_tickets).where(labelled_tickets.c.id == ticket_id).values(**values)
        changed = rowcount(await self._session.execute(statement)) > 0
        if changed:
            # A changed label is new training data too: the retraining trigger counts it.
            await advance_label_revision(self._session, 1)
        return changed
