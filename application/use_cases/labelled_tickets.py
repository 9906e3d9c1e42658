"""Labelled tickets in: from the platform (one or a batch), and as feedback on an analysis."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from application.ports.analysis_repository import AnalysisRepository
from application.ports.clock import Clock
from application.ports.labelled_ticket_queries import LabelledTicketQueries
from application.ports.labelled_ticket_repository import LabelledTicketRepository
from application.ports.unit_of_work import Transaction
from domain.errors import InvalidInput, NotFound
from domain.labelled_tickets import LabelledTicket


class LabelledTicketUnitOfWork(Transaction, Protocol):
    """Storing labelled tickets."""

    labelled_tickets: LabelledTicketRepository


class FeedbackUnitOfWork(Transaction, Protocol):
    """Feedback reads the analysis and stores a labelled ticket linked to it."""

    analyses: AnalysisRepository
    labelled_tickets: LabelledTicketRepository


class LabelledTicketPageUnitOfWork(Transaction, Protocol):
    """A page of labelled tickets and their total."""

    labelled_tickets: LabelledTicketRepository
    labelled_ticket_queries: LabelledTicketQueries


MAX_BATCH = 1_000


class RecordLabelledTickets:
    """Stores a batch all-or-nothing: one invalid ticket rejects the batch, naming its index and field."""

    def __init__(self, uow_factory: Callable[[], LabelledTicketUnitOfWork], clock: Clock, max_text_length: int) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._max_text_length = max_text_length

    async def execute(self, items: Sequence[Mapping[str, object]], source: str = "api") -> list[LabelledTicket]:
        if not items:
            raise InvalidInput("tickets", "must contain at least one ticket")
        if len(items) > MAX_BATCH:
            raise InvalidInput("tickets", f"must contain at most {MAX_BATCH} tickets per request")
        now = self._clock.now()
        tickets = [
            LabelledTicket.validated(
                item.get("text"),
                item.get("category"),
                item.get("source") or source,
                now,
                priority=item.get("priority"),
                team_id=item.get("team_id"),
                max_text_length=self._max_text_length,
                field_prefix=f"tickets[{index}]." if len(items) > 1 else "",
            )
            for index, item in enumerate(items)
        ]
        async with self._uow_factory() as uow:
            stored = await uow.labelled_tickets.add_many(tickets)
            await uow.commit()
        return stored


@dataclass(frozen=True, slots=True)
class FeedbackResult:
    analysis_id: int
    labelled_ticket: LabelledTicket
    corrected: bool


class SubmitFeedback:
    """An agent confirms an analysis (its category becomes the label) or corrects it (theirs does)."""

    def __init__(self, uow_factory: Callable[[], FeedbackUnitOfWork], clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def execute(
        self, analysis_id: int, category: object = None, priority: object = None, team_id: object = None
    ) -> FeedbackResult:
        async with self._uow_factory() as uow:
            analysis = await uow.analyses.get(analysis_id)
            if analysis is None:
                raise NotFound("Analysis", analysis_id)
            predicted = analysis.category.label if analysis.category else None
            final_category = category if category is not None else predicted
            if final_category is None:
                raise InvalidInput("category", "is required: this analysis has no predicted category to confirm")
            ticket = LabelledTicket.validated(
                analysis.description,
                final_category,
                "feedback",
                self._clock.now(),
                priority=priority if priority is not None else (analysis.priority.value if analysis.priority else None),
                team_id=team_id if team_id is not None else (analysis.assignment.assigned_team_id if analysis.assignment else None),
                max_text_length=max(len(analysis.description), 1),
            )
            (stored,) = await uow.labelled_tickets.add_many([ticket])
            assert stored.id is not None
            await uow.analyses.link_feedback(analysis_id, stored.id)
            await uow.commit()
        return FeedbackResult(analysis_id, stored, corrected=stored.category != predicted)


class ListLabelledTickets:
    def __init__(self, uow_factory: Callable[[], LabelledTicketPageUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, offset: int = 0, limit: int = 50) -> tuple[int, Sequence[LabelledTicket]]:
        if offset < 0:
            raise InvalidInput("offset", "must not be negative")
        if not 0 < limit <= 500:
            raise InvalidInput("limit", "must be between 1 and 500")
        async with self._uow_factory() as uow:
            return await uow.labelled_tickets.count(), await uow.labelled_ticket_queries.list_page(offset, limit)


