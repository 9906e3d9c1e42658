from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class InProcessRetrainingQueue:
    """Runs the retraining job as a background task of this process: the embedded mode has no broker.

    Only the job's orchestration runs here (its transactions, progress and heartbeat); its heavy parts run in a
    training process of its own at the lowest CPU priority, so the event loop keeps answering requests meanwhile.
    """

    def __init__(self, run_job: Callable[[int], Awaitable[object]]) -> None:
        self._run_job = run_job
        self._tasks: set[asyncio.Task[None]] = set()

    async def enqueue_retraining(self, run_id: int) -> None:
        task = asyncio.get_running_loop().create_task(self._guarded(run_id), name="export_tickets_and_retrain")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, run_id: int) -> None:
        try:
            await self._run_job(run_id)
        except Exception:  # noqa: BLE001 - the job records its own failure; this only keeps the loop clean
            logger.exception("retraining job failed")

    async def is_reachable(self) -> bool:
        return True

    async def drain(self) -> None:
        # A training takes minutes: shutting down must not wait for it. Cancelling ends the run failed (its labels
        # stay new for the next trigger) and stops its training process.
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
