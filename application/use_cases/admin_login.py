"""Logging in to the admin site, throttled per username and per client address, and checking a session."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import replace

from application.ports.clock import Clock
from application.ports.password_hasher import PasswordHasher
from application.use_cases.admin_accounts import AdminAccountUnitOfWork
from domain.admin_users import MAX_PASSWORD_LENGTH, MAX_USERNAME_LENGTH, AdminUser
from domain.errors import InvalidCredentials, LoginThrottled
from domain.login_throttle import LoginThrottlePolicy, address_key, user_key

logger = logging.getLogger(__name__)


class AuthenticateAdmin:
    """Checks a username and password; every failure counts towards a lockout that no password can pass.

    The attempt is recorded (and committed) before anything is checked, and only then is the lockout read, so
    parallel guesses see each other: with a limit of 5, at most 5 of any number of concurrent wrong guesses get
    to the password check. A recorded attempt is a failure until it proves otherwise: a success clears the
    username's failures (not the address's: one valid account must not reset an address that is guessing at
    others) and forgets its own address attempt; an attempt refused by the lockout, which checked no password,
    is forgotten, so hammering a locked account does not lengthen its lockout.

    A missing account, an inactive one and a wrong password fail alike and take as long, so the answer
    reveals nothing about which usernames exist.
    """

    def __init__(
        self,
        uow_factory: Callable[[], AdminAccountUnitOfWork],
        hasher: PasswordHasher,
        clock: Clock,
        policy: LoginThrottlePolicy,
        reads: Callable[[], AdminAccountUnitOfWork] | None = None,
    ) -> None:
        """`reads` makes the units of work that only read (the lockout check); by default `uow_factory`'s."""
        self._uow_factory = uow_factory
        self._reads = reads or uow_factory
        self._hasher = hasher
        self._clock = clock
        self._policy = policy

    async def execute(self, username: str, password: str, address: str) -> AdminUser:
        now = self._clock.now()
        name = username.strip().lower()[:MAX_USERNAME_LENGTH]
        secret = password if len(password) <= MAX_PASSWORD_LENGTH else ""
        limits = {
            user_key(name): self._policy.max_failures_per_user,
            address_key(address): self._policy.max_failures_per_address,
        }
        since = self._policy.window_start(now)
        async with self._uow_factory() as uow:
            attempts = {key: await uow.login_failures.record(key, now) for key in limits}
            await uow.login_failures.prune(since)
            await uow.commit()

        # A new transaction, so that it sees every attempt committed before it, its own included. It only reads,
        # so it never queues behind the attempts being recorded.
        async with self._reads() as uow:
            locks = [
                self._policy.locked_until(await uow.login_failures.recent(key, since, excluding=attempts[key]), limit)
                for key, limit in limits.items()
            ]
            user = await uow.admin_users.get_by_username(name) if name else None
        locked_until = max((moment for moment in locks if moment is not None), default=None)
        if locked_until is not None and locked_until > now:
            await self._forget(attempts.values())
            raise LoginThrottled(max(1, math.ceil((locked_until - now).total_seconds())))

        valid = await self._hasher.verify(user.password_hash if user else None, secret) and bool(secret)
        if user is None or not user.is_active or not valid:
            # The recorded attempts stay: they are this failure.
            # The address is safe to log; the username is not (people type passwords into it).
            logger.warning("failed admin login from %s", address)
            raise InvalidCredentials()

        password_hash = user.password_hash
        if self._hasher.needs_rehash(password_hash):
            password_hash = await self._hasher.hash(secret)
        logged_in = replace(user, last_login_at=now, password_hash=password_hash)
        async with self._uow_factory() as uow:
            await uow.login_failures.clear(user_key(name))
            await uow.login_failures.forget(attempts[address_key(address)])
            await uow.admin_users.update(logged_in)
            await uow.commit()
        logger.info("admin %s logged in from %s", logged_in.username, address)
        return logged_in

    async def _forget(self, attempt_ids: Iterable[int]) -> None:
        async with self._uow_factory() as uow:
            for attempt_id in attempt_ids:
                await uow.login_failures.forget(attempt_id)
            await uow.commit()


class LogoutAdmin:
    """Ends every session of the admin at once, on every process: their session generation moves on."""

    def __init__(self, uow_factory: Callable[[], AdminAccountUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, user: AdminUser) -> None:
        if user.id is None:
            return
        async with self._uow_factory() as uow:
            await uow.admin_users.revoke_sessions(user.id)
            await uow.commit()
        logger.info("admin %s logged out; every session of theirs is ended", user.username)


class ResolveAdminSession:
    """The admin a session belongs to, or None when the account is gone, inactive, or its sessions were revoked
    since (a logout or a password change)."""

    def __init__(self, uow_factory: Callable[[], AdminAccountUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, user_id: int, stamp: str) -> AdminUser | None:
        async with self._uow_factory() as uow:
            user = await uow.admin_users.get(user_id)
        if user is None or not user.is_active or user.session_stamp() != stamp:
            return None
        return user
