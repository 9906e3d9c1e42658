"""Work leases: a row per lease held, taken by one conditional write that the database makes atomic."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.sqlalchemy.repositories._table import rowcount
from adapters.outbound.persistence.sqlalchemy.tables import work_leases
from application.ports.work_lease import LEASE_NAME_MAX


class SqlAlchemyWorkLeases:
    """A lease is taken by exactly one write: an insert-if-absent when no row holds the name, else an UPDATE that
    matches only an expired row or the holder's own; the row count says whether it took. The database serialises
    writers of one row (InnoDB's row lock, SQLite's write lock), so of concurrent takers one matches.

    Why the row's presence is read first (a plain read, which takes no lock) and only one of the two writes runs:
    on MariaDB an UPDATE that finds no row takes a gap lock, and two transactions that then both insert deadlock;
    an INSERT IGNORE that meets an existing row takes a shared lock, and two that then both update deadlock. A row
    inserted or deleted by another process after that read makes the one write match nothing: False, never a
    second holder.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def try_acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        _check(name)
        c = work_leases.c
        present = (await self._session.execute(sa.select(c.name).where(c.name == name))).first() is not None
        if present:
            take = (
                sa.update(work_leases)
                .where(c.name == name, sa.or_(c.expires_at <= now, c.holder == holder))
                .values(holder=holder, expires_at=now + ttl)
            )
            return rowcount(await self._session.execute(take)) == 1
        values = {"name": name, "holder": holder, "expires_at": now + ttl}
        dialect = (await self._session.connection()).dialect.name
        insert: sa.Executable
        if dialect == "sqlite":
            insert = sqlite_insert(work_leases).values(values).on_conflict_do_nothing()
        elif dialect in ("mysql", "mariadb"):
            insert = mysql_insert(work_leases).values(values).prefix_with("IGNORE")
        else:
            insert = sa.insert(work_leases).values(values)
        return rowcount(await self._session.execute(insert)) == 1

    async def release(self, name: str, holder: str) -> None:
        _check(name)
        c = work_leases.c
        await self._session.execute(sa.delete(work_leases).where(c.name == name, c.holder == holder))


def _check(name: str) -> None:
    """INSERT IGNORE would store a longer name cut short, under which its holder would never find it again."""
    if len(name) > LEASE_NAME_MAX:
        raise ValueError(f"a lease name has at most {LEASE_NAME_MAX} characters, got {len(name)}")
