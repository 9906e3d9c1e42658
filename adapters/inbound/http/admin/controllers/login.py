from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_401_UNAUTHORIZED, HTTP_429_TOO_MANY_REQUESTS

from adapters.inbound.http.admin.forms import raw_text, text
from adapters.inbound.http.admin.guard import LOGIN_PATH, PUBLIC_OPT, safe_next
from adapters.inbound.http.admin.rendering import page
from adapters.inbound.http.security.sessions import end_admin_session, session_admin, start_admin_session
from application.use_cases.admin_accounts import CountAdminUsers
from application.use_cases.admin_login import AuthenticateAdmin, LogoutAdmin
from domain.errors import InvalidCredentials, LoginThrottled


class LoginController(Controller):
    path = "/"
    opt = {PUBLIC_OPT: True}

    @get("/login")
    async def login_form(
        self, request: Request[Any, Any, Any], count_admin_users: NamedDependency[CountAdminUsers]
    ) -> Template | Redirect:
        target = safe_next(request.query_params.get("next"))
        if await session_admin(request) is not None:
            return Redirect(target, status_code=HTTP_303_SEE_OTHER)
        return page(
            request,
            "login.html",
            next=target,
            username="",
            logged_out="logged_out" in request.query_params,
            no_admins=await count_admin_users.execute() == 0,
        )

    @post("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        authenticate_admin: NamedDependency[AuthenticateAdmin],
        count_admin_users: NamedDependency[CountAdminUsers],
    ) -> Template | Redirect:
        form = await request.form()
        target = safe_next(form.get("next"))
        username = text(form, "username")
        address = request.client.host if request.client else "unknown"
        try:
            user = await authenticate_admin.execute(username, raw_text(form, "password"), address)
        except LoginThrottled as throttled:
            response = page(
                request,
                "login.html",
                HTTP_429_TOO_MANY_REQUESTS,
                next=target,
                username=username,
                error=str(throttled),
                no_admins=False,
            )
            response.headers["Retry-After"] = str(throttled.retry_after_s)
            return response
        except InvalidCredentials as invalid:
            return page(
                request,
                "login.html",
                HTTP_401_UNAUTHORIZED,
                next=target,
                username=username,
                error=str(invalid),
                no_admins=await count_admin_users.execute() == 0,
            )
        start_admin_session(request, user)
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)

    @post("/logout", opt={PUBLIC_OPT: True})
    async def logout(self, request: Request[Any, Any, Any], logout_admin: NamedDependency[LogoutAdmin]) -> Redirect:
        # Not just this cookie: a copy saved before the logout must not open the site either.
        admin = await session_admin(request)
        if admin is not None:
            await logout_admin.execute(admin)
        end_admin_session(request)
        return Redirect(f"{LOGIN_PATH}?logged_out=1", status_code=HTTP_303_SEE_OTHER)
