"""Labelled tickets, inserted in batches that fit any MariaDB packet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository, rowcount
from adapters.outbound.persistence.sqlalchemy.repositories.training_state import advance_label_revision
from adapters.outbound.persistence.sqlalchemy.tables import labelled_tickets
from domain.labelled_tickets import LabelledTicket, TicketStatus
from domain.priority import Priority

INSERT_BATCH_ROWS = 1_000
"""Rows per multi-row INSERT of labelled tickets (SQLAlchemy's insertmanyvalues page size is the same)."""

INSERT_BATCH_BYTES = 4 * 1024 * 1024
"""Text bytes per multi-row INSERT: stays well below MariaDB's default 16 MiB max_allowed_packet even when
every ticket is long."""


class SqlAlchemyLabelledTicketRepository(TableRepository):
    table = labelled_tickets

    async def add_many(self, tickets: Sequence[LabelledTicket]) -> list[LabelledTicket]:
        """One multi-row INSERT ... RETURNING id per batch (MariaDB >= 10.5, SQLite >= 3.35).

        A multi-row INSERT stores its rows in VALUES order and an auto-increment id only grows (InnoDB's
        counter; SQLite's max(rowid) + 1 under the write lock the transaction holds), so the ascending ids
        belong to the tickets in order. The returned ids are sorted because neither database promises
        RETURNING's row order. SQLAlchemy's `sort_by_parameter_order` does the same on MariaDB but on SQLite
        it falls back to one INSERT per row, hence the explicit sort.
        """
        stored: list[LabelledTicket] = []
        statement = sa.insert(labelled_tickets).returning(labelled_tickets.c.id)
        for batch in _batches(tickets):
            result = await self._session.execute(statement, [_values(ticket) for ticket in batch])
            ids = sorted(int(ticket_id) for ticket_id in result.scalars().all())
            if len(ids) != len(batch):
                raise RuntimeError(f"the database returned {len(ids)} ids for {len(batch)} inserted tickets")
            stored.extend(replace(ticket, id=ticket_id) for ticket, ticket_id in zip(batch, ids, strict=True))
        await advance_label_revision(self._session, len(stored))
        return stored

    async def get(self, ticket_id: int) -> LabelledTicket | None:
        row = await self._row(ticket_id)
        return labelled_ticket_from_row(row) if row is not None else None

    async def count(self) -> int:
        return await self._count()

    async def newest_id(self) -> int | None:
        newest = (await self._session.execute(sa.select(sa.func.max(labelled_tickets.c.id)))).scalar_one()
        return int(newest) if newest is not None else None

    async def all_for_training(self) -> Sequence[LabelledTicket]:
        statement = (
            sa.select(labelled_tickets)
            .where(labelled_tickets.c.status == TicketStatus.ACTIVE.value)
            .order_by(labelled_tickets.c.id)
        )
        return [labelled_ticket_from_row(row) for row in await self._rows(statement)]

    async def set_status(self, ticket_id: int, status: TicketStatus, changed_by: str, changed_at: datetime) -> bool:
        values = {"status": status.value, "status_changed_by": changed_by, "status_changed_at": changed_at}
        statement = sa.update(labelled_tickets).where(labelled_tickets.c.id == ticket_id).values(**values)
        changed = rowcount(await self._session.execute(statement)) > 0
        if changed:
            await advance_label_revision(self._session, 1)
        return changed

    async def active_categories(self) -> Sequence[str]:
        c = labelled_tickets.c
        statement = sa.select(c.category).where(c.status == TicketStatus.ACTIVE.value).distinct()
        return sorted({str(category) for category in (await self._session.execute(statement)).scalars()})


def _batches(tickets: Sequence[LabelledTicket]) -> list[Sequence[LabelledTicket]]:
    """Consecutive slices of at most INSERT_BATCH_ROWS tickets and (unless one ticket alone is larger)
    INSERT_BATCH_BYTES of text."""
    batches: list[Sequence[LabelledTicket]] = []
    start = 0
    size = 0
    for index, ticket in enumerate(tickets):
        length = len(ticket.text.encode("utf-8"))
        if index > start and (index - start >= INSERT_BATCH_ROWS or size + length > INSERT_BATCH_BYTES):
            batches.append(tickets[start:index])
            start, size = index, 0
        size += length
    if start < len(tickets):
        batches.append(tickets[start:])
    return batches


def _values(ticket: LabelledTicket) -> dict[str, Any]:
    return {
        "text": ticket.text,
        "category": ticket.category,
        "priority": ticket.priority.value if ticket.priority is not None else None,
        "team_id": ticket.team_id,
        "source": ticket.source,
        "created_at": ticket.created_at,
        "company_id": ticket.company_id,
        "status": ticket.status.value,
        "status_changed_by": ticket.status_changed_by,
        "status_changed_at": ticket.status_changed_at,
    }


def labelled_ticket_from_row(row: sa.Row[Any]) -> LabelledTicket:
    return LabelledTicket(
        text=row.text,
        category=row.category,
        source=row.source,
        created_at=row.created_at,
        priority=Priority(row.priority) if row.priority is not None else None,
        team_id=row.team_id,
        id=row.id,
        company_id=row.company_id,
        status=TicketStatus(row.status),
        status_changed_by=row.status_changed_by,
        status_changed_at=row.status_changed_at,
    )
