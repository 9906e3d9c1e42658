from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.outbound.queue.in_process_job_queue import InProcessRetrainingQueue
from application.ports.model_store import ModelStoreUnavailable
from application.services.model_retention import ModelRetention
from application.services.retraining_trigger import RetrainingTrigger
from application.use_cases.export_tickets_and_retrain import CANCELLED, ExportTicketsAndRetrain, RetrainingSettings
from application.use_cases.models import ActivateModel, SyncServedModel
from application.use_cases.trigger_retraining import TriggerRetraining
from domain.model_versions import ModelStatus
from domain.training_runs import RunStatus
from tests.training_policies import retraining_settings, trigger_policy
from tests.unit.fakes import (
    FakeExporter,
    FakeJobQueue,
    FakeModelStore,
    FakeRegistryChanges,
    FakeServedModel,
    FakeTrainer,
    FakeUnitOfWorkFactory,
    FixedClock,
)

LABELS = ("Access", "Hardware", "Storage")


class Pipeline:
    def __init__(self) -> None:
        self.uow = FakeUnitOfWorkFactory()
        self.clock = FixedClock()
        self.store = FakeModelStore()
        self.trainer = FakeTrainer(self.store)
        self.exporter = FakeExporter()
        self.queue = FakeJobQueue()
        retraining = RetrainingTrigger(self.uow, self.queue, self.clock, trigger_policy(threshold=100))
        self.trigger = TriggerRetraining(retraining)
        self.changes = FakeRegistryChanges()
        self.retention = ModelRetention(self.uow, self.store, keep_last=5)
        self.job = self.retraining_job(retraining_settings())

    def retraining_job(self, settings: RetrainingSettings) -> ExportTicketsAndRetrain:
        return ExportTicketsAndRetrain(
            self.uow,
            self.exporter,
            self.trainer,
            self.store,
            self.clock,
            settings,
            changes=self.changes,
            retention=self.retention,
        )

    def add_tickets(self, per_label: int = 10) -> None:
        for label in LABELS:
            for _ in range(per_label):
                ticket_id = self.uow.store.add_labelled("", label, datetime(2026, 1, 1, tzinfo=UTC))
                ticket = self.uow.store.labelled[ticket_id]
                self.uow.store.labelled[ticket_id] = replace(ticket, text=f"{label} ticket {ticket_id}")

    async def run(self):
        result = await self.trigger.execute(manual=True)
        assert result.run_id is not None
        return await self.job.execute(result.run_id)

    def active(self):
        return [v for v in self.uow.store.versions.values() if v.status is ModelStatus.ACTIVE]


@pytest.fixture
def pipeline() -> Pipeline:
    p = Pipeline()
    p.add_tickets()
    return p


async def test_first_model_is_promoted_and_the_mark_cleared(pipeline: Pipeline) -> None:
    run = await pipeline.run()
    assert run.status is RunStatus.SUCCEEDED and run.promoted
    (active,) = pipeline.active()
    assert active.id == run.model_version_id and active.metrics.test.accuracy == 1.0
    assert pipeline.exporter.exported == [30]
    assert not pipeline.uow.store.training_state.running
    assert pipeline.uow.store.runs[run.id].status is RunStatus.SUCCEEDED


async def test_a_worse_candidate_is_registered_but_not_promoted(pipeline: Pipeline) -> None:
    first = await pipeline.run()
    pipeline.add_tickets(2)
    pipeline.trainer.next_rule = "poor"
    second = await pipeline.run()
    assert second.status is RunStatus.SUCCEEDED and not second.promoted
    assert "kept the active model" in (second.decision or "")
    (active,) = pipeline.active()
    assert active.id == first.model_version_id
    assert pipeline.uow.store.versions[second.model_version_id].status is ModelStatus.REJECTED
    assert pipeline.trainer.trained_from == [None, "v1"], "the second run warm-starts from the active model"


async def test_an_equally_good_candidate_replaces_the_active_one(pipeline: Pipeline) -> None:
    first = await pipeline.run()
    pipeline.add_tickets(1)
    second = await pipeline.run()
    assert second.promoted
    assert pipeline.uow.store.versions[first.model_version_id].status is ModelStatus.RETIRED
    assert [v.id for v in pipeline.active()] == [second.model_version_id]


