"""Use cases that manage a company's teams; any change to a team's text recomputes its embedding."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from application.ports.company_repository import CompanyRepository
from application.ports.team_repository import TeamRepository
from application.ports.text_embedder import TextEmbedder
from application.ports.unit_of_work import Transaction
from domain.companies import (
    MAX_NAME_LENGTH,
    MAX_TEAM_DESCRIPTION_LENGTH,
    Team,
    optional_text,
    require_name,
    team_categories,
)
from domain.errors import CompanyNotFound, TeamNotFound


class TeamUnitOfWork(Transaction, Protocol):
    """What the team use cases touch: teams, and their companies to check they exist."""

    companies: CompanyRepository
    teams: TeamRepository


T = TypeVar("T")


class Keep(enum.Enum):
    """The value of a `TeamChanges` field the change leaves as it is."""

    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class TeamDraft:
    """A team as a caller describes it; `to_team` checks each field (InvalidInput naming it). A category or a
    description of None (or blank) means none. `categories` are every category the team owns: the main one is
    `category`, else the first of them (`domain.companies.team_categories`)."""

    name: str
    category: str | None = None
    description: str | None = None
    categories: Sequence[str] | None = None

    def to_team(self, company_id: int, team_id: int | None = None) -> Team:
        category = optional_text(self.category, "category", MAX_NAME_LENGTH) or None
        category, extra = team_categories(category, self.categories)
        description = optional_text(self.description, "description", MAX_TEAM_DESCRIPTION_LENGTH)
        return Team(team_id, company_id, require_name(self.name, "name"), category, description, (), extra)


@dataclass(frozen=True, slots=True)
class TeamChanges:
    """Fields to change: `Keep.KEEP` (the default) leaves a field as it is; None clears the category or the
    description. `categories` replaces every category the team owns (the main one first, unless `category` is
    given too); a new `category` alone keeps the extra ones."""

    name: str | Keep = Keep.KEEP
    category: str | None | Keep = Keep.KEEP
    description: str | None | Keep = Keep.KEEP
    categories: Sequence[str] | Keep = Keep.KEEP

    def applied_to(self, team: Team) -> TeamDraft:
        given = not isinstance(self.categories, Keep)
        return TeamDraft(
            name=_kept(self.name, team.name),
            category=_kept(self.category, None if given else team.category),
            description=_kept(self.description, team.description),
            categories=_kept(self.categories, team.extra_categories),
        )


def _kept(new: T | Keep, old: T) -> T:
    return old if isinstance(new, Keep) else new


class _TeamUseCase:
    def __init__(self, uow_factory: Callable[[], TeamUnitOfWork], embedder: TextEmbedder) -> None:
        self._uow_factory = uow_factory
        self._embedder = embedder

    async def _with_embedding(self, team: Team) -> Team:
        (embedding,) = await self._embedder.embed([team.embedding_text()])
        return replace(team, embedding=tuple(embedding))


class CreateTeam(_TeamUseCase):
    async def execute(self, company_id: int, draft: TeamDraft) -> Team:
        team = draft.to_team(company_id)
        async with self._uow_factory() as uow:
            if await uow.companies.get(company_id) is None:
                raise CompanyNotFound(company_id)
        # Embedding outside the transaction: no connection is held while the model runs.
        team = await self._with_embedding(team)
        async with self._uow_factory() as uow:
            if await uow.companies.get(company_id) is None:
                raise CompanyNotFound(company_id)
            stored = await uow.teams.add(team)
            await uow.commit()
        return stored


class UpdateTeam(_TeamUseCase):
    async def execute(self, team_id: int, changes: TeamChanges) -> Team:
        async with self._uow_factory() as uow:
            current = await uow.teams.get(team_id)
        if current is None:
            raise TeamNotFound(team_id)
        updated = changes.applied_to(current).to_team(current.company_id, team_id)
        if updated.embedding_text() != current.embedding_text() or not current.embedding:
            updated = await self._with_embedding(updated)
        else:
            updated = replace(updated, embedding=current.embedding)
        async with self._uow_factory() as uow:
            if await uow.teams.get(team_id) is None:
                raise TeamNotFound(team_id)
            await uow.teams.update(updated)
            await uow.commit()
        return updated


class GetTeam:
    def __init__(self, uow_factory: Callable[[], TeamUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, team_id: int) -> Team:
        async with self._uow_factory() as uow:
            team = await uow.teams.get(team_id)
        if team is None:
            raise TeamNotFound(team_id)
        return team


class ListTeams:
    def __init__(self, uow_factory: Callable[[], TeamUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, company_id: int) -> Sequence[Team]:
        async with self._uow_factory() as uow:
            if await uow.companies.get(company_id) is None:
                raise CompanyNotFound(company_id)
            return await uow.teams.list_for_company(company_id)


class DeleteTeam:
    def __init__(self, uow_factory: Callable[[], TeamUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, team_id: int) -> None:
        async with self._uow_factory() as uow:
            if await uow.teams.get(team_id) is None:
                raise TeamNotFound(team_id)
            await uow.teams.delete(team_id)
            await uow.commit()
