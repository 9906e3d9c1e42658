from __future__ import annotations

from typing import Protocol


class RetrainingJobQueue(Protocol):
    """Hands the `export_tickets_and_retrain` job to whoever runs jobs.

    Contract: returns once the job is durably queued (or, in-process, started); raises
    `domain.errors.JobQueueUnavailable` when it cannot be queued. It never runs the job on the caller's task.
    """

    async def enqueue_retraining(self, run_id: int) -> None:
        """Queues the job for the training run `run_id`, already recorded as queued."""
        ...

    async def is_reachable(self) -> bool: ...

    async def drain(self) -> None:
        """At shutdown: stops the jobs this process runs itself (each records its run as failed) and waits until they
        have; returns at once where another process runs them."""
        ...


RETRAINING_JOB_NAME = "export_tickets_and_retrain"
"""The job's name on every queue: the contract between whoever queues it and whoever runs it."""
