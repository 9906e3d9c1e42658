"""What the composition root tells the HTTP adapter about access control."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from domain.access import ApiKeyRing

SESSION_COOKIE = "tu_admin_session"
CSRF_COOKIE = "tu_csrftoken"
CSRF_HEADER = "x-csrftoken"


@dataclass(frozen=True, kw_only=True)
class HttpSecurity:
    api_keys: ApiKeyRing
    """No keys: the API is open."""
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(48), repr=False)
    """One secret; the session key and the CSRF key are derived from it so that neither can stand for the other.
    Random when not given: fine for tests, not for several workers."""
    cookie_secure: bool
    """Always mark cookies Secure; without it they are Secure exactly when the request came over TLS."""
    session_max_age_s: int

    def session_key(self) -> bytes:
        """32 bytes: an AES-256-GCM key for the encrypted session cookie."""
        return self._derive(b"admin-session-cookie")

    def csrf_secret(self) -> str:
        return self._derive(b"csrf-token").hex()

    def _derive(self, purpose: bytes) -> bytes:
        return hmac.new(self.secret.encode("utf-8"), purpose, hashlib.sha256).digest()
