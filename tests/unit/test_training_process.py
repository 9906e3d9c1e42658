"""The training process over the unit tests' fakes: real child processes, the real pipe protocol and process setup,
fake training (tests/unit/training_process_child.py). The real trainer goes through it in the integration tests."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.outbound.ml.training_process.client import (
    TrainingFailed,
    TrainingProcess,
    TrainingProcessDied,
    describe_exit,
)
from adapters.outbound.model_store.filesystem_store import FilesystemModelStore
from application.services.model_retention import ModelRetention
from bootstrap.settings import load_settings
from bootstrap.training_job import RetrainingJob, decode_training_settings, encode_training_settings
from domain.dataset_split import Example
from domain.labelled_tickets import LabelledTicket
from domain.model_versions import ModelStatus
from domain.training_runs import RunStatus, TrainingProgress
from tests.processes import alive, training_processes, wait_until_gone
from tests.training_policies import retraining_settings
from tests.unit.test_retraining import Pipeline

CHILD = [sys.executable, "-m", "tests.unit.training_process_child"]
LABELS = ("Access", "Hardware", "Storage")
EXAMPLES = [Example(f"{label} ticket {n}", label) for label in LABELS for n in range(4)]


def child(store: Path, **options: object) -> TrainingProcess:
    return TrainingProcess(CHILD, json.dumps({"store": str(store), **options}).encode(), pause_busy_share=0.0)


@pytest.fixture
async def process(tmp_path: Path) -> AsyncIterator[TrainingProcess]:
    training = child(tmp_path)
    yield training
    await training.close()


class Job(Pipeline):
    """test_retraining's pipeline (the use case over in-memory fakes), training through a fake training process; the
    model store is a folder, which the child writes versions into as the real trainer does."""

    def __init__(self, store: Path, **options: object) -> None:
        super().__init__()
        self.store = FilesystemModelStore(store)
        self.retention = ModelRetention(self.uow, self.store, keep_last=5)
        self.add_tickets()
        self.trainer = self.process = child(store, **options)
        self.job = RetrainingJob(self.retraining_job(retraining_settings()), self.process)


async def test_jobs_train_in_a_child_that_ends_with_each_job(tmp_path: Path) -> None:
    job = Job(tmp_path, linear_stage=True)
    first = await job.run()
    assert first.status is RunStatus.SUCCEEDED and first.promoted, first
    assert job.process.pid is None and training_processes() == [], "the child ended with the job"
    job.add_tickets(1)
    # The second job's warm starts are the first's registered versions, sent to a new child with their metrics.
    second = await job.run()
    assert second.status is RunStatus.SUCCEEDED, second
    versions = job.uow.store.versions.values()
    assert len(versions) == 4 and [v.status for v in versions].count(ModelStatus.ACTIVE) == 1
    assert job.process.pid is None and training_processes() == []


async def test_a_training_reports_the_childs_lowest_priority_and_peak_memory(process: TrainingProcess) -> None:
    trained = await process.train(EXAMPLES, EXAMPLES, LABELS, [], lambda _: None)
    assert trained.details["peak_rss_mib"] > 0
    assert trained.details["training_process"]["nice"] == 19
    if hasattr(os, "SCHED_IDLE"):
        assert trained.details["training_process"]["scheduler"] == "idle"
    if os.path.exists("/proc/self/autogroup"):  # its own session's group yields too, not only the process within it
        assert trained.details["training_process"]["autogroup_nice"] == 19


async def test_progress_crosses_the_pipe_and_is_reported_here(process: TrainingProcess) -> None:
    seen: list[TrainingProgress] = []
    await process.train(EXAMPLES, EXAMPLES, LABELS, [], seen.append)
    assert seen == [TrainingProgress("train", 1.0), TrainingProgress("train", 50.0, 0.7)]


async def test_an_updates_keywords_reach_the_trainer_only_when_given(process: TrainingProcess) -> None:
    plain = await process.train(EXAMPLES, EXAMPLES, LABELS, [], lambda _: None)
    update = await process.train(
        EXAMPLES, EXAMPLES, LABELS, [], lambda _: None, epochs=0.5, encoder_examples=EXAMPLES[:2]
    )
    assert plain.details["keywords"] == {}
    sent = [{"text": example.text, "label": example.label} for example in EXAMPLES[:2]]
    assert update.details["keywords"] == {"epochs": 0.5, "encoder_examples": sent}, "the child got Examples"


async def test_results_come_back_as_the_domain_types(process: TrainingProcess) -> None:
    trained = await process.train(EXAMPLES, EXAMPLES, LABELS, [], lambda _: None)
    assert trained.labels == LABELS and trained.recipe == "bert"
    assert await process.predict(trained.path, ["Storage ticket 9"]) == ["Storage"]
    calibrated = await process.calibrate(trained.path, EXAMPLES, EXAMPLES)
    report = calibrated.report
    assert list(calibrated.test_predictions) == await process.predict(trained.path, [e.text for e in EXAMPLES])
    assert report.calibration.applied and report.served_ece == report.calibration.test_ece_after
    assert [line.label for line in report.coverage.per_label] == list(LABELS)
    tickets = [LabelledTicket("Access ticket 1", "Storage", "test", datetime(2026, 1, 1, tzinfo=UTC), id=7)]
    (judgement,) = await process.find(tickets)
    assert (judgement.labelled_ticket_id, judgement.proposed_label) == (7, "Access")


async def test_a_call_that_raises_in_the_child_raises_here_and_the_child_serves_on(tmp_path: Path) -> None:
    process = child(tmp_path, fail_with="out of memory")
    try:
        with pytest.raises(TrainingFailed, match="RuntimeError: out of memory"):
            await process.train(EXAMPLES, EXAMPLES, LABELS, [], lambda _: None)
        first = process.pid
        assert await process.find([]) == [] and process.pid == first
    finally:
        await process.close()


async def test_a_child_killed_mid_training_fails_the_run_with_how_it_died(tmp_path: Path) -> None:
    job = Job(tmp_path, die_in_train=True)
    run = await job.run()
    assert run.status is RunStatus.FAILED
    assert "training process died: exit code -9 (SIGKILL, likely out of memory)" in (run.error or ""), run.error
    assert job.process.pid is None and training_processes() == []


async def test_after_a_death_the_next_call_starts_a_fresh_child(tmp_path: Path) -> None:
    process = child(tmp_path, die_in_train=True)
    try:
        with pytest.raises(TrainingProcessDied):
            await process.train(EXAMPLES, EXAMPLES, LABELS, [], lambda _: None)
        assert process.pid is None
        assert await process.find([]) == []
    finally:
        await process.close()


async def hanging_training(process: TrainingProcess) -> tuple[asyncio.Task[object], int]:
    """A training call that never ends, once it runs in the child; and the child's pid."""
    training = asyncio.Event()
    call = asyncio.create_task(process.train(EXAMPLES, EXAMPLES, LABELS, [], lambda _: training.set()))
    await training.wait()
    assert process.pid is not None and alive(process.pid)
    return call, process.pid


