"""Group commit: analyses recorded at the same moment share one write transaction, each caller gets its own rows
back only after that transaction committed, a due claim is queued once, and a failure reaches every caller in it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from application.services.group_commit import GroupCommit
from application.services.retraining_trigger import RecordedAnalyses
from domain.analysis import TicketAnalysis
from domain.training import TriggerOutcome, TriggerResult
from tests.unit.conftest import World


async def test_concurrent_analyses_share_one_write_transaction_and_each_gets_its_own_row() -> None:
    world = World()
    analyze = world.analyze
    commits_before = world.uow.store.commits

    texts = [f"laptop {n} is broken" for n in range(6)]
    answers = await asyncio.gather(*(analyze.execute(text, 1) for text in texts))

    assert world.uow.store.commits - commits_before == 1
    assert [answer.description for answer in answers] == texts
    assert len({answer.id for answer in answers}) == len(texts)
    assert world.uow.store.training_state.analyses_since_trigger == len(texts)


async def test_a_due_claim_in_a_shared_transaction_queues_the_training_once() -> None:
    world = World(threshold=3)
    world.teach()
    analyze = world.analyze

    await asyncio.gather(*(analyze.execute(f"printer {n} jammed", 1) for n in range(5)))

    assert len(world.queue.enqueued) == 1


async def test_analyses_one_after_another_each_commit_alone() -> None:
    world = World()
    analyze = world.analyze
    commits_before = world.uow.store.commits

    for n in range(3):
        await analyze.execute(f"vpn {n} down", 1)

    assert world.uow.store.commits - commits_before == 3


def _analysis(text: str) -> TicketAnalysis:
    return TicketAnalysis(1, text, None, None, None, None, None, datetime(2026, 11, 26, tzinfo=UTC))


class HeldTransaction:
    """A stand-in for `RetrainingTrigger.record` whose transaction commits only when the test lets it."""

    def __init__(self, fail_first: bool = False) -> None:
        self.groups: list[list[str]] = []
        self.commit = asyncio.Event()
        self._fail_first = fail_first

    async def __call__(self, analyses: Sequence[TicketAnalysis]) -> RecordedAnalyses:
        self.groups.append([a.description for a in analyses])
        await self.commit.wait()
        if self._fail_first and len(self.groups) == 1:
            raise RuntimeError("deadlock found when trying to get lock")
        return RecordedAnalyses(list(analyses), len(analyses), TriggerResult(TriggerOutcome.NOT_DUE))


async def test_no_caller_is_answered_before_its_transaction_commits_and_late_callers_go_in_the_next() -> None:
    record = HeldTransaction()
    group = GroupCommit(record)
    first = asyncio.ensure_future(group.record([_analysis("a")]))
    await asyncio.sleep(0)  # the first transaction is now open
    late = [asyncio.ensure_future(group.record([_analysis(text)])) for text in ("b", "c")]
    for _ in range(5):
        await asyncio.sleep(0)

    assert not first.done() and not any(task.done() for task in late)
    record.commit.set()
    results = await asyncio.gather(first, *late)

    assert record.groups == [["a"], ["b", "c"]]
    assert [[a.description for a in r.analyses] for r in results] == [["a"], ["b"], ["c"]]


async def test_a_failed_transaction_fails_each_of_its_callers_and_the_next_group_still_commits() -> None:
    record = HeldTransaction(fail_first=True)
    group = GroupCommit(record)
    first = asyncio.ensure_future(group.record([_analysis("a")]))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(group.record([_analysis("b")]))
    record.commit.set()

    with pytest.raises(RuntimeError, match="deadlock"):
        await first
    assert [a.description for a in (await second).analyses] == ["b"]
