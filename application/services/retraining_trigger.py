"""The seed's retraining trigger, every step in one place: count, claim, queue.

1. `record`: analyses are stored and counted towards the threshold in one transaction, which reads the trigger
   record back (`TrainingStateRepository.count_analysis`).
2. When the record says a training is due (`TriggerPolicy.due`: the count reached the threshold, or enough labelled
   tickets are new, and something is new to learn), step 3 is staged in that same transaction. When only the
   count is due and nothing is new, the count is dropped by the threshold and a skipped trigger counted, in that
   transaction too: no run, no job, no export.
3. `claim`: in one transaction, the one-at-a-time training slot is claimed and a queued run recorded. The store's
   conditional claim checks the policy again (unless `manual`), drops the counter by the threshold (so concurrent
   analyses are never lost) and refuses while a run is marked running, unless that mark is older than the
   policy's timeout (a crashed worker cannot wedge retraining). Before claiming, runs whose worker stopped sending
   heartbeats are marked abandoned, which frees the slot (`AbandonedRuns`).
4. `enqueue`: the job is queued after the claim commits, so the worker always finds its run; when it cannot be
   queued the run fails with the reason and the slot is freed for the next trigger.

These compose the steps: `AnalysisRecorder` for `AnalyzeTicket` (1-3 in `record`, then 4 when it claimed),
`TriggerRetraining` (3-4, manual, or automatic after labelled tickets arrived), `StartTrainingRun` (3 only; the
caller runs the job itself).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from application.ports.analysis_repository import AnalysisRepository
from application.ports.clock import Clock
from application.ports.job_queue import RetrainingJobQueue
from application.ports.ticket_vector_repository import TicketVectorRepository
from application.services.abandoned_runs import AbandonedRuns, ReapUnitOfWork
from domain.analysis import TicketAnalysis
from domain.errors import JobQueueUnavailable
from domain.training import TriggerDue, TriggerOutcome, TriggerPolicy, TriggerResult
from domain.training_runs import RunStatus, TrainingRun

logger = logging.getLogger(__name__)


class TriggerUnitOfWork(ReapUnitOfWork, Protocol):
    """Storing and counting analyses, claiming the training slot with its queued run (and reaping abandoned runs
    first, in the same transaction)."""

    analyses: AnalysisRepository
    ticket_vectors: TicketVectorRepository


@dataclass(frozen=True, slots=True)
class RecordedAnalyses:
    """What `record` stored, the count it left, and the slot it claimed (`QUEUED` with the run to enqueue)."""

    analyses: list[TicketAnalysis]
    analyses_since_trigger: int
    claimed: TriggerResult


class RetrainingTrigger:
    def __init__(
        self,
        uow_factory: Callable[[], TriggerUnitOfWork],
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

    async def record(self, analyses: Sequence[TicketAnalysis]) -> RecordedAnalyses:
        """Steps 1-3 in one write transaction: stores and counts the analyses and, when the count reached the
        threshold, reaps abandoned runs and claims the slot with its queued run. The caller enqueues a claim.

        Whatever the counter says this is the only transaction, so a counter past the threshold while a training
        runs costs no extra transaction and takes the counter's row lock once.
        """
        reaped: Sequence[TrainingRun] = ()
        claimed = TriggerResult(TriggerOutcome.NOT_DUE)
        async with self._uow_factory() as uow:
            stored = [await uow.analyses.add(replace(analysis, id=None)) for analysis in analyses]
            vectors = [row for analysis in stored if (row := analysis.stored_vector()) is not None]
            if vectors:  # beside its analysis, so a similar-ticket search never finds a vector without one
                await uow.ticket_vectors.add_many(vectors)
            # Counted after the inserts so the row lock on the counter is held for the shortest time.
            state = await uow.training_state.count_analysis(len(stored))
            due = self.policy.due(state)
            if due is TriggerDue.TRAIN and state.blocks_trigger(self._clock.now(), self.policy.timeout):
                if not self.policy.retries_claim_while_running(state, len(stored)):
                    due = TriggerDue.NOTHING
            if due is TriggerDue.TRAIN:
                if self._abandoned is not None:
                    reaped = await self._abandoned.reap_in(uow)
                run_id = await self._claim_in(uow, manual=False)
                if run_id is not None:
                    claimed = TriggerResult(TriggerOutcome.QUEUED, run_id)
            elif due is TriggerDue.SKIP:
                await uow.training_state.skip_trigger(self.policy.threshold)
            await uow.commit()
        if reaped:
            AbandonedRuns.log(reaped)
        return RecordedAnalyses(stored, state.analyses_since_trigger, claimed)

    async def claim(self, manual: bool) -> TriggerResult:
        """Step 3 alone, in a transaction of its own (manual triggers and `StartTrainingRun`)."""
        if self._abandoned is not None:
            await self._abandoned.reap()
        async with self._uow_factory() as uow:
            run_id = await self._claim_in(uow, manual)
            if run_id is None:
                now = self._clock.now()
                state = await uow.training_state.get()
                busy = state.blocks_trigger(now, self.policy.timeout)
                return TriggerResult(TriggerOutcome.ALREADY_RUNNING if busy else TriggerOutcome.NOT_DUE)
            await uow.commit()
        return TriggerResult(TriggerOutcome.QUEUED, run_id)

    async def after_labels(self) -> TriggerResult:
        """After people labelled tickets (committed): starts a training when that made one due (`TriggerPolicy`:
        enough new labels), queued after its claim commits. Never raises: the labels are stored either way, and
        the next analysis checks the trigger again."""
        try:
            return await self.enqueue(await self.claim(manual=False))
        except Exception:  # noqa: BLE001 - a failed trigger must not fail the request that stored the labels
            logger.exception("could not check the retraining trigger after new labels; the next analysis will")
            return TriggerResult(TriggerOutcome.NOT_DUE)

    async def _claim_in(self, uow: TriggerUnitOfWork, manual: bool) -> int | None:
        """The conditional claim and its queued run, staged in the caller's transaction; the run's id or None."""
        now = self._clock.now()
        claimed = await uow.training_state.claim(
            now,
            threshold=None if manual else self.policy.threshold,
            stale_before=self.policy.stale_before(now),
            min_new_labels=self.policy.min_new_labels,
        )
        if not claimed:
            return None
        trigger = "manual" if manual else self.policy.reason(await uow.training_state.get())
        run = await uow.training_runs.add(TrainingRun(trigger=trigger, status=RunStatus.QUEUED, created_at=now))
        return run.id

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