async def test_a_cancelled_call_kills_the_child(tmp_path: Path) -> None:
    process = child(tmp_path, hang_in_train=True)
    call, pid = await hanging_training(process)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert process.pid is None and wait_until_gone(pid)
    await process.close()


async def test_closing_a_child_in_the_middle_of_a_call_ends_both(tmp_path: Path) -> None:
    process = child(tmp_path, hang_in_train=True)
    call, pid = await hanging_training(process)
    await process.close()
    with pytest.raises(TrainingProcessDied, match="closed mid-call"):
        await call
    assert not alive(pid)


def helper_pid(seen: list[TrainingProgress]) -> int:
    (pid,) = [int(update.percent) for update in seen if update.phase == "helper"]
    return pid


async def test_closing_the_child_ends_the_processes_it_started(tmp_path: Path) -> None:
    """Worker processes the child started (the mislabel judgement's) would outlive a SIGKILL of the child alone,
    holding their memory until their own idle timeout."""
    process = child(tmp_path, helper=True)
    seen: list[TrainingProgress] = []
    await process.train(EXAMPLES, EXAMPLES, LABELS, [], seen.append)
    helper = helper_pid(seen)
    assert alive(helper)
    await process.close()
    assert wait_until_gone(helper)


async def test_a_child_that_dies_takes_the_processes_it_started_with_it(tmp_path: Path) -> None:
    process = child(tmp_path, helper=True, die_in_train=True)
    seen: list[TrainingProgress] = []
    with pytest.raises(TrainingProcessDied):
        await process.train(EXAMPLES, EXAMPLES, LABELS, [], seen.append)
    assert wait_until_gone(helper_pid(seen))
    await process.close()


def test_the_child_dies_with_its_parent_even_by_sigkill(tmp_path: Path) -> None:
    """A parent killed with SIGKILL runs no clean-up: the kernel ends its training process."""
    script = textwrap.dedent(
        f"""
        import asyncio, json, sys
        from adapters.outbound.ml.training_process.client import TrainingProcess

        async def main():
            options = {{"store": {str(tmp_path)!r}, "hang_in_train": True}}
            process = TrainingProcess({CHILD!r}, json.dumps(options).encode(), pause_busy_share=0.0)
            started = asyncio.Event()
            call = asyncio.create_task(process.train([], [], ["a", "b"], [], lambda _: started.set()))
            await started.wait()
            print(process.pid, flush=True)
            await call

        asyncio.run(main())
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert training_processes(parent.pid) == [pid]
    finally:
        parent.kill()
        parent.wait()
    assert wait_until_gone(pid), "the training process outlived its parent"


def test_an_exit_is_described_in_words() -> None:
    assert describe_exit(-9) == "exit code -9 (SIGKILL, likely out of memory)"
    assert describe_exit(-11) == "exit code -11 (SIGSEGV)"
    assert describe_exit(1) == "exit code 1"


def test_the_training_process_is_told_the_settings_without_secrets_broker_or_database(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "DATABASE_URL": "mysql+aiomysql://app:db-password@db:3306/tickets",
            "BROKER_URL": "redis://:broker-password@redis:6379/0",
            "SERVICE_API_KEYS": "service-key-0123456789",
            "ADMIN_API_KEYS": "admin-key-0123456789",
            "SESSION_SECRET": "session-secret-0123456789-0123456789",
            "TRAIN_BASE_MODEL_DIR": str(tmp_path),
            "TRAINING_THREADS": "3",
        },
        env_file=None,
    )
    configuration = encode_training_settings(settings)
    for secret in (b"db-password", b"broker-password", b"service-key", b"admin-key", b"session-secret"):
        assert secret not in configuration
    told = decode_training_settings(configuration)
    assert told.database_url == "sqlite+aiosqlite:///:memory:", "a private scratch database, never the service's"
    cleared = dict(broker_url=None, service_api_keys=(), admin_api_keys=(), session_secret=None)
    assert told == replace(settings, database_url=told.database_url, **cleared)
    assert told.train_base_model_dir == tmp_path and told.training_threads == 3
