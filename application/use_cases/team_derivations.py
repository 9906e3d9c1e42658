"""What the served model takes each team to own, for the people who should check it.

A team without a category of its own is routed by its derived category (`domain.team_evidence`); a wrong one is
silent, so the admin team page shows it with its confidence and runner-up (an admin makes it, or another label,
the team's category in one click: `UpdateTeam`), and the dashboard lists the teams whose derivation is weak.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from application.ports.company_repository import CompanyRepository
from application.ports.team_repository import TeamRepository
from application.ports.unit_of_work import Transaction
from application.services.team_router import TeamRouter
from domain.companies import Company, Team
from domain.errors import TeamNotFound
from domain.team_evidence import DerivedCategory


class TeamDerivationUnitOfWork(Transaction, Protocol):
    companies: CompanyRepository
    teams: TeamRepository


@dataclass(frozen=True, slots=True)
class DerivationLimits:
    """DERIVED_CONFIDENCE_MIN and DERIVED_MARGIN_MIN: below either, a derivation is weak."""

    confidence_min: float
    margin_min: float


@dataclass(frozen=True, slots=True)
class TeamDerivation:
    """`derived` is None when no model could read the team yet (still loading). `weak` only for a team that is
    routed by it (no category of its own)."""

    team: Team
    derived: DerivedCategory | None
    weak: bool
    takes: tuple[str, ...] = ()
    """The labels the team takes now by its reading, compared with its company's other teams (none when it has
    a category of its own)."""


@dataclass(frozen=True, slots=True)
class WeakDerivation:
    company: Company
    derivation: TeamDerivation


class ReadTeamDerivations:
    def __init__(
        self, uow_factory: Callable[[], TeamDerivationUnitOfWork], router: TeamRouter, limits: DerivationLimits
    ) -> None:
        self._uow_factory = uow_factory
        self._router = router
        self._limits = limits

    @property
    def limits(self) -> DerivationLimits:
        return self._limits

    async def for_team(self, team_id: int) -> TeamDerivation:
        async with self._uow_factory() as uow:
            team = await uow.teams.get(team_id)
            company_teams = await uow.teams.list_for_company(team.company_id) if team is not None else ()
        if team is None:
            raise TeamNotFound(team_id)
        (derivation,) = await self._derivations([team])
        if derivation.derived is not None and team.category is None:
            taken = await self._router.labels_taken(company_teams)
            derivation = replace(derivation, takes=taken.get(team_id, ()))
        return derivation

    async def weak(self) -> list[WeakDerivation]:
        """Every company's teams without a category of their own whose derived category is weak, by company."""
        async with self._uow_factory() as uow:
            companies = await uow.companies.list()
            teams = {company.id: await uow.teams.list_for_company(company.id or 0) for company in companies}
        found = []
        for company in companies:
            derivations = await self._derivations([t for t in teams[company.id] if t.category is None])
            found += [WeakDerivation(company, d) for d in derivations if d.weak]
        return found

    async def _derivations(self, teams: Sequence[Team]) -> list[TeamDerivation]:
        if not teams or not self._router.can_read():
            return [TeamDerivation(team, None, False) for team in teams]
        readings = await self._router.readings(teams)
        limits = self._limits
        found = []
        for team in teams:
            reading = readings.get(team.id or 0)
            derived = reading.derived if reading is not None else None
            weak = derived is not None and derived.is_weak(limits.confidence_min, limits.margin_min)
            found.append(TeamDerivation(team, derived, weak and team.category is None))
        return found
