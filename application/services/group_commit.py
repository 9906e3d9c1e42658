"""Group commit: analyses recorded at the same moment share one write transaction.

Why: every analysis ends in a write transaction (stored, counted, and the slot claimed when due). Under a burst
these queue on the counter's row lock (and, embedded, on SQLite's single writer), so each request waits for every
commit before its own. Here a caller's analyses are written at once when no transaction of this process is in
flight; callers that arrive while one is go together in the next. Nobody waits for a timer, and nobody is
answered before the transaction holding their own rows has committed; a transaction that fails fails each of its
callers, as it would have failed each alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from application.services.retraining_trigger import RecordedAnalyses
from domain.analysis import TicketAnalysis
from domain.training import TriggerOutcome, TriggerResult

Record = Callable[[Sequence[TicketAnalysis]], Awaitable[RecordedAnalyses]]
_Waiting = tuple[list[TicketAnalysis], "asyncio.Future[RecordedAnalyses]"]


class GroupCommit:
    """One per process. `record` has the signature and the answer of `RetrainingTrigger.record` for its caller's
    analyses; a claim the shared transaction made is handed to exactly one caller, who queues the job."""

    def __init__(self, record: Record, max_group: int = 512) -> None:
        self._record = record
        self._max_group = max_group
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def record(self, analyses: Sequence[TicketAnalysis]) -> RecordedAnalyses:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests, a restarted server): nothing of the old one carries over
            self._loop, self._waiting, self._flusher = loop, [], None
        future: asyncio.Future[RecordedAnalyses] = loop.create_future()
        self._waiting.append((list(analyses), future))
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._waiting:
            group = self._take_group()
            try:
                recorded = await self._record([analysis for analyses, _ in group for analysis in analyses])
            except Exception as error:  # noqa: BLE001 - handed to every caller of the failed transaction
                for _, future in group:
                    if not future.done():
                        future.set_exception(error)
                continue
            # A caller that gave up is still committed, as its own transaction would have been.
            for (_, future), share in zip(group, _shares(recorded, group), strict=True):
                if not future.done():
                    future.set_result(share)

    def _take_group(self) -> list[_Waiting]:
        group: list[_Waiting] = []
        size = 0
        while self._waiting and (not group or size + len(self._waiting[0][0]) <= self._max_group):
            item = self._waiting.pop(0)
            group.append(item)
            size += len(item[0])
        return group


def _shares(recorded: RecordedAnalyses, group: Sequence[_Waiting]) -> list[RecordedAnalyses]:
    """Each caller's stored analyses, in its order; the claim goes to one caller only, the first still waiting."""
    claimant = next((n for n, (_, future) in enumerate(group) if not future.done()), 0)
    not_due = TriggerResult(TriggerOutcome.NOT_DUE)
    shares, start = [], 0
    for position, (analyses, _) in enumerate(group):
        mine = recorded.analyses[start : start + len(analyses)]
        start += len(analyses)
        claimed = recorded.claimed if position == claimant else not_due
        shares.append(RecordedAnalyses(mine, recorded.analyses_since_trigger, claimed))
    return shares
