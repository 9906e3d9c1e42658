"""The review queue: analyses whose category or team a person still has to confirm or correct."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from application.ports.review_queue_queries import ReviewQueueQueries
from application.ports.unit_of_work import Transaction
from domain.analysis import TicketAnalysis
from domain.errors import InvalidInput

MAX_REVIEW_PAGE = 500


class ReviewQueueUnitOfWork(Transaction, Protocol):
    """Reads the pending analyses."""

    review_queue: ReviewQueueQueries


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """`total` pending analyses match the filter; `items` are the page, oldest first. Each item is the stored
    analysis: its suggestion (`category`, with the runner-up labels in `category.alternatives` and the words
    behind it in `category.reasons`), its `decisions` (and `decisions.suggested_team_id`), its priority."""

    total: int
    offset: int
    limit: int
    items: Sequence[TicketAnalysis]


class ListReviewQueue:
    """Lists the analyses waiting for a person (`review_pending`), oldest first, optionally of one company and
    one predicted label (case-insensitive). A person clears an item with `SubmitFeedback`."""

    def __init__(self, uow_factory: Callable[[], ReviewQueueUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(
        self, company_id: int | None = None, label: str | None = None, offset: int = 0, limit: int = 50
    ) -> ReviewPage:
        if offset < 0:
            raise InvalidInput("offset", "must not be negative")
        if not 0 < limit <= MAX_REVIEW_PAGE:
            raise InvalidInput("limit", f"must be between 1 and {MAX_REVIEW_PAGE}")
        label = label.strip() or None if label is not None else None
        async with self._uow_factory() as uow:
            total = await uow.review_queue.count(company_id, label)
            items = await uow.review_queue.list_page(company_id, label, offset, limit)
        return ReviewPage(total, offset, limit, items)
