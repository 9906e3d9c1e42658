"""SQLite writers queue for the file's write lock instead of polling SQLite's busy handler; readers never wait."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from adapters.outbound.persistence.sqlalchemy.engine import create_engine_for
from adapters.outbound.persistence.sqlalchemy.sqlite_write_lock import SqliteWriteLock
from adapters.outbound.persistence.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from domain.errors import StorageUnavailable

GUARD_S = 10.0  # bounds a hang when the lock is broken; no assertion depends on it


def test_only_a_sqlite_file_has_a_write_lock(tmp_path: Path) -> None:
    lock = SqliteWriteLock.for_url(make_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"), 1.0)
    assert lock is not None and lock.path == f"{tmp_path / 'db.sqlite3'}.write-lock"
    assert SqliteWriteLock.for_url(make_url("sqlite+aiosqlite:///:memory:"), 1.0) is None
    assert SqliteWriteLock.for_url(make_url("mysql+aiomysql://u:p@127.0.0.1/db"), 1.0) is None


async def test_a_second_writer_enters_only_when_the_first_has_ended_and_readers_do_not_wait(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    order: list[str] = []
    first_inside = asyncio.Event()
    let_first_end = asyncio.Event()

    async def first() -> None:
        async with factory():
            order.append("first in")
            first_inside.set()
            await let_first_end.wait()
            order.append("first out")

    async def second() -> None:
        async with factory():
            order.append("second in")

    try:
        holder = asyncio.create_task(first())
        await asyncio.wait_for(first_inside.wait(), GUARD_S)
        waiter = asyncio.create_task(second())
        async with factory.for_reads()():  # a reader is not queued behind the writer
            order.append("reader")
        let_first_end.set()
        await asyncio.wait_for(asyncio.gather(holder, waiter), GUARD_S)
    finally:
        await engine.dispose()
    assert order == ["first in", "reader", "first out", "second in"]


async def test_a_writer_that_gives_up_waiting_leaves_the_lock_free(tmp_path: Path) -> None:
    lock = SqliteWriteLock(str(tmp_path / "db.sqlite3.write-lock"), timeout_s=GUARD_S)
    held = await lock.acquire()
    waiting = asyncio.create_task(lock.acquire())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    lock.release(held)
    # Whatever the cancelled waiter's thread took after the release, it has let go: the lock can be taken again.
    again = await asyncio.wait_for(lock.acquire(), GUARD_S)
    lock.release(again)


async def test_a_writer_that_waits_past_the_timeout_is_told_the_storage_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    engine = create_engine_for(f"sqlite+aiosqlite:///{path}")
    impatient = SqlAlchemyUnitOfWork(async_sessionmaker(engine), SqliteWriteLock(f"{path}.write-lock", 0.05))
    held = await SqliteWriteLock(f"{path}.write-lock", timeout_s=GUARD_S).acquire()
    try:
        with pytest.raises(StorageUnavailable):
            async with impatient:
                pass
    finally:
        SqliteWriteLock.release(held)
        await engine.dispose()
