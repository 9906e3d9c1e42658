from __future__ import annotations

import asyncio
from typing import Any

from application.ports.job_queue import RETRAINING_JOB_NAME
from domain.errors import JobQueueUnavailable


class DramatiqRetrainingQueue:
    """Queues the retraining job on a Dramatiq broker (Redis) by message, so the API never imports the actor."""

    def __init__(self, broker: Any, queue_name: str) -> None:
        self._broker = broker
        self._queue_name = queue_name

    async def enqueue_retraining(self, run_id: int) -> None:
        import dramatiq

        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=self._queue_name,
            actor_name=RETRAINING_JOB_NAME,
            args=(run_id,),
            kwargs={},
            options={},
        )
        try:
            # redis-py is blocking; keep it off the event loop.
            await asyncio.to_thread(self._broker.enqueue, message)
        except Exception as error:  # noqa: BLE001 - any broker failure means "not queued"
            raise JobQueueUnavailable(f"{type(error).__name__}: {error}") from error

    async def is_reachable(self) -> bool:
        try:
            return bool(await asyncio.to_thread(self._broker.client.ping))
        except Exception:  # noqa: BLE001 - a health probe reports, it does not raise
            return False

    async def drain(self) -> None:
        """Nothing to wait for: the worker processes run the jobs."""
