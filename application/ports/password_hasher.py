from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    """Turns passwords into salted, slow hashes and checks passwords against them.

    Contract: `hash` returns a self-describing string (algorithm, parameters, salt) that `verify` accepts;
    `verify` answers False for a wrong password or an unreadable hash and never raises for either; given
    None (no such account) it spends as long as a real check and answers False, so timing does not reveal
    which usernames exist;
    `needs_rehash` is True when the hash was made with weaker parameters than the current ones. Hashing is
    deliberately slow, so both run off the event loop. Passwords are never logged.
    """

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...
