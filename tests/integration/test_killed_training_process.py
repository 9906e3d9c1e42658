"""The embedded API's training process killed mid-training (as the OOM killer would): the run fails saying how it
died, the API process keeps answering, and no training process is left. Real processes and a tiny BERT; states
are polled with generous deadlines, nothing asserts how long anything took."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from bootstrap.cli import _prepare_database
from bootstrap.http import create_http_app
from bootstrap.settings import load_settings
from tests.integration.conftest import run_in_thread
from tests.integration.test_retraining_pipeline import labelled_tickets, tiny_training_env
from tests.processes import training_processes, wait_until_gone

pytestmark = pytest.mark.integration


async def analyze(client: AsyncTestClient) -> None:
    answer = await client.post("/api/analyze", json={"description": "vpn password locked", "company_id": 1})
    assert answer.status_code == 200, answer.text


async def run_until(client: AsyncTestClient, run_id: int, reached: Any, what: str) -> dict[str, Any]:
    """Polls the run (answering an analysis each time) until `reached(run)`."""
    for _ in range(1200):
        run = (await client.get(f"/api/training-runs/{run_id}")).json()
        if reached(run):
            return dict(run)
        await analyze(client)
        await asyncio.sleep(0.25)
    raise AssertionError(f"training run {run_id}: {what} did not happen: {run}")


async def test_a_training_process_killed_mid_training_fails_the_run_and_the_api_answers_on(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "SQLITE_PATH": str(tmp_path / "data" / "db.sqlite3"),
            **tiny_training_env(tmp_path),
            # Far more than the test waits for: the process is surely mid-training when it is killed.
            "TRAIN_EPOCHS": "100000",
            "TRAIN_TIME_BUDGET": "3600",
            # Nothing but the test's own trigger starts a (as long) run: not its analyses, not its labelled tickets.
            "ANALYZE_TRAINING_THRESHOLD": "1000000",
            "RETRAIN_MIN_NEW_LABELS": "0",
        },
        env_file=None,
    )
    run_in_thread(_prepare_database, settings)
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as client:
        try:
            assert (
                await client.post("/api/tickets", json={"tickets": labelled_tickets(20, seed=4)})
            ).status_code == 201
            triggered = await client.post("/api/training-runs")
            assert triggered.status_code == 202, triggered.text
            run_id = triggered.json()["run_id"]
            # Past 12 % the linear stage is registered and the training process reports the transformer's training.
            await run_until(client, run_id, lambda run: run["progress"]["percent"] > 12, "the transformer training")
            (pid,) = training_processes()
            os.kill(pid, signal.SIGKILL)

            run = await run_until(client, run_id, lambda run: run["status"] != "running", "the run ending")
            assert run["status"] == "failed", run
            assert "training process died: exit code -9 (SIGKILL, likely out of memory)" in run["error"], run["error"]
            (linear,) = [model for model in (await client.get("/api/models")).json() if model["status"] == "active"]
            assert linear["metrics"]["stage"] == "linear", "the linear stage stays as decided"
            assert not (await client.get("/api/training/status")).json()["running"]
            await analyze(client)
        finally:
            # Whatever failed above, the app's shutdown must not wait out a training of 100,000 epochs.
            for leftover in training_processes():
                os.kill(leftover, signal.SIGKILL)
    assert wait_until_gone(pid) and training_processes() == []
