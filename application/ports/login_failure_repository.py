"""Port: failed (and in-flight) login attempts per throttle key, shared by every process."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.login_throttle import RecentFailures


class LoginFailureRepository(Protocol):
    """Login attempts per throttle key (a username or a client address).

    An attempt is recorded *before* its password is checked and counts as a failure until `forget` or `clear`
    removes it: recording and committing first is what lets concurrent guesses see each other (the k-th attempt
    to commit sees at least k - 1 others), so no number of parallel guesses can all pass a lockout check.

    Contract: `record` returns the attempt's id, unique across keys; `recent` counts only committed attempts
    (and the caller's own). Writes wait for the unit of work's commit.
    """

    async def record(self, key: str, at: datetime) -> int: ...

    async def recent(self, key: str, since: datetime, excluding: int | None = None) -> RecentFailures:
        """How many attempts `key` has at or after `since`, and when the last one was, leaving out the attempt
        with id `excluding` (the caller's own)."""
        ...

    async def forget(self, attempt_id: int) -> None:
        """Removes one attempt: it was refused unchecked, or it succeeded."""
        ...

    async def clear(self, key: str) -> None:
        """Removes every attempt of `key`."""
        ...

    async def prune(self, before: datetime) -> None:
        """Forgets attempts older than `before`, of every key: the table does not grow without bound."""
        ...
