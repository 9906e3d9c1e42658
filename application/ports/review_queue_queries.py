"""Port: the analyses waiting for a person (the review queue)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.analysis import TicketAnalysis


class ReviewQueueQueries(Protocol):
    """Reads only. Contract: only analyses whose `decisions.review_pending` is true; oldest first (lowest id
    first); `company_id` (when given) matches exactly and `label` (when given) matches the predicted category
    case-insensitively; `offset` skipped, at most `limit` returned; `count` counts the same selection."""

    async def list_page(
        self, company_id: int | None, label: str | None, offset: int, limit: int
    ) -> Sequence[TicketAnalysis]: ...

    async def count(self, company_id: int | None, label: str | None) -> int: ...