async def test_failure_records_the_error_clears_the_mark_and_keeps_the_active_model(pipeline: Pipeline) -> None:
    first = await pipeline.run()
    pipeline.add_tickets(1)
    pipeline.trainer.fail_with = RuntimeError("out of memory")
    failed = await pipeline.run()
    assert failed.status is RunStatus.FAILED and "out of memory" in (failed.error or "")
    state = pipeline.uow.store.training_state
    assert not state.running and "out of memory" in (state.last_error or "")
    assert [v.id for v in pipeline.active()] == [first.model_version_id]


async def test_shutting_down_mid_training_ends_the_run_failed_and_keeps_its_labels_new(pipeline: Pipeline) -> None:
    queue = InProcessRetrainingQueue(pipeline.job.execute)
    pipeline.trainer.hold = asyncio.Event()
    claimed = await pipeline.trigger.execute(manual=True)
    assert claimed.run_id is not None
    await queue.enqueue_retraining(claimed.run_id)
    await pipeline.trainer.started.wait()

    await queue.drain()

    run = pipeline.uow.store.runs[claimed.run_id]
    assert run.status is RunStatus.FAILED and run.error == CANCELLED and run.finished_at is not None
    assert not pipeline.uow.store.training_state.running and not pipeline.active()
    pipeline.trainer.hold = None
    again = await pipeline.run()
    assert again.status is RunStatus.SUCCEEDED, "the cancelled run's tickets are still to learn"


async def test_no_new_tickets_since_the_last_success_is_skipped(pipeline: Pipeline) -> None:
    await pipeline.run()
    skipped = await pipeline.run()
    assert skipped.status is RunStatus.SKIPPED and "no labelled tickets since" in (skipped.decision or "")
    assert pipeline.trainer.count == 1 and not pipeline.uow.store.training_state.running


async def test_too_few_tickets_is_skipped_not_failed() -> None:
    p = Pipeline()
    p.add_tickets(per_label=2)
    run = await p.run()
    assert run.status is RunStatus.SKIPPED and p.trainer.count == 0


async def test_progress_is_reported_and_finished_at_set(pipeline: Pipeline) -> None:
    run = await pipeline.run()
    assert run.progress.percent == 100.0 and run.finished_at is not None and run.started_at is not None


async def test_operator_can_roll_back_to_an_earlier_version(pipeline: Pipeline) -> None:
    first = await pipeline.run()
    pipeline.add_tickets(1)
    second = await pipeline.run()
    await ActivateModel(pipeline.uow, pipeline.clock, pipeline.changes).execute(first.model_version_id)
    assert [v.id for v in pipeline.active()] == [first.model_version_id]
    assert pipeline.uow.store.versions[second.model_version_id].status is ModelStatus.RETIRED


async def test_sync_serves_the_active_version_and_marks_an_unloadable_one_bad(pipeline: Pipeline) -> None:
    served = FakeServedModel()
    sync = SyncServedModel(pipeline.uow, served, pipeline.clock)
    first = await pipeline.run()
    assert await sync.execute() == first.model_version_id
    pipeline.add_tickets(1)
    second = await pipeline.run()
    served.broken_paths.add(pipeline.uow.store.versions[second.model_version_id].location)
    assert await sync.execute() == first.model_version_id, "the previous version keeps serving"
    assert pipeline.uow.store.versions[second.model_version_id].status is ModelStatus.BAD
    assert await sync.execute() == first.model_version_id


async def test_a_model_store_out_of_reach_condemns_no_version(pipeline: Pipeline) -> None:
    served = FakeServedModel()
    sync = SyncServedModel(pipeline.uow, served, pipeline.clock)
    first = await pipeline.run()
    served.store_down = True
    with pytest.raises(ModelStoreUnavailable):
        await sync.execute()
    assert not served.in_step, "not ready while the active version could not be fetched"
    assert pipeline.uow.store.versions[first.model_version_id].status is ModelStatus.ACTIVE
    served.store_down = False
    assert await sync.execute() == first.model_version_id and served.in_step


