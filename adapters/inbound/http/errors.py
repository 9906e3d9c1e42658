"""Domain and infrastructure failures to HTTP answers: clear JSON, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from adapters.inbound.http.field_errors import rule_message
from domain.errors import CompanyNotFound, Conflict, InvalidInput, NotFound, StorageUnavailable

logger = logging.getLogger(__name__)


def _error(message: str, status: int, field: str | None = None) -> Response[dict[str, str]]:
    body = {"error": message}
    if field is not None:
        body["field"] = field
    return Response(body, status_code=status)


def _invalid_input(_: Request[Any, Any, Any], exc: InvalidInput) -> Response[dict[str, str]]:
    return _error(str(exc), HTTP_400_BAD_REQUEST, exc.field)


def _company_not_found(_: Request[Any, Any, Any], __: CompanyNotFound) -> Response[dict[str, str]]:
    # The seed's exact body, which the Ticketing platform matches on.
    return _error("Company not found.", HTTP_404_NOT_FOUND)


def _not_found(_: Request[Any, Any, Any], exc: NotFound) -> Response[dict[str, str]]:
    return _error(f"{exc.entity} not found.", HTTP_404_NOT_FOUND)


def _conflict(_: Request[Any, Any, Any], exc: Conflict) -> Response[dict[str, str]]:
    return _error(str(exc), HTTP_409_CONFLICT)


def _storage_unavailable(_: Request[Any, Any, Any], exc: StorageUnavailable) -> Response[dict[str, str]]:
    logger.error("database unavailable: %s", exc)
    return _error("Database unavailable; please retry shortly.", HTTP_503_SERVICE_UNAVAILABLE)


def _validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, str]]:
    """A path or query parameter of the wrong kind or out of bounds, or a required body that was empty."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    problem = next((item for item in extra if isinstance(item, dict) and item.get("key")), None)
    if problem is None:
        return _error(str(exc.detail), HTTP_400_BAD_REQUEST)
    field = str(problem["key"])
    if field == "data":
        # Litestar reports an empty body as a missing `data` argument; the caller sent no JSON object.
        return _error("body: must be a JSON object", HTTP_400_BAD_REQUEST, "body")
    return _error(f"{field}: {rule_message(str(problem.get('message', 'invalid value')))}", HTTP_400_BAD_REQUEST, field)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, str]]:
    response = _error(str(exc.detail), exc.status_code)
    # Keeps headers such as WWW-Authenticate on a 401 and Retry-After on a 429.
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error("Internal server error.", HTTP_500_INTERNAL_SERVER_ERROR)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    InvalidInput: _invalid_input,
    CompanyNotFound: _company_not_found,
    NotFound: _not_found,
    Conflict: _conflict,
    StorageUnavailable: _storage_unavailable,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}
