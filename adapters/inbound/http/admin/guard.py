"""Every admin page needs a logged-in admin; anyone else is sent to the login page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from adapters.inbound.http.security.sessions import session_admin
from domain.access import AccessLevel, Actor

PUBLIC_OPT = "admin_public"
"""Route handler `opt` key for the few admin pages anyone may see (the login page)."""
LOGIN_PATH = "/admin/login"


class LoginRequired(NotAuthorizedException):
    """No admin session: an API key, however strong, does not open the pages (they are for people)."""


async def admin_page_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if handler.opt.get(PUBLIC_OPT):
        return
    if await session_admin(connection) is None:
        raise LoginRequired("Log in to see this page.")


def redirect_to_login(request: Request[Any, Any, Any], _: LoginRequired) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=HTTP_303_SEE_OTHER)


def safe_next(value: object) -> str:
    """Only a path inside the admin site: an open redirect to another host would help phishing."""
    if isinstance(value, str) and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return "/admin/"


def admin_actor(request: Request[Any, Any, Any]) -> Actor:
    """The logged-in admin (the page guard let only them in), recorded as who gave a label."""
    admin = request.state.get("admin")
    username = getattr(admin, "username", None) or "unknown"
    return Actor(AccessLevel.ADMIN, f"admin:{username}")
