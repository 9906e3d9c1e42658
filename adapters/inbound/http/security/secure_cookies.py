"""Marks every cookie Secure on requests that came over TLS (or always, when configured)."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send


class SecureCookiesMiddleware:
    """Litestar's cookie settings are fixed at start-up, but one deployment can be reached over HTTP on
    localhost and over HTTPS through a proxy: the scheme of each request decides (uvicorn takes it from a
    trusted proxy's X-Forwarded-Proto)."""

    def __init__(self, app: ASGIApp, always: bool = False) -> None:
        self.app = app
        self.always = always

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not (self.always or scope.get("scheme") == "https"):
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [_secured(name, value) for name, value in message.get("headers", [])]
            await send(message)

        await self.app(scope, receive, send_secure)


def _secured(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() != b"set-cookie":
        return name, value
    attributes = [part.strip().lower() for part in value.split(b";")[1:]]
    return (name, value) if b"secure" in attributes else (name, value + b"; Secure")
