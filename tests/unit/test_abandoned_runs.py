"""A worker that dies mid-training: its run is abandoned once its heartbeat is older than the grace period, the
slot is freed for the next trigger, and the job delivered again trains nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from application.services.abandoned_runs import AbandonedRuns
from application.services.retraining_trigger import RetrainingTrigger
from application.services.training_progress import TrainingProgressRecorder
from application.use_cases.training_status import GetTrainingStatus
from application.use_cases.trigger_retraining import TriggerRetraining
from domain.training import TriggerOutcome
from domain.training_runs import RunStatus, TrainingProgress
from tests.training_policies import retraining_settings, trigger_policy
from tests.unit.fakes import FakeUnitOfWorkFactory, FixedClock
from tests.unit.test_retraining import Pipeline

GRACE = timedelta(seconds=60)


class Cluster(Pipeline):
    """The pipeline of test_retraining, with the heartbeat checks wired as in production."""

    def __init__(self) -> None:
        super().__init__()
        self.abandoned = AbandonedRuns(self.uow, self.clock, GRACE)
        retraining = RetrainingTrigger(self.uow, self.queue, self.clock, trigger_policy(threshold=100), self.abandoned)
        self.trigger = TriggerRetraining(retraining)
        self.status = GetTrainingStatus(self.uow, trigger_policy(threshold=100), self.abandoned)
        settings = retraining_settings(heartbeat_grace_s=GRACE.total_seconds())
        self.job = self.retraining_job(settings)

    async def killed_mid_training(self) -> int:
        """A run taken by a worker that then died: running, slot held, no more heartbeats."""
        result = await self.trigger.execute(manual=True)
        assert result.run_id is not None
        async with self.uow() as uow:
            assert await uow.training_runs.start(result.run_id, self.clock.now()) is not None
            await uow.commit()
        return result.run_id


async def test_a_silent_run_is_abandoned_when_the_status_is_read_and_frees_the_slot() -> None:
    cluster = Cluster()
    cluster.add_tickets()
    run_id = await cluster.killed_mid_training()
    cluster.clock.advance(seconds=GRACE.total_seconds())
    assert (await cluster.status.execute()).state.running, "within the grace period the run still holds the slot"
    assert cluster.uow.store.runs[run_id].status is RunStatus.RUNNING

    cluster.clock.advance(seconds=1)
    status = await cluster.status.execute()
    assert not status.state.running and "abandoned" in (status.state.last_error or "")
    run = cluster.uow.store.runs[run_id]
    assert run.status is RunStatus.ABANDONED and run.finished_at == cluster.clock.now()
    assert "heartbeat" in (run.error or "")


async def test_a_trigger_after_the_grace_period_claims_the_slot_and_trains() -> None:
    cluster = Cluster()
    cluster.add_tickets()
    dead = await cluster.killed_mid_training()
    assert (await cluster.trigger.execute(manual=True)).outcome is TriggerOutcome.ALREADY_RUNNING
    cluster.clock.advance(seconds=61)
    fresh = await cluster.run()
    assert fresh.status is RunStatus.SUCCEEDED and fresh.id != dead
    assert cluster.uow.store.runs[dead].status is RunStatus.ABANDONED


async def test_the_job_delivered_again_after_its_worker_died_trains_nothing_and_says_why() -> None:
    cluster = Cluster()
    cluster.add_tickets()
    dead = await cluster.killed_mid_training()
    cluster.clock.advance(seconds=61)
    again = await cluster.job.execute(dead)
    assert again.status is RunStatus.ABANDONED and "delivered again" in (again.decision or "")
    assert cluster.trainer.count == 0 and not cluster.uow.store.training_state.running
    assert cluster.uow.store.runs[dead].decision == again.decision


async def test_a_job_delivered_while_its_run_is_alive_leaves_the_run_and_the_slot_alone() -> None:
    cluster = Cluster()
    cluster.add_tickets()
    alive = await cluster.killed_mid_training()
    cluster.clock.advance(seconds=30)
    duplicate = await cluster.job.execute(alive)
    assert duplicate.status is RunStatus.RUNNING and cluster.trainer.count == 0
    assert cluster.uow.store.training_state.running
    assert cluster.uow.store.runs[alive].status is RunStatus.RUNNING


async def test_a_job_delivered_twice_trains_once() -> None:
    cluster = Cluster()
    cluster.add_tickets()
    result = await cluster.trigger.execute(manual=True)
    assert result.run_id is not None
    first = await cluster.job.execute(result.run_id)
    second = await cluster.job.execute(result.run_id)
    assert first.status is second.status is RunStatus.SUCCEEDED and cluster.trainer.count == 1


async def test_a_job_without_a_run_record_trains_nothing_and_takes_no_slot() -> None:
    cluster = Cluster()
    cluster.add_tickets()
    orphan = await cluster.job.execute(999)
    assert orphan.status is RunStatus.SKIPPED and "no training run 999" in (orphan.decision or "")
    assert cluster.trainer.count == 0 and not cluster.uow.store.training_state.running


async def test_the_last_error_clears_when_a_later_run_succeeds() -> None:
    cluster = Cluster()
    cluster.add_tickets()
    cluster.trainer.fail_with = RuntimeError("broker hiccup")
    failed = await cluster.run()
    assert "broker hiccup" in (cluster.uow.store.training_state.last_error or "")
    cluster.trainer.fail_with = None
    assert (await cluster.run()).status is RunStatus.SUCCEEDED
    assert (await cluster.status.execute()).state.last_error is None
    assert "broker hiccup" in (cluster.uow.store.runs[failed.id].error or ""), "the history keeps it"


async def test_the_heartbeat_is_written_even_when_the_progress_does_not_move() -> None:
    uow = FakeUnitOfWorkFactory()
    clock = FixedClock()
    async with uow() as unit:
        from domain.training_runs import TrainingRun

        started = TrainingRun("manual", RunStatus.RUNNING, clock.now(), started_at=clock.now())
        run = await unit.training_runs.add(started)
        await unit.commit()
    recorder = TrainingProgressRecorder(uow, run, interval_s=0.01, clock=clock, heartbeat_interval_s=5.0)
    async with recorder:
        recorder.report(TrainingProgress("linear", 5.0))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if uow.store.runs[run.id].progress.phase == "linear":
                break
        first_beat = uow.store.runs[run.id].heartbeat_at
        clock.advance(seconds=6)
        for _ in range(200):
            await asyncio.sleep(0.01)
            if uow.store.runs[run.id].heartbeat_at != first_beat:
                break
    stored = uow.store.runs[run.id]
    assert first_beat is not None and stored.heartbeat_at == clock.now()
    assert stored.progress == TrainingProgress("linear", 5.0)


async def test_reading_the_run_or_the_run_list_abandons_a_silent_run() -> None:
    from application.use_cases.training_runs import GetTrainingRun, ListTrainingRuns

    cluster = Cluster()
    cluster.add_tickets()
    dead = await cluster.killed_mid_training()
    cluster.clock.advance(seconds=61)
    assert (await GetTrainingRun(cluster.uow, cluster.abandoned).execute(dead)).status is RunStatus.ABANDONED
    other = await cluster.killed_mid_training()
    cluster.clock.advance(seconds=61)
    runs = await ListTrainingRuns(cluster.uow, cluster.abandoned).execute()
    assert [(run.id, run.status) for run in runs] == [(other, RunStatus.ABANDONED), (dead, RunStatus.ABANDONED)]
