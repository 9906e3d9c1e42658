"""The labelled-ticket read model: pages, newest first."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.repositories.labelled_tickets import labelled_ticket_from_row
from adapters.outbound.persistence.sqlalchemy.tables import labelled_tickets
from domain.labelled_tickets import LabelledTicket


class SqlAlchemyLabelledTicketQueries(TableRepository):
    table = labelled_tickets

    async def list_page(self, offset: int, limit: int) -> Sequence[LabelledTicket]:
        statement = sa.select(labelled_tickets).order_by(labelled_tickets.c.id.desc()).offset(offset).limit(limit)
        return [labelled_ticket_from_row(row) for row in await self._rows(statement)]
