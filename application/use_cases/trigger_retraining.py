from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace

from application.ports.clock import Clock
from application.ports.job_queue import RetrainingJobQueue
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import JobQueueUnavailable
from domain.training import TriggerPolicy
from domain.training_runs import RunStatus, TrainingRun

logger = logging.getLogger(__name__)


class TriggerOutcome(str, enum.Enum):
    QUEUED = "queued"
    NOT_DUE = "not_due"
    ALREADY_RUNNING = "already_running"
    QUEUE_FAILED = "queue_failed"


@dataclass(frozen=True, slots=True)
class TriggerResult:
    outcome: TriggerOutcome
    run_id: int | None = None


class StartTrainingRun:
    """Claims the one-at-a-time training slot and records a queued run, in one transaction.

    With `manual=False` (the seed's counter) the slot is claimed only when the counter reached the threshold.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, policy: TriggerPolicy) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._policy = policy

    async def execute(self, manual: bool) -> TriggerResult:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            claimed = await uow.training_state.claim(
                now,
                threshold=None if manual else self._policy.threshold,
                stale_before=self._policy.stale_before(now),
            )
            if not claimed:
                state = await uow.training_state.get()
                busy = state.blocks_trigger(now, self._policy.timeout)
                return TriggerResult(TriggerOutcome.ALREADY_RUNNING if busy else TriggerOutcome.NOT_DUE)
            trigger = "manual" if manual else "threshold"
            run = await uow.training_runs.add(TrainingRun(trigger=trigger, status=RunStatus.QUEUED, created_at=now))
            await uow.commit()
        return TriggerResult(TriggerOutcome.QUEUED, run.id)


class TriggerRetraining:
    """Queues one `export_tickets_and_retrain` job, never more than one at a time.

    The job is queued after the claim commits, so the worker always finds its run; when it cannot be queued,
    the run fails with the reason and the slot is freed for the next trigger.
    """

    def __init__(self, start_run: StartTrainingRun, uow_factory: UnitOfWorkFactory, job_queue: RetrainingJobQueue, clock: Clock) -> None:
        self._start_run = start_run
        self._uow_factory = uow_factory
        self._job_queue = job_queue
        self._clock = clock

    async def execute(self, manual: bool = False) -> TriggerResult:
        started = await self._start_run.execute(manual)
        if started.run_id is None:
            return started
        try:
            await self._job_queue.enqueue_retraining(started.run_id)
        except JobQueueUnavailable as error:
            message = f"could not queue export_tickets_and_retrain: {error}"
            logger.error(message)
            async with self._uow_factory() as uow:
                run = await uow.training_runs.get(started.run_id)
                if run is not None:
                    await uow.training_runs.update(
                        replace(run, status=RunStatus.FAILED, error=message, finished_at=self._clock.now())
                    )
                await uow.training_state.release(error=message)
                await uow.commit()
            return TriggerResult(TriggerOutcome.QUEUE_FAILED, started.run_id)
        return started
