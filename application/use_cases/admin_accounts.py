"""Creating admin-site accounts and setting their passwords (the `createsuperuser` and `changepassword` commands)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from application.ports.admin_user_repository import AdminUserRepository
from application.ports.clock import Clock
from application.ports.login_failure_repository import LoginFailureRepository
from application.ports.password_hasher import PasswordHasher
from application.ports.unit_of_work import Transaction
from domain.admin_users import (
    AdminRole,
    AdminUser,
    checked_new_password,
    normalized_username,
)
from domain.errors import Conflict, NotFound
from domain.login_throttle import user_key


class AdminAccountUnitOfWork(Transaction, Protocol):
    """Admin accounts and their login attempts (a new password lifts a lockout)."""

    admin_users: AdminUserRepository
    login_failures: LoginFailureRepository


class CreateAdminUser:
    """Adds an active admin; the password is checked against the rules and only its hash is stored."""

    def __init__(self, uow_factory: Callable[[], AdminAccountUnitOfWork], hasher: PasswordHasher, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._hasher = hasher
        self._clock = clock

    async def execute(self, username: str, password: str) -> AdminUser:
        name = normalized_username(username)
        secret = checked_new_password(password, name)
        async with self._uow_factory() as uow:
            if await uow.admin_users.get_by_username(name) is not None:
                raise Conflict(f"an admin user named {name!r} already exists")
        # Hashing takes a noticeable moment: no transaction is held open meanwhile.
        password_hash = await self._hasher.hash(secret)
        user = AdminUser(name, password_hash, AdminRole.ADMIN, self._clock.now())
        async with self._uow_factory() as uow:
            stored = await uow.admin_users.add(user)
            await uow.commit()
        return stored


class ChangeAdminPassword:
    """Sets a new password (which also ends the user's existing sessions) and lifts a lockout of the username."""

    def __init__(self, uow_factory: Callable[[], AdminAccountUnitOfWork], hasher: PasswordHasher) -> None:
        self._uow_factory = uow_factory
        self._hasher = hasher

    async def execute(self, username: str, password: str) -> AdminUser:
        name = normalized_username(username)
        secret = checked_new_password(password, name)
        password_hash = await self._hasher.hash(secret)
        async with self._uow_factory() as uow:
            user = await uow.admin_users.get_by_username(name)
            if user is None:
                raise NotFound("Admin user", name)
            updated = replace(user, password_hash=password_hash, is_active=True)
            await uow.admin_users.update(updated)
            await uow.admin_users.revoke_sessions(user.id or 0)
            await uow.login_failures.clear(user_key(name))
            await uow.commit()
        return replace(updated, session_generation=user.session_generation + 1)


class CountAdminUsers:
    """How many accounts exist: none means the login page tells how to create the first one."""

    def __init__(self, uow_factory: Callable[[], AdminAccountUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self) -> int:
        async with self._uow_factory() as uow:
            return await uow.admin_users.count()
