"""Login attempts per throttle key: one row each, so every process and host sees the same count."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.tables import login_failures
from domain.login_throttle import RecentFailures


class SqlAlchemyLoginFailureRepository(TableRepository):
    table = login_failures

    async def record(self, key: str, at: datetime) -> int:
        return await self._insert({"throttle_key": key, "failed_at": at})

    async def recent(self, key: str, since: datetime, excluding: int | None = None) -> RecentFailures:
        c = login_failures.c
        conditions = [c.throttle_key == key, c.failed_at >= since]
        if excluding is not None:
            conditions.append(c.id != excluding)
        statement = sa.select(sa.func.count(), sa.func.max(c.failed_at)).where(*conditions)
        count, last_at = (await self._session.execute(statement)).one()
        return RecentFailures(int(count), last_at)

    async def forget(self, attempt_id: int) -> None:
        await self._delete(attempt_id)

    async def clear(self, key: str) -> None:
        await self._session.execute(sa.delete(login_failures).where(login_failures.c.throttle_key == key))

    async def prune(self, before: datetime) -> None:
        await self._session.execute(sa.delete(login_failures).where(login_failures.c.failed_at < before))
