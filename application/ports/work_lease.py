"""Port: named leases that expire, so that one process at a time does a piece of work, across processes and hosts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

LEASE_NAME_MAX = 255
"""The longest lease name every implementation keeps (the SQL column's length)."""


class WorkLease(Protocol):
    """Leases by name (at most `LEASE_NAME_MAX` characters), each held by at most one holder until it expires.

    Contract: `try_acquire` returns True when `holder` (a string unique per process) now holds `name` until
    `now + ttl`: the lease was free, had expired (its expiry at or before `now`), or was already its own, which
    renews it (the expiry becomes `now + ttl`). Otherwise, with another holder's unexpired lease in the way, it
    returns False and changes nothing. Of concurrent callers, in every process, at most one holds a lease at a
    time; a lease freed or taken at the very moment of a call may read as taken (the caller comes back later).
    `release` frees the lease if `holder` holds it (expired or not); another holder's lease, or none, stays as it
    is. Both are staged in the caller's unit of work and take effect when it commits (a True is only held once
    committed); the repository never commits. A name longer than `LEASE_NAME_MAX` raises ValueError.

    `now` is the caller's clock: the processes' clocks must agree within a small part of `ttl`, and a holder
    renews well within `ttl` (a holder that stops renewing, a process that died, loses the lease when it expires).
    """

    async def try_acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool: ...

    async def release(self, name: str, holder: str) -> None: ...
