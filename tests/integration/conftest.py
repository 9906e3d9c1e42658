"""Shared fixtures for tests against the real services. Unreachable services fail the tests, never skip them."""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy.engine import make_url

from adapters.outbound.persistence.sqlalchemy.engine import create_engine_for
from adapters.outbound.persistence.sqlalchemy.migrate import upgrade_to_head

API_MYSQL_URL = os.environ.get(
    "TEST_API_MYSQL_URL", "mysql+aiomysql://ticket_utils:ticket_utils@127.0.0.1:3306/ticket_utils_test_api"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def run_in_thread(function: Any, *args: Any) -> Any:
    """Runs code that calls asyncio.run (migrations) away from pytest-asyncio's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


async def _recreate_database(url: str) -> None:
    sa_url = make_url(url)
    server = create_engine_for(sa_url.set(database=""))
    try:
        async with server.begin() as connection:
            await connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{sa_url.database}`")
            await connection.exec_driver_sql(f"CREATE DATABASE `{sa_url.database}` CHARACTER SET utf8mb4")
    finally:
        await server.dispose()


def fresh_mysql_database(url: str = API_MYSQL_URL) -> str:
    """Drops, creates and migrates the database in `url`; fails the test with the reason when it cannot."""
    try:
        run_in_thread(lambda: asyncio.run(_recreate_database(url)))
        run_in_thread(upgrade_to_head, url)
    except Exception as error:  # noqa: BLE001 - reported as a failure that says what to do
        pytest.fail(
            f"MariaDB is required: {make_url(url).render_as_string(hide_password=True)} failed with "
            f"{type(error).__name__}: {error}. Run scripts/prepare_test_services.sh or set TEST_API_MYSQL_URL.",
            pytrace=False,
        )
    return url


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.RedisError as error:
        pytest.fail(f"Redis is required at {REDIS_URL}: {error}", pytrace=False)
    finally:
        client.close()
    return REDIS_URL


_MOTO_SERVER = """
import threading
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
threading.Event().wait()
"""


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API: moto's standalone server (as s3fs's own tests use), in a subprocess on a free port."""
    server = subprocess.Popen(
        [sys.executable, "-c", _MOTO_SERVER], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 120)
        port = server.stdout.readline().strip() if ready else ""
        if not port.isdigit():
            pytest.fail("moto's S3 server did not start (is moto[server] installed?)", pytrace=False)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def s3_environment(endpoint: str) -> dict[str, str]:
    """The usual AWS variables, pointing boto3 at the test server."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }


@pytest.fixture
def s3_bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket on the test server; this process's AWS variables point at it."""
    import boto3

    for name, value in s3_environment(s3_endpoint).items():
        monkeypatch.setenv(name, value)
    bucket = f"models-{uuid.uuid4().hex[:12]}"
    boto3.session.Session().client("s3").create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def embedded_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory is `tmp_path`, with embedded mode's SQLite file there and no server settings."""
    for name in ("DB_HOST", "DATABASE_URL", "BROKER_URL", "CELERY_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SQLITE_PATH", str(tmp_path / "db.sqlite3"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


class LiveServer:
    """Runs an ASGI app under uvicorn in a background thread, so requests are truly concurrent.

    (Litestar's AsyncTestClient hands each request to a blocking portal, which serialises them.)
    """

    def __init__(self, app: Any) -> None:
        import socket
        import threading

        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
