"""Teams of companies, with their embeddings stored as JSON lists of floats (which round-trip exactly); every
write moves the catalogue stamp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.repositories.catalogue_stamp import bump_catalogue_stamp
from adapters.outbound.persistence.sqlalchemy.tables import teams
from domain.companies import Team


class SqlAlchemyTeamRepository(TableRepository):
    table = teams

    async def get(self, team_id: int) -> Team | None:
        row = await self._row(team_id)
        return team_from_row(row) if row is not None else None

    async def list_for_company(self, company_id: int) -> Sequence[Team]:
        statement = sa.select(teams).where(teams.c.company_id == company_id).order_by(teams.c.id)
        return [team_from_row(row) for row in await self._rows(statement)]

    async def add(self, team: Team) -> Team:
        team_id = await self._insert({"company_id": team.company_id, **_values(team)})
        await bump_catalogue_stamp(self._session)
        return Team(team_id, team.company_id, team.name, team.category, team.description, team.embedding)

    async def update(self, team: Team) -> None:
        await self._update(team.id, _values(team))
        await bump_catalogue_stamp(self._session)

    async def delete(self, team_id: int) -> None:
        await self._delete(team_id)
        await bump_catalogue_stamp(self._session)


def _values(team: Team) -> dict[str, Any]:
    return {
        "name": team.name,
        "category": team.category,
        "description": team.description,
        "embedding": [float(x) for x in team.embedding],
    }


def team_from_row(row: sa.Row[Any]) -> Team:
    embedding = tuple(float(x) for x in row.embedding or ())
    return Team(row.id, row.company_id, row.name, row.category, row.description, embedding)
