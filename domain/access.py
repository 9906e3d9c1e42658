"""Who may call what: API keys grant a level, and each endpoint requires one."""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass


class AccessLevel(enum.IntEnum):
    NONE = 0
    SERVICE = 1
    """The ticketing platform: analyses and their feedback."""
    ADMIN = 2
    """Operators and their tools: companies, teams, training data, training runs, models."""


class AccessDecision(str, enum.Enum):
    ALLOWED = "allowed"
    MISSING_CREDENTIALS = "missing_credentials"
    INVALID_CREDENTIALS = "invalid_credentials"
    INSUFFICIENT_LEVEL = "insufficient_level"


@dataclass(frozen=True, slots=True)
class ApiKeyRing:
    """The configured keys. With none configured the API is open, which keeps the embedded default usable."""

    service_keys: tuple[str, ...] = ()
    admin_keys: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.service_keys or self.admin_keys)

    def level_of(self, presented: str) -> AccessLevel:
        """Compares digests in constant time against every key, so timing tells neither which key nor how long."""
        digest = _digest(presented)
        level = AccessLevel.NONE
        for key in self.service_keys:
            if hmac.compare_digest(digest, _digest(key)):
                level = max(level, AccessLevel.SERVICE)
        for key in self.admin_keys:
            if hmac.compare_digest(digest, _digest(key)):
                level = AccessLevel.ADMIN
        return level


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling a use case: the level they were granted and a name to record (never a key)."""

    level: AccessLevel
    name: str

    @property
    def is_admin(self) -> bool:
        return self.level >= AccessLevel.ADMIN


def authorize(
    required: AccessLevel, ring: ApiKeyRing, presented_key: str | None, admin_session: bool
) -> AccessDecision:
    """An admin session satisfies every level; otherwise the presented key must grant at least `required`."""
    if not ring.enabled or admin_session or required is AccessLevel.NONE:
        return AccessDecision.ALLOWED
    if not presented_key:
        return AccessDecision.MISSING_CREDENTIALS
    granted = ring.level_of(presented_key)
    if granted is AccessLevel.NONE:
        return AccessDecision.INVALID_CREDENTIALS
    return AccessDecision.ALLOWED if granted >= required else AccessDecision.INSUFFICIENT_LEVEL


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()
