"""Likely mislabelled tickets: which are listed, how the job stores them, and what an admin's decision does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from application.services.mislabel_listing import MislabelListing
from application.services.model_retention import ModelRetention
from application.services.retraining_trigger import RetrainingTrigger
from application.use_cases.export_tickets_and_retrain import ExportTicketsAndRetrain
from application.use_cases.mislabels import ListMislabelCandidates, MislabelAction, ResolveMislabelCandidate
from application.use_cases.trigger_retraining import TriggerRetraining
from domain.errors import InvalidInput, NotFound
from domain.labelled_tickets import LabelledTicket
from domain.mislabels import (
    LabelJudgement,
    MislabelCandidate,
    Resolution,
    candidates_per_label,
    select_candidates,
)
from domain.training_runs import RunStatus
from tests.training_policies import retraining_settings, trigger_policy
from tests.unit.fakes import (
    FakeExporter,
    FakeJobQueue,
    FakeMislabelDetector,
    FakeModelStore,
    FakeRegistryChanges,
    FakeTrainer,
    FakeUnitOfWorkFactory,
    FixedClock,
)

LABELS = ("Access", "Hardware", "Storage")
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def test_candidates_are_the_disputed_labels_most_unlikely_first_within_the_limit() -> None:
    judgements = [
        LabelJudgement(1, "Access", "Access", 0.95),
        LabelJudgement(2, "Access", "Hardware", 0.30),
        LabelJudgement(3, "Hardware", "Storage", 0.05),
        LabelJudgement(4, "Storage", "Access", 0.30),
        LabelJudgement(5, "Storage", "Hardware", 0.49),
        LabelJudgement(6, "Hardware", "Access", 0.10),
    ]
    chosen = select_candidates(judgements, training_run_id=7, limit=4, max_given_probability=0.45)
    assert [c.labelled_ticket_id for c in chosen] == [3, 6, 2, 4], "lowest first, ties by ticket id; 5 is too likely"
    assert chosen[0] == MislabelCandidate(7, 3, "Hardware", "Storage", 0.05)
    assert candidates_per_label(chosen) == {"Access": 1, "Hardware": 2, "Storage": 1}
    assert select_candidates(judgements, 7, limit=0) == []


def test_a_candidate_is_resolved_once_and_by_someone() -> None:
    candidate = MislabelCandidate(1, 2, "Access", "Hardware", 0.1, id=3)
    done = candidate.resolve(Resolution.CONFIRMED, "alice", WHEN)
    assert (done.resolution, done.resolved_by, done.resolved_at) == (Resolution.CONFIRMED, "alice", WHEN)
    with pytest.raises(InvalidInput) as again:
        done.resolve(Resolution.EXCLUDED, "bob", WHEN)
    assert again.value.field == "candidate" and "alice" in again.value.message
    with pytest.raises(InvalidInput) as nobody:
        candidate.resolve(Resolution.EXCLUDED, " ", WHEN)
    assert nobody.value.field == "by"


class Pipeline:
    """The retraining job over fakes, with the mislabel listing hooked in."""

    def __init__(self) -> None:
        self.uow = FakeUnitOfWorkFactory()
        self.clock = FixedClock()
        self.detector = FakeMislabelDetector()
        listing = MislabelListing(self.uow, self.detector, max_candidates=10)
        store = FakeModelStore()
        self.job = ExportTicketsAndRetrain(
            self.uow,
            FakeExporter(),
            FakeTrainer(store),
            store,
            self.clock,
            retraining_settings(),
            listing,
            changes=FakeRegistryChanges(),
            retention=ModelRetention(self.uow, store, keep_last=5),
        )
        self.trigger = TriggerRetraining(
            RetrainingTrigger(self.uow, FakeJobQueue(), self.clock, trigger_policy(threshold=100))
        )

    def add(self, truth: str, given: str | None = None) -> int:
        ticket_id = self.uow.store.add_labelled("", given or truth, WHEN)
        ticket = self.uow.store.labelled[ticket_id]
        self.uow.store.labelled[ticket_id] = replace(ticket, text=f"{truth} ticket {ticket_id}")
        return ticket_id

    async def run(self):
        started = await self.trigger.execute(manual=True)
        assert started.run_id is not None
        return await self.job.execute(started.run_id)


@pytest.fixture
def pipeline() -> Pipeline:
    p = Pipeline()
    for label in LABELS:
        for _ in range(10):
            p.add(label)
    return p


async def test_a_training_run_stores_its_candidates_and_counts_them_per_label(pipeline: Pipeline) -> None:
    wrong = [pipeline.add("Access", "Storage"), pipeline.add("Hardware", "Storage"), pipeline.add("Storage", "Access")]
    run = await pipeline.run()
    assert run.status is RunStatus.SUCCEEDED
    assert run.metrics.to_json()["mislabel_candidates"] == {"Access": 1, "Storage": 2}
    stored = pipeline.uow.store.mislabel_candidates.values()
    assert sorted(c.labelled_ticket_id for c in stored) == wrong
    assert {c.training_run_id for c in stored} == {run.id}
    assert pipeline.detector.calls == [33], "every trained ticket is judged"


async def test_a_failing_detector_is_recorded_and_the_run_still_succeeds(pipeline: Pipeline) -> None:
    pipeline.add("Access", "Storage")
    pipeline.detector.fail_with = MemoryError("out of memory in fold 3")
    run = await pipeline.run()
    assert run.status is RunStatus.SUCCEEDED and run.model_version_id is not None
    assert run.metrics.to_json()["mislabel_error"] == "MemoryError: out of memory in fold 3"
    assert "mislabel_candidates" not in run.metrics.to_json() and pipeline.uow.store.mislabel_candidates == {}


async def test_a_confirmed_label_is_not_listed_again(pipeline: Pipeline) -> None:
    disputed = pipeline.add("Access", "Storage")
    await pipeline.run()
    (candidate,) = pipeline.uow.store.mislabel_candidates.values()
    await ResolveMislabelCandidate(pipeline.uow, pipeline.clock).execute(
        candidate.id or 0, MislabelAction.CONFIRM, "alice"
    )
    pipeline.add("Hardware")
    second = await pipeline.run()
    assert second.metrics.to_json()["mislabel_candidates"] == {}
    assert [c.labelled_ticket_id for c in pipeline.uow.store.mislabel_candidates.values()] == [disputed]


class Curated:
    """A store with two runs' candidates over labelled tickets, for the list and the resolutions."""

    def __init__(self) -> None:
        self.uow = FakeUnitOfWorkFactory()
        self.clock = FixedClock(WHEN)
        store = self.uow.store
        self.tickets = {}
        for n, label in enumerate(["Access", "Access", "Hardware", "Storage", "Hardware"], start=1):
            ticket_id = store.new_id()
            store.labelled[ticket_id] = LabelledTicket(f"text {n}", label, "test", WHEN, id=ticket_id)
            self.tickets[n] = ticket_id

    async def add(self, run_id: int, *rows: tuple[int, str, str, float]) -> list[MislabelCandidate]:
        async with self.uow() as uow:
            stored = await uow.mislabel_candidates.add_many(
                [MislabelCandidate(run_id, self.tickets[n], given, proposed, p) for n, given, proposed, p in rows]
            )
            await uow.commit()
        return stored

    async def resolve(
        self, candidate: MislabelCandidate, action: str, new_label: str | None = None, by: str = "alice"
    ) -> MislabelCandidate:
        resolve = ResolveMislabelCandidate(self.uow, self.clock)
        return await resolve.execute(candidate.id or 0, MislabelAction(action), by, new_label)


