"""Learning without hurting serving, through the real embedded app (SQLite, the in-process queue, a tiny BERT):
analyses with nothing new to learn start nothing, and one correction starts one update run that the promotion gate
judges."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from bootstrap.cli import _prepare_database
from bootstrap.http import create_http_app
from bootstrap.settings import load_settings
from tests.integration.conftest import run_in_thread
from tests.integration.test_retraining_pipeline import labelled_tickets, tiny_training_env

pytestmark = pytest.mark.integration

FINISHED = {"succeeded", "failed", "skipped"}


async def _runs(client: AsyncTestClient[Any]) -> list[dict[str, Any]]:
    return list((await client.get("/api/training-runs")).json())


async def _until_finished(client: AsyncTestClient[Any], run_id: int) -> dict[str, Any]:
    for _ in range(1200):
        run = (await client.get(f"/api/training-runs/{run_id}")).json()
        if run["status"] in FINISHED:
            return dict(run)
        await asyncio.sleep(0.25)
    raise AssertionError(f"run {run_id} did not finish: {run}")


async def test_nothing_new_starts_nothing_and_one_correction_starts_one_update(tmp_path: Path) -> None:
    # The defaults of `make run` (threshold 100, one new label is enough), on a tiny model.
    settings = load_settings(
        environ={"SQLITE_PATH": str(tmp_path / "data" / "db.sqlite3"), **tiny_training_env(tmp_path)}, env_file=None
    )
    assert settings.embedded and settings.analyze_training_threshold == 100 and settings.retrain_min_new_labels == 1
    run_in_thread(_prepare_database, settings)
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as client:
        assert (await client.post("/api/tickets", json={"tickets": labelled_tickets(20, seed=5)})).status_code == 201
        started = await client.post("/api/training-runs")
        assert started.status_code == 202, started.text
        first = await _until_finished(client, started.json()["run_id"])
        assert first["status"] == "succeeded" and first["metrics"]["plan"]["kind"] == "full", first

        # 1,000 analyses with nothing new to learn: ten due counts, ten skipped triggers, no run, no job.
        texts = [{"description": f"printer {n} jammed again"} for n in range(250)]
        for _ in range(4):
            batch = await client.post("/api/analyze/batch", json={"company_id": 1, "tickets": texts})
            assert batch.status_code == 200, batch.text
        status = (await client.get("/api/training/status")).json()
        assert (status["skipped_triggers"], status["analyses_since_trigger"], status["new_labels"]) == (10, 0, 0)
        assert not status["running"]
        assert [run["id"] for run in await _runs(client)] == [first["id"]]

        # One correction: the next analysis starts exactly one run, an update, judged by the promotion gate.
        ticket = {"description": "vpn token expired", "company_id": 1}
        analysis = (await client.post("/api/analyze", json=ticket)).json()
        corrected = "Storage" if analysis["category"] == "Access" else "Access"
        feedback = await client.post(f"/api/analyses/{analysis['analysis_id']}/feedback", json={"category": corrected})
        assert feedback.status_code == 201, feedback.text
        assert (await client.get("/api/training/status")).json()["new_labels"] == 1
        await client.post("/api/analyze", json={"description": "monitor flickers", "company_id": 1})
        runs = await _runs(client)
        assert len(runs) == 2 and runs[0]["trigger"] == "labels", runs
        update = await _until_finished(client, runs[0]["id"])
        assert update["status"] == "succeeded", update
        assert update["metrics"]["plan"]["kind"] == "update" and update["metrics"]["plan"]["new_tickets"] == 1
        (stage,) = update["stages"]
        assert stage["stage"] == "update" and stage["promoted"] == update["promoted"]
        assert update["decision"].startswith("promoted" if update["promoted"] else "kept the active model")
        status = (await client.get("/api/training/status")).json()
        assert status["new_labels"] == 0 and not status["running"]
        for _ in range(200):  # and nothing more: the next due count is skipped again
            await client.post("/api/analyze", json={"description": "keyboard missing keys", "company_id": 1})
        assert len(await _runs(client)) == 2
