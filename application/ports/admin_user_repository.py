"""Port: the admin site's accounts."""

from __future__ import annotations

from typing import Protocol

from domain.admin_users import AdminUser


class AdminUserRepository(Protocol):
    """Admin-site accounts. Usernames are unique (already normalised by the domain); `add` assigns the id.

    Writes wait for the unit of work's commit.
    """

    async def get(self, user_id: int) -> AdminUser | None: ...

    async def get_by_username(self, username: str) -> AdminUser | None: ...

    async def add(self, user: AdminUser) -> AdminUser:
        """Raises `domain.errors.Conflict` when the username is taken; the unit of work stays usable."""
        ...

    async def update(self, user: AdminUser) -> None:
        """Writes every field except `session_generation`, which only `revoke_sessions` changes (so a login that
        read the user before a concurrent logout cannot bring the old generation back)."""
        ...

    async def revoke_sessions(self, user_id: int) -> None:
        """Adds one to the user's session generation, atomically; a missing user is no error."""
        ...

    async def count(self) -> int: ...
