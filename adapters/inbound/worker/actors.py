from __future__ import annotations

from collections.abc import Callable
from typing import Any

from application.ports.job_queue import RETRAINING_JOB_NAME


def register_retraining_actor(
    broker: Any, queue_name: str, run_retraining: Callable[[int], None], time_limit_ms: int
) -> Any:
    """Declares `export_tickets_and_retrain` on `broker`; the actor only hands the run id to the use case.

    No retries: a failed training is recorded by the use case, and the next trigger starts a fresh one.
    """
    import dramatiq

    def export_tickets_and_retrain(run_id: int) -> None:
        run_retraining(run_id)

    declare = dramatiq.actor(
        actor_name=RETRAINING_JOB_NAME,
        queue_name=queue_name,
        broker=broker,
        max_retries=0,
        time_limit=time_limit_ms,
    )
    return declare(export_tickets_and_retrain)
