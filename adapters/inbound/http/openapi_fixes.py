"""Two places where Litestar 2's answers or /schema would not say what the service does, put right.

- Litestar documents every `data` body as required, even where the handler gives it a default, and a rule over
  several fields of a body has no place in its types: a handler's `operation_class=operation_with_body(...)`
  documents both.
- Litestar's answer to OPTIONS lists only the methods of the first handler registered on a path
  (litestar-org/litestar#4169, fixed in Litestar 3); `allow_every_method` rewrites its `Allow` header from the
  route's full method map. (405 answers already list every method.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.openapi.spec import Operation, RequestBody, Schema
from litestar.types import Message, Scope


def operation_with_body(*, required: bool = True, **keywords: Any) -> type[Operation]:
    """An `Operation` class whose request body is documented as `required` or not, its schema also carrying the
    JSON Schema `keywords` (given by the names of `Schema`'s fields, e.g. `any_of`)."""

    @dataclass
    class BodyOperation(Operation):
        def __post_init__(self) -> None:
            body = self.request_body
            if not isinstance(body, RequestBody):
                return
            body.required = required
            for media in body.content.values():
                if keywords and not isinstance(media.schema, Schema):
                    media.schema = Schema(all_of=[media.schema]) if media.schema else Schema()
                for name, value in keywords.items():
                    setattr(media.schema, name, value)

    return BodyOperation


async def allow_every_method(message: Message, scope: Scope) -> None:
    """A `before_send` hook: an `Allow` header in an answer to OPTIONS names every method of the path's route."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    headers = list(message.get("headers", []))
    if not any(name.lower() == b"allow" for name, _ in headers):
        return
    template = scope.get("path_template")
    methods = next(
        (route.methods for route in scope["litestar_app"].routes if route.path_format == template),
        None,
    )
    if methods:
        allow = ", ".join(sorted(methods)).encode("latin-1")
        message["headers"] = [*((k, v) for k, v in headers if k.lower() != b"allow"), (b"allow", allow)]
