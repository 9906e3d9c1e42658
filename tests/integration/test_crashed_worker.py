"""A Dramatiq worker killed with SIGKILL mid-training takes its training process with it; the run is abandoned once
its heartbeat is older than the grace period, the slot is freed, a new trigger trains on a fresh worker, and the
dead run's job delivered again trains nothing.

Real processes throughout: `ticket-utils worker` subprocesses over MariaDB and Redis, a tiny BERT (as in
test_retraining_pipeline) set to train for far longer than the test waits, so the kill lands mid-training. State
changes are polled with generous deadlines; nothing asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from application.use_cases.labelled_tickets import NewLabelledTicket
from bootstrap.container import Container, build_container
from bootstrap.settings import load_settings
from domain.training import TriggerOutcome
from domain.training_runs import RunStatus, TrainingRun
from tests.integration.conftest import API_MYSQL_URL, REDIS_URL, fresh_mysql_database
from tests.integration.test_retraining_pipeline import labelled_tickets, tiny_training_env
from tests.processes import training_processes, wait_until_gone

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

_api_url = make_url(API_MYSQL_URL)
CRASH_MYSQL_URL = _api_url.set(database=f"{_api_url.database}_crash").render_as_string(hide_password=False)
GRACE_S = 3
DEADLINE_S = 300.0
T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, logs: Path) -> T:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = await probe()
        if found is not None:
            return found
        await asyncio.sleep(0.25)
    tail = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in sorted(logs.glob("*.log")))
    raise AssertionError(f"{what} did not happen within {DEADLINE_S} s\n{tail}")


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Container, dict[str, str], Path]]:
    fresh_mysql_database(CRASH_MYSQL_URL)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **{
            name: value
            for name, value in os.environ.items()
            if name not in {"BROKER_URL", "CELERY_BROKER_URL", "DB_HOST"}
        },
        "DATABASE_URL": CRASH_MYSQL_URL,
        "BROKER_URL": REDIS_URL,
        "SEED_DEMO_DATA": "false",
        "SESSION_SECRET_FILE": str(tmp_path / "data" / "session_secret"),
        **tiny_training_env(tmp_path),
        "TRAINING_HEARTBEAT_GRACE": str(GRACE_S),
        "RETRAIN_MIN_NEW_LABELS": "0",  # the test starts its run itself
        "LOG_LEVEL": "INFO",
    }
    container = build_container(load_settings(environ=env, env_file=None))
    try:
        yield container, env, tmp_path
    finally:
        await container.engine().dispose()


def start_worker(env: dict[str, str], root: Path, name: str, **overrides: str) -> subprocess.Popen[bytes]:
    with (root / f"{name}.log").open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bootstrap.cli", "worker"],
            env={**env, **overrides},
            cwd=root,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def run_of(container: Container, run_id: int) -> TrainingRun:
    async with container.uow_factory()() as uow:
        run = await uow.training_runs.get(run_id)
    assert run is not None
    return run


async def test_a_worker_killed_mid_training_frees_the_slot_and_its_redelivered_job_trains_nothing(
    world: tuple[Container, dict[str, str], Path],
) -> None:
    container, env, root = world
    tickets = [NewLabelledTicket(t["text"], t["category"]) for t in labelled_tickets(per_label=30, seed=3)]
    await container.record_labelled_tickets().execute(tickets)
    first = await container.trigger_retraining().execute(manual=True)
    assert first.outcome is TriggerOutcome.QUEUED and first.run_id is not None
    dead_id = first.run_id

    # Far more epochs than the test waits for: the worker is surely mid-training when it is killed.
    doomed = start_worker(env, root, "doomed", TRAIN_EPOCHS="100000", TRAIN_TIME_BUDGET="3600")
    try:

        async def training() -> TrainingRun | None:
            run = await run_of(container, dead_id)
            # Past 10 % the linear stage is registered and the transformer trains.
            return run if run.status is RunStatus.RUNNING and run.progress.percent >= 10.0 else None

        running = await eventually(training, "the run reaching its training phase", root)
        assert running.heartbeat_at is not None
        trainers = training_processes(doomed.pid)
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=60)
    assert len(trainers) == 1 and wait_until_gone(trainers[0]), "the worker's training process died with it"
    killed_at = time.monotonic()
    assert (await container.get_training_status().execute()).state.running, "a fresh heartbeat still holds the slot"

    async def freed() -> bool | None:
        return True if not (await container.get_training_status().execute()).state.running else None

    await eventually(freed, "the slot being freed by reading the status", root)
    freed_after = time.monotonic() - killed_at
    dead = await run_of(container, dead_id)
    assert dead.status is RunStatus.ABANDONED and "heartbeat" in (dead.error or "")
    status = await container.get_training_status().execute()
    assert f"training run {dead_id} abandoned" in (status.state.last_error or "")
    print(f"abandoned run {dead_id} freed {freed_after:.1f} s after SIGKILL with grace {GRACE_S} s")

    second = await container.trigger_retraining().execute(manual=True)
    assert second.outcome is TriggerOutcome.QUEUED and second.run_id is not None
    # The broker delivers the dead run's job again (as Redis does once it notices the dead worker).
    await container.job_queue().enqueue_retraining(dead_id)
    survivor = start_worker(env, root, "survivor")
    try:

        async def finished(run_id: int) -> TrainingRun | None:
            run = await run_of(container, run_id)
            return run if run.status.finished and run.decision else None

        trained = await eventually(lambda: finished(second.run_id or 0), "the new run finishing", root)
        redelivered = await eventually(lambda: finished(dead_id), "the redelivered job being turned down", root)
    finally:
        survivor.terminate()
        survivor.wait(timeout=60)
    assert trained.status is RunStatus.SUCCEEDED, trained
    assert redelivered.status is RunStatus.ABANDONED and "delivered again" in (redelivered.decision or "")
    status = await container.get_training_status().execute()
    assert not status.state.running and status.state.last_error is None, "the success cleared the last error"
    async with container.uow_factory()() as uow:
        versions = await uow.model_versions.list()
    # The new run's hybrid and linear stages, and the dead run's linear stage (registered before it was killed):
    # the redelivered job trained nothing.
    assert [version.training_run_id for version in versions] == [second.run_id, second.run_id, dead_id]
