"""The unit of work: one AsyncSession, one transaction, and the translation of connection failures."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import NoReturn, Self

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.outbound.persistence.sqlalchemy.engine import DEFERRED_BEGIN_OPTION, SQLITE_BUSY_TIMEOUT_MS
from adapters.outbound.persistence.sqlalchemy.repository_registry import SqlAlchemyRepositories
from adapters.outbound.persistence.sqlalchemy.sqlite_write_lock import SqliteWriteLock
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import StorageUnavailable

logger = logging.getLogger(__name__)

MAX_DETAIL_LENGTH = 300


def is_connection_failure(error: BaseException) -> bool:
    """True for failures that mean "the database is not there right now", as opposed to a bug in a statement."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OSError | sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError)


def storage_unavailable(error: BaseException, url: URL | None) -> StorageUnavailable:
    """A StorageUnavailable naming the database and the driver's reason, never the password or the statement.

    The driver's own error (`orig`) is used rather than SQLAlchemy's message, which would quote the SQL and its
    parameters (ticket texts) too.
    """
    cause = error.orig if isinstance(error, sa_exc.DBAPIError) and error.orig is not None else error
    detail = f"{type(cause).__name__}: {cause}"
    where = "the database"
    if url is not None:
        where = f"database {url.render_as_string(hide_password=True)}"
        if url.password:
            detail = detail.replace(str(url.password), "***")
    if len(detail) > MAX_DETAIL_LENGTH:
        detail = detail[:MAX_DETAIL_LENGTH] + "..."
    return StorageUnavailable(f"{where} is unavailable: {detail}")


class SqlAlchemyUnitOfWork(SqlAlchemyRepositories):
    """One transaction over the repositories and queries of `SqlAlchemyRepositories`, each built on first use;
    leaving without `commit` rolls it back.

    Connection failures from inside the block, from `commit` and from `rollback` leave as
    `domain.errors.StorageUnavailable`; every other exception passes through untouched.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], write_lock: SqliteWriteLock | None = None
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._write_lock = write_lock
        self._held: int | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work can be entered only once; ask the factory for a new one")
        if self._write_lock is not None:
            try:
                self._held = await self._write_lock.acquire()
            except (TimeoutError, OSError) as error:  # waited too long, or the database's folder is not there
                bind = self._session_factory.kw.get("bind")
                raise storage_unavailable(error, bind.url if isinstance(bind, AsyncEngine) else None) from error
        session = self._session_factory()
        self._session = session
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._require_session()
        try:
            await session.rollback()
        except Exception as rollback_error:
            if exc is None:
                self._raise_translated(rollback_error)
            logger.warning("rollback after %s failed: %s", type(exc).__name__, type(rollback_error).__name__)
        finally:
            await self._close(session)
            if self._held is not None:
                SqliteWriteLock.release(self._held)
                self._held = None
        if exc is not None and is_connection_failure(exc):
            raise self._unavailable(exc) from exc

    async def commit(self) -> None:
        try:
            await self._require_session().commit()
        except Exception as error:
            self._raise_translated(error)

    async def rollback(self) -> None:
        try:
            await self._require_session().rollback()
        except Exception as error:
            self._raise_translated(error)

    def repository_source(self) -> AsyncSession:
        return self._require_session()

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `async with` block")
        return self._session

    def _raise_translated(self, error: Exception) -> NoReturn:
        if is_connection_failure(error):
            raise self._unavailable(error) from error
        raise error

    def _unavailable(self, error: BaseException) -> StorageUnavailable:
        bind = self._session.bind if self._session is not None else None
        if bind is None:
            return storage_unavailable(error, None)
        return storage_unavailable(error, bind.url if isinstance(bind, AsyncEngine) else bind.engine.url)

    @staticmethod
    async def _close(session: AsyncSession) -> None:
        try:
            await session.close()
        except Exception as error:  # noqa: BLE001 - the transaction is already over; a dead connection is dropped
            logger.warning("closing a database session failed: %s", type(error).__name__)


class SqlAlchemyUnitOfWorkFactory(UnitOfWorkFactory):
    """Makes a fresh unit of work per use-case execution, all sharing the engine's connection pool. On a SQLite
    file, units of work that may write first queue for the file's write lock (`SqliteWriteLock`), held until they
    end; units of work that only read (`for_reads`) never wait for it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._session_factory = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        deferred = engine.get_execution_options().get(DEFERRED_BEGIN_OPTION, False)
        self._write_lock = None if deferred else SqliteWriteLock.for_url(engine.url, SQLITE_BUSY_TIMEOUT_MS / 1000)

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._session_factory, self._write_lock)

    def for_reads(self) -> SqlAlchemyUnitOfWorkFactory:
        """Units of work that only read (same pool): on SQLite their transactions begin deferred, so they read
        beside a writer (WAL) instead of queueing behind every write; elsewhere nothing changes."""
        return SqlAlchemyUnitOfWorkFactory(self._engine.execution_options(**{DEFERRED_BEGIN_OPTION: True}))
