"""Groups concurrent single-text requests into batches run by one dedicated worker thread.

Why: a transformer forward pass over 16 texts costs far less than 16 passes over one, and requests arrive one
ticket at a time. Why one thread per batcher: torch already parallelises each pass over its intra-op threads, so
running several passes side by side only oversubscribes the cores. Why a plain thread and a thread-safe queue
rather than an asyncio queue: the batcher outlives event loops (tests, and the worker process, create new ones),
and callers from any loop can be served by the same thread; each caller awaits a future of its own loop, which
the worker completes through `call_soon_threadsafe`, so the loop is never held.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")

logger = logging.getLogger(__name__)

_STOP = object()

BatchObserver = Callable[[str, int], None]
_observer: BatchObserver | None = None


def observe_batches(observer: BatchObserver | None) -> None:
    """Every batcher of the process reports each batch it runs as `observer(batcher_name, size)` (bootstrap sets
    the metrics here); None stops the reports. The observer runs on the batcher's thread and must not block."""
    global _observer
    _observer = observer


@dataclass(slots=True)
class _Request(Generic[R]):
    text: str
    future: asyncio.Future[R]
    loop: asyncio.AbstractEventLoop


class MicroBatcher(Generic[R]):
    """`await submit(text)` returns `process_batch([..., text, ...])`'s result for that text.

    The worker takes the first waiting request, then gathers more until `max_batch_size` are in hand or
    `max_wait_ms` has passed since the first; requests that arrive while a batch runs form the next one, so under
    load batches fill up. The wait applies only while the batcher is busy: after a batch of one request the
    worker runs the next request with whatever is queued at that moment, so a lone client is never held back,
    while under load (the previous batch held several requests) it gathers for up to `max_wait_ms`, which fills
    batches and spreads each call's fixed cost over more tickets (README, Benchmarks). Inside a batch the texts are
    sorted by length so that padded tensors waste less work; results go back to their callers in the original
    order. An exception from `process_batch` (or a result list of the wrong length) is raised to every caller of
    that batch.
    """

    def __init__(
        self,
        process_batch: Callable[[list[str]], Sequence[R]],
        max_batch_size: int = 32,
        max_wait_ms: float = 2.0,
        name: str = "ml-batcher",
    ) -> None:
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be at least 1, got {max_batch_size}")
        if max_wait_ms < 0:
            raise ValueError(f"max_wait_ms must not be negative, got {max_wait_ms}")
        self._process_batch = process_batch
        self._max_batch_size = max_batch_size
        self._max_wait_s = max_wait_ms / 1000.0
        self._name = name
        self._queue: queue.SimpleQueue[_Request[R] | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._busy = False  # the last batch held several requests; only the worker thread touches it

    async def submit(self, text: str) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._ensure_worker()
        self._queue.put(_Request(text, future, loop))
        return await future

    async def submit_many(self, texts: Sequence[str]) -> list[R]:
        """One result per text, in order; the texts may share a batch with other callers' texts."""
        return list(await asyncio.gather(*(self.submit(text) for text in texts)))

    def close(self, timeout: float | None = 5.0) -> None:
        """Stops the worker after the requests already queued; later submits start a fresh worker."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            self._queue.put(_STOP)
        thread.join(timeout)

    def _ensure_worker(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                batch = [first]
                stop = self._gather(batch)
                self._execute([r for r in batch if isinstance(r, _Request) and not r.future.cancelled()])
                if stop:
                    return
        finally:
            with self._lock:  # let the next submit start a fresh worker if this one died
                if self._thread is threading.current_thread():
                    self._thread = None

    def _gather(self, batch: list[_Request[R] | object]) -> bool:
        """Fills `batch` up to the size limit or the deadline (none after a batch of one: see the class); True
        when a stop request was met."""
        deadline = time.monotonic() + (self._max_wait_s if self._busy else 0.0)
        try:
            return self._fill(batch, deadline)
        finally:
            self._busy = len(batch) > 1

    def _fill(self, batch: list[_Request[R] | object], deadline: float) -> bool:
        while len(batch) < self._max_batch_size:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is _STOP:
                return True
            batch.append(item)
        return False

    def _execute(self, requests: list[_Request[R]]) -> None:
        if not requests:
            return
        # One request often repeats another's text (classification and routing embed the same ticket), so each
        # distinct text is computed once and its result shared.
        texts = sorted({request.text for request in requests}, key=len)
        observer = _observer
        if observer is not None:
            try:
                observer(self._name, len(requests))
            except Exception:  # noqa: BLE001 - a metrics failure must never fail the batch
                logger.debug("batch observer failed", exc_info=True)
        try:
            results = list(self._process_batch(texts))
            if len(results) != len(texts):
                raise RuntimeError(f"process_batch returned {len(results)} results for {len(texts)} texts")
        except BaseException as error:  # noqa: BLE001 - every waiting caller must hear about any failure
            for request in requests:
                _complete(request, error)
            if not isinstance(error, Exception):
                raise
            return
        by_text = dict(zip(texts, results, strict=True))
        for request in requests:
            _complete(request, (by_text[request.text],))


def _complete(request: _Request[R], outcome: tuple[R] | BaseException) -> None:
    """Settles the request's future with the batch's error, or with its result (in a 1-tuple: R may be None)."""

    def settle() -> None:
        if request.future.done():  # the caller was cancelled meanwhile
            return
        if isinstance(outcome, BaseException):
            request.future.set_exception(outcome)
        else:
            request.future.set_result(outcome[0])

    try:
        request.loop.call_soon_threadsafe(settle)
    except RuntimeError:  # the caller's loop is closed: nobody is waiting any more
        logger.debug("dropping a batch result for a closed event loop")
