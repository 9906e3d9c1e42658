"""Admin-site accounts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.tables import admin_users
from domain.admin_users import AdminRole, AdminUser
from domain.errors import Conflict


class SqlAlchemyAdminUserRepository(TableRepository):
    table = admin_users

    async def get(self, user_id: int) -> AdminUser | None:
        row = await self._row(user_id)
        return _from_row(row) if row is not None else None

    async def get_by_username(self, username: str) -> AdminUser | None:
        rows = await self._rows(sa.select(admin_users).where(admin_users.c.username == username))
        return _from_row(rows[0]) if rows else None

    async def add(self, user: AdminUser) -> AdminUser:
        """The unique index settles a race between two creators; the loser gets Conflict, not a driver error.
        The savepoint keeps the rest of the transaction usable after the failed insert."""
        try:
            async with self._session.begin_nested():
                user_id = await self._insert(_values(user))
        except sa.exc.IntegrityError:
            raise Conflict(f"an admin user named {user.username!r} already exists") from None
        return replace(user, id=user_id)

    async def update(self, user: AdminUser) -> None:
        await self._update(user.id, _values(user))  # never the session generation: see the port

    async def revoke_sessions(self, user_id: int) -> None:
        generation = admin_users.c.session_generation
        await self._session.execute(
            sa.update(admin_users).where(admin_users.c.id == user_id).values(session_generation=generation + 1)
        )

    async def count(self) -> int:
        return await self._count()


def _values(user: AdminUser) -> dict[str, Any]:
    return {
        "username": user.username,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }


def _from_row(row: sa.Row[Any]) -> AdminUser:
    return AdminUser(
        session_generation=int(row.session_generation),
        username=row.username,
        password_hash=row.password_hash,
        role=AdminRole(row.role),
        created_at=row.created_at,
        is_active=bool(row.is_active),
        last_login_at=row.last_login_at,
        id=row.id,
    )
