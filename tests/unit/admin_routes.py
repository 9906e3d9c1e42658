"""Every route of the app, read from its routing table, so a new endpoint is covered by the guard tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar import Litestar
from litestar.routes import HTTPRoute

from adapters.inbound.http.admin.guard import PUBLIC_OPT
from adapters.inbound.http.security.api_guard import ACCESS_OPT
from domain.access import AccessLevel

_PARAMETER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    level: AccessLevel | None
    """For /api routes: the level required; None for admin pages."""

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def api_routes(app: Litestar) -> list[RouteCase]:
    return [case for case in _cases(app) if case.path.startswith("/api")]


def admin_pages(app: Litestar) -> list[RouteCase]:
    return [case for case in _cases(app) if case.path.startswith("/admin") and case.level is None]


def _cases(app: Litestar) -> list[RouteCase]:
    cases: list[RouteCase] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/admin/static"):
            continue
        path = _PARAMETER.sub("1", route.path)
        for handler in route.route_handlers:
            if handler.opt.get(PUBLIC_OPT):
                continue
            level = AccessLevel(handler.opt.get(ACCESS_OPT, AccessLevel.ADMIN)) if path.startswith("/api") else None
            cases.extend(
                RouteCase(method, path, level) for method in sorted(handler.http_methods) if method != "OPTIONS"
            )
    return sorted(cases, key=str)
