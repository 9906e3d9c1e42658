"""Port: a company's recent tickets with their stored vectors and texts (bursts, emerging topics)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from domain.ticket_groups import GroupedTicket


class TicketGroupQueries(Protocol):
    """Reads only, over the stored ticket vectors (`TicketVectorRepository`'s rows) joined with their tickets' texts.

    Contract: every read is scoped to one company and one model version: only tickets whose vector was stored
    with both are returned, so a group never mixes companies or versions. A ticket whose analysis or labelled
    ticket no longer exists is left out. Results are newest first (`created_at`, then id), at most `limit`.
    """

    async def versions(self, company_id: int) -> Sequence[str]:
        """The model versions the company has vectors in (any order)."""
        ...

    async def recent(self, company_id: int, model_version: str, since: datetime, limit: int) -> Sequence[GroupedTicket]:
        """Every ticket (analysis or labelled ticket) whose vector's `created_at` is at or after `since`."""
        ...

    async def topic_candidates(
        self, company_id: int, model_version: str, since: datetime, known_labels: Collection[str], limit: int
    ) -> Sequence[GroupedTicket]:
        """Analyses created at or after `since` that still wait for review, or whose person's label (the active
        labelled ticket their feedback stored, returned as `label`) is none of `known_labels` (compared
        case-insensitively): what the model could not place."""
        ...
