"""Operators who log in to the admin site, and the rules their names and passwords follow."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput

MAX_USERNAME_LENGTH = 150
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1_024
"""Hashing cost grows with the input: a cap keeps a megabyte-long "password" from being a cheap CPU attack."""

_USERNAME = re.compile(r"[a-z0-9@.+_-]+")


class AdminRole(str, enum.Enum):
    """Only one role for now; stored per user so that a narrower one can be added without a migration."""

    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class AdminUser:
    username: str
    password_hash: str
    role: AdminRole
    created_at: datetime
    is_active: bool = True
    last_login_at: datetime | None = None
    session_generation: int = 0
    """Raised by a logout or a password change: every session issued under an older generation is void."""
    id: int | None = None

    def session_stamp(self) -> str:
        """Carried by every session: the session generation it was issued under and a digest of the password hash,
        so a logout (a new generation) or a new password ends all older sessions, on every process."""
        digest = hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:32]
        return f"{self.session_generation}.{digest}"


def normalized_username(value: object) -> str:
    """Usernames are lower-case so that "Alice" and "alice" are one account on every database collation."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("username", "must be a non-empty string")
    username = value.strip().lower()
    if len(username) > MAX_USERNAME_LENGTH:
        raise InvalidInput("username", f"must be at most {MAX_USERNAME_LENGTH} characters")
    if not _USERNAME.fullmatch(username):
        raise InvalidInput("username", "may contain only letters, digits and @ . + - _")
    return username


def checked_new_password(value: object, username: str) -> str:
    """The rules for a password being set (not for one being tried at login, which is only length-capped)."""
    if not isinstance(value, str) or not value:
        raise InvalidInput("password", "is required")
    if len(value) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(value) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")
    if value.isdigit():
        raise InvalidInput("password", "must not be entirely numeric")
    if username and username in value.lower():
        raise InvalidInput("password", "must not contain the username")
    return value
