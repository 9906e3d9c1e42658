"""A queue, across processes, for SQLite's one writer.

Why: every SQLite write transaction begins IMMEDIATE and so takes the database's single write lock. A writer that
finds it taken is retried by SQLite's busy handler, which polls with growing sleeps (1, 2, 5 ... 100 ms). With
several API processes writing all the time, one of them can keep waking just after another has taken the lock again,
and wait long while the lock is mostly free (the README's "Figures behind choices in the code"), stalling every
request of its group commit. So writers of every process first take an exclusive `flock` on a file
beside the database: the kernel wakes a waiter as soon as the holder lets go, and SQLite's lock is then free.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import URL

LOCK_SUFFIX = ".write-lock"
_WAITERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sqlite-write-lock")
"""Threads that wait in `flock`; their own pool, so waiting writers never starve `asyncio.to_thread` users."""


class SqliteWriteLock:
    """An exclusive lock per SQLite file, shared by every process and connection that writes to it."""

    def __init__(self, path: str, timeout_s: float) -> None:
        self.path = path
        self._timeout_s = timeout_s

    @classmethod
    def for_url(cls, url: URL, timeout_s: float) -> SqliteWriteLock | None:
        """The lock of a SQLite file database; None for an in-memory one or another backend."""
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return cls(str(url.database) + LOCK_SUFFIX, timeout_s)

    async def acquire(self) -> int:
        """Waits (off the event loop) until this caller holds the lock; returns the descriptor to `release`.
        Raises TimeoutError after `timeout_s`, as SQLite's own busy timeout would have failed the write."""
        descriptor = _open(self.path)
        locked = asyncio.get_running_loop().run_in_executor(_WAITERS, fcntl.flock, descriptor, fcntl.LOCK_EX)
        try:
            await asyncio.wait_for(asyncio.shield(locked), self._timeout_s)
        except BaseException:
            # Cancelled or timed out while a thread still waits in flock: close the descriptor once that returns,
            # which releases the lock it may just have taken, so no lock outlives its caller.
            locked.add_done_callback(lambda _: os.close(descriptor))
            raise
        return descriptor

    @staticmethod
    def release(descriptor: int) -> None:
        os.close(descriptor)  # closing the last descriptor of the open file releases its flock


def _open(path: str) -> int:
    """The lock file, created readable by all like SQLite's own -wal and -shm files (the umask permitting);
    another user's file is opened read-only, which is all `flock` needs."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        return os.open(path, os.O_RDONLY)
