"""The admin session: which admin a request belongs to, checked against the database on every request."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection

from adapters.inbound.http.security.config import CSRF_COOKIE, CSRF_HEADER
from adapters.inbound.http.use_case_dependencies import DeclaredUseCase
from application.use_cases.admin_login import ResolveAdminSession
from domain.admin_users import AdminUser

USER_KEY = "admin_id"
STAMP_KEY = "stamp"
RESOLVER_STATE_KEY = "resolve_admin_session"
SESSION_GUARD_USE_CASE = DeclaredUseCase("the admin session guard", RESOLVER_STATE_KEY, ResolveAdminSession)
"""The guard is no handler, so it declares its use case here; `create_app` puts the factory in the app's state."""
_RESOLVED = "admin_session_resolved"
_ADMIN = "admin"


def start_admin_session(connection: ASGIConnection[Any, Any, Any, Any], user: AdminUser) -> None:
    """A brand-new session holding only the user and the stamp of their password."""
    connection.set_session({USER_KEY: user.id, STAMP_KEY: user.session_stamp()})


def end_admin_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    connection.clear_session()


async def session_admin(connection: ASGIConnection[Any, Any, Any, Any]) -> AdminUser | None:
    """The logged-in admin, or None; resolved once per request (an account disabled or re-passworded since
    the login no longer counts)."""
    state = connection.state
    if state.get(_RESOLVED):
        resolved: AdminUser | None = state.get(_ADMIN)
        return resolved
    session = connection.scope.get("session")
    admin = None
    if isinstance(session, dict) and USER_KEY in session:
        factory: Callable[[], ResolveAdminSession] = connection.app.state[RESOLVER_STATE_KEY]
        admin = await factory().execute(session.get(USER_KEY), session.get(STAMP_KEY))
    state[_RESOLVED] = True
    state[_ADMIN] = admin
    return admin


def csrf_header_matches_cookie(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Double-submit check for cookie-authenticated API calls: another site can neither read our cookie nor
    send a custom header to us, so a request carrying the cookie's token in a header came from our pages."""
    header = connection.headers.get(CSRF_HEADER)
    cookie = connection.cookies.get(CSRF_COOKIE)
    if not header or not cookie:
        return False
    return hmac.compare_digest(header.encode("utf-8"), cookie.encode("utf-8"))
