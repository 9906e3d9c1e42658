"""What every table-backed repository does the same way: fetch a row by id, insert one and learn its id,
update or delete by id, count rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession


class TableRepository:
    """A repository over one table whose primary key is the auto-increment column `id`."""

    table: sa.Table

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _row(self, row_id: int) -> sa.Row[Any] | None:
        return (await self._session.execute(sa.select(self.table).where(self.table.c.id == row_id))).first()

    async def _rows(self, statement: sa.Select[Any]) -> list[sa.Row[Any]]:
        return list(await self._session.execute(statement))

    async def _insert(self, values: Mapping[str, Any]) -> int:
        """Inserts one row and returns the id the database assigned to it."""
        return inserted_id(await self._session.execute(sa.insert(self.table).values(**values)))

    async def _update(self, row_id: int | None, values: Mapping[str, Any]) -> None:
        await self._session.execute(sa.update(self.table).where(self.table.c.id == row_id).values(**values))

    async def _delete(self, row_id: int) -> None:
        await self._session.execute(sa.delete(self.table).where(self.table.c.id == row_id))

    async def _count(self, *conditions: sa.ColumnElement[bool]) -> int:
        statement = sa.select(sa.func.count()).select_from(self.table).where(*conditions)
        return int((await self._session.execute(statement)).scalar_one())


def inserted_id(result: sa.Result[Any]) -> int:
    key = cast(CursorResult[Any], result).inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError("the database did not report the inserted id")
    return int(key[0])


def rowcount(result: sa.Result[Any]) -> int:
    """Rows matched: the MySQL dialects set CLIENT_FOUND_ROWS, so unchanged-but-matched rows count too."""
    return cast(CursorResult[Any], result).rowcount
