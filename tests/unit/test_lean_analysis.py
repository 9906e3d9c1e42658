"""The lean request path: one write transaction per analysis whatever the counter says, companies and teams from
the per-process catalogue, and batches answered in order with per-ticket errors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from application.services.company_catalogue import CompanyCatalogue
from domain.analysis import TicketAnalysis
from domain.companies import Team
from domain.errors import CompanyNotFound, InvalidInput
from tests.settings_defaults import analysis_settings
from tests.unit.conftest import World
from tests.unit.fakes import FakeMetrics


def _costs(world: World) -> tuple[int, int]:
    store = world.uow.store
    return store.transactions, store.commits


async def _analyse_counting(world: World) -> tuple[int, int]:
    before = _costs(world)
    await world.analyze.execute("laptop broken", 1)
    after = _costs(world)
    return after[0] - before[0], after[1] - before[1]


async def test_an_analysis_below_the_threshold_costs_one_read_and_one_write_transaction(world: World) -> None:
    assert await _analyse_counting(world) == (2, 1)


async def test_a_due_analysis_while_a_training_runs_still_costs_one_write_transaction() -> None:
    world = World(threshold=2)
    world.teach()
    for _ in range(2):
        await world.analyze.execute("laptop broken", 1)
    assert len(world.queue.enqueued) == 1 and world.uow.store.training_state.running
    for _ in range(5):  # the counter is past the threshold now, and stays there while the training runs
        assert await _analyse_counting(world) == (2, 1)
    assert len(world.queue.enqueued) == 1 and world.uow.store.training_state.analyses_since_trigger == 5


async def test_the_analysis_that_claims_the_slot_records_its_run_in_the_same_transaction() -> None:
    world = World(threshold=1)
    world.teach()
    assert await _analyse_counting(world) == (2, 1)
    (run_id,) = world.queue.enqueued
    assert world.uow.store.runs[run_id].status.value == "queued"


async def test_a_silent_run_is_reaped_in_the_analysis_transaction_and_the_slot_claimed_again() -> None:
    from datetime import timedelta

    from application.services.abandoned_runs import AbandonedRuns
    from application.services.analysis_recorder import AnalysisRecorder
    from application.services.retraining_trigger import RetrainingTrigger

    world = World(threshold=1)
    world.teach()
    world.retraining = RetrainingTrigger(
        world.uow, world.queue, world.clock, world.policy, AbandonedRuns(world.uow, world.clock, timedelta(minutes=5))
    )
    world.recorder = AnalysisRecorder(world.retraining)
    world.analyze = world.analyze_ticket()
    await world.analyze.execute("laptop broken", 1)
    (run_id,) = world.queue.enqueued
    async with world.uow() as uow:  # its worker starts it, then dies: silent past the grace period
        await uow.training_runs.start(run_id, world.clock.now())
        await uow.commit()
    world.clock.advance(minutes=10)
    assert await _analyse_counting(world) == (2, 1)
    first, second = world.queue.enqueued
    assert world.uow.store.runs[first].status.value == "abandoned"
    assert world.uow.store.runs[second].status.value == "queued"


async def test_the_catalogue_answers_from_the_cache_until_the_stamp_moves(world: World) -> None:
    catalogue = CompanyCatalogue()
    analyze = world.analyze_ticket(catalogue=catalogue)
    first = await analyze.execute("forgot my vpn password login", 1)
    assert first.assignment is not None and first.assignment.assigned_team_id == 11
    cached = catalogue._entries[1]
    await analyze.execute("forgot my vpn password login", 1)
    assert catalogue._entries[1] is cached  # not reloaded
    async with world.uow() as uow:  # another process moves the Identity team's work to a new team
        await uow.teams.delete(11)
        team = Team(None, 1, "Access desk", "Access", "passwords accounts vpn login")
        await uow.teams.add(replace(team, embedding=world.embedder._vector(team.embedding_text())))
        await uow.commit()
    moved = await analyze.execute("forgot my vpn password login", 1)
    assert moved.assignment is not None and moved.assignment.assigned_team_id not in (10, 11)


async def test_a_batch_answers_in_order_with_its_own_error_per_bad_ticket_and_records_the_others() -> None:
    world = World(threshold=1000)
    metrics = FakeMetrics()
    analyze = world.analyze_ticket(analysis_settings(max_description_length=100), metrics=metrics)
    before = _costs(world)
    answers = await analyze.execute_many(["laptop broken", "   ", "forgot my vpn password login", "x" * 101], 1)
    assert _costs(world)[1] - before[1] == 1  # the whole batch is recorded in one write transaction
    first, blank, vpn, too_long = answers
    assert isinstance(first, TicketAnalysis) and first.description == "laptop broken"
    assert isinstance(vpn, TicketAnalysis) and vpn.assignment is not None and vpn.assignment.assigned_team_id == 11
    assert isinstance(blank, InvalidInput) and blank.field == "description"
    assert isinstance(too_long, InvalidInput) and too_long.field == "description"
    assert first.id is not None and vpn.id is not None and first.id < vpn.id
    assert sorted(world.uow.store.analyses) == [first.id, vpn.id]
    assert world.uow.store.training_state.analyses_since_trigger == 2
    assert metrics.counted == 2 and metrics.answered == [(2, True)]


async def test_a_batch_submits_every_text_before_awaiting_any(world: World) -> None:
    texts = [f"printer {n} jammed" for n in range(8)]
    await world.analyze.execute_many(texts, 1)
    assert world.embedder.calls[-1] == texts  # one embed call with every text


@pytest.mark.parametrize("count", [0, 4])
async def test_a_batch_of_none_or_too_many_tickets_names_tickets_and_writes_nothing(count: int) -> None:
    world = World()
    analyze = world.analyze_ticket(analysis_settings(max_batch_size=3))
    with pytest.raises(InvalidInput) as raised:
        await analyze.execute_many(["laptop broken"] * count, 1)
    assert raised.value.field == "tickets" and world.uow.store.analyses == {}


async def test_a_batch_for_an_unknown_company_is_not_found(world: World) -> None:
    with pytest.raises(CompanyNotFound):
        await world.analyze.execute_many(["laptop broken"], 99)
    assert world.uow.store.analyses == {}
