"""Port: an admin's corrections to the training data (a ticket's label, or whether it is trained on)."""

from __future__ import annotations

from typing import Protocol


class LabelledTicketCuration(Protocol):
    """Changes one labelled ticket in place.

    Contract: `change_category` replaces the label and leaves the status as it is, answering False, changing
    nothing, when no ticket has `ticket_id`; `status` reads the current status (None for no such ticket). A ticket's
    status itself is set through `LabelledTicketRepository.set_status`. Writes wait for the unit of work's commit.
    """

    async def change_category(self, ticket_id: int, category: str) -> bool: ...

    async def status(self, ticket_id: int) -> str | None: ...
