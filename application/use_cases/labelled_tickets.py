"""Labelled tickets in: from the platform (one or a batch), and as feedback on an analysis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from application.ports.analysis_repository import AnalysisRepository
from application.ports.clock import Clock
from application.ports.human_label_repository import HumanLabelRepository
from application.ports.labelled_ticket_queries import LabelledTicketQueries
from application.ports.labelled_ticket_repository import LabelledTicketRepository
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.team_repository import TeamRepository
from application.ports.ticket_vector_repository import TicketVectorRepository
from application.ports.unit_of_work import Transaction
from application.services.retraining_trigger import RetrainingTrigger
from application.services.similar_tickets import SimilarTickets
from domain.access import Actor
from domain.errors import InvalidInput, NotFound
from domain.human_labels import HumanLabel, text_hash
from domain.labelled_tickets import LabelledTicket, TicketStatus
from domain.priority import Priority
from domain.team_evidence import TeamEvidence


class LabelledTicketUnitOfWork(Transaction, Protocol):
    """Storing labelled tickets."""

    labelled_tickets: LabelledTicketRepository


class FeedbackUnitOfWork(Transaction, Protocol):
    """Feedback reads the analysis and the labels known, stores a labelled ticket linked to it (superseding an
    earlier one) and the person's label of the text."""

    analyses: AnalysisRepository
    labelled_tickets: LabelledTicketRepository
    human_labels: HumanLabelRepository
    model_versions: ModelVersionRepository
    teams: TeamRepository
    ticket_vectors: TicketVectorRepository


class LabelledTicketPageUnitOfWork(Transaction, Protocol):
    """A page of labelled tickets and their total."""

    labelled_tickets: LabelledTicketRepository
    labelled_ticket_queries: LabelledTicketQueries


MAX_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class NewLabelledTicket:
    """A labelled ticket as the platform sends it. The domain checks each field: a text or category of None (not
    given) is refused naming the field; no `source` means the source the use case is given."""

    text: str | None
    category: str | None
    priority: Priority | None = None
    team_id: int | None = None
    source: str | None = None


