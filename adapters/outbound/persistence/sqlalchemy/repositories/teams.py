"""Teams of companies, with their embeddings stored as JSON lists of floats (which round-trip exactly), and the
tickets people confirmed as theirs (team evidence); every write moves the catalogue stamp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.repositories.catalogue_stamp import bump_catalogue_stamp
from adapters.outbound.persistence.sqlalchemy.tables import team_evidence, teams
from domain.companies import Team
from domain.team_evidence import TeamEvidence


class SqlAlchemyTeamRepository(TableRepository):
    table = teams

    async def get(self, team_id: int) -> Team | None:
        row = await self._row(team_id)
        if row is None:
            return None
        evidence = await self._evidence(team_evidence.c.team_id == team_id)
        return team_from_row(row, evidence.get(team_id, ()))

    async def list_for_company(self, company_id: int) -> Sequence[Team]:
        statement = sa.select(teams).where(teams.c.company_id == company_id).order_by(teams.c.id)
        rows = await self._rows(statement)
        evidence = await self._evidence(team_evidence.c.company_id == company_id) if rows else {}
        return [team_from_row(row, evidence.get(row.id, ())) for row in rows]

    async def add_evidence(self, team_id: int, company_id: int, evidence: TeamEvidence, keep: int) -> None:
        await self._session.execute(
            sa.insert(team_evidence).values(
                team_id=team_id, company_id=company_id, text=evidence.text, category=evidence.category
            )
        )
        # Only the newest `keep` stay: the id of the oldest kept row bounds the delete (one indexed range).
        oldest_kept = (
            sa.select(team_evidence.c.id)
            .where(team_evidence.c.team_id == team_id)
            .order_by(team_evidence.c.id.desc())
            .offset(max(keep, 1) - 1)
            .limit(1)
        )
        bound = (await self._session.execute(oldest_kept)).scalar_one_or_none()
        if bound is not None:
            await self._session.execute(
                sa.delete(team_evidence).where(team_evidence.c.team_id == team_id, team_evidence.c.id < bound)
            )
        await bump_catalogue_stamp(self._session)

    async def _evidence(self, condition: sa.ColumnElement[bool]) -> dict[int, tuple[TeamEvidence, ...]]:
        statement = sa.select(team_evidence.c.team_id, team_evidence.c.text, team_evidence.c.category)
        found: dict[int, list[TeamEvidence]] = {}
        for row in await self._session.execute(statement.where(condition).order_by(team_evidence.c.id)):
            found.setdefault(row.team_id, []).append(TeamEvidence(row.text, row.category))
        return {team_id: tuple(items) for team_id, items in found.items()}

    async def add(self, team: Team) -> Team:
        team_id = await self._insert({"company_id": team.company_id, **_values(team)})
        await bump_catalogue_stamp(self._session)
        return Team(
            team_id, team.company_id, team.name, team.category, team.description, team.embedding, team.extra_categories
        )

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
        "extra_categories": list(team.extra_categories) or None,
    }


def team_from_row(row: sa.Row[Any], evidence: tuple[TeamEvidence, ...] = ()) -> Team:
    embedding = tuple(float(x) for x in row.embedding or ())
    extra = tuple(str(x) for x in row.extra_categories or ())
    return Team(row.id, row.company_id, row.name, row.category, row.description, embedding, extra, evidence)
