"""Uvicorn's HTTP protocol with Nagle's algorithm off on every connection, whatever socket uvicorn listens on.

Why: with `--workers N` uvicorn binds the listening socket itself (`socket.socket(family=...)`, protocol number 0),
and asyncio only sets TCP_NODELAY on accepted sockets whose protocol number reads IPPROTO_TCP. So every response
of a multi-worker server met Nagle's algorithm and the client's delayed ACK, which added tens of milliseconds to a
single request (README, Benchmarks). A single process is not affected (asyncio creates that socket from
getaddrinfo), but setting the option again costs nothing.
"""

from __future__ import annotations

import socket
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol


def disable_nagle(transport: Any) -> bool:
    """Sets TCP_NODELAY on the transport's TCP socket; False when it has none (a unix socket, say)."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return False
    return True


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]  # uvicorn picks the class at import
    """The protocol uvicorn would choose (httptools when installed, else h11), with TCP_NODELAY set first."""

    def connection_made(self, transport: Any) -> None:
        disable_nagle(transport)
        super().connection_made(transport)
