"""Failures on admin pages answered as pages, not JSON: the same causes as the API, said to a person."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException, PermissionDeniedException, ValidationException
from litestar.response import Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from adapters.inbound.http.admin.guard import LoginRequired, redirect_to_login
from domain.errors import CompanyNotFound, Conflict, InvalidInput, NotFound, StorageUnavailable

logger = logging.getLogger(__name__)


def _error_page(request: Request[Any, Any, Any], status: int, title: str, message: str) -> Template:
    # Built directly (not via rendering.page) so that an error page never touches the session.
    context = {
        "admin": request.state.get("admin"),
        "flash": None,
        "current_path": request.url.path,
        "title": title,
        "message": message,
        "status": status,
    }
    return Template(template_name="error.html", context=context, status_code=status)


def _not_found(request: Request[Any, Any, Any], exc: NotFound) -> Template:
    return _error_page(
        request, HTTP_404_NOT_FOUND, "Not found", f"{exc.entity} {exc.entity_id} does not exist (any more)."
    )


def _invalid(request: Request[Any, Any, Any], exc: InvalidInput) -> Template:
    return _error_page(request, HTTP_400_BAD_REQUEST, "Invalid input", str(exc))


def _conflict(request: Request[Any, Any, Any], exc: Conflict) -> Template:
    return _error_page(request, HTTP_409_CONFLICT, "Conflict", str(exc))


def _storage(request: Request[Any, Any, Any], exc: StorageUnavailable) -> Template:
    logger.error("database unavailable: %s", exc)
    return _error_page(request, HTTP_503_SERVICE_UNAVAILABLE, "Database unavailable", "Please retry shortly.")


def _forbidden(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Template:
    message = str(exc.detail)
    if "CSRF" in message:
        message = "The form had expired or did not come from this site. Go back, reload the page and submit it again."
    return _error_page(request, HTTP_403_FORBIDDEN, "Forbidden", message)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Template:
    return _error_page(request, exc.status_code, "Request refused", str(exc.detail))


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Template:
    return _error_page(
        request, HTTP_400_BAD_REQUEST, "Invalid input", "The address or the form has a value of the wrong kind."
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Template:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(
        request, HTTP_500_INTERNAL_SERVER_ERROR, "Internal error", "Something went wrong; it has been logged."
    )


ADMIN_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    LoginRequired: redirect_to_login,
    CompanyNotFound: _not_found,
    NotFound: _not_found,
    InvalidInput: _invalid,
    Conflict: _conflict,
    StorageUnavailable: _storage,
    PermissionDeniedException: _forbidden,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}
