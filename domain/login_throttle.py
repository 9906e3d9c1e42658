"""How repeated failed logins are slowed down: a lockout that doubles while the failures go on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RecentFailures:
    """Failed (or still unchecked) login attempts for one throttle key within the policy's window, not counting
    the attempt being decided."""

    count: int
    last_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginThrottlePolicy:
    """Failures are counted per username and per client address within `window`.

    Reaching the limit locks that key for `first_lockout`; each further failure doubles it, up to
    `max_lockout`. The address limit is higher because an office can share one address.
    """

    max_failures_per_user: int
    max_failures_per_address: int
    window: timedelta = timedelta(minutes=15)
    first_lockout: timedelta
    max_lockout: timedelta

    def __post_init__(self) -> None:
        if self.max_failures_per_user < 1 or self.max_failures_per_address < 1:
            raise ValueError("failure limits must be at least 1")
        if self.first_lockout <= timedelta(0) or self.max_lockout < self.first_lockout:
            raise ValueError("lockouts must be positive and max_lockout at least first_lockout")

    def window_start(self, now: datetime) -> datetime:
        return now - self.window

    def locked_until(self, failures: RecentFailures, limit: int) -> datetime | None:
        """When the lockout that `failures` (the other attempts) impose ends; None when they impose none.

        Because attempts are recorded before they are checked, an attempt that sees `limit` others is refused
        even while those others are still being checked: of any number of concurrent guesses, at most `limit`
        reach the password check.
        """
        if failures.count < limit or failures.last_at is None:
            return None
        doublings = min(failures.count - limit, 20)
        lockout = min(self.first_lockout * (1 << doublings), self.max_lockout)
        return failures.last_at + lockout


def user_key(username: str) -> str:
    return f"user:{username}"


def address_key(address: str) -> str:
    return f"address:{address}"
