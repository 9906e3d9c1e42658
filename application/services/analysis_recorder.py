"""Recording answered analyses: stored and counted towards retraining, and the claimed training run queued.

Steps 1-3 of `application.services.retraining_trigger` run in `RetrainingTrigger.record`, shared by the analyses
recorded at the same moment (`GroupCommit`); step 4, queueing the job of a run that transaction claimed, runs
here, once, after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from application.services.group_commit import GroupCommit
from application.services.retraining_trigger import RetrainingTrigger
from domain.analysis import TicketAnalysis
from domain.training import TriggerResult

logger = logging.getLogger(__name__)


class AnalysisRecorder:
    """One per process, so every request's analyses can share a write transaction."""

    def __init__(self, trigger: RetrainingTrigger, max_group: int = 512) -> None:
        self._trigger = trigger
        self._group_commit = GroupCommit(trigger.record, max_group)

    async def record(self, analyses: Sequence[TicketAnalysis]) -> list[TicketAnalysis]:
        """The analyses as stored (with their ids), in order, once their transaction committed."""
        if not analyses:
            return []
        recorded = await self._group_commit.record(analyses)
        if recorded.claimed.run_id is not None:
            await self._enqueue_quietly(recorded.claimed)
        return recorded.analyses

    async def _enqueue_quietly(self, claimed: TriggerResult) -> None:
        """The analyses are already stored: failing the answer now would only make the platform send them twice.
        A queue the broker refuses fails the run and frees the slot (`RetrainingTrigger.enqueue`)."""
        try:
            await self._trigger.enqueue(claimed)
        except Exception:  # noqa: BLE001 - the slot stays claimed until the run is reaped or times out
            logger.exception("queueing the retraining job failed")
