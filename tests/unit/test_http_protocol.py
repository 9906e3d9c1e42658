"""Every served connection has Nagle's algorithm off, also on the socket uvicorn binds itself for `--workers N`."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from bootstrap.http_protocol import NoDelayHTTPProtocol, disable_nagle


class Transport:
    def __init__(self, sock: socket.socket | None) -> None:
        self._sock = sock

    def get_extra_info(self, name: str) -> socket.socket | None:
        return self._sock if name == "socket" else None


@pytest.fixture
def accepted() -> Iterator[socket.socket]:
    """A connection accepted on a listening socket made as uvicorn's multi-worker bind makes it (protocol 0)."""
    listener = socket.socket(family=socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    server_side, _ = listener.accept()
    yield server_side
    for sock in (server_side, client, listener):
        sock.close()


def test_a_connection_on_a_protocol_zero_socket_gets_tcp_nodelay(accepted: socket.socket) -> None:
    assert accepted.proto == 0  # asyncio skips such sockets when it sets TCP_NODELAY itself

    assert disable_nagle(Transport(accepted)) is True
    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_a_transport_without_a_tcp_socket_is_left_alone() -> None:
    left, right = socket.socketpair(socket.AF_UNIX)
    try:
        assert disable_nagle(Transport(left)) is False
        assert disable_nagle(Transport(None)) is False
    finally:
        left.close()
        right.close()


def test_serve_runs_uvicorn_with_the_no_delay_protocol() -> None:
    from uvicorn.importer import import_from_string

    from bootstrap.cli import uvicorn_options
    from bootstrap.settings import load_settings

    options = uvicorn_options(load_settings(environ={}, env_file=None), "127.0.0.1", 8002, 2)

    assert import_from_string(options["http"]) is NoDelayHTTPProtocol
