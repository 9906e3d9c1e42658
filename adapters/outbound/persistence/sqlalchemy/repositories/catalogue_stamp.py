"""The catalogue stamp: a version that moves with every company or team write, in the same transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.sqlalchemy.repositories._table import rowcount
from adapters.outbound.persistence.sqlalchemy.tables import CATALOGUE_STAMP_ID, catalogue_stamp


class SqlAlchemyCatalogueStamp:
    """Reads the stamp: one primary-key read of a single row, which never waits on a writer's lock (a consistent
    read in InnoDB, a snapshot in SQLite). A missing row reads as 0."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self) -> int:
        statement = sa.select(catalogue_stamp.c.version).where(catalogue_stamp.c.id == CATALOGUE_STAMP_ID)
        version = (await self._session.execute(statement)).scalar_one_or_none()
        return int(version) if version is not None else 0


async def bump_catalogue_stamp(session: AsyncSession) -> None:
    """Moves the stamp in the caller's transaction; the company and team repositories call it on every write.

    The row is created when missing (the migration inserts it; a schema made from `tables.py` alone has none).
    """
    c = catalogue_stamp.c
    bump = sa.update(catalogue_stamp).where(c.id == CATALOGUE_STAMP_ID).values(version=c.version + 1)
    if rowcount(await session.execute(bump)) > 0:
        return
    values = {"id": CATALOGUE_STAMP_ID, "version": 0}
    dialect = (await session.connection()).dialect.name
    insert: sa.Executable
    if dialect == "sqlite":
        insert = sqlite_insert(catalogue_stamp).values(values).on_conflict_do_nothing()
    elif dialect in ("mysql", "mariadb"):
        insert = mysql_insert(catalogue_stamp).values(values).prefix_with("IGNORE")
    else:
        insert = sa.insert(catalogue_stamp).values(values)
    await session.execute(insert)
    await session.execute(bump)
