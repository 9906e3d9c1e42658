from __future__ import annotations

import enum
import logging

from application.ports.clock import Clock
from application.ports.job_queue import RetrainingJobQueue
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import JobQueueUnavailable
from domain.training import TriggerPolicy

logger = logging.getLogger(__name__)


class TriggerOutcome(str, enum.Enum):
    QUEUED = "queued"
    NOT_DUE = "not_due"
    ALREADY_RUNNING = "already_running"
    QUEUE_FAILED = "queue_failed"


class TriggerRetraining:
    """Queues one `export_tickets_and_retrain` job, never more than one at a time.

    With `manual=False` (the seed's counter) the job is queued only when the counter reached the threshold.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        job_queue: RetrainingJobQueue,
        clock: Clock,
        policy: TriggerPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._job_queue = job_queue
        self._clock = clock
        self._policy = policy

    async def execute(self, manual: bool = False) -> TriggerOutcome:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            claimed = await uow.training_state.claim(
                now,
                threshold=None if manual else self._policy.threshold,
                stale_before=self._policy.stale_before(now),
            )
            state = await uow.training_state.get()
            await uow.commit()
        if not claimed:
            return TriggerOutcome.ALREADY_RUNNING if state.blocks_trigger(now, self._policy.timeout) else TriggerOutcome.NOT_DUE
        try:
            await self._job_queue.enqueue_retraining("manual" if manual else "threshold")
        except JobQueueUnavailable as error:
            message = f"could not queue export_tickets_and_retrain: {error}"
            logger.error(message)
            async with self._uow_factory() as uow:
                await uow.training_state.release(error=message)
                await uow.commit()
            return TriggerOutcome.QUEUE_FAILED
        return TriggerOutcome.QUEUED
