"""Companies, their routing flags and their decision policy; every write moves the catalogue stamp."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.repositories.catalogue_stamp import bump_catalogue_stamp
from adapters.outbound.persistence.sqlalchemy.tables import companies, teams
from domain.companies import Company, CompanyFlags
from domain.decision_policy import DecisionPolicy


class SqlAlchemyCompanyRepository(TableRepository):
    table = companies

    async def get(self, company_id: int) -> Company | None:
        row = await self._row(company_id)
        return company_from_row(row) if row is not None else None

    async def list(self) -> Sequence[Company]:
        return [company_from_row(row) for row in await self._rows(sa.select(companies).order_by(companies.c.id))]

    async def add(self, company: Company) -> Company:
        stored = replace(company, id=await self._insert(_values(company)))
        await bump_catalogue_stamp(self._session)
        return stored

    async def update(self, company: Company) -> None:
        await self._update(company.id, _values(company))
        await bump_catalogue_stamp(self._session)

    async def delete(self, company_id: int) -> None:
        """Deletes the teams explicitly too, so the cascade does not depend on SQLite's foreign_keys pragma."""
        await self._session.execute(sa.delete(teams).where(teams.c.company_id == company_id))
        await self._delete(company_id)
        await bump_catalogue_stamp(self._session)


def _values(company: Company) -> dict[str, Any]:
    flags = company.flags
    return {
        "name": company.name,
        "auto_categorize": flags.auto_categorize,
        "auto_prioritize": flags.auto_prioritize,
        "auto_assign": flags.auto_assign,
        "category_mode": company.policy.category_mode.value,
        "team_mode": company.policy.team_mode.value,
        "target_precision": company.policy.target_precision,
        "trust_uncalibrated": company.policy.trust_uncalibrated,
        "similar_tickets_enabled": flags.similar_tickets,
    }


def company_from_row(row: sa.Row[Any]) -> Company:
    flags = CompanyFlags(
        bool(row.auto_categorize), bool(row.auto_prioritize), bool(row.auto_assign), bool(row.similar_tickets_enabled)
    )
    policy = DecisionPolicy(row.category_mode, row.team_mode, float(row.target_precision), bool(row.trust_uncalibrated))
    return Company(row.id, row.name, flags, policy)
