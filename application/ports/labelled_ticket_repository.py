"""Port: tickets with their final labels, the training data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.labelled_tickets import LabelledTicket, TicketStatus


class LabelledTicketRepository(Protocol):
    """Labelled tickets by id.

    Contract: ids only grow, so a later ticket has a higher id; tickets read back as added (times the same
    instant; status, company and who changed the status included). Writes wait for the unit of work's commit.
    """

    async def add_many(self, tickets: Sequence[LabelledTicket]) -> list[LabelledTicket]:
        """Stages all tickets (any number, any text length) and returns them with ascending ids, in order."""
        ...

    async def get(self, ticket_id: int) -> LabelledTicket | None: ...

    async def count(self) -> int: ...

    async def newest_id(self) -> int | None: ...

    async def all_for_training(self) -> Sequence[LabelledTicket]:
        """Every `active` ticket, oldest first: superseded and excluded tickets are never trained on."""
        ...

    async def set_status(self, ticket_id: int, status: TicketStatus, changed_by: str, changed_at: datetime) -> bool:
        """Sets a ticket's status and who changed it when; False, changing nothing, when no ticket has the id."""
        ...

    async def active_categories(self) -> Sequence[str]:
        """The distinct categories of `active` tickets, sorted."""
        ...
