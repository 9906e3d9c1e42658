"""Port: an admin's corrections to the training data (a ticket's label, or whether it is trained on)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class LabelledTicketCuration(Protocol):
    """Changes one labelled ticket in place.

    Contract: each method answers False, changing nothing, when no ticket has `ticket_id`. `set_status`
    sets the status ("active", "superseded" or "excluded"; only "active" tickets are exported and trained on)
    and records who changed it and when; `change_category` replaces the label and leaves the status as it is.
    `status` reads the current status (None for no such ticket). Writes wait for the unit of work's commit.
    """

    async def set_status(self, ticket_id: int, status: str, by: str, at: datetime) -> bool: ...

    async def change_category(self, ticket_id: int, category: str) -> bool: ...

    async def status(self, ticket_id: int) -> str | None: ...
