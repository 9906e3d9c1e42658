"""Port: tickets with their final labels, the training data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.labelled_tickets import LabelledTicket


class LabelledTicketRepository(Protocol):
    """Labelled tickets by id.

    Contract: ids only grow, so a later ticket has a higher id; tickets read back as added (times the same
    instant). Writes wait for the unit of work's commit.
    """

    async def add_many(self, tickets: Sequence[LabelledTicket]) -> list[LabelledTicket]:
        """Stages all tickets (any number, any text length) and returns them with ascending ids, in order."""
        ...

    async def get(self, ticket_id: int) -> LabelledTicket | None: ...

    async def count(self) -> int: ...

    async def newest_id(self) -> int | None: ...

    async def all_for_training(self) -> Sequence[LabelledTicket]:
        """Every ticket, oldest first."""
        ...
