"""Two places where Litestar 2's answers or /schema would not say what the service does, put right.

- Litestar documents every `data` body as required, even where the handler gives it a default; an endpoint whose
  body may be left out takes `operation_class=OptionalBodyOperation`.
- Litestar's answer to OPTIONS lists only the methods of the first handler registered on a path
  (litestar-org/litestar#4169, fixed in Litestar 3); `allow_every_method` rewrites its `Allow` header from the
  route's full method map. (405 answers already list every method.)
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import Operation, RequestBody
from litestar.types import Message, Scope


@dataclass
class OptionalBodyOperation(Operation):
    """An operation whose JSON body may be left out."""

    def __post_init__(self) -> None:
        if isinstance(self.request_body, RequestBody):
            self.request_body.required = False


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