async def test_every_stage_is_published_to_the_store_before_it_is_registered(progressive: Pipeline) -> None:
    run = await progressive.run()
    names = [progressive.uow.store.versions[stage.model_version_id].name for stage in run.metrics.stages]
    assert await progressive.store.versions() == sorted(names)
    assert not any(Path(progressive.store.staging_area()).iterdir()), "publishing consumed every staged folder"


async def test_the_run_and_the_version_record_calibration_and_decision_coverage(pipeline: Pipeline) -> None:
    run = await pipeline.run()
    (active,) = pipeline.active()
    assert pipeline.trainer.calibrated == [active.name]
    for metrics in (run.metrics.to_json(), active.metrics.to_json()):  # as stored and shown by the API
        calibration = metrics["calibration"]
        assert set(calibration) == {
            "temperature",
            "fitted_temperature",
            "test_ece_before",
            "test_ece_after",
            "applied",
            "bins",
            "reliability_before",
            "reliability_after",
        }
        assert calibration["applied"] and calibration["temperature"] == calibration["fitted_temperature"] > 1.0
        assert calibration["test_ece_after"] < calibration["test_ece_before"]
        assert calibration["bins"] == 15 and len(calibration["reliability_before"]) == 15
        for bin_ in calibration["reliability_after"]:
            assert set(bin_) == {"lower", "upper", "count", "mean_confidence", "accuracy"}
            assert (bin_["accuracy"] is None) == (bin_["count"] == 0)
        coverage = metrics["decision_coverage"]
        assert coverage["target_precision"] == 0.95
        assert set(coverage["overall"]) == {"coverage", "precision", "automatic", "support"}
        assert coverage["overall"]["support"] == sum(line["support"] for line in coverage["per_label"].values())
        assert set(coverage["per_label"]) == set(LABELS)
        for line in coverage["per_label"].values():
            assert set(line) == {"threshold", "coverage", "precision", "automatic", "support"}
            # Ten tickets a label leave every label short of the 20 validation predictions a threshold needs.
            assert line["threshold"] is None and line["automatic"] == 0 and line["precision"] is None
    assert run.metrics.ece == run.metrics.calibration.calibration.test_ece_after
    assert None not in (run.metrics.accuracy, run.metrics.macro_f1, run.metrics.ece)


async def test_a_calibrator_that_does_not_lower_the_test_ece_is_not_applied(pipeline: Pipeline) -> None:
    pipeline.trainer.calibration_helps = False
    run = await pipeline.run()
    calibration = run.metrics.to_json()["calibration"]
    assert calibration["temperature"] == 1.0 and not calibration["applied"]
    assert calibration["fitted_temperature"] > 1.0
    assert calibration["test_ece_after"] >= calibration["test_ece_before"]
    assert run.metrics.ece == calibration["test_ece_before"]
    (active,) = pipeline.active()
    assert active.metrics.to_json()["calibration"] == calibration


async def test_an_unloadable_version_gives_way_to_the_newest_good_one_in_the_registry(pipeline: Pipeline) -> None:
    """Every process and every restart must serve the good version, so the fallback is written to the registry."""
    first = await pipeline.run()
    pipeline.add_tickets(1)
    second = await pipeline.run()
    pipeline.add_tickets(1)
    third = await pipeline.run()
    restarted = FakeServedModel()  # a fresh process: nothing loaded yet
    restarted.broken_paths |= {pipeline.uow.store.versions[third.model_version_id].location}
    sync = SyncServedModel(pipeline.uow, restarted, pipeline.clock)
    assert not restarted.in_step
    assert await sync.execute() == second.model_version_id and restarted.in_step
    versions = pipeline.uow.store.versions
    assert versions[third.model_version_id].status is ModelStatus.BAD
    assert "failed to load: OSError" in (versions[third.model_version_id].note or "")
    assert [v.id for v in pipeline.active()] == [second.model_version_id]
    assert f"version {third.model_version_id}" in (versions[second.model_version_id].note or "")
    assert versions[first.model_version_id].status is ModelStatus.RETIRED


