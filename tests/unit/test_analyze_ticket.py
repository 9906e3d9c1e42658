from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.use_cases.training_runs import StartTrainingRun
from application.use_cases.trigger_retraining import TriggerOutcome, TriggerResult
from domain.companies import CompanyFlags
from domain.decisions import DecisionPolicy
from domain.errors import CompanyNotFound, InvalidInput
from domain.priority import Priority
from domain.routing import RoutingReason
from tests.unit.conftest import World


async def test_analysis_categorises_prioritises_routes_and_is_recorded(world: World) -> None:
    world.sentiment.value = -0.6
    analysis = await world.analyze.execute("My laptop screen is broken", 1)
    assert analysis.category is not None and analysis.category.label == "Hardware"
    assert analysis.priority is Priority.HIGH
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id == 10
    assert analysis.assignment.reason is RoutingReason.CATEGORY_MATCH
    assert analysis.model_version == "fake-v1"
    stored = world.uow.store.analyses[analysis.id]
    assert stored.description == "My laptop screen is broken" and stored.polarity == -0.6
    assert world.uow.store.training_state.analyses_since_trigger == 1


async def test_unknown_company_is_reported_and_nothing_is_written(world: World) -> None:
    with pytest.raises(CompanyNotFound):
        await world.analyze.execute("laptop broken", 999)
    assert world.uow.store.analyses == {}
    assert world.uow.store.training_state.analyses_since_trigger == 0


@pytest.mark.parametrize(
    ("description", "company_id", "field"),
    # Types (a missing field, 42, "1", 1.5, true) are refused at the HTTP edge: tests/unit/test_http_contract.py.
    [
        ("", 1, "description"),
        ("   \n", 1, "description"),
        ("x" * 10_001, 1, "description"),
        ("ok", 0, "company_id"),
        ("ok", -3, "company_id"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    world: World, description: str, company_id: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await world.analyze.execute(description, company_id)
    assert raised.value.field == field
    assert world.uow.store.commits == 0


@pytest.mark.parametrize(
    ("flags", "null_fields"),
    [
        (CompanyFlags(auto_categorize=False), {"category"}),
        (CompanyFlags(auto_prioritize=False), {"priority"}),
        (CompanyFlags(auto_assign=False), {"assignment"}),
        (CompanyFlags(False, False, False), {"category", "priority", "assignment"}),
    ],
)
async def test_disabled_flags_null_their_field_and_skip_their_model(flags: CompanyFlags, null_fields: set[str]) -> None:
    world = World(flags=flags)
    analysis = await world.analyze.execute("laptop broken", 1)
    for name in ("category", "priority", "assignment"):
        assert (getattr(analysis, name) is None) == (name in null_fields)
    assert world.classifier.calls == (0 if "category" in null_fields else 1)
    assert world.sentiment.calls == (0 if "priority" in null_fields else 1)
    # A confident category owned by a team routes without the embedder; without a category, similarity needs it.
    similarity_needed = "assignment" not in null_fields and "category" in null_fields
    assert (world.embedder.calls != []) == similarity_needed


async def test_routing_without_categorisation_uses_similarity_only() -> None:
    """A similarity has no measured precision: the team is only suggested unless the company trusts it."""
    world = World(flags=CompanyFlags(auto_categorize=False))
    analysis = await world.analyze.execute("forgot my vpn password login", 1)
    assert analysis.assignment is not None and analysis.assignment.reason is RoutingReason.SIMILARITY
    assert analysis.assignment.assigned_team_id is None and analysis.assignment.need_admin
    assert analysis.decisions.suggested_team_id == 11

    trusting = World(flags=CompanyFlags(auto_categorize=False), policy=DecisionPolicy(trust_uncalibrated=True))
    analysis = await trusting.analyze.execute("forgot my vpn password login", 1)
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id == 11


async def test_threshold_queues_exactly_one_job_and_resets_the_counter() -> None:
    world = World(threshold=3)
    world.teach()
    for _ in range(5):
        await world.analyze.execute("laptop broken", 1)
    assert len(world.queue.enqueued) == 1
    run = world.uow.store.runs[world.queue.enqueued[0]]
    assert run.trigger == "threshold" and run.status.value == "queued"
    state = world.uow.store.training_state
    assert state.running and state.analyses_since_trigger == 2 and state.last_triggered_at == world.clock.now()


async def test_running_training_blocks_a_second_job_until_it_is_stale() -> None:
    world = World(threshold=2)
    world.teach()
    for _ in range(4):
        await world.analyze.execute("laptop broken", 1)
    assert len(world.queue.enqueued) == 1
    world.clock.advance(hours=7)
    await world.analyze.execute("laptop broken", 1)
    assert len(world.queue.enqueued) == 2


async def test_queue_failure_clears_the_mark_records_the_error_and_still_answers() -> None:
    world = World(threshold=1)
    world.teach()
    world.queue.fail = True
    analysis = await world.analyze.execute("laptop broken", 1)
    assert analysis.id is not None
    state = world.uow.store.training_state
    assert not state.running and state.last_error is not None and "broker down" in state.last_error
    (run,) = world.uow.store.runs.values()
    assert run.status.value == "failed" and run.error is not None and "broker down" in run.error


async def test_manual_trigger_ignores_the_counter_but_not_a_running_job(world: World) -> None:
    assert (await world.trigger.execute(manual=True)).outcome is TriggerOutcome.QUEUED
    assert (await world.trigger.execute(manual=True)).outcome is TriggerOutcome.ALREADY_RUNNING
    world.clock.advance(seconds=world.policy.timeout.total_seconds() + 1)
    assert (await world.trigger.execute(manual=True)).outcome is TriggerOutcome.QUEUED


async def test_below_threshold_is_not_due(world: World) -> None:
    assert (await world.trigger.execute()).outcome is TriggerOutcome.NOT_DUE
    assert world.queue.enqueued == []
    assert timedelta(hours=6) == world.policy.timeout


async def test_a_trigger_that_raises_is_logged_and_the_analysis_still_answers(world: World) -> None:
    async def broken_enqueue(claimed: TriggerResult) -> TriggerResult:
        raise RuntimeError("broker hiccup")

    world.retraining.enqueue = broken_enqueue
    world.uow.store.training_state = replace(world.uow.store.training_state, analyses_since_trigger=99)
    analysis = await world.analyze.execute("laptop broken", 1)
    assert analysis.id is not None and world.queue.enqueued == []


async def test_start_training_run_claims_and_records_the_run_without_queueing_it(world: World) -> None:
    started = await StartTrainingRun(world.retraining).execute(manual=True)
    assert started.outcome is TriggerOutcome.QUEUED and started.run_id is not None
    assert world.uow.store.runs[started.run_id].trigger == "manual" and world.queue.enqueued == []
    assert (await StartTrainingRun(world.retraining).execute(manual=True)).outcome is TriggerOutcome.ALREADY_RUNNING
