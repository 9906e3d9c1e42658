"""Port: the read model that pages through labelled tickets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.labelled_tickets import LabelledTicket


class LabelledTicketQueries(Protocol):
    """Reads only. Contract: newest first (highest id first), `offset` skipped, at most `limit` returned."""

    async def list_page(self, offset: int, limit: int) -> Sequence[LabelledTicket]: ...