async def test_activating_a_corrupt_version_brings_the_previous_one_back(pipeline: Pipeline) -> None:
    first = await pipeline.run()
    pipeline.add_tickets(1)
    pipeline.trainer.next_rule = "poor"
    worse = await pipeline.run()
    served = FakeServedModel()
    sync = SyncServedModel(pipeline.uow, served, pipeline.clock)
    assert await sync.execute() == first.model_version_id
    served.broken_paths.add(pipeline.uow.store.versions[worse.model_version_id].location)
    pipeline.clock.advance(seconds=1)
    await ActivateModel(pipeline.uow, pipeline.clock, pipeline.changes).execute(worse.model_version_id)
    assert await sync.execute() == first.model_version_id
    assert [v.id for v in pipeline.active()] == [first.model_version_id]
    assert pipeline.uow.store.versions[worse.model_version_id].status is ModelStatus.BAD


async def test_with_no_good_version_left_nothing_is_active_and_the_process_is_in_step(pipeline: Pipeline) -> None:
    only = await pipeline.run()
    served = FakeServedModel()
    served.broken_paths.add(pipeline.uow.store.versions[only.model_version_id].location)
    assert await SyncServedModel(pipeline.uow, served, pipeline.clock).execute() is None
    assert pipeline.active() == [] and served.in_step


@pytest.fixture
def progressive(pipeline: Pipeline) -> Pipeline:
    pipeline.trainer.linear_stage = True
    return pipeline


async def test_a_fresh_install_promotes_the_linear_version_then_the_hybrid(progressive: Pipeline) -> None:
    run = await progressive.run()
    assert run.status is RunStatus.SUCCEEDED and run.promoted
    linear_stage, hybrid_stage = run.metrics.stages
    assert linear_stage.stage == "linear" and linear_stage.promoted
    assert hybrid_stage.stage == "hybrid" and hybrid_stage.promoted
    assert "no active model" in linear_stage.decision and "at least as good as active v1" in hybrid_stage.decision
    linear = progressive.uow.store.versions[linear_stage.model_version_id]
    hybrid = progressive.uow.store.versions[hybrid_stage.model_version_id]
    assert linear.status is ModelStatus.RETIRED and linear.metrics.stage == "linear"
    assert hybrid.status is ModelStatus.ACTIVE and hybrid.id == run.model_version_id
    assert linear.activated_at is not None, "the linear version served before the hybrid replaced it"
    assert progressive.trainer.trained_from == [None], "a linear-only version is no warm start: the base model is"
    assert progressive.trainer.reused == [linear.location], "the hybrid takes the linear stage's fit"
    assert run.metrics.accuracy == 1.0 and run.metrics.ece == hybrid_stage.ece


async def test_the_hybrid_warm_starts_from_the_newest_transformer_behind_an_active_linear_version(
    progressive: Pipeline,
) -> None:
    await progressive.run()
    progressive.add_tickets(1)
    progressive.trainer.next_rule = "poor"
    second = await progressive.run()
    first_hybrid = "v2"
    assert second.metrics.stages[0].promoted and not second.promoted
    (active,) = progressive.active()
    assert active.location == "v3" and active.metrics.stage == "linear"
    progressive.add_tickets(1)
    progressive.trainer.next_rule = "perfect"
    await progressive.run()
    assert progressive.trainer.trained_from == [None, first_hybrid, first_hybrid]


async def test_a_linear_stage_worse_than_the_active_model_is_kept_back_and_the_hybrid_still_runs(
    progressive: Pipeline,
) -> None:
    first = await progressive.run()
    progressive.add_tickets(1)
    progressive.trainer.linear_rule = "poor"
    second = await progressive.run()
    linear_stage, hybrid_stage = second.metrics.stages
    assert not linear_stage.promoted and "kept the active model" in linear_stage.decision
    assert progressive.uow.store.versions[linear_stage.model_version_id].status is ModelStatus.REJECTED
    assert hybrid_stage.promoted and second.status is RunStatus.SUCCEEDED
    assert progressive.uow.store.versions[first.model_version_id].status is ModelStatus.RETIRED
    assert [v.id for v in progressive.active()] == [hybrid_stage.model_version_id]


