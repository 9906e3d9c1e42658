"""The seed's retraining trigger, every step in one place: count, claim, queue.

1. `record_and_count`: an analysis is stored and counted towards the threshold in one transaction.
2. `is_due`: the count it returned reached the threshold (a cheap pre-check; the claim decides).
3. `claim`: in one transaction, the one-at-a-time training slot is claimed and a queued run recorded. The store's
   conditional claim checks the counter against the threshold again (unless `manual`), drops it by the threshold (so
   concurrent analyses are never lost) and refuses while a run is marked running, unless that mark is older than the
   policy's timeout (a crashed worker cannot wedge retraining). Before claiming, runs whose worker stopped sending
   heartbeats are marked abandoned, which frees the slot (`AbandonedRuns`).
4. `enqueue`: the job is queued after the claim commits, so the worker always finds its run; when it cannot be
   queued the run fails with the reason and the slot is freed for the next trigger.

The use cases compose these steps: `AnalyzeTicket` (1-4 when due), `TriggerRetraining` (3-4, manual or not),
`StartTrainingRun` (3 only; the caller runs the job itself).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from application.ports.clock import Clock
from application.ports.job_queue import RetrainingJobQueue
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.abandoned_runs import AbandonedRuns
from domain.analysis import TicketAnalysis
from domain.errors import JobQueueUnavailable
from domain.training import TriggerOutcome, TriggerPolicy, TriggerResult
from domain.training_runs import RunStatus, TrainingRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecordedAnalysis:
    analysis: TicketAnalysis
    analyses_since_trigger: int


class RetrainingTrigger:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        job_queue: RetrainingJobQueue,
        clock: Clock,
        policy: TriggerPolicy,
        abandoned: AbandonedRuns | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._abandoned = abandoned
        self._job_queue = job_queue
        self._clock = clock
        self.policy = policy

    async def record_and_count(self, analysis: TicketAnalysis) -> RecordedAnalysis:
        async with self._uow_factory() as uow:
            stored = await uow.analyses.add(replace(analysis, id=None))
            # Counted last so the row lock on the counter is held for the shortest time.
            count = await uow.training_state.count_analysis()
            await uow.commit()
        return RecordedAnalysis(stored, count)

    def is_due(self, recorded: RecordedAnalysis) -> bool:
        return recorded.analyses_since_trigger >= self.policy.threshold

    async def claim(self, manual: bool) -> TriggerResult:
        if self._abandoned is not None:
            await self._abandoned.reap()
        now = self._clock.now()
        async with self._uow_factory() as uow:
            claimed = await uow.training_state.claim(
                now,
                threshold=None if manual else self.policy.threshold,
                stale_before=self.policy.stale_before(now),
            )
            if not claimed:
                state = await uow.training_state.get()
                busy = state.blocks_trigger(now, self.policy.timeout)
                return TriggerResult(TriggerOutcome.ALREADY_RUNNING if busy else TriggerOutcome.NOT_DUE)
            trigger = "manual" if manual else "threshold"
            run = await uow.training_runs.add(TrainingRun(trigger=trigger, status=RunStatus.QUEUED, created_at=now))
            await uow.commit()
        return TriggerResult(TriggerOutcome.QUEUED, run.id)

    async def enqueue(self, claimed: TriggerResult) -> TriggerResult:
        """Queues the job of a claimed run; a result without a run (not due, already running) passes through."""
        if claimed.run_id is None:
            return claimed
        try:
            await self._job_queue.enqueue_retraining(claimed.run_id)
        except JobQueueUnavailable as error:
            message = f"could not queue export_tickets_and_retrain: {error}"
            logger.error(message)
            async with self._uow_factory() as uow:
                run = await uow.training_runs.get(claimed.run_id)
                if run is not None:
                    await uow.training_runs.update(
                        replace(run, status=RunStatus.FAILED, error=message, finished_at=self._clock.now())
                    )
                await uow.training_state.release(error=message)
                await uow.commit()
            return TriggerResult(TriggerOutcome.QUEUE_FAILED, claimed.run_id)
        return claimed