class RecordLabelledTickets:
    """Stores a batch all-or-nothing: one invalid ticket rejects the batch, naming its index and field; then starts
    a training when the new labels made one due."""

    def __init__(
        self,
        uow_factory: Callable[[], LabelledTicketUnitOfWork],
        clock: Clock,
        max_text_length: int,
        retraining: RetrainingTrigger,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._max_text_length = max_text_length
        self._retraining = retraining

    async def execute(self, items: Sequence[NewLabelledTicket], source: str = "api") -> list[LabelledTicket]:
        if not items:
            raise InvalidInput("tickets", "must contain at least one ticket")
        if len(items) > MAX_BATCH:
            raise InvalidInput("tickets", f"must contain at most {MAX_BATCH} tickets per request")
        now = self._clock.now()
        tickets = [
            LabelledTicket.validated(
                item.text,
                item.category,
                item.source or source,
                now,
                priority=item.priority,
                team_id=item.team_id,
                max_text_length=self._max_text_length,
                field_prefix=f"tickets[{index}]." if len(items) > 1 else "",
            )
            for index, item in enumerate(items)
        ]
        async with self._uow_factory() as uow:
            stored = await uow.labelled_tickets.add_many(tickets)
            await uow.commit()
        await self._retraining.after_labels()
        return stored


@dataclass(frozen=True, slots=True)
class Feedback:
    """A person's verdict on an analysis: no `category` confirms the predicted one, a category corrects it;
    `priority` and `team_id`, when given, replace the analysis's own."""

    category: str | None = None
    priority: Priority | None = None
    team_id: int | None = None


CONFIRM = Feedback()
"""The verdict that confirms an analysis as it is."""


@dataclass(frozen=True, slots=True)
class FeedbackResult:
    """`labelled_ticket` is the stored feedback; `corrected`: its category differs from the predicted one;
    `superseded_ticket_id`: the earlier feedback on the same analysis it replaced, if any."""

    analysis_id: int
    labelled_ticket: LabelledTicket
    corrected: bool
    superseded_ticket_id: int | None = None


class SubmitFeedback:
    """A person confirms an analysis (its category becomes the label) or corrects it (theirs does).

    - The analysis leaves the review queue; the labelled ticket is stored `active` with the analysis's company
      and who gave it; the company's human label of the exact text becomes this category, so a later analysis
      of the identical text answers it.
    - Feedback again on the same analysis replaces the earlier one: that labelled ticket becomes `superseded`
      (kept, never trained on).
    - A category must be known (the active model version's labels, the company's team categories, or a
      category of an active labelled ticket; compared case-insensitively), unless `actor` is an admin: a new
      label is a taxonomy change, which only an admin may make. Confirming the predicted category is always
      allowed.
    - A `team_id` must be a team of the analysis's company (else InvalidInput naming `team_id`); the person's
      choice becomes that team's evidence (`domain.team_evidence`: the newest `evidence_per_team` are kept), so
      the team's derived category and vector learn from it.
    - Then a training starts when the new label made one due (`RETRAIN_MIN_NEW_LABELS`), so a correction is
      learned without waiting for the next analysis.
    """

    def __init__(
        self,
        uow_factory: Callable[[], FeedbackUnitOfWork],
        clock: Clock,
        retraining: RetrainingTrigger,
        evidence_per_team: int,
        similar: SimilarTickets | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._retraining = retraining
        self._evidence_per_team = evidence_per_team
        self._similar = similar

    async def execute(
        self, analysis_id: int, feedback: Feedback = CONFIRM, actor: Actor | None = None
    ) -> FeedbackResult:
        """`actor` None is a trusted internal caller (an admin); the HTTP edge always passes who is calling."""
        (result,) = await self._give(None, [analysis_id], feedback, actor)
        return result

    async def execute_many(
        self, company_id: int, analysis_ids: Sequence[int], feedback: Feedback, actor: Actor | None = None
    ) -> list[FeedbackResult]:
        """The same verdict on several analyses of `company_id` (each id once, in order), all or nothing in one
        transaction, each exactly as `execute` gives it; then one training check. An analysis that does not exist
        or belongs to another company is NotFound, and nothing is stored."""
        if len(set(analysis_ids)) != len(analysis_ids):
            raise InvalidInput("analysis_ids", "must not repeat an analysis")
        return await self._give(company_id, analysis_ids, feedback, actor)

    async def _give(
        self, company_id: int | None, analysis_ids: Sequence[int], feedback: Feedback, actor: Actor | None
    ) -> list[FeedbackResult]:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            results = [
                await self._one(uow, company_id, analysis_id, feedback, actor, now) for analysis_id in analysis_ids
            ]
            await uow.commit()
        if self._similar is not None:
            for result in results:
                ticket = result.labelled_ticket
                assert ticket.company_id is not None
                self._similar.index.label_analysis(ticket.company_id, result.analysis_id, ticket.category)
        await self._retraining.after_labels()
        return results

    async def _one(
        self,
        uow: FeedbackUnitOfWork,
        company_id: int | None,
        analysis_id: int,
        feedback: Feedback,
        actor: Actor | None,
        now: datetime,
    ) -> FeedbackResult:
        analysis = await uow.analyses.get(analysis_id)
        if analysis is None or (company_id is not None and analysis.company_id != company_id):
            raise NotFound("Analysis", analysis_id)
        predicted = analysis.category.label if analysis.category else None
        final_category = feedback.category if feedback.category is not None else predicted
        if final_category is None:
            raise InvalidInput("category", "is required: this analysis has no predicted category to confirm")
        ticket = LabelledTicket.validated(
            analysis.description,
            final_category,
            "feedback",
            now,
            priority=feedback.priority if feedback.priority is not None else analysis.priority,
            team_id=feedback.team_id
            if feedback.team_id is not None
            else (analysis.assignment.assigned_team_id if analysis.assignment else None),
            max_text_length=max(len(analysis.description), 1),
        )
        changed_by = actor.name if actor is not None else "system"
        if actor is not None and not actor.is_admin and ticket.category != predicted:
            await _require_known_label(uow, analysis.company_id, ticket.category)
        if feedback.team_id is not None:
            team = await uow.teams.get(feedback.team_id)
            if team is None or team.company_id != analysis.company_id:
                raise InvalidInput("team_id", f"{feedback.team_id} is not a team of this analysis's company")
            await uow.teams.add_evidence(
                feedback.team_id,
                analysis.company_id,
                TeamEvidence(analysis.description, ticket.category),
                self._evidence_per_team,
            )
        ticket = replace(ticket, company_id=analysis.company_id, status_changed_by=changed_by, status_changed_at=now)
        earlier = await uow.analyses.feedback_ticket_id(analysis_id)
        if earlier is not None:
            await uow.labelled_tickets.set_status(earlier, TicketStatus.SUPERSEDED, changed_by, now)
        (stored,) = await uow.labelled_tickets.add_many([ticket])
        assert stored.id is not None
        await uow.analyses.link_feedback(analysis_id, stored.id)
        # Similar-ticket answers show the person's label for this analysis from now on.
        await uow.ticket_vectors.label_analysis(analysis.company_id, analysis_id, stored.category)
        await uow.human_labels.put(
            HumanLabel(analysis.company_id, text_hash(analysis.description), stored.category, stored.id, now)
        )
        return FeedbackResult(analysis_id, stored, corrected=stored.category != predicted, superseded_ticket_id=earlier)


async def _require_known_label(uow: FeedbackUnitOfWork, company_id: int, category: str) -> None:
    """Raises InvalidInput("category") unless the category is one the company or the active model knows."""
    known = set(await uow.labelled_tickets.active_categories())
    active = await uow.model_versions.active()
    if active is not None:
        known.update(active.labels)
    known.update(category for team in await uow.teams.list_for_company(company_id) for category in team.categories)
    if category.casefold() not in {label.casefold() for label in known}:
        raise InvalidInput(
            "category",
            f"{category!r} is not a label the company or the active model knows; only an admin may introduce a "
            "new label (use an admin API key or the admin site)",
        )


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
