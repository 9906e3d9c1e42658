"""`ticket-utils serve` trusts X-Forwarded-For only from configured proxies: a real uvicorn, run with the options the
CLI builds, shows the application the address a request really came from unless FORWARDED_ALLOW_IPS names it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from bootstrap.cli import uvicorn_options
from bootstrap.settings import load_settings

pytestmark = pytest.mark.integration


async def echo_client(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with the client address the ASGI server gives the application (what login throttling counts)."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": str(scope["client"][0]).encode()})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(environ: dict[str, str]) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    options = uvicorn_options(load_settings(environ=environ, env_file=None), host="127.0.0.1", port=port, workers=1)
    options.pop("factory")
    server = uvicorn.Server(uvicorn.Config(echo_client, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_a_rotating_x_forwarded_for_from_localhost_does_not_change_the_client_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Uvicorn itself would read this variable when not told otherwise; the CLI must decide, from the settings.
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    with served({}) as url:
        seen = {httpx.get(url, headers={"X-Forwarded-For": f"203.0.113.{n}"}).text for n in range(5)}
    assert seen == {"127.0.0.1"}


def test_a_configured_proxy_is_believed() -> None:
    with served({"FORWARDED_ALLOW_IPS": "127.0.0.1"}) as url:
        assert httpx.get(url, headers={"X-Forwarded-For": "203.0.113.7"}).text == "203.0.113.7"


def test_unset_means_no_proxy_headers_at_all() -> None:
    options = uvicorn_options(load_settings(environ={}, env_file=None), host="127.0.0.1", port=8002, workers=1)
    assert options["proxy_headers"] is False and options["forwarded_allow_ips"] == ""
