"""Browsing recorded analyses: a filtered page of them, and one with everything around it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from application.ports.analysis_queries import AnalysisQueries
from application.ports.analysis_repository import AnalysisRepository
from application.ports.company_repository import CompanyRepository
from application.ports.labelled_ticket_repository import LabelledTicketRepository
from application.ports.team_repository import TeamRepository
from application.ports.unit_of_work import Transaction
from domain.analysis import AnalysisFilter, TicketAnalysis
from domain.companies import Company, Team
from domain.errors import InvalidInput, NotFound
from domain.labelled_tickets import LabelledTicket


class AnalysisBrowsingUnitOfWork(Transaction, Protocol):
    """A page of analyses reads the query side only."""

    analysis_queries: AnalysisQueries


class AnalysisDetailUnitOfWork(Transaction, Protocol):
    """One analysis with its company, team and feedback ticket."""

    analyses: AnalysisRepository
    companies: CompanyRepository
    teams: TeamRepository
    labelled_tickets: LabelledTicketRepository


MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class AnalysisPage:
    total: int
    """How many analyses match the filter, on every page."""
    offset: int
    limit: int
    items: Sequence[TicketAnalysis]


class ListAnalyses:
    def __init__(self, uow_factory: Callable[[], AnalysisBrowsingUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, criteria: AnalysisFilter, offset: int = 0, limit: int = 50) -> AnalysisPage:
        if offset < 0:
            raise InvalidInput("offset", "must not be negative")
        if not 0 < limit <= MAX_PAGE_SIZE:
            raise InvalidInput("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
        async with self._uow_factory() as uow:
            total = await uow.analysis_queries.count_matching(criteria)
            items = await uow.analysis_queries.list_page(criteria, offset, limit)
        return AnalysisPage(total, offset, limit, items)


@dataclass(frozen=True, slots=True)
class AnalysisDetail:
    analysis: TicketAnalysis
    company: Company | None
    """None once the company was deleted: analyses outlive it."""
    team: Team | None
    feedback: LabelledTicket | None
    """The labelled ticket an agent confirmed or corrected this analysis with, if any."""


class GetAnalysisDetail:
    def __init__(self, uow_factory: Callable[[], AnalysisDetailUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, analysis_id: int) -> AnalysisDetail:
        async with self._uow_factory() as uow:
            analysis = await uow.analyses.get(analysis_id)
            if analysis is None:
                raise NotFound("Analysis", analysis_id)
            company = await uow.companies.get(analysis.company_id)
            team_id = analysis.assignment.assigned_team_id if analysis.assignment else None
            team = await uow.teams.get(team_id) if team_id is not None else None
            ticket_id = await uow.analyses.feedback_ticket_id(analysis_id)
            feedback = await uow.labelled_tickets.get(ticket_id) if ticket_id is not None else None
        return AnalysisDetail(analysis, company, team, feedback)