@pytest.fixture
async def curated() -> Curated:
    world = Curated()
    await world.add(1, (1, "Access", "Hardware", 0.01))
    return world


async def test_the_list_shows_the_latest_run_unresolved_first_filtered_and_paged(curated: Curated) -> None:
    a, b, c, d = await curated.add(
        2,
        (1, "Access", "Hardware", 0.20),
        (2, "Access", "Storage", 0.10),
        (3, "Hardware", "Access", 0.05),
        (4, "Storage", "Access", 0.30),
    )
    await curated.resolve(c, "confirm")
    listing = ListMislabelCandidates(curated.uow)
    page = await listing.execute()
    assert page.training_run_id == 2 and page.total == 4
    assert [e.candidate.id for e in page.entries] == [b.id, a.id, d.id, c.id]
    assert [e.text for e in page.entries] == ["text 2", "text 1", "text 4", "text 3"]
    assert page.unresolved_per_label == {"Access": 2, "Storage": 1}
    access = await listing.execute(label="Access", offset=1, limit=1)
    assert [e.candidate.id for e in access.entries] == [a.id] and access.total == 2
    with pytest.raises(InvalidInput) as too_many:
        await listing.execute(limit=1000)
    assert too_many.value.field == "limit"


async def test_an_empty_list_before_any_run_listed_candidates() -> None:
    page = await ListMislabelCandidates(FakeUnitOfWorkFactory()).execute()
    assert page.training_run_id is None and page.entries == () and page.total == 0