async def test_a_failed_hybrid_stage_keeps_the_linear_promotion_and_fails_the_run(progressive: Pipeline) -> None:
    progressive.trainer.fail_hybrid_with = RuntimeError("out of memory")
    run = await progressive.run()
    assert run.status is RunStatus.FAILED and run.error == "hybrid stage failed: RuntimeError: out of memory"
    linear_stage, hybrid_stage = run.metrics.stages
    assert linear_stage.promoted and hybrid_stage == replace(
        hybrid_stage, stage="hybrid", promoted=False, model_version_id=None, error="RuntimeError: out of memory"
    )
    (active,) = progressive.active()
    assert active.id == linear_stage.model_version_id == run.model_version_id and run.promoted
    state = progressive.uow.store.training_state
    assert not state.running and "out of memory" in (state.last_error or "")
    stored = progressive.uow.store.runs[run.id]
    assert stored.status is RunStatus.FAILED and stored.metrics.stages == run.metrics.stages


async def test_the_next_run_after_a_failed_hybrid_stage_trains_again(progressive: Pipeline) -> None:
    progressive.trainer.fail_hybrid_with = RuntimeError("out of memory")
    await progressive.run()
    progressive.trainer.fail_hybrid_with = None
    again = await progressive.run()
    assert again.status is RunStatus.SUCCEEDED and again.metrics.stages[1].promoted


async def test_a_single_stage_recipe_records_one_stage(pipeline: Pipeline) -> None:
    run = await pipeline.run()
    (stage,) = run.metrics.stages
    assert stage.stage == "bert" and stage.promoted and stage.model_version_id == run.model_version_id
    assert len(pipeline.uow.store.versions) == 1


async def test_the_running_run_shows_the_linear_stage_while_the_hybrid_trains(progressive: Pipeline) -> None:
    seen: list[object] = []
    trainer = progressive.trainer
    train = trainer.train

    async def watching(*args, **kwargs):
        (running,) = [run for run in progressive.uow.store.runs.values() if run.status is RunStatus.RUNNING]
        seen.append(running.metrics.stages)
        return await train(*args, **kwargs)

    trainer.train = watching
    run = await progressive.run()
    assert seen == [(run.metrics.stages[0],)]


async def test_an_update_counts_each_new_ticket_new_weight_times_in_both_models() -> None:
    """One correction among many tickets moves neither model unless it weighs more: an update trains on each new
    ticket `new_weight` times, in the transformer's pass and in the linear refit, beside the replay sample."""
    pipeline = Pipeline()
    pipeline.job = pipeline.retraining_job(retraining_settings(new_weight=4, replay=6))
    pipeline.add_tickets()
    await pipeline.run()  # the first training is a full one
    ticket_id = pipeline.uow.store.add_labelled("Storage ticket new", "Storage", datetime(2026, 1, 2, tzinfo=UTC))
    new = pipeline.uow.store.labelled[ticket_id]

    labels_trigger = RetrainingTrigger(
        pipeline.uow, pipeline.queue, pipeline.clock, trigger_policy(threshold=100, min_new_labels=1)
    )
    claimed = await TriggerRetraining(labels_trigger).execute(manual=False)
    assert claimed.run_id is not None
    run = await pipeline.job.execute(claimed.run_id)

    assert run.metrics.plan is not None and run.metrics.plan.kind.value == "update"
    train, encoder = pipeline.trainer.examples[-1]
    assert encoder is not None
    assert sum(example.text == new.text for example in encoder) == 4 and len(encoder) == 4 + 6
    assert sum(example.text == new.text for example in train) == 4
    assert run.metrics.new_tickets == 1


def test_an_update_weighs_new_tickets_at_least_once() -> None:
    from domain.training_plan import RetrainingPolicy, weighted

    assert weighted(["a", "b"], 3) == ["a", "a", "a", "b", "b", "b"] and weighted(["a"], 0) == []
    with pytest.raises(ValueError):
        RetrainingPolicy(full_growth=0.2, full_every=None, replay=10, new_weight=0)
