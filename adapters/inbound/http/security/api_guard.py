"""The /api guard: an API key (or an admin session) at the level each endpoint requires."""

from __future__ import annotations

import logging
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from adapters.inbound.http.security.config import HttpSecurity
from adapters.inbound.http.security.sessions import csrf_header_matches_cookie, session_admin
from domain.access import AccessDecision, AccessLevel, Actor, authorize

logger = logging.getLogger(__name__)

ACCESS_OPT = "access"
"""Route handler `opt` key naming the AccessLevel it requires; every /api endpoint without it needs ADMIN,
so a new endpoint is closed until someone decides to open it."""
SECURITY_STATE_KEY = "http_security"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ticket-utils"'}


def presented_api_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    key = connection.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, credentials = (connection.headers.get("authorization") or "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


async def api_access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    path = connection.scope["path"]
    if path != "/api" and not path.startswith("/api/"):
        return
    security: HttpSecurity = connection.app.state[SECURITY_STATE_KEY]
    required = AccessLevel(handler.opt.get(ACCESS_OPT, AccessLevel.ADMIN))
    presented = presented_api_key(connection)
    decision = authorize(required, security.api_keys, presented, admin_session=False)
    if decision is AccessDecision.ALLOWED:
        return
    if await session_admin(connection) is not None:
        if _method(connection) not in _SAFE_METHODS and not csrf_header_matches_cookie(connection):
            raise PermissionDeniedException(
                "Requests authenticated by an admin session must carry the CSRF token in the X-CSRFToken header."
            )
        return
    if decision is AccessDecision.MISSING_CREDENTIALS:
        raise NotAuthorizedException(
            "Missing API key: send it in the X-API-Key header or as 'Authorization: Bearer <key>'.", headers=_CHALLENGE
        )
    if decision is AccessDecision.INVALID_CREDENTIALS:
        # Where it came from and what it asked for; never the key itself.
        client = connection.client.host if connection.client else "unknown"
        logger.warning("rejected an invalid API key from %s for %s %s", client, _method(connection), path)
        raise NotAuthorizedException("Invalid API key.", headers=_CHALLENGE)
    raise PermissionDeniedException(
        "This endpoint needs an admin API key (ADMIN_API_KEYS) or an admin session; the key given is a service key."
    )


OPEN_API_ACTOR = Actor(AccessLevel.ADMIN, "open-api")
"""The caller when no API key is configured: the API is open, every endpoint included, so it is an admin."""


async def calling_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """Who is calling, for the use cases that record it or treat admins differently: an admin API key or an
    admin session is an admin (named "admin-api-key" or "admin:<username>"); a service key is the platform
    ("service-api-key"). Never the key itself."""
    security: HttpSecurity = connection.app.state[SECURITY_STATE_KEY]
    ring = security.api_keys
    if not ring.enabled:
        return OPEN_API_ACTOR
    presented = presented_api_key(connection)
    level = ring.level_of(presented) if presented else AccessLevel.NONE
    if level is AccessLevel.ADMIN:
        return Actor(AccessLevel.ADMIN, "admin-api-key")
    admin = await session_admin(connection)
    if admin is not None:
        return Actor(AccessLevel.ADMIN, f"admin:{admin.username}")
    return Actor(level, "service-api-key" if level is AccessLevel.SERVICE else "anonymous")


def _method(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The HTTP method; a websocket scope has none (the API serves no websockets, so that only guards the type)."""
    return str(connection.scope.get("method", "GET"))
