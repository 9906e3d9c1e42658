"""The "Likely mislabelled" list: read the latest run's candidates, and resolve one (confirm, change, exclude)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from application.ports.clock import Clock
from application.ports.labelled_ticket_curation import LabelledTicketCuration
from application.ports.labelled_ticket_repository import LabelledTicketRepository
from application.ports.mislabel_candidate_repository import MislabelCandidateRepository
from application.ports.unit_of_work import Transaction
from domain.errors import InvalidInput, NotFound
from domain.labelled_tickets import TicketStatus
from domain.mislabels import MislabelCandidate, Resolution, validated_new_label

MAX_PAGE_SIZE = 200


class MislabelListUnitOfWork(Transaction, Protocol):
    """The candidates and the texts of their tickets."""

    mislabel_candidates: MislabelCandidateRepository
    labelled_tickets: LabelledTicketRepository


class MislabelResolutionUnitOfWork(Transaction, Protocol):
    """A candidate's resolution and the change it makes to its labelled ticket, in one transaction."""

    mislabel_candidates: MislabelCandidateRepository
    labelled_tickets: LabelledTicketRepository
    labelled_ticket_curation: LabelledTicketCuration


@dataclass(frozen=True, slots=True)
class MislabelEntry:
    candidate: MislabelCandidate
    text: str | None
    """The ticket's text; None when the labelled ticket no longer exists."""


@dataclass(frozen=True, slots=True)
class MislabelPage:
    training_run_id: int | None
    """The run the candidates come from (the latest with any); None before any run listed candidates."""
    entries: Sequence[MislabelEntry]
    total: int
    unresolved_per_label: dict[str, int]


class ListMislabelCandidates:
    """The latest run's candidates, unresolved first, most unlikely given label first, optionally one label's."""

    def __init__(self, uow_factory: Callable[[], MislabelListUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, label: str | None = None, offset: int = 0, limit: int = 50) -> MislabelPage:
        if offset < 0:
            raise InvalidInput("offset", "must not be negative")
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
        async with self._uow_factory() as uow:
            run_id = await uow.mislabel_candidates.latest_run_id()
            if run_id is None:
                return MislabelPage(None, (), 0, {})
            candidates = await uow.mislabel_candidates.list_page(run_id, label or None, offset, limit)
            entries = []
            for candidate in candidates:
                ticket = await uow.labelled_tickets.get(candidate.labelled_ticket_id)
                entries.append(MislabelEntry(candidate, ticket.text if ticket is not None else None))
            total = await uow.mislabel_candidates.count(run_id, label or None)
            per_label = await uow.mislabel_candidates.unresolved_per_label(run_id)
        return MislabelPage(run_id, tuple(entries), total, per_label)


class MislabelAction(str, enum.Enum):
    CONFIRM = "confirm"
    CHANGE = "change"
    EXCLUDE = "exclude"


class ResolveMislabelCandidate:
    """Records an admin's decision on a candidate and applies it to the labelled ticket, all or nothing.

    confirm: the ticket stays as it is (and is not listed by later runs); change: the ticket's category becomes
    `new_label` and it stays trained on; exclude: the ticket's status becomes "excluded", so it is no longer
    exported or trained on. Who and when are recorded on the candidate (and, for exclude, on the ticket).
    """

    def __init__(self, uow_factory: Callable[[], MislabelResolutionUnitOfWork], clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def execute(
        self, candidate_id: int, action: MislabelAction, by: str, new_label: str | None = None
    ) -> MislabelCandidate:
        label = validated_new_label(new_label) if action is MislabelAction.CHANGE else None
        now = self._clock.now()
        async with self._uow_factory() as uow:
            candidate = await uow.mislabel_candidates.get(candidate_id)
            if candidate is None:
                raise NotFound("mislabel candidate", candidate_id)
            if label is not None and label == candidate.given_label:
                raise InvalidInput("new_label", "must differ from the given label (use confirm to keep it)")
            resolved = candidate.resolve(_RESOLUTION[action], by, now)
            ticket_id = candidate.labelled_ticket_id
            curation = uow.labelled_ticket_curation
            if action is MislabelAction.CHANGE and label is not None:
                found = await curation.change_category(ticket_id, label)
            elif action is MislabelAction.EXCLUDE:
                found = await uow.labelled_tickets.set_status(ticket_id, TicketStatus.EXCLUDED, by, now)
            else:
                found = await curation.status(ticket_id) is not None
            if not found:
                raise NotFound("labelled ticket", ticket_id)
            await uow.mislabel_candidates.record_resolution(resolved)
            await uow.commit()
        return resolved


_RESOLUTION = {
    MislabelAction.CONFIRM: Resolution.CONFIRMED,
    MislabelAction.CHANGE: Resolution.CHANGED,
    MislabelAction.EXCLUDE: Resolution.EXCLUDED,
}
