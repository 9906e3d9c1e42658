"""Rendering a page with what every page shows (who is logged in, a one-off message), and redirecting."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER

FLASH_KEY = "flash"


def page(request: Request[Any, Any, Any], template: str, status_code: int = HTTP_200_OK, **context: Any) -> Template:
    session = request.scope.get("session")
    message = session.pop(FLASH_KEY, None) if isinstance(session, dict) else None
    common = {"admin": request.state.get("admin"), "flash": message, "current_path": request.url.path}
    return Template(template_name=template, context={**common, **context}, status_code=status_code)


def redirect(request: Request[Any, Any, Any], path: str, flash: tuple[str, str] | None = None) -> Redirect:
    """303 after a successful POST, so a reload does not submit the form again. `flash` is (kind, message)."""
    if flash is not None:
        request.session[FLASH_KEY] = {"kind": flash[0], "message": flash[1]}
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)