async def test_change_relabels_the_ticket_and_keeps_it_trained_on(curated: Curated) -> None:
    (candidate,) = curated.uow.store.mislabel_candidates.values()
    resolved = await curated.resolve(candidate, "change", " Hardware ", by="bob")
    assert (resolved.resolution, resolved.resolved_by, resolved.resolved_at) == (Resolution.CHANGED, "bob", WHEN)
    ticket_id = curated.tickets[1]
    assert curated.uow.store.labelled[ticket_id].category == "Hardware"
    assert curated.uow.store.ticket_status.get(ticket_id) is None, "status stays active"
    assert curated.uow.store.mislabel_candidates[candidate.id or 0] == resolved


async def test_exclude_takes_the_ticket_out_of_training_recording_who(curated: Curated) -> None:
    (candidate,) = curated.uow.store.mislabel_candidates.values()
    resolved = await curated.resolve(candidate, "exclude", by="carol")
    assert resolved.resolution is Resolution.EXCLUDED
    ticket_id = curated.tickets[1]
    assert curated.uow.store.ticket_status[ticket_id] == ("excluded", "carol", WHEN)
    assert curated.uow.store.labelled[ticket_id].category == "Access"


async def test_confirm_changes_nothing_but_the_candidate(curated: Curated) -> None:
    (candidate,) = curated.uow.store.mislabel_candidates.values()
    resolved = await curated.resolve(candidate, "confirm")
    assert resolved.resolution is Resolution.CONFIRMED
    assert curated.uow.store.labelled[curated.tickets[1]].category == "Access"
    assert curated.uow.store.ticket_status == {}


@pytest.mark.parametrize(
    ("action", "new_label", "field"),
    [
        ("change", "", "new_label"),
        ("change", "x" * 101, "new_label"),
        ("change", "Access", "new_label"),
    ],
)
async def test_bad_decisions_name_the_field_and_change_nothing(
    curated: Curated, action: str, new_label: str | None, field: str
) -> None:
    (candidate,) = curated.uow.store.mislabel_candidates.values()
    commits = curated.uow.store.commits
    with pytest.raises(InvalidInput) as refused:
        await curated.resolve(candidate, action, new_label)
    assert refused.value.field == field
    assert curated.uow.store.commits == commits
    assert curated.uow.store.mislabel_candidates[candidate.id or 0] == candidate


async def test_a_second_decision_and_unknown_candidates_are_refused(curated: Curated) -> None:
    (candidate,) = curated.uow.store.mislabel_candidates.values()
    await curated.resolve(candidate, "exclude")
    with pytest.raises(InvalidInput):
        await curated.resolve(candidate, "change", "Hardware")
    assert curated.uow.store.labelled[curated.tickets[1]].category == "Access"
    with pytest.raises(NotFound):
        await ResolveMislabelCandidate(curated.uow, curated.clock).execute(999, MislabelAction.CONFIRM, "alice")


async def test_a_candidate_whose_ticket_is_gone_is_not_found_and_stays_open(curated: Curated) -> None:
    (candidate,) = curated.uow.store.mislabel_candidates.values()
    del curated.uow.store.labelled[curated.tickets[1]]
    for action in ("confirm", "exclude"):
        with pytest.raises(NotFound):
            await curated.resolve(candidate, action)
    assert curated.uow.store.mislabel_candidates[candidate.id or 0].resolution is None
