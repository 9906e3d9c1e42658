"""Start a retraining now (the API's and the admin site's button): claim the training slot, then queue the job.

The steps and their guarantees (one run at a time, the job queued only after its run is recorded) are in
`application.services.retraining_trigger`.
"""

from __future__ import annotations

from application.services.retraining_trigger import RetrainingTrigger
from domain.training import TriggerOutcome, TriggerResult

__all__ = ["TriggerOutcome", "TriggerResult", "TriggerRetraining"]


class TriggerRetraining:
    def __init__(self, trigger: RetrainingTrigger) -> None:
        self._trigger = trigger

    async def execute(self, manual: bool = False) -> TriggerResult:
        claimed = await self._trigger.claim(manual)
        return await self._trigger.enqueue(claimed)
