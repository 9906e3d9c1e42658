"""Passwords hashed with argon2id (argon2-cffi), the OWASP-recommended memory-hard hash."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2PasswordHasher:
    """argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, 3 passes) unless tests ask for cheaper ones.

    Hashing runs in a thread: it takes tens of milliseconds of CPU by design, which must not stall the loop.
    """

    def __init__(self, time_cost: int | None = None, memory_cost_kib: int | None = None) -> None:
        defaults = _Argon2()
        self._argon2 = _Argon2(
            time_cost=defaults.time_cost if time_cost is None else time_cost,
            memory_cost=defaults.memory_cost if memory_cost_kib is None else memory_cost_kib,
        )
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            # A real check against a throwaway hash: a missing account takes as long as a wrong password.
            if self._dummy_hash is None:
                self._dummy_hash = await self.hash("no such account")
            password_hash = self._dummy_hash
        return await asyncio.to_thread(self._verify, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
