"""Engine construction per backend, and the readiness probe."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
MYSQL_POOL_RECYCLE_S = 1_800
POOL_SIZE = 32
"""Connections each process keeps open. SQLAlchemy's default of 5 (plus 10 overflow connections, closed again as
soon as they are returned) made a burst of analyses open and close connections - a thread each on aiosqlite, a
login each on MySQL - all the time: with 32 kept, 64 concurrent clients cost a sixth less CPU per analysis
(README, Benchmarks)."""


def create_engine_for(url: str | URL) -> AsyncEngine:
    """Builds the async engine for a `sqlite+aiosqlite` or `mysql+aiomysql` URL.

    SQLite: WAL lets readers run beside the writer, busy_timeout makes writers queue instead of failing, and
    every transaction starts with BEGIN IMMEDIATE so it takes the write lock up front; a deferred transaction
    that reads and then writes can hit SQLITE_BUSY without ever waiting. That serialises all SQLite
    transactions, across processes too, which is the price of SQLite and fine for development and tests.
    MySQL: connections are recycled before the server's wait_timeout drops them, and utf8mb4 is forced.
    """
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        # No pre-ping: a file has no server to drop the connection, and a ping costs each transaction one more
        # round trip through aiosqlite's thread.
        engine = create_async_engine(
            sa_url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_size=POOL_SIZE
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    if sa_url.get_backend_name() in ("mysql", "mariadb") and "charset" not in sa_url.query:
        sa_url = sa_url.update_query_dict({"charset": "utf8mb4"})
    return create_async_engine(sa_url, pool_pre_ping=True, pool_recycle=MYSQL_POOL_RECYCLE_S, pool_size=POOL_SIZE)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


DEFERRED_BEGIN_OPTION = "sqlite_deferred_begin"
"""Execution option for read-only work (the readiness probe) that must not queue behind writers on SQLite."""


def _begin_immediate(connection: sa.Connection) -> None:
    deferred = connection.get_execution_options().get(DEFERRED_BEGIN_OPTION, False)
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def safe_url(engine: AsyncEngine) -> str:
    """The engine's URL for messages and logs, password masked."""
    return engine.url.render_as_string(hide_password=True)


class SqlAlchemyStorageHealth:
    """Answers readiness probes: the database is reachable when `SELECT 1` succeeds within `timeout_s`."""

    def __init__(self, engine: AsyncEngine, timeout_s: float = 5.0) -> None:
        self._engine = engine.execution_options(**{DEFERRED_BEGIN_OPTION: True})
        self._timeout_s = timeout_s

    async def is_reachable(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout_s), self._engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - a probe reports, it never raises
            logger.warning("database %s is not reachable: %s", safe_url(self._engine), type(error).__name__)
            return False
        return True
