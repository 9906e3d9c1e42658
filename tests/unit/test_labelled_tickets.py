from __future__ import annotations

import pytest

from application.ports.spreadsheet_reader import SheetRow
from application.services.retraining_trigger import RetrainingTrigger
from application.use_cases.import_labelled_tickets import ImportLabelledTickets
from application.use_cases.labelled_tickets import Feedback, NewLabelledTicket, RecordLabelledTickets, SubmitFeedback
from domain.companies import Company
from domain.errors import InvalidInput, NotFound
from domain.priority import Priority
from tests.settings_defaults import DEFAULTS
from tests.training_policies import trigger_policy
from tests.unit.conftest import World
from tests.unit.fakes import FakeJobQueue, FakeUnitOfWorkFactory, FixedClock


def _record(uow: FakeUnitOfWorkFactory) -> RecordLabelledTickets:
    return RecordLabelledTickets(uow, FixedClock(), 10_000, _trigger(uow))


def _trigger(uow: FakeUnitOfWorkFactory, min_new_labels: int = 0, queue: FakeJobQueue | None = None):
    return RetrainingTrigger(uow, queue or FakeJobQueue(), FixedClock(), trigger_policy(100, min_new_labels))


async def test_batch_is_stored_whole() -> None:
    uow = FakeUnitOfWorkFactory()
    stored = await _record(uow).execute(
        [NewLabelledTicket("vpn down", "Access"), NewLabelledTicket("new mouse", "Hardware", Priority.LOW)]
    )
    assert [t.category for t in stored] == ["Access", "Hardware"] and len(uow.store.labelled) == 2


async def test_one_bad_ticket_rejects_the_batch_naming_index_and_field() -> None:
    uow = FakeUnitOfWorkFactory()
    with pytest.raises(InvalidInput) as raised:
        await _record(uow).execute([NewLabelledTicket("vpn down", "Access"), NewLabelledTicket("  ", "Hardware")])
    assert raised.value.field == "tickets[1].text" and uow.store.labelled == {}


async def test_feedback_confirms_or_corrects_and_links_the_analysis(world: World) -> None:
    analysis = await world.analyze.execute("my laptop is broken", 1)
    feedback = SubmitFeedback(world.uow, world.clock, world.retraining, DEFAULTS.team_evidence_per_team)
    confirmed = await feedback.execute(analysis.id)
    assert not confirmed.corrected and confirmed.labelled_ticket.category == "Hardware"
    corrected = await feedback.execute(analysis.id, Feedback(category="Storage"))
    assert corrected.corrected and world.uow.store.feedback_links[analysis.id] == corrected.labelled_ticket.id
    with pytest.raises(NotFound):
        await feedback.execute(12345)


async def test_feedback_on_several_analyses_of_one_company_is_all_or_nothing_and_queues_one_training(
    world: World,
) -> None:
    first, second = [await world.analyze.execute(text, 1) for text in ("badge refused at door", "door badge dead")]
    world.uow.store.companies[2] = Company(2, "Other Co")
    stranger = await world.analyze.execute("badge refused elsewhere", 2)
    trigger = RetrainingTrigger(world.uow, world.queue, world.clock, trigger_policy(100, min_new_labels=1))
    feedback = SubmitFeedback(world.uow, world.clock, trigger, DEFAULTS.team_evidence_per_team)
    labels_before = dict(world.uow.store.labelled)
    for ids in ([first.id, stranger.id], [first.id, 12345]):
        with pytest.raises(NotFound):
            await feedback.execute_many(1, ids, Feedback(category="Badge access"))
    with pytest.raises(InvalidInput, match="analysis_ids"):
        await feedback.execute_many(1, [first.id, first.id], Feedback(category="Badge access"))
    assert world.uow.store.labelled == labels_before and world.queue.enqueued == []

    results = await feedback.execute_many(1, [second.id, first.id], Feedback(category="Badge access"))
    assert [r.analysis_id for r in results] == [second.id, first.id]
    assert all(r.corrected and r.labelled_ticket.category == "Badge access" for r in results)
    assert {world.uow.store.feedback_links[a.id] for a in (first, second)} == {r.labelled_ticket.id for r in results}
    assert len(world.queue.enqueued) == 1


async def test_enough_new_labels_start_a_training_at_once_and_fewer_wait() -> None:
    uow, queue = FakeUnitOfWorkFactory(), FakeJobQueue()
    record = RecordLabelledTickets(uow, FixedClock(), 10_000, _trigger(uow, min_new_labels=3, queue=queue))
    await record.execute([NewLabelledTicket("vpn down", "Access"), NewLabelledTicket("new mouse", "Hardware")])
    assert queue.enqueued == [] and uow.store.runs == {}
    await record.execute([NewLabelledTicket("disk full", "Storage")])
    (run_id,) = queue.enqueued
    assert uow.store.runs[run_id].trigger == "labels" and uow.store.training_state.new_labels == 3


async def test_a_correction_starts_a_training_when_one_label_is_enough(world: World) -> None:
    analysis = await world.analyze.execute("my laptop is broken", 1)
    trigger = RetrainingTrigger(world.uow, world.queue, world.clock, trigger_policy(100, min_new_labels=1))
    await SubmitFeedback(world.uow, world.clock, trigger, DEFAULTS.team_evidence_per_team).execute(
        analysis.id, Feedback(category="Storage")
    )
    (run_id,) = world.queue.enqueued
    assert world.uow.store.runs[run_id].trigger == "labels"


class ListReader:
    def __init__(self, rows: list[SheetRow]) -> None:
        self.rows = rows

    async def read(self, path: str, text_column: str, label_column: str, sheet: str | None) -> list[SheetRow]:
        return self.rows


async def test_import_refuses_everything_when_a_row_is_bad_and_lists_row_numbers() -> None:
    uow = FakeUnitOfWorkFactory()
    rows = [SheetRow(2, "printer jam", "Hardware"), SheetRow(3, "", "Access"), SheetRow(4, "vpn", None)]
    report = await ImportLabelledTickets(uow, ListReader(rows), FixedClock(), 10_000).execute("x.csv")
    assert report.imported == 0 and [p.row for p in report.problems] == [3, 4]
    assert "Document" in report.problems[0].message and "Topic_group" in report.problems[1].message
    assert uow.store.labelled == {}


async def test_import_can_skip_bad_rows_and_lists_them() -> None:
    uow = FakeUnitOfWorkFactory()
    rows = [SheetRow(2, "printer jam", "Hardware"), SheetRow(3, "", "Access")]
    report = await ImportLabelledTickets(uow, ListReader(rows), FixedClock(), 10_000).execute(
        "x.csv", skip_invalid=True
    )
    assert report.imported == 1 and [p.row for p in report.skipped] == [3] and len(uow.store.labelled) == 1


async def test_empty_file_is_an_error() -> None:
    with pytest.raises(InvalidInput):
        await ImportLabelledTickets(FakeUnitOfWorkFactory(), ListReader([]), FixedClock(), 10_000).execute("x.csv")
